/* test_features_persist.c - the feature pipeline's persistence (split from
 * test_features.c): save/load byte identity, corrupted files, the fuzz corpus,
 * out-of-memory sweeps
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "cip/features.h"
#include "testutil.h"
#include "features_fixture.h"

/* --- persistence ------------------------------------------------------------------------ */

static void test_features_save_load_transform_identical_bytes(void **state)
{
    (void)state;
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_frame *all = read_fixture(ctx, "features/small_raw.csv");
    cip_featpipe *p = NULL, *q = NULL;
    cip_frame *o1 = NULL, *o2 = NULL;
    assert_int_equal(cip_featpipe_fit(ctx, all, NULL, &p), CIP_OK);
    char path[256];
    cipt_write_temp(path, sizeof path, ".fp", "", 0);
    assert_int_equal(cip_featpipe_save(ctx, p, path), CIP_OK);
    assert_int_equal(cip_featpipe_load(ctx, path, &q), CIP_OK);
    assert_int_equal(cip_featpipe_transform(ctx, p, all, &o1), CIP_OK);
    assert_int_equal(cip_featpipe_transform(ctx, q, all, &o2), CIP_OK);
    size_t l1, l2;
    char *t1 = csv_text(ctx, o1, &l1), *t2 = csv_text(ctx, o2, &l2);
    assert_int_equal(l1, l2);
    assert_memory_equal(t1, t2, l1);
    /* save(load(save(p))) == save(p) */
    char *b1 = NULL, *b2 = NULL;
    assert_int_equal(cip_featpipe_save_mem(ctx, p, &b1, &l1), CIP_OK);
    assert_int_equal(cip_featpipe_save_mem(ctx, q, &b2, &l2), CIP_OK);
    assert_int_equal(l1, l2);
    assert_memory_equal(b1, b2, l1);
    assert_memory_equal(b1, "cip-featpipe 1\n", 15);
    /* loaded pipelines keep lineage and the churn label */
    const char *const *in;
    size_t n;
    assert_int_equal(cip_featpipe_lineage(q, "user_id", &in, &n), CIP_OK);
    assert_int_equal(n, 1);
    assert_string_equal(in[0], "user_id");
    uint8_t la[24], lb[24];
    assert_int_equal(cip_featpipe_churn_label(ctx, p, all, la, 24), CIP_OK);
    assert_int_equal(cip_featpipe_churn_label(ctx, q, all, lb, 24), CIP_OK);
    assert_memory_equal(la, lb, 24);
    unlink(path);
    cip_featpipe_buf_free(ctx, b1);
    cip_featpipe_buf_free(ctx, b2);
    free(t1);
    free(t2);
    cip_frame_free(o1);
    cip_frame_free(o2);
    cip_featpipe_free(p);
    cip_featpipe_free(q);
    cip_frame_free(all);
    cip_ctx_free(ctx);
}

static void expect_parse_error(cip_ctx *ctx, const char *data, size_t len, const char *needle)
{
    cip_featpipe *q = (cip_featpipe *)1;
    cip_status rc = cip_featpipe_load_mem(ctx, data, len, &q);
    if (rc != CIP_ERR_PARSE)
        fail_msg("load of %zu bytes gave %s (%s), expected CIP_ERR_PARSE", len, cip_status_name(rc),
                 cip_ctx_errmsg(ctx));
    assert_null(q);
    if (needle != NULL && strstr(cip_ctx_errmsg(ctx), needle) == NULL)
        fail_msg("message '%s' lacks '%s'", cip_ctx_errmsg(ctx), needle);
}

