/* test_serve.c - the model server in-process on an ephemeral port, driven with libcurl
 *
 * Fixture (serve_fixture.h): CLV, churn and segments bundles trained on
 * tests/data/features/small_raw.csv, registered in a temporary store as cip-clv / cip-churn /
 * cip-segments @champion, served with the default (champion) models, a token and a fast alias
 * re-check. Request decoding without HTTP: test_serve_decode.c.
 * SPDX-License-Identifier: MIT
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <jansson.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "cip/bundle.h"
#include "cip/monitor.h"
#include "cip/serve.h"
#include "testutil.h"
#include "serve_fixture.h"

/* --- HTTP client ----------------------------------------------------------------------- */
/* --- fixture ---------------------------------------------------------------------------- */
/* --- tests ------------------------------------------------------------------------------ */
static void test_serve_ping_health_version(void **state)
{
    (void)state;
    const char *paths[] = {"/ping", "/health"};
    for (int k = 0; k < 2; k++) {
        struct reply r = get(paths[k]);
        assert_int_equal(r.status, 200);
        assert_string_equal(r.body, "\n");
        assert_string_equal(r.ctype, "application/json");
        free(r.body);
    }
    struct reply r = get("/version");
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, cip_version());
    free(r.body);
}

/* r's {"predictions": [...]} are exactly want[] (one per fixture row); frees r. */
static void expect_predictions(struct reply r, const double *want)
{
    json_t *j = json_loads(r.body, 0, NULL), *p = json_object_get(j, "predictions");
    assert_int_equal(json_array_size(p), cip_frame_n_rows(W.raw));
    for (size_t i = 0; i < json_array_size(p); i++)
        assert_true(json_number_value(json_array_get(p, i)) == want[i]);
    json_decref(j);
    free(r.body);
}

static void test_serve_invocations_equal_predict_every_form(void **state)
{
    (void)state;
    double *want = bundle_predictions(W.bundle[0], 0);
    for (int form = 0; form < 4; form++) {
        char *body = rows_body(form);
        struct reply r = post_json("/invocations", body);
        if (r.status != 200)
            fail_msg("form %d: %ld %s", form, r.status, r.body);
        expect_predictions(r, want);
        free(body);
    }
    /* text/csv, with extra columns and charset=utf-8 */
    char path[512], *csv = NULL;
    FILE *f = fopen(cipt_data_path(path, sizeof path, "features/small_raw.csv"), "rb");
    assert_non_null(f);
    csv = calloc(1, 1 << 16);
    size_t n = fread(csv, 1, (1 << 16) - 1, f);
    fclose(f);
    struct reply r = http("POST", "/invocations", "text/csv; charset=UTF-8", csv, n, NULL);
    assert_int_equal(r.status, 200);
    expect_predictions(r, want);
    free(csv);
    free(want);
}

static void test_serve_invocations_protocol_errors(void **state)
{
    (void)state;
    expect_error(post_json("/invocations", "{\"dataframe_records\": [}"), 400, "BAD_REQUEST",
                 "invalid JSON");
    expect_error(post_json("/invocations", "[{\"age\": 1}]"), 400, "BAD_REQUEST", NULL);
    expect_error(post_json("/invocations", "{\"columns\": []}"), 400, "BAD_REQUEST", "columns");
    expect_error(post_json("/invocations", "{}"), 400, "BAD_REQUEST", "dataframe_split");
    expect_error(post_json("/invocations", "{\"instances\": [], \"inputs\": []}"), 400,
                 "BAD_REQUEST", "exactly one");
    expect_error(post_json("/invocations", "{\"dataframe_records\": [{\"age\": 1}]}"), 400,
                 "INVALID_PARAMETER_VALUE", "'annual_income'");
    const char *typed = "{\"dataframe_records\": [{\"age\": \"35\", \"annual_income\": 6e4, "
                        "\"purchase_amount\": 410, \"loyalty_score\": 6.5, \"region\": \"North\", "
                        "\"purchase_frequency\": 20}]}";
    expect_error(post_json("/invocations", typed), 400, "INVALID_PARAMETER_VALUE", "'age'");
    char body[512];
    expect_error(http("POST", "/invocations", "text/plain", "x", 1, NULL), 415, "BAD_REQUEST",
                 "application/json");
    expect_error(http("POST", "/invocations", "application/json; charset=latin-1", "{}", 2, NULL),
                 415, "BAD_REQUEST", "UTF-8");
    expect_error(http("POST", "/invocations", "application/json; foo=bar", "{}", 2, NULL), 415,
                 "BAD_REQUEST", NULL);
    expect_error(http("POST", "/invocations", NULL, "{}", 2, NULL), 415, "BAD_REQUEST", NULL);
    expect_error(get("/invocations"), 405, "BAD_REQUEST", "POST");
    expect_error(http("PUT", "/invocations", "application/json", "{}", 2, NULL), 405, "BAD_REQUEST",
                 NULL);
    expect_error(http("POST", "/ping", "application/json", "{}", 2, NULL), 405, "BAD_REQUEST",
                 NULL);
    snprintf(body, sizeof body, "{\"dataframe_records\": [%s]}", k_customer);
    struct reply r =
        http("POST", "/invocations", "application/json; charset=utf-8", body, strlen(body), NULL);
    assert_int_equal(r.status, 200);
    free(r.body);
}

