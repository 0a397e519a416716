/* test_track_rest.c - http:// tracking stores against a fake MLflow server
 *
 * The fake server (libmicrohttpd, in this file) answers the endpoints cip
 * uses with MLflow-shaped JSON and records every request; the tests check the
 * exact request paths and bodies (experiments, runs, log-batch limits,
 * artifacts through the mlflow-artifacts proxy, registry and aliases), error
 * mapping and the message for an unreachable server.
 * SPDX-License-Identifier: MIT
 */
#include <jansson.h>
#include <math.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cip/registry.h"
#include "cip/runlog.h"
#include "cip/track.h"
#include "testutil.h"

/* --- the fake server ------------------------------------------------------------ */
enum { MAX_REQ = 4096, MAX_RUNS = 1024 };

struct req {
    char method[8];
    char url[512]; /* path and query string */
    char *body;    /* malloc'd, NUL-terminated */
    size_t len;
};

struct fake {
    struct MHD_Daemon *d;
    int port;
    pthread_mutex_t mu;
    struct req reqs[MAX_REQ];
    int n;
    int exp_created, model_created, versions, n_runs;
    char alias_champion[16], alias_challenger[16];
    char run_ids[MAX_RUNS][33];
};

struct upload {
    char *buf;
    size_t len;
};

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
    (void)kind;
    char *url = cls;
    size_t n = strlen(url);
    snprintf(url + n, 512 - n, "%c%s=%s", strchr(url, '?') ? '&' : '?', key, value ? value : "");
    return MHD_YES;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned code, const char *body)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ret = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    return ret;
}

static const char *run_info(struct fake *f, const char *id, char *buf, size_t n)
{
    snprintf(buf, n,
             "{\"run\": {\"info\": {\"run_id\": \"%s\", \"run_uuid\": \"%s\", \"experiment_id\": "
             "\"7\", \"status\": \"RUNNING\", \"start_time\": 1700000000000, \"artifact_uri\": "
             "\"mlflow-artifacts:/7/%s/artifacts\", \"lifecycle_stage\": \"active\"}, "
             "\"data\": {}}}",
             id, id, id);
    (void)f;
    return buf;
}

