/* fuzz_featpipe_load.c - libFuzzer target: cip_featpipe_load_mem on arbitrary bytes
 *
 * Anything the loader accepts must be safe to use: the target then
 * transforms a small fixed frame, computes churn labels and saves the
 * pipeline again, and the re-saved file must load. Each input is tried as
 * is and once more with its checksum line replaced by a correct one, so the
 * fuzzer reaches the parser behind the CRC-32 check (in every build, so the
 * corpus replays the same way). Replayed by ctest over
 * tests/fuzz-corpus/featpipe_load/ (fuzz-regress.featpipe_load).
 * SPDX-License-Identifier: MIT
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "cip/cip.h"
#include "cip/features.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static cip_status small_frame(cip_ctx *ctx, cip_frame **out)
{
    static const int64_t age[4] = {13, 30, 61, 120};
    static const int64_t inc[4] = {0, 45000, 90000, 1000000};
    static const int64_t pa[4] = {-5, 0, 500, 100000};
    static const int64_t fr[4] = {0, 1, 20, 1000};
    static const double loy[4] = {-1.0, 0.0, 5.5, 1e9};
    static const char *const reg[4] = {"North", "East", "South", "West"};
    cip_frame *f = NULL;
    cip_status rc = cip_frame_new(ctx, 4, &f);
    if (rc == CIP_OK)
        rc = cip_frame_add_i64(ctx, f, "age", age, NULL);
    if (rc == CIP_OK)
        rc = cip_frame_add_i64(ctx, f, "annual_income", inc, NULL);
    if (rc == CIP_OK)
        rc = cip_frame_add_i64(ctx, f, "purchase_amount", pa, NULL);
    if (rc == CIP_OK)
        rc = cip_frame_add_f64(ctx, f, "loyalty_score", loy, NULL);
    if (rc == CIP_OK)
        rc = cip_frame_add_strings(ctx, f, "region", reg);
    if (rc == CIP_OK)
        rc = cip_frame_add_i64(ctx, f, "purchase_frequency", fr, NULL);
    if (rc != CIP_OK)
        cip_frame_free(f);
    else
        *out = f;
    return rc;
}

static void try_load(const char *data, size_t size)
{
    cip_ctx *ctx = NULL;
    if (cip_ctx_new(&ctx) != CIP_OK)
        return;
    cip_featpipe *p = NULL, *q = NULL;
    cip_frame *raw = NULL, *out = NULL;
    char *buf = NULL;
    size_t len = 0;
    if (cip_featpipe_load_mem(ctx, data, size, &p) == CIP_OK && small_frame(ctx, &raw) == CIP_OK) {
        uint8_t lab[4];
        (void)cip_featpipe_transform(ctx, p, raw, &out);
        (void)cip_featpipe_churn_label(ctx, p, raw, lab, 4);
        if (cip_featpipe_save_mem(ctx, p, &buf, &len) == CIP_OK &&
            cip_featpipe_load_mem(ctx, buf, len, &q) != CIP_OK)
            __builtin_trap(); /* a saved pipeline must load */
    }
    cip_featpipe_buf_free(ctx, buf);
    cip_featpipe_free(q);
    cip_frame_free(out);
    cip_frame_free(raw);
    cip_featpipe_free(p);
    cip_ctx_free(ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    try_load((const char *)data, size);
    /* the body: everything up to a last "crc32 " line, if any */
    size_t body = size;
    for (size_t i = size; i > 0; i--) {
        if (data[i - 1] == '\n' && size - i >= 6 && memcmp(data + i, "crc32 ", 6) == 0) {
            body = i;
            break;
        }
    }
    if (body > (size_t)1 << 20)
        return 0;
    char *signed_copy = malloc(body + 16);
    if (signed_copy == NULL)
        return 0;
    if (body > 0)
        memcpy(signed_copy, data, body);
    uLong c = crc32(crc32(0L, Z_NULL, 0), (const Bytef *)data, (uInt)body);
    int n = snprintf(signed_copy + body, 16, "crc32 %08lx\n", (unsigned long)c);
    try_load(signed_copy, body + (size_t)n);
    free(signed_copy);
    return 0;
}
