/* test_forest_shap.c - TreeSHAP and per-tree intervals: hand cases, efficiency, brute force
 *
 * The brute-force check reads the trees back from the documented model file
 * (docs/FORMATS.md, version 2) with its own small parser, evaluates the
 * path-dependent game v(S) directly and sums Shapley weights over all
 * subsets: independent of the library's TreeSHAP recursion.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "forest_fixtures.h"

/* --- a reader of the model file's trees ------------------------------------------------------ */
struct ttree {
    uint32_t nn, nd;
    double *val;
    int32_t *child;
    uint16_t *feat;
    uint8_t *flags;
    float *cover, *dists;
};

static uint64_t le(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* Trees of f (n_trees of them, caller frees with free_trees). */
static struct ttree *read_trees(cip_ctx *ctx, const cip_forest *f)
{
    char *buf;
    size_t len, nt = cip_forest_n_trees(f), p = cip_forest_n_features(f), k;
    cip_forest_classes(f, &k);
    assert_int_equal(cip_forest_save_mem(ctx, f, &buf, &len), CIP_OK);
    assert_memory_equal(buf, "CIPFOREST 2\n", 12);
    const char *bl = strstr(buf, "\nbinary ");
    assert_non_null(bl);
    const unsigned char *d = (const unsigned char *)strchr(bl + 1, '\n') + 1 + p * 8;
    struct ttree *t = calloc(nt, sizeof *t);
    for (size_t i = 0; i < nt; i++) {
        uint32_t nn = (uint32_t)le(d, 4), nd = (uint32_t)le(d + 4, 4);
        d += 8;
        t[i].nn = nn;
        t[i].nd = nd;
        t[i].val = malloc(nn * sizeof(double));
        t[i].child = malloc(nn * sizeof(int32_t));
        t[i].feat = malloc(nn * sizeof(uint16_t));
        t[i].flags = malloc(nn);
        t[i].cover = malloc(nn * sizeof(float));
        t[i].dists = malloc((nd * k + 1) * sizeof(float));
        for (uint32_t j = 0; j < nn; j++, d += 8) {
            uint64_t u = le(d, 8);
            memcpy(&t[i].val[j], &u, 8);
        }
        for (uint32_t j = 0; j < nn; j++, d += 4)
            t[i].child[j] = (int32_t)(uint32_t)le(d, 4);
        for (uint32_t j = 0; j < nn; j++, d += 2)
            t[i].feat[j] = (uint16_t)le(d, 2);
        for (uint32_t j = 0; j < nn; j++, d++)
            t[i].flags[j] = *d;
        for (uint32_t j = 0; j < nn; j++, d += 4) {
            uint32_t u = (uint32_t)le(d, 4);
            memcpy(&t[i].cover[j], &u, 4);
        }
        for (uint32_t j = 0; j < nd * k; j++, d += 4) {
            uint32_t u = (uint32_t)le(d, 4);
            memcpy(&t[i].dists[j], &u, 4);
        }
    }
    cip_forest_buf_free(ctx, buf);
    return t;
}

static void free_trees(struct ttree *t, size_t nt)
{
    for (size_t i = 0; i < nt; i++) {
        free(t[i].val);
        free(t[i].child);
        free(t[i].feat);
        free(t[i].flags);
        free(t[i].cover);
        free(t[i].dists);
    }
    free(t);
}

static double tleaf(const struct ttree *t, int32_t id, size_t k, size_t cls)
{
    if (k == 0)
        return t->val[id];
    size_t ref = (size_t)~t->child[id];
    return ref < k ? (ref == cls ? 1.0 : 0.0) : (double)t->dists[(ref - k) * k + cls];
}

/* Inputs compare as float32 (thresholds in the file are doubles of floats), as in sklearn. */
static int goes_right(const struct ttree *t, int32_t id, double v)
{
    return v != v ? !(t->flags[id] & 1) : !((double)(float)v <= t->val[id]);
}

/* The game: v(S) with features in mask S following x, the others the covers. */
static double game(const struct ttree *t, int32_t id, const double *x, unsigned mask, size_t k,
                   size_t cls)
{
    if (t->child[id] < 0)
        return tleaf(t, id, k, cls);
    int32_t l = t->child[id];
    if (mask >> t->feat[id] & 1)
        return game(t, l + goes_right(t, id, x[t->feat[id]]), x, mask, k, cls);
    double c = (double)t->cover[id];
    return (double)t->cover[l] / c * game(t, l, x, mask, k, cls) +
           (double)t->cover[l + 1] / c * game(t, l + 1, x, mask, k, cls);
}

/* Exact Shapley values of the forest's mean game by enumeration (p <= 8). */
static void brute_shap(const struct ttree *t, size_t nt, const double *x, size_t p, size_t k,
                       size_t cls, double *phi)
{
    double fact[9] = {1, 1, 2, 6, 24, 120, 720, 5040, 40320};
    for (size_t j = 0; j < p; j++) {
        phi[j] = 0.0;
        for (unsigned s = 0; s < (1u << p); s++) {
            if (s >> j & 1)
                continue;
            int sz = __builtin_popcount(s);
            double w = fact[sz] * fact[p - (size_t)sz - 1] / fact[p], d = 0.0;
            for (size_t i = 0; i < nt; i++)
                d += game(&t[i], 0, x, s | 1u << j, k, cls) - game(&t[i], 0, x, s, k, cls);
            phi[j] += w * d / (double)nt;
        }
    }
    double bias = 0.0;
    for (size_t i = 0; i < nt; i++)
        bias += game(&t[i], 0, x, 0, k, cls);
    phi[p] = bias / (double)nt;
}

static double tree_predict(const struct ttree *t, const double *x)
{
    int32_t id = 0;
    while (t->child[id] >= 0)
        id = t->child[id] + goes_right(t, id, x[t->feat[id]]);
    return t->val[id];
}

static void assert_close(double a, double b, double rel)
{
    double tol = rel * (fabs(b) > 1.0 ? fabs(b) : 1.0);
    if (!(fabs(a - b) <= tol))
        fail_msg("%.17g != %.17g (tolerance %g)", a, b, tol);
}

/* --- hand-computable cases ---------------------------------------------------------------------
 */
static void test_forest_shap_stump_is_leaf_minus_cover_mean(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx(1);
    enum { N = 10 };
    /* x0 = 0..9, x1 constant; y = 1 for x0 < 4 (4 rows), 3 otherwise (6 rows) */
    double cols[2 * N], y[N];
    for (int i = 0; i < N; i++) {
        cols[i] = i;
        cols[N + i] = 7.0;
        y[i] = i < 4 ? 1.0 : 3.0;
    }
    cip_frame *x = frame_of(ctx, cols, N, 2);
    cip_forest_params p = one_tree(CIP_FOREST_REGRESSION);
    p.max_depth = 1;
    cip_forest *f;
    assert_int_equal(cip_forest_fit(ctx, x, y, NULL, &p, &f), CIP_OK);
    double mean = (4 * 1.0 + 6 * 3.0) / 10.0, out[3];
    double r_hi[2] = {8.0, 7.0}, r_lo[2] = {1.0, -3.0}, r_nan[2] = {NAN, 7.0};
    assert_int_equal(cip_forest_shap_row(ctx, f, r_hi, 0, out), CIP_OK);
    assert_close(out[0], 3.0 - mean, 1e-12);
    assert_true(out[1] == 0.0);
    assert_close(out[2], mean, 1e-12);
    assert_int_equal(cip_forest_shap_row(ctx, f, r_lo, 0, out), CIP_OK);
    assert_close(out[0], 1.0 - mean, 1e-12);
    assert_true(out[1] == 0.0);
    /* no missing value at fit: NaN follows the side the tree learned for it */
    assert_int_equal(cip_forest_shap_row(ctx, f, r_nan, 0, out), CIP_OK);
    assert_close(out[0] + out[2], predict1(f, r_nan), 1e-12);
    cip_forest_free(f);
    cip_frame_free(x);
    cip_ctx_free(ctx);
}

static void test_forest_shap_symmetric_features_share_equally(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx(1);
    enum { N = 40 };
    /* every (x0, x1) in {0,1}^2 ten times, y = x0 + x1: additive, independent */
    double cols[2 * N], y[N];
    for (int i = 0; i < N; i++) {
        cols[i] = i & 1;
        cols[N + i] = (i >> 1) & 1;
        y[i] = cols[i] + cols[N + i];
    }
    cip_frame *x = frame_of(ctx, cols, N, 2);
    cip_forest_params p = one_tree(CIP_FOREST_REGRESSION);
    cip_forest *f;
    assert_int_equal(cip_forest_fit(ctx, x, y, NULL, &p, &f), CIP_OK);
    double r11[2] = {1, 1}, r10[2] = {1, 0}, out[3];
    assert_int_equal(cip_forest_shap_row(ctx, f, r11, 0, out), CIP_OK);
    assert_close(out[0], 0.5, 1e-12);
    assert_close(out[1], 0.5, 1e-12);
    assert_close(out[2], 1.0, 1e-12);
    assert_int_equal(cip_forest_shap_row(ctx, f, r10, 0, out), CIP_OK);
    assert_close(out[0], 0.5, 1e-12);
    assert_close(out[1], -0.5, 1e-12);
    cip_forest_free(f);
    cip_frame_free(x);
    cip_ctx_free(ctx);
}

/* --- efficiency and brute force on real forests -------------------------------------------------
 */
static cip_forest *fit_random(cip_ctx *ctx, int task, size_t n, size_t p, int trees, int depth,
                              double **xo)
{
    double *x = malloc(n * p * sizeof *x), *y = malloc(n * sizeof *y);
    make_data(n, p, 5, x, task ? NULL : y, task ? y : NULL);
    for (size_t i = 0; task == 2 && i < n; i++)
        y[i] += x[n + i] > 6.0; /* 3 classes */
    for (size_t i = 0; i < n; i += 7)
        x[n + i] = NAN;            /* missing values in x1 */
    for (size_t i = 0; i < n; i++) /* x(p-1) constant: never split on */
        x[(p - 1) * n + i] = 1.5;
    cip_frame *fr = frame_of(ctx, x, n, p);
    cip_forest_params q =
        params(task ? CIP_FOREST_CLASSIFICATION : CIP_FOREST_REGRESSION, trees, 11);
    q.max_depth = depth;
    if (!task)
        q.max_features = CIP_FOREST_MAXF_SQRT;
    cip_forest *f;
    assert_int_equal(cip_forest_fit(ctx, fr, y, NULL, &q, &f), CIP_OK);
    cip_frame_free(fr);
    free(y);
    *xo = x;
    return f;
}

static void row_of(const double *x, size_t n, size_t p, size_t i, double *r)
{
    for (size_t j = 0; j < p; j++)
        r[j] = x[j * n + i];
}

static void test_forest_shap_sums_to_prediction(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx(2);
    enum { N = 400, P = 5 };
    for (int task = 0; task < 3; task++) {
        double *x, r[P], out[P + 1], pred[3];
        cip_forest *f = fit_random(ctx, task, N, P, 12, 0, &x);
        size_t k = task == 0 ? 1 : (size_t)task + 1;
        for (size_t i = 0; i < N; i += 13) {
            row_of(x, N, P, i, r);
            if (i % 3 == 0)
                r[2] = NAN;
            if (task == 0)
                assert_int_equal(cip_forest_predict_row(f, r, pred), CIP_OK);
            else
                assert_int_equal(cip_forest_predict_proba_row(f, r, pred), CIP_OK);
            for (size_t c = 0; c < k; c++) {
                assert_int_equal(cip_forest_shap_row(ctx, f, r, c, out), CIP_OK);
                double s = 0.0;
                for (size_t j = 0; j <= P; j++)
                    s += out[j];
                assert_close(s, pred[c], 1e-9);
                assert_true(out[P - 1] == 0.0); /* the constant feature */
            }
        }
        double o[P + 1];
        assert_int_equal(cip_forest_shap_row(ctx, f, r, task == 0 ? 1 : k, o),
                         task == 0 ? CIP_OK : CIP_ERR_INVALID);
        cip_forest_free(f);
        free(x);
    }
    cip_ctx_free(ctx);
}

static void test_forest_shap_equals_brute_force_shapley(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx(1);
    enum { N = 300, P = 5 };
    for (int task = 0; task < 3; task++) {
        double *x, r[P], out[P + 1], ref[P + 1];
        cip_forest *f = fit_random(ctx, task, N, P, 3, 6, &x);
        size_t k = task == 0 ? 0 : (size_t)task + 1;
        struct ttree *t = read_trees(ctx, f);
        for (size_t i = 0; i < N; i += 37) {
            row_of(x, N, P, i, r);
            if (i % 2 == 0)
                r[1] = NAN;
            size_t cls = k ? i % k : 0;
            assert_int_equal(cip_forest_shap_row(ctx, f, r, cls, out), CIP_OK);
            brute_shap(t, 3, r, P, k, cls, ref);
            for (size_t j = 0; j <= P; j++)
                assert_close(out[j], ref[j], 1e-9);
        }
        free_trees(t, 3);
        cip_forest_free(f);
        free(x);
    }
    cip_ctx_free(ctx);
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_forest_interval_is_per_tree_quantiles(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx(1);
    enum { N = 300, P = 4, T = 11 };
    double *x, r[P], lo, hi, pred, v[T];
    cip_forest *f = fit_random(ctx, 0, N, P, T, 0, &x);
    struct ttree *t = read_trees(ctx, f);
    for (size_t i = 0; i < N; i += 29) {
        row_of(x, N, P, i, r);
        for (size_t k = 0; k < T; k++)
            v[k] = tree_predict(&t[k], r);
        qsort(v, T, sizeof *v, cmp_dbl);
        /* q = 0.1 over 11 values: position 1.0 -> v[1]; q = 0.25: 2.5 -> midpoint */
        assert_int_equal(cip_forest_interval_row(ctx, f, r, 0.1, &lo, &hi), CIP_OK);
        assert_close(lo, v[1], 1e-15);
        assert_close(hi, v[9], 1e-15);
        assert_int_equal(cip_forest_interval_row(ctx, f, r, 0.25, &lo, &hi), CIP_OK);
        assert_close(lo, 0.5 * (v[2] + v[3]), 1e-12);
        assert_close(hi, 0.5 * (v[7] + v[8]), 1e-12);
        assert_int_equal(cip_forest_interval_row(ctx, f, r, 0.0, &lo, &hi), CIP_OK);
        pred = predict1(f, r); /* the mean of the trees lies between their extremes */
        assert_true(lo == v[0] && hi == v[T - 1] && lo <= pred && pred <= hi);
    }
    assert_int_equal(cip_forest_interval_row(ctx, f, r, 0.6, &lo, &hi), CIP_ERR_INVALID);
    free_trees(t, T);
    cip_forest_free(f);
    free(x);
    f = fit_random(ctx, 1, N, P, 2, 3, &x);
    assert_int_equal(cip_forest_interval_row(ctx, f, r, 0.1, &lo, &hi), CIP_ERR_INVALID);
    cip_forest_free(f);
    free(x);
    cip_ctx_free(ctx);
}

/* --- out of memory ---------------------------------------------------------------------------- */
static cip_status oom_body(cip_ctx *ctx, void *arg)
{
    (void)arg;
    enum { N = 40, P = 2 };
    double x[N * P], y[N], row[P] = {3.0, NAN}, phi[P + 1], lo, hi;
    make_data(N, P, 43, x, y, NULL);
    x[N + 3] = NAN;
    cip_frame *fr = NULL;
    cip_forest *f = NULL, *g = NULL;
    char *buf = NULL;
    size_t len;
    cip_forest_params p = params(CIP_FOREST_REGRESSION, 2, 1);
    cip_status rc = cip_frame_new(ctx, N, &fr);
    if (rc == CIP_OK)
        rc = cip_frame_add_f64(ctx, fr, "a", x, NULL);
    if (rc == CIP_OK)
        rc = cip_frame_add_f64(ctx, fr, "b", x + N, NULL);
    if (rc == CIP_OK)
        rc = cip_forest_fit(ctx, fr, y, NULL, &p, &f);
    if (rc == CIP_OK)
        rc = cip_forest_shap_row(ctx, f, row, 0, phi);
    if (rc == CIP_OK)
        rc = cip_forest_interval_row(ctx, f, row, 0.1, &lo, &hi);
    if (rc == CIP_OK)
        rc = cip_forest_save_mem(ctx, f, &buf, &len);
    if (rc == CIP_OK)
        rc = cip_forest_load_mem(ctx, "m", buf, len, &g);
    if (rc == CIP_OK)
        rc = cip_forest_shap_row(ctx, g, row, 0, phi);
    cip_forest_buf_free(ctx, buf);
    cip_forest_free(f);
    cip_forest_free(g);
    cip_frame_free(fr);
    return rc;
}

static void test_forest_shap_oom_sweep(void **state)
{
    (void)state;
    assert_true(cipt_oom_sweep(oom_body, NULL) > 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forest_shap_stump_is_leaf_minus_cover_mean),
        cmocka_unit_test(test_forest_shap_symmetric_features_share_equally),
        cmocka_unit_test(test_forest_shap_sums_to_prediction),
        cmocka_unit_test(test_forest_shap_equals_brute_force_shapley),
        cmocka_unit_test(test_forest_interval_is_per_tree_quantiles),
        cmocka_unit_test(test_forest_shap_oom_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