/* Route one complete request (called with the mutex held). */
static enum MHD_Result route(struct fake *f, struct MHD_Connection *c, const struct req *q)
{
    char buf[2048];
    const char *p = q->url;
    static const char api[] = "/api/2.0/mlflow/";
    if (strcmp(p, "/health") == 0)
        return reply(c, 200, "OK");
    if (strncmp(p, "/api/2.0/mlflow-artifacts/artifacts/", 36) == 0 &&
        strcmp(q->method, "PUT") == 0)
        return reply(c, 200, "{}");
    if (strncmp(p, api, sizeof api - 1) != 0)
        return reply(c, 404, "{\"error_code\": \"ENDPOINT_NOT_FOUND\", \"message\": \"no\"}");
    p += sizeof api - 1;
    if (strncmp(p, "experiments/get-by-name?", 24) == 0) {
        if (strstr(p, "experiment_name=forbidden") != NULL)
            return reply(c, 403,
                         "{\"error_code\": \"PERMISSION_DENIED\", \"message\": \"no access "
                         "to experiment forbidden\"}");
        if (!f->exp_created)
            return reply(c, 404,
                         "{\"error_code\": \"RESOURCE_DOES_NOT_EXIST\", \"message\": "
                         "\"Could not find experiment\"}");
        return reply(c, 200,
                     "{\"experiment\": {\"experiment_id\": \"7\", \"name\": \"cip\", "
                     "\"lifecycle_stage\": \"active\"}}");
    }
    if (strcmp(p, "experiments/create") == 0) {
        f->exp_created = 1;
        return reply(c, 200, "{\"experiment_id\": \"7\"}");
    }
    if (strcmp(p, "runs/create") == 0 && f->n_runs < MAX_RUNS) {
        char *id = f->run_ids[f->n_runs++];
        snprintf(id, 33, "%028d%04d", 0, f->n_runs);
        memset(id, 'a', 8);
        return reply(c, 200, run_info(f, id, buf, sizeof buf));
    }
    if (strncmp(p, "runs/get?run_id=", 16) == 0) {
        for (int k = 0; k < f->n_runs; k++)
            if (strcmp(p + 16, f->run_ids[k]) == 0)
                return reply(c, 200, run_info(f, f->run_ids[k], buf, sizeof buf));
        return reply(c, 404,
                     "{\"error_code\": \"RESOURCE_DOES_NOT_EXIST\", \"message\": \"Run "
                     "not found\"}");
    }
    if (strcmp(p, "runs/log-batch") == 0)
        return reply(c, 200, "{}");
    if (strcmp(p, "runs/update") == 0)
        return reply(c, 200, "{\"run_info\": {}}");
    if (strcmp(p, "registered-models/create") == 0) {
        if (f->model_created)
            return reply(c, 400,
                         "{\"error_code\": \"RESOURCE_ALREADY_EXISTS\", \"message\": "
                         "\"Registered Model already exists.\"}");
        f->model_created = 1;
        return reply(c, 200, "{\"registered_model\": {\"name\": \"cip-clv\"}}");
    }
    if (strcmp(p, "model-versions/create") == 0) {
        snprintf(buf, sizeof buf,
                 "{\"model_version\": {\"name\": \"cip-clv\", \"version\": \"%d\"}}",
                 ++f->versions);
        return reply(c, 200, buf);
    }
    if (strncmp(p, "registered-models/alias?", 24) == 0) {
        const char *v = strstr(p, "alias=champion") ? f->alias_champion : f->alias_challenger;
        if (v[0] == '\0')
            return reply(c, 404,
                         "{\"error_code\": \"RESOURCE_DOES_NOT_EXIST\", \"message\": "
                         "\"alias not found\"}");
        snprintf(buf, sizeof buf, "{\"model_version\": {\"version\": \"%s\"}}", v);
        return reply(c, 200, buf);
    }
    if (strcmp(p, "registered-models/alias") == 0) {
        json_error_t e;
        json_t *j = json_loads(q->body, 0, &e);
        const char *alias = json_string_value(json_object_get(j, "alias"));
        const char *ver = json_string_value(json_object_get(j, "version"));
        if (alias && ver)
            snprintf(strcmp(alias, "champion") == 0 ? f->alias_champion : f->alias_challenger, 16,
                     "%s", ver);
        json_decref(j);
        return reply(c, 200, "{}");
    }
    return reply(c, 404, "{\"error_code\": \"ENDPOINT_NOT_FOUND\", \"message\": \"unknown\"}");
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *data,
                               size_t *data_size, void **con_cls)
{
    (void)version;
    struct fake *f = cls;
    struct upload *u = *con_cls;
    if (u == NULL) {
        u = calloc(1, sizeof *u);
        *con_cls = u;
        return MHD_YES;
    }
    if (*data_size > 0) {
        u->buf = realloc(u->buf, u->len + *data_size + 1);
        memcpy(u->buf + u->len, data, *data_size);
        u->len += *data_size;
        u->buf[u->len] = '\0';
        *data_size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&f->mu);
    struct req tmp = {.body = u->buf ? u->buf : calloc(1, 1), .len = u->len};
    snprintf(tmp.method, sizeof tmp.method, "%s", method);
    snprintf(tmp.url, sizeof tmp.url, "%s", url);
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_arg, tmp.url);
    u->buf = NULL;
    enum MHD_Result ret = route(f, c, &tmp);
    if (f->n < MAX_REQ)
        f->reqs[f->n++] = tmp;
    else
        free(tmp.body);
    pthread_mutex_unlock(&f->mu);
    return ret;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    struct upload *u = *con_cls;
    if (u != NULL) {
        free(u->buf);
        free(u);
    }
    *con_cls = NULL;
}

static struct fake *fake_start(void)
{
    struct fake *f = calloc(1, sizeof *f);
    assert_non_null(f);
    pthread_mutex_init(&f->mu, NULL);
    f->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, handler, f,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, f, MHD_OPTION_END);
    assert_non_null(f->d);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(f->d, MHD_DAEMON_INFO_BIND_PORT);
    assert_non_null(info);
    f->port = info->port;
    return f;
}

