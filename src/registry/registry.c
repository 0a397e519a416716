/* registry.c - registering model versions, aliases, tags, descriptions
 *
 * Writes MLflow's registry tables exactly as its SQL store does for an
 * MLflow 3 model: the version's source is "models:/m-<id>", its
 * storage_location the LoggedModel's artifact location, current_stage "None",
 * status "READY". Every call is one transaction.
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "registry_int.h"

cip_status cipi_registry_check_name(cip_ctx *ctx, const char *name)
{
    if (name == NULL || name[0] == '\0')
        return cipi_fail(ctx, CIP_ERR_INVALID, "registered model name is empty");
    if (strlen(name) > 256)
        return cipi_fail(ctx, CIP_ERR_INVALID, "registered model name is longer than 256 chars");
    if (strpbrk(name, "/%:@") != NULL)
        return cipi_fail(ctx, CIP_ERR_INVALID,
                         "registered model name '%s' may not contain '/', '%%', ':' or '@'", name);
    return CIP_OK;
}

static cip_status check_alias(cip_ctx *ctx, const char *alias)
{
    size_t n = alias ? strlen(alias) : 0;
    if (n == 0 || n > 255)
        return cipi_fail(ctx, CIP_ERR_INVALID, "alias must have 1 to 255 characters");
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)alias[i]) && alias[i] != '_' && alias[i] != '-')
            return cipi_fail(ctx, CIP_ERR_INVALID,
                             "alias '%s' may contain only letters, digits, '_' and '-'", alias);
    bool vnum =
        (alias[0] == 'v' || alias[0] == 'V') && n > 1 && strspn(alias + 1, "0123456789") == n - 1;
    if (vnum || strcasecmp(alias, "latest") == 0)
        return cipi_fail(ctx, CIP_ERR_INVALID,
                         "alias '%s' is reserved (it would read as a version)", alias);
    return CIP_OK;
}

cip_status cipi_registry_logged_model(cip_ctx *ctx, cip_store *s, const char *model_id,
                                      char **location, char **run_id)
{
    *location = NULL;
    if (run_id)
        *run_id = NULL;
    sqlite3_stmt *st = NULL;
    cip_status rc = cipi_track_prepare(ctx, s,
                                       "SELECT artifact_location, source_run_id FROM "
                                       "logged_models WHERE model_id = ?",
                                       &st);
    if (rc != CIP_OK)
        return rc;
    cipi_track_bind_text(st, 1, model_id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        rc = cipi_track_col_dup(ctx, st, 0, location);
        if (rc == CIP_OK && run_id)
            rc = cipi_track_col_dup(ctx, st, 1, run_id);
    } else {
        rc = cipi_fail(ctx, CIP_ERR_NOT_FOUND, "logged model '%s' not found", model_id);
    }
    sqlite3_finalize(st);
    if (rc != CIP_OK) {
        cipi_free(ctx, *location);
        *location = NULL;
        if (run_id) {
            cipi_free(ctx, *run_id);
            *run_id = NULL;
        }
    }
    return rc;
}

cip_status cipi_registry_run_model(cip_ctx *ctx, cip_store *s, const char *run_id, const char *name,
                                   char **model_id)
{
    *model_id = NULL;
    sqlite3_stmt *st = NULL;
    cip_status rc = cipi_track_prepare(
        ctx, s,
        "SELECT model_id FROM logged_models WHERE source_run_id = ? AND name = ? AND "
        "(lifecycle_stage IS NULL OR lifecycle_stage = 'active') "
        "ORDER BY creation_timestamp_ms DESC LIMIT 1",
        &st);
    if (rc != CIP_OK)
        return rc;
    cipi_track_bind_text(st, 1, run_id);
    cipi_track_bind_text(st, 2, name);
    if (sqlite3_step(st) == SQLITE_ROW)
        rc = cipi_track_col_dup(ctx, st, 0, model_id);
    else
        rc = cipi_fail(ctx, CIP_ERR_NOT_FOUND, "run %s has no logged model named '%s'", run_id,
                       name);
    sqlite3_finalize(st);
    return rc;
}

/* source -> LoggedModel id (owned). */
static cip_status source_model(cip_ctx *ctx, cip_store *s, const char *source, char **model_id)
{
    *model_id = NULL;
    if (strncmp(source, "runs:/", 6) == 0) {
        const char *p = source + 6;
        const char *slash = strchr(p, '/');
        if (slash == NULL || slash[1] == '\0' || slash - p > 32)
            return cipi_fail(ctx, CIP_ERR_INVALID, "'%s' is not runs:/RUN_ID/MODEL_NAME", source);
        char prefix[33], id[33];
        snprintf(prefix, sizeof prefix, "%.*s", (int)(slash - p), p);
        cip_status rc = cipi_track_find_run(ctx, s, prefix, id);
        return rc == CIP_OK ? cipi_registry_run_model(ctx, s, id, slash + 1, model_id) : rc;
    }
    const char *m = strncmp(source, "models:/", 8) == 0 ? source + 8 : source;
    if (strncmp(m, "m-", 2) != 0)
        return cipi_fail(ctx, CIP_ERR_INVALID,
                         "model source '%s' is neither runs:/RUN_ID/NAME nor models:/m-ID", source);
    *model_id = cipi_strdup(ctx, m);
    return *model_id ? CIP_OK : CIP_ERR_NOMEM;
}

