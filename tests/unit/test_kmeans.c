/* test_kmeans.c - k-means, cluster scores and choosing k against scikit-learn
 *
 * Reference values: tests/data/kmeans/expected.txt, written by
 * tools/ref_kmeans.py (scikit-learn 1.2). Tolerances: cluster scores 1e-9
 * absolute; runs from the same starting centres 1e-9 relative; k-means++
 * runs use our RNG, so they must reach an inertia no worse than sklearn's.
 * Persistence, out of memory and the reference segmentation: test_kmeans_io.c.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cip/kmeans.h"
#include "testutil.h"
#include "kmeans_fixture.h"

static const double *toy_cols[3] = {toy[0], toy[1], toy[2]};
static const cip_colmat toy_x = {toy_cols, TOY_N, 3};

static double expected(const char *key)
{
    char path[512], k[128], line[256];
    double v = NAN;
    FILE *f = fopen(cipt_data_path(path, sizeof path, "kmeans/expected.txt"), "r");
    assert_non_null(f);
    while (fgets(line, sizeof line, f) != NULL) {
        if (sscanf(line, "%127s %lf", k, &v) == 2 && strcmp(k, key) == 0) {
            fclose(f);
            return v;
        }
    }
    fclose(f);
    fail_msg("no expected value '%s'", key);
    return NAN;
}

static void assert_close(double got, double want, double abs_tol, double rel_tol, const char *what)
{
    double tol = abs_tol + rel_tol * fabs(want);
    if (!(fabs(got - want) <= tol))
        fail_msg("%s: got %.17g, want %.17g (tolerance %g)", what, got, want, tol);
}

/* Blobs of n rows x d features around k centres (our RNG, fixed seed). */
struct blobs {
    double *buf;
    const double **cols;
    cip_colmat x;
};

static void make_blobs(struct blobs *b, size_t n, size_t d, int k, uint64_t seed)
{
    cip_rng rng;
    cip_rng_init(&rng, seed, 0);
    b->buf = malloc(n * d * sizeof(double));
    b->cols = malloc(d * sizeof(double *));
    double *centres = malloc((size_t)k * d * sizeof(double));
    assert_true(b->buf && b->cols && centres);
    for (size_t q = 0; q < (size_t)k * d; q++)
        centres[q] = 6.0 * cip_rng_uniform(&rng);
    for (size_t j = 0; j < d; j++)
        b->cols[j] = b->buf + j * n;
    for (size_t i = 0; i < n; i++) {
        size_t g = cip_rng_below(&rng, (uint64_t)k);
        for (size_t j = 0; j < d; j++)
            b->buf[j * n + i] = centres[g * d + j] + cip_rng_normal(&rng);
    }
    free(centres);
    b->x = (cip_colmat){b->cols, n, d};
}

static void free_blobs(struct blobs *b)
{
    free(b->buf);
    free(b->cols);
}

/* --- parameters and input checks ------------------------------------------------ */

static void test_kmeans_params_default_match_sklearn(void **state)
{
    (void)state;
    cip_kmeans_params p;
    cip_kmeans_params_default(&p);
    assert_int_equal(p.n_clusters, 8);
    assert_int_equal(p.n_init, 10);
    assert_int_equal(p.max_iter, 300);
    assert_true(p.tol == 1e-4);
    assert_int_equal(p.algorithm, CIP_KMEANS_LLOYD);
    cip_ctx *ctx = new_ctx(1);
    assert_int_equal(cip_kmeans_params_check(ctx, &p), CIP_OK);
    p.n_init = 0;
    assert_int_equal(cip_kmeans_params_check(ctx, &p), CIP_ERR_INVALID);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "n_init"));
    p.n_init = 1;
    p.tol = -1.0;
    assert_int_equal(cip_kmeans_params_check(ctx, &p), CIP_ERR_INVALID);
    cip_ctx_free(ctx);
}

