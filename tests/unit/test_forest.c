/* test_forest.c - random forests: hand-checkable splits, invariants, errors, importances, OOM
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cip/forest.h"
#include "testutil.h"

#include "forest_fixtures.h"

/* --- parameters ----------------------------------------------------------------------------- */
static void expect_bad(cip_ctx *ctx, const cip_forest_params *q, const char *word)
{
    assert_int_equal(cip_forest_params_check(ctx, q), CIP_ERR_INVALID);
    if (strstr(cip_ctx_errmsg(ctx), word) == NULL)
        fail_msg("message '%s' does not mention '%s'", cip_ctx_errmsg(ctx), word);
}

static void test_forest_params_check_rejects_bad_values(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx(1);
    cip_forest_params p, q;
    cip_forest_params_default(&p);
    assert_int_equal(p.n_estimators, 100);
    assert_int_equal(p.min_samples_split, 2);
    assert_int_equal(p.min_samples_leaf, 1);
    assert_int_equal(p.bootstrap, 1);
    assert_int_equal(cip_forest_params_check(ctx, &p), CIP_OK);
    q = p, q.n_estimators = 0, expect_bad(ctx, &q, "n_estimators");
    q = p, q.min_samples_split = 1, expect_bad(ctx, &q, "min_samples_split");
    q = p, q.min_samples_leaf = 0, expect_bad(ctx, &q, "min_samples_leaf");
    q = p, q.max_depth = -1, expect_bad(ctx, &q, "max_depth");
    q = p, q.max_features = CIP_FOREST_MAXF_FRACTION, q.max_features_value = 1.5;
    expect_bad(ctx, &q, "max_features");
    q = p, q.max_features = CIP_FOREST_MAXF_COUNT, q.max_features_value = 2.5;
    expect_bad(ctx, &q, "max_features");
    q = p, q.criterion = CIP_FOREST_CRIT_GINI, expect_bad(ctx, &q, "gini");
    q = p, q.task = CIP_FOREST_CLASSIFICATION, q.criterion = CIP_FOREST_CRIT_MSE;
    expect_bad(ctx, &q, "mse");
    q = p, q.class_weight = CIP_FOREST_CW_BALANCED, expect_bad(ctx, &q, "class_weight");
    q = p, q.bootstrap = 0, q.oob_score = 1, expect_bad(ctx, &q, "oob_score");
    q = p, q.bootstrap = 0, q.max_samples = CIP_FOREST_SAMPLES_COUNT, q.max_samples_value = 5;
    expect_bad(ctx, &q, "max_samples");
    q = p, q.max_samples = CIP_FOREST_SAMPLES_FRACTION, q.max_samples_value = 0.0;
    expect_bad(ctx, &q, "max_samples");
    q = p, q.min_impurity_decrease = -1.0, expect_bad(ctx, &q, "min_impurity_decrease");
    q = p, q.min_impurity_decrease = NAN, expect_bad(ctx, &q, "min_impurity_decrease");
    q = p, q.n_estimators = 100001, expect_bad(ctx, &q, "n_estimators");
    cip_ctx_free(ctx);
}

/* --- hand-checkable splits -------------------------------------------------------------------- */
static void test_forest_step_function_thresholds_at_midpoints(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx(1);
    double x[] = {0, 1, 2, 10, 11, 12, 20, 21}, y[] = {1, 1, 1, 5, 5, 5, 9, 9};
    double yc[] = {0, 0, 0, 1, 1, 1, 2, 2};
    cip_frame *fr = frame_of(ctx, x, 8, 1);
    for (int task = 0; task < 2; task++) {
        cip_forest_params p = one_tree(task ? CIP_FOREST_CLASSIFICATION : CIP_FOREST_REGRESSION);
        cip_forest *f;
        assert_int_equal(cip_forest_fit(ctx, fr, task ? yc : y, NULL, &p, &f), CIP_OK);
        /* root: midpoint(2, 10) = 6; right child: midpoint(12, 20) = 16; inputs compare
         * as float32 (as in sklearn), so the next float, not the next double, goes right */
        double probes[] = {6.0, nextafterf(6.0f, 100.0f), 16.0, nextafterf(16.0f, 100.0f), -5, 1e9};
        double want_reg[] = {1, 5, 5, 9, 1, 9}, want_cls[] = {0, 1, 1, 2, 0, 2};
        for (int i = 0; i < 6; i++)
            assert_true(predict1(f, &probes[i]) == (task ? want_cls : want_reg)[i]);
        cip_forest_info info;
        cip_forest_get_info(f, &info);
        assert_int_equal(info.n_nodes, 5);
        assert_int_equal(info.n_leaves, 3);
        assert_int_equal(info.max_depth, 2);
        cip_forest_free(f);
    }
    cip_frame_free(fr);
    cip_ctx_free(ctx);
}

/* Inputs are float32, as scikit-learn's: values that differ only beyond float precision are one
 * value (no split between them), and a double that rounds to the float below a threshold goes
 * left even when it is above the (double) midpoint. */
