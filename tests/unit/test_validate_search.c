/* test_validate_search.c - parameter grids, scores and search (split from test_validate.c)
 *
 * Reference values come from scikit-learn 1.2 via tools/ref_validate.py
 * (tests/data/validate/ref.txt): ParameterGrid order and GridSearchCV
 * cv_results_ for Ridge and LogisticRegression; a toy estimator with known
 * answers checks the search machinery.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cip/baseline.h"
#include "cip/validate.h"
#include "cipi.h"
#include "refdata.h"

/* --- parameter grids --------------------------------------------------------------------- */
static void test_validate_grid_order_matches_sklearn(void **state)
{
    (void)state;
    cip_ctx *ctx = cipt_ctx_threads(1);
    cip_param_grid *g;
    const struct ref_line *text = cipt_ref_get("grid.text"), *keys = cipt_ref_get("grid.keys");
    assert_int_equal(cip_param_grid_parse(ctx, text->tok[0] + 2, &g), CIP_OK);
    size_t m;
    double *size = cipt_ref_nums("grid.size", &m);
    assert_int_equal(cip_param_grid_size(g), (size_t)size[0]);
    assert_int_equal(cip_param_grid_n_params(g), keys->n);
    for (size_t k = 0; k < keys->n; k++)
        assert_string_equal(cip_param_grid_name(g, k), keys->tok[k] + 2);
    for (size_t pt = 0; pt < cip_param_grid_size(g); pt++) {
        char key[32];
        snprintf(key, sizeof key, "grid.p%zu", pt);
        const struct ref_line *r = cipt_ref_get(key);
        for (size_t k = 0; k < r->n; k++) {
            cip_param_value v = cip_param_grid_value(g, pt, k);
            if (strcmp(r->tok[k], "none") == 0) {
                assert_int_equal(v.kind, CIP_PARAM_NONE);
            } else if (strncmp(r->tok[k], "s:", 2) == 0) {
                assert_int_equal(v.kind, CIP_PARAM_STR);
                assert_string_equal(v.str, r->tok[k] + 2);
            } else {
                assert_int_equal(v.kind, CIP_PARAM_NUM);
                assert_true(v.num == strtod(r->tok[k], NULL));
            }
        }
    }
    char buf[128];
    size_t len = cip_param_grid_format(g, 8, buf, sizeof buf);
    assert_string_equal(buf, "max_depth=none;max_features=sqrt;min_samples_leaf=1;n_estimators=50");
    assert_int_equal(len, strlen(buf));
    assert_int_equal(cip_param_grid_format(g, 8, buf, 10), len); /* truncated, full length */
    assert_string_equal(buf, "max_depth");
    free(size);
    cip_param_grid_free(g);
    /* An empty grid has one point with no parameters. */
    assert_int_equal(cip_param_grid_parse(ctx, " ; ", &g), CIP_OK);
    assert_int_equal(cip_param_grid_size(g), 1);
    assert_int_equal(cip_param_grid_n_params(g), 0);
    cip_param_grid_free(g);
    cip_ctx_free(ctx);
}