static cip_status insert_version(cip_ctx *ctx, cip_store *s, const char *name, int64_t version,
                                 const char *model_id, const char *loc, const char *run_id,
                                 const char *desc)
{
    sqlite3_stmt *st = NULL;
    const char *user = getenv("USER");
    char source[64];
    snprintf(source, sizeof source, "models:/%s", model_id);
    cip_status rc = cipi_track_prepare(
        ctx, s,
        "INSERT INTO model_versions(name, version, creation_time, last_updated_time, "
        "description, user_id, current_stage, source, run_id, status, status_message, run_link, "
        "storage_location, workspace) VALUES (?1, ?2, ?3, ?3, ?4, ?5, 'None', ?6, ?7, 'READY', "
        "NULL, NULL, ?8, 'default')",
        &st);
    if (rc != CIP_OK)
        return rc;
    cipi_track_bind_text(st, 1, name);
    sqlite3_bind_int64(st, 2, version);
    sqlite3_bind_int64(st, 3, cipi_now_ms());
    cipi_track_bind_text(st, 4, desc);
    cipi_track_bind_text(st, 5, user);
    cipi_track_bind_text(st, 6, source);
    cipi_track_bind_text(st, 7, run_id);
    cipi_track_bind_text(st, 8, loc);
    rc = cipi_track_step_done(ctx, s, st, "cannot create model version");
    sqlite3_finalize(st);
    return rc;
}

/* Inside the transaction: create the model if missing, return next version. */
static cip_status next_version(cip_ctx *ctx, cip_store *s, const char *name, int64_t *version)
{
    sqlite3_stmt *st = NULL;
    cip_status rc = cipi_track_prepare(
        ctx, s,
        "INSERT INTO registered_models(name, creation_time, last_updated_time, description, "
        "workspace) VALUES (?1, ?2, ?2, NULL, 'default') ON CONFLICT(workspace, name) DO UPDATE "
        "SET last_updated_time = excluded.last_updated_time",
        &st);
    if (rc != CIP_OK)
        return rc;
    cipi_track_bind_text(st, 1, name);
    sqlite3_bind_int64(st, 2, cipi_now_ms());
    rc = cipi_track_step_done(ctx, s, st, "cannot create registered model");
    sqlite3_finalize(st);
    if (rc != CIP_OK)
        return rc;
    rc = cipi_track_prepare(ctx, s,
                            "SELECT COALESCE(MAX(version), 0) + 1 FROM model_versions "
                            "WHERE workspace = 'default' AND name = ?",
                            &st);
    if (rc != CIP_OK)
        return rc;
    cipi_track_bind_text(st, 1, name);
    if (sqlite3_step(st) == SQLITE_ROW)
        *version = sqlite3_column_int64(st, 0);
    else
        rc = cipi_track_sqlfail(ctx, s, "cannot number the model version");
    sqlite3_finalize(st);
    return rc;
}