static void fake_stop(struct fake *f)
{
    MHD_stop_daemon(f->d);
    for (int k = 0; k < f->n; k++)
        free(f->reqs[k].body);
    pthread_mutex_destroy(&f->mu);
    free(f);
}

static int find_req(const struct fake *f, const char *method, const char *url, int from)
{
    for (int k = from; k < f->n; k++)
        if (strcmp(f->reqs[k].method, method) == 0 && strcmp(f->reqs[k].url, url) == 0)
            return k;
    return -1;
}

static int count_prefix(const struct fake *f, const char *method, const char *prefix)
{
    int n = 0;
    for (int k = 0; k < f->n; k++)
        n += strcmp(f->reqs[k].method, method) == 0 &&
             strncmp(f->reqs[k].url, prefix, strlen(prefix)) == 0;
    return n;
}

static json_t *body_json(const struct fake *f, int k)
{
    assert_true(k >= 0);
    json_error_t e;
    json_t *j = json_loads(f->reqs[k].body, 0, &e);
    if (j == NULL)
        fail_msg("request %d body is not JSON: %s", k, f->reqs[k].body);
    return j;
}

static const char *jget(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* Value of key in a [{"key","value"}] array, or NULL. */
static const char *kv_find(json_t *arr, const char *key)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) if (strcmp(jget(v, "key"), key) == 0) return jget(v, "value");
    return NULL;
}

static cip_store *open_fake(cip_ctx *ctx, const struct fake *f)
{
    char uri[64];
    snprintf(uri, sizeof uri, "http://127.0.0.1:%d/", f->port);
    cip_store *s = NULL;
    if (cip_store_open(ctx, uri, NULL, &s) != CIP_OK)
        fail_msg("open %s: %s", uri, cip_ctx_errmsg(ctx));
    return s;
}

/* A new ctx, a fake server and a store talking to it. */
static cip_store *fake_store(cip_ctx **ctx, struct fake **f)
{
    assert_int_equal(cip_ctx_new(ctx), CIP_OK);
    *f = fake_start();
    return open_fake(*ctx, *f);
}

/* --- tests --------------------------------------------------------------------- */