/* Replace `from` by `to` in a saved file and fix the checksum. */
static char *edit_resign(const char *src, size_t len, const char *from, const char *to,
                         size_t *out_len)
{
    const char *at = strstr(src, from);
    assert_non_null(at);
    size_t head = (size_t)(at - src), fl = strlen(from), tl = strlen(to);
    size_t body = len - head - fl;
    char *d = malloc(len - fl + tl + 32);
    memcpy(d, src, head);
    memcpy(d + head, to, tl);
    memcpy(d + head + tl, at + fl, body);
    size_t n = len - fl + tl;
    char *crc = strstr(d, "\ncrc32 ") + 1;
    size_t bl = (size_t)(crc - d);
    uLong c = crc32(0L, Z_NULL, 0);
    c = crc32(c, (const Bytef *)d, (uInt)bl);
    n = bl + (size_t)snprintf(d + bl, 32, "crc32 %08lx\n", (unsigned long)c);
    *out_len = n;
    return d;
}

static void test_features_load_rejects_corrupted_files(void **state)
{
    (void)state;
    cip_ctx *ctx;
    cip_featpipe *p = NULL;
    cip_frame *raw = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    struct rows r = {.n = 6};
    assert_int_equal(mk_raw(ctx, &r, &raw), CIP_OK);
    assert_int_equal(cip_featpipe_fit(ctx, raw, NULL, &p), CIP_OK);
    char *buf = NULL;
    size_t len;
    assert_int_equal(cip_featpipe_save_mem(ctx, p, &buf, &len), CIP_OK);
    expect_parse_error(ctx, "", 0, "bad magic");
    expect_parse_error(ctx, "cip-forest 1\n", 13, "bad magic");
    char *v2 = strdup(buf);
    v2[13] = '2';
    expect_parse_error(ctx, v2, len, "unsupported feature pipeline format version 2");
    free(v2);
    /* every truncation */
    for (size_t k = 0; k < len; k++)
        expect_parse_error(ctx, buf, k, NULL);
    expect_parse_error(ctx, buf, len - 1, "truncated");
    /* every single-bit flip is caught (by the checksum or the framing) */
    char *c = malloc(len);
    for (size_t k = 0; k < len; k++) {
        for (int bit = 0; bit < 8; bit += 3) {
            memcpy(c, buf, len);
            c[k] = (char)(c[k] ^ (1 << bit));
            expect_parse_error(ctx, c, len, NULL);
        }
    }
    free(c);
    memcpy(buf + len - 4, "zz", 2);
    expect_parse_error(ctx, buf, len, "checksum");
    cip_featpipe_buf_free(ctx, buf);
    /* inconsistent content behind a valid checksum */
    assert_int_equal(cip_featpipe_save_mem(ctx, p, &buf, &len), CIP_OK);
    static const char *const edits[][3] = {
        {"fit.rows 6", "fit.rows 7", "do not match"},
        {"fit.regions 2 North South", "fit.regions 2 South North", "sorted"},
        {"params.flag_quantile 0.75", "params.flag_quantile 1.5", "flag_quantile"},
        {"params.churn_label 0.75 4", "params.churn_label 0.75 4 9", "extra values"},
        {"fit.minmax 100", "fit.minmax 1e999", "bad fitted ranges"},
        {"fit.frequency_edges 5 10", "fit.frequency_edges 5 nan", "bad number"},
        {"params.age_bins 4 14 30", "params.age_bins 4 31 30", "age_bins"},
        {"fit.ecdf.income 6", "fit.ecdf.income 99999999999", "count out of range"},
        {"params.region_map 1 East", "params.region_map 1 E%4", "escape"},
    };
    for (size_t k = 0; k < sizeof edits / sizeof edits[0]; k++) {
        size_t el;
        char *e = edit_resign(buf, len, edits[k][0], edits[k][1], &el);
        expect_parse_error(ctx, e, el, edits[k][2]);
        free(e);
    }
    cip_featpipe *q = NULL;
    assert_int_equal(cip_featpipe_load(ctx, "/nonexistent/x.fp", &q), CIP_ERR_IO);
    cip_featpipe_buf_free(ctx, buf);
    cip_featpipe_free(p);
    cip_frame_free(raw);
    cip_ctx_free(ctx);
}

