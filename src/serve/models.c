/* models.c - the served models: loading, reference counting, alias hot reload
 *
 * Each model URI is a slot holding the current version. Requests take a
 * reference under the slot's mutex (a pointer load and an increment) and drop
 * it when done; the watcher thread re-resolves registry URIs every reload_ms,
 * loads a new version off the request path, swaps it in and drops the slot's
 * reference on the old one, which is freed by whoever releases it last.
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cip/registry.h"
#include "serve_int.h"

static const char *const k_champions[] = {"models:/cip-clv@champion", "models:/cip-churn@champion",
                                          "models:/cip-segments@champion"};

void cipi_serve_log(cip_server *s, cip_log_level level, const char *fmt, ...)
{
    if (s->p.log == NULL)
        return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    s->p.log(s->p.log_ud, level, line);
}

const char *cipi_serve_role(const struct serve_model *m)
{
    return cip_train_task_name(cip_bundle_task(m->b));
}

static void model_free(struct serve_model *m)
{
    if (m == NULL)
        return;
    cipi_serve_monitor_close(m);
    cip_bundle_free(m->b);
    cipi_afree(&m->a, m->path);
    cipi_afree(&m->a, m->sig);
    cipi_afree(&m->a, m);
}

void cipi_serve_release(struct serve_model *m)
{
    if (m != NULL && atomic_fetch_sub(&m->refs, 1) == 1)
        model_free(m);
}

struct serve_model *cipi_serve_acquire(cip_server *s, size_t i)
{
    struct serve_slot *sl = &s->slots[i];
    pthread_mutex_lock(&sl->mu);
    struct serve_model *m = sl->cur;
    if (m != NULL)
        atomic_fetch_add(&m->refs, 1);
    pthread_mutex_unlock(&sl->mu);
    return m;
}

/* Install m as slot i's model (m may be NULL); the old one is released. */
static void slot_swap(cip_server *s, size_t i, struct serve_model *m)
{
    struct serve_slot *sl = &s->slots[i];
    pthread_mutex_lock(&sl->mu);
    struct serve_model *old = sl->cur;
    sl->cur = m;
    pthread_mutex_unlock(&sl->mu);
    cipi_serve_release(old);
}

/* The registered version behind models:/NAME@ALIAS or models:/NAME/N ("" otherwise). */
static void find_version(cip_ctx *ctx, cip_store *st, const char *uri, char *out, size_t size)
{
    out[0] = '\0';
    if (strncmp(uri, "models:/", 8) != 0)
        return;
    const char *rest = uri + 8, *at = strchr(rest, '@'), *slash = strchr(rest, '/');
    char name[256];
    if (at == NULL && slash != NULL) {
        if (strcmp(slash + 1, "latest") != 0)
            snprintf(out, size, "%s", slash + 1);
        if (strcmp(slash + 1, "latest") != 0)
            return;
    }
    size_t n = at != NULL ? (size_t)(at - rest) : slash != NULL ? (size_t)(slash - rest) : 0;
    if (n == 0 || n >= sizeof name)
        return;
    memcpy(name, rest, n);
    name[n] = '\0';
    char *js = NULL;
    if (cip_registry_show(ctx, st, name, 1, &js) != CIP_OK) {
        cip_ctx_clear_error(ctx);
        return;
    }
    json_t *root = json_loads(js, 0, NULL), *v;
    size_t k;
    int64_t best = 0;
    json_array_foreach(json_object_get(root, "versions"), k, v)
    {
        int64_t ver = (int64_t)json_integer_value(json_object_get(v, "version"));
        json_t *al;
        size_t q;
        if (at == NULL && ver > best) /* latest */
            best = ver;
        json_array_foreach(json_object_get(v, "aliases"), q, al)
        {
            if (at != NULL && json_string_value(al) && strcmp(json_string_value(al), at + 1) == 0)
                best = ver;
        }
    }
    if (best > 0)
        snprintf(out, size, "%lld", (long long)best);
    json_decref(root);
    cip_free(ctx, js);
}

static bool is_registry_uri(const char *uri)
{
    return strncmp(uri, "models:/", 8) == 0 || strncmp(uri, "runs:/", 6) == 0;
}

