/* test_clv_eval.c - the full CLV holdout evaluation: period-shifted features
 * and labels, random forests vs BG/NBD + Gamma-Gamma vs baselines, JSON
 *
 * Features are checked against values worked out by hand on a tiny log. The
 * CDNOW figures (spend forecasts, churn scores, cumulative curve, training
 * labels) are checked against tools/ref_clv_eval.py, an independent pandas /
 * scipy / scikit-learn implementation whose output is committed as
 * tests/data/clv/cdnow_eval_ref.json; the random forests against
 * scikit-learn's forests on the same scheme (different random streams, so
 * with a tolerance). The CDNOW tests need ../shared and skip visibly.
 * SPDX-License-Identifier: MIT
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/clv/clv_int.h"
#include "cip/clv.h"
#include "cip/rng.h"
#include "testutil.h"

#define assert_near(a, b, tol)                                                                     \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        if (!(fabs(a_ - b_) <= (tol)))                                                             \
            fail_msg("%s = %.10g, expected %.10g (tol %g)", #a, a_, b_, (double)(tol));            \
    } while (0)

static int32_t day_of(const char *iso)
{
    int32_t d = 0;
    assert_true(cip_clv_date_parse(iso, strlen(iso), "iso", &d));
    return d;
}

/* Customer 1: days 0 ($10), 7 ($20), 21 ($30), 40 ($5); customer 2: day 10 ($7);
   customer 3: day 30 ($9), after the cutoff 28. */
static cip_clv_tx *tiny_log(cip_ctx *ctx)
{
    const int64_t c[] = {1, 1, 1, 1, 2, 3};
    const int32_t d[] = {0, 7, 21, 40, 10, 30};
    const double a[] = {10, 20, 30, 5, 7, 9};
    cip_clv_tx *tx = NULL;
    assert_int_equal(cip_clv_tx_from_arrays(ctx, 6, c, d, a, NULL, 1, &tx), CIP_OK);
    return tx;
}

static double col(const cip_frame *f, const char *name, size_t i)
{
    for (size_t j = 0; j < cip_frame_n_cols(f); j++)
        if (strcmp(cip_frame_col_name(f, j), name) == 0)
            return cip_frame_f64(f, j)[i];
    fail_msg("no column '%s'", name);
    return NAN;
}

static void test_clv_eval_features_match_hand_computation(void **state)
{
    (void)state;
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_clv_tx *tx = tiny_log(ctx);
    struct cipi_clv_ml m;
    assert_int_equal(cipi_clv_ml_build(ctx, tx, 28, 56, 7.0, &m), CIP_OK);
    assert_int_equal(m.n, 2); /* customer 3 first bought after the cutoff */
    /* customer 1: purchases 0, 7, 21 up to day 28 */
    const double want[CIPI_CLV_N_FEAT] = {2, 3, 4, 1, 3, 20, 60, 10, 30, 1.5, 0.5, -1, 0.5, 25};
    const char *const *names = cipi_clv_feature_names();
    for (int j = 0; j < CIPI_CLV_N_FEAT; j++)
        assert_near(col(m.x, names[j], 0), want[j], 1e-12);
    /* trend: span 28 days; first third (<= 9.33): days 0, 7; last third (>= 18.67): 21 */
    assert_near(m.spend[0], 5, 0);
    assert_near(m.churn[0], 0, 0);
    /* customer 2: one purchase on day 10 */
    assert_near(col(m.x, "frequency", 1), 0, 0);
    assert_near(col(m.x, "age", 1), 18.0 / 7, 1e-12);
    assert_near(col(m.x, "rate", 1), 0, 0);
    assert_true(isnan(col(m.x, "ipt_mean", 1)));
    assert_true(isnan(col(m.x, "ipt_std", 1)));
    assert_true(isnan(col(m.x, "repeat_monetary", 1)));
    assert_near(m.spend[1], 0, 0);
    assert_near(m.churn[1], 1, 0);
    cipi_clv_ml_release(ctx, &m);
    assert_int_equal(cipi_clv_ml_build(ctx, tx, -1, 56, 7.0, &m), CIP_ERR_INVALID);
    cip_clv_tx_free(tx);
    cip_ctx_free(ctx);
}

