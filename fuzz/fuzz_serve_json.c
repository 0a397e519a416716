/* fuzz_serve_json.c - libFuzzer target for the scoring-request decoder (cip_serve_decode_json)
 *
 * Decodes the input as an MLflow scoring body, and as a one-customer record,
 * against a fixed signature (the raw customer columns plus a boolean). Every
 * input must either decode or fail with PARSE/SCHEMA/LIMIT and a message
 * (never INTERNAL, MISUSE or a crash/leak). When it decodes, the frame must have
 * exactly the signature's columns, names and types, and valid category codes.
 * Violations abort (this is a test program, not the library).
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cip/cip.h"
#include "cip/serve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c))                                                                                  \
            abort();                                                                               \
    } while (0)

static const cip_serve_field k_sig[] = {{"age", CIP_TYPE_INT},
                                        {"annual_income", CIP_TYPE_FLOAT},
                                        {"purchase_amount", CIP_TYPE_FLOAT},
                                        {"loyalty_score", CIP_TYPE_FLOAT},
                                        {"region", CIP_TYPE_CAT},
                                        {"purchase_frequency", CIP_TYPE_INT},
                                        {"active", CIP_TYPE_BOOL}};
#define N_SIG (sizeof k_sig / sizeof k_sig[0])

static void check(cip_ctx *ctx, cip_status rc, cip_frame *f)
{
    if (rc != CIP_OK) {
        CHECK(f == NULL);
        CHECK(rc == CIP_ERR_PARSE || rc == CIP_ERR_SCHEMA || rc == CIP_ERR_LIMIT ||
              rc == CIP_ERR_NOMEM || rc == CIP_ERR_INVALID);
        CHECK(cip_ctx_errmsg(ctx)[0] != '\0');
        return;
    }
    CHECK(cip_frame_n_cols(f) == N_SIG);
    for (size_t k = 0; k < N_SIG; k++) {
        CHECK(strcmp(cip_frame_col_name(f, k), k_sig[k].name) == 0);
        CHECK(cip_frame_col_type(f, k) == k_sig[k].type);
        size_t n = cip_frame_n_rows(f), miss = 0;
        for (size_t i = 0; i < n; i++) {
            miss += cip_frame_is_missing(f, k, i);
            if (k_sig[k].type == CIP_TYPE_CAT && !cip_frame_is_missing(f, k, i))
                CHECK(cip_frame_codes(f, k)[i] < cip_frame_n_levels(f, k));
            if (k_sig[k].type == CIP_TYPE_BOOL)
                CHECK(cip_frame_bool(f, k)[i] <= 1);
        }
        CHECK(miss == cip_frame_n_missing(f, k));
    }
    cip_frame_free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cip_ctx *ctx = NULL;
    if (cip_ctx_new(&ctx) != CIP_OK)
        return 0;
    cip_frame *f = NULL;
    cip_status rc = cip_serve_decode_json(ctx, k_sig, N_SIG, (const char *)data, size, &f);
    check(ctx, rc, f);
    f = NULL;
    cip_ctx_clear_error(ctx);
    rc = cip_serve_decode_record(ctx, k_sig, N_SIG, (const char *)data, size, &f);
    check(ctx, rc, f);
    cip_ctx_free(ctx);
    return 0;
}
