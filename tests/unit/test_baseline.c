/* test_baseline.c - dummy, ridge and logistic baselines against scikit-learn 1.2
 *
 * Reference values come from tools/ref_validate.py (tests/data/validate/ref.txt):
 * DummyRegressor/DummyClassifier, Ridge (alpha 0, 1, 10, weighted, with
 * StandardScaler) and LogisticRegression (C 0.1, 1, 100, weighted, with
 * StandardScaler). Logistic references are sklearn's newton-cg optimum; the
 * default lbfgs solver's values are compared with the looser tolerances it
 * allows (it stops up to ~3e-5 short of the optimum).
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cip/baseline.h"
#include "cip/validate.h"
#include "refdata.h"

/* max |got - want| over n values of a reference line; fails above tol. */
static double compare(const char *key, const double *got, size_t n, double tol)
{
    size_t m;
    double *want = cipt_ref_nums(key, &m), dev = 0;
    assert_int_equal(m, n);
    for (size_t i = 0; i < n; i++) {
        double d = fabs(got[i] - want[i]);
        dev = d > dev ? d : dev;
        if (!(d <= tol))
            fail_msg("%s[%zu]: got %.17g, sklearn %.17g (|diff| %.3g > %.3g)", key, i, got[i],
                     want[i], d, tol);
    }
    free(want);
    return dev;
}

static cip_baseline *fit_ok(cip_ctx *ctx, const cip_frame *x, const double *y, const double *w,
                            const cip_baseline_params *p)
{
    cip_baseline *m = NULL;
    cip_status rc = cip_baseline_fit(ctx, x, y, w, p, &m);
    if (rc != CIP_OK)
        fail_msg("fit failed: %s", cip_ctx_errmsg(ctx));
    return m;
}

/* --- ridge ------------------------------------------------------------------------------- */
static void test_baseline_ridge_matches_sklearn(void **state)
{
    (void)state;
    cip_ctx *ctx = cipt_ctx_threads(1);
    struct cipt_xyw d;
    cipt_xyw_load(ctx, "validate/reg.txt", &d);
    const char *keys[] = {"a1", "a1w", "a10", "a0"};
    const double alphas[] = {1.0, 1.0, 10.0, 0.0};
    double dev_coef = 0, dev_pred = 0;
    double *pred = malloc(d.n * sizeof *pred);
    for (size_t k = 0; k < 4; k++) {
        cip_baseline_params p;
        cip_baseline_params_default(&p);
        p.kind = CIP_BASELINE_RIDGE;
        p.alpha = alphas[k];
        cip_baseline *m = fit_ok(ctx, d.x, d.y, k == 1 ? d.w : NULL, &p);
        char key[64];
        size_t nc;
        const double *coef = cip_baseline_coef(m, &nc);
        assert_int_equal(nc, d.p);
        assert_string_equal(cip_baseline_coef_name(m, 2), "x2");
        snprintf(key, sizeof key, "ridge.%s.coef", keys[k]);
        double dv = compare(key, coef, nc, 1e-8);
        dev_coef = dv > dev_coef ? dv : dev_coef;
        double b = cip_baseline_intercept(m);
        snprintf(key, sizeof key, "ridge.%s.intercept", keys[k]);
        dv = compare(key, &b, 1, 1e-8);
        dev_coef = dv > dev_coef ? dv : dev_coef;
        assert_int_equal(cip_baseline_predict(ctx, m, d.x, pred), CIP_OK);
        snprintf(key, sizeof key, "ridge.%s.pred", keys[k]);
        dv = compare(key, pred, d.n, 1e-8);
        dev_pred = dv > dev_pred ? dv : dev_pred;
        cip_baseline_free(m);
    }
    cip_baseline_params p;
    cip_baseline_params_default(&p);
    p.kind = CIP_BASELINE_RIDGE;
    p.standardize = 1;
    cip_baseline *m = fit_ok(ctx, d.x, d.y, NULL, &p);
    assert_int_equal(cip_baseline_predict(ctx, m, d.x, pred), CIP_OK);
    double dv = compare("ridge.std.pred", pred, d.n, 1e-8);
    dev_pred = dv > dev_pred ? dv : dev_pred;
    cip_baseline_free(m);
    print_message("Ridge vs sklearn: max |coef/intercept diff| %.3g, max |pred diff| %.3g\n",
                  dev_coef, dev_pred);
    free(pred);
    cipt_xyw_free(&d);
    cip_ctx_free(ctx);
}

