/* serve_fixture.h - the fixture of the model-server tests: CLV, churn and segments bundles trained
 * on tests/data/features/small_raw.csv, registered in a temporary store as cip-clv / cip-churn /
 * cip-segments @champion and served in-process on an ephemeral port (group setup/teardown), and a
 * libcurl client (header-only) SPDX-License-Identifier: MIT
 */
#ifndef CIP_TEST_SERVE_FIXTURE_H
#define CIP_TEST_SERVE_FIXTURE_H

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cip/bundle.h"
#include "cip/serve.h"
#include "testutil.h"

static const char k_token[] = "s3cret-token";

static const char k_customer[] =
    "{\"age\": 35, \"annual_income\": 60000, \"purchase_amount\": 410, "
    "\"loyalty_score\": 6.5, \"region\": \"North\", "
    "\"purchase_frequency\": 20, \"user_id\": 7}";

struct world {
    char dir[64];
    char store_uri[128];
    char bundle[3][96];
    char run_id[33];
    cip_frame *raw;
    cip_server *srv;
    unsigned port;
    pthread_mutex_t log_mu;
    char log[1 << 16];
    size_t log_len;
};

static struct world W;

static inline void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static inline void on_log(void *ud, cip_log_level level, const char *line)
{
    (void)level;
    struct world *w = ud;
    pthread_mutex_lock(&w->log_mu);
    size_t n = strlen(line);
    if (getenv("CIPT_SERVE_LOG") != NULL) /* debugging aid: echo the server log */
        fprintf(stderr, "LOG %s\n", line);
    if (w->log_len + n + 2 < sizeof w->log) {
        memcpy(w->log + w->log_len, line, n);
        w->log_len += n;
        w->log[w->log_len++] = '\n';
        w->log[w->log_len] = '\0';
    }
    pthread_mutex_unlock(&w->log_mu);
}

struct reply {
    long status;
    char *body;
    size_t len;
    char ctype[128];
};

static inline size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    struct reply *r = ud;
    size_t add = size * n;
    char *nb = realloc(r->body, r->len + add + 1);
    assert_non_null(nb);
    r->body = nb;
    memcpy(r->body + r->len, p, add);
    r->len += add;
    r->body[r->len] = '\0';
    return add;
}

static inline struct reply http(const char *method, const char *path, const char *ctype,
                                const char *body, size_t body_len, const char *auth)
{
    struct reply r;
    memset(&r, 0, sizeof r);
    r.body = calloc(1, 1);
    CURL *c = curl_easy_init();
    assert_non_null(c);
    char url[1024], hdr[256], authh[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", W.port, path);
    struct curl_slist *h = NULL;
    if (ctype != NULL) {
        snprintf(hdr, sizeof hdr, "Content-Type: %s", ctype);
        h = curl_slist_append(h, hdr);
    }
    if (auth != NULL) {
        snprintf(authh, sizeof authh, "Authorization: %s", auth);
        h = curl_slist_append(h, authh);
    }
    h = curl_slist_append(h, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    if (body != NULL) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    char *ct = NULL;
    curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
    snprintf(r.ctype, sizeof r.ctype, "%s", ct ? ct : "");
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return r;
}

static inline struct reply get(const char *path)
{
    return http("GET", path, NULL, NULL, 0, NULL);
}

static inline struct reply post_json(const char *path, const char *body)
{
    return http("POST", path, "application/json", body, strlen(body), NULL);
}

/* Status and error_code of an error reply (frees it). */
static inline void expect_error(struct reply r, long status, const char *code, const char *msg_part)
{
    if (r.status != status)
        fail_msg("status %ld, expected %ld: %s", r.status, status, r.body);
    json_t *j = json_loads(r.body, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "error_code")), code);
    const char *m = json_string_value(json_object_get(j, "message"));
    assert_non_null(m);
    if (msg_part != NULL && strstr(m, msg_part) == NULL)
        fail_msg("message '%s' lacks '%s'", m, msg_part);
    json_decref(j);
    free(r.body);
}

