/* run.c - experiments and runs: create, params, tags, end, delete, gc
 *
 * Mirrors MLflow's SQL store: runs.status holds the string form, the run's
 * artifact_uri is <experiment artifact_location>/<run_id>/artifacts, and the
 * system tags (mlflow.runName, mlflow.user, mlflow.source.*) are written with
 * the run, in the same transaction.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "track_int.h"

static const char *const status_names[] = {NULL,       "RUNNING", "SCHEDULED",
                                           "FINISHED", "FAILED",  "KILLED"};

const char *cip_run_status_name(cip_run_status st)
{
    if ((int)st < 1 || (int)st > 5)
        return NULL;
    return status_names[st];
}

void cip_run_params_default(cip_run_params *p)
{
    memset(p, 0, sizeof *p);
}

cip_status cipi_track_check_key(cip_ctx *ctx, const char *what, const char *key)
{
    if (key == NULL || key[0] == '\0')
        return cipi_fail(ctx, CIP_ERR_INVALID, "%s name is empty", what);
    size_t n = strlen(key);
    if (n > 250)
        return cipi_fail(ctx, CIP_ERR_INVALID, "%s name '%.40s...' is longer than 250 characters",
                         what, key);
    for (const char *p = key; *p; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || c == '.' || c == '/' || c == ' ';
        if (!ok)
            return cipi_fail(ctx, CIP_ERR_INVALID,
                             "%s name '%s' may contain only letters, digits and '_-./ '", what,
                             key);
    }
    /* MLflow rejects names that a path normalisation would change */
    bool bad = key[0] == '/' || key[n - 1] == '/' || strstr(key, "//") != NULL;
    for (const char *seg = key; !bad && seg != NULL; seg = strchr(seg, '/')) {
        if (*seg == '/')
            seg++;
        size_t len = strcspn(seg, "/");
        bad = (len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.');
    }
    if (bad)
        return cipi_fail(ctx, CIP_ERR_INVALID, "%s name '%s' is not a normalised path", what, key);
    return CIP_OK;
}

cip_status cipi_track_exp_location(cip_ctx *ctx, cip_store *s, int64_t exp_id, char **out)
{
    *out = NULL;
    sqlite3_stmt *st = NULL;
    cip_status rc = cipi_track_prepare(
        ctx, s, "SELECT artifact_location FROM experiments WHERE experiment_id = ?", &st);
    if (rc != CIP_OK)
        return rc;
    sqlite3_bind_int64(st, 1, exp_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        rc = cipi_track_col_dup(ctx, st, 0, out);
    if (rc == CIP_OK && *out == NULL)
        rc = cipi_fail(ctx, CIP_ERR_NOT_FOUND, "experiment %lld has no artifact location",
                       (long long)exp_id);
    sqlite3_finalize(st);
    return rc;
}

static cip_status lookup_experiment(cip_ctx *ctx, cip_store *s, const char *name, int64_t *id,
                                    bool *deleted)
{
    sqlite3_stmt *st = NULL;
    *id = -1;
    cip_status rc = cipi_track_prepare(ctx, s,
                                       "SELECT experiment_id, lifecycle_stage FROM experiments "
                                       "WHERE workspace = 'default' AND name = ?",
                                       &st);
    if (rc != CIP_OK)
        return rc;
    cipi_track_bind_text(st, 1, name);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        const unsigned char *ls = sqlite3_column_text(st, 1);
        *deleted = ls != NULL && strcmp((const char *)ls, "deleted") == 0;
    } else if (r != SQLITE_DONE) {
        rc = cipi_track_sqlfail(ctx, s, "cannot look up experiment");
    }
    sqlite3_finalize(st);
    return rc;
}