/* --- logistic ------------------------------------------------------------------------------- */
static void test_baseline_logistic_matches_sklearn(void **state)
{
    (void)state;
    cip_ctx *ctx = cipt_ctx_threads(1);
    struct cipt_xyw d;
    cipt_xyw_load(ctx, "validate/clf.txt", &d);
    const char *keys[] = {"c1", "c1w", "c0.1", "c100"};
    const double Cs[] = {1.0, 1.0, 0.1, 100.0};
    double dev[2][2] = {{0}}; /* [optimum, lbfgs][coef, proba] */
    double *proba = malloc(2 * d.n * sizeof *proba), *p1 = malloc(d.n * sizeof *p1);
    for (size_t k = 0; k < 4; k++) {
        cip_baseline_params p;
        cip_baseline_params_default(&p);
        p.kind = CIP_BASELINE_LOGISTIC;
        p.C = Cs[k];
        cip_baseline *m = fit_ok(ctx, d.x, d.y, k == 1 ? d.w : NULL, &p);
        assert_true(cip_baseline_n_iter(m) > 0 && cip_baseline_n_iter(m) < 30);
        size_t nc;
        const double *coef = cip_baseline_coef(m, &nc);
        double all[4];
        memcpy(all, coef, 3 * sizeof *all);
        all[3] = cip_baseline_intercept(m);
        assert_int_equal(cip_baseline_predict_proba(ctx, m, d.x, proba, 2 * d.n), CIP_OK);
        for (size_t i = 0; i < d.n; i++) {
            assert_true(fabs(proba[2 * i] + proba[2 * i + 1] - 1.0) < 1e-15);
            p1[i] = proba[2 * i + 1];
        }
        for (int src = 0; src < 2; src++) {
            char key[64];
            const char *sfx = src ? ".lbfgs" : "";
            double tol_c = src ? 1e-5 : 1e-7, tol_p = src ? 1e-5 : 1e-8;
            snprintf(key, sizeof key, "logit.%s%s.coef", keys[k], sfx);
            double dv = compare(key, all, 3, tol_c);
            snprintf(key, sizeof key, "logit.%s%s.intercept", keys[k], sfx);
            double di = compare(key, all + 3, 1, tol_c);
            dv = di > dv ? di : dv;
            dev[src][0] = dv > dev[src][0] ? dv : dev[src][0];
            snprintf(key, sizeof key, "logit.%s%s.proba", keys[k], sfx);
            dv = compare(key, p1, d.n, tol_p);
            dev[src][1] = dv > dev[src][1] ? dv : dev[src][1];
        }
        /* predict = classes_[decision > 0]. */
        double lab[80];
        assert_int_equal(cip_baseline_predict(ctx, m, d.x, lab), CIP_OK);
        for (size_t i = 0; i < d.n; i++)
            assert_true(lab[i] == (p1[i] > 0.5 ? 1.0 : 0.0));
        cip_baseline_free(m);
    }
    cip_baseline_params p;
    cip_baseline_params_default(&p);
    p.kind = CIP_BASELINE_LOGISTIC;
    p.standardize = 1;
    cip_baseline *m = fit_ok(ctx, d.x, d.y, NULL, &p);
    assert_int_equal(cip_baseline_predict_proba(ctx, m, d.x, proba, 2 * d.n), CIP_OK);
    for (size_t i = 0; i < d.n; i++)
        p1[i] = proba[2 * i + 1];
    double dv = compare("logit.std.proba", p1, d.n, 1e-8);
    dev[0][1] = dv > dev[0][1] ? dv : dev[0][1];
    cip_baseline_free(m);
    print_message("Logistic vs sklearn newton-cg optimum: max |coef diff| %.3g, max |proba diff| "
                  "%.3g\n",
                  dev[0][0], dev[0][1]);
    print_message("Logistic vs sklearn lbfgs (default): max |coef diff| %.3g, max |proba diff| "
                  "%.3g\n",
                  dev[1][0], dev[1][1]);
    free(proba);
    free(p1);
    cipt_xyw_free(&d);
    cip_ctx_free(ctx);
}