static void test_kmeans_fit_rejects_bad_input(void **state)
{
    (void)state;
    load_toy();
    cip_ctx *ctx = new_ctx(1);
    cip_kmeans_params p;
    cip_kmeans_params_default(&p);
    cip_kmeans *km = (cip_kmeans *)&p;
    p.n_clusters = TOY_N + 1;
    assert_int_equal(cip_kmeans_fit(ctx, &p, &toy_x, NULL, &km), CIP_ERR_INVALID);
    assert_null(km);
    p.n_clusters = 3;
    double col[4] = {1.0, NAN, 2.0, 3.0};
    const double *cols[1] = {col};
    cip_colmat bad = {cols, 4, 1};
    assert_int_equal(cip_kmeans_fit(ctx, &p, &bad, NULL, &km), CIP_ERR_INVALID);
    double w[TOY_N] = {0};
    assert_int_equal(cip_kmeans_fit(ctx, &p, &toy_x, w, &km), CIP_ERR_INVALID);
    w[0] = -1.0;
    assert_int_equal(cip_kmeans_fit(ctx, &p, &toy_x, w, &km), CIP_ERR_INVALID);
    assert_null(km);
    cip_ctx_free(ctx);
}

/* --- agreement with scikit-learn ------------------------------------------------- */

static void test_kmeans_quality_scores_match_sklearn(void **state)
{
    (void)state;
    load_toy();
    cip_ctx *ctx = new_ctx(2);
    const struct {
        const char *name;
        const int32_t *labels;
    } sets[2] = {{"truth", toy_truth}, {"alt", toy_alt}};
    char key[64];
    for (int s = 0; s < 2; s++) {
        cip_silhouette_info si;
        double ch, db;
        assert_int_equal(cip_cluster_silhouette(ctx, &toy_x, sets[s].labels, 0, 1, &si), CIP_OK);
        assert_int_equal(cip_cluster_calinski_harabasz(ctx, &toy_x, sets[s].labels, &ch), CIP_OK);
        assert_int_equal(cip_cluster_davies_bouldin(ctx, &toy_x, sets[s].labels, &db), CIP_OK);
        assert_int_equal(si.n_used, TOY_N);
        assert_int_equal(si.sampled, 0);
        snprintf(key, sizeof key, "silhouette_%s", sets[s].name);
        assert_close(si.score, expected(key), 1e-9, 0, key);
        snprintf(key, sizeof key, "calinski_%s", sets[s].name);
        assert_close(ch, expected(key), 1e-9, 1e-12, key);
        snprintf(key, sizeof key, "davies_%s", sets[s].name);
        assert_close(db, expected(key), 1e-9, 0, key);
    }
    /* one label only: undefined, as in sklearn */
    int32_t one[TOY_N] = {0};
    cip_silhouette_info si;
    assert_int_equal(cip_cluster_silhouette(ctx, &toy_x, one, 0, 1, &si), CIP_ERR_INVALID);
    one[0] = -1;
    double ch;
    assert_int_equal(cip_cluster_calinski_harabasz(ctx, &toy_x, one, &ch), CIP_ERR_INVALID);
    one[0] = 1000000; /* out of range: rejected before sizing anything by it */
    assert_int_equal(cip_cluster_davies_bouldin(ctx, &toy_x, one, &ch), CIP_ERR_INVALID);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "out of range"));
    cip_ctx_free(ctx);
}

