/* rest_ops.c - the store operations over MLflow's REST API
 *
 *   experiment:  GET experiments/get-by-name, POST experiments/create
 *   run:         POST runs/create (system tags included), GET runs/get,
 *                POST runs/log-batch (at most 1000 metrics, 100 params and
 *                100 tags per request, 1000 items in all), POST runs/update
 *   artifacts:   PUT /api/2.0/mlflow-artifacts/artifacts/<path> when the run's
 *                artifact URI is mlflow-artifacts:/...; written directly when
 *                it is a local file:// URI (as MLflow's client does)
 *   model:       the model folder (MLmodel, examples, files) as run artifacts
 *                under <name>/ (MLflow 2 style; no LoggedModel entity)
 *   registry:    POST registered-models/create, model-versions/create,
 *                registered-models/alias; GET registered-models/alias
 * Metric values NaN and +-inf are sent as "NaN", "Infinity", "-Infinity".
 * SPDX-License-Identifier: MIT
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rest_int.h"

enum { MAX_METRICS = 1000, MAX_PARAMS = 100, MAX_TAGS = 100, MAX_ITEMS = 1000 };

static const char *jstr(const json_t *o, const char *a, const char *b, const char *c)
{
    const json_t *v = json_object_get(o, a);
    if (b != NULL)
        v = json_object_get(v, b);
    if (c != NULL)
        v = json_object_get(v, c);
    return json_string_value(v);
}

static cip_status missing(cip_ctx *ctx, const cip_store *s, const char *what)
{
    return cipi_fail(ctx, CIP_ERR_PARSE, "tracking server %s: the answer lacks %s", s->db_path,
                     what);
}

/* GET <endpoint>?<k1>=<v1>[&<k2>=<v2>] */
static cip_status get2(cip_ctx *ctx, cip_store *s, const char *endpoint, const char *k1,
                       const char *v1, const char *k2, const char *v2, json_t **resp)
{
    struct cipi_buf b;
    cipi_buf_init(&b, ctx, 0);
    cip_status rc = cipi_buf_printf(ctx, &b, "%s?%s=", endpoint, k1);
    if (rc == CIP_OK)
        rc = cipi_rest_escape(ctx, s->rest, v1, 0, &b);
    if (rc == CIP_OK && k2 != NULL) {
        rc = cipi_buf_printf(ctx, &b, "&%s=", k2);
        if (rc == CIP_OK)
            rc = cipi_rest_escape(ctx, s->rest, v2, 0, &b);
    }
    if (rc == CIP_OK)
        rc = cipi_rest_json(ctx, s->rest, "GET", b.data, NULL, resp);
    cipi_buf_release(&b);
    return rc;
}

static void rest_close(cip_store *s)
{
    struct cipi_alloc a = s->a;
    cipi_rest_free(s->rest);
    cipi_afree(&a, s->db_path);
    cipi_afree(&a, s->artifact_root);
    cipi_afree(&a, s);
}

cip_status cipi_rest_open(cip_ctx *ctx, const char *uri, const cip_store_opts *o, cip_store **out)
{
    (void)o;
    *out = NULL;
    cip_store *s = cipi_calloc(ctx, 1, sizeof *s);
    if (s == NULL)
        return CIP_ERR_NOMEM;
    s->a = cipi_ctx_alloc(ctx);
    s->ops = &cipi_rest_ops;
    s->db_path = cipi_strdup(ctx, uri);
    cip_status rc = s->db_path ? cipi_rest_new(ctx, uri, &s->rest) : CIP_ERR_NOMEM;
    char *body = NULL;
    size_t len = 0;
    if (rc == CIP_OK) /* reachable? one clear message now rather than after training */
        rc = cipi_rest_call(ctx, s->rest, "GET", "/health", NULL, NULL, 0, &body, &len);
    cipi_free(ctx, body);
    if (rc != CIP_OK) {
        rest_close(s);
        return rc;
    }
    *out = s;
    return CIP_OK;
}