/* --- CDNOW against the independent reference -------------------------------------------------- */

static json_t *load_ref(void)
{
    char path[512];
    cipt_data_path(path, sizeof path, "clv/cdnow_eval_ref.json");
    json_error_t err;
    json_t *ref = json_load_file(path, 0, &err);
    if (ref == NULL)
        fail_msg("%s:%d:%d: %s", path, err.line, err.column, err.text);
    return ref;
}

static double ref_num(json_t *ref, const char *obj, const char *key)
{
    json_t *o = obj ? json_object_get(ref, obj) : ref;
    json_t *v = o ? json_object_get(o, key) : NULL;
    if (!json_is_number(v))
        fail_msg("reference lacks %s.%s", obj ? obj : "", key);
    return json_number_value(v);
}

static cip_clv_eval_params cdnow_params(const char *path)
{
    cip_clv_eval_params p;
    cip_clv_eval_params_default(&p);
    p.path = path;
    p.cal_end = day_of("1997-09-30");
    p.hold_end = day_of("1998-06-30");
    p.train_end = day_of("1997-06-30");
    return p;
}

static const cip_clv_spend_score *spend(const cip_clv_eval_report *r, const char *name)
{
    for (size_t k = 0; k < r->n_spend; k++)
        if (strcmp(r->spend[k].name, name) == 0)
            return &r->spend[k];
    fail_msg("no spend method '%s'", name);
    return NULL;
}

static const cip_clv_churn_score *churn(const cip_clv_eval_report *r, const char *name)
{
    for (size_t k = 0; k < r->n_churn; k++)
        if (strcmp(r->churn[k].name, name) == 0)
            return &r->churn[k];
    fail_msg("no churn method '%s'", name);
    return NULL;
}

static void check_spend(const cip_clv_spend_score *s, json_t *ref, const char *key, double rel)
{
    assert_near(s->mae, ref_num(ref, key, "mae"), rel * ref_num(ref, key, "mae"));
    assert_near(s->rmse, ref_num(ref, key, "rmse"), rel * ref_num(ref, key, "rmse"));
    assert_near(s->corr, ref_num(ref, key, "corr"), rel);
    assert_near(s->pred_total, ref_num(ref, key, "predicted_total"),
                rel * ref_num(ref, key, "predicted_total"));
    assert_near(s->actual_total, ref_num(ref, key, "actual_total"), 1e-6);
}

static void check_churn(const cip_clv_churn_score *c, json_t *ref, const char *key, double tol)
{
    assert_near(c->roc_auc, ref_num(ref, key, "roc_auc"), tol);
    assert_near(c->f1, ref_num(ref, key, "f1"), tol);
    assert_near(c->precision, ref_num(ref, key, "precision"), tol);
    assert_near(c->recall, ref_num(ref, key, "recall"), tol);
}