static void test_serve_body_too_large_413(void **state)
{
    (void)state;
    size_t n = 300 << 10;
    char *big = malloc(n);
    memset(big, ' ', n);
    big[0] = '{';
    big[n - 1] = '}';
    expect_error(http("POST", "/invocations", "application/json", big, n, NULL), 413,
                 "REQUEST_LIMIT_EXCEEDED", NULL);
    free(big);
    /* the server still answers */
    struct reply r = get("/ping");
    assert_int_equal(r.status, 200);
    free(r.body);
}

static void test_serve_assets_and_traversal(void **state)
{
    (void)state;
    struct reply r = get("/");
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.ctype, "text/html"));
    assert_true(r.len > 0);
    free(r.body);
    expect_error(get("/../../../../etc/passwd"), 404, "RESOURCE_DOES_NOT_EXIST", NULL);
    expect_error(get("/%2e%2e/%2e%2e/etc/passwd"), 404, "RESOURCE_DOES_NOT_EXIST", NULL);
    expect_error(get("/index.html/../../etc/passwd"), 404, "RESOURCE_DOES_NOT_EXIST", NULL);
    expect_error(get("/no-such-file.js"), 404, "RESOURCE_DOES_NOT_EXIST", NULL);
    expect_error(get("/api/v1/nothing"), 404, "RESOURCE_DOES_NOT_EXIST", NULL);
}

static void test_serve_score_explains_and_sums(void **state)
{
    (void)state;
    struct reply r = post_json("/api/v1/score", k_customer);
    if (r.status != 200)
        fail_msg("%ld %s", r.status, r.body);
    json_t *j = json_loads(r.body, 0, NULL);
    assert_non_null(j);
    json_t *clv = json_object_get(j, "clv"), *churn = json_object_get(j, "churn");
    json_t *seg = json_object_get(j, "segment");
    assert_non_null(clv);
    assert_non_null(churn);
    assert_non_null(seg);
    double pred = json_number_value(json_object_get(clv, "prediction"));
    json_t *iv = json_object_get(clv, "interval");
    assert_int_equal(json_array_size(iv), 2);
    assert_true(json_number_value(json_array_get(iv, 0)) <=
                json_number_value(json_array_get(iv, 1)));
    /* TreeSHAP: base value + contributions == prediction, sorted by |c| desc */
    json_t *cs = json_object_get(clv, "contributions"), *c;
    size_t k;
    double sum = json_number_value(json_object_get(clv, "base_value")), prev = INFINITY;
    assert_true(json_array_size(cs) > 0);
    json_array_foreach(cs, k, c)
    {
        double v = json_number_value(json_object_get(c, "contribution"));
        assert_non_null(json_string_value(json_object_get(c, "feature")));
        assert_true(fabs(v) <= prev);
        prev = fabs(v);
        sum += v;
    }
    assert_true(fabs(sum - pred) <= 1e-9 * fmax(1.0, fabs(pred)));
    double p = json_number_value(json_object_get(churn, "probability"));
    assert_true(p >= 0 && p <= 1);
    assert_int_equal(json_integer_value(json_object_get(churn, "label")), p > 0.5 ? 1 : 0);
    sum = json_number_value(json_object_get(churn, "base_value"));
    json_array_foreach(json_object_get(churn, "contributions"), k, c) sum +=
        json_number_value(json_object_get(c, "contribution"));
    assert_true(fabs(sum - p) <= 1e-9);
    json_int_t id = json_integer_value(json_object_get(seg, "id"));
    assert_true(id >= 0 && id < 3);
    assert_true(json_is_object(json_object_get(seg, "profile")));
    assert_non_null(strstr(json_string_value(json_object_get(j, "recommendation")), "churn"));
    json_decref(j);
    free(r.body);
    expect_error(post_json("/api/v1/score", "{\"age\": 35}"), 400, "INVALID_PARAMETER_VALUE",
                 "'annual_income'");
    expect_error(post_json("/api/v1/score", "[]"), 400, "BAD_REQUEST", NULL);
}