static void test_kmeans_silhouette_sampled_states_size(void **state)
{
    (void)state;
    struct blobs b;
    make_blobs(&b, 3000, 3, 4, 11);
    cip_ctx *ctx = new_ctx(2);
    cip_kmeans_params p;
    cip_kmeans_params_default(&p);
    p.n_clusters = 4;
    p.n_init = 2;
    cip_kmeans *km = NULL;
    assert_int_equal(cip_kmeans_fit(ctx, &p, &b.x, NULL, &km), CIP_OK);
    cip_silhouette_info exact, s1, s2, all;
    assert_int_equal(cip_cluster_silhouette(ctx, &b.x, cip_kmeans_labels(km), 0, 5, &exact),
                     CIP_OK);
    assert_int_equal(cip_cluster_silhouette(ctx, &b.x, cip_kmeans_labels(km), 500, 5, &s1), CIP_OK);
    assert_int_equal(cip_cluster_silhouette(ctx, &b.x, cip_kmeans_labels(km), 500, 5, &s2), CIP_OK);
    assert_int_equal(cip_cluster_silhouette(ctx, &b.x, cip_kmeans_labels(km), 3000, 5, &all),
                     CIP_OK);
    assert_int_equal(s1.n_used, 500);
    assert_int_equal(s1.sampled, 1);
    assert_int_equal(all.sampled, 0);
    assert_true(all.score == exact.score);
    assert_true(s1.score == s2.score);                /* same seed, same sample */
    assert_true(fabs(s1.score - exact.score) < 0.05); /* an estimate of the same number */
    cip_kmeans_free(km);
    cip_ctx_free(ctx);
    free_blobs(&b);
}

/* From sklearn's own starting centres the runs must coincide. */
static void test_kmeans_given_init_matches_sklearn_run(void **state)
{
    (void)state;
    load_toy();
    cip_ctx *ctx = new_ctx(2);
    const char *algos[2] = {"lloyd", "elkan"};
    for (int a = 0; a < 2; a++) {
        double init[12];
        for (int c = 0; c < 4; c++)
            for (int j = 0; j < 3; j++)
                init[c * 3 + j] = toy[j][c];
        cip_kmeans_params p;
        cip_kmeans_params_default(&p);
        p.n_clusters = 4;
        p.n_init = 1;
        p.init = init;
        p.algorithm = a == 0 ? CIP_KMEANS_LLOYD : CIP_KMEANS_ELKAN;
        cip_kmeans *km = NULL;
        assert_int_equal(cip_kmeans_fit(ctx, &p, &toy_x, NULL, &km), CIP_OK);
        char key[64];
        snprintf(key, sizeof key, "init_%s_inertia", algos[a]);
        assert_close(cip_kmeans_inertia(km), expected(key), 0, 1e-9, key);
        snprintf(key, sizeof key, "init_%s_n_iter", algos[a]);
        assert_int_equal(cip_kmeans_n_iter(km), (int)expected(key));
        for (int c = 0; c < 4; c++)
            for (int j = 0; j < 3; j++) {
                snprintf(key, sizeof key, "init_%s_center_%d_%d", algos[a], c, j);
                assert_close(cip_kmeans_centers(km)[c * 3 + j], expected(key), 1e-12, 1e-9, key);
            }
        cip_kmeans_free(km);
    }
    cip_ctx_free(ctx);
}

static void test_kmeans_empty_cluster_moves_to_farthest_row(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx(1);
    double v[6] = {0.0, 1.0, 2.0, 10.0, 11.0, 12.0}, init[3] = {0.5, 100.0, 11.0};
    const double *cols[1] = {v};
    cip_colmat x = {cols, 6, 1};
    for (int a = 0; a < 2; a++) {
        cip_kmeans_params p;
        cip_kmeans_params_default(&p);
        p.n_clusters = 3;
        p.n_init = 1;
        p.init = init;
        p.algorithm = a == 0 ? CIP_KMEANS_LLOYD : CIP_KMEANS_ELKAN;
        cip_kmeans *km = NULL;
        assert_int_equal(cip_kmeans_fit(ctx, &p, &x, NULL, &km), CIP_OK);
        char key[64];
        for (int c = 0; c < 3; c++) {
            snprintf(key, sizeof key, "empty_center_%d", c);
            assert_close(cip_kmeans_centers(km)[c], expected(key), 1e-12, 0, key);
        }
        assert_close(cip_kmeans_inertia(km), expected("empty_inertia"), 1e-12, 0, "inertia");
        cip_kmeans_free(km);
    }
    cip_ctx_free(ctx);
}