static cip_status rest_experiment(cip_ctx *ctx, cip_store *s, const char *name, int create,
                                  int64_t *id)
{
    json_t *resp = NULL, *req = NULL;
    cip_status rc = CIP_OK;
    for (int attempt = 0; attempt < 2; attempt++) {
        rc = get2(ctx, s, "experiments/get-by-name", "experiment_name", name, NULL, NULL, &resp);
        if (rc != CIP_ERR_NOT_FOUND || !create)
            break;
        cip_ctx_clear_error(ctx);
        req = json_pack("{s:s}", "name", name);
        if (req == NULL)
            return cipi_nomem(ctx);
        rc = cipi_rest_json(ctx, s->rest, "POST", "experiments/create", req, &resp);
        json_decref(req);
        if (rc != CIP_ERR_CONFLICT) /* created, or failed; CONFLICT: raced, look again */
            break;
        cip_ctx_clear_error(ctx);
    }
    const char *sid = NULL;
    if (rc == CIP_OK) {
        sid = jstr(resp, "experiment_id", NULL, NULL);
        if (sid == NULL)
            sid = jstr(resp, "experiment", "experiment_id", NULL);
        const char *stage = jstr(resp, "experiment", "lifecycle_stage", NULL);
        if (stage != NULL && strcmp(stage, "deleted") == 0)
            rc = cipi_fail(ctx, CIP_ERR_CONFLICT, "experiment '%s' is deleted", name);
        else if (sid == NULL)
            rc = missing(ctx, s, "experiment_id");
    }
    if (rc == CIP_OK) {
        char *end = NULL;
        long long v = strtoll(sid, &end, 10);
        if (*sid == '\0' || *end != '\0')
            rc = cipi_fail(ctx, CIP_ERR_PARSE,
                           "tracking server %s: experiment id '%s' is not a "
                           "number",
                           s->db_path, sid);
        else
            *id = v;
    }
    json_decref(resp);
    return rc;
}

/* A cip_run for the server's run info {"run_id", "experiment_id", "artifact_uri"}. */
static cip_status run_from_info(cip_ctx *ctx, cip_store *s, const json_t *info, int64_t start,
                                cip_run **out)
{
    const char *id = jstr(info, "run_id", NULL, NULL);
    const char *exp = jstr(info, "experiment_id", NULL, NULL);
    const char *uri = jstr(info, "artifact_uri", NULL, NULL);
    if (id == NULL || strlen(id) > 32 || exp == NULL || uri == NULL)
        return missing(ctx, s, "run_id, experiment_id or artifact_uri");
    cip_run *r = cipi_track_run_new(ctx, s, id, strtoll(exp, NULL, 10));
    if (r == NULL)
        return CIP_ERR_NOMEM;
    r->start_ms = start;
    r->artifact_uri = cipi_strdup(ctx, uri);
    cip_status rc = r->artifact_uri ? CIP_OK : CIP_ERR_NOMEM;
    if (rc == CIP_OK && strncmp(uri, "file:", 5) == 0) /* the server's artifacts are local */
        rc = cipi_track_uri_to_path(ctx, uri, &r->artifact_dir);
    if (rc != CIP_OK) {
        cip_run_free(r);
        return rc;
    }
    *out = r;
    return CIP_OK;
}

static cip_status add_tag(json_t *tags, const char *k, const char *v)
{
    if (v == NULL)
        return CIP_OK;
    json_t *t = json_pack("{s:s,s:s}", "key", k, "value", v);
    return t != NULL && json_array_append_new(tags, t) == 0 ? CIP_OK : CIP_ERR_NOMEM;
}