static void test_forest_inputs_compare_as_float32(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx(1);
    double x1[] = {1.0, 1.0 + 1e-12, 1.0, 1.0 + 1e-12}, y1[] = {0, 10, 0, 10};
    cip_frame *fr = frame_of(ctx, x1, 4, 1);
    cip_forest_params p = one_tree(CIP_FOREST_REGRESSION);
    cip_forest *f;
    assert_int_equal(cip_forest_fit(ctx, fr, y1, NULL, &p, &f), CIP_OK);
    cip_forest_info info;
    cip_forest_get_info(f, &info);
    assert_int_equal(info.n_nodes, 1); /* a constant feature for sklearn: one leaf */
    assert_true(predict1(f, &x1[1]) == 5.0);
    cip_forest_free(f);
    cip_frame_free(fr);

    double x2[] = {1.0, 2.0}, y2[] = {0, 10};
    fr = frame_of(ctx, x2, 2, 1);
    assert_int_equal(cip_forest_fit(ctx, fr, y2, NULL, &p, &f), CIP_OK);
    double probes[] = {1.5, 1.5 + 1e-9, nextafterf(1.5f, 2.0f)}; /* threshold 1.5 */
    double want[] = {0, 0, 10}, batch[3];
    for (int i = 0; i < 3; i++)
        assert_true(predict1(f, &probes[i]) == want[i]);
    cip_frame *pr = frame_of(ctx, probes, 3, 1); /* the batch path agrees */
    assert_int_equal(cip_forest_predict(ctx, f, pr, batch, 3), CIP_OK);
    for (int i = 0; i < 3; i++)
        assert_true(batch[i] == want[i]);
    cip_frame_free(pr);
    cip_forest_free(f);
    cip_frame_free(fr);
    cip_ctx_free(ctx);
}

struct stump {
    int feature;
    double thr, left[4], right[4]; /* means (regression) or class fractions */
};

static double crit_proxy(int crit, const double *cl, double nl, const double *cr, double nr, int k)
{
    double g = 0;
    for (int s = 0; s < 2; s++) {
        const double *c = s ? cr : cl;
        double w = s ? nr : nl, t = 0;
        for (int q = 0; q < k; q++)
            t += crit == 1 ? c[q] * c[q] / w : (c[q] > 0 ? c[q] * log2(c[q] / w) : 0);
        g += crit == 0 ? c[0] * c[0] / w : t;
    }
    return g;
}

/* Best stump by brute force: crit 0 = mse (k = 1, sums of y), 1 = gini, 2 = entropy. */
static void brute_stump(const double *x, const double *y, size_t n, size_t p, int crit, int k,
                        struct stump *out)
{
    double best = -INFINITY;
    for (size_t j = 0; j < p; j++) {
        const double *xj = x + j * n;
        for (size_t a = 0; a < n; a++) {
            double t = xj[a], nxt = INFINITY; /* split after value t */
            for (size_t b = 0; b < n; b++)
                if (xj[b] > t && xj[b] < nxt)
                    nxt = xj[b];
            if (isinf(nxt))
                continue;
            double cl[4] = {0}, cr[4] = {0}, nl = 0, nr = 0;
            for (size_t i = 0; i < n; i++) {
                double *c = xj[i] <= t ? cl : cr;
                *(xj[i] <= t ? &nl : &nr) += 1;
                if (crit == 0)
                    c[0] += y[i];
                else
                    c[(int)y[i]] += 1;
            }
            double g = crit_proxy(crit, cl, nl, cr, nr, crit == 0 ? 1 : k);
            if (g > best + 1e-9) {
                best = g;
                out->feature = (int)j;
                out->thr = t / 2 + nxt / 2;
                for (int q = 0; q < (crit == 0 ? 1 : k); q++) {
                    out->left[q] = cl[q] / nl;
                    out->right[q] = cr[q] / nr;
                }
            }
        }
    }
}

static void check_stump(int crit, int k)
{
    enum { N = 60, P = 3 };
    cip_ctx *ctx = new_ctx(1);
    double x[N * P], y[N];
    cip_rng r;
    cip_rng_init(&r, 100 + (uint64_t)crit * 10 + (uint64_t)k, 0);
    for (int i = 0; i < N * P; i++)
        x[i] = floor(cip_rng_uniform(&r) * 40.0) / 4.0;
    for (int i = 0; i < N; i++) {
        double z = x[i] + 0.5 * x[N + i] + 3.0 * cip_rng_normal(&r);
        y[i] = crit == 0 ? z : (double)((int)(z / 4.0) % k);
    }
    cip_frame *fr = frame_of(ctx, x, N, P);
    cip_forest_params p = one_tree(crit ? CIP_FOREST_CLASSIFICATION : CIP_FOREST_REGRESSION);
    p.max_depth = 1;
    p.criterion = crit == 0   ? CIP_FOREST_CRIT_MSE
                  : crit == 1 ? CIP_FOREST_CRIT_GINI
                              : CIP_FOREST_CRIT_ENTROPY;
    cip_forest *f;
    assert_int_equal(cip_forest_fit(ctx, fr, y, NULL, &p, &f), CIP_OK);
    struct stump s = {-1, 0, {0}, {0}};
    brute_stump(x, y, N, P, crit, k, &s);
    assert_true(s.feature >= 0);
    double row[P] = {0, 0, 0}, pl[4], pr[4];
    row[s.feature] = s.thr;
    if (crit == 0) {
        assert_true(fabs(predict1(f, row) - s.left[0]) < 1e-9);
        row[s.feature] = nextafterf((float)s.thr, INFINITY); /* thresholds are floats here */
        assert_true(fabs(predict1(f, row) - s.right[0]) < 1e-9);
    } else {
        assert_int_equal(cip_forest_predict_proba_row(f, row, pl), CIP_OK);
        row[s.feature] = nextafterf((float)s.thr, INFINITY);
        assert_int_equal(cip_forest_predict_proba_row(f, row, pr), CIP_OK);
        for (int q = 0; q < k; q++) {
            assert_true(fabs(pl[q] - s.left[q]) < 1e-6);
            assert_true(fabs(pr[q] - s.right[q]) < 1e-6);
        }
    }
    cip_forest_free(f);
    cip_frame_free(fr);
    cip_ctx_free(ctx);
}

static void test_forest_stump_equals_brute_force_mse(void **state)
{
    (void)state;
    check_stump(0, 1);
}