static void test_serve_batch_csv(void **state)
{
    (void)state;
    char path[512];
    FILE *f = fopen(cipt_data_path(path, sizeof path, "features/small_raw.csv"), "rb");
    char *csv = calloc(1, 1 << 16);
    size_t n = fread(csv, 1, (1 << 16) - 1, f);
    fclose(f);
    struct reply r = http("POST", "/api/v1/score/batch", "text/csv", csv, n, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.ctype, "text/csv"));
    assert_memory_equal(r.body,
                        "user_id,predicted_clv,churn_probability,churn_prediction,"
                        "customer_segment\n1,",
                        strlen("user_id,predicted_clv,churn_probability,churn_prediction,"
                               "customer_segment\n1,"));
    size_t lines = 0;
    for (size_t i = 0; i < r.len; i++)
        lines += r.body[i] == '\n';
    assert_int_equal(lines, cip_frame_n_rows(W.raw) + 1);
    free(r.body);
    expect_error(http("POST", "/api/v1/score/batch", "application/json", "{}", 2, NULL), 415,
                 "BAD_REQUEST", NULL);
    free(csv);
}

static void test_serve_tracking_endpoints(void **state)
{
    (void)state;
    struct reply r = get("/api/v1/experiments");
    assert_int_equal(r.status, 200);
    json_t *j = json_loads(r.body, 0, NULL);
    assert_true(json_is_array(j));
    json_decref(j);
    free(r.body);
    r = get("/api/v1/runs?max_results=2");
    assert_int_equal(r.status, 200);
    j = json_loads(r.body, 0, NULL);
    assert_int_equal(json_array_size(j), 2);
    json_decref(j);
    free(r.body);
    char path[256];
    snprintf(path, sizeof path, "/api/v1/runs/%s", W.run_id);
    r = get(path);
    assert_int_equal(r.status, 200);
    j = json_loads(r.body, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(j, "run_id")), W.run_id);
    json_decref(j);
    free(r.body);
    snprintf(path, sizeof path, "/api/v1/runs/%s/metrics/rmse", W.run_id);
    r = get(path);
    assert_int_equal(r.status, 200);
    j = json_loads(r.body, 0, NULL);
    json_t *h = json_object_get(j, "history");
    assert_int_equal(json_array_size(h), 2);
    assert_true(json_number_value(json_object_get(json_array_get(h, 1), "value")) == 1.5);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(h, 1), "step")), 1);
    json_decref(j);
    free(r.body);
    expect_error(get("/api/v1/runs/0123456789abcdef0123456789abcdef"), 404,
                 "RESOURCE_DOES_NOT_EXIST", NULL);
    expect_error(get("/api/v1/runs?max_results=x"), 400, "INVALID_PARAMETER_VALUE", NULL);
    r = get("/api/v1/models");
    assert_int_equal(r.status, 200);
    j = json_loads(r.body, 0, NULL);
    assert_int_equal(json_array_size(j), 3);
    json_decref(j);
    free(r.body);
    r = get("/api/v1/models/cip-churn");
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "champion"));
    free(r.body);
    expect_error(get("/api/v1/models/nope"), 404, "RESOURCE_DOES_NOT_EXIST", NULL);
    expect_error(get("/api/v1/audit"), 404, "RESOURCE_DOES_NOT_EXIST", "audit");
    r = get("/api/v1/info");
    assert_int_equal(r.status, 200);
    j = json_loads(r.body, 0, NULL);
    assert_int_equal(json_array_size(json_object_get(j, "models")), 3);
    assert_true(json_is_true(json_object_get(j, "token_required")));
    json_t *m0 = json_array_get(json_object_get(j, "models"), 0);
    assert_string_equal(json_string_value(json_object_get(m0, "role")), "clv");
    assert_string_equal(json_string_value(json_object_get(m0, "name")), "cip-clv");
    assert_int_equal(json_array_size(json_object_get(m0, "inputs")), 6);
    json_decref(j);
    free(r.body);
}