/* Load what uri names now. st may be NULL for directories. */
static cip_status model_load(cip_ctx *ctx, cip_store *st, const char *uri, const char *path,
                             struct serve_model **out)
{
    *out = NULL;
    struct serve_model *m = cipi_calloc(ctx, 1, sizeof *m);
    if (m == NULL)
        return CIP_ERR_NOMEM;
    m->a = cipi_ctx_alloc(ctx);
    atomic_init(&m->refs, 1);
    cip_status rc = cip_bundle_load(ctx, path, &m->b);
    if (rc == CIP_OK)
        rc = (m->path = cipi_strdup(ctx, path)) == NULL ? CIP_ERR_NOMEM : CIP_OK;
    if (rc == CIP_OK) {
        m->n_sig = cip_bundle_n_inputs(m->b);
        m->sig = cipi_calloc(ctx, m->n_sig ? m->n_sig : 1, sizeof *m->sig);
        if (m->sig == NULL)
            rc = CIP_ERR_NOMEM;
        for (size_t k = 0; rc == CIP_OK && k < m->n_sig; k++) {
            m->sig[k].name = cip_bundle_input_name(m->b, k);
            m->sig[k].type = cip_bundle_input_type(m->b, k);
        }
    }
    if (rc == CIP_OK && st != NULL)
        find_version(ctx, st, uri, m->version, sizeof m->version);
    if (rc == CIP_OK)
        cipi_serve_monitor_open(ctx, m);
    if (rc != CIP_OK)
        model_free(m);
    else
        *out = m;
    return rc;
}

/* Resolve uri (registry URIs through st) to a directory (owned). */
static cip_status resolve(cip_ctx *ctx, cip_store *st, const char *uri, char **path)
{
    if (!is_registry_uri(uri)) {
        *path = cipi_strdup(ctx, uri);
        return *path == NULL ? CIP_ERR_NOMEM : CIP_OK;
    }
    if (st == NULL)
        return cipi_fail(ctx, CIP_ERR_NOT_FOUND, "no tracking store for '%s'", uri);
    return cip_registry_resolve(ctx, st, uri, path);
}

static cip_status slot_init(cip_ctx *ctx, struct serve_slot *sl, const char *uri)
{
    if ((sl->uri = cipi_strdup(ctx, uri)) == NULL)
        return CIP_ERR_NOMEM;
    if (strncmp(uri, "models:/", 8) == 0 && strncmp(uri, "models:/m-", 10) != 0) {
        const char *rest = uri + 8;
        size_t n = strcspn(rest, "@/");
        if ((sl->name = cipi_strndup(ctx, rest, n)) == NULL)
            return CIP_ERR_NOMEM;
    }
    return CIP_OK;
}

cip_status cipi_serve_models_init(cip_ctx *ctx, cip_server *s)
{
    bool defaults = s->p.n_models == 0;
    size_t n = defaults ? CIP_ARRAY_LEN(k_champions) : s->p.n_models, loaded = 0;
    const char *const *uris = defaults ? k_champions : s->p.models;
    cip_store *st = NULL;
    bool need_store = false;
    for (size_t k = 0; k < n; k++)
        need_store |= is_registry_uri(uris[k]);
    s->slots = cipi_calloc(ctx, n, sizeof *s->slots);
    if (s->slots == NULL)
        return CIP_ERR_NOMEM;
    cip_status rc = CIP_OK;
    if (need_store) {
        cip_store_opts o;
        cip_store_opts_default(&o);
        o.read_only = 1;
        rc = cip_store_open(ctx, s->tracking, &o, &st);
        if (rc != CIP_OK && defaults && rc != CIP_ERR_NOMEM) {
            char why[512];
            snprintf(why, sizeof why, "%s", cip_ctx_errmsg(ctx));
            rc = cipi_fail(ctx, CIP_ERR_NOT_FOUND,
                           "no models to serve: cannot read models:/cip-clv@champion, "
                           "models:/cip-churn@champion, models:/cip-segments@champion (%s); "
                           "train and register them, or give --model",
                           why);
        }
    }
    for (size_t k = 0; rc == CIP_OK && k < n; k++) {
        struct serve_slot *sl = &s->slots[s->n_slots];
        char *path = NULL;
        rc = slot_init(ctx, sl, uris[k]);
        if (rc != CIP_OK)
            break;
        pthread_mutex_init(&sl->mu, NULL);
        s->n_slots++;
        rc = resolve(ctx, st, uris[k], &path);
        if (rc == CIP_OK)
            rc = model_load(ctx, st, uris[k], path, &sl->cur);
        cip_free(ctx, path);
        if (rc == CIP_OK) {
            loaded++;
        } else if (defaults && rc != CIP_ERR_NOMEM) {
            cipi_serve_log(s, CIP_LOG_WARN, "model '%s' not loaded: %s", uris[k],
                           cip_ctx_errmsg(ctx));
            cip_ctx_clear_error(ctx);
            rc = CIP_OK;
        } else {
            rc = cipi_fail_prefix(ctx, rc, "model '%s'", uris[k]);
        }
    }
    cip_store_close(st);
    if (rc == CIP_OK && loaded == 0)
        rc = cipi_fail(ctx, CIP_ERR_NOT_FOUND,
                       "no models to serve: none of models:/cip-clv@champion, "
                       "models:/cip-churn@champion, models:/cip-segments@champion exists in '%s' "
                       "(train and register them, or give --model)",
                       s->tracking);
    return rc;
}