static inline void copy_file(const char *from, const char *to)
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

static inline void train(cip_ctx *ctx, cip_train_task task, uint64_t seed, const char *dir)
{
    cip_train_params p;
    cip_train_params_default(&p);
    p.task = task;
    p.cv = 0;
    p.test_size = 0;
    p.seed = seed;
    p.forest.n_estimators = 10;
    p.kmeans.k_min = 2;
    p.kmeans.k_max = 3;
    cip_train_result *r = NULL;
    assert_int_equal(cip_train_run(ctx, W.raw, &p, &r), CIP_OK);
    assert_int_equal(cip_train_save_bundle(ctx, r, dir), CIP_OK);
    if (task == CIP_TRAIN_CLV) /* live monitoring for the CLV model only */
        assert_int_equal(cip_monitor_save_reference(ctx, r, W.raw, dir), CIP_OK);
    cip_train_result_free(r);
}

/* Log bundle as a LoggedModel, register it as the next version of name; returns it. */
static inline int64_t register_bundle(cip_ctx *ctx, cip_store *s, const char *bundle,
                                      const char *name)
{
    char model_file[512], src[512], dst[1024], uri[128];
    cip_run *run = NULL;
    cip_run_params rp;
    cip_run_params_default(&rp);
    assert_int_equal(cip_run_start(ctx, s, &rp, &run), CIP_OK);
    snprintf(W.run_id, sizeof W.run_id, "%s", cip_run_id(run));
    assert_int_equal(cip_run_log_metric(ctx, run, "rmse", 2.5, 0), CIP_OK);
    assert_int_equal(cip_run_log_metric(ctx, run, "rmse", 1.5, 1), CIP_OK);
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
    const char *more[] = {"manifest.json", "featpipe.txt", "reference.json"};
    for (int f = 0; f < 3; f++) {
        snprintf(src, sizeof src, "%s/%s", bundle, more[f]);
        snprintf(dst, sizeof dst, "%s/%s", dir, more[f]);
        if (access(src, F_OK) == 0)
            copy_file(src, dst);
    }
    int64_t version = 0;
    assert_int_equal(cip_registry_register(ctx, s, name, uri, NULL, &version), CIP_OK);
    assert_int_equal(cip_run_end(ctx, run, CIP_RUN_FINISHED), CIP_OK);
    cip_run_free(run);
    cip_free(ctx, model_id);
    cip_free(ctx, dir);
    return version;
}

static inline int setup(void **state)
{
    (void)state;
    memset(&W, 0, sizeof W);
    pthread_mutex_init(&W.log_mu, NULL);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    char path[512];
    snprintf(W.dir, sizeof W.dir, "/tmp/cip_serve_XXXXXX");
    assert_non_null(mkdtemp(W.dir));
    assert_int_equal(cip_frame_read_csv(ctx,
                                        cipt_data_path(path, sizeof path, "features/small_raw.csv"),
                                        NULL, &W.raw),
                     CIP_OK);
    snprintf(W.store_uri, sizeof W.store_uri, "sqlite:///%s/mlflow.db", W.dir);
    cip_store *s = NULL;
    assert_int_equal(cip_store_open(ctx, W.store_uri, NULL, &s), CIP_OK);
    static const char *const names[] = {"cip-clv", "cip-churn", "cip-segments"};
    for (int t = 0; t < 3; t++) {
        snprintf(W.bundle[t], sizeof W.bundle[t], "%s/b%d", W.dir, t);
        train(ctx, (cip_train_task)t, 42, W.bundle[t]);
        int64_t v = register_bundle(ctx, s, W.bundle[t], names[t]);
        assert_int_equal(cip_registry_set_alias(ctx, s, names[t], "champion", v), CIP_OK);
    }
    cip_store_close(s);
    cip_serve_params p;
    cip_serve_params_default(&p);
    p.port = 0;
    p.tracking_uri = W.store_uri;
    p.threads = 2;
    p.token = k_token;
    p.max_body_bytes = 256 << 10;
    p.reload_ms = 100;
    p.log = on_log;
    p.log_ud = &W;
    assert_int_equal(cip_server_start(ctx, &p, &W.srv), CIP_OK);
    W.port = cip_server_port(W.srv);
    assert_true(W.port > 0);
    assert_int_equal(cip_server_n_models(W.srv), 3);
    cip_ctx_free(ctx);
    return 0;
}