/* --- dummies ------------------------------------------------------------------------------- */
static double fit_const(cip_ctx *ctx, const cip_frame *x, const double *y, const double *w,
                        cip_baseline_kind kind)
{
    cip_baseline_params p;
    cip_baseline_params_default(&p);
    p.kind = kind;
    cip_baseline *m = fit_ok(ctx, x, y, w, &p);
    double v = cip_baseline_intercept(m), pred[3];
    cip_frame *three;
    size_t idx[3] = {0, 1, 2};
    assert_int_equal(cip_frame_take_rows(ctx, x, idx, 3, &three), CIP_OK);
    assert_int_equal(cip_baseline_predict(ctx, m, three, pred), CIP_OK);
    assert_true(pred[0] == v && pred[2] == v);
    cip_frame_free(three);
    cip_baseline_free(m);
    return v;
}

static void test_baseline_dummy_regressors_match_sklearn(void **state)
{
    (void)state;
    cip_ctx *ctx = cipt_ctx_threads(1);
    struct cipt_xyw d;
    cipt_xyw_load(ctx, "validate/reg.txt", &d);
    double v = fit_const(ctx, d.x, d.y, NULL, CIP_BASELINE_MEAN);
    compare("dummy.mean", &v, 1, 1e-14);
    v = fit_const(ctx, d.x, d.y, d.w, CIP_BASELINE_MEAN);
    compare("dummy.mean_w", &v, 1, 1e-14);
    v = fit_const(ctx, d.x, d.y, NULL, CIP_BASELINE_MEDIAN);
    compare("dummy.median", &v, 1, 0.0);
    v = fit_const(ctx, d.x, d.y, d.w, CIP_BASELINE_MEDIAN);
    compare("dummy.median_w", &v, 1, 0.0);
    size_t idx[59];
    for (size_t i = 0; i < 59; i++)
        idx[i] = i;
    cip_frame *odd;
    assert_int_equal(cip_frame_take_rows(ctx, d.x, idx, 59, &odd), CIP_OK);
    v = fit_const(ctx, odd, d.y, NULL, CIP_BASELINE_MEDIAN);
    compare("dummy.median_odd", &v, 1, 0.0);
    cip_frame_free(odd);
    cipt_xyw_free(&d);
    cip_ctx_free(ctx);
}

static void test_baseline_dummy_classifiers_match_sklearn(void **state)
{
    (void)state;
    cip_ctx *ctx = cipt_ctx_threads(1);
    struct cipt_xyw d;
    cipt_xyw_load(ctx, "validate/reg.txt", &d);
    size_t n;
    double *lab = cipt_ref_nums("dummy.labels", &n), *proba = malloc(3 * n * sizeof *proba);
    double *pred = malloc(n * sizeof *pred);
    assert_int_equal(n, d.n);
    for (int weighted = 0; weighted < 2; weighted++) {
        const char *sfx = weighted ? "_w" : "";
        char key[64];
        for (int kind = CIP_BASELINE_MAJORITY; kind <= CIP_BASELINE_PRIOR; kind++) {
            cip_baseline_params p;
            cip_baseline_params_default(&p);
            p.kind = (cip_baseline_kind)kind;
            cip_baseline *m = fit_ok(ctx, d.x, lab, weighted ? d.w : NULL, &p);
            size_t k;
            const double *cls = cip_baseline_classes(m, &k);
            snprintf(key, sizeof key, "dummy.classes%s", sfx);
            compare(key, cls, k, 0.0);
            assert_int_equal(cip_baseline_predict_proba(ctx, m, d.x, proba, 3 * n), CIP_OK);
            assert_int_equal(cip_baseline_predict(ctx, m, d.x, pred), CIP_OK);
            snprintf(key, sizeof key, "dummy.majority%s", sfx);
            compare(key, pred + n - 1, 1, 0.0);
            if (kind == CIP_BASELINE_PRIOR) {
                snprintf(key, sizeof key, "dummy.prior%s", sfx);
                compare(key, proba + 3 * (n - 1), 3, 1e-15);
            } else {
                double onehot[3] = {0, 0, 0};
                onehot[(size_t)pred[0]] = 1;
                assert_memory_equal(proba, onehot, sizeof onehot);
            }
            cip_baseline_free(m);
        }
    }
    free(lab);
    free(proba);
    free(pred);
    cipt_xyw_free(&d);
    cip_ctx_free(ctx);
}