static cip_status rest_run_start(cip_ctx *ctx, cip_store *s, const cip_run_params *p, cip_run **out)
{
    int64_t exp = 0;
    json_t *resp = NULL, *req = NULL, *tags = NULL;
    cip_status rc = CIP_OK;
    if (p->parent_run_id != NULL) {
        rc = get2(ctx, s, "runs/get", "run_id", p->parent_run_id, NULL, NULL, &resp);
        json_decref(resp);
        resp = NULL;
        if (rc != CIP_OK)
            return rc;
    }
    rc = rest_experiment(ctx, s, p->experiment ? p->experiment : "Default", 1, &exp);
    if (rc != CIP_OK)
        return rc;
    const char *user = cipi_track_run_user(p);
    int64_t start = p->start_time_ms > 0 ? p->start_time_ms : cipi_now_ms();
    char exp_id[32];
    snprintf(exp_id, sizeof exp_id, "%lld", (long long)exp);
    tags = json_array();
    rc = tags ? CIP_OK : cipi_nomem(ctx);
    const char *kv[CIPI_RUN_SYSTEM_TAGS][2];
    cipi_track_system_tags(p, p->run_name, user, kv);
    for (size_t k = 0; rc == CIP_OK && k < CIP_ARRAY_LEN(kv); k++)
        rc = add_tag(tags, kv[k][0], kv[k][1]);
    if (rc == CIP_OK) {
        req = json_pack("{s:s,s:s,s:I,s:o}", "experiment_id", exp_id, "user_id", user, "start_time",
                        (json_int_t)start, "tags", tags);
        tags = NULL; /* owned by req (or freed by json_pack on failure) */
        if (req != NULL && p->run_name != NULL &&
            json_object_set_new(req, "run_name", json_string(p->run_name)) != 0)
            rc = cipi_nomem(ctx);
        if (req == NULL)
            rc = cipi_nomem(ctx);
    }
    if (rc == CIP_OK)
        rc = cipi_rest_json(ctx, s->rest, "POST", "runs/create", req, &resp);
    if (rc == CIP_OK)
        rc = run_from_info(ctx, s, json_object_get(json_object_get(resp, "run"), "info"), start,
                           out);
    json_decref(tags);
    json_decref(req);
    json_decref(resp);
    if (rc == CIP_OK && p->run_name == NULL) {
        char name[16];
        snprintf(name, sizeof name, "run-%.8s", (*out)->id);
        cip_param t = {"mlflow.runName", name};
        rc = s->ops->log_batch(ctx, *out, NULL, 0, &t, 1, NULL, 0);
        if (rc != CIP_OK) {
            cip_run_free(*out);
            *out = NULL;
        }
    }
    return rc;
}

static cip_status rest_run_attach(cip_ctx *ctx, cip_store *s, const char *run_id, cip_run **out)
{
    json_t *resp = NULL;
    cip_status rc = get2(ctx, s, "runs/get", "run_id", run_id, NULL, NULL, &resp);
    if (rc == CIP_OK) {
        const json_t *info = json_object_get(json_object_get(resp, "run"), "info");
        rc = run_from_info(ctx, s, info,
                           (int64_t)json_integer_value(json_object_get(info, "start_time")), out);
    }
    json_decref(resp);
    return rc;
}

static json_t *metric_json(const cip_metric *m, int64_t now)
{
    json_t *v;
    if (isnan(m->value))
        v = json_string("NaN");
    else if (isinf(m->value))
        v = json_string(m->value > 0 ? "Infinity" : "-Infinity");
    else
        v = json_real(m->value);
    return json_pack("{s:s,s:o,s:I,s:I}", "key", m->key, "value", v, "timestamp",
                     (json_int_t)(m->timestamp > 0 ? m->timestamp : now), "step",
                     (json_int_t)m->step);
}

static json_t *kv_array(const cip_param *kv, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i < n; i++) {
        json_t *o = json_pack("{s:s,s:s}", "key", kv[i].key, "value", kv[i].value);
        if (o == NULL || json_array_append_new(a, o) != 0) {
            json_decref(a);
            a = NULL;
        }
    }
    return a;
}

