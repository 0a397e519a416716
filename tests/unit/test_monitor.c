/* test_monitor.c - reference statistics, drift detection, live sketches, synthetic drift
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cip/monitor.h"
#include "cip/stats.h"
#include "cip/synth.h"
#include "cip/train.h"
#include "testutil.h"

static cip_frame *gen(cip_ctx *ctx, uint64_t n, uint64_t seed, const char *drift)
{
    cip_synth_params p;
    cip_synth_params_default(&p);
    p.n_customers = n;
    p.seed = seed;
    cip_synth_drift d;
    if (drift != NULL) {
        assert_int_equal(cip_synth_drift_parse(ctx, drift, &d), CIP_OK);
        p.drift = &d;
    }
    cip_frame *f = NULL;
    assert_int_equal(cip_synth_customers(ctx, &p, &f), CIP_OK);
    return f;
}

static const cip_drift_feature *feat(const cip_monitor_report *r, const char *name)
{
    for (size_t k = 0; k < r->n_features; k++)
        if (strcmp(r->features[k].name, name) == 0)
            return &r->features[k];
    fail_msg("no feature %s", name);
    return NULL;
}

/* Exact two-sample KS statistic by merging the sorted samples (independent of the sketch). */
static double exact_ks(cip_ctx *ctx, const cip_frame *a, const cip_frame *b, const char *col)
{
    size_t ja, jb, n = cip_frame_n_rows(a), m = cip_frame_n_rows(b);
    assert_int_equal(cip_frame_find(ctx, a, col, &ja), CIP_OK);
    assert_int_equal(cip_frame_find(ctx, b, col, &jb), CIP_OK);
    double *x = malloc(n * sizeof *x), *y = malloc(m * sizeof *y);
    cip_frame_get_col(a, ja, x);
    cip_frame_get_col(b, jb, y);
    double q = 0.5, dummy;
    assert_int_equal(cip_stats_quantiles_inplace(ctx, x, n, &q, 1, &dummy), CIP_OK);
    assert_int_equal(cip_stats_quantiles_inplace(ctx, y, m, &q, 1, &dummy), CIP_OK);
    size_t i = 0, k = 0;
    double d = 0;
    while (i < n && k < m) {
        double v = x[i] < y[k] ? x[i] : y[k];
        while (i < n && x[i] == v)
            i++;
        while (k < m && y[k] == v)
            k++;
        double g = fabs((double)i / (double)n - (double)k / (double)m);
        d = g > d ? g : d;
    }
    free(x);
    free(y);
    return d;
}

static void test_monitor_planted_drift_flags_exactly_two_columns(void **state)
{
    (void)state;
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_frame *ref = gen(ctx, 200000, 1, NULL);
    cip_frame *same = gen(ctx, 200000, 2, NULL);
    cip_frame *moved = gen(ctx, 200000, 3, "age+6,annual_income*1.25");
    cip_refstats *rs = NULL;
    assert_int_equal(cip_refstats_compute(ctx, ref, &rs), CIP_OK);
    assert_int_equal(cip_refstats_n_columns(rs), 6); /* user_id skipped */
    cip_monitor_report *r = NULL;
    assert_int_equal(cip_monitor_compare(ctx, rs, moved, NULL, NULL, 0, NULL, &r), CIP_OK);
    assert_int_equal(r->verdict, CIP_VERDICT_DRIFTING);
    assert_int_equal(r->n_alert, 2);
    assert_int_equal(r->n_warning, 0);
    for (size_t k = 0; k < r->n_features; k++) {
        const cip_drift_feature *d = &r->features[k];
        int drifted = strcmp(d->name, "age") == 0 || strcmp(d->name, "annual_income") == 0;
        assert_int_equal(d->level, drifted ? CIP_DRIFT_ALERT : CIP_DRIFT_OK);
        if (d->categorical)
            continue;
        /* PSI and KS agree on which columns moved */
        assert_true(drifted ? d->psi >= 0.25 && d->ks >= 0.1 && d->ks_pvalue < 1e-10
                            : d->psi < 0.01 && d->ks < 0.02);
        /* the sketch's KS is the exact statistic to within the 1% grid */
        double ks = exact_ks(ctx, ref, moved, d->name);
        assert_true(d->ks <= ks + 1e-12 && d->ks >= ks - 0.011);
    }
    const cip_drift_feature *age = feat(r, "age");
    assert_true(fabs(age->mean_cur - age->mean_ref - 6) < 0.2);
    /* W1 of a pure shift is the shift; integer ages clamp at the top, so allow 10% */
    assert_true(fabs(age->wasserstein - 6) < 0.6);
    cip_monitor_report_free(r);

    assert_int_equal(cip_monitor_compare(ctx, rs, same, NULL, NULL, 0, NULL, &r), CIP_OK);
    assert_int_equal(r->verdict, CIP_VERDICT_STABLE);
    assert_int_equal(r->n_alert + r->n_warning, 0);
    for (size_t k = 0; k < r->n_features; k++)
        assert_true(r->features[k].psi < 0.01);
    const cip_drift_feature *reg = feat(r, "region");
    assert_true(reg->categorical && reg->js < 0.001 && reg->chi2_df == 3);
    cip_monitor_report_free(r);
    cip_refstats_free(rs);
    cip_frame_free(ref);
    cip_frame_free(same);
    cip_frame_free(moved);
    cip_ctx_free(ctx);
}

