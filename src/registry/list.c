/* list.c - registered models and versions as text tables or JSON
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "registry_int.h"

static const char list_sql[] =
    "SELECT m.name, m.creation_time, m.last_updated_time, m.description, "
    "(SELECT MAX(version) FROM model_versions v WHERE v.workspace = m.workspace AND "
    "v.name = m.name), (SELECT group_concat(a.alias || '=' || a.version, ' ') FROM "
    "(SELECT * FROM registered_model_aliases ORDER BY alias) a WHERE a.workspace = m.workspace "
    "AND a.name = m.name) FROM registered_models m WHERE m.workspace = 'default' AND "
    "(?1 IS NULL OR m.name = ?1) ORDER BY m.name";

static const char versions_sql[] =
    "SELECT v.version, v.creation_time, v.current_stage, v.source, v.run_id, v.status, "
    "v.storage_location, v.description, (SELECT group_concat(a.alias, ' ') FROM "
    "registered_model_aliases a WHERE a.workspace = v.workspace AND a.name = v.name AND "
    "a.version = v.version), (SELECT group_concat(t.\"key\" || '=' || t.value, ' ') FROM "
    "model_version_tags t WHERE t.workspace = v.workspace AND t.name = v.name AND "
    "t.version = v.version) FROM model_versions v WHERE v.workspace = 'default' AND "
    "v.name = ?1 ORDER BY v.version";

static const char *col(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : NULL;
}

/* "a=1 b=2" -> {"a": 1, "b": 2} (numbers) or {"a": "1"} (strings). */
static cip_status pairs_obj(cip_ctx *ctx, struct cipi_json *j, const char *pairs, bool numeric)
{
    cip_status rc = cipi_json_begin(ctx, j, '{');
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", pairs ? pairs : "");
    for (char *save = NULL, *tok = strtok_r(buf, " ", &save); rc == CIP_OK && tok;
         tok = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(tok, '=');
        if (eq == NULL)
            continue;
        *eq = '\0';
        rc = cipi_json_key(ctx, j, tok);
        if (rc == CIP_OK)
            rc = numeric ? cipi_json_raw(ctx, j, eq + 1) : cipi_json_str(ctx, j, eq + 1);
    }
    return rc == CIP_OK ? cipi_json_end(ctx, j, '}') : rc;
}

static cip_status model_json(cip_ctx *ctx, struct cipi_json *j, sqlite3_stmt *st)
{
    cip_status rc = cipi_json_key(ctx, j, "name");
    if (rc == CIP_OK)
        rc = cipi_json_str(ctx, j, col(st, 0));
    if (rc == CIP_OK)
        rc = cipi_json_key(ctx, j, "creation_timestamp");
    if (rc == CIP_OK)
        rc = cipi_json_int(ctx, j, sqlite3_column_int64(st, 1));
    if (rc == CIP_OK)
        rc = cipi_json_key(ctx, j, "last_updated_timestamp");
    if (rc == CIP_OK)
        rc = cipi_json_int(ctx, j, sqlite3_column_int64(st, 2));
    if (rc == CIP_OK)
        rc = cipi_json_key(ctx, j, "description");
    if (rc == CIP_OK)
        rc = cipi_json_str(ctx, j, col(st, 3));
    if (rc == CIP_OK)
        rc = cipi_json_key(ctx, j, "latest_version");
    if (rc == CIP_OK)
        rc = cipi_json_int(ctx, j, sqlite3_column_int64(st, 4));
    if (rc == CIP_OK)
        rc = cipi_json_key(ctx, j, "aliases");
    if (rc == CIP_OK)
        rc = pairs_obj(ctx, j, col(st, 5), true);
    return rc;
}

cip_status cip_registry_list(cip_ctx *ctx, cip_store *s, int json, char **out)
{
    *out = NULL;
    sqlite3_stmt *st = NULL;
    struct cipi_buf b;
    struct cipi_json j;
    cipi_buf_init(&b, ctx, 0);
    cipi_json_init(&j, &b);
    cip_status rc = cipi_track_prepare(ctx, s, list_sql, &st);
    if (rc == CIP_OK)
        rc = json ? cipi_json_begin(ctx, &j, '[')
                  : cipi_buf_printf(ctx, &b, "%-24s %7s  %s\n", "NAME", "LATEST", "ALIASES");
    while (rc == CIP_OK && sqlite3_step(st) == SQLITE_ROW) {
        if (!json) {
            rc = cipi_buf_printf(ctx, &b, "%-24s %7lld  %s\n", col(st, 0),
                                 (long long)sqlite3_column_int64(st, 4),
                                 col(st, 5) ? col(st, 5) : "");
            continue;
        }
        rc = cipi_json_begin(ctx, &j, '{');
        if (rc == CIP_OK)
            rc = model_json(ctx, &j, st);
        if (rc == CIP_OK)
            rc = cipi_json_end(ctx, &j, '}');
    }
    if (rc == CIP_OK && json)
        rc = cipi_json_end(ctx, &j, ']');
    if (rc == CIP_OK && json)
        rc = cipi_buf_putc(ctx, &b, '\n');
    sqlite3_finalize(st);
    if (rc != CIP_OK) {
        cipi_buf_release(&b);
        return rc;
    }
    *out = cipi_buf_detach(&b, NULL);
    return CIP_OK;
}

