/* output.c - runs and experiments as JSON (MLflow field names) or text
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "track_int.h"

static cip_status kv_obj(cip_ctx *ctx, struct cipi_json *j, const char *name, const cip_kv *kv,
                         size_t n)
{
    cip_status rc = cipi_json_key(ctx, j, name);
    if (rc == CIP_OK)
        rc = cipi_json_begin(ctx, j, '{');
    for (size_t i = 0; rc == CIP_OK && i < n; i++) {
        rc = cipi_json_key(ctx, j, kv[i].key);
        if (rc == CIP_OK)
            rc = cipi_json_str(ctx, j, kv[i].value);
    }
    return rc == CIP_OK ? cipi_json_end(ctx, j, '}') : rc;
}

static cip_status run_json(cip_ctx *ctx, struct cipi_json *j, const cip_run_record *r)
{
    char eid[24];
    snprintf(eid, sizeof eid, "%lld", (long long)r->experiment_id);
    const char *skeys[] = {"run_id",          "run_name", "experiment_id", "status",
                           "lifecycle_stage", "user_id",  "artifact_uri"};
    const char *svals[] = {r->run_id,  r->run_name,    eid, r->status, r->lifecycle_stage,
                           r->user_id, r->artifact_uri};
    cip_status rc = cipi_json_begin(ctx, j, '{');
    for (size_t k = 0; rc == CIP_OK && k < CIP_ARRAY_LEN(skeys); k++) {
        rc = cipi_json_key(ctx, j, skeys[k]);
        if (rc == CIP_OK)
            rc = cipi_json_str(ctx, j, svals[k]);
    }
    if (rc == CIP_OK)
        rc = cipi_json_key(ctx, j, "start_time");
    if (rc == CIP_OK)
        rc = cipi_json_int(ctx, j, r->start_time);
    if (rc == CIP_OK)
        rc = cipi_json_key(ctx, j, "end_time");
    if (rc == CIP_OK)
        rc = r->end_time < 0 ? cipi_json_null(ctx, j) : cipi_json_int(ctx, j, r->end_time);
    if (rc == CIP_OK)
        rc = kv_obj(ctx, j, "params", r->params, r->n_params);
    if (rc == CIP_OK)
        rc = cipi_json_key(ctx, j, "metrics");
    if (rc == CIP_OK)
        rc = cipi_json_begin(ctx, j, '{');
    for (size_t i = 0; rc == CIP_OK && i < r->n_metrics; i++) {
        rc = cipi_json_key(ctx, j, r->metrics[i].key);
        if (rc == CIP_OK)
            rc = cipi_json_num(ctx, j, r->metrics[i].value);
    }
    if (rc == CIP_OK)
        rc = cipi_json_end(ctx, j, '}');
    if (rc == CIP_OK)
        rc = kv_obj(ctx, j, "tags", r->tags, r->n_tags);
    return rc == CIP_OK ? cipi_json_end(ctx, j, '}') : rc;
}

cip_status cip_run_set_json(cip_ctx *ctx, const cip_run_set *rs, char **out)
{
    *out = NULL;
    struct cipi_buf b;
    struct cipi_json j;
    cipi_buf_init(&b, ctx, 0);
    cipi_json_init(&j, &b);
    cip_status rc = cipi_json_begin(ctx, &j, '[');
    for (size_t i = 0; rc == CIP_OK && i < cip_run_set_count(rs); i++)
        rc = run_json(ctx, &j, cip_run_set_at(rs, i));
    if (rc == CIP_OK)
        rc = cipi_json_end(ctx, &j, ']');
    if (rc == CIP_OK)
        rc = cipi_buf_putc(ctx, &b, '\n');
    if (rc != CIP_OK) {
        cipi_buf_release(&b);
        return rc;
    }
    *out = cipi_buf_detach(&b, NULL);
    return CIP_OK;
}

static cip_status exp_row(cip_ctx *ctx, sqlite3_stmt *st, bool json, struct cipi_json *j,
                          struct cipi_buf *b)
{
    const char *name = (const char *)sqlite3_column_text(st, 1);
    const char *loc = (const char *)sqlite3_column_text(st, 2);
    const char *stage = (const char *)sqlite3_column_text(st, 3);
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)sqlite3_column_int64(st, 0));
    if (!json)
        return cipi_buf_printf(ctx, b, "%-20s %-8s %7d  %-24s %s\n", id, stage ? stage : "",
                               sqlite3_column_int(st, 5), name ? name : "", loc ? loc : "");
    const char *keys[] = {"experiment_id", "name", "artifact_location", "lifecycle_stage"};
    const char *vals[] = {id, name, loc, stage};
    cip_status rc = cipi_json_begin(ctx, j, '{');
    for (size_t k = 0; rc == CIP_OK && k < 4; k++) {
        rc = cipi_json_key(ctx, j, keys[k]);
        if (rc == CIP_OK)
            rc = cipi_json_str(ctx, j, vals[k]);
    }
    if (rc == CIP_OK)
        rc = cipi_json_key(ctx, j, "creation_time");
    if (rc == CIP_OK)
        rc = cipi_json_int(ctx, j, sqlite3_column_int64(st, 4));
    if (rc == CIP_OK)
        rc = cipi_json_key(ctx, j, "n_runs");
    if (rc == CIP_OK)
        rc = cipi_json_int(ctx, j, sqlite3_column_int64(st, 5));
    return rc == CIP_OK ? cipi_json_end(ctx, j, '}') : rc;
}

cip_status cip_experiments_list(cip_ctx *ctx, cip_store *s, int json, char **out)
{
    *out = NULL;
    sqlite3_stmt *st = NULL;
    struct cipi_buf b;
    struct cipi_json j;
    cipi_buf_init(&b, ctx, 0);
    cipi_json_init(&j, &b);
    cip_status rc = cipi_track_prepare(
        ctx, s,
        "SELECT e.experiment_id, e.name, e.artifact_location, e.lifecycle_stage, "
        "e.creation_time, (SELECT count(*) FROM runs r WHERE r.experiment_id = e.experiment_id "
        "AND r.lifecycle_stage = 'active') FROM experiments e ORDER BY e.experiment_id",
        &st);
    if (rc == CIP_OK)
        rc = json ? cipi_json_begin(ctx, &j, '[')
                  : cipi_buf_printf(ctx, &b, "%-20s %-8s %7s  %-24s %s\n", "EXPERIMENT_ID", "STAGE",
                                    "RUNS", "NAME", "ARTIFACT_LOCATION");
    while (rc == CIP_OK && sqlite3_step(st) == SQLITE_ROW)
        rc = exp_row(ctx, st, json != 0, &j, &b);
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
