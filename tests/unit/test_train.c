/* test_train.c - the forest estimator adapter and the clv / churn / segments tasks
 *
 * Synthetic tables check the mechanics against known answers (a target that is a
 * function of the features, a baseline that cannot explain it, one-hot columns,
 * split sizes, stratification, no-CV and no-test modes, bundles, OOM). The
 * acceptance test runs the reference project's feature sets and grids on
 * ../shared/data/df_eng_customer_purchasing_features.csv and compares with the
 * scikit-learn figures of ../shared/reference/original-results.json (skipped
 * visibly when ../shared is absent).
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cip/train.h"
#include "testutil.h"

/* Deterministic table: x1, x2 uniform, cat in {A, B, C}, y = 10 x1 + 5 x2 + 3 [cat == B],
 * label = y > median-ish. */
static cip_frame *make_table(cip_ctx *ctx, size_t n, int with_label)
{
    double *x1 = calloc(n, sizeof *x1), *x2 = calloc(n, sizeof *x2), *y = calloc(n, sizeof *y);
    int64_t *id = calloc(n, sizeof *id), *lab = calloc(n, sizeof *lab);
    const char **cat = calloc(n, sizeof *cat);
    static const char *const levels[] = {"A", "B", "C"};
    uint64_t s = 12345;
    for (size_t i = 0; i < n; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        x1[i] = (double)(s >> 11) / 9007199254740992.0;
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        x2[i] = (double)(s >> 11) / 9007199254740992.0;
        cat[i] = levels[i % 3];
        y[i] = 10 * x1[i] + 5 * x2[i] + (i % 3 == 1 ? 3.0 : 0.0);
        lab[i] = y[i] > 9.0;
        id[i] = (int64_t)i + 1;
    }
    cip_frame *f = NULL;
    assert_int_equal(cip_frame_new(ctx, n, &f), CIP_OK);
    assert_int_equal(cip_frame_add_i64(ctx, f, "id", id, NULL), CIP_OK);
    assert_int_equal(cip_frame_add_f64(ctx, f, "x1", x1, NULL), CIP_OK);
    assert_int_equal(cip_frame_add_f64(ctx, f, "x2", x2, NULL), CIP_OK);
    assert_int_equal(cip_frame_add_strings(ctx, f, "cat", cat), CIP_OK);
    if (with_label)
        assert_int_equal(cip_frame_add_i64(ctx, f, "label", lab, NULL), CIP_OK);
    else
        assert_int_equal(cip_frame_add_f64(ctx, f, "y", y, NULL), CIP_OK);
    free(x1), free(x2), free(y), free(id), free(lab), free(cat);
    return f;
}

static cip_ctx *ctx1(void)
{
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_ctx_set_threads(ctx, 1);
    return ctx;
}

static void test_train_forest_estimator_set_param_cases(void **state)
{
    (void)state;
    cip_ctx *ctx = ctx1();
    cip_forest_params p;
    cip_forest_params_default(&p);
    p.task = CIP_FOREST_CLASSIFICATION;
    cip_estimator est;
    cip_forest_estimator(&p, &est);
    assert_string_equal(est.name, "forest");
    assert_int_equal(est.output, CIP_OUTPUT_PROBA);
    assert_int_equal(est.params_size, sizeof p);
    cip_forest_params q = p;
    cip_param_value v = {.kind = CIP_PARAM_STR, .str = "sqrt"};
    assert_int_equal(est.set_param(ctx, NULL, &q, "max_features", &v), CIP_OK);
    assert_int_equal(q.max_features, CIP_FOREST_MAXF_SQRT);
    v = (cip_param_value){.kind = CIP_PARAM_NUM, .num = 0.5};
    assert_int_equal(est.set_param(ctx, NULL, &q, "max_features", &v), CIP_OK);
    assert_int_equal(q.max_features, CIP_FOREST_MAXF_FRACTION);
    assert_true(q.max_features_value == 0.5);
    v.num = 3;
    assert_int_equal(est.set_param(ctx, NULL, &q, "max_features", &v), CIP_OK);
    assert_int_equal(q.max_features, CIP_FOREST_MAXF_COUNT);
    v = (cip_param_value){.kind = CIP_PARAM_NONE};
    assert_int_equal(est.set_param(ctx, NULL, &q, "max_features", &v), CIP_OK);
    assert_int_equal(q.max_features, CIP_FOREST_MAXF_ALL);
    q.max_depth = 7;
    assert_int_equal(est.set_param(ctx, NULL, &q, "max_depth", &v), CIP_OK);
    assert_int_equal(q.max_depth, 0);
    v = (cip_param_value){.kind = CIP_PARAM_STR, .str = "balanced"};
    assert_int_equal(est.set_param(ctx, NULL, &q, "class_weight", &v), CIP_OK);
    assert_int_equal(q.class_weight, CIP_FOREST_CW_BALANCED);
    v = (cip_param_value){.kind = CIP_PARAM_NUM, .num = 2.5};
    assert_int_equal(est.set_param(ctx, NULL, &q, "n_estimators", &v), CIP_ERR_INVALID);
    v.num = 1;
    assert_int_equal(est.set_param(ctx, NULL, &q, "min_samples_split", &v), CIP_ERR_INVALID);
    assert_int_equal(est.set_param(ctx, NULL, &q, "no_such_param", &v), CIP_ERR_INVALID);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "no_such_param"));
    cip_forest_params_default(&p);
    cip_forest_estimator(&p, &est);
    assert_int_equal(est.output, CIP_OUTPUT_VALUE);
    cip_ctx_free(ctx);
}