static cip_status create_experiment(cip_ctx *ctx, cip_store *s, const char *name, int64_t *id)
{
    sqlite3_stmt *st = NULL;
    bool deleted = false;
    cip_status rc = cipi_track_begin(ctx, s);
    if (rc != CIP_OK)
        return rc;
    rc = lookup_experiment(ctx, s, name, id, &deleted); /* raced with another process? */
    if (rc != CIP_OK || *id >= 0)
        goto done;
    int64_t now = cipi_now_ms();
    rc = cipi_track_prepare(ctx, s,
                            "INSERT INTO experiments(name, artifact_location, lifecycle_stage, "
                            "creation_time, last_update_time, workspace) "
                            "VALUES (?1, NULL, 'active', ?2, ?2, 'default')",
                            &st);
    if (rc != CIP_OK)
        goto done;
    cipi_track_bind_text(st, 1, name);
    sqlite3_bind_int64(st, 2, now);
    rc = cipi_track_step_done(ctx, s, st, "cannot create experiment");
    sqlite3_finalize(st);
    st = NULL;
    if (rc != CIP_OK)
        goto done;
    *id = sqlite3_last_insert_rowid(s->db);
    rc = cipi_track_prepare(ctx, s,
                            "UPDATE experiments SET artifact_location = 'file://' || ?1 || '/' || "
                            "experiment_id WHERE experiment_id = ?2",
                            &st);
    if (rc != CIP_OK)
        goto done;
    cipi_track_bind_text(st, 1, s->artifact_root);
    sqlite3_bind_int64(st, 2, *id);
    rc = cipi_track_step_done(ctx, s, st, "cannot create experiment");
done:
    sqlite3_finalize(st);
    if (rc == CIP_OK)
        return cipi_track_commit(ctx, s);
    cipi_track_rollback(s);
    return rc;
}

cip_status cipi_sql_experiment_get_id(cip_ctx *ctx, cip_store *s, const char *name, int create,
                                      int64_t *id_out)
{
    int64_t id = -1;
    bool deleted = false;
    cip_status rc = lookup_experiment(ctx, s, name, &id, &deleted);
    if (rc != CIP_OK)
        return rc;
    if (id >= 0 && deleted)
        return cipi_fail(ctx, CIP_ERR_CONFLICT, "experiment '%s' is deleted", name);
    if (id < 0 && !create)
        return cipi_fail(ctx, CIP_ERR_NOT_FOUND, "no experiment named '%s'", name);
    if (id < 0) {
        rc = create_experiment(ctx, s, name, &id);
        if (rc != CIP_OK)
            return rc;
    }
    *id_out = id;
    return CIP_OK;
}

cip_status cipi_track_put_tag(cip_ctx *ctx, cip_store *s, const char *run_id, const char *key,
                              const char *value)
{
    sqlite3_stmt *st = NULL;
    cip_status rc = cipi_track_prepare(
        ctx, s, "INSERT OR REPLACE INTO tags(\"key\", value, run_uuid) VALUES (?, ?, ?)", &st);
    if (rc != CIP_OK)
        return rc;
    cipi_track_bind_text(st, 1, key);
    cipi_track_bind_text(st, 2, value);
    cipi_track_bind_text(st, 3, run_id);
    rc = cipi_track_step_done(ctx, s, st, "cannot set tag");
    sqlite3_finalize(st);
    return rc;
}

cip_status cipi_track_find_run(cip_ctx *ctx, cip_store *s, const char *id, char out[33])
{
    size_t n = id ? strlen(id) : 0;
    if (n < 8 || n > 32 || strspn(id, "0123456789abcdef") != n)
        return cipi_fail(ctx, CIP_ERR_INVALID,
                         "'%s' is not a run id (32 hex chars, or a prefix "
                         "of at least 8)",
                         id ? id : "");
    sqlite3_stmt *st = NULL;
    cip_status rc = cipi_track_prepare(
        ctx, s, "SELECT run_uuid FROM runs WHERE substr(run_uuid, 1, length(?1)) = ?1 LIMIT 2",
        &st);
    if (rc != CIP_OK)
        return rc;
    cipi_track_bind_text(st, 1, id);
    int found = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (found++ == 0)
            snprintf(out, 33, "%s", (const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    if (found == 0)
        return cipi_fail(ctx, CIP_ERR_NOT_FOUND, "run '%s' not found", id);
    if (found > 1)
        return cipi_fail(ctx, CIP_ERR_INVALID, "run id prefix '%s' is ambiguous", id);
    return CIP_OK;
}
