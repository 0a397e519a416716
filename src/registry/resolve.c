/* resolve.c - model URIs to local directories
 *
 * models:/NAME@ALIAS, models:/NAME/VERSION, models:/NAME/latest,
 * models:/m-<id> and runs:/RUN_ID/PATH. A version's files are at its
 * storage_location (MLflow's download URI), else at what its source names.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "registry_int.h"

/* storage_location (or source) of a version picked by alias or number. */
static cip_status version_location(cip_ctx *ctx, cip_store *s, const char *name, const char *alias,
                                   int64_t version, char **loc)
{
    static const char by_alias[] =
        "SELECT mv.storage_location, mv.source FROM registered_model_aliases a JOIN "
        "model_versions mv ON mv.workspace = a.workspace AND mv.name = a.name AND "
        "mv.version = a.version WHERE a.workspace = 'default' AND a.name = ?1 AND a.alias = ?2";
    static const char by_version[] =
        "SELECT storage_location, source FROM model_versions WHERE workspace = 'default' AND "
        "name = ?1 AND current_stage != 'Deleted_Internal' AND (version = ?3 OR (?3 = 0 AND "
        "version = (SELECT MAX(version) FROM model_versions WHERE workspace = 'default' AND "
        "name = ?1 AND current_stage != 'Deleted_Internal')))";
    *loc = NULL;
    sqlite3_stmt *st = NULL;
    cip_status rc = cipi_track_prepare(ctx, s, alias ? by_alias : by_version, &st);
    if (rc != CIP_OK)
        return rc;
    cipi_track_bind_text(st, 1, name);
    if (alias)
        cipi_track_bind_text(st, 2, alias);
    else
        sqlite3_bind_int64(st, 3, version);
    if (sqlite3_step(st) == SQLITE_ROW)
        rc = cipi_track_col_dup(ctx, st, sqlite3_column_type(st, 0) == SQLITE_NULL ? 1 : 0, loc);
    if (rc == CIP_OK && *loc == NULL) {
        if (alias)
            rc = cipi_fail(ctx, CIP_ERR_NOT_FOUND, "model '%s' has no alias '%s'", name, alias);
        else if (version > 0)
            rc = cipi_fail(ctx, CIP_ERR_NOT_FOUND, "model '%s' has no version %lld", name,
                           (long long)version);
        else
            rc = cipi_fail(ctx, CIP_ERR_NOT_FOUND, "registered model '%s' has no versions", name);
    }
    sqlite3_finalize(st);
    return rc;
}

/* runs:/RUN_ID/PATH -> location URI or path (owned). */
static cip_status run_location(cip_ctx *ctx, cip_store *s, const char *rest, char **loc)
{
    *loc = NULL;
    const char *slash = strchr(rest, '/');
    size_t idlen = slash ? (size_t)(slash - rest) : strlen(rest);
    if (slash == NULL || slash[1] == '\0' || idlen > 32)
        return cipi_fail(ctx, CIP_ERR_INVALID, "'runs:/%s' is not runs:/RUN_ID/PATH", rest);
    char prefix[33], id[33];
    snprintf(prefix, sizeof prefix, "%.*s", (int)idlen, rest);
    cip_status rc = cipi_track_find_run(ctx, s, prefix, id);
    if (rc != CIP_OK)
        return rc;
    char *model_id = NULL;
    rc = cipi_registry_run_model(ctx, s, id, slash + 1, &model_id);
    if (rc == CIP_OK) {
        rc = cipi_registry_logged_model(ctx, s, model_id, loc, NULL);
        cipi_free(ctx, model_id);
        return rc;
    }
    /* no LoggedModel of that name: a path inside the run's artifacts */
    cip_ctx_clear_error(ctx);
    sqlite3_stmt *st = NULL;
    rc = cipi_track_prepare(ctx, s, "SELECT artifact_uri FROM runs WHERE run_uuid = ?", &st);
    if (rc != CIP_OK)
        return rc;
    cipi_track_bind_text(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL) {
        struct cipi_buf b;
        cipi_buf_init(&b, ctx, 0);
        rc = cipi_buf_printf(ctx, &b, "%s/%s", (const char *)sqlite3_column_text(st, 0), slash + 1);
        *loc = cipi_buf_detach(&b, NULL);
    } else {
        rc = cipi_fail(ctx, CIP_ERR_NOT_FOUND, "run '%s' has no artifact location", id);
    }
    sqlite3_finalize(st);
    return rc;
}

/* The location URI that uri names (owned). */
static cip_status locate(cip_ctx *ctx, cip_store *s, const char *uri, char **loc)
{
    *loc = NULL;
    if (strncmp(uri, "runs:/", 6) == 0)
        return run_location(ctx, s, uri + 6, loc);
    if (strncmp(uri, "models:/", 8) != 0)
        return cipi_fail(ctx, CIP_ERR_INVALID,
                         "'%s' is not a model URI (models:/NAME@ALIAS, models:/NAME/VERSION, "
                         "runs:/RUN_ID/PATH)",
                         uri);
    const char *m = uri + 8;
    if (strncmp(m, "m-", 2) == 0 && strchr(m, '/') == NULL && strchr(m, '@') == NULL)
        return cipi_registry_logged_model(ctx, s, m, loc, NULL);
    const char *at = strchr(m, '@'), *slash = strchr(m, '/');
    const char *sep = at ? at : slash;
    if (sep == NULL || sep == m || sep[1] == '\0')
        return cipi_fail(ctx, CIP_ERR_INVALID, "'%s' names no version or alias", uri);
    char name[257];
    if ((size_t)(sep - m) >= sizeof name)
        return cipi_fail(ctx, CIP_ERR_INVALID, "model name in '%s' is too long", uri);
    snprintf(name, sizeof name, "%.*s", (int)(sep - m), m);
    if (at)
        return version_location(ctx, s, name, at + 1, 0, loc);
    int64_t version = 0;
    if (strcmp(slash + 1, "latest") != 0) {
        char *end = NULL;
        long long v = strtoll(slash + 1, &end, 10);
        if (*end != '\0' || v < 1)
            return cipi_fail(ctx, CIP_ERR_INVALID,
                             "'%s': version must be a number >= 1 or "
                             "'latest'",
                             uri);
        version = v;
    }
    return version_location(ctx, s, name, NULL, version, loc);
}

cip_status cip_registry_resolve(cip_ctx *ctx, cip_store *s, const char *uri, char **path_out)
{
    *path_out = NULL;
    if (uri == NULL)
        return cipi_fail(ctx, CIP_ERR_INVALID, "no model URI given");
    char *loc = NULL, *path = NULL;
    cip_status rc = locate(ctx, s, uri, &loc);
    /* a version whose source is models:/m-... without storage_location */
    if (rc == CIP_OK && strncmp(loc, "models:/m-", 10) == 0) {
        char *inner = NULL;
        rc = cipi_registry_logged_model(ctx, s, loc + 8, &inner, NULL);
        cipi_free(ctx, loc);
        loc = inner;
    }
    if (rc == CIP_OK)
        rc = cipi_track_uri_to_path(ctx, loc, &path);
    struct stat st;
    if (rc == CIP_OK && (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)))
        rc = cipi_fail(ctx, CIP_ERR_NOT_FOUND, "the files of '%s' are missing (expected '%s')", uri,
                       path);
    cipi_free(ctx, loc);
    if (rc != CIP_OK) {
        cipi_free(ctx, path);
        return rc;
    }
    *path_out = path;
    return CIP_OK;
}