static inline int teardown(void **state)
{
    (void)state;
    cip_server_stop(W.srv);
    cip_frame_free(W.raw);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", W.dir);
    assert_int_equal(system(cmd), 0);
    curl_global_cleanup();
    pthread_mutex_destroy(&W.log_mu);
    return 0;
}

/* Predictions of bundle dir on the fixture rows (what `cip predict` prints). */
static inline double *bundle_predictions(const char *dir, size_t col)
{
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_bundle *b = NULL;
    cip_frame *pred = NULL;
    assert_int_equal(cip_bundle_load(ctx, dir, &b), CIP_OK);
    assert_int_equal(cip_bundle_predict(ctx, b, W.raw, &pred), CIP_OK);
    size_t n = cip_frame_n_rows(pred);
    double *v = calloc(n, sizeof *v);
    cip_frame_get_col(pred, col, v);
    cip_frame_free(pred);
    cip_bundle_free(b);
    cip_ctx_free(ctx);
    return v;
}

/* The fixture rows as a JSON body in one of the four MLflow forms. */
static inline char *rows_body(int form)
{
    static const char *const cols[] = {"age",           "annual_income", "purchase_amount",
                                       "loyalty_score", "region",        "purchase_frequency"};
    json_t *rows = json_array(), *colobj = json_object();
    for (int k = 0; k < 6; k++)
        json_object_set_new(colobj, cols[k], json_array());
    for (size_t i = 0; i < cip_frame_n_rows(W.raw); i++) {
        json_t *rec = json_object(), *list = json_array();
        for (int k = 0; k < 6; k++) {
            size_t j;
            assert_int_equal(cip_frame_find(NULL, W.raw, cols[k], &j), CIP_OK);
            json_t *v = cip_frame_col_type(W.raw, j) == CIP_TYPE_CAT
                            ? json_string(cip_frame_level(W.raw, j, cip_frame_codes(W.raw, j)[i]))
                        : cip_frame_col_type(W.raw, j) == CIP_TYPE_INT
                            ? json_integer(cip_frame_i64(W.raw, j)[i])
                            : json_real(cip_frame_get(W.raw, j, i));
            json_object_set(rec, cols[k], v);
            json_array_append(list, v);
            json_array_append(json_object_get(colobj, cols[k]), v);
            json_decref(v);
        }
        json_array_append_new(rows, form == 0 || form == 1 ? list : rec);
        if (form == 0 || form == 1)
            json_decref(rec);
        else
            json_decref(list);
    }
    json_t *root = json_object(), *inner;
    switch (form) {
    case 0: /* dataframe_split with index, as MLflow's client sends */
        inner = json_object();
        json_object_set_new(inner, "columns", json_array());
        for (int k = 0; k < 6; k++)
            json_array_append_new(json_object_get(inner, "columns"), json_string(cols[k]));
        json_object_set_new(inner, "index", json_array());
        for (size_t i = 0; i < json_array_size(rows); i++)
            json_array_append_new(json_object_get(inner, "index"), json_integer((json_int_t)i));
        json_object_set(inner, "data", rows);
        json_object_set_new(root, "dataframe_split", inner);
        break;
    case 1:
        json_object_set(root, "instances", rows);
        break;
    case 2:
        json_object_set(root, "dataframe_records", rows);
        json_object_set_new(root, "params", json_object());
        break;
    default:
        json_object_set(root, "inputs", colobj);
        break;
    }
    char *text = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    json_decref(rows);
    json_decref(colobj);
    return text;
}

#endif /* CIP_TEST_SERVE_FIXTURE_H */
