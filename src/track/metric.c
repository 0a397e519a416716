/* metric.c - metric points and latest_metrics
 *
 * A batch is one transaction with two prepared statements reused per point.
 * metrics' primary key covers (key, timestamp, step, run, value, is_nan), so
 * an identical point is skipped rather than duplicated. latest_metrics holds
 * the point with the largest (step, timestamp, value), as MLflow keeps it.
 * NaN is stored as value 0 with is_nan 1; +-inf as +-1.7976931348623157e308
 * (MLflow does the same, SQLite has no infinities in REAL columns it reads back).
 * SPDX-License-Identifier: MIT
 */
#include <float.h>
#include <math.h>
#include <string.h>

#include "track_int.h"

const char cipi_track_metric_insert_sql[] =
    "INSERT OR IGNORE INTO metrics(\"key\", value, timestamp, run_uuid, step, is_nan) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

const char cipi_track_metric_latest_sql[] =
    "INSERT INTO latest_metrics(\"key\", value, timestamp, step, is_nan, run_uuid) "
    "VALUES (?1, ?2, ?3, ?5, ?6, ?4) ON CONFLICT(\"key\", run_uuid) DO UPDATE SET "
    "value = excluded.value, timestamp = excluded.timestamp, step = excluded.step, "
    "is_nan = excluded.is_nan WHERE (excluded.step, excluded.timestamp, excluded.value) > "
    "(latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)";

cip_status cipi_track_bind_metric(cip_ctx *ctx, cip_store *s, sqlite3_stmt *st, const char *run_id,
                                  const cip_metric *m, int64_t now)
{
    double v = m->value;
    int is_nan = isnan(v) ? 1 : 0;
    if (is_nan)
        v = 0.0;
    else if (isinf(v))
        v = v > 0 ? DBL_MAX : -DBL_MAX;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, m->key, -1, SQLITE_STATIC); /* both outlive the step */
    sqlite3_bind_double(st, 2, v);
    sqlite3_bind_int64(st, 3, m->timestamp > 0 ? m->timestamp : now);
    sqlite3_bind_text(st, 4, run_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, m->step);
    sqlite3_bind_int(st, 6, is_nan);
    return cipi_track_step_done(ctx, s, st, "cannot log metric");
}

/* Is a after b in MLflow's latest order (step, timestamp, value)? */
static bool later(const cip_metric *a, const cip_metric *b, int64_t now)
{
    int64_t ta = a->timestamp > 0 ? a->timestamp : now, tb = b->timestamp > 0 ? b->timestamp : now;
    double va = isnan(a->value) ? 0.0 : a->value, vb = isnan(b->value) ? 0.0 : b->value;
    if (a->step != b->step)
        return a->step > b->step;
    if (ta != tb)
        return ta > tb;
    return va > vb;
}

cip_status cipi_track_check_metrics(cip_ctx *ctx, const cip_metric *m, size_t n)
{
    if (n > 0 && m == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "metrics array is NULL");
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && m[i].key == m[i - 1].key)
            continue;
        cip_status rc = cipi_track_check_key(ctx, "metric", m[i].key);
        if (rc != CIP_OK)
            return rc;
    }
    return CIP_OK;
}

cip_status cipi_track_put_metrics(cip_ctx *ctx, cip_run *r, const cip_metric *m, size_t n)
{
    sqlite3_stmt *ins = NULL, *lat = NULL;
    cip_status rc = cipi_track_prepare(ctx, r->s, cipi_track_metric_insert_sql, &ins);
    if (rc == CIP_OK)
        rc = cipi_track_prepare(ctx, r->s, cipi_track_metric_latest_sql, &lat);
    int64_t now = cipi_now_ms();
    /* latest_metrics needs one upsert per distinct key of the batch, with its
     * largest (step, timestamp, value) point; track up to MAX_KEYS keys and
     * fall back to one upsert per point beyond that */
    enum { MAX_KEYS = 32 };
    size_t best[MAX_KEYS], n_keys = 0;
    bool per_point = false;
    for (size_t i = 0; rc == CIP_OK && i < n; i++) {
        rc = cipi_track_bind_metric(ctx, r->s, ins, r->id, &m[i], now);
        if (rc != CIP_OK || per_point) {
            if (rc == CIP_OK)
                rc = cipi_track_bind_metric(ctx, r->s, lat, r->id, &m[i], now);
            continue;
        }
        size_t k = 0;
        while (k < n_keys && strcmp(m[best[k]].key, m[i].key) != 0)
            k++;
        if (k == n_keys && n_keys == MAX_KEYS) {
            per_point = true; /* flush what we have, then go point by point */
            for (size_t j = 0; rc == CIP_OK && j < n_keys; j++)
                rc = cipi_track_bind_metric(ctx, r->s, lat, r->id, &m[best[j]], now);
            if (rc == CIP_OK)
                rc = cipi_track_bind_metric(ctx, r->s, lat, r->id, &m[i], now);
            continue;
        }
        if (k == n_keys)
            best[n_keys++] = i;
        else if (later(&m[i], &m[best[k]], now))
            best[k] = i;
    }
    for (size_t j = 0; rc == CIP_OK && !per_point && j < n_keys; j++)
        rc = cipi_track_bind_metric(ctx, r->s, lat, r->id, &m[best[j]], now);
    sqlite3_finalize(ins);
    sqlite3_finalize(lat);
    return rc;
}

/* Keep runs.name in step with tag mlflow.runName (as MLflow's set_tag). */
static cip_status rename_run(cip_ctx *ctx, cip_run *r, const char *name)
{
    sqlite3_stmt *st = NULL;
    cip_status rc =
        cipi_track_prepare(ctx, r->s, "UPDATE runs SET name = ? WHERE run_uuid = ?", &st);
    if (rc == CIP_OK) {
        cipi_track_bind_text(st, 1, name);
        cipi_track_bind_text(st, 2, r->id);
        rc = cipi_track_step_done(ctx, r->s, st, "cannot rename run");
    }
    sqlite3_finalize(st);
    return rc;
}

cip_status cipi_sql_log_batch(cip_ctx *ctx, cip_run *r, const cip_param *params, size_t n_params,
                              const cip_param *tags, size_t n_tags, const cip_metric *metrics,
                              size_t n_metrics)
{
    cip_status rc = cipi_track_begin(ctx, r->s);
    if (rc != CIP_OK)
        return rc;
    for (size_t i = 0; rc == CIP_OK && i < n_params; i++)
        rc = cipi_track_put_param(ctx, r, params[i].key, params[i].value);
    for (size_t i = 0; rc == CIP_OK && i < n_tags; i++) {
        rc = cipi_track_put_tag(ctx, r->s, r->id, tags[i].key, tags[i].value);
        if (rc == CIP_OK && strcmp(tags[i].key, "mlflow.runName") == 0)
            rc = rename_run(ctx, r, tags[i].value);
    }
    if (rc == CIP_OK && n_metrics > 0)
        rc = cipi_track_put_metrics(ctx, r, metrics, n_metrics);
    if (rc != CIP_OK) {
        cipi_track_rollback(r->s);
        return rc;
    }
    return cipi_track_commit(ctx, r->s);
}