/* --- input checks ----------------------------------------------------------------------------- */
static void test_baseline_rejects_unusable_columns(void **state)
{
    (void)state;
    cip_ctx *ctx = cipt_ctx_threads(1);
    double a[4] = {1, 2, 3, 4}, y[4] = {0, 1, 0, 1};
    const char *reg[4] = {"N", "S", "N", "W"};
    uint8_t miss[1] = {0x06};
    cip_frame *x;
    assert_int_equal(cip_frame_new(ctx, 4, &x), CIP_OK);
    assert_int_equal(cip_frame_add_f64(ctx, x, "a", a, NULL), CIP_OK);
    assert_int_equal(cip_frame_add_strings(ctx, x, "region", reg), CIP_OK);
    cip_baseline_params p;
    cip_baseline_params_default(&p);
    p.kind = CIP_BASELINE_RIDGE;
    cip_baseline *m = (cip_baseline *)1;
    assert_int_equal(cip_baseline_fit(ctx, x, y, NULL, &p, &m), CIP_ERR_SCHEMA);
    assert_null(m);
    assert_string_equal(cip_ctx_errmsg(ctx), "column 'region' is categorical: one-hot encode it "
                                             "before a linear baseline");
    cip_frame_free(x);
    assert_int_equal(cip_frame_new(ctx, 4, &x), CIP_OK);
    assert_int_equal(cip_frame_add_f64(ctx, x, "a", a, NULL), CIP_OK);
    assert_int_equal(cip_frame_add_f64(ctx, x, "income", a, miss), CIP_OK);
    p.kind = CIP_BASELINE_LOGISTIC;
    assert_int_equal(cip_baseline_fit(ctx, x, y, NULL, &p, &m), CIP_ERR_SCHEMA);
    assert_string_equal(cip_ctx_errmsg(ctx),
                        "column 'income' has 2 missing values: impute or drop them first");
    /* The dummies ignore the features, as sklearn's Dummy* do. */
    p.kind = CIP_BASELINE_PRIOR;
    m = fit_ok(ctx, x, y, NULL, &p);
    cip_baseline_free(m);
    double y3[4] = {0, 1, 2, 1}, ybad[4] = {0, NAN, 1, 1}, wbad[4] = {1, -1, 1, 1};
    cip_frame *xa;
    const char *only_a = "a";
    assert_int_equal(cip_frame_select(ctx, x, &only_a, 1, &xa), CIP_OK);
    p.kind = CIP_BASELINE_LOGISTIC;
    assert_int_equal(cip_baseline_fit(ctx, xa, y3, NULL, &p, &m), CIP_ERR_INVALID);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "exactly 2 classes in the target, found 3"));
    assert_int_equal(cip_baseline_fit(ctx, xa, ybad, NULL, &p, &m), CIP_ERR_INVALID);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "row 1"));
    assert_int_equal(cip_baseline_fit(ctx, xa, y, wbad, &p, &m), CIP_ERR_INVALID);
    p.C = 0;
    assert_int_equal(cip_baseline_fit(ctx, xa, y, NULL, &p, &m), CIP_ERR_INVALID);
    /* Predicting needs the fitted columns, found by name. */
    p.C = 1;
    m = fit_ok(ctx, xa, y, NULL, &p);
    cip_frame *other;
    assert_int_equal(cip_frame_new(ctx, 4, &other), CIP_OK);
    assert_int_equal(cip_frame_add_f64(ctx, other, "b", a, NULL), CIP_OK);
    double out[8];
    assert_int_equal(cip_baseline_predict(ctx, m, other, out), CIP_ERR_SCHEMA);
    assert_string_equal(cip_ctx_errmsg(ctx), "column 'a' used at fit time is absent");
    assert_int_equal(cip_baseline_predict_proba(ctx, m, xa, out, 7), CIP_ERR_INVALID);
    cip_baseline_free(m);
    p.kind = CIP_BASELINE_MEAN;
    m = fit_ok(ctx, xa, y, NULL, &p);
    assert_int_equal(cip_baseline_predict_proba(ctx, m, xa, out, 8), CIP_ERR_INVALID);
    cip_baseline_free(m);
    /* Collinear columns without a penalty cannot be solved. */
    cip_frame *twice;
    assert_int_equal(cip_frame_new(ctx, 4, &twice), CIP_OK);
    assert_int_equal(cip_frame_add_f64(ctx, twice, "a", a, NULL), CIP_OK);
    assert_int_equal(cip_frame_add_f64(ctx, twice, "a2", a, NULL), CIP_OK);
    p.kind = CIP_BASELINE_RIDGE;
    p.alpha = 0;
    assert_int_equal(cip_baseline_fit(ctx, twice, y, NULL, &p, &m), CIP_ERR_INVALID);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "singular"));
    cip_baseline_kind k;
    assert_int_equal(cip_baseline_kind_parse(ctx, "most_frequent", &k), CIP_OK);
    assert_int_equal(k, CIP_BASELINE_MAJORITY);
    assert_int_equal(cip_baseline_kind_parse(ctx, "lasso", &k), CIP_ERR_INVALID);
    assert_string_equal(cip_baseline_kind_name(CIP_BASELINE_LOGISTIC), "logistic");
    cip_frame_free(twice);
    cip_frame_free(other);
    cip_frame_free(xa);
    cip_frame_free(x);
    cip_ctx_free(ctx);
}