static void test_track_rest_runlog_requests_match_mlflow(void **state)
{
    (void)state;
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    char data[600];
    cipt_data_path(data, sizeof data, "train/generic.csv");
    cip_frame *raw = NULL;
    assert_int_equal(cip_frame_read_csv(ctx, data, NULL, &raw), CIP_OK);
    cip_train_params tp;
    cip_train_params_default(&tp);
    tp.target = "y";
    const char *feats[] = {"x1", "x2", "color"};
    tp.features = feats;
    tp.n_features = 3;
    tp.cv = 3;
    tp.forest.n_estimators = 5;
    cip_train_result *r = NULL;
    assert_int_equal(cip_train_run(ctx, raw, &tp, &r), CIP_OK);

    struct fake *f = fake_start();
    cip_store *s = open_fake(ctx, f);
    cip_runlog_params p;
    cip_runlog_params_default(&p);
    p.command_line = "cip train clv generic.csv --target y";
    p.data_path = data;
    p.register_name = "cip-clv";
    p.set_alias = 1;
    p.train = &tp;
    char id[33];
    int64_t version = 0;
    if (cip_runlog_train(ctx, s, r, raw, &p, id, &version) != CIP_OK)
        fail_msg("runlog over REST: %s", cip_ctx_errmsg(ctx));
    assert_string_equal(id, f->run_ids[0]);
    assert_int_equal(version, 1);

    /* the exact sequence of MLflow endpoints */
    assert_int_equal(find_req(f, "GET", "/health", 0), 0);
    int k = find_req(f, "GET", "/api/2.0/mlflow/experiments/get-by-name?experiment_name=cip", 0);
    int kc = find_req(f, "POST", "/api/2.0/mlflow/experiments/create", 0);
    int kr = find_req(f, "POST", "/api/2.0/mlflow/runs/create", 0);
    assert_true(k > 0 && kc > k && kr > kc);
    json_t *j = body_json(f, kc);
    assert_string_equal(jget(j, "name"), "cip");
    json_decref(j);
    j = body_json(f, kr);
    assert_string_equal(jget(j, "experiment_id"), "7");
    json_t *tags = json_object_get(j, "tags");
    assert_string_equal(kv_find(tags, "mlflow.source.type"), "LOCAL");
    assert_string_equal(kv_find(tags, "cip.command"), "cip train clv generic.csv --target y");
    assert_non_null(kv_find(tags, "mlflow.note.content"));
    assert_true(json_integer_value(json_object_get(j, "start_time")) > 1700000000000LL);
    json_decref(j);

    /* log-batch: params, every metric, CV folds as steps, run name tag */
    int n_batch = count_prefix(f, "POST", "/api/2.0/mlflow/runs/log-batch");
    assert_true(n_batch >= 2);
    bool saw_task = false, saw_fp = false, saw_name = false;
    int folds = 0;
    for (int q = find_req(f, "POST", "/api/2.0/mlflow/runs/log-batch", 0); q >= 0;
         q = find_req(f, "POST", "/api/2.0/mlflow/runs/log-batch", q + 1)) {
        j = body_json(f, q);
        assert_string_equal(jget(j, "run_id"), id);
        const char *v = kv_find(json_object_get(j, "params"), "task");
        saw_task |= v != NULL && strcmp(v, "clv") == 0;
        v = kv_find(json_object_get(j, "params"), "data_fingerprint");
        saw_fp |= v != NULL && strncmp(v, "sha256:", 7) == 0;
        v = kv_find(json_object_get(j, "tags"), "mlflow.runName");
        char want[64];
        snprintf(want, sizeof want, "clv-%.8s", id);
        saw_name |= v != NULL && strcmp(v, want) == 0;
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(j, "metrics"), i, m)
        {
            if (strcmp(jget(m, "key"), "cv_r2") == 0) {
                json_int_t step = json_integer_value(json_object_get(m, "step"));
                assert_true(step >= 0 && step < 3);
                assert_true(fabs(json_real_value(json_object_get(m, "value")) -
                                 r->cv_scores[step]) < 1e-12);
                folds++;
            }
        }
        json_decref(j);
    }
    assert_true(saw_task && saw_fp && saw_name);
    assert_int_equal(folds, 3);

    /* artifacts through the proxy: the model folder and the importances */
    char url[256];
    static const char *const files[] = {"model/MLmodel", "model/manifest.json",
                                        "model/model.forest", "model/input_example.json",
                                        "feature_importances.json"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(url, sizeof url, "/api/2.0/mlflow-artifacts/artifacts/7/%s/artifacts/%s", id,
                 files[i]);
        int q = find_req(f, "PUT", url, 0);
        if (q < 0)
            fail_msg("no PUT %s", url);
        if (strcmp(files[i], "model/MLmodel") == 0) {
            assert_non_null(strstr(f->reqs[q].body, "artifact_path: mlflow-artifacts:/7/"));
            assert_non_null(strstr(f->reqs[q].body, "\"name\": \"x1\""));
        }
    }
    /* end: FINISHED with an end time, after the artifacts */
    int ku = find_req(f, "POST", "/api/2.0/mlflow/runs/update", 0);
    assert_true(ku > find_req(f, "PUT", url, 0));
    j = body_json(f, ku);
    assert_string_equal(jget(j, "run_id"), id);
    assert_string_equal(jget(j, "status"), "FINISHED");
    assert_true(json_integer_value(json_object_get(j, "end_time")) > 0);
    json_decref(j);
    /* registry: model, version from the run's artifact URI, alias champion */
    int km = find_req(f, "POST", "/api/2.0/mlflow/registered-models/create", ku);
    int kv = find_req(f, "POST", "/api/2.0/mlflow/model-versions/create", ku);
    int ka = find_req(f, "POST", "/api/2.0/mlflow/registered-models/alias", ku);
    assert_true(km > ku && kv > km && ka > kv);
    j = body_json(f, kv);
    char src[128];
    snprintf(src, sizeof src, "mlflow-artifacts:/7/%s/artifacts/model", id);
    assert_string_equal(jget(j, "source"), src);
    assert_string_equal(jget(j, "run_id"), id);
    assert_string_equal(jget(j, "name"), "cip-clv");
    json_decref(j);
    assert_true(find_req(f, "GET",
                         "/api/2.0/mlflow/registered-models/alias?name=cip-clv&alias=champion",
                         kv) > kv);
    j = body_json(f, ka);
    assert_string_equal(jget(j, "alias"), "champion");
    assert_string_equal(jget(j, "version"), "1");
    json_decref(j);

    /* a second training: the model exists (RESOURCE_ALREADY_EXISTS is fine), version 2 is
     * the challenger; the experiment is found, not created again */
    int before = f->n;
    assert_int_equal(cip_runlog_train(ctx, s, r, raw, &p, id, &version), CIP_OK);
    assert_int_equal(version, 2);
    assert_string_equal(f->alias_challenger, "2");
    assert_string_equal(f->alias_champion, "1");
    assert_int_equal(find_req(f, "POST", "/api/2.0/mlflow/experiments/create", before), -1);

    /* reading from a server store is refused with a clear message */
    cip_run_set *rs = NULL;
    assert_int_equal(cip_runs_search(ctx, s, NULL, &rs), CIP_ERR_INVALID);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "not supported for tracking servers"));
    cip_store_close(s);
    fake_stop(f);
    cip_train_result_free(r);
    cip_frame_free(raw);
    cip_ctx_free(ctx);
}

