/* fuzz_csv.c - libFuzzer target for the CSV reader (cip_frame_read_csv_mem)
 *
 * Every input must either parse or fail with a status and a message (never
 * CIP_ERR_INTERNAL); never crash, leak or read out of bounds. When it
 * parses, the frame's invariants are checked, describe must succeed, and two
 * properties must hold:
 *   - reading again with the inferred types forced gives the same frame;
 *   - reading again with every column forced to category succeeds.
 * Violations abort (this is a test program, not the library).
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cip/cip.h"
#include "cip/describe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c))                                                                                  \
            abort();                                                                               \
    } while (0)

static void check_frame(const cip_frame *f)
{
    size_t n = cip_frame_n_rows(f);
    for (size_t j = 0; j < cip_frame_n_cols(f); j++) {
        CHECK(cip_frame_col_name(f, j) != NULL && cip_frame_col_name(f, j)[0] != '\0');
        size_t miss = 0;
        for (size_t i = 0; i < n; i++)
            miss += cip_frame_is_missing(f, j, i);
        CHECK(miss == cip_frame_n_missing(f, j));
        CHECK((miss == 0) == (cip_frame_missing(f, j) == NULL));
        if (cip_frame_col_type(f, j) == CIP_TYPE_CAT) {
            const uint32_t *codes = cip_frame_codes(f, j);
            for (size_t i = 0; i < n; i++)
                CHECK(cip_frame_is_missing(f, j, i) || codes[i] < cip_frame_n_levels(f, j));
            for (size_t k = 0; k < cip_frame_n_levels(f, j); k++)
                CHECK(cip_frame_level(f, j, (uint32_t)k) != NULL);
        }
        if (cip_frame_col_type(f, j) == CIP_TYPE_BOOL) {
            const uint8_t *b = cip_frame_bool(f, j);
            for (size_t i = 0; i < n; i++)
                CHECK(b[i] <= 1);
        }
    }
}

static bool same_frame(const cip_frame *a, const cip_frame *b)
{
    size_t n = cip_frame_n_rows(a);
    if (n != cip_frame_n_rows(b) || cip_frame_n_cols(a) != cip_frame_n_cols(b))
        return false;
    for (size_t j = 0; j < cip_frame_n_cols(a); j++) {
        cip_type t = cip_frame_col_type(a, j);
        if (t != cip_frame_col_type(b, j) || cip_frame_n_missing(a, j) != cip_frame_n_missing(b, j))
            return false;
        for (size_t i = 0; i < n; i++) {
            if (cip_frame_is_missing(a, j, i) != cip_frame_is_missing(b, j, i))
                return false;
            if (cip_frame_is_missing(a, j, i))
                continue;
            if (t == CIP_TYPE_CAT) {
                const char *la = cip_frame_level(a, j, cip_frame_codes(a, j)[i]);
                const char *lb = cip_frame_level(b, j, cip_frame_codes(b, j)[i]);
                if (strcmp(la, lb) != 0)
                    return false;
            } else {
                double x = cip_frame_get(a, j, i), y = cip_frame_get(b, j, i);
                if (memcmp(&x, &y, sizeof x) != 0)
                    return false;
            }
        }
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cip_ctx *ctx = NULL;
    if (cip_ctx_new(&ctx) != CIP_OK)
        return 0;
    cip_ctx_set_threads(ctx, 1);
    cip_csv_read_opts o;
    cip_csv_read_opts_default(&o);
    o.max_field_bytes = 1u << 16;
    o.max_rows = 100000;
    cip_frame *f = NULL;
    cip_status rc = cip_frame_read_csv_mem(ctx, "fuzz", (const char *)data, size, &o, &f);
    if (rc != CIP_OK) {
        /* an internal error is a bug (e.g. row counts that disagree) */
        CHECK(f == NULL && cip_ctx_errmsg(ctx)[0] != '\0' && rc != CIP_ERR_INTERNAL);
        cip_ctx_free(ctx);
        return 0;
    }
    check_frame(f);
    cip_summary *s = NULL;
    CHECK(cip_frame_describe(ctx, f, NULL, &s) == CIP_OK);
    CHECK(cip_summary_n_rows(s) == cip_frame_n_rows(f));
    cip_summary_free(s);

    size_t nc = cip_frame_n_cols(f);
    cip_csv_col_type *types = calloc(nc ? nc : 1, sizeof *types);
    if (types != NULL) {
        for (size_t j = 0; j < nc; j++) {
            types[j].name = cip_frame_col_name(f, j);
            types[j].type = cip_frame_col_type(f, j);
        }
        o.types = types;
        o.n_types = nc;
        cip_frame *g = NULL;
        CHECK(cip_frame_read_csv_mem(ctx, "fuzz", (const char *)data, size, &o, &g) == CIP_OK);
        CHECK(same_frame(f, g));
        cip_frame_free(g);
        for (size_t j = 0; j < nc; j++)
            types[j].type = CIP_TYPE_CAT;
        CHECK(cip_frame_read_csv_mem(ctx, "fuzz", (const char *)data, size, &o, &g) == CIP_OK);
        CHECK(cip_frame_n_rows(g) == cip_frame_n_rows(f));
        cip_frame_free(g);
        free(types);
    }
    cip_frame_free(f);
    cip_ctx_free(ctx);
    return 0;
}