void cipi_serve_models_free(cip_server *s)
{
    for (size_t k = 0; s->slots != NULL && k < s->n_slots; k++) {
        slot_swap(s, k, NULL);
        pthread_mutex_destroy(&s->slots[k].mu);
        cipi_afree(&s->a, s->slots[k].uri);
        cipi_afree(&s->a, s->slots[k].name);
    }
    cipi_afree(&s->a, s->slots);
    s->slots = NULL;
}

/* One pass of the watcher: reload every registry slot whose target moved. */
static void check_slots(cip_server *s, cip_ctx *ctx)
{
    cip_store *st = NULL;
    cip_store_opts o;
    cip_store_opts_default(&o);
    o.read_only = 1;
    o.busy_timeout_ms = 1000;
    if (cip_store_open(ctx, s->tracking, &o, &st) != CIP_OK) {
        cip_ctx_clear_error(ctx);
        return;
    }
    for (size_t k = 0; k < s->n_slots; k++) {
        struct serve_slot *sl = &s->slots[k];
        char *path = NULL;
        if (!is_registry_uri(sl->uri) || resolve(ctx, st, sl->uri, &path) != CIP_OK) {
            cip_ctx_clear_error(ctx);
            continue;
        }
        struct serve_model *cur = cipi_serve_acquire(s, k), *m = NULL;
        if (cur == NULL || strcmp(cur->path, path) != 0) {
            if (model_load(ctx, st, sl->uri, path, &m) == CIP_OK) {
                slot_swap(s, k, m);
                atomic_fetch_add(&s->m.reloads, 1);
                cipi_serve_log(s, CIP_LOG_INFO, "reloaded '%s': version %s (%s)", sl->uri,
                               m->version[0] ? m->version : "-", path);
            } else {
                atomic_fetch_add(&s->m.reload_errors, 1);
                cipi_serve_log(s, CIP_LOG_WARN, "cannot reload '%s': %s", sl->uri,
                               cip_ctx_errmsg(ctx));
                cip_ctx_clear_error(ctx);
            }
        }
        cipi_serve_release(cur);
        cip_free(ctx, path);
    }
    cip_store_close(st);
}

static void *watcher_main(void *arg)
{
    cip_server *s = arg;
    cip_ctx *ctx = NULL;
    if (cip_ctx_new_with_alloc(s->a.fn, s->a.ud, &ctx) != CIP_OK)
        return NULL;
    cip_ctx_set_threads(ctx, 1);
    pthread_mutex_lock(&s->wmu);
    while (!s->stopping) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += (time_t)(s->p.reload_ms / 1000);
        ts.tv_nsec += (long)(s->p.reload_ms % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        int w = 0;
        while (!s->stopping && w != ETIMEDOUT)
            w = pthread_cond_timedwait(&s->wcv, &s->wmu, &ts);
        if (s->stopping)
            break;
        pthread_mutex_unlock(&s->wmu);
        check_slots(s, ctx);
        pthread_mutex_lock(&s->wmu);
    }
    pthread_mutex_unlock(&s->wmu);
    cip_ctx_free(ctx);
    return NULL;
}

cip_status cipi_serve_watcher_start(cip_ctx *ctx, cip_server *s)
{
    bool any = false;
    for (size_t k = 0; k < s->n_slots; k++)
        any |= is_registry_uri(s->slots[k].uri);
    if (!any || s->p.reload_ms == 0)
        return CIP_OK;
    int e = pthread_create(&s->watcher, NULL, watcher_main, s);
    if (e != 0)
        return cipi_fail_errno(ctx, CIP_ERR_IO, e, "cannot start the reload thread");
    s->watcher_running = true;
    return CIP_OK;
}

void cipi_serve_watcher_stop(cip_server *s)
{
    if (!s->watcher_running)
        return;
    pthread_mutex_lock(&s->wmu);
    s->stopping = true;
    pthread_cond_signal(&s->wcv);
    pthread_mutex_unlock(&s->wmu);
    pthread_join(s->watcher, NULL);
    s->watcher_running = false;
}