static void test_forest_stump_equals_brute_force_gini(void **state)
{
    (void)state;
    check_stump(1, 2); /* binary: the (w, w*y) fast path */
    check_stump(1, 3); /* multi-class path */
}

static void test_forest_stump_equals_brute_force_entropy(void **state)
{
    (void)state;
    check_stump(2, 2);
    check_stump(2, 3);
}

/* --- invariants ------------------------------------------------------------------------------- */
static void test_forest_proba_in_unit_interval_and_sums_to_one(void **state)
{
    (void)state;
    enum { N = 300, P = 4 };
    cip_ctx *ctx = new_ctx(2);
    double x[N * P], y[N], proba[N * 3], pred[N];
    make_data(N, P, 5, x, y, NULL);
    for (int i = 0; i < N; i++)
        y[i] = (double)(abs((int)y[i]) % 3);
    cip_frame *fr = frame_of(ctx, x, N, P);
    cip_forest_params p = params(CIP_FOREST_CLASSIFICATION, 20, 3);
    p.max_depth = 4; /* impure leaves: stored class distributions */
    cip_forest *f;
    assert_int_equal(cip_forest_fit(ctx, fr, y, NULL, &p, &f), CIP_OK);
    assert_int_equal(cip_forest_predict_proba(ctx, f, fr, proba, N * 3), CIP_OK);
    assert_int_equal(cip_forest_predict(ctx, f, fr, pred, N), CIP_OK);
    size_t k;
    const double *classes = cip_forest_classes(f, &k);
    assert_int_equal(k, 3);
    int impure = 0;
    for (int i = 0; i < N; i++) {
        double sum = 0;
        int best = 0;
        for (int c = 0; c < 3; c++) {
            assert_true(proba[i * 3 + c] >= 0.0 && proba[i * 3 + c] <= 1.0);
            sum += proba[i * 3 + c];
            best = proba[i * 3 + c] > proba[i * 3 + best] ? c : best;
            impure |= proba[i * 3 + c] > 0.0 && proba[i * 3 + c] < 1.0;
        }
        assert_true(fabs(sum - 1.0) < 1e-6);
        assert_true(pred[i] == classes[best]);
    }
    assert_true(impure);
    cip_forest_free(f);
    cip_frame_free(fr);
    cip_ctx_free(ctx);
}

static void test_forest_arbitrary_labels_are_kept(void **state)
{
    (void)state;
    enum { N = 200, P = 2 };
    cip_ctx *ctx = new_ctx(1);
    double x[N * P], yc[N], pred[N];
    make_data(N, P, 9, x, NULL, yc);
    for (int i = 0; i < N; i++)
        yc[i] = yc[i] > 0.5 ? 7.0 : -1.0;
    cip_frame *fr = frame_of(ctx, x, N, P);
    cip_forest_params p = params(CIP_FOREST_CLASSIFICATION, 10, 1);
    cip_forest *f;
    assert_int_equal(cip_forest_fit(ctx, fr, yc, NULL, &p, &f), CIP_OK);
    size_t k;
    const double *classes = cip_forest_classes(f, &k);
    assert_int_equal(k, 2);
    assert_true(classes[0] == -1.0 && classes[1] == 7.0);
    assert_int_equal(cip_forest_predict(ctx, f, fr, pred, N), CIP_OK);
    int right = 0;
    for (int i = 0; i < N; i++) {
        assert_true(pred[i] == -1.0 || pred[i] == 7.0);
        right += pred[i] == yc[i];
    }
    assert_true(right > N * 9 / 10);
    assert_int_equal(cip_forest_n_trees(f), 10);
    assert_int_equal(cip_forest_n_features(f), 2);
    assert_string_equal(cip_forest_feature_name(f, 1), "x1");
    assert_null(cip_forest_feature_name(f, 2));
    assert_int_equal(cip_forest_feature_type(f, 0), CIP_TYPE_FLOAT);
    cip_forest_free(f);
    cip_frame_free(fr);
    cip_ctx_free(ctx);
}

/* Model bytes of a fit with `threads` threads. */
static char *fit_bytes(const cip_frame *fr, const double *y, const cip_forest_params *p,
                       int threads, size_t *len)
{
    cip_ctx *ctx = new_ctx(threads);
    cip_forest *f;
    char *buf, *copy;
    assert_int_equal(cip_forest_fit(ctx, fr, y, NULL, p, &f), CIP_OK);
    assert_int_equal(cip_forest_save_mem(ctx, f, &buf, len), CIP_OK);
    copy = malloc(*len);
    memcpy(copy, buf, *len);
    cip_forest_buf_free(ctx, buf);
    cip_forest_free(f);
    cip_ctx_free(ctx);
    return copy;
}

/* The model saved after a fit on 1 thread and on 2 threads: the same bytes. */
static void assert_same_at_1_and_2_threads(const cip_frame *fr, const double *y,
                                           const cip_forest_params *p)
{
    size_t l1, l2;
    char *b1 = fit_bytes(fr, y, p, 1, &l1), *b2 = fit_bytes(fr, y, p, 2, &l2);
    assert_int_equal(l1, l2);
    assert_memory_equal(b1, b2, l1);
    free(b1);
    free(b2);
}

