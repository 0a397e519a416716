/* test_forest_io.c - forest model files: byte-identical round trips, damaged files
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "forest_fixtures.h"

/* --- files -------------------------------------------------------------------------------------
 */
static cip_forest *small_model(cip_ctx *ctx, cip_frame **fr_out, int task)
{
    enum { N = 120, P = 3 };
    double x[N * P], y[N];
    make_data(N, P, 21, x, task ? NULL : y, task ? y : NULL);
    for (int i = 0; task && i < N; i++)
        y[i] = y[i] + (x[N + i] > 5.0); /* 3 classes */
    x[5] = NAN;                         /* a missing value */
    cip_frame *fr = frame_of(ctx, x, N, P);
    cip_forest_params p = params(task ? CIP_FOREST_CLASSIFICATION : CIP_FOREST_REGRESSION, 4, 3);
    p.max_depth = 4;
    p.oob_score = 1;
    cip_forest *f;
    assert_int_equal(cip_forest_fit(ctx, fr, y, NULL, &p, &f), CIP_OK);
    *fr_out = fr;
    return f;
}

static void test_forest_save_load_roundtrip_is_identical(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx(2);
    for (int task = 0; task < 2; task++) {
        cip_frame *fr;
        cip_forest *f = small_model(ctx, &fr, task), *g, *h;
        size_t n = cip_frame_n_rows(fr), w = task ? 3 : 1, l1, l2;
        char *b1, *b2, path[256];
        assert_int_equal(cip_forest_save_mem(ctx, f, &b1, &l1), CIP_OK);
        assert_int_equal(cip_forest_load_mem(ctx, "m", b1, l1, &g), CIP_OK);
        assert_int_equal(cip_forest_save_mem(ctx, g, &b2, &l2), CIP_OK);
        assert_int_equal(l1, l2);
        assert_memory_equal(b1, b2, l1);
        assert_memory_equal(b1, "CIPFOREST 2\n", 12);
        cipt_write_temp(path, sizeof path, ".cipf", "", 0);
        assert_int_equal(cip_forest_save(ctx, g, path), CIP_OK);
        assert_int_equal(cip_forest_load(ctx, path, &h), CIP_OK);
        remove(path);
        double *p1 = calloc(n * w, sizeof *p1), *p2 = calloc(n * w, sizeof *p2);
        if (task) {
            assert_int_equal(cip_forest_predict_proba(ctx, f, fr, p1, n * w), CIP_OK);
            assert_int_equal(cip_forest_predict_proba(ctx, h, fr, p2, n * w), CIP_OK);
        } else {
            assert_int_equal(cip_forest_predict(ctx, f, fr, p1, n), CIP_OK);
            assert_int_equal(cip_forest_predict(ctx, h, fr, p2, n), CIP_OK);
        }
        assert_memory_equal(p1, p2, n * w * sizeof *p1);
        cip_forest_info a, b;
        cip_forest_get_info(f, &a);
        cip_forest_get_info(h, &b);
        assert_memory_equal(&a, &b, sizeof a);
        assert_memory_equal(cip_forest_importances(f), cip_forest_importances(h),
                            3 * sizeof(double));
        assert_null(cip_forest_oob_prediction(h, NULL));
        free(p1);
        free(p2);
        cip_forest_buf_free(ctx, b1);
        cip_forest_buf_free(ctx, b2);
        cip_forest_free(f);
        cip_forest_free(g);
        cip_forest_free(h);
        cip_frame_free(fr);
    }
    cip_ctx_free(ctx);
}

static void expect_parse(cip_ctx *ctx, const char *buf, size_t len, const char *word)
{
    cip_forest *f = (cip_forest *)1;
    assert_int_equal(cip_forest_load_mem(ctx, "model", buf, len, &f), CIP_ERR_PARSE);
    assert_null(f);
    if (word != NULL && strstr(cip_ctx_errmsg(ctx), word) == NULL)
        fail_msg("message '%s' does not mention '%s'", cip_ctx_errmsg(ctx), word);
}

/* Rewrite the trailing CRC so structural checks are reached. */
static void fix_crc(char *buf, size_t len)
{
    uint32_t c = (uint32_t)crc32(0L, (const unsigned char *)buf, (unsigned)(len - 4));
    for (int i = 0; i < 4; i++)
        buf[len - 4 + (size_t)i] = (char)(c >> (8 * i));
}

