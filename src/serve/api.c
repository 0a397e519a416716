/* api.c - the cip JSON API over the tracking store: info, experiments, runs, models,
 * alias promotion (bearer token), audit
 *
 * The store is opened per request (a cip_store belongs to one thread; SQLite
 * WAL lets readers and the writer of another process run together).
 * SPDX-License-Identifier: MIT
 */
#include <jansson.h>
#include <microhttpd.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cip/registry.h"
#include "serve_int.h"

static cip_status open_store(struct serve_call *c, int read_only, cip_store **st)
{
    cip_store_opts o;
    cip_store_opts_default(&o);
    o.read_only = read_only;
    o.busy_timeout_ms = 5000;
    return cip_store_open(c->ctx, c->srv->tracking, &o, st);
}

static const char *type_json(cip_type t)
{
    switch (t) {
    case CIP_TYPE_INT:
        return "int64";
    case CIP_TYPE_FLOAT:
        return "double";
    case CIP_TYPE_BOOL:
        return "boolean";
    default:
        return "string";
    }
}

static cip_status model_info(cip_ctx *ctx, struct cipi_json *j, const struct serve_slot *sl,
                             const struct serve_model *m)
{
    cip_status rc = cipi_json_begin(ctx, j, '{');
    const char *kv[] = {"role",    cipi_serve_role(m),
                        "uri",     sl->uri,
                        "name",    sl->name,
                        "version", m->version[0] ? m->version : NULL,
                        "path",    m->path};
    for (size_t k = 0; rc == CIP_OK && k < CIP_ARRAY_LEN(kv); k += 2) {
        rc = cipi_json_key(ctx, j, kv[k]);
        if (rc == CIP_OK)
            rc = kv[k + 1] != NULL ? cipi_json_str(ctx, j, kv[k + 1]) : cipi_json_null(ctx, j);
    }
    if (rc == CIP_OK)
        rc = cipi_json_key(ctx, j, "inputs");
    if (rc == CIP_OK)
        rc = cipi_json_begin(ctx, j, '[');
    for (size_t k = 0; rc == CIP_OK && k < m->n_sig; k++) {
        rc = cipi_json_begin(ctx, j, '{');
        if (rc == CIP_OK)
            rc = cipi_json_key(ctx, j, "name");
        if (rc == CIP_OK)
            rc = cipi_json_str(ctx, j, m->sig[k].name);
        if (rc == CIP_OK)
            rc = cipi_json_key(ctx, j, "type");
        if (rc == CIP_OK)
            rc = cipi_json_str(ctx, j, type_json(m->sig[k].type));
        if (rc == CIP_OK)
            rc = cipi_json_end(ctx, j, '}');
    }
    if (rc == CIP_OK)
        rc = cipi_json_end(ctx, j, ']');
    return rc == CIP_OK ? cipi_json_end(ctx, j, '}') : rc;
}

cip_status cipi_serve_info(struct serve_call *c)
{
    cip_ctx *ctx = c->ctx;
    struct cipi_json j;
    cipi_json_init(&j, &c->resp->body);
    c->resp->status = 200;
    c->resp->ctype = "application/json";
    cip_status rc = cipi_json_begin(ctx, &j, '{');
    if (rc == CIP_OK)
        rc = cipi_json_key(ctx, &j, "version");
    if (rc == CIP_OK)
        rc = cipi_json_str(ctx, &j, cip_version());
    if (rc == CIP_OK)
        rc = cipi_json_key(ctx, &j, "models");
    if (rc == CIP_OK)
        rc = cipi_json_begin(ctx, &j, '[');
    for (size_t k = 0; rc == CIP_OK && k < c->srv->n_slots; k++) {
        struct serve_model *m = cipi_serve_acquire(c->srv, k);
        if (m != NULL)
            rc = model_info(ctx, &j, &c->srv->slots[k], m);
        cipi_serve_release(m);
    }
    if (rc == CIP_OK)
        rc = cipi_json_end(ctx, &j, ']');
    if (rc == CIP_OK)
        rc = cipi_json_key(ctx, &j, "token_required");
    if (rc == CIP_OK)
        rc = cipi_json_bool(ctx, &j, c->srv->token != NULL);
    if (rc == CIP_OK)
        rc = cipi_json_key(ctx, &j, "tracking_uri");
    if (rc == CIP_OK)
        rc = cipi_json_str(ctx, &j, c->srv->tracking);
    return rc == CIP_OK ? cipi_json_end(ctx, &j, '}') : rc;
}

