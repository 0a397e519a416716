/* test_bundle.c - model bundles: load, signature, predict == the in-memory model, URIs, OOM
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cip/bundle.h"
#include "testutil.h"

struct fixture {
    char dir[64];    /* temp dir holding the bundle "b" and a store */
    char bundle[96]; /* dir/b */
    cip_train_result *r;
    cip_frame *raw;
};

static void rm_rf(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void train(cip_ctx *ctx, cip_train_task task, struct fixture *fx)
{
    char path[512];
    snprintf(fx->dir, sizeof fx->dir, "/tmp/cip_bundle_XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->bundle, sizeof fx->bundle, "%s/b", fx->dir);
    assert_int_equal(cip_frame_read_csv(ctx,
                                        cipt_data_path(path, sizeof path, "features/small_raw.csv"),
                                        NULL, &fx->raw),
                     CIP_OK);
    cip_train_params p;
    cip_train_params_default(&p);
    p.task = task;
    p.cv = 0;
    p.test_size = 0;
    p.forest.n_estimators = 10;
    if (task == CIP_TRAIN_SEGMENTS) {
        p.kmeans.k_min = 2;
        p.kmeans.k_max = 3;
    }
    assert_int_equal(cip_train_run(ctx, fx->raw, &p, &fx->r), CIP_OK);
    assert_int_equal(cip_train_save_bundle(ctx, fx->r, fx->bundle), CIP_OK);
}

static void done(struct fixture *fx)
{
    cip_train_result_free(fx->r);
    cip_frame_free(fx->raw);
    rm_rf(fx->dir);
}

/* A new ctx, a bundle of `task` trained on the small table, loaded (checked to be `task`). */
static cip_bundle *open_trained(cip_ctx **ctx, cip_train_task task, struct fixture *fx)
{
    assert_int_equal(cip_ctx_new(ctx), CIP_OK);
    train(*ctx, task, fx);
    cip_bundle *b = NULL;
    assert_int_equal(cip_bundle_load(*ctx, fx->bundle, &b), CIP_OK);
    assert_int_equal(cip_bundle_task(b), task);
    return b;
}

static void close_trained(cip_ctx *ctx, cip_bundle *b, struct fixture *fx)
{
    cip_bundle_free(b);
    done(fx);
    cip_ctx_free(ctx);
}

/* Predictions of the in-memory model on the raw rows (the independent path). */
static double *model_predictions(cip_ctx *ctx, const cip_train_result *r, const cip_frame *raw,
                                 int proba)
{
    cip_frame *x = NULL;
    size_t n = cip_frame_n_rows(raw);
    assert_int_equal(cip_train_prepare(ctx, raw, r->featpipe, (const char *const *)r->features,
                                       r->n_features, &x),
                     CIP_OK);
    double *out = calloc(2 * n, sizeof *out);
    assert_non_null(out);
    if (proba)
        assert_int_equal(cip_forest_predict_proba(ctx, r->forest, x, out, 2 * n), CIP_OK);
    else
        assert_int_equal(cip_forest_predict(ctx, r->forest, x, out, n), CIP_OK);
    cip_frame_free(x);
    return out;
}

static void test_bundle_clv_predict_matches_model(void **state)
{
    (void)state;
    cip_ctx *ctx = NULL;
    struct fixture fx;
    cip_bundle *b = open_trained(&ctx, CIP_TRAIN_CLV, &fx);
    assert_string_equal(cip_bundle_dir(b), fx.bundle);
    assert_non_null(cip_bundle_featpipe(b));
    assert_null(cip_bundle_kmeans(b));
    /* the signature is the raw customer table */
    assert_int_equal(cip_bundle_n_inputs(b), 6);
    assert_string_equal(cip_bundle_input_name(b, 0), "age");
    assert_int_equal(cip_bundle_input_type(b, 0), CIP_TYPE_INT);
    assert_string_equal(cip_bundle_input_name(b, 4), "region");
    assert_int_equal(cip_bundle_input_type(b, 4), CIP_TYPE_CAT);
    assert_null(cip_bundle_input_name(b, 6));
    cip_frame *pred = NULL;
    assert_int_equal(cip_bundle_predict(ctx, b, fx.raw, &pred), CIP_OK);
    assert_int_equal(cip_frame_n_cols(pred), 1);
    assert_string_equal(cip_frame_col_name(pred, 0), "prediction");
    double *want = model_predictions(ctx, fx.r, fx.raw, 0);
    for (size_t i = 0; i < cip_frame_n_rows(fx.raw); i++)
        assert_true(cip_frame_f64(pred, 0)[i] == want[i]); /* save/load is exact */
    /* the feature frame is exactly the model columns */
    cip_frame *feat = NULL;
    assert_int_equal(cip_bundle_features(ctx, b, fx.raw, &feat), CIP_OK);
    assert_int_equal(cip_frame_n_cols(feat), fx.r->n_features);
    for (size_t k = 0; k < fx.r->n_features; k++)
        assert_string_equal(cip_frame_col_name(feat, k), fx.r->features[k]);
    free(want);
    cip_frame_free(feat);
    cip_frame_free(pred);
    close_trained(ctx, b, &fx);
}

static void test_bundle_churn_label_is_threshold(void **state)
{
    (void)state;
    cip_ctx *ctx = NULL;
    struct fixture fx;
    cip_bundle *b = open_trained(&ctx, CIP_TRAIN_CHURN, &fx);
    cip_frame *pred = NULL;
    assert_int_equal(cip_bundle_predict(ctx, b, fx.raw, &pred), CIP_OK);
    assert_string_equal(cip_frame_col_name(pred, 0), "probability");
    assert_string_equal(cip_frame_col_name(pred, 1), "label");
    double *want = model_predictions(ctx, fx.r, fx.raw, 1);
    size_t ones = 0;
    for (size_t i = 0; i < cip_frame_n_rows(fx.raw); i++) {
        double p = cip_frame_f64(pred, 0)[i];
        assert_true(p == want[2 * i + 1]);
        assert_int_equal(cip_frame_i64(pred, 1)[i], p > 0.5 ? 1 : 0);
        ones += p > 0.5;
    }
    assert_true(ones > 0 && ones < cip_frame_n_rows(fx.raw)); /* both classes occur */
    free(want);
    cip_frame_free(pred);
    close_trained(ctx, b, &fx);
}

static void test_bundle_segments_match_kmeans(void **state)
{
    (void)state;
    cip_ctx *ctx = NULL;
    struct fixture fx;
    cip_bundle *b = open_trained(&ctx, CIP_TRAIN_SEGMENTS, &fx);
    assert_null(cip_bundle_forest(b));
    assert_non_null(cip_bundle_kmeans(b));
    cip_frame *pred = NULL, *x = NULL;
    assert_int_equal(cip_bundle_predict(ctx, b, fx.raw, &pred), CIP_OK);
    assert_string_equal(cip_frame_col_name(pred, 0), "segment");
    size_t n = cip_frame_n_rows(fx.raw);
    assert_int_equal(cip_train_prepare(ctx, fx.raw, fx.r->featpipe,
                                       (const char *const *)fx.r->features, fx.r->n_features, &x),
                     CIP_OK);
    int32_t *lab = calloc(n, sizeof *lab);
    assert_int_equal(cip_kmeans_predict_frame(ctx, fx.r->kmeans, x, lab, n), CIP_OK);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(cip_frame_i64(pred, 0)[i], lab[i]);
    free(lab);
    cip_frame_free(x);
    cip_frame_free(pred);
    close_trained(ctx, b, &fx);
}

static void test_bundle_missing_column_named(void **state)
{
    (void)state;
    cip_ctx *ctx = NULL;
    struct fixture fx;
    cip_bundle *b = open_trained(&ctx, CIP_TRAIN_CLV, &fx);
    const char *keep[] = {"annual_income", "purchase_amount", "loyalty_score", "region",
                          "purchase_frequency"};
    cip_frame *sub = NULL, *pred = NULL;
    assert_int_equal(cip_frame_select(ctx, fx.raw, keep, 5, &sub), CIP_OK);
    assert_int_equal(cip_bundle_predict(ctx, b, sub, &pred), CIP_ERR_SCHEMA);
    assert_null(pred);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "'age'"));
    cip_frame_free(sub);
    /* region given as numbers: mistyped */
    const char *keep2[] = {"age", "annual_income", "purchase_amount", "loyalty_score",
                           "purchase_frequency"};
    assert_int_equal(cip_frame_select(ctx, fx.raw, keep2, 5, &sub), CIP_OK);
    int64_t *codes = calloc(cip_frame_n_rows(sub), sizeof *codes);
    assert_int_equal(cip_frame_add_i64(ctx, sub, "region", codes, NULL), CIP_OK);
    assert_int_equal(cip_bundle_predict(ctx, b, sub, &pred), CIP_ERR_SCHEMA);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "'region'"));
    free(codes);
    cip_frame_free(sub);
    close_trained(ctx, b, &fx);
}

