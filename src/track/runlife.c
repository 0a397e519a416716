/* runlife.c - a run's life: start (with system tags), attach, params, tags,
 * end, delete/restore, and marking runs of dead processes FAILED
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "track_int.h"

cip_status cipi_track_check_value(cip_ctx *ctx, const char *what, const char *key, const char *v,
                                  size_t max)
{
    if (v == NULL)
        return cipi_fail(ctx, CIP_ERR_INVALID, "%s '%s' has no value", what, key);
    if (strlen(v) > max)
        return cipi_fail(ctx, CIP_ERR_INVALID, "value of %s '%s' is longer than %zu characters",
                         what, key, max);
    return CIP_OK;
}

cip_run *cipi_track_run_new(cip_ctx *ctx, cip_store *s, const char *id, int64_t exp_id)
{
    cip_run *r = cipi_calloc(ctx, 1, sizeof *r);
    if (r == NULL)
        return NULL;
    r->a = cipi_ctx_alloc(ctx);
    r->s = s;
    snprintf(r->id, sizeof r->id, "%s", id);
    r->exp_id = exp_id;
    return r;
}

static cip_status run_alloc(cip_ctx *ctx, cip_store *s, const char *id, int64_t exp_id,
                            const char *artifact_uri, cip_run **out)
{
    cip_run *r = cipi_track_run_new(ctx, s, id, exp_id);
    if (r == NULL)
        return CIP_ERR_NOMEM;
    cip_status rc = cipi_track_uri_to_path(ctx, artifact_uri, &r->artifact_dir);
    if (rc != CIP_OK) {
        cip_run_free(r);
        return rc;
    }
    *out = r;
    return CIP_OK;
}

static cip_status insert_run(cip_ctx *ctx, cip_store *s, const char *id, const char *name,
                             const char *user, int64_t start, const char *uri, int64_t exp)
{
    sqlite3_stmt *st = NULL;
    cip_status rc = cipi_track_prepare(
        ctx, s,
        "INSERT INTO runs(run_uuid, name, source_type, source_name, entry_point_name, user_id, "
        "status, start_time, end_time, source_version, lifecycle_stage, artifact_uri, "
        "experiment_id, deleted_time) VALUES (?1, ?2, 'UNKNOWN', '', '', ?3, 'RUNNING', ?4, "
        "NULL, '', 'active', ?5, ?6, NULL)",
        &st);
    if (rc != CIP_OK)
        return rc;
    cipi_track_bind_text(st, 1, id);
    cipi_track_bind_text(st, 2, name);
    cipi_track_bind_text(st, 3, user);
    sqlite3_bind_int64(st, 4, start);
    cipi_track_bind_text(st, 5, uri);
    sqlite3_bind_int64(st, 6, exp);
    rc = cipi_track_step_done(ctx, s, st, "cannot create run");
    sqlite3_finalize(st);
    return rc;
}

const char *cipi_track_run_user(const cip_run_params *p)
{
    const char *user = p->user;
    if (user == NULL || user[0] == '\0')
        user = getenv("USER");
    if (user == NULL || user[0] == '\0')
        user = "unknown";
    return user;
}

void cipi_track_system_tags(const cip_run_params *p, const char *name, const char *user,
                            const char *tags[CIPI_RUN_SYSTEM_TAGS][2])
{
    const char *const kv[CIPI_RUN_SYSTEM_TAGS][2] = {
        {"mlflow.runName", name},
        {"mlflow.user", user},
        {"mlflow.source.name", p->source_name ? p->source_name : "cip"},
        {"mlflow.source.type", "LOCAL"},
        {"cip.version", cip_version()},
        {"cip.build", cip_build_info()},
        {"cip.command", p->command_line},
        {"mlflow.note.content", p->note},
        {"mlflow.parentRunId", p->parent_run_id},
    };
    memcpy(tags, kv, sizeof kv);
}

static cip_status write_start(cip_ctx *ctx, cip_store *s, const cip_run_params *p, const char *id,
                              const char *name, const char *uri, int64_t exp)
{
    const char *user = cipi_track_run_user(p);
    int64_t start = p->start_time_ms > 0 ? p->start_time_ms : cipi_now_ms();
    const char *tags[CIPI_RUN_SYSTEM_TAGS][2];
    cipi_track_system_tags(p, name, user, tags);
    cip_status rc = cipi_track_begin(ctx, s);
    if (rc != CIP_OK)
        return rc;
    rc = insert_run(ctx, s, id, name, user, start, uri, exp);
    for (size_t k = 0; rc == CIP_OK && k < CIP_ARRAY_LEN(tags); k++)
        if (tags[k][1] != NULL)
            rc = cipi_track_put_tag(ctx, s, id, tags[k][0], tags[k][1]);
    if (rc != CIP_OK) {
        cipi_track_rollback(s);
        return rc;
    }
    return cipi_track_commit(ctx, s);
}

cip_status cipi_sql_run_start(cip_ctx *ctx, cip_store *s, const cip_run_params *p, cip_run **out)
{
    *out = NULL;
    cip_run_params def;
    if (p == NULL) {
        cip_run_params_default(&def);
        p = &def;
    }
    char id[33], parent[33], name_buf[16];
    char *loc = NULL, *uri = NULL;
    cip_run *r = NULL;
    int64_t exp = 0;
    cip_status rc = cipi_track_uuid_hex(ctx, id);
    if (rc == CIP_OK && p->parent_run_id != NULL)
        rc = cipi_track_find_run(ctx, s, p->parent_run_id, parent);
    if (rc == CIP_OK)
        rc = cip_experiment_get_id(ctx, s, p->experiment ? p->experiment : "Default", 1, &exp);
    if (rc == CIP_OK)
        rc = cipi_track_exp_location(ctx, s, exp, &loc);
    if (rc != CIP_OK)
        goto done;
    struct cipi_buf b;
    cipi_buf_init(&b, ctx, 0);
    rc = cipi_buf_printf(ctx, &b, "%s/%s/artifacts", loc, id);
    uri = cipi_buf_detach(&b, NULL);
    if (rc != CIP_OK)
        goto done;
    rc = run_alloc(ctx, s, id, exp, uri, &r);
    if (rc == CIP_OK)
        rc = cipi_track_mkdirs(ctx, r->artifact_dir);
    if (rc != CIP_OK)
        goto done;
    snprintf(name_buf, sizeof name_buf, "run-%.8s", id);
    cip_run_params q = *p;
    if (p->parent_run_id != NULL)
        q.parent_run_id = parent;
    rc = write_start(ctx, s, &q, id, p->run_name ? p->run_name : name_buf, uri, exp);
    if (rc == CIP_OK)
        r->start_ms = q.start_time_ms > 0 ? q.start_time_ms : cipi_now_ms();
done:
    cipi_free(ctx, loc);
    cipi_free(ctx, uri);
    if (rc != CIP_OK) {
        cip_run_free(r);
        r = NULL;
    }
    *out = r;
    return rc;
}

cip_status cipi_sql_run_attach(cip_ctx *ctx, cip_store *s, const char *run_id, cip_run **out)
{
    *out = NULL;
    char id[33];
    cip_status rc = cipi_track_find_run(ctx, s, run_id, id);
    if (rc != CIP_OK)
        return rc;
    sqlite3_stmt *st = NULL;
    rc = cipi_track_prepare(
        ctx, s, "SELECT experiment_id, artifact_uri, start_time FROM runs WHERE run_uuid = ?", &st);
    if (rc != CIP_OK)
        return rc;
    cipi_track_bind_text(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *uri = sqlite3_column_text(st, 1);
        rc = run_alloc(ctx, s, id, sqlite3_column_int64(st, 0), uri ? (const char *)uri : "", out);
        if (rc == CIP_OK)
            (*out)->start_ms = sqlite3_column_int64(st, 2);
    } else {
        rc = cipi_track_sqlfail(ctx, s, "cannot read run");
    }
    sqlite3_finalize(st);
    return rc;
}

const char *cip_run_id(const cip_run *r)
{
    return r->id;
}

int64_t cip_run_experiment_id(const cip_run *r)
{
    return r->exp_id;
}

const char *cip_run_artifact_dir(const cip_run *r)
{
    return r->artifact_dir;
}

void cip_run_free(cip_run *r)
{
    if (r == NULL)
        return;
    struct cipi_alloc a = r->a;
    cipi_afree(&a, r->artifact_dir);
    cipi_afree(&a, r->artifact_uri);
    cipi_afree(&a, r);
}

/* Within a transaction: insert the param, or check it has the same value. */
cip_status cipi_track_put_param(cip_ctx *ctx, cip_run *r, const char *key, const char *value)
{
    sqlite3_stmt *st = NULL;
    cip_status rc = cipi_track_prepare(
        ctx, r->s, "SELECT value FROM params WHERE \"key\" = ? AND run_uuid = ?", &st);
    if (rc != CIP_OK)
        return rc;
    cipi_track_bind_text(st, 1, key);
    cipi_track_bind_text(st, 2, r->id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *old = (const char *)sqlite3_column_text(st, 0);
        if (old == NULL || strcmp(old, value) != 0)
            rc = cipi_fail(ctx, CIP_ERR_CONFLICT,
                           "param '%s' of run %s already has the value '%s'; params cannot be "
                           "changed (new value '%s')",
                           key, r->id, old ? old : "", value);
        sqlite3_finalize(st);
        return rc;
    }
    sqlite3_finalize(st);
    rc = cipi_track_prepare(ctx, r->s,
                            "INSERT INTO params(\"key\", value, run_uuid) VALUES (?, ?, ?)", &st);
    if (rc != CIP_OK)
        return rc;
    cipi_track_bind_text(st, 1, key);
    cipi_track_bind_text(st, 2, value);
    cipi_track_bind_text(st, 3, r->id);
    rc = cipi_track_step_done(ctx, r->s, st, "cannot log param");
    sqlite3_finalize(st);
    return rc;
}