static void test_monitor_region_shift_flags_categorical(void **state)
{
    (void)state;
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_frame *ref = gen(ctx, 50000, 1, NULL);
    cip_frame *cur = gen(ctx, 50000, 4, "region=East:0.3");
    cip_refstats *rs = NULL;
    cip_monitor_report *r = NULL;
    assert_int_equal(cip_refstats_compute(ctx, ref, &rs), CIP_OK);
    assert_int_equal(cip_monitor_compare(ctx, rs, cur, NULL, NULL, 0, NULL, &r), CIP_OK);
    const cip_drift_feature *d = feat(r, "region");
    assert_int_equal(d->level, CIP_DRIFT_ALERT);
    assert_true(d->chi2_pvalue < 1e-12 && d->js > 0.05);
    /* East share 0.025 -> 0.3: PSI by hand over (N, S, W, E) */
    double pr[4] = {0.325, 0.325, 0.325, 0.025}, pc[4] = {0.2333, 0.2333, 0.2333, 0.3};
    assert_true(fabs(d->psi - cip_psi(pr, pc, 4, 0)) < 0.03);
    assert_int_equal(r->n_alert, 1);
    cip_monitor_report_free(r);
    cip_refstats_free(rs);
    cip_frame_free(ref);
    cip_frame_free(cur);
    cip_ctx_free(ctx);
}

static void test_monitor_refstats_roundtrip_gives_same_report(void **state)
{
    (void)state;
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_frame *ref = gen(ctx, 5000, 1, NULL), *cur = gen(ctx, 3000, 9, "loyalty_score-1.5");
    cip_refstats *rs = NULL, *back = NULL;
    assert_int_equal(cip_refstats_compute(ctx, ref, &rs), CIP_OK);
    size_t n = cip_frame_n_rows(ref), nc = cip_frame_n_rows(cur);
    double *pred = malloc(n * sizeof *pred), *pc = malloc(nc * sizeof *pc);
    for (size_t i = 0; i < n; i++)
        pred[i] = cip_frame_get(ref, 2, i) / 1000;
    for (size_t i = 0; i < nc; i++)
        pc[i] = cip_frame_get(cur, 2, i) / 1000;
    assert_int_equal(cip_refstats_set_predictions(ctx, rs, "prediction", pred, n, 0), CIP_OK);
    assert_int_equal(cip_refstats_set_metric(ctx, rs, "test_r2", 0.5), CIP_OK);
    assert_int_equal(cip_refstats_set_model(ctx, rs, "clv", "purchase_amount", NULL, NAN), CIP_OK);
    char path[256];
    cipt_write_temp(path, sizeof path, ".json", "", 0);
    assert_int_equal(cip_refstats_save(ctx, rs, path), CIP_OK);
    assert_int_equal(cip_refstats_load(ctx, path, &back), CIP_OK);
    assert_true(cip_refstats_metric(back, "test_r2") == 0.5);
    cip_monitor_report *a = NULL, *b = NULL;
    assert_int_equal(cip_monitor_compare(ctx, rs, cur, pc, NULL, nc, NULL, &a), CIP_OK);
    assert_int_equal(cip_monitor_compare(ctx, back, cur, pc, NULL, nc, NULL, &b), CIP_OK);
    char *ja = NULL, *jb = NULL;
    assert_int_equal(cip_monitor_report_json(ctx, a, &ja), CIP_OK);
    assert_int_equal(cip_monitor_report_json(ctx, b, &jb), CIP_OK);
    assert_string_equal(ja, jb); /* numbers are written to round-trip */
    assert_int_equal(feat(a, "loyalty_score")->level, CIP_DRIFT_ALERT);
    assert_true(a->has_prediction && a->prediction.psi < 0.1);
    cip_free(ctx, ja);
    cip_free(ctx, jb);
    /* a corrupt file names the field */
    const char bad[] = "{\"format\":\"cip-reference\",\"version\":1,\"rows\":3,\"columns\":"
                       "[{\"name\":\"a\",\"type\":\"numeric\",\"count\":3,\"missing\":0}]}";
    cipt_write_temp(path, sizeof path, ".json", bad, sizeof bad - 1);
    cip_refstats *x = NULL;
    assert_int_equal(cip_refstats_load(ctx, path, &x), CIP_ERR_PARSE);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "quantiles"));
    assert_null(x);
    unlink(path);
    free(pred);
    free(pc);
    cip_monitor_report_free(a);
    cip_monitor_report_free(b);
    cip_refstats_free(rs);
    cip_refstats_free(back);
    cip_frame_free(ref);
    cip_frame_free(cur);
    cip_ctx_free(ctx);
}