static void test_baseline_predict_matches_columns_by_name(void **state)
{
    (void)state;
    cip_ctx *ctx = cipt_ctx_threads(1);
    struct cipt_xyw d;
    cipt_xyw_load(ctx, "validate/reg.txt", &d);
    const char *rev[4] = {"x3", "x1", "x0", "x2"};
    cip_frame *shuffled;
    assert_int_equal(cip_frame_select(ctx, d.x, rev, 4, &shuffled), CIP_OK);
    cip_baseline_params p;
    cip_baseline_params_default(&p);
    p.kind = CIP_BASELINE_RIDGE;
    cip_baseline *m = fit_ok(ctx, d.x, d.y, NULL, &p);
    double *a = malloc(d.n * sizeof *a), *b = malloc(d.n * sizeof *b);
    assert_int_equal(cip_baseline_predict(ctx, m, d.x, a), CIP_OK);
    assert_int_equal(cip_baseline_predict(ctx, m, shuffled, b), CIP_OK);
    assert_memory_equal(a, b, d.n * sizeof *a);
    free(a);
    free(b);
    cip_baseline_free(m);
    cip_frame_free(shuffled);
    cipt_xyw_free(&d);
    cip_ctx_free(ctx);
}

/* --- the generic estimator view ------------------------------------------------------------- */
static void test_baseline_estimator_matches_direct_calls(void **state)
{
    (void)state;
    cip_ctx *ctx = cipt_ctx_threads(1);
    struct cipt_xyw d;
    cipt_xyw_load(ctx, "validate/clf.txt", &d);
    cip_baseline_params p;
    cip_baseline_params_default(&p);
    p.kind = CIP_BASELINE_LOGISTIC;
    cip_estimator est;
    cip_baseline_estimator(&p, &est);
    assert_int_equal(est.output, CIP_OUTPUT_PROBA);
    assert_string_equal(est.name, "logistic");
    assert_true(est.thread_safe);
    cip_baseline_params q;
    memcpy(&q, est.params, est.params_size);
    cip_param_value c = {CIP_PARAM_NUM, 0.1, NULL};
    assert_int_equal(est.set_param(ctx, est.ud, &q, "C", &c), CIP_OK);
    void *model;
    assert_int_equal(est.fit(ctx, est.ud, d.x, d.y, NULL, &q, &model), CIP_OK);
    double *via = malloc(d.n * sizeof *via), *proba = malloc(2 * d.n * sizeof *proba);
    assert_int_equal(est.predict(ctx, est.ud, model, d.x, via), CIP_OK);
    cip_baseline *m = fit_ok(ctx, d.x, d.y, NULL, &q);
    assert_int_equal(cip_baseline_predict_proba(ctx, m, d.x, proba, 2 * d.n), CIP_OK);
    for (size_t i = 0; i < d.n; i++)
        assert_true(via[i] == proba[2 * i + 1]);
    est.free_model(est.ud, model);
    cip_baseline_free(m);
    /* Bad values and names are rejected with the parameter named. */
    cip_param_value none = {CIP_PARAM_NONE, 0, NULL}, frac = {CIP_PARAM_NUM, 2.5, NULL};
    assert_int_equal(est.set_param(ctx, est.ud, &q, "alpha", &none), CIP_ERR_INVALID);
    assert_string_equal(cip_ctx_errmsg(ctx), "baseline parameter 'alpha' needs a number");
    assert_int_equal(est.set_param(ctx, est.ud, &q, "max_iter", &frac), CIP_ERR_INVALID);
    assert_int_equal(est.set_param(ctx, est.ud, &q, "kind", &frac), CIP_ERR_INVALID);
    /* Probability output needs a 0/1 target. */
    for (size_t i = 0; i < d.n; i++)
        d.y[i] = d.y[i] + 1;
    assert_int_equal(est.fit(ctx, est.ud, d.x, d.y, NULL, &q, &model), CIP_ERR_INVALID);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "needs a 0/1 target"));
    /* Majority predicts labels; mean, median and ridge predict values. */
    p.kind = CIP_BASELINE_MAJORITY;
    cip_baseline_estimator(&p, &est);
    assert_int_equal(est.output, CIP_OUTPUT_LABEL);
    assert_int_equal(est.fit(ctx, est.ud, d.x, d.y, NULL, &p, &model), CIP_OK);
    assert_int_equal(est.predict(ctx, est.ud, model, d.x, via), CIP_OK);
    assert_true(via[0] == 2.0 || via[0] == 1.0);
    est.free_model(est.ud, model);
    p.kind = CIP_BASELINE_RIDGE;
    cip_baseline_estimator(&p, &est);
    assert_int_equal(est.output, CIP_OUTPUT_VALUE);
    free(via);
    free(proba);
    cipt_xyw_free(&d);
    cip_ctx_free(ctx);
}