static cip_status version_json(cip_ctx *ctx, struct cipi_json *j, sqlite3_stmt *st)
{
    static const char *const keys[] = {"current_stage", "source",           "run_id",
                                       "status",        "storage_location", "description"};
    cip_status rc = cipi_json_begin(ctx, j, '{');
    if (rc == CIP_OK)
        rc = cipi_json_key(ctx, j, "version");
    if (rc == CIP_OK)
        rc = cipi_json_int(ctx, j, sqlite3_column_int64(st, 0));
    if (rc == CIP_OK)
        rc = cipi_json_key(ctx, j, "creation_timestamp");
    if (rc == CIP_OK)
        rc = cipi_json_int(ctx, j, sqlite3_column_int64(st, 1));
    for (int k = 0; rc == CIP_OK && k < 6; k++) {
        rc = cipi_json_key(ctx, j, keys[k]);
        if (rc == CIP_OK)
            rc = cipi_json_str(ctx, j, col(st, 2 + k));
    }
    if (rc == CIP_OK)
        rc = cipi_json_key(ctx, j, "aliases");
    if (rc == CIP_OK)
        rc = cipi_json_begin(ctx, j, '[');
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", col(st, 8) ? col(st, 8) : "");
    for (char *save = NULL, *tok = strtok_r(buf, " ", &save); rc == CIP_OK && tok;
         tok = strtok_r(NULL, " ", &save))
        rc = cipi_json_str(ctx, j, tok);
    if (rc == CIP_OK)
        rc = cipi_json_end(ctx, j, ']');
    if (rc == CIP_OK)
        rc = cipi_json_key(ctx, j, "tags");
    if (rc == CIP_OK)
        rc = pairs_obj(ctx, j, col(st, 9), false);
    return rc == CIP_OK ? cipi_json_end(ctx, j, '}') : rc;
}

static cip_status show_versions(cip_ctx *ctx, cip_store *s, const char *name, bool json,
                                struct cipi_json *j, struct cipi_buf *b)
{
    sqlite3_stmt *st = NULL;
    cip_status rc = cipi_track_prepare(ctx, s, versions_sql, &st);
    if (rc != CIP_OK)
        return rc;
    cipi_track_bind_text(st, 1, name);
    rc = json ? cipi_json_key(ctx, j, "versions")
              : cipi_buf_printf(ctx, b, "\n%7s  %-8s %-32s %-20s %s\n", "VERSION", "STATUS",
                                "RUN_ID", "ALIASES", "SOURCE");
    if (rc == CIP_OK && json)
        rc = cipi_json_begin(ctx, j, '[');
    while (rc == CIP_OK && sqlite3_step(st) == SQLITE_ROW) {
        if (json)
            rc = version_json(ctx, j, st);
        else
            rc = cipi_buf_printf(ctx, b, "%7lld  %-8s %-32s %-20s %s\n",
                                 (long long)sqlite3_column_int64(st, 0),
                                 col(st, 5) ? col(st, 5) : "", col(st, 4) ? col(st, 4) : "",
                                 col(st, 8) ? col(st, 8) : "", col(st, 3) ? col(st, 3) : "");
    }
    if (rc == CIP_OK && json)
        rc = cipi_json_end(ctx, j, ']');
    sqlite3_finalize(st);
    return rc;
}

cip_status cip_registry_show(cip_ctx *ctx, cip_store *s, const char *name, int json, char **out)
{
    *out = NULL;
    sqlite3_stmt *st = NULL;
    struct cipi_buf b;
    struct cipi_json j;
    cipi_buf_init(&b, ctx, 0);
    cipi_json_init(&j, &b);
    cip_status rc = cipi_registry_check_name(ctx, name);
    if (rc == CIP_OK)
        rc = cipi_track_prepare(ctx, s, list_sql, &st);
    if (rc != CIP_OK)
        goto done;
    cipi_track_bind_text(st, 1, name);
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = cipi_fail(ctx, CIP_ERR_NOT_FOUND, "registered model '%s' not found", name);
        goto done;
    }
    if (json) {
        rc = cipi_json_begin(ctx, &j, '{');
        if (rc == CIP_OK)
            rc = model_json(ctx, &j, st);
    } else {
        rc = cipi_buf_printf(ctx, &b, "name:         %s\ndescription:  %s\naliases:      %s\n",
                             name, col(st, 3) ? col(st, 3) : "", col(st, 5) ? col(st, 5) : "");
    }
    if (rc == CIP_OK)
        rc = show_versions(ctx, s, name, json != 0, &j, &b);
    if (rc == CIP_OK && json)
        rc = cipi_json_end(ctx, &j, '}');
    if (rc == CIP_OK)
        rc = cipi_buf_putc(ctx, &b, '\n');
done:
    sqlite3_finalize(st);
    if (rc != CIP_OK) {
        cipi_buf_release(&b);
        return rc;
    }
    *out = cipi_buf_detach(&b, NULL);
    return CIP_OK;
}
