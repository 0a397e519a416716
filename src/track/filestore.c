/* filestore.c - importing a legacy MLflow file store (mlruns/) into SQLite
 *
 * Layout (MLflow's FileStore): <exp>/meta.yaml; <exp>/<run_id>/meta.yaml with
 * params/, tags/ and metrics/ holding one file per key (keys with "/" are
 * subfolders); metric lines "ts value [step [dataset_name dataset_digest]]";
 * <exp>/models/m-<hex>/meta.yaml LoggedModels; <run>/outputs/<model_id>/
 * links. meta.yaml files are flat "key: value" YAML, which is all we parse.
 * The folder is only read.
 * SPDX-License-Identifier: MIT
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "track_int.h"

enum { META_LIMIT = 1 << 20, VALUE_LIMIT = 1 << 16, METRIC_LIMIT = 1 << 28 };

/* Value of top-level `key:` in flat YAML text (owned; NULL for null/missing). */
static cip_status yaml_get(cip_ctx *ctx, const char *text, const char *key, char **out)
{
    *out = NULL;
    size_t kl = strlen(key);
    for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (strncmp(l, key, kl) != 0 || l[kl] != ':')
            continue;
        const char *v = l + kl + 1;
        while (*v == ' ')
            v++;
        size_t n = strcspn(v, "\r\n");
        while (n > 0 && v[n - 1] == ' ')
            n--;
        if (n == 0 || (n == 4 && strncmp(v, "null", 4) == 0) || (n == 1 && v[0] == '~'))
            return CIP_OK;
        if (n >= 2 && (v[0] == '\'' || v[0] == '"') && v[n - 1] == v[0]) {
            struct cipi_buf b;
            cipi_buf_init(&b, ctx, 0);
            cip_status rc = cipi_buf_reserve(ctx, &b, n);
            for (size_t i = 1; rc == CIP_OK && i + 1 < n; i++) {
                if (v[0] == '\'' && v[i] == '\'' && v[i + 1] == '\'')
                    i++; /* '' inside single quotes */
                rc = cipi_buf_putc(ctx, &b, v[i]);
            }
            if (rc == CIP_OK)
                rc = cipi_buf_reserve(ctx, &b, 0);
            if (rc != CIP_OK) {
                cipi_buf_release(&b);
                return rc;
            }
            *out = cipi_buf_detach(&b, NULL);
            return CIP_OK;
        }
        *out = cipi_strndup(ctx, v, n);
        return *out ? CIP_OK : CIP_ERR_NOMEM;
    }
    return CIP_OK;
}

/* Format a path into buf. A path longer than the buffer becomes "", which
 * every later open/stat rejects with ENOENT: such paths are not worth a
 * separate error path. */
static void mkpath(char *buf, size_t n, const char *fmt, ...) CIPI_PRINTF(3, 4);
static void mkpath(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    if (w < 0 || (size_t)w >= n)
        buf[0] = '\0';
}

static int64_t to_i64(const char *s, int64_t dflt)
{
    if (s == NULL)
        return dflt;
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    return (end != s && *end == '\0') ? v : dflt;
}

static cip_status read_small(cip_ctx *ctx, const char *path, char **text)
{
    size_t len = 0;
    return cipi_read_file(ctx, path, META_LIMIT, text, &len);
}

/* Callback for each file below a key folder: key = path relative to it. */
typedef cip_status (*kv_fn)(cip_ctx *ctx, void *arg, const char *key, const char *path);