cip_status cip_registry_register(cip_ctx *ctx, cip_store *s, const char *name, const char *source,
                                 const char *description, int64_t *version_out)
{
    char *model_id = NULL, *loc = NULL, *run_id = NULL;
    int64_t version = 0;
    cip_status rc = cipi_registry_check_name(ctx, name);
    if (rc == CIP_OK && source == NULL)
        rc = cipi_fail(ctx, CIP_ERR_INVALID, "no model source given");
    if (rc == CIP_OK && cipi_track_ops(s)->reg_register != NULL)
        return cipi_track_ops(s)->reg_register(ctx, s, name, source, description, version_out);
    if (rc == CIP_OK)
        rc = source_model(ctx, s, source, &model_id);
    if (rc == CIP_OK)
        rc = cipi_registry_logged_model(ctx, s, model_id, &loc, &run_id);
    if (rc == CIP_OK)
        rc = cipi_track_begin(ctx, s);
    if (rc != CIP_OK)
        goto done;
    rc = next_version(ctx, s, name, &version);
    if (rc == CIP_OK)
        rc = insert_version(ctx, s, name, version, model_id, loc, run_id, description);
    if (rc == CIP_OK)
        rc = cipi_track_commit(ctx, s);
    else
        cipi_track_rollback(s);
    if (rc == CIP_OK && version_out)
        *version_out = version;
done:
    cipi_free(ctx, model_id);
    cipi_free(ctx, loc);
    cipi_free(ctx, run_id);
    return rc;
}

/* Run one write statement in its own transaction with text binds ?1..?n
 * (and integer ?9 = version); *changes receives sqlite3_changes. */
static cip_status write1(cip_ctx *ctx, cip_store *s, const char *sql, const char *const *t, int n,
                         int64_t version, int *changes)
{
    sqlite3_stmt *st = NULL;
    cip_status rc = cipi_track_begin(ctx, s);
    if (rc != CIP_OK)
        return rc;
    rc = cipi_track_prepare(ctx, s, sql, &st);
    if (rc == CIP_OK) {
        for (int i = 0; i < n; i++)
            cipi_track_bind_text(st, i + 1, t[i]);
        sqlite3_bind_int64(st, 9, version);
        sqlite3_bind_int64(st, 8, cipi_now_ms());
        rc = cipi_track_step_done(ctx, s, st, "cannot update the model registry");
    }
    sqlite3_finalize(st);
    if (rc != CIP_OK) {
        cipi_track_rollback(s);
        return rc;
    }
    *changes = sqlite3_changes(cipi_track_db(s));
    return cipi_track_commit(ctx, s);
}

cip_status cip_registry_set_alias(cip_ctx *ctx, cip_store *s, const char *name, const char *alias,
                                  int64_t version)
{
    cip_status rc = cipi_registry_check_name(ctx, name);
    if (rc == CIP_OK)
        rc = check_alias(ctx, alias);
    if (rc != CIP_OK)
        return rc;
    if (cipi_track_ops(s)->reg_set_alias != NULL)
        return cipi_track_ops(s)->reg_set_alias(ctx, s, name, alias, version);
    const char *t[] = {name, alias};
    int n = 0;
    rc = write1(ctx, s,
                "INSERT OR REPLACE INTO registered_model_aliases(alias, version, name, workspace) "
                "SELECT ?2, ?9, ?1, 'default' FROM model_versions WHERE workspace = 'default' AND "
                "name = ?1 AND version = ?9 AND current_stage != 'Deleted_Internal' AND ?8 > 0",
                t, 2, version, &n);
    if (rc == CIP_OK && n == 0)
        rc = cipi_fail(ctx, CIP_ERR_NOT_FOUND, "model '%s' has no version %lld", name,
                       (long long)version);
    return rc;
}

cip_status cip_registry_delete_alias(cip_ctx *ctx, cip_store *s, const char *name,
                                     const char *alias)
{
    cip_status rc = cipi_registry_check_name(ctx, name);
    if (rc != CIP_OK)
        return rc;
    const char *t[] = {name, alias};
    int n = 0;
    rc = write1(ctx, s,
                "DELETE FROM registered_model_aliases WHERE workspace = 'default' AND name = ?1 "
                "AND alias = ?2 AND ?9 = 0 AND ?8 > 0",
                t, 2, 0, &n);
    if (rc == CIP_OK && n == 0)
        rc = cipi_fail(ctx, CIP_ERR_NOT_FOUND, "model '%s' has no alias '%s'", name,
                       alias ? alias : "");
    return rc;
}

