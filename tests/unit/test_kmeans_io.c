/* test_kmeans_io.c - k-means models on disk and the reference segmentation (split from
 * test_kmeans.c): save/load/predict identity, corrupted files, out of memory, and the
 * reference project's segmentation (needs ../shared; skips visibly without it)
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "cip/kmeans.h"
#include "testutil.h"
#include "kmeans_fixture.h"

static unsigned long crc32_for_test(const char *p, size_t n)
{
    return crc32(0L, (const Bytef *)p, (uInt)n);
}

/* --- persistence and prediction ------------------------------------------------------ */

static cip_frame *toy_frame(cip_ctx *ctx)
{
    cip_frame *f = NULL;
    assert_int_equal(cip_frame_new(ctx, TOY_N, &f), CIP_OK);
    int64_t iv[TOY_N];
    for (int i = 0; i < TOY_N; i++)
        iv[i] = (int64_t)(toy[2][i] * 10.0);
    assert_int_equal(cip_frame_add_f64(ctx, f, "x0", toy[0], NULL), CIP_OK);
    assert_int_equal(cip_frame_add_f64(ctx, f, "odd name\\ with\nnewline", toy[1], NULL), CIP_OK);
    assert_int_equal(cip_frame_add_i64(ctx, f, "x2_tenths", iv, NULL), CIP_OK);
    return f;
}

static cip_kmeans *fit_toy_model(cip_ctx *ctx, cip_frame *f)
{
    const char *feats[3] = {"x2_tenths", "x0", "odd name\\ with\nnewline"};
    cip_kmeans_params p;
    cip_kmeans_params_default(&p);
    p.n_clusters = 4;
    p.n_init = 3;
    p.standardize = 1;
    p.features = feats;
    p.n_features = 3;
    cip_kmeans *km = NULL;
    assert_int_equal(cip_kmeans_fit_frame(ctx, &p, f, &km), CIP_OK);
    return km;
}