static void test_forest_threads_give_identical_bytes(void **state)
{
    (void)state;
    enum { N = 8000, P = 4 };
    cip_ctx *ctx = new_ctx(1);
    double *x = malloc(sizeof(double) * N * P), *y = malloc(sizeof(double) * N);
    make_data(N, P, 11, x, y, NULL);
    cip_frame *fr = frame_of(ctx, x, N, P);
    cip_forest_params cases[3];
    cases[0] = params(CIP_FOREST_REGRESSION, 3, 5); /* parallel over trees, subtraction */
    cases[1] = params(CIP_FOREST_REGRESSION, 1, 5); /* one tree: parallel over features */
    cases[2] = params(CIP_FOREST_REGRESSION, 1, 6);
    cases[2].max_features = CIP_FOREST_MAXF_COUNT; /* no subtraction, parallel features */
    cases[2].max_features_value = 2;
    for (int c = 0; c < 3; c++) {
        assert_same_at_1_and_2_threads(fr, y, &cases[c]);
    }
    for (int i = 0; i < N; i++)
        y[i] = (double)(abs((int)y[i]) % 4);
    cip_forest_params pc = params(CIP_FOREST_CLASSIFICATION, 3, 8);
    assert_same_at_1_and_2_threads(fr, y, &pc);
    cip_frame_free(fr);
    free(x);
    free(y);
    cip_ctx_free(ctx);
}

/* Enough rows and features that sparse large nodes build their histograms in
 * one pass over whole rows (and histogram sets too): same bytes as ever. */
static void test_forest_wide_data_is_deterministic(void **state)
{
    (void)state;
    enum { N = 20000, P = 12 };
    cip_ctx *ctx = new_ctx(1);
    double *x = malloc(sizeof(double) * N * P), *y = malloc(sizeof(double) * N);
    make_data(N, P, 43, x, y, NULL);
    cip_frame *fr = frame_of(ctx, x, N, P);
    cip_forest_params cases[2];
    cases[0] = params(CIP_FOREST_REGRESSION, 2, 3); /* all features: histogram sets */
    cases[1] = params(CIP_FOREST_REGRESSION, 2, 4);
    cases[1].max_features = CIP_FOREST_MAXF_COUNT;
    cases[1].max_features_value = 10;
    for (int c = 0; c < 2; c++) {
        assert_same_at_1_and_2_threads(fr, y, &cases[c]);
    }
    cip_frame_free(fr);
    free(x);
    free(y);
    cip_ctx_free(ctx);
}

/* One tree on two threads evaluates the features of nodes of >= 4096 rows in
 * parallel from per-feature column histograms; one thread builds some of the
 * same nodes' histograms in one pass gathering whole rows by index. p = 70
 * (wider than FOREST_ROWS_MAX_FEATURES, so the columns are kept), n = 100000,
 * 10 candidates: nodes of 4096..7809 rows take both paths, and the models
 * must be the same bytes. A different order of adds changes only the last
 * bits of a few sums, which rarely changes a split, so the builders' sums
 * themselves are compared bit for bit in test_forest_hist.c. Regression and
 * binary classification. */
static void test_forest_one_tree_rows_and_columns_agree(void **state)
{
    (void)state;
    enum { N = 100000, P = 70 };
    cip_ctx *ctx = new_ctx(1);
    double *x = malloc(sizeof(double) * N * P), *y = malloc(sizeof(double) * N);
    double *yc = malloc(sizeof(double) * N);
    make_data(N, P, 47, x, y, yc);
    cip_frame *fr = frame_of(ctx, x, N, P);
    cip_forest_params p = params(CIP_FOREST_REGRESSION, 1, 9);
    p.max_features = CIP_FOREST_MAXF_COUNT;
    p.max_features_value = 10;
    assert_same_at_1_and_2_threads(fr, y, &p);
    /* binary classes: the same on 1 and 2 threads too */
    p.task = CIP_FOREST_CLASSIFICATION;
    p.criterion = CIP_FOREST_CRIT_GINI;
    assert_same_at_1_and_2_threads(fr, yc, &p);
    cip_frame_free(fr);
    free(x);
    free(y);
    free(yc);
    cip_ctx_free(ctx);
}

/* A fully grown tree without bootstrap separates every distinct training
 * row, so it must predict each training row's own target exactly: a check
 * of the partitions, which move rows in place by swaps. p = 20 partitions
 * the node-ordered code copy, p = 70 (wider than FOREST_ROWS_MAX_FEATURES)
 * the feature columns. y mostly follows x2, whose 2 % missing values have
 * the lowest targets, so large nodes split on x2 with missing values going left.
 * All features (histogram subtraction) and 7 of them; 1 and 2 threads (one
 * tree on 2 threads evaluates features in parallel). */
static void test_forest_full_tree_reproduces_training_rows(void **state)
{
    (void)state;
    enum { N = 5000 };
    const size_t widths[] = {20, 70};
    for (size_t k = 0; k < 2; k++) {
        size_t p = widths[k];
        double *x = malloc(sizeof(double) * N * p), *y = malloc(sizeof(double) * N);
        double *row = malloc(sizeof(double) * p), *out = malloc(sizeof(double) * N);
        make_data(N, p, 71 + k, x, y, NULL);
        for (size_t i = 0; i < N; i++) { /* targets stay distinct (make_data's noise) */
            y[i] += 6.0 * x[2 * N + i];
            if (i % 50 == 0) {
                x[2 * N + i] = NAN;
                y[i] = 0.01 * y[i] - 10.0;
            }
        }
        for (int c = 0; c < 4; c++) {
            int threads = 1 + c % 2;
            cip_ctx *ctx = new_ctx(threads);
            cip_frame *fr = frame_of(ctx, x, N, p);
            cip_forest_params q = one_tree(CIP_FOREST_REGRESSION);
            if (c >= 2) {
                q.max_features = CIP_FOREST_MAXF_COUNT;
                q.max_features_value = 7;
            }
            cip_forest *f;
            assert_int_equal(cip_forest_fit(ctx, fr, y, NULL, &q, &f), CIP_OK);
            assert_int_equal(cip_forest_predict(ctx, f, fr, out, N), CIP_OK);
            for (size_t i = 0; i < N; i++) {
                if (out[i] != y[i])
                    fail_msg("p=%zu threads=%d row %zu: predicted %.17g, trained on %.17g", p,
                             threads, i, out[i], y[i]);
                for (size_t j = 0; j < p; j++)
                    row[j] = x[j * N + i];
                assert_true(predict1(f, row) == y[i]);
            }
            cip_forest_free(f);
            cip_frame_free(fr);
            cip_ctx_free(ctx);
        }
        free(x);
        free(y);
        free(row);
        free(out);
    }
}