cip_status cip_registry_set_tag(cip_ctx *ctx, cip_store *s, const char *name, int64_t version,
                                const char *key, const char *value)
{
    cip_status rc = cipi_registry_check_name(ctx, name);
    if (rc == CIP_OK && (key == NULL || key[0] == '\0' || strlen(key) > 250))
        rc = cipi_fail(ctx, CIP_ERR_INVALID, "tag key must have 1 to 250 characters");
    if (rc != CIP_OK)
        return rc;
    static const char *const sql[2][2] = {
        {"DELETE FROM registered_model_tags WHERE workspace = 'default' AND name = ?1 AND "
         "\"key\" = ?2 AND ?9 = 0 AND ?8 > 0",
         "INSERT OR REPLACE INTO registered_model_tags(\"key\", value, name, workspace) "
         "SELECT ?2, ?3, ?1, 'default' FROM registered_models WHERE workspace = 'default' AND "
         "name = ?1 AND ?9 = 0 AND ?8 > 0"},
        {"DELETE FROM model_version_tags WHERE workspace = 'default' AND name = ?1 AND "
         "\"key\" = ?2 AND version = ?9 AND ?8 > 0",
         "INSERT OR REPLACE INTO model_version_tags(\"key\", value, name, version, workspace) "
         "SELECT ?2, ?3, ?1, ?9, 'default' FROM model_versions WHERE workspace = 'default' AND "
         "name = ?1 AND version = ?9 AND ?8 > 0"}};
    const char *t[] = {name, key, value};
    int n = 0;
    rc = write1(ctx, s, sql[version > 0][value != NULL], t, 3, version, &n);
    if (rc == CIP_OK && n == 0 && value != NULL && version > 0)
        rc = cipi_fail(ctx, CIP_ERR_NOT_FOUND, "model '%s' has no version %lld", name,
                       (long long)version);
    else if (rc == CIP_OK && n == 0 && value != NULL)
        rc = cipi_fail(ctx, CIP_ERR_NOT_FOUND, "registered model '%s' not found", name);
    else if (rc == CIP_OK && n == 0)
        rc = cipi_fail(ctx, CIP_ERR_NOT_FOUND, "model '%s' has no tag '%s'", name, key);
    return rc;
}

cip_status cip_registry_set_description(cip_ctx *ctx, cip_store *s, const char *name,
                                        int64_t version, const char *text)
{
    cip_status rc = cipi_registry_check_name(ctx, name);
    if (rc != CIP_OK)
        return rc;
    if (text != NULL && strlen(text) > 5000)
        return cipi_fail(ctx, CIP_ERR_INVALID, "description is longer than 5000 characters");
    const char *t[] = {name, text};
    int n = 0;
    rc = write1(ctx, s,
                version > 0 ? "UPDATE model_versions SET description = ?2, last_updated_time = ?8 "
                              "WHERE workspace = 'default' AND name = ?1 AND version = ?9"
                            : "UPDATE registered_models SET description = ?2, "
                              "last_updated_time = ?8 WHERE workspace = 'default' AND "
                              "name = ?1 AND ?9 = 0",
                t, 2, version, &n);
    if (rc == CIP_OK && n == 0)
        rc = cipi_fail(ctx, CIP_ERR_NOT_FOUND, "model '%s' (version %lld) not found", name,
                       (long long)version);
    return rc;
}

cip_status cip_registry_get_alias(cip_ctx *ctx, cip_store *s, const char *name, const char *alias,
                                  int64_t *version)
{
    *version = 0;
    cip_status rc = cipi_registry_check_name(ctx, name);
    if (rc == CIP_OK)
        rc = check_alias(ctx, alias);
    if (rc != CIP_OK)
        return rc;
    if (cipi_track_ops(s)->reg_get_alias != NULL)
        return cipi_track_ops(s)->reg_get_alias(ctx, s, name, alias, version);
    sqlite3_stmt *st = NULL;
    rc = cipi_track_prepare(ctx, s,
                            "SELECT version FROM registered_model_aliases WHERE workspace = "
                            "'default' AND name = ?1 AND alias = ?2",
                            &st);
    if (rc != CIP_OK)
        return rc;
    cipi_track_bind_text(st, 1, name);
    cipi_track_bind_text(st, 2, alias);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        *version = sqlite3_column_int64(st, 0);
    else if (r == SQLITE_DONE)
        rc = cipi_fail(ctx, CIP_ERR_NOT_FOUND, "model '%s' has no alias '%s'", name, alias);
    else
        rc = cipi_track_sqlfail(ctx, s, "cannot read the model registry");
    sqlite3_finalize(st);
    return rc;
}