static cip_status walk_keys(cip_ctx *ctx, const char *dir, const char *prefix, int depth, kv_fn fn,
                            void *arg)
{
    if (depth > 16)
        return cipi_fail(ctx, CIP_ERR_LIMIT, "'%s' is nested too deeply", dir);
    DIR *d = opendir(dir);
    if (d == NULL)
        return errno == ENOENT ? CIP_OK
                               : cipi_fail_errno(ctx, CIP_ERR_IO, errno, "cannot read '%s'", dir);
    cip_status rc = CIP_OK;
    struct dirent *e;
    char path[4096], key[1024];
    while (rc == CIP_OK && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue; /* ., .., .gitkeep and other hidden files */
        mkpath(path, sizeof path, "%s/%s", dir, e->d_name);
        snprintf(key, sizeof key, "%s%s%s", prefix, prefix[0] ? "/" : "", e->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            rc = walk_keys(ctx, path, key, depth + 1, fn, arg);
        else
            rc = fn(ctx, arg, key, path);
    }
    closedir(d);
    return rc;
}

struct run_ctx {
    cip_store *s;
    const char *run_id;
    sqlite3_stmt *param, *tag, *ins, *lat;
};

static cip_status put_kv(cip_ctx *ctx, struct run_ctx *rc_, sqlite3_stmt *st, const char *key,
                         const char *path)
{
    char *v = NULL;
    size_t len = 0;
    cip_status rc = cipi_read_file(ctx, path, VALUE_LIMIT, &v, &len);
    if (rc != CIP_OK)
        return rc;
    sqlite3_reset(st);
    cipi_track_bind_text(st, 1, key);
    sqlite3_bind_text(st, 2, v, (int)len, SQLITE_TRANSIENT);
    cipi_track_bind_text(st, 3, rc_->run_id);
    rc = cipi_track_step_done(ctx, rc_->s, st, "cannot import");
    cipi_free(ctx, v);
    return rc;
}

static cip_status on_param(cip_ctx *ctx, void *arg, const char *key, const char *path)
{
    struct run_ctx *r = arg;
    return put_kv(ctx, r, r->param, key, path);
}

static cip_status on_tag(cip_ctx *ctx, void *arg, const char *key, const char *path)
{
    struct run_ctx *r = arg;
    return put_kv(ctx, r, r->tag, key, path);
}

static cip_status on_metric(cip_ctx *ctx, void *arg, const char *key, const char *path)
{
    struct run_ctx *r = arg;
    char *text = NULL;
    size_t len = 0;
    cip_status rc = cipi_read_file(ctx, path, METRIC_LIMIT, &text, &len);
    int line = 0;
    for (char *l = text, *next; rc == CIP_OK && l && *l; l = next) {
        next = strchr(l, '\n');
        if (next)
            *next++ = '\0';
        line++;
        if (strspn(l, " \t\r") == strlen(l))
            continue;
        char *end = NULL;
        cip_metric m = {key, 0.0, 0, 0};
        m.timestamp = strtoll(l, &end, 10);
        char *p = end;
        m.value = strtod(p, &end);
        bool ok = end != p && m.timestamp > 0;
        if (ok && *end == ' ') {
            p = end;
            m.step = strtoll(p, &end, 10);
            ok = end != p;
        }
        if (!ok || (*end != '\0' && *end != ' ' && *end != '\r'))
            rc = cipi_fail(ctx, CIP_ERR_PARSE, "%s:%d: expected 'timestamp value [step]'", path,
                           line);
        if (rc == CIP_OK)
            rc = cipi_track_bind_metric(ctx, r->s, r->ins, r->run_id, &m, 0);
        if (rc == CIP_OK)
            rc = cipi_track_bind_metric(ctx, r->s, r->lat, r->run_id, &m, 0);
    }
    cipi_free(ctx, text);
    return rc;
}

static cip_status on_output(cip_ctx *ctx, void *arg, const char *key, const char *path)
{
    struct run_ctx *r = arg;
    (void)path;
    char model_id[64], link[33];
    if (strncmp(key, "m-", 2) != 0 || strlen(key) > 60 || strchr(key, '/') == NULL)
        return CIP_OK;
    snprintf(model_id, sizeof model_id, "%.*s", (int)strcspn(key, "/"), key);
    cip_status rc = cipi_track_uuid_hex(ctx, link);
    sqlite3_stmt *st = NULL;
    if (rc == CIP_OK)
        rc = cipi_track_prepare(ctx, r->s,
                                "INSERT OR IGNORE INTO inputs VALUES (?1, 'RUN_OUTPUT', ?2, "
                                "'MODEL_OUTPUT', ?3, 0)",
                                &st);
    if (rc == CIP_OK) {
        cipi_track_bind_text(st, 1, link);
        cipi_track_bind_text(st, 2, r->run_id);
        cipi_track_bind_text(st, 3, model_id);
        rc = cipi_track_step_done(ctx, r->s, st, "cannot import run output");
    }
    sqlite3_finalize(st);
    return rc;
}

struct run_meta {
    char *run_id, *name, *status, *start, *end, *stage, *user;
};

static void run_meta_release(cip_ctx *ctx, struct run_meta *m)
{
    char **f[] = {&m->run_id, &m->name, &m->status, &m->start, &m->end, &m->stage, &m->user};
    for (size_t k = 0; k < CIP_ARRAY_LEN(f); k++) {
        cipi_free(ctx, *f[k]);
        *f[k] = NULL;
    }
}

static cip_status run_meta_read(cip_ctx *ctx, const char *text, struct run_meta *m)
{
    const char *keys[] = {"run_id",   "run_name",        "status", "start_time",
                          "end_time", "lifecycle_stage", "user_id"};
    char **f[] = {&m->run_id, &m->name, &m->status, &m->start, &m->end, &m->stage, &m->user};
    cip_status rc = CIP_OK;
    for (size_t k = 0; rc == CIP_OK && k < CIP_ARRAY_LEN(f); k++)
        rc = yaml_get(ctx, text, keys[k], f[k]);
    return rc;
}

static cip_status insert_run_row(cip_ctx *ctx, cip_store *s, const struct run_meta *m,
                                 const char *status, const char *uri, int64_t exp_id)
{
    sqlite3_stmt *st = NULL;
    cip_status rc = cipi_track_prepare(
        ctx, s,
        "INSERT INTO runs(run_uuid, name, source_type, source_name, entry_point_name, user_id, "
        "status, start_time, end_time, source_version, lifecycle_stage, artifact_uri, "
        "experiment_id, deleted_time) VALUES (?1, ?2, 'UNKNOWN', '', '', ?3, ?4, ?5, ?6, '', "
        "?7, ?8, ?9, NULL)",
        &st);
    if (rc != CIP_OK)
        return rc;
    cipi_track_bind_text(st, 1, m->run_id);
    cipi_track_bind_text(st, 2, m->name);
    cipi_track_bind_text(st, 3, m->user);
    cipi_track_bind_text(st, 4, status);
    sqlite3_bind_int64(st, 5, to_i64(m->start, 0));
    if (to_i64(m->end, -1) >= 0)
        sqlite3_bind_int64(st, 6, to_i64(m->end, 0));
    cipi_track_bind_text(st, 7,
                         m->stage && strcmp(m->stage, "deleted") == 0 ? "deleted" : "active");
    cipi_track_bind_text(st, 8, uri);
    sqlite3_bind_int64(st, 9, exp_id);
    rc = cipi_track_step_done(ctx, s, st, "cannot import run");
    sqlite3_finalize(st);
    return rc;
}

static bool run_exists(cip_store *s, const char *id)
{
    sqlite3_stmt *st = NULL;
    bool found = false;
    if (sqlite3_prepare_v2(cipi_track_db(s), "SELECT 1 FROM runs WHERE run_uuid = ?", -1, &st,
                           NULL) == SQLITE_OK) {
        cipi_track_bind_text(st, 1, id);
        found = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return found;
}

/* Everything below a run folder, in one transaction. */
static cip_status import_run_body(cip_ctx *ctx, cip_store *s, const char *run_dir,
                                  struct run_ctx *r)
{
    static const char *const sub[] = {"params", "tags", "metrics", "outputs"};
    static const kv_fn fns[] = {on_param, on_tag, on_metric, on_output};
    cip_status rc = cipi_track_prepare(
        ctx, s, "INSERT INTO params(\"key\", value, run_uuid) VALUES (?, ?, ?)", &r->param);
    if (rc == CIP_OK)
        rc = cipi_track_prepare(
            ctx, s, "INSERT OR REPLACE INTO tags(\"key\", value, run_uuid) VALUES (?, ?, ?)",
            &r->tag);
    if (rc == CIP_OK)
        rc = cipi_track_prepare(ctx, s, cipi_track_metric_insert_sql, &r->ins);
    if (rc == CIP_OK)
        rc = cipi_track_prepare(ctx, s, cipi_track_metric_latest_sql, &r->lat);
    char path[4096];
    for (int k = 0; rc == CIP_OK && k < 4; k++) {
        mkpath(path, sizeof path, "%s/%s", run_dir, sub[k]);
        rc = walk_keys(ctx, path, "", 0, fns[k], r);
    }
    sqlite3_finalize(r->param);
    sqlite3_finalize(r->tag);
    sqlite3_finalize(r->ins);
    sqlite3_finalize(r->lat);
    sqlite3_stmt *st = NULL;
    if (rc == CIP_OK) /* the file store falls back to the mlflow.runName tag */
        rc = cipi_track_prepare(ctx, s,
                                "UPDATE runs SET name = (SELECT value FROM tags WHERE "
                                "\"key\" = 'mlflow.runName' AND run_uuid = ?1) "
                                "WHERE run_uuid = ?1 AND name IS NULL",
                                &st);
    if (rc == CIP_OK) {
        cipi_track_bind_text(st, 1, r->run_id);
        rc = cipi_track_step_done(ctx, s, st, "cannot import run");
    }
    sqlite3_finalize(st);
    return rc;
}

static cip_status import_run(cip_ctx *ctx, cip_store *s, const char *exp_abs, const char *folder,
                             int64_t exp_id, cip_import_stats *stats)
{
    char path[4096];
    mkpath(path, sizeof path, "%s/%s/meta.yaml", exp_abs, folder);
    char *text = NULL, *uri = NULL;
    struct run_meta m = {0};
    cip_status rc = read_small(ctx, path, &text);
    if (rc == CIP_OK)
        rc = run_meta_read(ctx, text, &m);
    if (rc == CIP_OK && m.run_id == NULL)
        m.run_id = cipi_strdup(ctx, folder);
    if (rc == CIP_OK && m.run_id == NULL)
        rc = CIP_ERR_NOMEM;
    if (rc != CIP_OK || run_exists(s, m.run_id)) {
        if (rc == CIP_OK)
            stats->skipped++;
        goto done;
    }
    int64_t code = to_i64(m.status, -1);
    const char *status = code > 0 ? cip_run_status_name((cip_run_status)code) : m.status;
    const char *const known[] = {"RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"};
    bool ok = false;
    for (int k = 0; status && k < 5; k++)
        ok = ok || strcmp(status, known[k]) == 0;
    if (!ok) {
        rc = cipi_fail(ctx, CIP_ERR_PARSE, "%s: unknown run status '%s'", path,
                       m.status ? m.status : "");
        goto done;
    }
    struct cipi_buf b;
    cipi_buf_init(&b, ctx, 0);
    rc = cipi_buf_printf(ctx, &b, "file://%s/%s/artifacts", exp_abs, folder);
    uri = cipi_buf_detach(&b, NULL);
    if (rc == CIP_OK)
        rc = cipi_track_begin(ctx, s);
    if (rc != CIP_OK)
        goto done;
    rc = insert_run_row(ctx, s, &m, status, uri, exp_id);
    mkpath(path, sizeof path, "%s/%s", exp_abs, folder);
    struct run_ctx r = {.s = s, .run_id = m.run_id};
    if (rc == CIP_OK)
        rc = import_run_body(ctx, s, path, &r);
    if (rc == CIP_OK)
        rc = cipi_track_commit(ctx, s);
    else
        cipi_track_rollback(s);
    if (rc == CIP_OK)
        stats->runs++;
done:
    run_meta_release(ctx, &m);
    cipi_free(ctx, text);
    cipi_free(ctx, uri);
    return rc;
}

static cip_status import_model(cip_ctx *ctx, cip_store *s, const char *exp_abs, const char *id,
                               int64_t exp_id, cip_import_stats *stats)
{
    char path[4096];
    mkpath(path, sizeof path, "%s/models/%s/meta.yaml", exp_abs, id);
    char *text = NULL, *v[6] = {NULL};
    const char *keys[] = {
        "name",          "status",         "creation_timestamp", "last_updated_timestamp",
        "source_run_id", "lifecycle_stage"};
    sqlite3_stmt *st = NULL;
    cip_status rc = read_small(ctx, path, &text);
    for (int k = 0; rc == CIP_OK && k < 6; k++)
        rc = yaml_get(ctx, text, keys[k], &v[k]);
    if (rc == CIP_OK)
        rc = cipi_track_prepare(ctx, s,
                                "INSERT OR IGNORE INTO logged_models VALUES (?1, ?2, ?3, "
                                "'file://' || ?4 || '/models/' || ?1 || '/artifacts', ?5, ?6, "
                                "?7, ?8, NULL, ?9, NULL)",
                                &st);
    if (rc == CIP_OK) {
        cipi_track_bind_text(st, 1, id);
        sqlite3_bind_int64(st, 2, exp_id);
        cipi_track_bind_text(st, 3, v[0] ? v[0] : "model");
        cipi_track_bind_text(st, 4, exp_abs);
        sqlite3_bind_int64(st, 5, to_i64(v[2], 0));
        sqlite3_bind_int64(st, 6, to_i64(v[3], to_i64(v[2], 0)));
        sqlite3_bind_int64(st, 7, to_i64(v[1], 2));
        cipi_track_bind_text(st, 8, v[5] && strcmp(v[5], "deleted") == 0 ? "deleted" : "active");
        cipi_track_bind_text(st, 9, v[4]);
        rc = cipi_track_step_done(ctx, s, st, "cannot import logged model");
        if (rc == CIP_OK && sqlite3_changes(cipi_track_db(s)) > 0)
            stats->models++;
    }
    sqlite3_finalize(st);
    for (int k = 0; k < 6; k++)
        cipi_free(ctx, v[k]);
    cipi_free(ctx, text);
    return rc;
}

/* One experiment folder: its meta.yaml, runs and models. */
static cip_status import_experiment(cip_ctx *ctx, cip_store *s, const char *exp_abs,
                                    cip_import_stats *stats)
{
    char path[4096];
    mkpath(path, sizeof path, "%s/meta.yaml", exp_abs);
    char *text = NULL, *name = NULL, *stage = NULL, *id = NULL;
    int64_t exp_id = 0;
    DIR *d = NULL;
    cip_status rc = read_small(ctx, path, &text);
    if (rc == CIP_OK)
        rc = yaml_get(ctx, text, "name", &name);
    if (rc == CIP_OK)
        rc = yaml_get(ctx, text, "lifecycle_stage", &stage);
    if (rc == CIP_OK)
        rc = yaml_get(ctx, text, "experiment_id", &id);
    if (rc != CIP_OK || (stage && strcmp(stage, "deleted") == 0))
        goto done;
    if (name == NULL) {
        rc = cipi_fail(ctx, CIP_ERR_PARSE, "%s: no experiment name", path);
        goto done;
    }
    rc = cip_experiment_get_id(ctx, s, id && strcmp(id, "0") == 0 ? "Default" : name, 1, &exp_id);
    if (rc != CIP_OK)
        goto done;
    stats->experiments++;
    d = opendir(exp_abs);
    if (d == NULL) {
        rc = cipi_fail_errno(ctx, CIP_ERR_IO, errno, "cannot read '%s'", exp_abs);
        goto done;
    }
    struct dirent *e;
    while (rc == CIP_OK && (e = readdir(d)) != NULL) {
        const char *f = e->d_name;
        if (f[0] == '.' || strcmp(f, "tags") == 0 || strcmp(f, "datasets") == 0 ||
            strcmp(f, "traces") == 0 || strcmp(f, "models") == 0)
            continue;
        mkpath(path, sizeof path, "%s/%s/meta.yaml", exp_abs, f);
        if (access(path, F_OK) == 0)
            rc = import_run(ctx, s, exp_abs, f, exp_id, stats);
    }
    closedir(d);
    mkpath(path, sizeof path, "%s/models", exp_abs);
    d = opendir(path);
    while (rc == CIP_OK && d != NULL && (e = readdir(d)) != NULL)
        if (strncmp(e->d_name, "m-", 2) == 0)
            rc = import_model(ctx, s, exp_abs, e->d_name, exp_id, stats);
    if (d != NULL)
        closedir(d);
done:
    cipi_free(ctx, text);
    cipi_free(ctx, name);
    cipi_free(ctx, stage);
    cipi_free(ctx, id);
    return rc;
}

cip_status cip_store_import_filestore(cip_ctx *ctx, cip_store *s, const char *dir,
                                      cip_import_stats *stats)
{
    cip_import_stats local = {0};
    char *abs = NULL;
    cip_status rc = cipi_track_abspath(ctx, dir, &abs);
    if (rc != CIP_OK)
        return rc;
    DIR *d = opendir(abs);
    if (d == NULL) {
        rc = cipi_fail_errno(ctx, CIP_ERR_IO, errno, "cannot read file store '%s'", dir);
        cipi_free(ctx, abs);
        return rc;
    }
    struct dirent *e;
    char path[4096];
    while (rc == CIP_OK && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "models") == 0)
            continue; /* .trash holds deleted experiments; models/ is the registry */
        mkpath(path, sizeof path, "%s/%s/meta.yaml", abs, e->d_name);
        if (access(path, F_OK) != 0)
            continue;
        mkpath(path, sizeof path, "%s/%s", abs, e->d_name);
        rc = import_experiment(ctx, s, path, &local);
    }
    closedir(d);
    cipi_free(ctx, abs);
    if (rc == CIP_OK && local.experiments == 0)
        rc = cipi_fail(ctx, CIP_ERR_NOT_FOUND,
                       "'%s' holds no MLflow experiment (no <id>/meta.yaml)", dir);
    if (stats != NULL)
        *stats = local;
    return rc;
}