static void test_forest_predict_row_matches_batch(void **state)
{
    (void)state;
    enum { N = 300, P = 3 };
    cip_ctx *ctx = new_ctx(2);
    double x[N * P], y[N], yc[N], out[N], row[P];
    make_data(N, P, 13, x, y, yc);
    cip_frame *fr = frame_of(ctx, x, N, P);
    for (int task = 0; task < 2; task++) {
        cip_forest_params p = params(task ? CIP_FOREST_CLASSIFICATION : CIP_FOREST_REGRESSION, 37,
                                     2); /* not a multiple of the walk width */
        cip_forest *f;
        assert_int_equal(cip_forest_fit(ctx, fr, task ? yc : y, NULL, &p, &f), CIP_OK);
        assert_int_equal(cip_forest_predict(ctx, f, fr, out, N), CIP_OK);
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < P; j++)
                row[j] = x[j * N + i];
            double one = predict1(f, row);
            assert_memory_equal(&one, &out[i], sizeof one);
        }
        /* one-row frames (the server's requests) take the lockstep path: the same bytes */
        double proba[N * 2];
        if (task)
            assert_int_equal(cip_forest_predict_proba(ctx, f, fr, proba, N * 2), CIP_OK);
        for (size_t i = 0; i < N; i += 7) {
            cip_frame *one_row = NULL;
            double one[2];
            assert_int_equal(cip_frame_take_rows(ctx, fr, &i, 1, &one_row), CIP_OK);
            assert_int_equal(cip_forest_predict(ctx, f, one_row, one, 1), CIP_OK);
            assert_memory_equal(&one[0], &out[i], sizeof one[0]);
            if (task) {
                assert_int_equal(cip_forest_predict_proba(ctx, f, one_row, one, 2), CIP_OK);
                assert_memory_equal(one, &proba[i * 2], sizeof one);
            }
            cip_frame_free(one_row);
        }
        cip_forest_free(f);
    }
    cip_frame_free(fr);
    cip_ctx_free(ctx);
}

/* Batch predictions and probabilities on 1, 2 and 3 threads equal the
 * single-row ones bit for bit, with and without missing inputs, for 1 tree
 * (threads split the rows) and for more trees than the threads' chunk of
 * stored leaves (64), in any block. */
static void test_forest_batch_threads_and_missing_match_rows(void **state)
{
    (void)state;
    enum { N = 300, P = 3 };
    cip_ctx *ctx = new_ctx(1);
    double x[N * P], xm[N * P], y[N], yc[N], out[N], pr[2 * N], row[P], one[2];
    make_data(N, P, 17, x, y, yc);
    memcpy(xm, x, sizeof x);
    for (int i = 0; i < N * P; i += 7)
        xm[i] = NAN;
    cip_frame *fr = frame_of(ctx, x, N, P), *fm = frame_of(ctx, xm, N, P);
    static const int trees[2] = {1, 70};
    for (int c = 0; c < 4; c++) {
        int task = c & 1;
        cip_forest_params p =
            params(task ? CIP_FOREST_CLASSIFICATION : CIP_FOREST_REGRESSION, trees[c >> 1], 5);
        cip_forest *f;
        assert_int_equal(cip_forest_fit(ctx, fr, task ? yc : y, NULL, &p, &f), CIP_OK);
        for (int th = 1; th <= 3; th++) {
            cip_ctx_set_threads(ctx, th);
            for (int m = 0; m < 2; m++) {
                const double *xs = m ? xm : x;
                assert_int_equal(cip_forest_predict(ctx, f, m ? fm : fr, out, N), CIP_OK);
                if (task)
                    assert_int_equal(cip_forest_predict_proba(ctx, f, m ? fm : fr, pr, 2 * N),
                                     CIP_OK);
                for (int i = 0; i < N; i++) {
                    for (int j = 0; j < P; j++)
                        row[j] = xs[j * N + i];
                    one[0] = predict1(f, row);
                    assert_memory_equal(&one[0], &out[i], sizeof one[0]);
                    if (!task)
                        continue;
                    assert_int_equal(cip_forest_predict_proba_row(f, row, one), CIP_OK);
                    assert_memory_equal(one, &pr[2 * i], sizeof one);
                }
            }
        }
        cip_ctx_set_threads(ctx, 1);
        cip_forest_free(f);
    }
    cip_frame_free(fr);
    cip_frame_free(fm);
    cip_ctx_free(ctx);
}

/* --- errors ------------------------------------------------------------------------------------
 */