static char *info_version(void)
{
    struct reply r = get("/api/v1/info");
    json_t *j = json_loads(r.body, 0, NULL);
    const char *v = json_string_value(
        json_object_get(json_array_get(json_object_get(j, "models"), 0), "version"));
    char *out = strdup(v != NULL ? v : "");
    json_decref(j);
    free(r.body);
    return out;
}

static void test_serve_alias_token_and_hot_reload(void **state)
{
    (void)state;
    /* a second CLV version with another seed */
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    char b2[128];
    snprintf(b2, sizeof b2, "%s/b_clv2", W.dir);
    train(ctx, CIP_TRAIN_CLV, 7, b2);
    cip_store *s = NULL;
    assert_int_equal(cip_store_open(ctx, W.store_uri, NULL, &s), CIP_OK);
    assert_int_equal(register_bundle(ctx, s, b2, "cip-clv"), 2);
    cip_store_close(s);
    cip_ctx_free(ctx);
    const char *body = "{\"alias\": \"champion\", \"version\": \"2\"}";
    expect_error(http("POST", "/api/v1/models/cip-clv/aliases", "application/json", body,
                      strlen(body), NULL),
                 401, "UNAUTHENTICATED", NULL);
    expect_error(http("POST", "/api/v1/models/cip-clv/aliases", "application/json", body,
                      strlen(body), "Bearer s3cret-tokeN"),
                 401, "UNAUTHENTICATED", NULL);
    expect_error(http("POST", "/api/v1/models/cip-clv/aliases", "application/json", body,
                      strlen(body), "Bearer s3cret"),
                 401, "UNAUTHENTICATED", NULL);
    char *v = info_version();
    assert_string_equal(v, "1");
    free(v);
    struct reply r = http("POST", "/api/v1/models/cip-clv/aliases", "application/json", body,
                          strlen(body), "Bearer s3cret-token");
    assert_int_equal(r.status, 200);
    json_t *j = json_loads(r.body, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(j, "name")), "cip-clv");
    assert_string_equal(json_string_value(json_object_get(j, "alias")), "champion");
    assert_string_equal(json_string_value(json_object_get(j, "version")), "2");
    json_decref(j);
    free(r.body);
    /* picked up without a restart */
    int ok = 0;
    for (int t = 0; t < 100 && !ok; t++) {
        v = info_version();
        ok = strcmp(v, "2") == 0;
        free(v);
        if (!ok)
            sleep_ms(50);
    }
    assert_true(ok);
    double *want = bundle_predictions(b2, 0);
    char *rows = rows_body(2);
    r = post_json("/invocations", rows);
    assert_int_equal(r.status, 200);
    j = json_loads(r.body, 0, NULL);
    json_t *p = json_object_get(j, "predictions");
    for (size_t i = 0; i < json_array_size(p); i++)
        assert_true(json_number_value(json_array_get(p, i)) == want[i]);
    json_decref(j);
    free(r.body);
    free(rows);
    free(want);
    expect_error(http("POST", "/api/v1/models/cip-clv/aliases", "application/json",
                      "{\"alias\": \"champion\", \"version\": \"9\"}", 37, "Bearer s3cret-token"),
                 404, "RESOURCE_DOES_NOT_EXIST", NULL);
    expect_error(http("POST", "/api/v1/models/cip-clv/aliases", "application/json", "{\"x\": 1}", 8,
                      "Bearer s3cret-token"),
                 400, "INVALID_PARAMETER_VALUE", NULL);
}