/* Send an owned JSON text from a store call (freed here). */
static cip_status send_owned(struct serve_call *c, cip_status rc, char *text)
{
    if (rc == CIP_OK)
        rc = cipi_serve_json_text(c, 200, text);
    cip_free(c->ctx, text);
    return rc;
}

/* Send the JSON listing of a store call list(ctx, store, json = 1, &out). */
static cip_status send_list(struct serve_call *c,
                            cip_status (*list)(cip_ctx *, cip_store *, int, char **))
{
    cip_store *st = NULL;
    char *out = NULL;
    cip_status rc = open_store(c, 1, &st);
    if (rc == CIP_OK)
        rc = list(c->ctx, st, 1, &out);
    cip_store_close(st);
    return send_owned(c, rc, out);
}

cip_status cipi_serve_experiments(struct serve_call *c)
{
    return send_list(c, cip_experiments_list);
}

static const char *arg(struct serve_call *c, const char *name)
{
    const char *v = MHD_lookup_connection_value(c->conn, MHD_GET_ARGUMENT_KIND, name);
    return v != NULL && v[0] != '\0' ? v : NULL;
}

cip_status cipi_serve_runs(struct serve_call *c)
{
    cip_run_query q;
    memset(&q, 0, sizeof q);
    q.experiment = arg(c, "experiment");
    q.filter = arg(c, "filter");
    q.order_by = arg(c, "order_by");
    const char *mr = arg(c, "max_results");
    if (mr != NULL) {
        char *end = NULL;
        long long v = strtoll(mr, &end, 10);
        if (end == mr || *end != '\0' || v < 1 || v > 100000)
            return cipi_serve_error(c, 400, "INVALID_PARAMETER_VALUE",
                                    "max_results must be an integer in 1..100000, not '%s'", mr);
        q.max_results = v;
    }
    cip_store *st = NULL;
    cip_run_set *rs = NULL;
    char *out = NULL;
    cip_status rc = open_store(c, 1, &st);
    if (rc == CIP_OK)
        rc = cip_runs_search(c->ctx, st, &q, &rs);
    if (rc == CIP_OK)
        rc = cip_run_set_json(c->ctx, rs, &out);
    cip_run_set_free(rs);
    cip_store_close(st);
    return send_owned(c, rc, out);
}

/* The single run object: the one-element array without its brackets. */
static cip_status one_run(struct serve_call *c, const char *id, cip_store *st, char **out)
{
    cip_run_set *rs = NULL;
    char *js = NULL;
    cip_status rc = cip_run_get(c->ctx, st, id, &rs);
    if (rc == CIP_OK)
        rc = cip_run_set_json(c->ctx, rs, &js);
    cip_run_set_free(rs);
    if (rc != CIP_OK)
        return rc;
    char *b = strchr(js, '['), *e = strrchr(js, ']');
    if (b == NULL || e == NULL || e < b) {
        cip_free(c->ctx, js);
        return cipi_fail(c->ctx, CIP_ERR_INTERNAL, "unexpected run JSON");
    }
    *e = '\0';
    memmove(js, b + 1, strlen(b + 1) + 1);
    *out = js;
    return CIP_OK;
}

cip_status cipi_serve_run(struct serve_call *c)
{
    char id[80];
    if (!cipi_serve_arg(c, 0, id, sizeof id))
        return cipi_serve_error(c, 400, "INVALID_PARAMETER_VALUE", "bad run id");
    cip_store *st = NULL;
    char *out = NULL;
    cip_status rc = open_store(c, 1, &st);
    if (rc == CIP_OK)
        rc = one_run(c, id, st, &out);
    cip_store_close(st);
    return send_owned(c, rc, out);
}