static void test_clv_eval_cdnow_matches_independent_reference(void **state)
{
    (void)state;
    char path[512];
    if (cipt_shared_path(path, sizeof path, "data/CDNOW_sample.txt") == NULL) {
        print_message("SKIP: ../shared is absent, CDNOW evaluation not checked\n");
        skip();
    }
    json_t *ref = load_ref();
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_clv_eval_params p = cdnow_params(path);
    cip_clv_eval_report *r = NULL;
    assert_int_equal(cip_clv_eval_run(ctx, &p, &r), CIP_OK);
    assert_int_equal(r->customers, 2357);
    assert_near(r->holdout_length, 39, 1e-12);
    /* BG/NBD x Gamma-Gamma and "same as last period" spend forecasts */
    check_spend(spend(r, "BG/NBD"), ref, "spend_bgnbd", 1e-6);
    check_spend(spend(r, "Same as last period"), ref, "spend_last_period", 1e-9);
    /* churn = no holdout purchase: 71.0 % of the customers */
    assert_near(r->churn_rate, ref_num(ref, NULL, "churn_rate"), 1e-12);
    check_churn(churn(r, "P(alive) < 0.5"), ref, "churn_palive", 1e-9);
    check_churn(churn(r, "BG/NBD P(no purchase) > 0.5"), ref, "churn_bgnbd_no_purchase", 1e-6);
    check_churn(churn(r, "No purchase in the last N"), ref, "churn_recency", 1e-12);
    /* the tracking curve: actual cumulative repeat purchases at weeks 13 .. 78 */
    const int weeks[] = {13, 26, 39, 52, 78};
    json_t *cum = json_object_get(ref, "cumulative");
    assert_int_equal(r->n_cum, 78);
    for (size_t k = 0; k < 5; k++) {
        char key[8];
        snprintf(key, sizeof key, "%d", weeks[k]);
        assert_near(r->cum_actual[weeks[k] - 1], ref_num(cum, NULL, key), 0);
    }
    assert_near(r->cum_bgnbd[77], r->purchases[0].cum_pred, 1e-9); /* -4.11 %, FHL's figure */
    /* period-shifted training set: labels from (1997-06-30, 1997-09-30] */
    assert_int_equal(r->train_customers, (size_t)ref_num(ref, NULL, "train_customers"));
    assert_near(r->train_churn_rate, ref_num(ref, NULL, "train_churn_rate"), 1e-12);
    assert_near(r->train_label_length, 92.0 / 7, 1e-12);
    /* random forests against scikit-learn's on the same scheme (other random streams) */
    const cip_clv_spend_score *rf = spend(r, "Random forest");
    assert_near(rf->corr, ref_num(ref, "spend_sklearn_rf", "corr"), 0.03);
    assert_near(rf->pred_total, ref_num(ref, "spend_sklearn_rf", "predicted_total"),
                0.05 * ref_num(ref, "spend_sklearn_rf", "predicted_total"));
    const cip_clv_churn_score *rfc = churn(r, "Random forest");
    assert_near(rfc->roc_auc, ref_num(ref, "churn_sklearn_rf", "roc_auc"), 0.015);
    assert_near(rfc->f1, ref_num(ref, "churn_sklearn_rf", "f1"), 0.02);
    cip_clv_eval_report_free(r);
    cip_ctx_free(ctx);
    json_decref(ref);
}

static void test_clv_eval_identical_for_any_thread_count(void **state)
{
    (void)state;
    char path[512];
    if (cipt_shared_path(path, sizeof path, "data/CDNOW_sample.txt") == NULL) {
        print_message("SKIP: ../shared is absent\n");
        skip();
    }
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_clv_eval_params p = cdnow_params(path);
    p.n_estimators = 20;
    char *j1 = NULL, *j2 = NULL;
    cip_ctx_set_threads(ctx, 1);
    assert_int_equal(cip_clv_evaluate_json(ctx, &p, &j1), CIP_OK);
    cip_ctx_set_threads(ctx, 2);
    assert_int_equal(cip_clv_evaluate_json(ctx, &p, &j2), CIP_OK);
    assert_string_equal(j1, j2);
    cip_free(ctx, j1);
    cip_free(ctx, j2);
    cip_ctx_free(ctx);
}

/* --- JSON (contract C5) ----------------------------------------------------------------------- */

static cip_clv_eval_params tiny_params(const cip_clv_tx *tx)
{
    cip_clv_eval_params p;
    cip_clv_eval_params_default(&p);
    p.tx = tx;
    p.unit = CIP_CLV_DAYS;
    p.n_estimators = 3;
    p.min_samples_leaf = 1;
    return p;
}