static void test_serve_metrics_and_access_log(void **state)
{
    (void)state;
    struct reply r = get("/ping");
    free(r.body);
    r = get("/metrics");
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.ctype, "text/plain"));
    assert_non_null(strstr(r.body, "cip_http_requests_total{route=\"ping\",status=\"200\"}"));
    assert_non_null(
        strstr(r.body, "cip_http_requests_total{route=\"invocations\",status=\"415\"}"));
    assert_non_null(strstr(r.body, "cip_http_request_duration_seconds_bucket{le=\"+Inf\"}"));
    assert_non_null(strstr(r.body, "cip_model_loaded{uri=\"models:/cip-segments@champion\","
                                   "role=\"segments\",version=\"1\"} 1"));
    free(r.body);
    sleep_ms(100); /* the completion callback runs after the reply is sent */
    pthread_mutex_lock(&W.log_mu);
    assert_non_null(strstr(W.log, "GET /ping 200 1 "));
    assert_non_null(strstr(W.log, "POST /invocations 415 "));
    pthread_mutex_unlock(&W.log_mu);
}

static void test_serve_live_monitor(void **state)
{
    (void)state;
    char *rows = rows_body(2);
    struct reply r = post_json("/invocations", rows);
    assert_int_equal(r.status, 200);
    free(r.body);
    free(rows);
    r = get("/api/v1/monitor");
    if (r.status != 200)
        fail_msg("%ld %s", r.status, r.body);
    json_t *j = json_loads(r.body, 0, NULL), *models = json_object_get(j, "models");
    assert_int_equal(json_array_size(models), 1); /* only the CLV bundle has a reference */
    json_t *m = json_array_get(models, 0), *g;
    assert_string_equal(json_string_value(json_object_get(m, "role")), "clv");
    assert_true(json_integer_value(json_object_get(m, "rows")) >=
                (json_int_t)cip_frame_n_rows(W.raw));
    size_t k;
    int age = 0;
    json_array_foreach(json_object_get(m, "gauges"), k, g)
    {
        if (strcmp(json_string_value(json_object_get(g, "feature")), "age") == 0) {
            age = 1;
            assert_true(json_number_value(json_object_get(g, "psi")) >= 0);
        }
    }
    assert_true(age);
    json_decref(j);
    free(r.body);
    r = get("/metrics");
    assert_non_null(strstr(r.body, "cip_drift_psi{role=\"clv\",feature=\"age\"} "));
    free(r.body);
}

/* A run logged the way `cip clv evaluate` logs it (cli/clv_track.c): experiment cip-clv,
 * run name clv-SUB, tag cip.task = clv, param subcommand, artifact evaluation.json. */
static void log_clv_run(const char *sub, const char *json, char run_id[33])
{
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_store *s = NULL;
    assert_int_equal(cip_store_open(ctx, W.store_uri, NULL, &s), CIP_OK);
    char name[64];
    snprintf(name, sizeof name, "clv-%s", sub);
    cip_run_params rp;
    cip_run_params_default(&rp);
    rp.experiment = "cip-clv";
    rp.run_name = name;
    cip_run *run = NULL;
    assert_int_equal(cip_run_start(ctx, s, &rp, &run), CIP_OK);
    snprintf(run_id, 33, "%s", cip_run_id(run));
    assert_int_equal(cip_run_set_tag(ctx, run, "cip.task", "clv"), CIP_OK);
    assert_int_equal(cip_run_log_param(ctx, run, "subcommand", sub), CIP_OK);
    assert_int_equal(cip_run_log_text(ctx, run, "evaluation.json", json, strlen(json)), CIP_OK);
    assert_int_equal(cip_run_end(ctx, run, CIP_RUN_FINISHED), CIP_OK);
    cip_run_free(run);
    cip_store_close(s);
    cip_ctx_free(ctx);
    sleep_ms(5); /* distinct start times: the newest run wins */
}

static const char k_clv_doc[] =
    "{\"calibration_end\": \"1997-09-30\", \"holdout_end\": \"1998-06-30\", \"unit\": \"week\",\n"
    " \"customers\": %d,\n"
    " \"methods\": [{\"name\": \"BG/NBD\", \"mae\": 30.5, \"rmse\": 72.25, \"corr\": 0.5625,\n"
    "              \"aggregate_error\": -0.15625}],\n"
    " \"churn\": {\"methods\": [{\"name\": \"P(alive) < 0.5\", \"roc_auc\": 0.75, \"f1\": 0.5}]},\n"
    " \"cumulative\": {\"t\": [1, 2], \"actual\": [0, 19], \"bgnbd\": [3.25, 14.5]},\n"
    " \"fits\": {\"bgnbd\": {\"r\": 0.25, \"alpha\": 4.5, \"a\": 0.75, \"b\": 2.5, \"loglik\": "
    "-9582.5},\n"
    "          \"gamma_gamma\": {\"p\": 6.25, \"q\": 3.75, \"gamma\": 15.5}}}\n";