static cip_status history(struct serve_call *c, const char *key, const cip_metric_value *v,
                          size_t n)
{
    struct cipi_json j;
    cipi_json_init(&j, &c->resp->body);
    cip_status rc = cipi_json_begin(c->ctx, &j, '{');
    if (rc == CIP_OK)
        rc = cipi_json_key(c->ctx, &j, "key");
    if (rc == CIP_OK)
        rc = cipi_json_str(c->ctx, &j, key);
    if (rc == CIP_OK)
        rc = cipi_json_key(c->ctx, &j, "history");
    if (rc == CIP_OK)
        rc = cipi_json_begin(c->ctx, &j, '[');
    for (size_t k = 0; rc == CIP_OK && k < n; k++) {
        rc = cipi_json_begin(c->ctx, &j, '{');
        if (rc == CIP_OK)
            rc = cipi_json_key(c->ctx, &j, "step");
        if (rc == CIP_OK)
            rc = cipi_json_int(c->ctx, &j, v[k].step);
        if (rc == CIP_OK)
            rc = cipi_json_key(c->ctx, &j, "value");
        if (rc == CIP_OK)
            rc = isnan(v[k].value) ? cipi_json_null(c->ctx, &j)
                                   : cipi_serve_json_num(c->ctx, &j, v[k].value);
        if (rc == CIP_OK)
            rc = cipi_json_key(c->ctx, &j, "timestamp");
        if (rc == CIP_OK)
            rc = cipi_json_int(c->ctx, &j, v[k].timestamp);
        if (rc == CIP_OK)
            rc = cipi_json_end(c->ctx, &j, '}');
    }
    if (rc == CIP_OK)
        rc = cipi_json_end(c->ctx, &j, ']');
    if (rc == CIP_OK)
        rc = cipi_json_end(c->ctx, &j, '}');
    c->resp->status = 200;
    c->resp->ctype = "application/json";
    return rc;
}

cip_status cipi_serve_run_metric(struct serve_call *c)
{
    char id[80], key[512];
    if (!cipi_serve_arg(c, 0, id, sizeof id) || !cipi_serve_arg(c, 1, key, sizeof key))
        return cipi_serve_error(c, 400, "INVALID_PARAMETER_VALUE", "bad run id or metric key");
    cip_store *st = NULL;
    cip_metric_value *v = NULL;
    size_t n = 0;
    cip_status rc = open_store(c, 1, &st);
    if (rc == CIP_OK)
        rc = cip_run_metric_history(c->ctx, st, id, key, &v, &n);
    if (rc == CIP_OK)
        rc = history(c, key, v, n);
    cip_free(c->ctx, v);
    cip_store_close(st);
    return rc;
}

cip_status cipi_serve_models(struct serve_call *c)
{
    return send_list(c, cip_registry_list);
}

cip_status cipi_serve_model(struct serve_call *c)
{
    char name[256];
    if (!cipi_serve_arg(c, 0, name, sizeof name))
        return cipi_serve_error(c, 400, "INVALID_PARAMETER_VALUE", "bad model name");
    cip_store *st = NULL;
    char *out = NULL;
    cip_status rc = open_store(c, 1, &st);
    if (rc == CIP_OK)
        rc = cip_registry_show(c->ctx, st, name, 1, &out);
    cip_store_close(st);
    return send_owned(c, rc, out);
}

/* Constant-time comparison of the bearer token (time depends on the lengths only). */
static bool token_ok(const cip_server *s, const char *auth)
{
    if (s->token == NULL)
        return true;
    if (auth == NULL || strncmp(auth, "Bearer ", 7) != 0)
        return false;
    const char *got = auth + 7;
    size_t a = strlen(got), b = strlen(s->token);
    unsigned diff = (unsigned)(a ^ b);
    for (size_t i = 0; i < b; i++)
        diff |= (unsigned)((unsigned char)s->token[i] ^ (unsigned char)(i < a ? got[i] : 0));
    return diff == 0;
}

static bool parse_version(json_t *v, int64_t *out)
{
    if (json_is_integer(v)) {
        *out = (int64_t)json_integer_value(v);
        return *out >= 1;
    }
    const char *s = json_string_value(v);
    char *end = NULL;
    if (s == NULL || s[0] == '\0')
        return false;
    long long n = strtoll(s, &end, 10);
    *out = n;
    return *end == '\0' && n >= 1;
}