/* k-means++ with our RNG: at least as good as sklearn's fits. */
static void test_kmeans_toy_fits_reach_sklearn_inertia(void **state)
{
    (void)state;
    load_toy();
    cip_ctx *ctx = new_ctx(2);
    for (int a = 0; a < 2; a++) {
        cip_kmeans_params p;
        cip_kmeans_params_default(&p);
        p.n_clusters = 4;
        p.seed = 0;
        p.algorithm = a == 0 ? CIP_KMEANS_LLOYD : CIP_KMEANS_ELKAN;
        cip_kmeans *km = NULL;
        assert_int_equal(cip_kmeans_fit(ctx, &p, &toy_x, NULL, &km), CIP_OK);
        double want = expected(a == 0 ? "inertia_k4_lloyd" : "inertia_k4_elkan");
        assert_true(cip_kmeans_inertia(km) <= want * (1.0 + 1e-9));
        /* the labels partition the toy data like its generating groups */
        const int32_t *lab = cip_kmeans_labels(km);
        int32_t map[4] = {-1, -1, -1, -1};
        for (int i = 0; i < TOY_N; i++) {
            if (map[toy_truth[i]] < 0)
                map[toy_truth[i]] = lab[i];
            assert_int_equal(map[toy_truth[i]], lab[i]);
        }
        const uint64_t *sz = cip_kmeans_cluster_sizes(km);
        assert_int_equal(sz[0] + sz[1] + sz[2] + sz[3], TOY_N);
        cip_kmeans_free(km);
    }
    cip_ctx_free(ctx);
}

static void test_kmeans_sweep_toy_matches_sklearn_curve(void **state)
{
    (void)state;
    load_toy();
    cip_ctx *ctx = new_ctx(2);
    cip_kmeans_sweep_params sp;
    cip_kmeans_sweep_params_default(&sp);
    sp.k_min = 2;
    sp.k_max = 6;
    sp.km.seed = 0;
    cip_kmeans_sweep *s = NULL;
    assert_int_equal(cip_kmeans_sweep_run(ctx, &sp, &toy_x, NULL, &s), CIP_OK);
    assert_int_equal(cip_kmeans_sweep_n_points(s), 5);
    assert_int_equal(cip_kmeans_sweep_chosen_k(s), 4);
    const cip_kmeans_sweep_point *pt = cip_kmeans_sweep_points(s);
    for (int i = 0; i < 5; i++) {
        char key[64];
        snprintf(key, sizeof key, "kmeans_inertia_k%d", pt[i].k);
        double want_in = expected(key);
        assert_true(pt[i].inertia <= want_in * (1.0 + 1e-9));
        snprintf(key, sizeof key, "kmeans_silhouette_k%d", pt[i].k);
        if (fabs(pt[i].inertia - want_in) <= 1e-9 * want_in) /* same optimum: same labels */
            assert_close(pt[i].silhouette, expected(key), 1e-9, 0, key);
        assert_int_equal(pt[i].silhouette_n, TOY_N);
    }
    assert_int_equal(cip_kmeans_n_clusters(cip_kmeans_sweep_best(s)), 4);
    cip_kmeans *best = cip_kmeans_sweep_take_best(s);
    assert_null(cip_kmeans_sweep_best(s));
    cip_kmeans_sweep_free(s);
    cip_kmeans_free(best);
    cip_ctx_free(ctx);
}

/* --- properties ------------------------------------------------------------------- */

struct trace {
    double inertia[4][400];
    int n[4];
};

static void record(void *ud, const cip_kmeans_iter_info *info)
{
    struct trace *t = ud;
    if (info->restart < 4 && info->iter < 400) {
        t->inertia[info->restart][info->iter] = info->inertia;
        t->n[info->restart] = info->iter + 1;
    }
}