static void test_serve_clv_latest_evaluation(void **state)
{
    (void)state;
    expect_error(get("/api/v1/clv"), 404, "RESOURCE_DOES_NOT_EXIST", "clv evaluate");
    char doc[2048], id_fit[33], id_old[33], id_new[33], id_bad[33];
    snprintf(doc, sizeof doc, k_clv_doc, 1);
    log_clv_run("fit", doc, id_fit); /* another subcommand: never answered */
    expect_error(get("/api/v1/clv"), 404, "RESOURCE_DOES_NOT_EXIST", NULL);
    log_clv_run("evaluate", doc, id_old);
    snprintf(doc, sizeof doc, k_clv_doc, 2357);
    log_clv_run("evaluate", doc, id_new);
    struct reply r = get("/api/v1/clv");
    if (r.status != 200)
        fail_msg("%ld %s", r.status, r.body);
    assert_non_null(strstr(r.ctype, "application/json"));
    json_error_t err;
    json_t *j = json_loads(r.body, JSON_REJECT_DUPLICATES, &err);
    if (j == NULL)
        fail_msg("%d:%d %s in %s", err.line, err.column, err.text, r.body);
    assert_string_equal(json_string_value(json_object_get(j, "run_id")), id_new);
    assert_true(json_integer_value(json_object_get(j, "run_start_time")) > 0);
    assert_int_equal(json_integer_value(json_object_get(j, "customers")), 2357);
    assert_string_equal(json_string_value(json_object_get(j, "calibration_end")), "1997-09-30");
    json_t *m0 = json_array_get(json_object_get(j, "methods"), 0);
    assert_string_equal(json_string_value(json_object_get(m0, "name")), "BG/NBD");
    assert_true(json_number_value(json_object_get(m0, "aggregate_error")) == -0.15625);
    json_t *cum = json_object_get(j, "cumulative");
    assert_true(json_number_value(json_array_get(json_object_get(cum, "bgnbd"), 1)) == 14.5);
    json_t *gg = json_object_get(json_object_get(j, "fits"), "gamma_gamma");
    assert_true(json_number_value(json_object_get(gg, "gamma")) == 15.5);
    json_decref(j);
    free(r.body);
    /* a corrupt artifact of the newest run is a server-side error, not a silent fallback */
    log_clv_run("evaluate", "[1, 2]", id_bad);
    expect_error(get("/api/v1/clv"), 500, "INTERNAL_ERROR", id_bad);
    r = http("POST", "/api/v1/clv", "application/json", "{}", 2, NULL);
    assert_int_equal(r.status, 405);
    free(r.body);
}

struct hammer {
    int n_ok, n;
};

/* --- raw HTTP (requests libcurl will not send) ------------------------------------------ */
/* Send req on a new connection and read until the server closes it or 5 s pass; the answer
 * is NUL-terminated (malloc'ed). */
static char *raw_exchange(const char *req, size_t len)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)W.port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    for (size_t off = 0; off < len;) {
        ssize_t w = send(fd, req + off, len - off, MSG_NOSIGNAL);
        if (w <= 0)
            break; /* the server may answer and close before reading everything */
        off += (size_t)w;
    }
    size_t cap = 1 << 16, n = 0;
    char *out = calloc(1, cap + 1);
    assert_non_null(out);
    for (ssize_t r; n < cap && (r = recv(fd, out + n, cap - n, 0)) > 0;)
        n += (size_t)r;
    out[n] = '\0';
    close(fd);
    return out;
}

/* A Content-Length over twice the limit is refused before any body byte is sent (up to
 * twice, the body is read and discarded first: test_serve_body_too_large_413). */
static void test_serve_body_far_too_large_413_at_once(void **state)
{
    (void)state;
    static const char req[] = "POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              "Content-Type: application/json\r\nContent-Length: 10485760\r\n"
                              "Connection: close\r\n\r\n";
    char *ans = raw_exchange(req, strlen(req));
    if (strncmp(ans, "HTTP/1.1 413 ", 13) != 0 || strstr(ans, "REQUEST_LIMIT_EXCEEDED") == NULL)
        fail_msg("%.300s", ans);
    free(ans);
}