static void test_validate_grid_parse_errors_name_the_token(void **state)
{
    (void)state;
    cip_ctx *ctx = cipt_ctx_threads(1);
    struct {
        const char *text, *needle;
    } bad[] = {
        {"n_estimators=50,,100", "empty value for 'n_estimators' at column 17"},
        {"max_depth=5x", "bad number '5x' for 'max_depth' at column 11"},
        {"a=1;max_depth", "expected name=value[,value...] but found 'max_depth' at column 5"},
        {"a=1; a=2", "'a' given twice (column 6)"},
        {"=5", "bad parameter name '' at column 1"},
        {"max depth=5", "bad parameter name 'max depth'"},
        {"x=-inf", "bad number '-inf'"},
        {"x=1e999", "bad number '1e999'"},
    };
    for (size_t i = 0; i < CIP_ARRAY_LEN(bad); i++) {
        cip_param_grid *g = (cip_param_grid *)1;
        assert_int_equal(cip_param_grid_parse(ctx, bad[i].text, &g), CIP_ERR_PARSE);
        assert_null(g);
        if (strstr(cip_ctx_errmsg(ctx), bad[i].needle) == NULL)
            fail_msg("'%s': message '%s' lacks '%s'", bad[i].text, cip_ctx_errmsg(ctx),
                     bad[i].needle);
    }
    /* Values: numbers, none/NULL in any case, strings; blanks trimmed. */
    cip_param_grid *g;
    assert_int_equal(cip_param_grid_parse(ctx, " b = NULL , 1e-3 ; a=sqrt,log2 ;", &g), CIP_OK);
    assert_int_equal(cip_param_grid_size(g), 4);
    assert_string_equal(cip_param_grid_name(g, 0), "a");
    assert_int_equal(cip_param_grid_value(g, 0, 1).kind, CIP_PARAM_NONE);
    assert_true(cip_param_grid_value(g, 1, 1).num == 1e-3);
    assert_string_equal(cip_param_grid_value(g, 2, 0).str, "log2");
    cip_param_grid_free(g);
    cip_ctx_free(ctx);
}

static void test_validate_grid_apply_sets_estimator_params(void **state)
{
    (void)state;
    cip_ctx *ctx = cipt_ctx_threads(1);
    cip_baseline_params base, got;
    cip_baseline_params_default(&base);
    base.kind = CIP_BASELINE_RIDGE;
    cip_estimator est;
    cip_baseline_estimator(&base, &est);
    cip_param_grid *g;
    assert_int_equal(cip_param_grid_parse(ctx, "alpha=0.5,2;standardize=true", &g), CIP_OK);
    assert_int_equal(cip_param_grid_apply(ctx, g, 1, &est, &got), CIP_OK);
    assert_true(got.alpha == 2.0);
    assert_int_equal(got.standardize, 1);
    assert_true(got.C == base.C);
    assert_int_equal(cip_param_grid_apply(ctx, g, 2, &est, &got), CIP_ERR_INVALID);
    cip_param_grid_free(g);
    assert_int_equal(cip_param_grid_parse(ctx, "alpha=-1", &g), CIP_OK);
    assert_int_equal(cip_param_grid_apply(ctx, g, 0, &est, &got), CIP_ERR_INVALID);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "parameter 'alpha': baseline: alpha -1"));
    cip_param_grid_free(g);
    assert_int_equal(cip_param_grid_parse(ctx, "max_depth=3", &g), CIP_OK);
    assert_int_equal(cip_param_grid_apply(ctx, g, 0, &est, &got), CIP_ERR_INVALID);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "unknown baseline parameter 'max_depth'"));
    cip_param_grid_free(g);
    cip_ctx_free(ctx);
}

/* --- scores -------------------------------------------------------------------------------- */
static double score1(cip_ctx *ctx, cip_scorer s, cip_output k, const double *y, const double *p,
                     size_t n)
{
    double v;
    assert_int_equal(cip_score(ctx, s, k, y, p, n, &v), CIP_OK);
    return v;
}