cip_status cipi_sql_run_end(cip_ctx *ctx, cip_run *r, cip_run_status status)
{
    const char *name = cip_run_status_name(status);
    int64_t now = cipi_now_ms();
    char dur[32];
    snprintf(dur, sizeof dur, "%lld", (long long)(now - r->start_ms));
    sqlite3_stmt *st = NULL;
    cip_status rc = cipi_track_begin(ctx, r->s);
    if (rc != CIP_OK)
        return rc;
    rc = cipi_track_prepare(ctx, r->s,
                            "UPDATE runs SET status = ?, end_time = ? WHERE run_uuid = ?", &st);
    if (rc == CIP_OK) {
        cipi_track_bind_text(st, 1, name);
        if (status == CIP_RUN_RUNNING || status == CIP_RUN_SCHEDULED)
            sqlite3_bind_null(st, 2);
        else
            sqlite3_bind_int64(st, 2, now);
        cipi_track_bind_text(st, 3, r->id);
        rc = cipi_track_step_done(ctx, r->s, st, "cannot end run");
    }
    sqlite3_finalize(st);
    if (rc == CIP_OK && status != CIP_RUN_RUNNING && status != CIP_RUN_SCHEDULED)
        rc = cipi_track_put_tag(ctx, r->s, r->id, "cip.duration_ms", dur);
    if (rc != CIP_OK) {
        cipi_track_rollback(r->s);
        return rc;
    }
    return cipi_track_commit(ctx, r->s);
}