static void test_monitor_missing_column_and_missing_values(void **state)
{
    (void)state;
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    const char ref_csv[] = "a,b,c\n1,x,5\n2,y,6\n3,x,7\n4,y,8\n5,x,9\n6,y,10\n";
    const char cur_csv[] = "a,b\n1,x\n,y\n,x\n4,z\n5,z\n6,y\n";
    cip_frame *ref = NULL, *cur = NULL;
    assert_int_equal(cip_frame_read_csv_mem(ctx, "ref", ref_csv, sizeof ref_csv - 1, NULL, &ref),
                     CIP_OK);
    assert_int_equal(cip_frame_read_csv_mem(ctx, "cur", cur_csv, sizeof cur_csv - 1, NULL, &cur),
                     CIP_OK);
    cip_refstats *rs = NULL;
    cip_monitor_report *r = NULL;
    assert_int_equal(cip_refstats_compute(ctx, ref, &rs), CIP_OK);
    assert_int_equal(cip_monitor_compare(ctx, rs, cur, NULL, NULL, 0, NULL, &r), CIP_OK);
    const cip_drift_feature *a = feat(r, "a"), *b = feat(r, "b"), *c = feat(r, "c");
    assert_true(fabs(a->missing_cur - 2.0 / 6) < 1e-12 && a->missing_ref == 0);
    assert_true(fabs(b->out_of_range - 2.0 / 6) < 1e-12); /* level z is new */
    assert_true(c->absent == 1 && c->level == CIP_DRIFT_ALERT);
    assert_non_null(strstr(c->reason, "missing"));
    assert_int_equal(r->verdict, CIP_VERDICT_DRIFTING);
    char *text = NULL;
    assert_int_equal(cip_monitor_report_text(ctx, r, &text), CIP_OK);
    assert_non_null(strstr(text, "verdict: drifting"));
    cip_free(ctx, text);
    cip_monitor_report_free(r);
    cip_refstats_free(rs);
    cip_frame_free(ref);
    cip_frame_free(cur);
    cip_ctx_free(ctx);
}