static void test_forest_fit_and_predict_errors(void **state)
{
    (void)state;
    enum { N = 50, P = 2 };
    cip_ctx *ctx = new_ctx(1);
    double x[N * P], y[N], out[N], w[N];
    make_data(N, P, 3, x, y, NULL);
    cip_frame *fr = frame_of(ctx, x, N, P), *cat, *other;
    cip_forest_params p = params(CIP_FOREST_REGRESSION, 3, 1);
    cip_forest *f = (cip_forest *)1;

    /* categorical column */
    const char *labels[N];
    for (int i = 0; i < N; i++)
        labels[i] = i % 2 ? "a" : "b";
    assert_int_equal(cip_frame_new(ctx, N, &cat), CIP_OK);
    assert_int_equal(cip_frame_add_f64(ctx, cat, "x0", x, NULL), CIP_OK);
    assert_int_equal(cip_frame_add_strings(ctx, cat, "plan", labels), CIP_OK);
    assert_int_equal(cip_forest_fit(ctx, cat, y, NULL, &p, &f), CIP_ERR_SCHEMA);
    assert_null(f);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "'plan'"));
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "one-hot"));

    /* NaN target, bad weights, bad params, too many max_features */
    y[7] = NAN;
    assert_int_equal(cip_forest_fit(ctx, fr, y, NULL, &p, &f), CIP_ERR_INVALID);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "row 7"));
    y[7] = 1.0;
    for (int i = 0; i < N; i++)
        w[i] = 1.0;
    w[3] = -1.0;
    assert_int_equal(cip_forest_fit(ctx, fr, y, w, &p, &f), CIP_ERR_INVALID);
    cip_forest_params q = p;
    q.n_estimators = 0;
    assert_int_equal(cip_forest_fit(ctx, fr, y, NULL, &q, &f), CIP_ERR_INVALID);
    q = p;
    q.max_features = CIP_FOREST_MAXF_COUNT;
    q.max_features_value = 3;
    assert_int_equal(cip_forest_fit(ctx, fr, y, NULL, &q, &f), CIP_ERR_INVALID);
    assert_int_equal(cip_forest_fit(ctx, NULL, y, NULL, &p, &f), CIP_ERR_MISUSE);

    /* predict: length mismatch, missing column, proba of a regressor */
    assert_int_equal(cip_forest_fit(ctx, fr, y, NULL, &p, &f), CIP_OK);
    assert_int_equal(cip_forest_predict(ctx, f, fr, out, N - 1), CIP_ERR_INVALID);
    assert_int_equal(cip_forest_predict_proba(ctx, f, fr, out, N), CIP_ERR_INVALID);
    assert_int_equal(cip_frame_new(ctx, N, &other), CIP_OK);
    assert_int_equal(cip_frame_add_f64(ctx, other, "x0", x, NULL), CIP_OK);
    assert_int_equal(cip_forest_predict(ctx, f, other, out, N), CIP_ERR_SCHEMA);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "'x1'"));
    double v;
    assert_int_equal(cip_forest_predict_row(NULL, x, &v), CIP_ERR_MISUSE);
    assert_int_equal(cip_forest_predict_proba_row(f, x, out), CIP_ERR_MISUSE);

    /* empty frame */
    cip_frame *empty;
    assert_int_equal(cip_frame_new(ctx, 0, &empty), CIP_OK);
    cip_forest *g = NULL;
    assert_int_equal(cip_forest_fit(ctx, empty, y, NULL, &p, &g), CIP_ERR_INVALID);
    cip_frame_free(empty);
    cip_forest_free(f);
    cip_frame_free(other);
    cip_frame_free(cat);
    cip_frame_free(fr);
    cip_ctx_free(ctx);
}

/* --- behaviour -----------------------------------------------------------------------------------
 */
static void test_forest_missing_values_are_routed(void **state)
{
    (void)state;
    enum { N = 400, P = 2 };
    cip_ctx *ctx = new_ctx(2);
    double x[N * P], y[N], yc[N];
    make_data(N, P, 17, x, NULL, NULL);
    for (int i = 0; i < N; i++) {
        bool miss = i % 3 == 0;
        yc[i] = miss;
        y[i] = miss ? 10.0 : x[i] / 10.0;
        if (miss)
            x[i] = NAN; /* missingness of x0 predicts y */
    }
    cip_frame *fr = frame_of(ctx, x, N, P);
    double nan_row[P] = {NAN, 5.0}, val_row[P] = {5.0, 5.0};
    for (int task = 0; task < 2; task++) {
        cip_forest_params p =
            params(task ? CIP_FOREST_CLASSIFICATION : CIP_FOREST_REGRESSION, 10, 4);
        cip_forest *f;
        assert_int_equal(cip_forest_fit(ctx, fr, task ? yc : y, NULL, &p, &f), CIP_OK);
        assert_true(cip_forest_importances(f)[0] > 0.9);
        if (task) {
            assert_true(predict1(f, nan_row) == 1.0);
            assert_true(predict1(f, val_row) == 0.0);
        } else {
            assert_true(fabs(predict1(f, nan_row) - 10.0) < 1e-9);
            assert_true(predict1(f, val_row) < 1.0);
        }
        cip_forest_free(f);
    }
    cip_frame_free(fr);
    cip_ctx_free(ctx);
}

static void test_forest_oob_score_is_sane(void **state)
{
    (void)state;
    enum { N = 500, P = 3 };
    cip_ctx *ctx = new_ctx(2);
    double x[N * P], y[N], yc[N];
    make_data(N, P, 23, x, y, yc);
    cip_frame *fr = frame_of(ctx, x, N, P);
    cip_forest_params p = params(CIP_FOREST_REGRESSION, 60, 7);
    p.oob_score = 1;
    cip_forest *f;
    assert_int_equal(cip_forest_fit(ctx, fr, y, NULL, &p, &f), CIP_OK);
    size_t len;
    const double *oob = cip_forest_oob_prediction(f, &len);
    assert_int_equal(len, N);
    double s = cip_forest_oob_score(f);
    assert_true(s > 0.85 && s < 1.0);
    assert_true(fabs(s - r2_of(y, oob, N)) < 1e-12);
    cip_forest_free(f);
    p.task = CIP_FOREST_CLASSIFICATION;
    assert_int_equal(cip_forest_fit(ctx, fr, yc, NULL, &p, &f), CIP_OK);
    oob = cip_forest_oob_prediction(f, &len);
    assert_int_equal(len, 2 * N);
    int hit = 0;
    for (int i = 0; i < N; i++)
        hit += (oob[2 * i + 1] > oob[2 * i]) == (yc[i] > 0.5);
    s = cip_forest_oob_score(f);
    assert_true(s > 0.8 && s <= 1.0);
    assert_true(fabs(s - hit / (double)N) < 1e-12);
    cip_forest_free(f);
    cip_frame_free(fr);
    cip_ctx_free(ctx);
}