static void test_kmeans_inertia_never_increases(void **state)
{
    (void)state;
    struct blobs b;
    make_blobs(&b, 3000, 4, 9, 3);
    cip_ctx *ctx = new_ctx(2);
    for (int a = 0; a < 2; a++) {
        static struct trace t;
        memset(&t, 0, sizeof t);
        cip_kmeans_params p;
        cip_kmeans_params_default(&p);
        p.n_clusters = 7;
        p.n_init = 4;
        p.tol = 0.0;
        p.max_iter = 60;
        p.algorithm = a == 0 ? CIP_KMEANS_LLOYD : CIP_KMEANS_ELKAN;
        p.on_iter = record;
        p.on_iter_ud = &t;
        cip_kmeans *km = NULL;
        assert_int_equal(cip_kmeans_fit(ctx, &p, &b.x, NULL, &km), CIP_OK);
        int total = 0;
        for (int r = 0; r < 4; r++) {
            assert_true(t.n[r] >= 2);
            total += t.n[r];
            for (int it = 1; it < t.n[r]; it++)
                if (t.inertia[r][it] > t.inertia[r][it - 1] * (1.0 + 1e-12))
                    fail_msg("restart %d iteration %d: inertia rose from %.17g to %.17g", r, it,
                             t.inertia[r][it - 1], t.inertia[r][it]);
            /* the final inertia is no worse than the last assignment's */
        }
        assert_true(total > 8);
        cip_kmeans_free(km);
    }
    cip_ctx_free(ctx);
    free_blobs(&b);
}

static char *fit_bytes(int threads, cip_kmeans_algo algo, const struct blobs *b, int32_t *labels,
                       size_t *len)
{
    cip_ctx *ctx = new_ctx(threads);
    cip_kmeans_params p;
    cip_kmeans_params_default(&p);
    p.n_clusters = 7;
    p.n_init = 2;
    p.algorithm = algo;
    p.standardize = 1;
    cip_kmeans *km = NULL;
    assert_int_equal(cip_kmeans_fit(ctx, &p, &b->x, NULL, &km), CIP_OK);
    memcpy(labels, cip_kmeans_labels(km), b->x.n_rows * sizeof(int32_t));
    char *buf = NULL, *copy;
    assert_int_equal(cip_kmeans_save_mem(ctx, km, &buf, len), CIP_OK);
    copy = malloc(*len);
    memcpy(copy, buf, *len);
    cip_kmeans_buf_free(ctx, buf);
    cip_kmeans_free(km);
    cip_ctx_free(ctx);
    return copy;
}

static void test_kmeans_threads_give_identical_bytes(void **state)
{
    (void)state;
    struct blobs b;
    make_blobs(&b, 13000, 5, 6, 17); /* 4 summation blocks */
    int32_t *l1 = malloc(13000 * sizeof(int32_t)), *l2 = malloc(13000 * sizeof(int32_t));
    for (int a = 0; a < 2; a++) {
        size_t n1, n2;
        char *m1 = fit_bytes(1, (cip_kmeans_algo)a, &b, l1, &n1);
        for (int threads = 2; threads <= 3; threads++) {
            char *m2 = fit_bytes(threads, (cip_kmeans_algo)a, &b, l2, &n2);
            assert_int_equal(n1, n2);
            assert_memory_equal(m1, m2, n1);
            assert_memory_equal(l1, l2, 13000 * sizeof(int32_t));
            free(m2);
        }
        free(m1);
    }
    /* the exact silhouette is thread-independent too */
    cip_ctx *c1 = new_ctx(1), *c2 = new_ctx(2);
    cip_colmat sub = b.x;
    sub.n_rows = 1500;
    cip_silhouette_info s1, s2;
    assert_int_equal(cip_cluster_silhouette(c1, &sub, l1, 0, 1, &s1), CIP_OK);
    assert_int_equal(cip_cluster_silhouette(c2, &sub, l1, 0, 1, &s2), CIP_OK);
    assert_memory_equal(&s1.score, &s2.score, sizeof(double));
    cip_ctx_free(c1);
    cip_ctx_free(c2);
    free(l1);
    free(l2);
    free_blobs(&b);
}