/* --- the shared customer data (skipped when ../shared is absent) ------------------------------ */
static int read_customers(double *x, double *y, size_t cap, size_t *n)
{
    char path[1024], line[512];
    if (cipt_shared_path(path, sizeof path, "data/Customer_Purchasing_Behaviors.csv") == NULL)
        return 0;
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f)); /* header */
    *n = 0;
    while (fgets(line, sizeof line, f) != NULL && *n < cap) {
        /* user_id,age,annual_income,purchase_amount,loyalty_score,region,purchase_frequency */
        double v[7];
        char *save = NULL, *t = strtok_r(line, ",\n", &save);
        for (int c = 0; c < 7 && t != NULL; c++, t = strtok_r(NULL, ",\n", &save))
            v[c] = strtod(t, NULL);
        x[0 * cap + *n] = v[1];
        x[1 * cap + *n] = v[2];
        x[2 * cap + *n] = v[4];
        x[3 * cap + *n] = v[6];
        y[*n] = v[3];
        (*n)++;
    }
    fclose(f);
    return 1;
}

static void test_baseline_shared_customers_match_sklearn(void **state)
{
    (void)state;
    enum { CAP = 238 };
    static double cols[4 * CAP], y[CAP], yb[CAP], pred[CAP], proba[2 * CAP];
    size_t n;
    if (!read_customers(cols, y, CAP, &n))
        skip();
    assert_int_equal(n, 238);
    cip_ctx *ctx = cipt_ctx_threads(1);
    cip_frame *x;
    const char *names[4] = {"age", "annual_income", "loyalty_score", "purchase_frequency"};
    assert_int_equal(cip_frame_new(ctx, n, &x), CIP_OK);
    for (int j = 0; j < 4; j++)
        assert_int_equal(cip_frame_add_f64(ctx, x, names[j], cols + j * CAP, NULL), CIP_OK);
    cip_baseline_params p;
    cip_baseline_params_default(&p);
    p.kind = CIP_BASELINE_RIDGE;
    cip_baseline *m = fit_ok(ctx, x, y, NULL, &p);
    size_t nc;
    const double *coef = cip_baseline_coef(m, &nc);
    double dc = compare("shared.ridge.coef", coef, nc, 1e-8);
    double b = cip_baseline_intercept(m);
    double di = compare("shared.ridge.intercept", &b, 1, 1e-8);
    assert_int_equal(cip_baseline_predict(ctx, m, x, pred), CIP_OK);
    double dp = compare("shared.ridge.pred", pred, n, 1e-8);
    cip_baseline_free(m);
    for (size_t i = 0; i < n; i++)
        yb[i] = y[i] > 527.5;
    p.kind = CIP_BASELINE_LOGISTIC;
    p.standardize = 1;
    m = fit_ok(ctx, x, yb, NULL, &p);
    assert_int_equal(cip_baseline_predict_proba(ctx, m, x, proba, 2 * n), CIP_OK);
    for (size_t i = 0; i < n; i++)
        pred[i] = proba[2 * i + 1];
    double dl = compare("shared.logit_std.proba", pred, n, 1e-8);
    print_message("shared data: ridge max |coef| diff %.3g, |intercept| %.3g, |pred| %.3g; "
                  "standardised logistic max |proba| diff %.3g (%d Newton steps)\n",
                  dc, di, dp, dl, cip_baseline_n_iter(m));
    cip_baseline_free(m);
    cip_frame_free(x);
    cip_ctx_free(ctx);
}