/* One UPDATE in its own transaction; *changes = rows touched. */
static cip_status update1(cip_ctx *ctx, cip_store *s, const char *sql, const char *text,
                          int64_t num, size_t *changes)
{
    sqlite3_stmt *st = NULL;
    cip_status rc = cipi_track_begin(ctx, s);
    if (rc != CIP_OK)
        return rc;
    rc = cipi_track_prepare(ctx, s, sql, &st);
    if (rc == CIP_OK) {
        cipi_track_bind_text(st, 1, text);
        sqlite3_bind_int64(st, 2, num);
        rc = cipi_track_step_done(ctx, s, st, "cannot update the tracking store");
    }
    sqlite3_finalize(st);
    if (rc != CIP_OK) {
        cipi_track_rollback(s);
        return rc;
    }
    if (changes != NULL)
        *changes = (size_t)sqlite3_changes(s->db);
    return cipi_track_commit(ctx, s);
}

cip_status cip_run_delete(cip_ctx *ctx, cip_store *s, const char *run_id)
{
    char id[33];
    cip_status rc = cipi_track_find_run(ctx, s, run_id, id);
    if (rc != CIP_OK)
        return rc;
    return update1(ctx, s,
                   "UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = ?2 "
                   "WHERE run_uuid = ?1",
                   id, cipi_now_ms(), NULL);
}

cip_status cip_run_restore(cip_ctx *ctx, cip_store *s, const char *run_id)
{
    char id[33];
    cip_status rc = cipi_track_find_run(ctx, s, run_id, id);
    if (rc != CIP_OK)
        return rc;
    return update1(ctx, s,
                   "UPDATE runs SET lifecycle_stage = 'active', deleted_time = NULL "
                   "WHERE run_uuid = ?1 AND ?2 IS NOT NULL",
                   id, 0, NULL);
}

cip_status cip_runs_mark_stale_failed(cip_ctx *ctx, cip_store *s, int64_t older_than_ms,
                                      size_t *n_marked)
{
    if (older_than_ms < 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "age must not be negative");
    int64_t now = cipi_now_ms();
    sqlite3_stmt *st = NULL;
    cip_status rc = cipi_track_begin(ctx, s);
    if (rc != CIP_OK)
        return rc;
    rc = cipi_track_prepare(ctx, s,
                            "UPDATE runs SET status = 'FAILED', end_time = ?1 "
                            "WHERE status = 'RUNNING' AND start_time < ?2",
                            &st);
    if (rc == CIP_OK) {
        sqlite3_bind_int64(st, 1, now);
        sqlite3_bind_int64(st, 2, now - older_than_ms);
        rc = cipi_track_step_done(ctx, s, st, "cannot mark stale runs");
    }
    sqlite3_finalize(st);
    if (rc != CIP_OK) {
        cipi_track_rollback(s);
        return rc;
    }
    size_t n = (size_t)sqlite3_changes(s->db);
    rc = cipi_track_commit(ctx, s);
    if (rc == CIP_OK && n_marked != NULL)
        *n_marked = n;
    return rc;
}