static cip_status rest_log_batch(cip_ctx *ctx, cip_run *r, const cip_param *params, size_t n_params,
                                 const cip_param *tags, size_t n_tags, const cip_metric *m,
                                 size_t n_m)
{
    int64_t now = cipi_now_ms();
    size_t ip = 0, it = 0, im = 0;
    cip_status rc = CIP_OK;
    while (rc == CIP_OK && (ip < n_params || it < n_tags || im < n_m)) {
        size_t np = n_params - ip < MAX_PARAMS ? n_params - ip : MAX_PARAMS;
        size_t nt = n_tags - it < MAX_TAGS ? n_tags - it : MAX_TAGS;
        size_t room = MAX_ITEMS - np - nt, nm = n_m - im < room ? n_m - im : room;
        if (nm > MAX_METRICS)
            nm = MAX_METRICS;
        json_t *metrics = json_array();
        for (size_t k = 0; metrics != NULL && k < nm; k++) {
            json_t *o = metric_json(&m[im + k], now);
            if (o == NULL || json_array_append_new(metrics, o) != 0) {
                json_decref(metrics);
                metrics = NULL;
            }
        }
        json_t *req = json_pack("{s:s,s:o,s:o,s:o}", "run_id", r->id, "metrics", metrics, "params",
                                kv_array(params + ip, np), "tags", kv_array(tags + it, nt));
        if (req == NULL)
            return cipi_nomem(ctx);
        rc = cipi_rest_json(ctx, r->s->rest, "POST", "runs/log-batch", req, NULL);
        json_decref(req);
        ip += np;
        it += nt;
        im += nm;
    }
    return rc;
}

static cip_status rest_run_end(cip_ctx *ctx, cip_run *r, cip_run_status status)
{
    int64_t now = cipi_now_ms();
    bool done = status != CIP_RUN_RUNNING && status != CIP_RUN_SCHEDULED;
    cip_status rc = CIP_OK;
    if (done) {
        char dur[32];
        snprintf(dur, sizeof dur, "%lld", (long long)(now - r->start_ms));
        cip_param t = {"cip.duration_ms", dur};
        rc = rest_log_batch(ctx, r, NULL, 0, &t, 1, NULL, 0);
    }
    json_t *req = json_pack("{s:s,s:s}", "run_id", r->id, "status", cip_run_status_name(status));
    if (req == NULL)
        return cipi_nomem(ctx);
    if (done && json_object_set_new(req, "end_time", json_integer((json_int_t)now)) != 0)
        rc = cipi_nomem(ctx);
    if (rc == CIP_OK)
        rc = cipi_rest_json(ctx, r->s->rest, "POST", "runs/update", req, NULL);
    json_decref(req);
    return rc;
}

/* Upload to the server's artifact proxy: <artifact path of uri>/<dest>. */
static cip_status proxy_put(cip_ctx *ctx, cip_store *s, const char *uri, const char *dest,
                            const void *data, size_t len)
{
    const char *p = uri + strlen("mlflow-artifacts:");
    if (strncmp(p, "//", 2) == 0) { /* mlflow-artifacts://host:port/path */
        p = strchr(p + 2, '/');
        if (p == NULL)
            p = "";
    }
    while (*p == '/')
        p++;
    struct cipi_buf b;
    cipi_buf_init(&b, ctx, 0);
    cip_status rc = cipi_buf_printf(ctx, &b, "/api/2.0/mlflow-artifacts/artifacts/");
    if (rc == CIP_OK && *p != '\0') {
        rc = cipi_rest_escape(ctx, s->rest, p, 1, &b);
        if (rc == CIP_OK && b.data[b.len - 1] != '/')
            rc = cipi_buf_putc(ctx, &b, '/');
    }
    if (rc == CIP_OK)
        rc = cipi_rest_escape(ctx, s->rest, dest, 1, &b);
    char *resp = NULL;
    size_t rlen = 0;
    if (rc == CIP_OK)
        rc = cipi_rest_call(ctx, s->rest, "PUT", b.data, "application/octet-stream", data, len,
                            &resp, &rlen);
    cipi_free(ctx, resp);
    cipi_buf_release(&b);
    return rc;
}