/* A small seeded BG/NBD-like log: 150 customers over 180 days, first purchase
   in days 0..29, purchase rate Gamma(2, 0.03/day), dropout after each
   purchase with probability Beta(1, 4). */
static cip_clv_tx *small_log(cip_ctx *ctx)
{
    enum { CAP = 6000 };
    int64_t *c = malloc(CAP * sizeof *c);
    int32_t *d = malloc(CAP * sizeof *d);
    double *a = malloc(CAP * sizeof *a);
    assert_true(c && d && a);
    size_t n = 0;
    cip_rng g;
    cip_rng_init(&g, 7, 0);
    for (int i = 0; i < 150; i++) {
        double lam = 0.03 * (-log(1 - cip_rng_uniform(&g)) - log(1 - cip_rng_uniform(&g)));
        double drop = 1 - pow(cip_rng_uniform(&g), 0.25), amt = 5 + 30 * cip_rng_uniform(&g);
        double t = floor(30 * cip_rng_uniform(&g));
        for (; t < 180 && n < CAP; n++) {
            c[n] = i, d[n] = (int32_t)t, a[n] = amt * (0.5 + cip_rng_uniform(&g));
            t += -log(1 - cip_rng_uniform(&g)) / lam;
            if (cip_rng_uniform(&g) < drop)
                break;
        }
    }
    cip_clv_tx *tx = NULL;
    assert_int_equal(cip_clv_tx_from_arrays(ctx, n, c, d, a, NULL, 1, &tx), CIP_OK);
    free(c);
    free(d);
    free(a);
    return tx;
}

static void test_clv_eval_json_has_contract_keys(void **state)
{
    (void)state;
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_clv_tx *tx = small_log(ctx);
    cip_clv_eval_params p = tiny_params(tx);
    p.cal_end = 99;
    p.hold_end = 179;
    cip_clv_eval_report *r = NULL;
    char *js = NULL;
    assert_int_equal(cip_clv_eval_run(ctx, &p, &r), CIP_OK);
    assert_int_equal(r->train_end, 99 - 33); /* min(80, 100 / 3) days before */
    assert_int_equal(cip_clv_eval_report_json(ctx, r, &js), CIP_OK);
    json_error_t err;
    json_t *j = json_loads(js, JSON_REJECT_DUPLICATES, &err);
    if (j == NULL)
        fail_msg("%d:%d: %s", err.line, err.column, err.text);
    assert_string_equal(json_string_value(json_object_get(j, "calibration_end")), "1970-04-10");
    assert_string_equal(json_string_value(json_object_get(j, "holdout_end")), "1970-06-29");
    assert_string_equal(json_string_value(json_object_get(j, "unit")), "day");
    assert_int_equal(json_integer_value(json_object_get(j, "customers")), (json_int_t)r->customers);
    json_t *m = json_object_get(j, "methods");
    assert_int_equal(json_array_size(m), r->n_spend);
    const char *names[] = {"BG/NBD", "Pareto/NBD", "Random forest", "Same as last period"};
    for (size_t k = 0; k < 4; k++) {
        json_t *e = json_array_get(m, k);
        assert_string_equal(json_string_value(json_object_get(e, "name")), names[k]);
        const char *keys[] = {"mae", "rmse", "corr", "aggregate_error"};
        for (size_t q = 0; q < 4; q++)
            assert_non_null(json_object_get(e, keys[q]));
        assert_near(json_number_value(json_object_get(e, "mae")), r->spend[k].mae, 1e-12);
    }
    json_t *ch = json_object_get(json_object_get(j, "churn"), "methods");
    assert_string_equal(json_string_value(json_object_get(json_array_get(ch, 0), "name")),
                        "P(alive) < 0.5");
    assert_non_null(json_object_get(json_array_get(ch, 2), "roc_auc"));
    json_t *cum = json_object_get(j, "cumulative");
    assert_int_equal(json_array_size(json_object_get(cum, "t")), 180);
    assert_int_equal(json_array_size(json_object_get(cum, "actual")), 180);
    assert_int_equal(json_array_size(json_object_get(cum, "bgnbd")), 180);
    json_t *fits = json_object_get(j, "fits");
    assert_near(json_number_value(json_object_get(json_object_get(fits, "bgnbd"), "r")),
                r->bgnbd.param[0], 1e-12);
    assert_non_null(json_object_get(json_object_get(fits, "bgnbd"), "loglik"));
    assert_non_null(json_object_get(json_object_get(fits, "gamma_gamma"), "gamma"));
    json_decref(j);
    cip_free(ctx, js);
    cip_clv_eval_report_free(r);
    cip_clv_tx_free(tx);
    cip_ctx_free(ctx);
}