static char *header_request(size_t header_value_bytes)
{
    static const char head[] = "GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                               "X-Big: ";
    size_t n = strlen(head);
    char *req = malloc(n + header_value_bytes + 5);
    assert_non_null(req);
    memcpy(req, head, n);
    memset(req + n, 'a', header_value_bytes);
    memcpy(req + n + header_value_bytes, "\r\n\r\n", 5);
    return req;
}

static void test_serve_headers_too_large_431_json(void **state)
{
    (void)state;
    /* below the limit (16 KiB): served */
    char *req = header_request(8 << 10);
    char *ans = raw_exchange(req, strlen(req));
    if (strncmp(ans, "HTTP/1.1 200 ", 13) != 0)
        fail_msg("8 KiB of headers: %.200s", ans);
    free(ans);
    free(req);
    /* above cip's limit, within libmicrohttpd's pool: cip's JSON 431 */
    req = header_request(20 << 10);
    ans = raw_exchange(req, strlen(req));
    if (strncmp(ans, "HTTP/1.1 431 ", 13) != 0)
        fail_msg("20 KiB of headers: %.200s", ans);
    const char *body = strstr(ans, "\r\n\r\n");
    assert_non_null(body);
    assert_non_null(strstr(ans, "Content-Type: application/json"));
    json_error_t err;
    json_t *j = json_loads(body + 4, 0, &err);
    if (j == NULL)
        fail_msg("431 body is not JSON: %s", body + 4);
    assert_string_equal(json_string_value(json_object_get(j, "error_code")),
                        "REQUEST_LIMIT_EXCEEDED");
    assert_non_null(strstr(json_string_value(json_object_get(j, "message")), "16384 bytes"));
    json_decref(j);
    free(ans);
    free(req);
    /* the server goes on serving */
    struct reply r = get("/ping");
    assert_int_equal(r.status, 200);
    free(r.body);
}

static void test_serve_not_http_400_and_survives(void **state)
{
    (void)state;
    /* libmicrohttpd answers these itself (HTML body) before cip sees a request */
    static const char *const bad[] = {"GET /ping\r\n\r\n",
                                      "GET /ping HTTP/1.1 x\r\nHost: a\r\n\r\n",
                                      "GET /ping HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char *ans = raw_exchange(bad[k], strlen(bad[k]));
        if (strncmp(ans, "HTTP/1.1 400 ", 13) != 0)
            fail_msg("request %zu: %.200s", k, ans);
        free(ans);
    }
    /* not HTTP at all: no crash, whatever the answer (libmicrohttpd closes the connection) */
    free(raw_exchange("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 15));
    free(raw_exchange("GARBAGE\r\n\r\n", 11));
    struct reply r = get("/ping");
    assert_int_equal(r.status, 200);
    free(r.body);
    r = post_json("/invocations", "{\"dataframe_records\": []}");
    assert_int_equal(r.status, 200);
    free(r.body);
}

/* One keep-alive connection: the connection's reused buffers never leak one request's body
 * or answer into the next one. */
static void test_serve_keepalive_reuses_connection_state(void **state)
{
    (void)state;
    double *want = bundle_predictions(W.bundle[0], 0);
    char *all = rows_body(0), one[1024];
    snprintf(one, sizeof one, "{\"dataframe_records\": [%s]}", k_customer);
    CURL *c = curl_easy_init();
    assert_non_null(c);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/invocations", W.port);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    h = curl_slist_append(h, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    const char *bodies[] = {all, one, "{\"dataframe_records\": [{]}", all, one, all};
    double first_one = NAN;
    for (size_t k = 0; k < sizeof bodies / sizeof bodies[0]; k++) {
        struct reply r;
        memset(&r, 0, sizeof r);
        r.body = calloc(1, 1);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, bodies[k]);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(bodies[k]));
        assert_int_equal(curl_easy_perform(c), CURLE_OK);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
        long connects = -1;
        curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &connects);
        if (k > 0)
            assert_int_equal(connects, 0); /* the same connection */
        if (k == 2) {
            expect_error(r, 400, "BAD_REQUEST", "invalid JSON");
        } else if (bodies[k] == all) {
            assert_int_equal(r.status, 200);
            expect_predictions(r, want);
        } else {
            assert_int_equal(r.status, 200);
            json_t *j = json_loads(r.body, 0, NULL);
            json_t *p = json_object_get(j, "predictions");
            assert_int_equal(json_array_size(p), 1);
            double v = json_number_value(json_array_get(p, 0));
            if (isnan(first_one))
                first_one = v;
            assert_true(v == first_one);
            assert_null(strstr(r.body, "error_code"));
            json_decref(j);
            free(r.body);
        }
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    free(all);
    free(want);
}