static void test_validate_scores_known_values(void **state)
{
    (void)state;
    cip_ctx *ctx = cipt_ctx_threads(1);
    double y[6] = {1, 0, 1, 1, 0, 0}, p[6] = {0.9, 0.4, 0.4, 0.6, 0.1, 0.7};
    /* Pairs (pos, neg): 9; pos > neg in 6, ties (0.4, 0.4) one half: (6 + 0.5) / 9. */
    assert_true(fabs(score1(ctx, CIP_SCORE_ROC_AUC, CIP_OUTPUT_PROBA, y, p, 6) - 6.5 / 9) < 1e-15);
    /* Labels p > 0.5: 1 0 0 1 0 1 -> tp 2, fp 1, fn 1: f1 = 4/6, accuracy 4/6. */
    assert_true(fabs(score1(ctx, CIP_SCORE_F1, CIP_OUTPUT_PROBA, y, p, 6) - 4.0 / 6) < 1e-15);
    assert_true(fabs(score1(ctx, CIP_SCORE_ACCURACY, CIP_OUTPUT_PROBA, y, p, 6) - 4.0 / 6) < 1e-15);
    double ll = -(log(0.9) + log(0.6) + log(0.4) + log(0.6) + log(0.9) + log(0.3)) / 6;
    assert_true(fabs(score1(ctx, CIP_SCORE_NEG_LOG_LOSS, CIP_OUTPUT_PROBA, y, p, 6) + ll) < 1e-15);
    double yr[4] = {1, 2, 3, 4}, pr[4] = {1.5, 2, 2, 5};
    /* ss_res = 0.25 + 0 + 1 + 1 = 2.25, ss_tot = 5. */
    assert_true(fabs(score1(ctx, CIP_SCORE_R2, CIP_OUTPUT_VALUE, yr, pr, 4) - (1 - 2.25 / 5)) <
                1e-15);
    assert_true(fabs(score1(ctx, CIP_SCORE_NEG_RMSE, CIP_OUTPUT_VALUE, yr, pr, 4) +
                     sqrt(2.25 / 4)) < 1e-15);
    assert_true(fabs(score1(ctx, CIP_SCORE_NEG_MAE, CIP_OUTPUT_VALUE, yr, pr, 4) + 2.5 / 4) <
                1e-15);
    double yc[3] = {2, 2, 2};
    assert_true(score1(ctx, CIP_SCORE_R2, CIP_OUTPUT_VALUE, yc, yc, 3) == 1.0);
    assert_true(score1(ctx, CIP_SCORE_R2, CIP_OUTPUT_VALUE, yc, yr, 3) == 0.0);
    double lab[3] = {2, 1, 2};
    assert_true(fabs(score1(ctx, CIP_SCORE_ACCURACY, CIP_OUTPUT_LABEL, yc, lab, 3) - 2.0 / 3) <
                1e-15);
    double one[3] = {1, 1, 1};
    assert_true(isnan(score1(ctx, CIP_SCORE_ROC_AUC, CIP_OUTPUT_PROBA, one, p, 3)));
    double zero[3] = {0, 0, 0};
    assert_true(score1(ctx, CIP_SCORE_F1, CIP_OUTPUT_LABEL, zero, zero, 3) == 0.0);
    double v;
    assert_int_equal(cip_score(ctx, CIP_SCORE_F1, CIP_OUTPUT_LABEL, yc, lab, 3, &v),
                     CIP_ERR_INVALID);
    assert_int_equal(cip_score(ctx, CIP_SCORE_ACCURACY, CIP_OUTPUT_VALUE, y, p, 6, &v),
                     CIP_ERR_INVALID);
    assert_int_equal(cip_score(ctx, CIP_SCORE_NEG_LOG_LOSS, CIP_OUTPUT_LABEL, y, p, 6, &v),
                     CIP_ERR_INVALID);
    cip_scorer s;
    assert_int_equal(cip_scorer_parse(ctx, "neg_root_mean_squared_error", &s), CIP_OK);
    assert_int_equal(s, CIP_SCORE_NEG_RMSE);
    assert_int_equal(cip_scorer_parse(ctx, "roc_auc", &s), CIP_OK);
    assert_int_equal(s, CIP_SCORE_ROC_AUC);
    assert_int_equal(cip_scorer_parse(ctx, "auc", &s), CIP_ERR_INVALID);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "unknown scoring 'auc'"));
    cip_ctx_free(ctx);
}

/* --- search against GridSearchCV ------------------------------------------------------------ */
static double max_dev;

static void expect_close(const char *key, const double *got, size_t n, size_t stride, double tol)
{
    size_t m;
    double *want = cipt_ref_nums(key, &m);
    assert_int_equal(m, n);
    for (size_t i = 0; i < n; i++) {
        double d = fabs(got[i * stride] - want[i]);
        max_dev = d > max_dev ? d : max_dev;
        if (!(d <= tol))
            fail_msg("%s[%zu]: got %.17g, sklearn %.17g", key, i, got[i * stride], want[i]);
    }
    free(want);
}