static void test_bundle_load_not_a_bundle(void **state)
{
    (void)state;
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    char path[512];
    cip_bundle *b = (cip_bundle *)1;
    assert_int_equal(cip_bundle_load(ctx, cipt_data_path(path, sizeof path, "features"), &b),
                     CIP_ERR_NOT_FOUND);
    assert_null(b);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "is not a model bundle"));
    /* a model URI without a store is a misuse, not a crash */
    assert_int_equal(cip_bundle_open_uri(ctx, NULL, "models:/cip-clv@champion", &b),
                     CIP_ERR_MISUSE);
    cip_ctx_free(ctx);
}

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

/* Log the bundle as a run's LoggedModel "model", register it as `name`, alias champion. */
static void register_bundle(cip_ctx *ctx, cip_store *s, const char *bundle, const char *name,
                            char run_id[33])
{
    char model_file[512], src[512], dst[1024], uri[128];
    cip_run *run = NULL;
    cip_run_params rp;
    cip_run_params_default(&rp);
    assert_int_equal(cip_run_start(ctx, s, &rp, &run), CIP_OK);
    snprintf(run_id, 33, "%s", cip_run_id(run));
    snprintf(model_file, sizeof model_file, "%s/model.forest", bundle);
    if (access(model_file, F_OK) != 0)
        snprintf(model_file, sizeof model_file, "%s/model.kmeans", bundle);
    cip_model_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.name = "model";
    spec.model_file = model_file;
    char *model_id = NULL, *dir = NULL;
    assert_int_equal(cip_run_log_model(ctx, run, &spec, &model_id), CIP_OK);
    snprintf(uri, sizeof uri, "models:/%s", model_id);
    assert_int_equal(cip_registry_resolve(ctx, s, uri, &dir), CIP_OK);
    const char *more[] = {"manifest.json", "featpipe.txt"};
    for (int f = 0; f < 2; f++) {
        snprintf(src, sizeof src, "%s/%s", bundle, more[f]);
        snprintf(dst, sizeof dst, "%s/%s", dir, more[f]);
        if (access(src, F_OK) == 0)
            copy_file(src, dst);
    }
    int64_t version = 0;
    assert_int_equal(cip_registry_register(ctx, s, name, uri, NULL, &version), CIP_OK);
    assert_int_equal(cip_registry_set_alias(ctx, s, name, "champion", version), CIP_OK);
    assert_int_equal(cip_run_end(ctx, run, CIP_RUN_FINISHED), CIP_OK);
    cip_run_free(run);
    cip_free(ctx, model_id);
    cip_free(ctx, dir);
}

