/* test_pipeline.c - the pipeline's orchestration pieces
 *
 * Leak choice (cip_audit_choose_leaks) picks exactly the planted leaky
 * columns of a small synthetic table; the split switches to groups when
 * duplicate profiles straddle a random split and stays stratified otherwise;
 * predictions.csv has the contract's columns and one row per customer;
 * summary.json parses (jansson) with the keys of contract C4.
 * Runs use a one-point grid, 2 folds and no tracking to stay fast.
 * SPDX-License-Identifier: MIT
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cip/audit.h"
#include "cip/pipeline.h"
#include "cip/synth.h"
#include "testutil.h"

static cip_ctx *new_ctx(void)
{
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    return ctx;
}

/* Deterministic uniform in [0, 1) (xorshift64*). */
static double unif(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return (double)((*s * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

/* x1, x2 honest (y depends on x1 with much noise); leak_copy = 2y + 1;
 * leak_ratio = y / x2 (so y = x2 * leak_ratio exactly). */
static cip_frame *planted(cip_ctx *ctx, size_t n)
{
    double *c[5];
    for (size_t k = 0; k < 5; k++)
        c[k] = malloc(n * sizeof **c);
    uint64_t st = 12345;
    for (size_t i = 0; i < n; i++) {
        double x1 = 10.0 * unif(&st), x2 = 1.0 + 4.0 * unif(&st);
        double y = 50.0 + x1 + 8.0 * unif(&st);
        c[0][i] = x1;
        c[1][i] = x2;
        c[2][i] = 2.0 * y + 1.0;
        c[3][i] = y / x2;
        c[4][i] = y;
    }
    static const char *const names[] = {"x1", "x2", "leak_copy", "leak_ratio", "y"};
    cip_frame *f = NULL;
    assert_int_equal(cip_frame_new(ctx, n, &f), CIP_OK);
    for (size_t k = 0; k < 5; k++) {
        assert_int_equal(cip_frame_add_f64(ctx, f, names[k], c[k], NULL), CIP_OK);
        free(c[k]);
    }
    return f;
}

static const char *const k_leak_feats[] = {"x1", "x2", "leak_copy", "leak_ratio"};

/* The audit of target y on the first n of k_leak_feats over `planted` rows. */
static cip_audit *audit_planted(cip_ctx *ctx, const cip_frame *f, size_t n)
{
    cip_audit_params ap;
    cip_audit_params_default(&ap);
    ap.target = "y";
    ap.features = k_leak_feats;
    ap.n_features = n;
    cip_audit *a = NULL;
    assert_int_equal(cip_audit_run(ctx, f, &ap, &a), CIP_OK);
    return a;
}

static void leak_params(cip_audit_leak_params *lp, size_t n)
{
    cip_audit_leak_params_default(lp);
    lp->features = k_leak_feats;
    lp->n_features = n;
}

static void test_pipeline_leaks_planted_columns(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    cip_frame *f = planted(ctx, 300);
    cip_audit *a = audit_planted(ctx, f, 4);
    cip_audit_leak_params lp;
    leak_params(&lp, 4);
    cip_audit_leaks *l = NULL;
    assert_int_equal(cip_audit_choose_leaks(ctx, a, &lp, &l), CIP_OK);
    assert_int_equal(cip_audit_leaks_count(l), 2);
    assert_string_equal(cip_audit_leaks_feature(l, 0), "leak_copy");
    assert_string_equal(cip_audit_leaks_feature(l, 1), "leak_ratio"); /* not its partner x2 */
    assert_false(cip_audit_leaks_has(l, "x1"));
    assert_false(cip_audit_leaks_has(l, "x2"));
    assert_non_null(strstr(cip_audit_leaks_reason(l, 1), "leak_ratio"));
    assert_null(cip_audit_leaks_feature(l, 2));
    cip_audit_leaks_free(l);
    /* invalid threshold */
    lp.perfect_power = 1.5;
    assert_int_equal(cip_audit_choose_leaks(ctx, a, &lp, &l), CIP_ERR_INVALID);
    assert_null(l);
    cip_audit_free(a);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

struct oom_arg {
    const cip_audit *a;
};

static cip_status oom_body(cip_ctx *ctx, void *arg)
{
    const struct oom_arg *o = arg;
    cip_audit_leak_params lp;
    leak_params(&lp, 4);
    cip_audit_leaks *l = NULL;
    cip_status rc = cip_audit_choose_leaks(ctx, o->a, &lp, &l);
    if (rc == CIP_OK && cip_audit_leaks_count(l) != 2)
        rc = CIP_ERR_INVALID;
    if (rc != CIP_OK && l != NULL)
        rc = CIP_ERR_INVALID; /* no output on failure */
    cip_audit_leaks_free(l);
    return rc;
}

static void test_pipeline_leaks_oom_no_leak(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    cip_frame *f = planted(ctx, 300);
    cip_audit *a = audit_planted(ctx, f, 4);
    struct oom_arg arg = {a};
    assert_true(cipt_oom_sweep(oom_body, &arg) > 0);
    cip_audit_free(a);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

static void test_pipeline_leaks_clean_table_none(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    cip_frame *f = planted(ctx, 300);
    cip_audit *a = audit_planted(ctx, f, 2);
    cip_audit_leak_params lp;
    leak_params(&lp, 2);
    cip_audit_leaks *l = NULL;
    assert_int_equal(cip_audit_choose_leaks(ctx, a, &lp, &l), CIP_OK);
    assert_int_equal(cip_audit_leaks_count(l), 0);
    cip_audit_leaks_free(l);
    cip_audit_free(a);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

/* --- whole runs --------------------------------------------------------------- */

static cip_frame *customers(cip_ctx *ctx, uint64_t n, int duplicates)
{
    cip_synth_params sp;
    cip_synth_params_default(&sp);
    sp.n_customers = n;
    sp.seed = 7;
    sp.duplicates = duplicates;
    sp.levels = duplicates ? 48 : 100000;
    cip_frame *f = NULL;
    assert_int_equal(cip_synth_customers(ctx, &sp, &f), CIP_OK);
    return f;
}

static json_t *run(cip_ctx *ctx, const cip_frame *f, const char *dir)
{
    cip_pipeline_params p;
    cip_pipeline_params_default(&p);
    p.out_dir = dir;
    p.grid = "n_estimators=20";
    p.cv = 2;
    p.track = 0;
    p.report = 0;
    p.leaky = 1;
    cip_pipeline_result *r = NULL;
    assert_int_equal(cip_pipeline_run(ctx, f, &p, &r), CIP_OK);
    assert_int_equal(cip_pipeline_refused(r), 0);
    json_error_t err;
    const char *doc = cip_pipeline_summary_json(r);
    json_t *j = json_loadb(doc, strlen(doc), JSON_REJECT_DUPLICATES, &err);
    if (j == NULL)
        fail_msg("summary.json: %d:%d: %s", err.line, err.column, err.text);
    assert_non_null(strstr(cip_pipeline_text(r), "success criteria"));
    cip_pipeline_result_free(r);
    return j;
}

/* Remove the files a run writes, then the folder. */
static void rm_out(const char *dir)
{
    static const char *const files[] = {"predictions.csv", "summary.json", "report.html",
                                        "audit_clv.json", "audit_churn.json"};
    char path[512];
    for (size_t k = 0; k < sizeof files / sizeof *files; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[k]);
        (void)remove(path);
    }
    (void)rmdir(dir);
}

static const char *split_kind(json_t *j)
{
    return json_string_value(json_object_get(json_object_get(j, "split"), "kind"));
}

static void mkdtemp_dir(char *buf, size_t n)
{
    snprintf(buf, n, "%s/cip_pipeline_XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(buf));
}

static void test_pipeline_split_group_when_duplicates(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    char dir[256];
    mkdtemp_dir(dir, sizeof dir);
    cip_frame *dup = customers(ctx, 300, 1);
    json_t *j = run(ctx, dup, dir);
    assert_string_equal(split_kind(j), "group");
    const char *why = json_string_value(json_object_get(json_object_get(j, "split"), "reason"));
    assert_non_null(strstr(why, "duplicate feature vectors"));
    json_decref(j);
    cip_frame_free(dup);
    cip_frame *uniq = customers(ctx, 300, 0);
    j = run(ctx, uniq, dir);
    assert_string_equal(split_kind(j), "stratified");
    json_decref(j);
    cip_frame_free(uniq);
    cip_ctx_free(ctx);
    rm_out(dir);
}

static void check_keys(json_t *o, const char *const *keys, size_t n, const char *where)
{
    assert_non_null(o);
    for (size_t k = 0; k < n; k++)
        if (json_object_get(o, keys[k]) == NULL)
            fail_msg("%s: key '%s' missing", where, keys[k]);
}

static void test_pipeline_outputs_contract(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    char dir[256], path[512];
    mkdtemp_dir(dir, sizeof dir);
    cip_frame *raw = customers(ctx, 238, 0);
    json_t *j = run(ctx, raw, dir);
    static const char *const top[] = {
        "cip_version", "command", "seed",    "started", "duration_ms", "data",         "validation",
        "split",       "audit",   "verdict", "models",  "criteria",    "transactions", "outputs"};
    check_keys(j, top, sizeof top / sizeof *top, "top");
    static const char *const audit[] = {"verdict", "findings", "excluded_features", "actions"};
    check_keys(json_object_get(j, "audit"), audit, 4, "audit");
    json_t *models = json_object_get(j, "models");
    static const char *const clv[] = {"run_id",      "model_uri",     "features", "params",
                                      "metrics",     "leaky_metrics", "baseline", "lift",
                                      "importances", "actual",        "predicted"};
    check_keys(json_object_get(models, "clv"), clv, sizeof clv / sizeof *clv, "clv");
    static const char *const clvm[] = {"train_r2", "test_r2",    "test_rmse", "rmse_to_std_ratio",
                                       "test_mae", "cv_r2_mean", "cv_r2_std"};
    check_keys(json_object_get(json_object_get(models, "clv"), "metrics"), clvm, 7, "clv.metrics");
    static const char *const churn[] = {"metrics",     "leaky_metrics", "baseline", "lift",
                                        "importances", "confusion",     "roc",      "pr"};
    check_keys(json_object_get(models, "churn"), churn, 8, "churn");
    static const char *const seg[] = {"metrics",  "sweep",      "sizes",
                                      "profiles", "projection", "importances"};
    check_keys(json_object_get(models, "segments"), seg, 6, "segments");
    /* the confusion matrix counts the held-out rows */
    json_t *cm = json_object_get(json_object_get(models, "churn"), "confusion");
    json_int_t tot = 0;
    for (size_t a = 0; a < 2; a++)
        for (size_t b = 0; b < 2; b++)
            tot += json_integer_value(json_array_get(json_array_get(cm, a), b));
    assert_int_equal(tot,
                     json_integer_value(json_object_get(json_object_get(j, "split"), "n_test")));
    /* segment sizes add up to the rows */
    json_t *sizes = json_object_get(json_object_get(models, "segments"), "sizes");
    json_int_t sum = 0;
    for (size_t k = 0; k < json_array_size(sizes); k++)
        sum += json_integer_value(json_array_get(sizes, k));
    assert_int_equal(sum, 238);
    json_decref(j);
    /* predictions.csv: contract columns, one row per customer, ids from user_id */
    snprintf(path, sizeof path, "%s/predictions.csv", dir);
    cip_frame *pred = NULL;
    assert_int_equal(cip_frame_read_csv(ctx, path, NULL, &pred), CIP_OK);
    assert_int_equal(cip_frame_n_rows(pred), 238);
    static const char *const cols[] = {"user_id", "predicted_clv", "churn_probability",
                                       "churn_prediction", "customer_segment"};
    assert_int_equal(cip_frame_n_cols(pred), 5);
    for (size_t k = 0; k < 5; k++)
        assert_string_equal(cip_frame_col_name(pred, k), cols[k]);
    assert_true(cip_frame_get(pred, 0, 0) == cip_frame_get(raw, 0, 0));
    cip_frame_free(pred);
    cip_frame_free(raw);
    cip_ctx_free(ctx);
    rm_out(dir);
}

static void test_pipeline_params_check_invalid(void **state)
{
    (void)state;
    cip_pipeline_params p;
    cip_pipeline_params_default(&p);
    assert_int_equal(cip_pipeline_params_check(NULL, &p), CIP_OK);
    p.test_size = 1.0;
    assert_int_equal(cip_pipeline_params_check(NULL, &p), CIP_ERR_INVALID);
    cip_pipeline_params_default(&p);
    p.cv = 1;
    assert_int_equal(cip_pipeline_params_check(NULL, &p), CIP_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pipeline_leaks_planted_columns),
        cmocka_unit_test(test_pipeline_leaks_clean_table_none),
        cmocka_unit_test(test_pipeline_leaks_oom_no_leak),
        cmocka_unit_test(test_pipeline_split_group_when_duplicates),
        cmocka_unit_test(test_pipeline_outputs_contract),
        cmocka_unit_test(test_pipeline_params_check_invalid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