static void check_cv_results(const cip_search_result *r, const char *prefix, double tol)
{
    size_t nc = cip_search_result_n_candidates(r), nf = cip_search_result_n_folds(r);
    const char *fields[] = {"mean_test", "std_test", "mean_train", "std_train", "rank"};
    double *col = malloc(nc * sizeof *col), *split = malloc(nc * nf * sizeof *split);
    char key[96];
    for (size_t q = 0; q < CIP_ARRAY_LEN(fields); q++) {
        for (size_t c = 0; c < nc; c++) {
            const cip_search_candidate *cd = cip_search_result_candidate(r, c);
            double v[5] = {cd->mean_test, cd->std_test, cd->mean_train, cd->std_train,
                           (double)cd->rank};
            col[c] = v[q];
            assert_true(cd->gap == cd->mean_train - cd->mean_test);
            assert_int_equal(cd->point, c);
        }
        snprintf(key, sizeof key, "%s.%s", prefix, fields[q]);
        expect_close(key, col, nc, 1, q == 4 ? 0.0 : tol);
    }
    for (size_t c = 0; c < nc; c++)
        memcpy(split + c * nf, cip_search_result_fold_scores(r, c, 0), nf * sizeof *split);
    snprintf(key, sizeof key, "%s.split_test", prefix);
    expect_close(key, split, nc * nf, 1, tol);
    size_t m;
    snprintf(key, sizeof key, "%s.best", prefix);
    double *best = cipt_ref_nums(key, &m);
    assert_int_equal(cip_search_result_best(r), (size_t)best[0]);
    free(best);
    free(col);
    free(split);
}

static cip_search_result *run_search(cip_ctx *ctx, const cip_baseline_params *bp,
                                     const char *grid_text, const struct cipt_xyw *d,
                                     const cip_fold_params *fp, cip_scorer sc)
{
    cip_estimator est;
    cip_baseline_estimator(bp, &est);
    cip_param_grid *g;
    assert_int_equal(cip_param_grid_parse(ctx, grid_text, &g), CIP_OK);
    cip_split_data sd = {d->n, d->y, NULL, NULL};
    cip_folds *f;
    assert_int_equal(cip_folds_make(ctx, &sd, fp, &f), CIP_OK);
    cip_search_params sp;
    cip_search_params_default(&sp);
    sp.scorer = sc;
    cip_xy xy = {d->x, d->y, NULL};
    cip_search_result *r = NULL;
    cip_status rc = cip_search_run(ctx, &est, g, &xy, f, &sp, &r);
    if (rc != CIP_OK)
        fail_msg("search failed: %s", cip_ctx_errmsg(ctx));
    cip_param_grid_free(g);
    cip_folds_free(f);
    return r;
}

static void test_validate_search_ridge_matches_sklearn(void **state)
{
    (void)state;
    cip_ctx *ctx = cipt_ctx_threads(2);
    struct cipt_xyw d;
    cipt_xyw_load(ctx, "validate/reg.txt", &d);
    cip_baseline_params bp;
    cip_baseline_params_default(&bp);
    bp.kind = CIP_BASELINE_RIDGE;
    cip_fold_params fp;
    cip_fold_params_default(&fp);
    const char *grid = "alpha=0.001,0.1,1,10,100,1000";
    max_dev = 0;
    cip_search_result *r = run_search(ctx, &bp, grid, &d, &fp, CIP_SCORE_R2);
    check_cv_results(r, "gs.ridge.r2", 1e-10);
    /* The refit model is ridge at the best alpha on all rows. */
    const cip_baseline *m = cip_search_result_model(r);
    assert_non_null(m);
    assert_int_equal(cip_baseline_get_kind(m), CIP_BASELINE_RIDGE);
    cip_search_result_free(r);
    r = run_search(ctx, &bp, grid, &d, &fp, CIP_SCORE_NEG_RMSE);
    check_cv_results(r, "gs.ridge.neg_rmse", 1e-10);
    cip_baseline *taken = cip_search_result_take_model(r);
    assert_non_null(taken);
    assert_null(cip_search_result_take_model(r));
    cip_baseline_free(taken);
    cip_search_result_free(r);
    print_message("GridSearchCV(Ridge) r2/neg_rmse: max |cip - sklearn| = %.3g\n", max_dev);
    cipt_xyw_free(&d);
    cip_ctx_free(ctx);
}

