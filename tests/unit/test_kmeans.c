/* test_kmeans.c - k-means, cluster scores and choosing k against scikit-learn
 *
 * Reference values: tests/data/kmeans/expected.txt, written by
 * tools/ref_kmeans.py (scikit-learn 1.2). Tolerances: cluster scores 1e-9
 * absolute; runs from the same starting centres 1e-9 relative; k-means++
 * runs use our RNG, so they must reach an inertia no worse than sklearn's.
 * The reference-data test needs ../shared and skips visibly without it.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "cip/kmeans.h"
#include "testutil.h"

static unsigned long crc32_for_test(const char *p, size_t n)
{
    return crc32(0L, (const Bytef *)p, (uInt)n);
}

#define TOY_N 60

static double toy[3][TOY_N];
static int32_t toy_truth[TOY_N], toy_alt[TOY_N];
static const double *toy_cols[3] = {toy[0], toy[1], toy[2]};
static const cip_colmat toy_x = {toy_cols, TOY_N, 3};

static void load_toy(void)
{
    char path[512], line[256];
    FILE *f = fopen(cipt_data_path(path, sizeof path, "kmeans/toy.csv"), "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f));
    for (int i = 0; i < TOY_N; i++) {
        assert_non_null(fgets(line, sizeof line, f));
        char *p = line;
        for (int j = 0; j < 3; j++) {
            toy[j][i] = strtod(p, &p);
            assert_true(*p == ',');
            p++;
        }
        toy_truth[i] = (int32_t)strtol(p, &p, 10);
        toy_alt[i] = (int32_t)strtol(p + 1, &p, 10);
    }
    fclose(f);
}

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

static cip_ctx *new_ctx(int threads)
{
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_ctx_set_threads(ctx, threads);
    return ctx;
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
        cmocka_unit_test(test_kmeans_save_load_predict_identical),
        cmocka_unit_test(test_kmeans_load_rejects_bad_files),
        cmocka_unit_test(test_kmeans_oom_sweep),
        cmocka_unit_test(test_kmeans_reference_segmentation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