cip_status cipi_serve_alias(struct serve_call *c)
{
    const char *auth = MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, "Authorization");
    if (!token_ok(c->srv, auth))
        return cipi_serve_error(c, 401, "UNAUTHENTICATED",
                                "this server requires 'Authorization: Bearer TOKEN' to change "
                                "aliases");
    char name[256];
    if (!cipi_serve_arg(c, 0, name, sizeof name))
        return cipi_serve_error(c, 400, "INVALID_PARAMETER_VALUE", "bad model name");
    json_error_t err;
    json_t *root = json_loadb(c->body, c->body_len, JSON_REJECT_DUPLICATES, &err);
    const char *alias = json_string_value(json_object_get(root, "alias"));
    int64_t version = 0;
    cip_status rc = CIP_OK;
    if (root == NULL)
        rc = cipi_serve_error(c, 400, "BAD_REQUEST", "invalid JSON at line %d, column %d: %s",
                              err.line, err.column, err.text);
    else if (alias == NULL || !parse_version(json_object_get(root, "version"), &version))
        rc = cipi_serve_error(c, 400, "INVALID_PARAMETER_VALUE",
                              "the body must be {\"alias\": \"NAME\", \"version\": \"N\"}");
    else {
        cip_store *st = NULL;
        rc = open_store(c, 0, &st);
        if (rc == CIP_OK)
            rc = cip_registry_set_alias(c->ctx, st, name, alias, version);
        cip_store_close(st);
        if (rc == CIP_OK) {
            char ver[32];
            snprintf(ver, sizeof ver, "%lld", (long long)version);
            const char *kv[] = {"name", name, "alias", alias, "version", ver};
            struct cipi_json j;
            c->resp->status = 200;
            c->resp->ctype = "application/json";
            cipi_json_init(&j, &c->resp->body);
            rc = cipi_json_begin(c->ctx, &j, '{');
            for (size_t k = 0; rc == CIP_OK && k < 6; k += 2) {
                rc = cipi_json_key(c->ctx, &j, kv[k]);
                if (rc == CIP_OK)
                    rc = cipi_json_str(c->ctx, &j, kv[k + 1]);
            }
            if (rc == CIP_OK)
                rc = cipi_json_end(c->ctx, &j, '}');
            cipi_serve_log(c->srv, CIP_LOG_INFO, "alias '%s' of '%s' -> version %lld", alias, name,
                           (long long)version);
        }
    }
    json_decref(root);
    return rc;
}

/* Local path of an artifact URI (file:// or a plain path), owned. */
static char *uri_path(cip_ctx *ctx, const char *uri, const char *file)
{
    if (strncmp(uri, "file://", 7) == 0)
        uri += 7;
    size_t n = strlen(uri) + strlen(file) + 2;
    char *p = cipi_malloc(ctx, n);
    if (p != NULL)
        snprintf(p, n, "%s/%s", uri, file);
    return p;
}

cip_status cipi_serve_latest_artifact(struct serve_call *c, const char *filter, const char *file,
                                      const char *none, cip_run_set **rs_out, char **text,
                                      size_t *len)
{
    cip_run_query q;
    memset(&q, 0, sizeof q);
    q.filter = filter;
    q.max_results = 1;
    cip_store *st = NULL;
    cip_run_set *rs = NULL;
    char *path = NULL;
    *rs_out = NULL;
    *text = NULL;
    *len = 0;
    cip_status rc = open_store(c, 1, &st);
    if (rc == CIP_OK)
        rc = cip_runs_search(c->ctx, st, &q, &rs);
    if (rc == CIP_OK && cip_run_set_count(rs) == 0)
        rc = cipi_fail(c->ctx, CIP_ERR_NOT_FOUND, "%s", none);
    if (rc == CIP_OK)
        rc = (path = uri_path(c->ctx, cip_run_set_at(rs, 0)->artifact_uri, file)) == NULL
                 ? CIP_ERR_NOMEM
                 : CIP_OK;
    if (rc == CIP_OK && cipi_read_file(c->ctx, path, 64u << 20, text, len) != CIP_OK)
        rc = cipi_fail(c->ctx, CIP_ERR_NOT_FOUND, "run '%s' has no %s artifact",
                       cip_run_set_at(rs, 0)->run_id, file);
    cipi_free(c->ctx, path);
    cip_store_close(st);
    if (rc == CIP_OK)
        *rs_out = rs;
    else
        cip_run_set_free(rs);
    return rc;
}

cip_status cipi_serve_audit(struct serve_call *c)
{
    cip_run_set *rs = NULL;
    char *text = NULL;
    size_t len = 0;
    cip_status rc = cipi_serve_latest_artifact(c, "tags.`cip.audit` LIKE '%'", "audit.json",
                                               "no audit report: no run has the tag cip.audit", &rs,
                                               &text, &len);
    if (rc == CIP_OK) {
        c->resp->status = 200;
        c->resp->ctype = "application/json";
        rc = cipi_buf_append(c->ctx, &c->resp->body, text, len);
    }
    cipi_free(c->ctx, text);
    cip_run_set_free(rs);
    return rc;
}