static void test_validate_search_logistic_matches_sklearn(void **state)
{
    (void)state;
    cip_ctx *ctx = cipt_ctx_threads(2);
    struct cipt_xyw d;
    cipt_xyw_load(ctx, "validate/clf.txt", &d);
    cip_baseline_params bp;
    cip_baseline_params_default(&bp);
    bp.kind = CIP_BASELINE_LOGISTIC;
    cip_fold_params fp;
    cip_fold_params_default(&fp);
    fp.kind = CIP_FOLD_STRATIFIED;
    fp.n_splits = 4;
    const char *grid = "C=0.001,0.01,0.1,1,10";
    const char *names[] = {"roc_auc", "accuracy", "neg_log_loss", "f1"};
    max_dev = 0;
    for (size_t i = 0; i < 4; i++) {
        cip_scorer sc;
        char prefix[64];
        assert_int_equal(cip_scorer_parse(ctx, names[i], &sc), CIP_OK);
        cip_search_result *r = run_search(ctx, &bp, grid, &d, &fp, sc);
        snprintf(prefix, sizeof prefix, "gs.logit.%s", names[i]);
        check_cv_results(r, prefix, 1e-9);
        cip_search_result_free(r);
    }
    print_message("GridSearchCV(LogisticRegression) 4 scorers: max |cip - sklearn| = %.3g\n",
                  max_dev);
    cipt_xyw_free(&d);
    cip_ctx_free(ctx);
}

/* Mean baseline on y = 0..9 with 5 unshuffled folds, scored by neg MAE: fold f
 * tests y = {2f, 2f+1} against the train mean 5.5 - 0.5 f, giving -5, -2.5,
 * -0.5, -2.5, -5; mean -3.1, population std sqrt(2.94). */
static void test_validate_cv_mean_std_by_hand(void **state)
{
    (void)state;
    cip_ctx *ctx = cipt_ctx_threads(1);
    double y[10];
    for (int i = 0; i < 10; i++)
        y[i] = i;
    cip_frame *x;
    assert_int_equal(cip_frame_new(ctx, 10, &x), CIP_OK);
    assert_int_equal(cip_frame_add_f64(ctx, x, "y_copy", y, NULL), CIP_OK);
    cip_baseline_params bp;
    cip_baseline_params_default(&bp);
    cip_estimator est;
    cip_baseline_estimator(&bp, &est);
    cip_param_grid *g;
    assert_int_equal(cip_param_grid_new(ctx, &g), CIP_OK);
    cip_split_data sd = {10, NULL, NULL, NULL};
    cip_fold_params fp;
    cip_fold_params_default(&fp);
    cip_folds *f;
    assert_int_equal(cip_folds_make(ctx, &sd, &fp, &f), CIP_OK);
    cip_search_params sp;
    cip_search_params_default(&sp);
    sp.scorer = CIP_SCORE_NEG_MAE;
    cip_xy xy = {x, y, NULL};
    cip_search_result *r;
    assert_int_equal(cip_search_run(ctx, &est, g, &xy, f, &sp, &r), CIP_OK);
    assert_int_equal(cip_search_result_n_candidates(r), 1);
    const double *fs = cip_search_result_fold_scores(r, 0, 0);
    double want[5] = {-5, -2.5, -0.5, -2.5, -5};
    for (int k = 0; k < 5; k++)
        assert_true(fabs(fs[k] - want[k]) < 1e-15);
    const cip_search_candidate *c = cip_search_result_candidate(r, 0);
    assert_true(fabs(c->mean_test + 3.1) < 1e-15);
    assert_true(fabs(c->std_test - sqrt(2.94)) < 1e-15);
    assert_int_equal(c->rank, 1);
    /* Train scores: train rows of fold 0 are y = 2..9 with mean 5.5: MAE 2. */
    assert_true(fabs(cip_search_result_fold_scores(r, 0, 1)[0] + 2.0) < 1e-15);
    cip_search_result_free(r);
    cip_param_grid_free(g);
    cip_folds_free(f);
    cip_frame_free(x);
    cip_ctx_free(ctx);
}