static void test_monitor_live_sketch_matches_batch(void **state)
{
    (void)state;
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_frame *ref = gen(ctx, 20000, 1, NULL), *cur = gen(ctx, 8000, 5, "age+10");
    cip_refstats *rs = NULL;
    cip_monitor_report *r = NULL;
    cip_drift_live *live = NULL;
    assert_int_equal(cip_refstats_compute(ctx, ref, &rs), CIP_OK);
    assert_int_equal(cip_monitor_compare(ctx, rs, cur, NULL, NULL, 0, NULL, &r), CIP_OK);
    assert_int_equal(cip_drift_live_new(ctx, rs, 0, &live), CIP_OK);
    size_t half[2][4000];
    for (size_t i = 0; i < 8000; i++)
        half[i / 4000][i % 4000] = i;
    for (int h = 0; h < 2; h++) { /* two batches = one batch */
        cip_frame *part = NULL;
        assert_int_equal(cip_frame_take_rows(ctx, cur, half[h], 4000, &part), CIP_OK);
        assert_int_equal(cip_drift_live_add_frame(ctx, live, part, NULL), CIP_OK);
        cip_frame_free(part);
    }
    cip_drift_gauge g[8];
    size_t n = cip_drift_live_gauges(live, g, 8);
    assert_int_equal(n, 6);
    for (size_t k = 0; k < n; k++) {
        assert_string_equal(g[k].name, r->features[k].name);
        assert_true(fabs(g[k].psi - r->features[k].psi) < 1e-12);
        assert_int_equal(g[k].n, 8000);
    }
    char *prom = NULL;
    assert_int_equal(cip_drift_live_prometheus(ctx, live, "cip-clv", &prom), CIP_OK);
    assert_non_null(strstr(prom, "cip_drift_psi{model=\"cip-clv\",feature=\"age\"}"));
    cip_free(ctx, prom);
    cip_drift_live_free(live);
    cip_monitor_report_free(r);
    cip_refstats_free(rs);
    cip_frame_free(ref);
    cip_frame_free(cur);
    cip_ctx_free(ctx);
}

static void test_monitor_synth_drift_shifts_and_keeps_draws(void **state)
{
    (void)state;
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_frame *base = gen(ctx, 2000, 3, NULL), *d = gen(ctx, 2000, 3, "age+5,annual_income*1.2");
    size_t n_diff = 0;
    for (size_t i = 0; i < 2000; i++) {
        double a0 = cip_frame_get(base, 1, i), a1 = cip_frame_get(d, 1, i);
        double i0 = cip_frame_get(base, 2, i), i1 = cip_frame_get(d, 2, i);
        /* same random draws: every row is its undrifted row, shifted (clamped at 100) */
        assert_true(a1 == (a0 + 5 > 100 ? 100 : a0 + 5));
        assert_true(fabs(i1 - floor(i0 * 1.2 / 1000 + 0.5) * 1000) < 1e-9);
        n_diff += cip_frame_get(base, 3, i) != cip_frame_get(d, 3, i);
    }
    assert_int_equal(n_diff, 0); /* purchase_amount untouched */
    cip_synth_drift dr;
    assert_int_equal(cip_synth_drift_parse(ctx, "age*2,age+1", &dr), CIP_OK);
    assert_true(dr.mul[0] == 2 && dr.add[0] == 1);
    assert_int_equal(cip_synth_drift_parse(ctx, "height+1", &dr), CIP_ERR_INVALID);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "height"));
    assert_int_equal(cip_synth_drift_parse(ctx, "region=Mars:0.1", &dr), CIP_ERR_INVALID);
    assert_int_equal(cip_synth_drift_parse(ctx, "region=East:0.7,region=West:0.6", &dr),
                     CIP_ERR_INVALID);
    assert_int_equal(cip_synth_drift_parse(ctx, "age+", &dr), CIP_ERR_INVALID);
    cip_frame_free(base);
    cip_frame_free(d);
    cip_ctx_free(ctx);
}