/* --- out of memory -------------------------------------------------------------------------------
 */
static double oom_pred[80], oom_proba[160];

static cip_status oom_all_kinds(cip_ctx *ctx, void *arg)
{
    const struct cipt_xyw *d = arg;
    cip_status rc = CIP_OK;
    for (int kind = 0; rc == CIP_OK && kind <= CIP_BASELINE_LOGISTIC; kind++) {
        cip_baseline_params p;
        cip_baseline_params_default(&p);
        p.kind = (cip_baseline_kind)kind;
        p.standardize = kind == CIP_BASELINE_LOGISTIC;
        cip_baseline *m = NULL;
        const double *w = kind % 2 ? d->w : NULL;
        rc = cip_baseline_fit(ctx, d->x, d->y, w, &p, &m);
        if (rc == CIP_OK)
            rc = cip_baseline_predict(ctx, m, d->x, oom_pred);
        if (rc == CIP_OK && kind >= CIP_BASELINE_MAJORITY && kind != CIP_BASELINE_RIDGE)
            rc = cip_baseline_predict_proba(ctx, m, d->x, oom_proba, 2 * d->n);
        cip_baseline_free(m);
    }
    return rc;
}

static void test_baseline_oom_sweep(void **state)
{
    (void)state;
    cip_ctx *ctx = cipt_ctx_threads(1);
    struct cipt_xyw d;
    cipt_xyw_load(ctx, "validate/clf.txt", &d);
    assert_true(d.n <= 80);
    assert_true(cipt_oom_sweep(oom_all_kinds, &d) > 30);
    cipt_xyw_free(&d);
    cip_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_baseline_ridge_matches_sklearn),
        cmocka_unit_test(test_baseline_logistic_matches_sklearn),
        cmocka_unit_test(test_baseline_dummy_regressors_match_sklearn),
        cmocka_unit_test(test_baseline_dummy_classifiers_match_sklearn),
        cmocka_unit_test(test_baseline_rejects_unusable_columns),
        cmocka_unit_test(test_baseline_predict_matches_columns_by_name),
        cmocka_unit_test(test_baseline_estimator_matches_direct_calls),
        cmocka_unit_test(test_baseline_shared_customers_match_sklearn),
        cmocka_unit_test(test_baseline_oom_sweep),
    };
    return cmocka_run_group_tests(tests, cipt_ref_load, cipt_ref_free);
}