/* --- a toy estimator: predicts the training mean plus `shift` -------------------------------- */
struct toy_params {
    double shift;     /* added to the mean */
    const char *mode; /* "fail": fit fails on fold 2 of 4 unshuffled folds of y = 0..19 */
};

static cip_status toy_set(cip_ctx *ctx, void *ud, void *params, const char *name,
                          const cip_param_value *v)
{
    (void)ud;
    struct toy_params *p = params;
    if (strcmp(name, "shift") == 0 && v->kind == CIP_PARAM_NUM)
        p->shift = v->num;
    else if (strcmp(name, "mode") == 0 && v->kind == CIP_PARAM_STR)
        p->mode = v->str;
    else
        return cipi_fail(ctx, CIP_ERR_INVALID, "toy: bad parameter '%s'", name);
    return CIP_OK;
}

static cip_status toy_fit(cip_ctx *ctx, void *ud, const cip_frame *x, const double *y,
                          const double *w, const void *params, void **model)
{
    (void)ud;
    (void)w;
    const struct toy_params *p = params;
    size_t n = cip_frame_n_rows(x);
    if (p->mode != NULL && strcmp(p->mode, "fail") == 0 && n > 10 && y[5] == 5.0 && y[10] == 15.0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "toy failure");
    double *m = malloc(sizeof *m), s = 0;
    for (size_t i = 0; i < n; i++)
        s += y[i];
    *m = s / (double)n + p->shift;
    *model = m;
    return CIP_OK;
}

static cip_status toy_predict(cip_ctx *ctx, void *ud, const void *model, const cip_frame *x,
                              double *out)
{
    (void)ctx;
    (void)ud;
    for (size_t i = 0; i < cip_frame_n_rows(x); i++)
        out[i] = *(const double *)model;
    return CIP_OK;
}

static void toy_free(void *ud, void *model)
{
    (void)ud;
    free(model);
}

static const struct toy_params toy_defaults = {0.0, NULL};
static const cip_estimator toy_est = {
    "toy",   NULL,        CIP_OUTPUT_VALUE, sizeof(struct toy_params), &toy_defaults, 1, toy_set,
    toy_fit, toy_predict, toy_free};

struct toy_data {
    cip_frame *x;
    double y[20];
    cip_folds *folds;
};

static void toy_data_make(cip_ctx *ctx, struct toy_data *t)
{
    for (int i = 0; i < 20; i++)
        t->y[i] = i;
    assert_int_equal(cip_frame_new(ctx, 20, &t->x), CIP_OK);
    assert_int_equal(cip_frame_add_f64(ctx, t->x, "v", t->y, NULL), CIP_OK);
    cip_split_data sd = {20, NULL, NULL, NULL};
    cip_fold_params fp;
    cip_fold_params_default(&fp);
    fp.n_splits = 4;
    assert_int_equal(cip_folds_make(ctx, &sd, &fp, &t->folds), CIP_OK);
}

static void toy_data_free(struct toy_data *t)
{
    cip_frame_free(t->x);
    cip_folds_free(t->folds);
}