static cip_status put_at(cip_ctx *ctx, cip_run *r, const char *uri, const char *dir,
                         const char *dest, const void *data, size_t len)
{
    if (dir != NULL)
        return cipi_track_put_file(ctx, dir, dest, data, len);
    if (strncmp(uri, "mlflow-artifacts:", 17) == 0)
        return proxy_put(ctx, r->s, uri, dest, data, len);
    return cipi_fail(ctx, CIP_ERR_INVALID,
                     "run %s stores artifacts at '%s', which cip cannot write; start the MLflow "
                     "server with artifact proxying (mlflow server --serve-artifacts, artifact "
                     "root mlflow-artifacts:/)",
                     r->id, uri);
}

static cip_status rest_put_artifact(cip_ctx *ctx, cip_run *r, const char *dest, const void *data,
                                    size_t len)
{
    return put_at(ctx, r, r->artifact_uri, r->artifact_dir, dest, data, len);
}

/* Upload every file of local directory dir as <prefix>/<file>. */
static cip_status upload_dir(cip_ctx *ctx, cip_run *r, const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return cipi_fail_errno(ctx, CIP_ERR_IO, errno, "cannot read '%s'", dir);
    cip_status rc = CIP_OK;
    struct dirent *e;
    struct cipi_buf path, dest;
    cipi_buf_init(&path, ctx, 0);
    cipi_buf_init(&dest, ctx, 0);
    while (rc == CIP_OK && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        path.len = dest.len = 0;
        rc = cipi_buf_printf(ctx, &path, "%s/%s", dir, e->d_name);
        if (rc == CIP_OK)
            rc = cipi_buf_printf(ctx, &dest, "%s/%s", prefix, e->d_name);
        char *data = NULL;
        size_t len = 0;
        if (rc == CIP_OK)
            rc = cipi_read_file(ctx, path.data, 0, &data, &len);
        if (rc == CIP_OK)
            rc = rest_put_artifact(ctx, r, dest.data, data, len);
        cipi_free(ctx, data);
    }
    cipi_buf_release(&path);
    cipi_buf_release(&dest);
    closedir(d);
    return rc;
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d != NULL) {
        struct dirent *e;
        char path[4096 + sizeof e->d_name + 2];
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            (void)unlink(path);
        }
        closedir(d);
    }
    (void)rmdir(dir);
}

static cip_status rest_log_model(cip_ctx *ctx, cip_run *r, const cip_model_spec *spec,
                                 char **model_id_out)
{
    const char *name = spec->name ? spec->name : "model";
    const char *tmp = getenv("TMPDIR");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/cip-model-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL)
        return cipi_fail_errno(ctx, CIP_ERR_IO, errno, "cannot create a temporary directory");
    struct cipi_buf b;
    cipi_buf_init(&b, ctx, 0);
    cip_status rc = cipi_buf_printf(ctx, &b, "%s/%s", r->artifact_uri, name);
    if (rc == CIP_OK)
        rc = cipi_track_model_files(ctx, spec, NULL, r->id, b.data, dir);
    if (rc == CIP_OK)
        rc = upload_dir(ctx, r, dir, name);
    remove_dir(dir);
    cipi_buf_release(&b);
    (void)model_id_out; /* no LoggedModel entity on this backend: stays NULL */
    return rc;
}