static void test_kmeans_elkan_equals_lloyd(void **state)
{
    (void)state;
    struct blobs b;
    make_blobs(&b, 5000, 3, 5, 23);
    cip_ctx *ctx = new_ctx(2);
    cip_kmeans *km[2] = {NULL, NULL};
    for (int a = 0; a < 2; a++) {
        cip_kmeans_params p;
        cip_kmeans_params_default(&p);
        p.n_clusters = 5;
        p.n_init = 2;
        p.tol = 0.0;
        p.algorithm = (cip_kmeans_algo)a;
        assert_int_equal(cip_kmeans_fit(ctx, &p, &b.x, NULL, &km[a]), CIP_OK);
    }
    assert_close(cip_kmeans_inertia(km[1]), cip_kmeans_inertia(km[0]), 0, 1e-12, "inertia");
    assert_memory_equal(cip_kmeans_labels(km[0]), cip_kmeans_labels(km[1]), 5000 * sizeof(int32_t));
    for (int q = 0; q < 15; q++)
        assert_close(cip_kmeans_centers(km[1])[q], cip_kmeans_centers(km[0])[q], 1e-12, 1e-12,
                     "centre");
    cip_kmeans_free(km[0]);
    cip_kmeans_free(km[1]);
    cip_ctx_free(ctx);
    free_blobs(&b);
}

/* Integer weights act like repeated rows (same starting centres). */
static void test_kmeans_weights_equal_repeated_rows(void **state)
{
    (void)state;
    load_toy();
    cip_ctx *ctx = new_ctx(1);
    double w[TOY_N], rep[3][3 * TOY_N];
    size_t m = 0;
    for (int i = 0; i < TOY_N; i++) {
        w[i] = (double)(1 + i % 3);
        for (int r = 0; r < 1 + i % 3; r++, m++)
            for (int j = 0; j < 3; j++)
                rep[j][m] = toy[j][i];
    }
    const double *rc[3] = {rep[0], rep[1], rep[2]};
    cip_colmat xr = {rc, m, 3};
    double init[9] = {toy[0][0],  toy[1][0],  toy[2][0],  toy[0][30], toy[1][30],
                      toy[2][30], toy[0][59], toy[1][59], toy[2][59]};
    cip_kmeans_params p;
    cip_kmeans_params_default(&p);
    p.n_clusters = 3;
    p.n_init = 1;
    p.init = init;
    cip_kmeans *kw = NULL, *kr = NULL;
    assert_int_equal(cip_kmeans_fit(ctx, &p, &toy_x, w, &kw), CIP_OK);
    assert_int_equal(cip_kmeans_fit(ctx, &p, &xr, NULL, &kr), CIP_OK);
    assert_close(cip_kmeans_inertia(kw), cip_kmeans_inertia(kr), 0, 1e-12, "inertia");
    for (int q = 0; q < 9; q++)
        assert_close(cip_kmeans_centers(kw)[q], cip_kmeans_centers(kr)[q], 1e-12, 1e-12, "centre");
    cip_kmeans_free(kw);
    cip_kmeans_free(kr);
    cip_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kmeans_params_default_match_sklearn),
        cmocka_unit_test(test_kmeans_fit_rejects_bad_input),
        cmocka_unit_test(test_kmeans_quality_scores_match_sklearn),
        cmocka_unit_test(test_kmeans_silhouette_sampled_states_size),
        cmocka_unit_test(test_kmeans_given_init_matches_sklearn_run),
        cmocka_unit_test(test_kmeans_empty_cluster_moves_to_farthest_row),
        cmocka_unit_test(test_kmeans_toy_fits_reach_sklearn_inertia),
        cmocka_unit_test(test_kmeans_sweep_toy_matches_sklearn_curve),
        cmocka_unit_test(test_kmeans_inertia_never_increases),
        cmocka_unit_test(test_kmeans_threads_give_identical_bytes),
        cmocka_unit_test(test_kmeans_elkan_equals_lloyd),
        cmocka_unit_test(test_kmeans_weights_equal_repeated_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