static void test_validate_search_toy_picks_known_best(void **state)
{
    (void)state;
    cip_ctx *ctx = cipt_ctx_threads(2);
    struct toy_data t;
    toy_data_make(ctx, &t);
    cip_param_grid *g;
    assert_int_equal(cip_param_grid_parse(ctx, "shift=-2,3,0.5,-0.25,1", &g), CIP_OK);
    cip_search_params sp;
    cip_search_params_default(&sp);
    sp.scorer = CIP_SCORE_NEG_RMSE;
    cip_xy xy = {t.x, t.y, NULL};
    cip_search_result *r;
    assert_int_equal(cip_search_run(ctx, &toy_est, g, &xy, t.folds, &sp, &r), CIP_OK);
    /* Mean fold RMSE (numpy): shift -2: 6.917, 3: 7.040, 0.5: 6.863, -0.25: 6.861,
     * 1: 6.872, so -0.25 is best and 3 is worst. */
    assert_int_equal(cip_search_result_best(r), 3);
    assert_int_equal(cip_search_result_candidate(r, 3)->rank, 1);
    assert_int_equal(cip_search_result_candidate(r, 1)->rank, 5);
    const double *m = cip_search_result_model(r);
    assert_true(fabs(*m - (9.5 - 0.25)) < 1e-15);
    cip_search_result_free(r);
    cip_param_grid_free(g);
    toy_data_free(&t);
    cip_ctx_free(ctx);
}

static void test_validate_search_reports_lowest_failing_task(void **state)
{
    (void)state;
    for (int threads = 1; threads <= 2; threads++) {
        cip_ctx *ctx = cipt_ctx_threads(threads);
        struct toy_data t;
        toy_data_make(ctx, &t);
        cip_param_grid *g;
        assert_int_equal(cip_param_grid_parse(ctx, "mode=ok,fail;shift=0,1", &g), CIP_OK);
        cip_search_params sp;
        cip_search_params_default(&sp);
        cip_xy xy = {t.x, t.y, NULL};
        cip_search_result *r = (cip_search_result *)1;
        assert_int_equal(cip_search_run(ctx, &toy_est, g, &xy, t.folds, &sp, &r), CIP_ERR_INVALID);
        assert_null(r);
        assert_string_equal(cip_ctx_errmsg(ctx),
                            "toy: candidate 2 {mode=fail;shift=0}, fold 2: toy failure");
        cip_param_grid_free(g);
        /* A grid the estimator rejects fails before any fit. */
        assert_int_equal(cip_param_grid_parse(ctx, "depth=1", &g), CIP_OK);
        assert_int_equal(cip_search_run(ctx, &toy_est, g, &xy, t.folds, &sp, &r), CIP_ERR_INVALID);
        assert_string_equal(cip_ctx_errmsg(ctx), "parameter 'depth': toy: bad parameter 'depth'");
        cip_param_grid_free(g);
        toy_data_free(&t);
        cip_ctx_free(ctx);
    }
}

static void test_validate_random_search_draws_distinct_points(void **state)
{
    (void)state;
    cip_ctx *ctx = cipt_ctx_threads(1);
    struct toy_data t;
    toy_data_make(ctx, &t);
    cip_param_grid *g;
    assert_int_equal(cip_param_grid_parse(ctx, "shift=0,1,2,3,4,5,6,7,8,9,10,11;mode=a,b", &g),
                     CIP_OK);
    cip_search_params sp;
    cip_search_params_default(&sp);
    sp.refit = 0;
    cip_xy xy = {t.x, t.y, NULL};
    size_t first[3][6];
    for (int run = 0; run < 3; run++) {
        sp.n_iter = 6;
        sp.seed = run == 2 ? 8 : 7;
        cip_search_result *r;
        assert_int_equal(cip_search_run(ctx, &toy_est, g, &xy, t.folds, &sp, &r), CIP_OK);
        assert_int_equal(cip_search_result_n_candidates(r), 6);
        assert_null(cip_search_result_model(r));
        for (size_t c = 0; c < 6; c++) {
            first[run][c] = cip_search_result_candidate(r, c)->point;
            assert_true(first[run][c] < 24);
            for (size_t q = 0; q < c; q++)
                assert_true(first[run][q] != first[run][c]);
        }
        cip_search_result_free(r);
    }
    assert_memory_equal(first[0], first[1], sizeof first[0]);
    assert_true(memcmp(first[0], first[2], sizeof first[0]) != 0);
    /* n_iter above the grid size: every point once, in a random order. */
    sp.n_iter = 100;
    cip_search_result *r;
    assert_int_equal(cip_search_run(ctx, &toy_est, g, &xy, t.folds, &sp, &r), CIP_OK);
    assert_int_equal(cip_search_result_n_candidates(r), 24);
    unsigned seen[24] = {0};
    for (size_t c = 0; c < 24; c++)
        seen[cip_search_result_candidate(r, c)->point]++;
    for (size_t c = 0; c < 24; c++)
        assert_int_equal(seen[c], 1);
    cip_search_result_free(r);
    cip_param_grid_free(g);
    toy_data_free(&t);
    cip_ctx_free(ctx);
}