static void test_forest_importances_sum_to_one_and_rank(void **state)
{
    (void)state;
    enum { N = 400, P = 4 };
    cip_ctx *ctx = new_ctx(2);
    double x[N * P], y[N];
    make_data(N, P, 29, x, y, NULL);
    cip_frame *fr = frame_of(ctx, x, N, P);
    cip_forest_params p = params(CIP_FOREST_REGRESSION, 30, 1);
    cip_forest *f;
    assert_int_equal(cip_forest_fit(ctx, fr, y, NULL, &p, &f), CIP_OK);
    const double *imp = cip_forest_importances(f);
    double sum = 0;
    for (int j = 0; j < P; j++) {
        assert_true(imp[j] >= 0.0);
        sum += imp[j];
    }
    assert_true(fabs(sum - 1.0) < 1e-12);
    assert_true(imp[0] > 0.8 && imp[1] > imp[2] && imp[1] > imp[3]);

    /* permutation importance on held-out rows: x0 matters, x2 and x3 do not */
    double xt[N * P], yt[N], m1[P], s1[P], m2[P], s2[P];
    make_data(N, P, 31, xt, yt, NULL);
    cip_frame *ft = frame_of(ctx, xt, N, P);
    cip_ctx_set_threads(ctx, 1);
    assert_int_equal(cip_forest_permutation_importance(ctx, f, ft, yt, 3, 5, m1, s1), CIP_OK);
    cip_ctx_set_threads(ctx, 2);
    assert_int_equal(cip_forest_permutation_importance(ctx, f, ft, yt, 3, 5, m2, s2), CIP_OK);
    assert_memory_equal(m1, m2, sizeof m1);
    assert_memory_equal(s1, s2, sizeof s1);
    assert_true(m1[0] > 0.5);
    assert_true(fabs(m1[2]) < 0.05 && fabs(m1[3]) < 0.05);
    for (int j = 0; j < P; j++)
        assert_true(s1[j] >= 0.0);
    assert_int_equal(cip_forest_permutation_importance(ctx, f, ft, yt, 0, 5, m1, s1),
                     CIP_ERR_INVALID);
    cip_frame_free(ft);
    cip_forest_free(f);
    cip_frame_free(fr);
    cip_ctx_free(ctx);
}

static void test_forest_class_weight_balanced_root_leaf(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx(1);
    double x[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, y[10] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1};
    cip_frame *fr = frame_of(ctx, x, 10, 1);
    cip_forest_params p = one_tree(CIP_FOREST_CLASSIFICATION);
    p.min_samples_split = 1000; /* the root stays a leaf */
    double pr[2], row = 3;
    cip_forest *f;
    assert_int_equal(cip_forest_fit(ctx, fr, y, NULL, &p, &f), CIP_OK);
    assert_int_equal(cip_forest_predict_proba_row(f, &row, pr), CIP_OK);
    assert_true(fabs(pr[0] - 0.8) < 1e-7 && fabs(pr[1] - 0.2) < 1e-7);
    cip_forest_free(f);
    p.class_weight = CIP_FOREST_CW_BALANCED; /* weights 10/(2*8) and 10/(2*2) */
    assert_int_equal(cip_forest_fit(ctx, fr, y, NULL, &p, &f), CIP_OK);
    assert_int_equal(cip_forest_predict_proba_row(f, &row, pr), CIP_OK);
    assert_true(fabs(pr[0] - 0.5) < 1e-7 && fabs(pr[1] - 0.5) < 1e-7);
    cip_forest_free(f);
    cip_frame_free(fr);
    cip_ctx_free(ctx);
}

/* Features examined per split, as scikit-learn resolves max_features:
 * max(1, int(fraction * p)), int(sqrt(p)), int(log2(p)), a count, or p. With
 * p = 30 the exact double 1/3 gives 10 (1/3 * 30 rounds to 10.0, as in
 * Python), while a rounded 0.3333333333 gives 9: the values below are
 * sklearn's (RandomForestRegressor(max_features=...).estimators_[0].max_features_). */
static void test_forest_max_features_resolve_as_sklearn(void **state)
{
    (void)state;
    enum { N = 40, P = 30 };
    cip_ctx *ctx = new_ctx(1);
    double *x = malloc(sizeof(double) * N * P), y[N];
    make_data(N, P, 53, x, y, NULL);
    cip_frame *fr = frame_of(ctx, x, N, P);
    const struct {
        cip_forest_max_features kind;
        double value;
        size_t mtry;
    } cases[] = {
        {CIP_FOREST_MAXF_FRACTION, 1.0 / 3.0, 10},
        {CIP_FOREST_MAXF_FRACTION, 0.3333333333, 9},
        {CIP_FOREST_MAXF_FRACTION, 0.01, 1},
        {CIP_FOREST_MAXF_SQRT, 0, 5},
        {CIP_FOREST_MAXF_LOG2, 0, 4},
        {CIP_FOREST_MAXF_COUNT, 7, 7},
        {CIP_FOREST_MAXF_ALL, 0, 30},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cip_forest_params p = params(CIP_FOREST_REGRESSION, 1, 3);
        p.max_features = cases[i].kind;
        p.max_features_value = cases[i].value;
        cip_forest *f;
        cip_forest_info info;
        assert_int_equal(cip_forest_fit(ctx, fr, y, NULL, &p, &f), CIP_OK);
        cip_forest_get_info(f, &info);
        assert_int_equal(info.mtry, cases[i].mtry);
        cip_forest_free(f);
    }
    cip_frame_free(fr);
    free(x);
    cip_ctx_free(ctx);
}