static void test_track_rest_batches_within_mlflow_limits(void **state)
{
    (void)state;
    cip_ctx *ctx = NULL;
    struct fake *f = NULL;
    cip_store *s = fake_store(&ctx, &f);
    cip_run_params rp;
    cip_run_params_default(&rp);
    rp.experiment = "cip";
    rp.run_name = "limits";
    cip_run *run = NULL;
    assert_int_equal(cip_run_start(ctx, s, &rp, &run), CIP_OK);
    enum { NM = 2500, NP = 150, NT = 120 };
    cip_metric *m = calloc(NM, sizeof *m);
    cip_param *pp = calloc(NP, sizeof *pp), *tt = calloc(NT, sizeof *tt);
    char(*names)[16] = calloc(NP + NT, sizeof *names);
    for (int i = 0; i < NM; i++)
        m[i] = (cip_metric){"loss", i == 7 ? NAN : (double)i * 0.5, i, 1700000000000 + i};
    for (int i = 0; i < NP; i++) {
        snprintf(names[i], 16, "p%03d", i);
        pp[i] = (cip_param){names[i], "v"};
    }
    for (int i = 0; i < NT; i++) {
        snprintf(names[NP + i], 16, "t%03d", i);
        tt[i] = (cip_param){names[NP + i], "w"};
    }
    int before = f->n;
    assert_int_equal(cip_run_log_batch(ctx, run, pp, NP, tt, NT, m, NM), CIP_OK);
    size_t tm = 0, tpar = 0, ttag = 0;
    bool nan_seen = false;
    for (int q = find_req(f, "POST", "/api/2.0/mlflow/runs/log-batch", before); q >= 0;
         q = find_req(f, "POST", "/api/2.0/mlflow/runs/log-batch", q + 1)) {
        json_t *j = body_json(f, q);
        size_t a = json_array_size(json_object_get(j, "metrics"));
        size_t b = json_array_size(json_object_get(j, "params"));
        size_t c = json_array_size(json_object_get(j, "tags"));
        assert_true(a <= 1000 && b <= 100 && c <= 100 && a + b + c <= 1000);
        tm += a;
        tpar += b;
        ttag += c;
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(j, "metrics"), i, v)
        {
            if (json_integer_value(json_object_get(v, "step")) == 7)
                nan_seen = json_is_string(json_object_get(v, "value")) &&
                           strcmp(json_string_value(json_object_get(v, "value")), "NaN") == 0;
        }
        json_decref(j);
    }
    assert_int_equal(tm, NM);
    assert_int_equal(tpar, NP);
    assert_int_equal(ttag, NT);
    assert_true(nan_seen);
    assert_int_equal(count_prefix(f, "POST", "/api/2.0/mlflow/runs/log-batch"), 3);
    /* a bad key is refused before any request */
    before = f->n;
    cip_param bad = {"no\nnewline", "x"};
    assert_int_equal(cip_run_log_batch(ctx, run, &bad, 1, NULL, 0, NULL, 0), CIP_ERR_INVALID);
    assert_int_equal(f->n, before);
    assert_int_equal(cip_run_end(ctx, run, CIP_RUN_KILLED), CIP_OK);
    cip_run_free(run);
    free(m);
    free(pp);
    free(tt);
    free(names);
    cip_store_close(s);
    fake_stop(f);
    cip_ctx_free(ctx);
}