/* Fold scores and the refit model are identical for 1 thread, 2 threads with
 * parallel tasks, and 2 threads with one task at a time. */
static void test_validate_search_same_for_any_thread_count(void **state)
{
    (void)state;
    double scores[3][2][5 * 4 * 2];
    double coef[3][4];
    for (int mode = 0; mode < 3; mode++) {
        cip_ctx *ctx = cipt_ctx_threads(mode == 0 ? 1 : 2);
        struct cipt_xyw d;
        cipt_xyw_load(ctx, "validate/reg.txt", &d);
        cip_baseline_params bp;
        cip_baseline_params_default(&bp);
        bp.kind = CIP_BASELINE_RIDGE;
        cip_estimator est;
        cip_baseline_estimator(&bp, &est);
        cip_param_grid *g;
        assert_int_equal(cip_param_grid_parse(ctx, "alpha=0.1,1,10,100;standardize=0,1", &g),
                         CIP_OK);
        cip_split_data sd = {d.n, NULL, NULL, NULL};
        cip_fold_params fp;
        cip_fold_params_default(&fp);
        fp.shuffle = 1;
        fp.seed = 3;
        cip_folds *f;
        assert_int_equal(cip_folds_make(ctx, &sd, &fp, &f), CIP_OK);
        cip_search_params sp;
        cip_search_params_default(&sp);
        sp.parallel_tasks = mode != 2;
        cip_xy xy = {d.x, d.y, d.w};
        cip_search_result *r;
        assert_int_equal(cip_search_run(ctx, &est, g, &xy, f, &sp, &r), CIP_OK);
        for (size_t c = 0; c < 8; c++)
            for (int tr = 0; tr < 2; tr++)
                memcpy(scores[mode][tr] + c * 5, cip_search_result_fold_scores(r, c, tr),
                       5 * sizeof(double));
        size_t n;
        memcpy(coef[mode], cip_baseline_coef(cip_search_result_model(r), &n), sizeof coef[0]);
        cip_search_result_free(r);
        cip_param_grid_free(g);
        cip_folds_free(f);
        cipt_xyw_free(&d);
        cip_ctx_free(ctx);
    }
    assert_memory_equal(scores[0], scores[1], sizeof scores[0]);
    assert_memory_equal(scores[0], scores[2], sizeof scores[0]);
    assert_memory_equal(coef[0], coef[1], sizeof coef[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validate_grid_order_matches_sklearn),
        cmocka_unit_test(test_validate_grid_parse_errors_name_the_token),
        cmocka_unit_test(test_validate_grid_apply_sets_estimator_params),
        cmocka_unit_test(test_validate_scores_known_values),
        cmocka_unit_test(test_validate_search_ridge_matches_sklearn),
        cmocka_unit_test(test_validate_search_logistic_matches_sklearn),
        cmocka_unit_test(test_validate_cv_mean_std_by_hand),
        cmocka_unit_test(test_validate_search_toy_picks_known_best),
        cmocka_unit_test(test_validate_search_reports_lowest_failing_task),
        cmocka_unit_test(test_validate_random_search_draws_distinct_points),
        cmocka_unit_test(test_validate_search_same_for_any_thread_count),
    };
    return cmocka_run_group_tests(tests, cipt_ref_load, cipt_ref_free);
}