static cip_status rest_register(cip_ctx *ctx, cip_store *s, const char *name, const char *source,
                                const char *description, int64_t *version)
{
    json_t *req = json_pack("{s:s}", "name", name), *resp = NULL, *run = NULL;
    if (req == NULL)
        return cipi_nomem(ctx);
    cip_status rc = cipi_rest_json(ctx, s->rest, "POST", "registered-models/create", req, NULL);
    json_decref(req);
    req = NULL;
    if (rc == CIP_ERR_CONFLICT) { /* the model exists: add a version */
        cip_ctx_clear_error(ctx);
        rc = CIP_OK;
    }
    char run_id[33] = "";
    struct cipi_buf src;
    cipi_buf_init(&src, ctx, 0);
    if (rc == CIP_OK && strncmp(source, "runs:/", 6) == 0) {
        const char *slash = strchr(source + 6, '/');
        if (slash == NULL || slash[1] == '\0' || slash - source - 6 > 32)
            rc = cipi_fail(ctx, CIP_ERR_INVALID, "'%s' is not runs:/RUN_ID/PATH", source);
        if (rc == CIP_OK) {
            snprintf(run_id, sizeof run_id, "%.*s", (int)(slash - source - 6), source + 6);
            rc = get2(ctx, s, "runs/get", "run_id", run_id, NULL, NULL, &run);
        }
        const char *uri = rc == CIP_OK ? jstr(run, "run", "info", "artifact_uri") : NULL;
        if (rc == CIP_OK && uri == NULL)
            rc = missing(ctx, s, "run.info.artifact_uri");
        if (rc == CIP_OK)
            rc = cipi_buf_printf(ctx, &src, "%s/%s", uri, slash + 1);
    } else if (rc == CIP_OK) {
        rc = cipi_buf_printf(ctx, &src, "%s", source);
    }
    if (rc == CIP_OK) {
        req = json_pack("{s:s,s:s}", "name", name, "source", src.data);
        if (req == NULL ||
            (run_id[0] && json_object_set_new(req, "run_id", json_string(run_id)) != 0) ||
            (description && json_object_set_new(req, "description", json_string(description))))
            rc = cipi_nomem(ctx);
    }
    if (rc == CIP_OK)
        rc = cipi_rest_json(ctx, s->rest, "POST", "model-versions/create", req, &resp);
    const char *v = rc == CIP_OK ? jstr(resp, "model_version", "version", NULL) : NULL;
    if (rc == CIP_OK && v == NULL)
        rc = missing(ctx, s, "model_version.version");
    if (rc == CIP_OK && version != NULL)
        *version = strtoll(v, NULL, 10);
    json_decref(req);
    json_decref(resp);
    json_decref(run);
    cipi_buf_release(&src);
    return rc;
}

static cip_status rest_set_alias(cip_ctx *ctx, cip_store *s, const char *name, const char *alias,
                                 int64_t version)
{
    char v[32];
    snprintf(v, sizeof v, "%lld", (long long)version);
    json_t *req = json_pack("{s:s,s:s,s:s}", "name", name, "alias", alias, "version", v);
    if (req == NULL)
        return cipi_nomem(ctx);
    cip_status rc = cipi_rest_json(ctx, s->rest, "POST", "registered-models/alias", req, NULL);
    json_decref(req);
    return rc;
}

static cip_status rest_get_alias(cip_ctx *ctx, cip_store *s, const char *name, const char *alias,
                                 int64_t *version)
{
    json_t *resp = NULL;
    cip_status rc = get2(ctx, s, "registered-models/alias", "name", name, "alias", alias, &resp);
    const char *v = rc == CIP_OK ? jstr(resp, "model_version", "version", NULL) : NULL;
    if (rc == CIP_OK && v == NULL)
        rc = missing(ctx, s, "model_version.version");
    if (rc == CIP_OK)
        *version = strtoll(v, NULL, 10);
    json_decref(resp);
    return rc;
}

const struct cipi_store_ops cipi_rest_ops = {
    .name = "rest",
    .close = rest_close,
    .experiment_get_id = rest_experiment,
    .run_start = rest_run_start,
    .run_attach = rest_run_attach,
    .log_batch = rest_log_batch,
    .run_end = rest_run_end,
    .put_artifact = rest_put_artifact,
    .log_model = rest_log_model,
    .reg_register = rest_register,
    .reg_set_alias = rest_set_alias,
    .reg_get_alias = rest_get_alias,
};