static void test_bundle_open_uri_registry(void **state)
{
    (void)state;
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    struct fixture fx;
    train(ctx, CIP_TRAIN_CLV, &fx);
    char uri[256], run_id[33], runs_uri[128];
    snprintf(uri, sizeof uri, "sqlite:///%s/mlflow.db", fx.dir);
    cip_store *s = NULL;
    assert_int_equal(cip_store_open(ctx, uri, NULL, &s), CIP_OK);
    register_bundle(ctx, s, fx.bundle, "cip-clv", run_id);
    snprintf(runs_uri, sizeof runs_uri, "runs:/%s/model", run_id);
    const char *uris[] = {"models:/cip-clv@champion", "models:/cip-clv/1", runs_uri, fx.bundle};
    double *want = model_predictions(ctx, fx.r, fx.raw, 0);
    for (size_t u = 0; u < 4; u++) {
        cip_bundle *b = NULL;
        cip_frame *pred = NULL;
        assert_int_equal(cip_bundle_open_uri(ctx, s, uris[u], &b), CIP_OK);
        assert_int_equal(cip_bundle_task(b), CIP_TRAIN_CLV);
        assert_int_equal(cip_bundle_predict(ctx, b, fx.raw, &pred), CIP_OK);
        for (size_t i = 0; i < cip_frame_n_rows(fx.raw); i++)
            assert_true(cip_frame_f64(pred, 0)[i] == want[i]);
        cip_frame_free(pred);
        cip_bundle_free(b);
    }
    cip_bundle *b = NULL;
    assert_int_equal(cip_bundle_open_uri(ctx, s, "models:/cip-clv@nope", &b), CIP_ERR_NOT_FOUND);
    assert_null(b);
    free(want);
    cip_store_close(s);
    done(&fx);
    cip_ctx_free(ctx);
}

struct oom_arg {
    const char *dir;
    const cip_frame *raw;
};

static cip_status oom_body(cip_ctx *ctx, void *arg)
{
    struct oom_arg *a = arg;
    cip_bundle *b = NULL;
    cip_frame *pred = NULL;
    cip_status rc = cip_bundle_load(ctx, a->dir, &b);
    if (rc == CIP_OK)
        rc = cip_bundle_predict(ctx, b, a->raw, &pred);
    cip_frame_free(pred);
    cip_bundle_free(b);
    return rc;
}

static void test_bundle_oom_sweep(void **state)
{
    (void)state;
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_ctx_set_threads(ctx, 1);
    struct fixture fx;
    train(ctx, CIP_TRAIN_CHURN, &fx);
    struct oom_arg a = {fx.bundle, fx.raw};
    assert_true(cipt_oom_sweep(oom_body, &a) > 10);
    done(&fx);
    cip_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bundle_clv_predict_matches_model),
        cmocka_unit_test(test_bundle_churn_label_is_threshold),
        cmocka_unit_test(test_bundle_segments_match_kmeans),
        cmocka_unit_test(test_bundle_missing_column_named),
        cmocka_unit_test(test_bundle_load_not_a_bundle),
        cmocka_unit_test(test_bundle_open_uri_registry),
        cmocka_unit_test(test_bundle_oom_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