static void test_kmeans_save_load_predict_identical(void **state)
{
    (void)state;
    load_toy();
    cip_ctx *ctx = new_ctx(2);
    cip_frame *f = toy_frame(ctx);
    cip_kmeans *km = fit_toy_model(ctx, f);
    assert_non_null(cip_kmeans_scaler(km));
    assert_string_equal(cip_kmeans_feature_name(km, 0), "x2_tenths");
    char path[256];
    cipt_write_temp(path, sizeof path, ".kmeans", "", 0);
    assert_int_equal(cip_kmeans_save(ctx, km, path), CIP_OK);
    cip_kmeans *back = NULL;
    assert_int_equal(cip_kmeans_load(ctx, path, &back), CIP_OK);
    assert_null(cip_kmeans_labels(back));
    assert_string_equal(cip_kmeans_feature_name(back, 2), "odd name\\ with\nnewline");
    assert_memory_equal(cip_kmeans_centers(back), cip_kmeans_centers(km), 12 * sizeof(double));
    assert_true(cip_kmeans_inertia(back) == cip_kmeans_inertia(km));
    int32_t l1[TOY_N], l2[TOY_N];
    assert_int_equal(cip_kmeans_predict_frame(ctx, km, f, l1, TOY_N), CIP_OK);
    assert_int_equal(cip_kmeans_predict_frame(ctx, back, f, l2, TOY_N), CIP_OK);
    assert_memory_equal(l1, l2, sizeof l1);
    assert_memory_equal(l1, cip_kmeans_labels(km), sizeof l1); /* predict == training labels */
    /* one raw row gives the same label */
    double row[3] = {(double)(int64_t)(toy[2][7] * 10.0), toy[0][7], toy[1][7]};
    int32_t lab;
    double d2;
    assert_int_equal(cip_kmeans_predict_row(ctx, back, row, &lab, &d2), CIP_OK);
    assert_int_equal(lab, l1[7]);
    assert_true(d2 >= 0.0);
    /* re-saving the loaded model gives the same bytes */
    char *b1 = NULL, *b2 = NULL;
    size_t n1, n2;
    assert_int_equal(cip_kmeans_save_mem(ctx, km, &b1, &n1), CIP_OK);
    assert_int_equal(cip_kmeans_save_mem(ctx, back, &b2, &n2), CIP_OK);
    assert_int_equal(n1, n2);
    assert_memory_equal(b1, b2, n1);
    cip_kmeans_buf_free(ctx, b1);
    cip_kmeans_buf_free(ctx, b2);
    /* predicting a frame without the features is a schema error */
    cip_frame *g = NULL;
    assert_int_equal(cip_frame_new(ctx, 2, &g), CIP_OK);
    assert_int_equal(cip_kmeans_predict_frame(ctx, back, g, l2, 2), CIP_ERR_NOT_FOUND);
    cip_frame_free(g);
    const double *two[2] = {toy[0], toy[1]};
    cip_colmat x2 = {two, TOY_N, 2};
    assert_int_equal(cip_kmeans_predict(ctx, back, &x2, l2, TOY_N, NULL), CIP_ERR_SCHEMA);
    remove(path);
    cip_kmeans_free(back);
    cip_kmeans_free(km);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

static void expect_parse_error(cip_ctx *ctx, const char *data, size_t len, const char *msg)
{
    cip_kmeans *km = (cip_kmeans *)ctx;
    cip_status rc = cip_kmeans_load_mem(ctx, "m.kmeans", data, len, &km);
    if (rc != CIP_ERR_PARSE)
        fail_msg("len %zu: got %s (%s), want CIP_ERR_PARSE", len, cip_status_name(rc),
                 cip_ctx_errmsg(ctx));
    assert_null(km);
    if (msg != NULL && strstr(cip_ctx_errmsg(ctx), msg) == NULL)
        fail_msg("message '%s' lacks '%s'", cip_ctx_errmsg(ctx), msg);
}

/* Replace the crc line of buf (after editing the body) with a correct one. */
static size_t refresh_crc(char *buf, size_t len)
{
    size_t body = len - 15;
    unsigned long crc = crc32_for_test(buf, body);
    snprintf(buf + body, 16, "crc32 %08lx\n", crc);
    return body + 15;
}

static void test_kmeans_load_rejects_bad_files(void **state)
{
    (void)state;
    load_toy();
    cip_ctx *ctx = new_ctx(1);
    cip_frame *f = toy_frame(ctx);
    cip_kmeans *km = fit_toy_model(ctx, f);
    char *b = NULL;
    size_t n;
    assert_int_equal(cip_kmeans_save_mem(ctx, km, &b, &n), CIP_OK);
    char *buf = malloc(n + 64);
    /* every truncation */
    for (size_t len = 0; len < n; len++) {
        memcpy(buf, b, len);
        expect_parse_error(ctx, buf, len, NULL);
    }
    expect_parse_error(ctx, b, n - 1, "truncated");
    /* every single-byte corruption */
    for (size_t i = 0; i < n; i++) {
        memcpy(buf, b, n);
        buf[i] = (char)(buf[i] ^ 0x20);
        expect_parse_error(ctx, buf, n, NULL);
    }
    memcpy(buf, b, n);
    buf[40] = (char)(buf[40] ^ 1);
    expect_parse_error(ctx, buf, n, "checksum mismatch");
    /* wrong version, with a valid checksum */
    memcpy(buf, b, n);
    buf[10] = '2';
    expect_parse_error(ctx, buf, refresh_crc(buf, n), "unsupported k-means model version 2");
    /* bad magic */
    expect_parse_error(ctx, "hello\n", 6, "bad magic");
    /* a well-formed envelope around a bad field */
    const char *body = "CIPKMEANS 1\nalgorithm lloyd\nn_clusters 0\n";
    size_t bl = strlen(body);
    memcpy(buf, body, bl);
    memcpy(buf + bl, "crc32 00000000\n", 15);
    expect_parse_error(ctx, buf, refresh_crc(buf, bl + 15), "m.kmeans:");
    /* random edits with a recomputed checksum reach the field parser: every
     * result is a clean model or CIP_ERR_PARSE, never a crash (ASan run) */
    cip_rng rng;
    cip_rng_init(&rng, 99, 0);
    static const char alphabet[] = "0123456789 -+.eE\nx\\\0abcdefinfNaN";
    size_t blen = n - 15, n_ok = 0;
    for (int it = 0; it < 3000; it++) {
        memcpy(buf, b, blen);
        size_t len = blen, pos = cip_rng_below(&rng, blen);
        int kind = (int)cip_rng_below(&rng, 3);
        char ch = alphabet[cip_rng_below(&rng, sizeof alphabet - 1)];
        if (kind == 0) {
            buf[pos] = ch;
        } else if (kind == 1) {
            memmove(buf + pos, buf + pos + 1, len - pos - 1);
            len--;
        } else {
            memmove(buf + pos + 1, buf + pos, len - pos);
            buf[pos] = ch;
            len++;
        }
        memcpy(buf + len, "crc32 00000000\n", 15);
        len = refresh_crc(buf, len + 15);
        cip_kmeans *m = NULL;
        cip_status rc = cip_kmeans_load_mem(ctx, "fuzz", buf, len, &m);
        assert_true(rc == CIP_OK || rc == CIP_ERR_PARSE);
        if (rc == CIP_OK) {
            double row[64] = {0};
            int32_t lab;
            cip_status prc = cip_kmeans_n_features(m) <= 64
                                 ? cip_kmeans_predict_row(ctx, m, row, &lab, NULL)
                                 : CIP_OK;
            assert_true(prc == CIP_OK || prc == CIP_ERR_INVALID); /* e.g. a tiny scale */
            n_ok++;
        }
        cip_kmeans_free(m);
    }
    print_message("mutated models: %zu loaded, %zu rejected\n", n_ok, 3000 - n_ok);
    assert_true(n_ok > 0 && n_ok < 3000);
    /* missing file */
    cip_kmeans *none = NULL;
    assert_int_equal(cip_kmeans_load(ctx, "/nonexistent/dir/m.kmeans", &none), CIP_ERR_IO);
    free(buf);
    cip_kmeans_buf_free(ctx, b);
    cip_kmeans_free(km);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

static cip_status oom_body(cip_ctx *ctx, void *arg)
{
    (void)arg;
    const char *feats[2] = {"a", "b"};
    cip_kmeans_sweep_params sp;
    cip_kmeans_sweep_params_default(&sp);
    sp.k_min = 2;
    sp.k_max = 3;
    sp.km.n_init = 2;
    sp.km.standardize = 1;
    sp.km.features = feats;
    sp.km.n_features = 2;
    sp.silhouette_sample = 40;
    cip_frame *f = NULL;
    cip_kmeans_sweep *s = NULL;
    cip_kmeans *back = NULL;
    char *buf = NULL;
    size_t len = 0;
    int32_t lab[TOY_N];
    cip_status rc = cip_frame_new(ctx, TOY_N, &f);
    if (rc == CIP_OK)
        rc = cip_frame_add_f64(ctx, f, "a", toy[0], NULL);
    if (rc == CIP_OK)
        rc = cip_frame_add_f64(ctx, f, "b", toy[2], NULL);
    if (rc == CIP_OK)
        rc = cip_kmeans_sweep_run_frame(ctx, &sp, f, &s);
    if (rc == CIP_OK)
        rc = cip_kmeans_save_mem(ctx, cip_kmeans_sweep_best(s), &buf, &len);
    if (rc == CIP_OK)
        rc = cip_kmeans_load_mem(ctx, "mem", buf, len, &back);
    if (rc == CIP_OK)
        rc = cip_kmeans_predict_frame(ctx, back, f, lab, TOY_N);
    cip_kmeans_buf_free(ctx, buf);
    cip_kmeans_free(back);
    cip_kmeans_sweep_free(s);
    cip_frame_free(f);
    return rc;
}

static void test_kmeans_oom_sweep(void **state)
{
    (void)state;
    load_toy();
    assert_true(cipt_oom_sweep(oom_body, NULL) > 20);
}

/* --- the reference project's segmentation ------------------------------------------- */

struct ref_case {
    const char *key;      /* object in original-results.json */
    const char *feats[4]; /* features */
    int chosen_k;         /* the reference's choice */
};

/* Pull "silhouette_by_k"/"inertia_by_k" values for k out of the JSON text. */
static double json_by_k(const char *json, const char *key, const char *field, int k)
{
    const char *p = strstr(json, key);
    assert_non_null(p);
    p = strstr(p, field);
    assert_non_null(p);
    char kk[16];
    snprintf(kk, sizeof kk, "\"%d\":", k);
    p = strstr(p, kk);
    assert_non_null(p);
    return strtod(p + strlen(kk), NULL);
}

static void run_reference(cip_ctx *ctx, const cip_frame *f, const char *json,
                          const struct ref_case *rc)
{
    cip_kmeans_sweep_params sp;
    cip_kmeans_sweep_params_default(&sp);
    sp.k_min = 2;
    sp.k_max = 8;
    sp.km.n_init = 10;
    sp.km.seed = 42;
    sp.km.standardize = 1;
    sp.km.features = rc->feats;
    sp.km.n_features = 4;
    cip_kmeans_sweep *s = NULL;
    assert_int_equal(cip_kmeans_sweep_run_frame(ctx, &sp, f, &s), CIP_OK);
    const cip_kmeans_sweep_point *pt = cip_kmeans_sweep_points(s);
    int bad = 0;
    print_message("%s: k  silhouette (ours / ref)      inertia (ours / ref)\n", rc->key);
    for (int i = 0; i < 7; i++) {
        double rs = json_by_k(json, rc->key, "silhouette_by_k", pt[i].k);
        double ri = json_by_k(json, rc->key, "inertia_by_k", pt[i].k);
        print_message("  k=%d  %.6f / %.6f   %10.4f / %10.4f%s\n", pt[i].k, pt[i].silhouette, rs,
                      pt[i].inertia, ri, fabs(pt[i].silhouette - rs) > 0.01 ? "  <-- off" : "");
        bad += fabs(pt[i].silhouette - rs) > 0.01;
        assert_true(pt[i].inertia <= ri * (1.0 + 1e-6)); /* equal or better */
    }
    print_message("  chosen k = %d (reference %d)\n", cip_kmeans_sweep_chosen_k(s), rc->chosen_k);
    assert_int_equal(bad, 0);
    assert_int_equal(cip_kmeans_sweep_chosen_k(s), rc->chosen_k);
    cip_kmeans_sweep_free(s);
}

static void test_kmeans_reference_segmentation(void **state)
{
    (void)state;
    char csv[512], js[512];
    if (cipt_shared_path(csv, sizeof csv, "data/df_eng_customer_purchasing_features.csv") == NULL ||
        cipt_shared_path(js, sizeof js, "reference/original-results.json") == NULL) {
        print_message("SKIP: ../shared reference data not found\n");
        skip();
    }
    cip_ctx *ctx = new_ctx(2);
    cip_frame *f = NULL;
    cip_status rc = cip_frame_read_csv(ctx, csv, NULL, &f);
    if (rc != CIP_OK)
        fail_msg("cannot read %s: %s", csv, cip_ctx_errmsg(ctx));
    FILE *jf = fopen(js, "rb");
    assert_non_null(jf);
    static char json[1 << 17];
    size_t jn = fread(json, 1, sizeof json - 1, jf);
    json[jn] = '\0';
    fclose(jf);
    const struct ref_case cases[2] = {
        {"\"segmentation_original\"",
         {"customer_value_score", "age", "spend_to_income_ratio", "growth_potential_score"},
         8},
        {"\"segmentation_clean_features_extra\"",
         {"age", "annual_income", "spend_to_income_ratio", "purchase_frequency"},
         5},
    };
    for (int c = 0; c < 2; c++)
        run_reference(ctx, f, json, &cases[c]);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kmeans_save_load_predict_identical),
        cmocka_unit_test(test_kmeans_load_rejects_bad_files),
        cmocka_unit_test(test_kmeans_oom_sweep),
        cmocka_unit_test(test_kmeans_reference_segmentation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