static void test_track_rest_errors_are_clear(void **state)
{
    (void)state;
    cip_ctx *ctx = NULL;
    struct fake *f = NULL;
    cip_store *s = fake_store(&ctx, &f);
    /* an MLflow error body: code and message reach the user */
    cip_run_params rp;
    cip_run_params_default(&rp);
    rp.experiment = "forbidden";
    cip_run *run = NULL;
    assert_int_equal(cip_run_start(ctx, s, &rp, &run), CIP_ERR_IO);
    assert_null(run);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "PERMISSION_DENIED: no access to experiment"));
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "experiments/get-by-name"));
    /* an unknown parent run: NOT_FOUND before any run is created */
    rp.experiment = "cip";
    rp.parent_run_id = "ffffffffffffffffffffffffffffffff";
    assert_int_equal(cip_run_start(ctx, s, &rp, &run), CIP_ERR_NOT_FOUND);
    assert_int_equal(find_req(f, "POST", "/api/2.0/mlflow/runs/create", 0), -1);
    cip_store_close(s);
    /* the server goes away: one message naming its URL */
    char uri[64];
    snprintf(uri, sizeof uri, "http://127.0.0.1:%d", f->port);
    fake_stop(f);
    s = NULL;
    assert_int_equal(cip_store_open(ctx, uri, NULL, &s), CIP_ERR_IO);
    assert_null(s);
    char want[128];
    snprintf(want, sizeof want, "cannot reach the MLflow tracking server at %s:", uri);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), want));
    cip_ctx_free(ctx);
}

static cip_status oom_rest(cip_ctx *ctx, void *arg)
{
    struct fake *f = arg;
    char uri[64];
    snprintf(uri, sizeof uri, "http://127.0.0.1:%d", f->port);
    cip_store *s = NULL;
    cip_run *run = NULL;
    cip_status rc = cip_store_open(ctx, uri, NULL, &s);
    cip_run_params rp;
    cip_run_params_default(&rp);
    rp.experiment = "cip";
    if (rc == CIP_OK)
        rc = cip_run_start(ctx, s, &rp, &run);
    cip_metric m[3] = {{"a", 1.0, 0, 0}, {"a", 2.0, 1, 0}, {"b", NAN, 0, 0}};
    cip_param pp[2] = {{"x", "1"}, {"y", "2"}};
    if (rc == CIP_OK)
        rc = cip_run_log_batch(ctx, run, pp, 2, NULL, 0, m, 3);
    if (rc == CIP_OK)
        rc = cip_run_log_text(ctx, run, "dir/a.txt", "hello", 5);
    if (rc == CIP_OK)
        rc = cip_run_end(ctx, run, CIP_RUN_FINISHED);
    int64_t v = 0;
    if (rc == CIP_OK) {
        char src[80];
        snprintf(src, sizeof src, "runs:/%s/model", cip_run_id(run));
        rc = cip_registry_register(ctx, s, "cip-clv", src, "d", &v);
    }
    if (rc == CIP_OK)
        rc = cip_registry_set_alias(ctx, s, "cip-clv", "champion", v);
    cip_run_free(run);
    cip_store_close(s);
    return rc;
}

static void test_track_rest_oom_leaks_nothing(void **state)
{
    (void)state;
    struct fake *f = fake_start();
    assert_true(cipt_oom_sweep(oom_rest, f) > 10);
    /* the artifact went through the proxy with its relative path */
    assert_true(count_prefix(f, "PUT", "/api/2.0/mlflow-artifacts/artifacts/7/") > 0);
    fake_stop(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_track_rest_runlog_requests_match_mlflow),
        cmocka_unit_test(test_track_rest_batches_within_mlflow_limits),
        cmocka_unit_test(test_track_rest_errors_are_clear),
        cmocka_unit_test(test_track_rest_oom_leaks_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