/* The yes/no, max_samples and oob_score parameters, as scikit-learn reads them. */
static void test_train_forest_estimator_flags_and_samples(void **state)
{
    (void)state;
    cip_ctx *ctx = ctx1();
    cip_forest_params p;
    cip_forest_params_default(&p);
    cip_estimator est;
    cip_forest_estimator(&p, &est);
    cip_param_value v = {.kind = CIP_PARAM_STR, .str = "false"};
    cip_forest_params q = p;
    assert_int_equal(est.set_param(ctx, NULL, &q, "bootstrap", &v), CIP_OK);
    assert_int_equal(q.bootstrap, 0);
    v.str = "True";
    assert_int_equal(est.set_param(ctx, NULL, &q, "bootstrap", &v), CIP_OK);
    assert_int_equal(q.bootstrap, 1);
    v = (cip_param_value){.kind = CIP_PARAM_NUM, .num = 0};
    assert_int_equal(est.set_param(ctx, NULL, &q, "bootstrap", &v), CIP_OK);
    assert_int_equal(q.bootstrap, 0);
    v.num = 2;
    assert_int_equal(est.set_param(ctx, NULL, &q, "bootstrap", &v), CIP_ERR_INVALID);
    v = (cip_param_value){.kind = CIP_PARAM_STR, .str = "maybe"};
    assert_int_equal(est.set_param(ctx, NULL, &q, "oob_score", &v), CIP_ERR_INVALID);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "oob_score"));
    /* max_samples and oob_score need bootstrap (sklearn raises too) */
    q = p;
    q.bootstrap = 0;
    v = (cip_param_value){.kind = CIP_PARAM_NUM, .num = 0.5};
    assert_int_equal(est.set_param(ctx, NULL, &q, "max_samples", &v), CIP_ERR_INVALID);
    v = (cip_param_value){.kind = CIP_PARAM_STR, .str = "true"};
    assert_int_equal(est.set_param(ctx, NULL, &q, "oob_score", &v), CIP_ERR_INVALID);
    q = p;
    assert_int_equal(est.set_param(ctx, NULL, &q, "oob_score", &v), CIP_OK);
    assert_int_equal(q.oob_score, 1);
    v = (cip_param_value){.kind = CIP_PARAM_NUM, .num = 0.5};
    assert_int_equal(est.set_param(ctx, NULL, &q, "max_samples", &v), CIP_OK);
    assert_int_equal(q.max_samples, CIP_FOREST_SAMPLES_FRACTION);
    assert_true(q.max_samples_value == 0.5);
    v.num = 1; /* sklearn's 1.0: every row */
    assert_int_equal(est.set_param(ctx, NULL, &q, "max_samples", &v), CIP_OK);
    assert_int_equal(q.max_samples, CIP_FOREST_SAMPLES_FRACTION);
    assert_true(q.max_samples_value == 1.0);
    v.num = 50;
    assert_int_equal(est.set_param(ctx, NULL, &q, "max_samples", &v), CIP_OK);
    assert_int_equal(q.max_samples, CIP_FOREST_SAMPLES_COUNT);
    assert_true(q.max_samples_value == 50.0);
    v.num = 1.5;
    assert_int_equal(est.set_param(ctx, NULL, &q, "max_samples", &v), CIP_ERR_INVALID);
    v.num = 0;
    assert_int_equal(est.set_param(ctx, NULL, &q, "max_samples", &v), CIP_ERR_INVALID);
    v = (cip_param_value){.kind = CIP_PARAM_NONE};
    assert_int_equal(est.set_param(ctx, NULL, &q, "max_samples", &v), CIP_OK);
    assert_int_equal(q.max_samples, CIP_FOREST_SAMPLES_ALL);
    cip_ctx_free(ctx);
}