static void test_forest_load_rejects_damaged_files(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx(1);
    cip_frame *fr;
    cip_forest *f = small_model(ctx, &fr, 1);
    char *b;
    size_t len;
    assert_int_equal(cip_forest_save_mem(ctx, f, &b, &len), CIP_OK);
    char *c = malloc(len);
    for (size_t l = 0; l < len; l += 1 + l / 64) /* truncations */
        expect_parse(ctx, b, l, NULL);
    expect_parse(ctx, b, len - 1, "truncated");
    for (size_t i = 0; i < len; i += 1 + i / 32) { /* bit flips */
        memcpy(c, b, len);
        c[i] ^= (char)(1 << (i % 8));
        expect_parse(ctx, c, len, NULL);
    }
    memcpy(c, b, len);
    c[len / 2] ^= 0x10;
    expect_parse(ctx, c, len, "checksum");
    memcpy(c, b, len);
    c[0] = 'X';
    expect_parse(ctx, c, len, "magic");
    memcpy(c, b, len);
    c[10] = '3';
    expect_parse(ctx, c, len, "unsupported forest format version 3");
    /* valid checksum, broken structure: the root's child index points at the root */
    memcpy(c, b, len);
    char *bin = strstr(c, "\nbinary ");
    char *data = strchr(bin + 1, '\n') + 1 + 3 * 8 + 8; /* importances, tree header */
    uint32_t n_nodes = (uint8_t)data[-8] | (uint32_t)(uint8_t)data[-7] << 8;
    memset(data + (size_t)n_nodes * 8, 0, 4);
    fix_crc(c, len);
    expect_parse(ctx, c, len, "child");
    free(c);
    cip_forest_buf_free(ctx, b);
    cip_forest_free(f);
    cip_frame_free(fr);
    cip_ctx_free(ctx);
}

/* The same model in format version 1 (no node covers), built from a version-2 file. */
static char *to_v1(const char *b, size_t len, size_t p, size_t k, size_t n_trees, size_t *out_len)
{
    const char *bin = strstr(b, "\nbinary ") + 1, *data = strchr(bin, '\n') + 1;
    char *o = malloc(len + 32);
    size_t hl = (size_t)(bin - b), n = 0;
    memcpy(o, b, hl);
    o[10] = '1';
    size_t at = hl + (size_t)sprintf(o + hl, "binary %020zu\n", (size_t)0), start = at;
    memcpy(o + at, data, p * 8);
    at += p * 8;
    const unsigned char *d = (const unsigned char *)data + p * 8;
    for (size_t t = 0; t < n_trees; t++) {
        uint32_t nn = d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 | (uint32_t)d[3] << 24;
        uint32_t nd = d[4] | (uint32_t)d[5] << 8 | (uint32_t)d[6] << 16 | (uint32_t)d[7] << 24;
        memcpy(o + at, d, 8 + (size_t)nn * 15);
        at += 8 + (size_t)nn * 15;
        d += 8 + (size_t)nn * 19;
        memcpy(o + at, d, (size_t)nd * k * 4);
        at += (size_t)nd * k * 4;
        d += (size_t)nd * k * 4;
    }
    n = at - start;
    char num[32];
    snprintf(num, sizeof num, "%020zu", n);
    memcpy(o + hl + 7, num, 20);
    fix_crc(o, at + 4);
    *out_len = at + 4;
    return o;
}

static void test_forest_load_reads_version_1_without_covers(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx(1);
    for (int task = 0; task < 2; task++) {
        cip_frame *fr;
        cip_forest *f = small_model(ctx, &fr, task), *g;
        char *b, *v1;
        size_t len, l1, k;
        cip_forest_classes(f, &k);
        assert_int_equal(cip_forest_save_mem(ctx, f, &b, &len), CIP_OK);
        v1 = to_v1(b, len, 3, k, cip_forest_n_trees(f), &l1);
        assert_int_equal(cip_forest_load_mem(ctx, "v1", v1, l1, &g), CIP_OK);
        double row[3] = {1.0, NAN, 7.5}, a[3], c[3], phi[4];
        if (task) {
            assert_int_equal(cip_forest_predict_proba_row(f, row, a), CIP_OK);
            assert_int_equal(cip_forest_predict_proba_row(g, row, c), CIP_OK);
            assert_memory_equal(a, c, k * sizeof *a);
        } else {
            assert_int_equal(cip_forest_predict_row(f, row, a), CIP_OK);
            assert_int_equal(cip_forest_predict_row(g, row, c), CIP_OK);
            assert_true(a[0] == c[0]);
        }
        assert_int_equal(cip_forest_shap_row(ctx, g, row, 0, phi), CIP_ERR_INVALID);
        assert_non_null(strstr(cip_ctx_errmsg(ctx), "covers"));
        assert_int_equal(cip_forest_shap_row(ctx, f, row, 0, phi), CIP_OK);
        free(v1);
        cip_forest_buf_free(ctx, b);
        cip_forest_free(f);
        cip_forest_free(g);
        cip_frame_free(fr);
    }
    cip_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forest_save_load_roundtrip_is_identical),
        cmocka_unit_test(test_forest_load_rejects_damaged_files),
        cmocka_unit_test(test_forest_load_reads_version_1_without_covers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