static void test_forest_growth_limits(void **state)
{
    (void)state;
    enum { N = 300, P = 3 };
    cip_ctx *ctx = new_ctx(2);
    double x[N * P], y[N];
    make_data(N, P, 37, x, y, NULL);
    cip_frame *fr = frame_of(ctx, x, N, P);
    cip_forest_params p = params(CIP_FOREST_REGRESSION, 5, 1);
    cip_forest_info info;
    cip_forest *f;
    p.max_depth = 3;
    assert_int_equal(cip_forest_fit(ctx, fr, y, NULL, &p, &f), CIP_OK);
    cip_forest_get_info(f, &info);
    assert_int_equal(info.max_depth, 3);
    assert_true(info.n_nodes <= 5 * 15);
    cip_forest_free(f);
    p = params(CIP_FOREST_REGRESSION, 5, 1);
    p.min_impurity_decrease = 1e9; /* no split is worth it */
    assert_int_equal(cip_forest_fit(ctx, fr, y, NULL, &p, &f), CIP_OK);
    cip_forest_get_info(f, &info);
    assert_int_equal(info.n_nodes, 5);
    cip_forest_free(f);
    p = params(CIP_FOREST_REGRESSION, 5, 1);
    p.min_samples_leaf = 20;
    p.max_samples = CIP_FOREST_SAMPLES_FRACTION;
    p.max_samples_value = 0.5;
    assert_int_equal(cip_forest_fit(ctx, fr, y, NULL, &p, &f), CIP_OK);
    cip_forest_get_info(f, &info);
    assert_true(info.n_leaves <= 5 * (N / 2 / 20)); /* <= 150 distinct rows per tree */
    cip_forest_free(f);
    cip_frame_free(fr);
    cip_ctx_free(ctx);
}

/* --- out of memory
 * --------------------------------------------------------------------------------- */
static cip_status oom_body(cip_ctx *ctx, void *arg)
{
    (void)arg;
    enum { N = 40, P = 2 };
    double x[N * P], y[N], out[N];
    make_data(N, P, 41, x, y, NULL);
    x[3] = NAN;
    cip_frame *fr = NULL;
    cip_forest *f = NULL, *g = NULL;
    char *buf = NULL;
    size_t len;
    cip_forest_params p = params(CIP_FOREST_REGRESSION, 2, 1);
    p.oob_score = 1;
    cip_status rc = cip_frame_new(ctx, N, &fr);
    if (rc == CIP_OK)
        rc = cip_frame_add_f64(ctx, fr, "a", x, NULL);
    if (rc == CIP_OK)
        rc = cip_frame_add_f64(ctx, fr, "b", x + N, NULL);
    if (rc == CIP_OK)
        rc = cip_forest_fit(ctx, fr, y, NULL, &p, &f);
    if (rc == CIP_OK)
        rc = cip_forest_predict(ctx, f, fr, out, N);
    if (rc == CIP_OK)
        rc = cip_forest_save_mem(ctx, f, &buf, &len);
    if (rc == CIP_OK)
        rc = cip_forest_load_mem(ctx, "m", buf, len, &g);
    double m[P];
    if (rc == CIP_OK)
        rc = cip_forest_permutation_importance(ctx, g, fr, y, 1, 1, m, NULL);
    cip_forest_buf_free(ctx, buf);
    cip_forest_free(f);
    cip_forest_free(g);
    cip_frame_free(fr);
    return rc;
}

static void test_forest_oom_sweep_tiny_fit(void **state)
{
    (void)state;
    assert_true(cipt_oom_sweep(oom_body, NULL) > 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forest_params_check_rejects_bad_values),
        cmocka_unit_test(test_forest_step_function_thresholds_at_midpoints),
        cmocka_unit_test(test_forest_inputs_compare_as_float32),
        cmocka_unit_test(test_forest_stump_equals_brute_force_mse),
        cmocka_unit_test(test_forest_stump_equals_brute_force_gini),
        cmocka_unit_test(test_forest_stump_equals_brute_force_entropy),
        cmocka_unit_test(test_forest_proba_in_unit_interval_and_sums_to_one),
        cmocka_unit_test(test_forest_arbitrary_labels_are_kept),
        cmocka_unit_test(test_forest_threads_give_identical_bytes),
        cmocka_unit_test(test_forest_one_tree_rows_and_columns_agree),
        cmocka_unit_test(test_forest_wide_data_is_deterministic),
        cmocka_unit_test(test_forest_full_tree_reproduces_training_rows),
        cmocka_unit_test(test_forest_predict_row_matches_batch),
        cmocka_unit_test(test_forest_batch_threads_and_missing_match_rows),
        cmocka_unit_test(test_forest_fit_and_predict_errors),
        cmocka_unit_test(test_forest_missing_values_are_routed),
        cmocka_unit_test(test_forest_oob_score_is_sane),
        cmocka_unit_test(test_forest_importances_sum_to_one_and_rank),
        cmocka_unit_test(test_forest_class_weight_balanced_root_leaf),
        cmocka_unit_test(test_forest_max_features_resolve_as_sklearn),
        cmocka_unit_test(test_forest_growth_limits),
        cmocka_unit_test(test_forest_oom_sweep_tiny_fit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