/* Predictions of r's forest on the rows of f (its model columns built as at training). */
static double *predict_on(cip_ctx *ctx, const cip_train_result *r, const cip_frame *f)
{
    cip_frame *x = NULL;
    assert_int_equal(
        cip_train_prepare(ctx, f, NULL, (const char *const *)r->features, r->n_features, &x),
        CIP_OK);
    size_t n = cip_frame_n_rows(f);
    double *out = malloc(n * sizeof *out);
    assert_int_equal(cip_forest_predict(ctx, r->forest, x, out, n), CIP_OK);
    cip_frame_free(x);
    return out;
}

/* A weight of 2 is a duplicated row for a forest without bootstrap: trees of depth 2
 * (leaves average several rows, so weights move them) fitted with weights 1/2 predict
 * what trees fitted on the table with those rows repeated predict, up to the order of
 * the sums; and they differ from the unweighted fit. The weight column is not a feature.
 * Bad weights are named. */
static void test_train_sample_weights_equal_duplicated_rows(void **state)
{
    (void)state;
    enum { N = 90 };
    cip_ctx *ctx = ctx1();
    cip_frame *base = make_table(ctx, N, 0);
    double w[N];
    size_t dup[N + N / 3], nd = 0;
    for (size_t i = 0; i < N; i++) {
        w[i] = i % 3 == 0 ? 2.0 : 1.0;
        dup[nd++] = i;
        if (i % 3 == 0)
            dup[nd++] = i;
    }
    cip_frame *fw = NULL, *fd = NULL;
    assert_int_equal(cip_frame_take_rows(ctx, base, dup, nd, &fd), CIP_OK);
    size_t all[N];
    for (size_t i = 0; i < N; i++)
        all[i] = i;
    assert_int_equal(cip_frame_take_rows(ctx, base, all, N, &fw), CIP_OK);
    assert_int_equal(cip_frame_add_f64(ctx, fw, "w", w, NULL), CIP_OK);
    cip_train_params p;
    cip_train_params_default(&p);
    p.target = "y";
    p.cv = 0;
    p.test_size = 0;
    p.forest.n_estimators = 3;
    p.forest.bootstrap = 0;
    p.forest.max_depth = 2;
    cip_train_result *rw = NULL, *rd = NULL, *ru = NULL;
    p.weight_column = "w";
    assert_int_equal(cip_train_run(ctx, fw, &p, &rw), CIP_OK);
    for (size_t k = 0; k < rw->n_features; k++)
        assert_string_not_equal(rw->features[k], "w");
    p.weight_column = NULL;
    assert_int_equal(cip_train_run(ctx, fd, &p, &rd), CIP_OK);
    assert_int_equal(cip_train_run(ctx, base, &p, &ru), CIP_OK);
    double *pw = predict_on(ctx, rw, base), *pd = predict_on(ctx, rd, base),
           *pu = predict_on(ctx, ru, base);
    int moved = 0;
    for (size_t i = 0; i < N; i++) {
        assert_true(fabs(pw[i] - pd[i]) <= 1e-9 * (1.0 + fabs(pd[i])));
        moved |= fabs(pw[i] - pu[i]) > 1e-6;
    }
    assert_true(moved);
    /* with CV, the refit on all training rows is the same weighted fit */
    cip_train_result *rc2 = NULL;
    p.weight_column = "w";
    p.cv = 2;
    assert_int_equal(cip_train_run(ctx, fw, &p, &rc2), CIP_OK);
    double *pc = predict_on(ctx, rc2, base);
    assert_memory_equal(pc, pw, N * sizeof *pc);
    free(pc);
    cip_train_result_free(rc2);
    p.cv = 0;
    free(pw), free(pd), free(pu);
    cip_train_result_free(rw);
    cip_train_result_free(rd);
    cip_train_result_free(ru);
    /* bad weights: negative (row named), the target itself, also listed as a feature */
    cip_train_result *r = NULL;
    w[4] = -1.0;
    cip_frame *fb = NULL;
    assert_int_equal(cip_frame_take_rows(ctx, base, all, N, &fb), CIP_OK);
    assert_int_equal(cip_frame_add_f64(ctx, fb, "w", w, NULL), CIP_OK);
    p.weight_column = "w";
    assert_int_equal(cip_train_run(ctx, fb, &p, &r), CIP_ERR_INVALID);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "negative weight (-1) at row 5"));
    p.weight_column = "y";
    assert_int_equal(cip_train_run(ctx, fw, &p, &r), CIP_ERR_INVALID);
    const char *feats[] = {"x1", "w"};
    p.weight_column = "w";
    p.features = feats;
    p.n_features = 2;
    assert_int_equal(cip_train_run(ctx, fw, &p, &r), CIP_ERR_INVALID);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "cannot also be a feature"));
    p.features = NULL;
    p.weight_column = "nope";
    assert_int_equal(cip_train_run(ctx, fw, &p, &r), CIP_ERR_NOT_FOUND);
    assert_null(r);
    cip_frame_free(fb);
    cip_frame_free(fw);
    cip_frame_free(fd);
    cip_frame_free(base);
    cip_ctx_free(ctx);
}