static void test_monitor_bundle_reference_and_run(void **state)
{
    (void)state;
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_frame *data = gen(ctx, 600, 1, NULL), *moved = gen(ctx, 600, 2, "annual_income*1.5");
    cip_train_params p;
    cip_train_params_default(&p);
    p.task = CIP_TRAIN_CHURN;
    p.cv = 0;
    p.forest.n_estimators = 10;
    cip_train_result *res = NULL;
    assert_int_equal(cip_train_run(ctx, data, &p, &res), CIP_OK);
    char dir[] = "/tmp/cip-test-monitor-XXXXXX";
    assert_non_null(mkdtemp(dir));
    assert_int_equal(cip_train_save_bundle(ctx, res, dir), CIP_OK);
    assert_int_equal(cip_monitor_save_reference(ctx, res, data, dir), CIP_OK);
    cip_model_info info;
    assert_int_equal(cip_monitor_model_info(ctx, dir, &info), CIP_OK);
    assert_int_equal(info.task, CIP_TRAIN_CHURN);
    assert_string_equal(info.label_column, "churn_risk_score");
    /* the training rows themselves: predictions identical to the reference's */
    cip_monitor_report *r = NULL;
    assert_int_equal(cip_monitor_run(ctx, dir, data, NULL, NULL, &r), CIP_OK);
    assert_int_equal(r->verdict, CIP_VERDICT_STABLE);
    assert_true(r->has_prediction && r->prediction.psi < 1e-9 && r->prediction.ks == 0);
    assert_true(r->perf.available && r->perf.n == 600);
    assert_string_equal(r->perf.metric, "roc_auc");
    assert_true(r->perf.current >= r->perf.ci_lo && r->perf.current <= r->perf.ci_hi);
    assert_true(r->perf.reference == cip_train_result_metric(res, "roc_auc"));
    cip_monitor_report_free(r);
    assert_int_equal(cip_monitor_run(ctx, dir, moved, NULL, NULL, &r), CIP_OK);
    assert_int_equal(feat(r, "annual_income")->level, CIP_DRIFT_ALERT);
    cip_monitor_report_free(r);
    char path[4200];
    static const char *const files[] = {"manifest.json", "model.forest", "featpipe.txt",
                                        "reference.json"};
    for (size_t k = 0; k < 4; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[k]);
        unlink(path);
    }
    rmdir(dir);
    cip_train_result_free(res);
    cip_frame_free(data);
    cip_frame_free(moved);
    cip_ctx_free(ctx);
}

struct oom_arg {
    const cip_frame *ref, *cur;
};

static cip_status oom_body(cip_ctx *ctx, void *arg)
{
    const struct oom_arg *a = arg;
    cip_refstats *rs = NULL;
    cip_monitor_report *r = NULL;
    char *js = NULL, *tx = NULL;
    double y[6] = {1, 2, 3, 4, 5, 6}, p[6] = {1, 2, 3, 4, 6, 5};
    cip_status rc = cip_refstats_compute(ctx, a->ref, &rs);
    if (rc == CIP_OK)
        rc = cip_refstats_set_predictions(ctx, rs, "prediction", p, 6, 0);
    if (rc == CIP_OK)
        rc = cip_refstats_set_model(ctx, rs, "clv", "y", NULL, NAN);
    cip_monitor_params mp;
    cip_monitor_params_default(&mp);
    mp.bootstrap = 5;
    if (rc == CIP_OK)
        rc = cip_monitor_compare(ctx, rs, a->cur, p, y, 6, &mp, &r);
    if (rc == CIP_OK)
        rc = cip_monitor_report_json(ctx, r, &js);
    if (rc == CIP_OK)
        rc = cip_monitor_report_text(ctx, r, &tx);
    cip_free(ctx, js);
    cip_free(ctx, tx);
    cip_monitor_report_free(r);
    cip_refstats_free(rs);
    return rc;
}

static void test_monitor_oom_sweep_leaks_nothing(void **state)
{
    (void)state;
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    const char csv[] = "a,b,y\n1,x,1\n2,y,2\n3,x,3\n4,y,4\n5,x,5\n6,z,6\n";
    cip_frame *f = NULL;
    assert_int_equal(cip_frame_read_csv_mem(ctx, "t", csv, sizeof csv - 1, NULL, &f), CIP_OK);
    struct oom_arg a = {f, f};
    assert_true(cipt_oom_sweep(oom_body, &a) > 20);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_monitor_planted_drift_flags_exactly_two_columns),
        cmocka_unit_test(test_monitor_region_shift_flags_categorical),
        cmocka_unit_test(test_monitor_refstats_roundtrip_gives_same_report),
        cmocka_unit_test(test_monitor_missing_column_and_missing_values),
        cmocka_unit_test(test_monitor_live_sketch_matches_batch),
        cmocka_unit_test(test_monitor_synth_drift_shifts_and_keeps_draws),
        cmocka_unit_test(test_monitor_bundle_reference_and_run),
        cmocka_unit_test(test_monitor_oom_sweep_leaks_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