static void test_features_fuzz_corpus_outcomes(void **state)
{
    (void)state;
    /* tests/fuzz-corpus/featpipe_load: valid_* load, everything else is a parse error */
    static const char *const files[] = {
        "valid_six_rows.fp",
        "bad_magic.fp",
        "version_2.fp",
        "truncated_half.fp",
        "no_final_newline.fp",
        "bit_flip.fp",
        "bad_crc_digits.fp",
        "resigned_rows_mismatch.fp",
        "resigned_huge_count.fp",
        "resigned_unsorted_regions.fp",
        "resigned_bad_escape.fp",
        "resigned_nan_edge.fp",
        "resigned_inf_minmax.fp",
        "resigned_extra_line.fp",
        "resigned_region_clash.fp",
        "resigned_zero_bins.fp",
        "resigned_ctrl_char.fp",
        "empty.fp",
    };
    const char *src = getenv("CIP_SOURCE_DIR");
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/tests/fuzz-corpus/featpipe_load/%s", src ? src : ".",
                 files[k]);
        cip_featpipe *p = NULL;
        cip_status rc = cip_featpipe_load(ctx, path, &p);
        cip_status want = strncmp(files[k], "valid_", 6) == 0 ? CIP_OK : CIP_ERR_PARSE;
        if (rc != want)
            fail_msg("%s: got %s (%s)", files[k], cip_status_name(rc), cip_ctx_errmsg(ctx));
        cip_featpipe_free(p);
    }
    cip_ctx_free(ctx);
}

/* --- out of memory ------------------------------------------------------------------------ */

static cip_status oom_body(cip_ctx *ctx, void *arg)
{
    (void)arg;
    cip_frame *raw = NULL, *out = NULL, *out2 = NULL;
    cip_featpipe *p = NULL, *q = NULL;
    char *buf = NULL;
    size_t len = 0;
    uint8_t lab[8];
    const int64_t age[8] = {20, 25, 33, 41, 47, 52, 61, 13};
    const char *const reg[8] = {"North", "East", "South", "West", "North", "South", "West", "East"};
    struct rows r = {.n = 8, .age = age, .region = reg};
    cip_status rc = mk_raw(ctx, &r, &raw);
    if (rc == CIP_OK)
        rc = cip_featpipe_fit(ctx, raw, NULL, &p);
    if (rc == CIP_OK)
        rc = cip_featpipe_transform(ctx, p, raw, &out);
    if (rc == CIP_OK)
        rc = cip_featpipe_save_mem(ctx, p, &buf, &len);
    if (rc == CIP_OK)
        rc = cip_featpipe_load_mem(ctx, buf, len, &q);
    if (rc == CIP_OK)
        rc = cip_featpipe_transform(ctx, q, raw, &out2);
    if (rc == CIP_OK)
        rc = cip_featpipe_churn_label(ctx, q, raw, lab, 8);
    if (rc == CIP_OK && (out == NULL || out2 == NULL || cip_frame_n_cols(out2) != 29))
        rc = CIP_ERR_INTERNAL;
    if (rc != CIP_OK && (out != NULL || q != NULL) && rc != CIP_ERR_NOMEM)
        rc = CIP_ERR_INTERNAL;
    cip_featpipe_buf_free(ctx, buf);
    cip_frame_free(out);
    cip_frame_free(out2);
    cip_featpipe_free(p);
    cip_featpipe_free(q);
    cip_frame_free(raw);
    return rc;
}

static void test_features_oom_sweep_fit_transform_save_load(void **state)
{
    (void)state;
    long runs = cipt_oom_sweep(oom_body, NULL);
    assert_true(runs > 50);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_features_save_load_transform_identical_bytes),
        cmocka_unit_test(test_features_load_rejects_corrupted_files),
        cmocka_unit_test(test_features_fuzz_corpus_outcomes),
        cmocka_unit_test(test_features_oom_sweep_fit_transform_save_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