/* The out-of-bag metric is the forest's OOB score; permutation importance ranks the
 * features by their weight in y = 10 x1 + 5 x2 + 3 [cat == B] (x1, x2 uniform): x1's
 * drop is the largest, x2's next, and cat=C (no effect) stays near zero. */
static void test_train_oob_and_permutation_importance(void **state)
{
    (void)state;
    cip_ctx *ctx = ctx1();
    cip_frame *f = make_table(ctx, 400, 0);
    cip_train_params p;
    cip_train_params_default(&p);
    p.target = "y";
    p.cv = 0;
    p.forest.n_estimators = 30;
    p.forest.oob_score = 1;
    p.permutation_repeats = 4;
    cip_train_result *r = NULL;
    assert_int_equal(cip_train_run(ctx, f, &p, &r), CIP_OK);
    double oob = cip_train_result_metric(r, "oob_score");
    assert_true(oob == cip_forest_oob_score(r->forest));
    assert_true(oob > 0.8 && oob < 1.0);
    assert_int_equal(r->perm_repeats, 4);
    assert_int_equal(r->perm_on_test, 1);
    size_t x1 = r->n_features, x2 = r->n_features, cc = r->n_features;
    for (size_t k = 0; k < r->n_features; k++) {
        x1 = strcmp(r->features[k], "x1") == 0 ? k : x1;
        x2 = strcmp(r->features[k], "x2") == 0 ? k : x2;
        cc = strcmp(r->features[k], "cat=C") == 0 ? k : cc;
    }
    assert_true(x1 < r->n_features && x2 < r->n_features && cc < r->n_features);
    assert_true(r->perm_mean[x1] > r->perm_mean[x2]);
    assert_true(r->perm_mean[x2] > 0.05);
    assert_true(fabs(r->perm_mean[cc]) < 0.02);
    for (size_t k = 0; k < r->n_features; k++)
        assert_true(r->perm_std[k] >= 0.0);
    cip_train_result_free(r);
    /* without oob_score and repeats: neither */
    p.forest.oob_score = 0;
    p.permutation_repeats = 0;
    assert_int_equal(cip_train_run(ctx, f, &p, &r), CIP_OK);
    assert_true(isnan(cip_train_result_metric(r, "oob_score")));
    assert_null(r->perm_mean);
    cip_train_result_free(r);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

static void test_train_forest_estimator_matches_direct_fit(void **state)
{
    (void)state;
    cip_ctx *ctx = ctx1();
    cip_frame *f = make_table(ctx, 120, 1), *x = NULL;
    const char *cols[] = {"x1", "x2"};
    assert_int_equal(cip_frame_select(ctx, f, cols, 2, &x), CIP_OK);
    double y[120], a[120], b[240];
    size_t j;
    assert_int_equal(cip_frame_find(ctx, f, "label", &j), CIP_OK);
    cip_frame_get_col(f, j, y);
    cip_forest_params p;
    cip_forest_params_default(&p);
    p.task = CIP_FOREST_CLASSIFICATION;
    p.n_estimators = 10;
    p.seed = 7;
    cip_estimator est;
    cip_forest_estimator(&p, &est);
    void *m = NULL;
    cip_forest *direct = NULL;
    assert_int_equal(est.fit(ctx, est.ud, x, y, NULL, &p, &m), CIP_OK);
    assert_int_equal(cip_forest_fit(ctx, x, y, NULL, &p, &direct), CIP_OK);
    assert_int_equal(est.predict(ctx, est.ud, m, x, a), CIP_OK);
    assert_int_equal(cip_forest_predict_proba(ctx, direct, x, b, 240), CIP_OK);
    for (size_t i = 0; i < 120; i++)
        assert_true(a[i] == b[2 * i + 1]);
    /* a non-0/1 target is rejected for probability output */
    y[3] = 2.0;
    void *m2 = NULL;
    assert_int_equal(est.fit(ctx, est.ud, x, y, NULL, &p, &m2), CIP_ERR_INVALID);
    assert_null(m2);
    est.free_model(est.ud, m);
    cip_forest_free(direct);
    cip_frame_free(x);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

static void test_train_clv_generic_table_learns_target(void **state)
{
    (void)state;
    cip_ctx *ctx = ctx1();
    cip_frame *f = make_table(ctx, 200, 0);
    cip_train_params p;
    cip_train_params_default(&p);
    p.target = "y";
    p.cv = 3;
    p.grid = "n_estimators=20;max_depth=4,none";
    cip_train_result *r = NULL;
    assert_int_equal(cip_train_run(ctx, f, &p, &r), CIP_OK);
    assert_int_equal(r->n_train, 160);
    assert_int_equal(r->n_test, 40); /* ceil(0.2 * 200) */
    /* id excluded; cat one-hot over its training levels */
    assert_int_equal(r->n_features, 5);
    assert_string_equal(r->features[0], "x1");
    assert_string_equal(r->features[2], "cat=A");
    assert_string_equal(r->features[3], "cat=B");
    assert_int_equal(r->n_candidates, 2);
    assert_int_equal(r->n_folds, 3);
    assert_true(cip_train_result_metric(r, "test_r2") > 0.9);
    assert_true(fabs(cip_train_result_metric(r, "baseline_mean_r2")) < 0.1);
    assert_true(cip_train_result_metric(r, "baseline_ridge_r2") > 0.99); /* y is linear */
    assert_true(cip_train_result_metric(r, "cv_r2_mean") > 0.85);
    assert_true(r->cv_mean == cip_train_result_metric(r, "cv_r2_mean"));
    double s = 0;
    for (size_t k = 0; k < r->n_features; k++)
        s += r->importances[k];
    assert_true(fabs(s - 1.0) < 1e-9);
    assert_true(r->importances[0] > r->importances[1]); /* x1 weighs 10, x2 5 */
    assert_non_null(r->forest);
    assert_null(r->featpipe);
    cip_train_result_free(r);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

static void test_train_churn_generic_table_stratified(void **state)
{
    (void)state;
    cip_ctx *ctx = ctx1();
    cip_frame *f = make_table(ctx, 150, 1);
    cip_train_params p;
    cip_train_params_default(&p);
    p.task = CIP_TRAIN_CHURN;
    p.target = "label";
    p.cv = 3;
    p.forest.n_estimators = 30;
    cip_train_result *r = NULL;
    assert_int_equal(cip_train_run(ctx, f, &p, &r), CIP_OK);
    assert_int_equal(r->n_test, 30);
    assert_true(cip_train_result_metric(r, "test_f1") > 0.8);
    assert_true(cip_train_result_metric(r, "roc_auc") > 0.9);
    assert_true(cip_train_result_metric(r, "baseline_majority_roc_auc") == 0.5);
    assert_false(isnan(cip_train_result_metric(r, "precision")));
    assert_false(isnan(cip_train_result_metric(r, "cv_f1_std")));
    assert_null(r->label_rule); /* the label column was given */
    cip_train_result_free(r);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

static void test_train_no_cv_no_test_gives_train_metrics_only(void **state)
{
    (void)state;
    cip_ctx *ctx = ctx1();
    cip_frame *f = make_table(ctx, 60, 0);
    cip_train_params p;
    cip_train_params_default(&p);
    p.target = "y";
    p.cv = 0;
    p.test_size = 0;
    p.forest.n_estimators = 5;
    const char *feats[] = {"x1"};
    p.features = feats;
    p.n_features = 1;
    cip_train_result *r = NULL;
    assert_int_equal(cip_train_run(ctx, f, &p, &r), CIP_OK);
    assert_int_equal(r->n_train, 60);
    assert_int_equal(r->n_test, 0);
    assert_int_equal(r->n_folds, 0);
    assert_true(isnan(r->cv_mean));
    assert_true(isnan(cip_train_result_metric(r, "test_r2")));
    assert_false(isnan(cip_train_result_metric(r, "train_r2")));
    assert_int_equal(r->n_features, 1);
    cip_train_result_free(r);
    /* repeated folds: cv x repeats scores, the second repeat reshuffled; random search
     * draws n_iter distinct grid points */
    p.cv = 3;
    p.cv_repeats = 2;
    p.grid = "n_estimators=5,6;max_depth=2,3";
    p.n_iter = 3;
    p.test_size = 0.2;
    assert_int_equal(cip_train_run(ctx, f, &p, &r), CIP_OK);
    assert_int_equal(r->n_folds, 6);
    assert_int_equal(r->n_candidates, 3);
    assert_false(memcmp(r->cv_scores, r->cv_scores + 3, 3 * sizeof *r->cv_scores) == 0);
    cip_train_result_free(r);
    p.cv = 0;
    p.cv_repeats = 1;
    p.n_iter = 0;
    p.test_size = 0;
    /* a grid of several points needs CV */
    p.grid = "max_depth=2,3";
    assert_int_equal(cip_train_run(ctx, f, &p, &r), CIP_ERR_INVALID);
    assert_null(r);
    /* unknown grid parameter, missing target */
    p.cv = 2;
    p.grid = "bogus=1";
    assert_int_equal(cip_train_run(ctx, f, &p, &r), CIP_ERR_INVALID);
    p.grid = NULL;
    p.target = "nope";
    assert_int_equal(cip_train_run(ctx, f, &p, &r), CIP_ERR_NOT_FOUND);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

static void test_train_raw_table_fits_pipeline_on_train_rows(void **state)
{
    (void)state;
    cip_ctx *ctx = ctx1();
    char path[1024];
    cip_frame *f = NULL;
    assert_int_equal(cip_frame_read_csv(ctx,
                                        cipt_data_path(path, sizeof path, "features/small_raw.csv"),
                                        NULL, &f),
                     CIP_OK);
    cip_train_params p;
    cip_train_params_default(&p);
    p.cv = 0;
    p.test_size = 0.25;
    p.forest.n_estimators = 5;
    cip_train_result *r = NULL;
    assert_int_equal(cip_train_run(ctx, f, &p, &r), CIP_OK);
    assert_true(r->raw_input);
    assert_non_null(r->featpipe);
    cip_featpipe_info info;
    cip_featpipe_get_info(r->featpipe, &info);
    assert_int_equal(info.n_fit_rows, r->n_train); /* not every row */
    assert_int_equal(r->n_rows, 24);
    assert_int_equal(r->n_train + r->n_test, 24);
    assert_int_equal(r->n_test, 6);     /* ceil(0.25 * 24) */
    assert_int_equal(r->n_features, 6); /* clv production set */
    assert_string_equal(r->features[2], "spend_to_income_ratio");
    /* bundle round trip: reloaded model on raw rows gives the same predictions */
    char dir[] = "/tmp/cip_train_bundle_XXXXXX";
    assert_non_null(mkdtemp(dir));
    assert_int_equal(cip_train_save_bundle(ctx, r, dir), CIP_OK);
    char mp[1100], fpp[1100];
    snprintf(mp, sizeof mp, "%s/model.forest", dir);
    snprintf(fpp, sizeof fpp, "%s/featpipe.txt", dir);
    cip_forest *fo = NULL;
    cip_featpipe *fp = NULL;
    assert_int_equal(cip_forest_load(ctx, mp, &fo), CIP_OK);
    assert_int_equal(cip_featpipe_load(ctx, fpp, &fp), CIP_OK);
    cip_frame *x1 = NULL, *x2 = NULL;
    assert_int_equal(
        cip_train_prepare(ctx, f, fp, (const char *const *)r->features, r->n_features, &x1),
        CIP_OK);
    assert_int_equal(cip_train_prepare(ctx, f, r->featpipe, (const char *const *)r->features,
                                       r->n_features, &x2),
                     CIP_OK);
    double a[24], b[24];
    assert_int_equal(cip_forest_predict(ctx, fo, x1, a, 24), CIP_OK);
    assert_int_equal(cip_forest_predict(ctx, r->forest, x2, b, 24), CIP_OK);
    for (size_t i = 0; i < 24; i++)
        assert_true(a[i] == b[i]);
    char *text = NULL;
    size_t len = 0;
    FILE *mf = fopen((snprintf(mp, sizeof mp, "%s/manifest.json", dir), mp), "r");
    assert_non_null(mf);
    assert_true(getdelim(&text, &len, '\0', mf) > 0);
    fclose(mf);
    assert_non_null(strstr(text, "\"task\": \"clv\""));
    assert_non_null(strstr(text, "\"train_r2\": "));
    free(text);
    unlink(mp);
    snprintf(mp, sizeof mp, "%s/model.forest", dir);
    unlink(mp);
    unlink(fpp);
    rmdir(dir);
    cip_frame_free(x1);
    cip_frame_free(x2);
    cip_forest_free(fo);
    cip_featpipe_free(fp);
    cip_train_result_free(r);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

static void test_train_raw_table_original_preset_churn(void **state)
{
    (void)state;
    cip_ctx *ctx = ctx1();
    char path[1024];
    cip_frame *f = NULL;
    assert_int_equal(cip_frame_read_csv(ctx,
                                        cipt_data_path(path, sizeof path, "features/small_raw.csv"),
                                        NULL, &f),
                     CIP_OK);
    cip_train_params p;
    cip_train_params_default(&p);
    p.task = CIP_TRAIN_CHURN;
    p.preset = CIP_TRAIN_PRESET_ORIGINAL; /* 10 features from a 7-column table */
    p.cv = 0;
    p.forest.n_estimators = 5;
    cip_train_result *r = NULL;
    assert_int_equal(cip_train_run(ctx, f, &p, &r), CIP_OK);
    assert_int_equal(r->n_features, 10);
    assert_string_equal(r->features[9], "is_frequent");
    assert_non_null(r->label_rule);
    assert_false(isnan(r->label_threshold));
    cip_train_result_free(r);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

static cip_status oom_body(cip_ctx *ctx, void *arg)
{
    (void)arg;
    cip_ctx_set_threads(ctx, 1);
    char path[1024];
    cip_frame *f = NULL;
    cip_status rc = cip_frame_read_csv(
        ctx, cipt_data_path(path, sizeof path, "features/small_raw.csv"), NULL, &f);
    if (rc != CIP_OK)
        return rc;
    cip_train_params p;
    cip_train_params_default(&p);
    p.task = CIP_TRAIN_CHURN;
    p.cv = 2;
    p.forest.n_estimators = 2;
    p.test_size = 0.3;
    cip_train_result *r = NULL;
    rc = cip_train_run(ctx, f, &p, &r);
    cip_train_result_free(r);
    r = NULL;
    if (rc == CIP_OK) { /* segments on the raw table */
        p.task = CIP_TRAIN_SEGMENTS;
        p.kmeans.k_max = 3;
        p.kmeans.km.n_init = 2;
        rc = cip_train_run(ctx, f, &p, &r);
        cip_train_result_free(r);
        r = NULL;
    }
    cip_frame_free(f);
    f = NULL;
    if (rc == CIP_OK) /* a generic table with a categorical feature (one-hot) */
        rc = cip_frame_read_csv(ctx, cipt_data_path(path, sizeof path, "train/generic.csv"), NULL,
                                &f);
    if (rc == CIP_OK) {
        p.task = CIP_TRAIN_CLV;
        p.target = "y";
        rc = cip_train_run(ctx, f, &p, &r);
        cip_train_result_free(r);
    }
    cip_frame_free(f);
    return rc;
}

static void test_train_oom_sweep(void **state)
{
    (void)state;
    assert_true(cipt_oom_sweep(oom_body, NULL) > 10);
}

/* --- acceptance on the reference data ------------------------------------------------- */
static cip_train_result *run_ref(cip_ctx *ctx, const cip_frame *f, cip_train_task task,
                                 const char *grid, cip_train_preset preset)
{
    cip_train_params p;
    cip_train_params_default(&p);
    p.task = task;
    p.grid = grid;
    p.preset = preset;
    cip_train_result *r = NULL;
    assert_int_equal(cip_train_run(ctx, f, &p, &r), CIP_OK);
    return r;
}

static void test_train_reference_matches_sklearn(void **state)
{
    (void)state;
    char path[1024];
    if (cipt_shared_path(path, sizeof path, "data/df_eng_customer_purchasing_features.csv") ==
        NULL) {
        skip();
        return;
    }
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_frame *f = NULL;
    assert_int_equal(cip_frame_read_csv(ctx, path, NULL, &f), CIP_OK);
    /* CLV: test R^2 within 0.005 of scikit-learn's (different split rows, see docs/TRAIN.md) */
    cip_train_result *r = run_ref(ctx, f, CIP_TRAIN_CLV, "production", CIP_TRAIN_PRESET_PRODUCTION);
    assert_int_equal(r->n_train, 190);
    assert_int_equal(r->n_test, 48);
    assert_int_equal(r->n_candidates, 32);
    assert_true(fabs(cip_train_result_metric(r, "test_r2") - 0.9969679670642502) <= 0.005);
    cip_train_result_free(r);
    /* clv_original + original grid: tests/cli/cases/train_reference_clv_original.sh */
    /* churn: the label rule reproduces the reference threshold and class counts */
    r = run_ref(ctx, f, CIP_TRAIN_CHURN, "production", CIP_TRAIN_PRESET_PRODUCTION);
    assert_true(r->label_threshold == 0.63405);
    assert_int_equal(r->n_test, 48);
    /* sklearn: F1 = precision = recall = ROC AUC = 1.0 on its split; so is cip's (seed 42) */
    assert_true(cip_train_result_metric(r, "roc_auc") == 1.0);
    assert_true(cip_train_result_metric(r, "test_f1") == 1.0);
    assert_true(cip_train_result_metric(r, "precision") == 1.0);
    assert_true(cip_train_result_metric(r, "recall") == 1.0);
    cip_train_result_free(r);
    /* segmentation_original: k = 8, silhouette of k = 2..6 as sklearn */
    cip_train_params p;
    cip_train_params_default(&p);
    p.task = CIP_TRAIN_SEGMENTS;
    assert_int_equal(cip_train_run(ctx, f, &p, &r), CIP_OK);
    assert_true(cip_train_result_metric(r, "optimal_n_clusters") == 8.0);
    assert_true(fabs(cip_train_result_metric(r, "silhouette_k2") - 0.47870177793335267) < 1e-9);
    assert_true(fabs(cip_train_result_metric(r, "silhouette_k5") - 0.5649521497968379) < 1e-9);
    assert_true(fabs(cip_train_result_metric(r, "inertia_k4") - 202.6185818721616) < 1e-6);
    cip_train_result_free(r);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_train_forest_estimator_set_param_cases),
        cmocka_unit_test(test_train_forest_estimator_flags_and_samples),
        cmocka_unit_test(test_train_sample_weights_equal_duplicated_rows),
        cmocka_unit_test(test_train_oob_and_permutation_importance),
        cmocka_unit_test(test_train_forest_estimator_matches_direct_fit),
        cmocka_unit_test(test_train_clv_generic_table_learns_target),
        cmocka_unit_test(test_train_churn_generic_table_stratified),
        cmocka_unit_test(test_train_no_cv_no_test_gives_train_metrics_only),
        cmocka_unit_test(test_train_raw_table_fits_pipeline_on_train_rows),
        cmocka_unit_test(test_train_raw_table_original_preset_churn),
        cmocka_unit_test(test_train_oom_sweep),
        cmocka_unit_test(test_train_reference_matches_sklearn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