static void test_serve_params_header_limit_checked(void **state)
{
    (void)state;
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_serve_params p;
    cip_serve_params_default(&p);
    assert_int_equal(p.max_header_bytes, 16384);
    assert_int_equal(p.access_log, 1);
    assert_int_equal(cip_serve_params_check(ctx, &p), CIP_OK);
    p.max_header_bytes = p.connection_memory_bytes;
    assert_int_equal(cip_serve_params_check(ctx, &p), CIP_ERR_INVALID);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "max_header_bytes"));
    p.max_header_bytes = 100;
    assert_int_equal(cip_serve_params_check(ctx, &p), CIP_ERR_INVALID);
    cip_ctx_free(ctx);
}

static void *hammer_main(void *arg)
{
    struct hammer *h = arg;
    char body[512];
    snprintf(body, sizeof body, "{\"dataframe_records\": [%s]}", k_customer);
    for (int i = 0; i < h->n; i++) {
        struct reply r = post_json("/invocations", body);
        h->n_ok += r.status == 200 && strstr(r.body, "\"predictions\": [") != NULL;
        free(r.body);
    }
    return NULL;
}

/* Requests in flight while the alias moves back and forth: every one is answered by a
 * whole model (ASan would catch a model freed under a request). */
static long reloads(void)
{
    struct reply r = get("/metrics");
    const char *p = strstr(r.body, "\ncip_model_reloads_total ");
    assert_non_null(p);
    long v = strtol(p + strlen("\ncip_model_reloads_total "), NULL, 10);
    free(r.body);
    return v;
}

static void test_serve_swap_under_load(void **state)
{
    (void)state;
    long before = reloads();
    struct hammer h[2] = {{0, 60}, {0, 60}};
    pthread_t t[2];
    for (int k = 0; k < 2; k++)
        assert_int_equal(pthread_create(&t[k], NULL, hammer_main, &h[k]), 0);
    for (int flip = 0; flip < 6; flip++) {
        const char *body = flip % 2 ? "{\"alias\": \"champion\", \"version\": 2}"
                                    : "{\"alias\": \"champion\", \"version\": 1}";
        struct reply r = http("POST", "/api/v1/models/cip-clv/aliases", "application/json", body,
                              strlen(body), "Bearer s3cret-token");
        assert_int_equal(r.status, 200);
        free(r.body);
        sleep_ms(120);
    }
    for (int k = 0; k < 2; k++) {
        pthread_join(t[k], NULL);
        assert_int_equal(h[k].n_ok, h[k].n);
    }
    long after = reloads();
    if (after < before + 3)
        fail_msg("only %ld reloads during 6 alias moves", after - before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_serve_ping_health_version),
        cmocka_unit_test(test_serve_invocations_equal_predict_every_form),
        cmocka_unit_test(test_serve_invocations_protocol_errors),
        cmocka_unit_test(test_serve_body_too_large_413),
        cmocka_unit_test(test_serve_headers_too_large_431_json),
        cmocka_unit_test(test_serve_not_http_400_and_survives),
        cmocka_unit_test(test_serve_body_far_too_large_413_at_once),
        cmocka_unit_test(test_serve_keepalive_reuses_connection_state),
        cmocka_unit_test(test_serve_params_header_limit_checked),
        cmocka_unit_test(test_serve_assets_and_traversal),
        cmocka_unit_test(test_serve_score_explains_and_sums),
        cmocka_unit_test(test_serve_batch_csv),
        cmocka_unit_test(test_serve_tracking_endpoints),
        cmocka_unit_test(test_serve_metrics_and_access_log),
        cmocka_unit_test(test_serve_live_monitor),
        cmocka_unit_test(test_serve_alias_token_and_hot_reload),
        cmocka_unit_test(test_serve_swap_under_load),
        cmocka_unit_test(test_serve_clv_latest_evaluation),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