static void test_clv_eval_rejects_bad_params(void **state)
{
    (void)state;
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_clv_tx *tx = small_log(ctx);
    cip_clv_eval_params p = tiny_params(tx);
    cip_clv_eval_report *r = (void *)&p;
    assert_int_equal(cip_clv_eval_run(ctx, &p, &r), CIP_ERR_INVALID); /* no cal_end */
    assert_null(r);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "cal_end"));
    p.cal_end = 99;
    p.train_end = 99;
    assert_int_equal(cip_clv_eval_run(ctx, &p, &r), CIP_ERR_INVALID);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "train_end"));
    p.train_end = 0;
    p.churn_days = 0;
    assert_int_equal(cip_clv_eval_run(ctx, &p, &r), CIP_ERR_INVALID);
    p.churn_days = 91;
    p.cal_end = 400; /* after the last purchase: no holdout */
    assert_int_equal(cip_clv_eval_run(ctx, &p, &r), CIP_ERR_INVALID);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "holdout"));
    p.cal_end = 99;
    p.train_end = -5; /* before every first purchase */
    assert_int_equal(cip_clv_eval_run(ctx, &p, &r), CIP_ERR_INVALID);
    assert_null(r);
    cip_clv_tx_free(tx);
    cip_ctx_free(ctx);
}

static cip_status oom_body(cip_ctx *ctx, void *arg)
{
    (void)arg;
    const int64_t c[] = {1, 1, 1, 2, 2, 3, 3, 3, 4, 5, 5};
    const int32_t d[] = {0, 10, 30, 2, 50, 5, 20, 60, 8, 15, 45};
    const double a[] = {10, 20, 30, 5, 7, 9, 4, 3, 8, 12, 6};
    cip_clv_tx *tx = NULL;
    cip_status rc = cip_clv_tx_from_arrays(ctx, 11, c, d, a, NULL, 1, &tx);
    char *js = NULL;
    if (rc == CIP_OK) {
        cip_clv_eval_params p = tiny_params(tx);
        cip_clv_fit_params fp;
        cip_clv_fit_params_default(&fp);
        fp.max_iter = 3; /* the Pareto/NBD series is slow on 5 customers */
        p.fit = &fp;
        p.n_estimators = 2;
        p.cal_end = 35;
        rc = cip_clv_evaluate_json(ctx, &p, &js);
        if (rc == CIP_ERR_INVALID) /* a degenerate fit on 5 customers is fine here */
            rc = CIP_OK;
    }
    cip_free(ctx, js);
    cip_clv_tx_free(tx);
    return rc;
}

static void test_clv_eval_oom_sweep(void **state)
{
    (void)state;
    assert_true(cipt_oom_sweep(oom_body, NULL) > 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clv_eval_features_match_hand_computation),
        cmocka_unit_test(test_clv_eval_cdnow_matches_independent_reference),
        cmocka_unit_test(test_clv_eval_identical_for_any_thread_count),
        cmocka_unit_test(test_clv_eval_json_has_contract_keys),
        cmocka_unit_test(test_clv_eval_rejects_bad_params),
        cmocka_unit_test(test_clv_eval_oom_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
