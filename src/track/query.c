/* query.c - reading runs back: search, get, JSON, experiments list
 *
 * The run rows are selected first (filter, order and limit in SQL), then the
 * params, latest metrics and tags of just those runs are read with three
 * prepared statements, so listing cost follows the page size, not the store.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "search_int.h"

struct cip_run_set {
    struct cipi_alloc a;
    size_t n, cap;
    cip_run_record *runs;
};

static void record_release(const struct cipi_alloc *a, cip_run_record *r)
{
    cipi_afree(a, r->run_name);
    cipi_afree(a, r->status);
    cipi_afree(a, r->lifecycle_stage);
    cipi_afree(a, r->artifact_uri);
    cipi_afree(a, r->user_id);
    for (size_t i = 0; i < r->n_params; i++) {
        cipi_afree(a, r->params[i].key);
        cipi_afree(a, r->params[i].value);
    }
    for (size_t i = 0; i < r->n_tags; i++) {
        cipi_afree(a, r->tags[i].key);
        cipi_afree(a, r->tags[i].value);
    }
    for (size_t i = 0; i < r->n_metrics; i++)
        cipi_afree(a, r->metrics[i].key);
    cipi_afree(a, r->params);
    cipi_afree(a, r->tags);
    cipi_afree(a, r->metrics);
}

void cip_run_set_free(cip_run_set *rs)
{
    if (rs == NULL)
        return;
    struct cipi_alloc a = rs->a;
    for (size_t i = 0; i < rs->n; i++)
        record_release(&a, &rs->runs[i]);
    cipi_afree(&a, rs->runs);
    cipi_afree(&a, rs);
}

size_t cip_run_set_count(const cip_run_set *rs)
{
    return rs->n;
}

const cip_run_record *cip_run_set_at(const cip_run_set *rs, size_t i)
{
    return i < rs->n ? &rs->runs[i] : NULL;
}

/* Grow an array of elem-sized items to hold n+1. */
static cip_status grow(cip_ctx *ctx, void **arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return CIP_OK;
    size_t nc = *cap ? *cap * 2 : 8, bytes;
    if (!cipi_mul_ok(nc, elem, &bytes))
        return cipi_fail(ctx, CIP_ERR_LIMIT, "too many results");
    void *p = cipi_realloc(ctx, *arr, bytes);
    if (p == NULL)
        return CIP_ERR_NOMEM;
    *arr = p;
    *cap = nc;
    return CIP_OK;
}

/* Fill params (which 0), tags (1) or metrics (2) of r from statement st. */
static cip_status load_children(cip_ctx *ctx, sqlite3_stmt *st, int which, cip_run_record *r)
{
    sqlite3_reset(st);
    cipi_track_bind_text(st, 1, r->run_id);
    size_t cap = 0;
    cip_status rc = CIP_OK;
    int s;
    while (rc == CIP_OK && (s = sqlite3_step(st)) == SQLITE_ROW) {
        if (which == 2) {
            rc = grow(ctx, (void **)&r->metrics, &cap, r->n_metrics, sizeof *r->metrics);
            if (rc != CIP_OK)
                break;
            cip_metric_value *m = &r->metrics[r->n_metrics];
            memset(m, 0, sizeof *m);
            r->n_metrics++;
            rc = cipi_track_col_dup(ctx, st, 0, &m->key);
            m->value = sqlite3_column_int(st, 4) ? (double)NAN : sqlite3_column_double(st, 1);
            m->step = sqlite3_column_int64(st, 2);
            m->timestamp = sqlite3_column_int64(st, 3);
            continue;
        }
        cip_kv **arr = which == 0 ? &r->params : &r->tags;
        size_t *n = which == 0 ? &r->n_params : &r->n_tags;
        rc = grow(ctx, (void **)arr, &cap, *n, sizeof **arr);
        if (rc != CIP_OK)
            break;
        cip_kv *kv = &(*arr)[*n];
        memset(kv, 0, sizeof *kv);
        (*n)++;
        rc = cipi_track_col_dup(ctx, st, 0, &kv->key);
        if (rc == CIP_OK)
            rc = cipi_track_col_dup(ctx, st, 1, &kv->value);
    }
    return rc;
}

static cip_status load_row(cip_ctx *ctx, sqlite3_stmt *st, cip_run_record *r)
{
    snprintf(r->run_id, sizeof r->run_id, "%s", (const char *)sqlite3_column_text(st, 0));
    r->experiment_id = sqlite3_column_int64(st, 2);
    r->start_time = sqlite3_column_int64(st, 4);
    r->end_time = sqlite3_column_type(st, 5) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 5);
    char **fields[] = {&r->run_name, &r->status, &r->lifecycle_stage, &r->artifact_uri,
                       &r->user_id};
    int cols[] = {1, 3, 6, 7, 8};
    cip_status rc = CIP_OK;
    for (size_t k = 0; rc == CIP_OK && k < CIP_ARRAY_LEN(cols); k++)
        rc = cipi_track_col_dup(ctx, st, cols[k], fields[k]);
    return rc;
}

static cip_status bind_all(sqlite3_stmt *st, const struct cipi_search *q)
{
    for (size_t i = 0; i < q->n_binds; i++) {
        const struct cipi_bind *b = &q->binds[i];
        int k = (int)i + 1;
        if (b->kind == BIND_TEXT)
            sqlite3_bind_text(st, k, b->s, (int)b->len, SQLITE_TRANSIENT);
        else if (b->kind == BIND_NUM)
            sqlite3_bind_double(st, k, b->d);
        else
            sqlite3_bind_int64(st, k, b->i);
    }
    return CIP_OK;
}

static const char child_sql[3][128] = {
    "SELECT \"key\", value FROM params WHERE run_uuid = ? ORDER BY \"key\"",
    "SELECT \"key\", value FROM tags WHERE run_uuid = ? ORDER BY \"key\"",
    "SELECT \"key\", value, step, timestamp, is_nan FROM latest_metrics WHERE run_uuid = ? "
    "ORDER BY \"key\""};

/* Run the assembled query and load the result set. */
static cip_status run_query(cip_ctx *ctx, cip_store *s, struct cipi_search *q, int64_t limit,
                            cip_run_set **out)
{
    sqlite3_stmt *st = NULL, *ch[3] = {NULL, NULL, NULL};
    struct cipi_buf sql;
    cipi_buf_init(&sql, ctx, 0);
    cip_run_set *rs = cipi_calloc(ctx, 1, sizeof *rs);
    cip_status rc = rs ? CIP_OK : CIP_ERR_NOMEM;
    if (rc == CIP_OK) {
        rs->a = cipi_ctx_alloc(ctx);
        rc = cipi_buf_printf(ctx, &sql,
                             "SELECT r.run_uuid, r.name, r.experiment_id, r.status, "
                             "r.start_time, r.end_time, r.lifecycle_stage, r.artifact_uri, "
                             "r.user_id FROM runs r WHERE 1%s ORDER BY %sr.start_time DESC, "
                             "r.run_uuid LIMIT %lld",
                             q->where.data ? q->where.data : "", q->order.data ? q->order.data : "",
                             (long long)limit);
    }
    if (rc == CIP_OK)
        rc = cipi_track_prepare(ctx, s, sql.data, &st);
    for (int k = 0; rc == CIP_OK && k < 3; k++)
        rc = cipi_track_prepare(ctx, s, child_sql[k], &ch[k]);
    if (rc == CIP_OK)
        rc = bind_all(st, q);
    int r;
    while (rc == CIP_OK && (r = sqlite3_step(st)) == SQLITE_ROW) {
        rc = grow(ctx, (void **)&rs->runs, &rs->cap, rs->n, sizeof *rs->runs);
        if (rc != CIP_OK)
            break;
        cip_run_record *rec = &rs->runs[rs->n++];
        memset(rec, 0, sizeof *rec);
        rc = load_row(ctx, st, rec);
        for (int k = 0; rc == CIP_OK && k < 3; k++)
            rc = load_children(ctx, ch[k], k, rec);
    }
    if (rc == CIP_OK && r != SQLITE_DONE)
        rc = cipi_track_sqlfail(ctx, s, "cannot search runs");
    sqlite3_finalize(st);
    for (int k = 0; k < 3; k++)
        sqlite3_finalize(ch[k]);
    cipi_buf_release(&sql);
    if (rc != CIP_OK) {
        cip_run_set_free(rs);
        rs = NULL;
    }
    *out = rs;
    return rc;
}

static void search_init(struct cipi_search *q, const cip_ctx *ctx)
{
    cipi_buf_init(&q->where, ctx, 1 << 16);
    cipi_buf_init(&q->order, ctx, 1 << 16);
    q->n_binds = 0;
}

static void search_release(struct cipi_search *q)
{
    cipi_buf_release(&q->where);
    cipi_buf_release(&q->order);
}

/* Experiment name or numeric id -> id. */
static cip_status resolve_experiment(cip_ctx *ctx, cip_store *s, const char *e, int64_t *id)
{
    size_t n = strlen(e);
    if (n > 0 && n < 19 && strspn(e, "0123456789") == n) {
        sqlite3_stmt *st = NULL;
        *id = strtoll(e, NULL, 10);
        cip_status rc =
            cipi_track_prepare(ctx, s, "SELECT 1 FROM experiments WHERE experiment_id = ?", &st);
        if (rc != CIP_OK)
            return rc;
        sqlite3_bind_int64(st, 1, *id);
        bool found = sqlite3_step(st) == SQLITE_ROW;
        sqlite3_finalize(st);
        if (found)
            return CIP_OK;
    }
    return cip_experiment_get_id(ctx, s, e, 0, id);
}

cip_status cip_runs_search(cip_ctx *ctx, cip_store *s, const cip_run_query *qp, cip_run_set **out)
{
    *out = NULL;
    cip_run_query def = {0};
    if (qp == NULL)
        qp = &def;
    struct cipi_search q;
    search_init(&q, ctx);
    cip_status rc = CIP_OK;
    static const char *const stage[] = {" AND r.lifecycle_stage = 'active'",
                                        " AND r.lifecycle_stage = 'deleted'", ""};
    int del = qp->deleted >= 0 && qp->deleted <= 2 ? qp->deleted : 0;
    rc = cipi_buf_printf(ctx, &q.where, "%s", stage[del]);
    if (rc == CIP_OK && qp->experiment != NULL) {
        int64_t id = 0;
        rc = resolve_experiment(ctx, s, qp->experiment, &id);
        if (rc == CIP_OK)
            rc = cipi_buf_printf(ctx, &q.where, " AND r.experiment_id = ?");
        if (rc == CIP_OK) {
            q.binds[0] = (struct cipi_bind){.kind = BIND_INT, .i = id};
            q.n_binds = 1;
        }
    }
    if (rc == CIP_OK && qp->filter != NULL)
        rc = cipi_search_filter(ctx, &q, qp->filter);
    if (rc == CIP_OK && qp->order_by != NULL)
        rc = cipi_search_order(ctx, &q, qp->order_by);
    if (rc == CIP_OK)
        rc = run_query(ctx, s, &q, qp->max_results > 0 ? qp->max_results : 1000, out);
    search_release(&q);
    return rc;
}

cip_status cip_run_get(cip_ctx *ctx, cip_store *s, const char *run_id, cip_run_set **out)
{
    *out = NULL;
    char id[33];
    cip_status rc = cipi_track_find_run(ctx, s, run_id, id);
    if (rc != CIP_OK)
        return rc;
    struct cipi_search q;
    search_init(&q, ctx);
    rc = cipi_buf_printf(ctx, &q.where, " AND r.run_uuid = ?");
    q.binds[0] = (struct cipi_bind){.kind = BIND_TEXT, .s = id, .len = 32};
    q.n_binds = 1;
    if (rc == CIP_OK)
        rc = run_query(ctx, s, &q, 1, out);
    search_release(&q);
    return rc;
}

/* One allocation: n cip_metric_value followed by the key text. */
cip_status cip_run_metric_history(cip_ctx *ctx, cip_store *s, const char *run_id, const char *key,
                                  cip_metric_value **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    char id[33];
    cip_status rc = cipi_track_find_run(ctx, s, run_id, id);
    if (rc != CIP_OK)
        return rc;
    static const char count_sql[] = "SELECT count(*) FROM metrics WHERE run_uuid = ?1 AND key = ?2";
    static const char sql[] = "SELECT step, value, timestamp, is_nan FROM metrics WHERE "
                              "run_uuid = ?1 AND key = ?2 ORDER BY step, timestamp";
    sqlite3_stmt *st = NULL;
    size_t cnt = 0, klen = strlen(key);
    rc = cipi_track_prepare(ctx, s, count_sql, &st);
    if (rc == CIP_OK) {
        cipi_track_bind_text(st, 1, id);
        cipi_track_bind_text(st, 2, key);
        if (sqlite3_step(st) == SQLITE_ROW)
            cnt = (size_t)sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        st = NULL;
    }
    if (rc == CIP_OK && cnt == 0)
        return cipi_fail(ctx, CIP_ERR_NOT_FOUND, "run '%s' has no metric '%s'", id, key);
    cip_metric_value *v = NULL;
    if (rc == CIP_OK) {
        v = cipi_malloc(ctx, cnt * sizeof *v + klen + 1);
        rc = v == NULL ? cipi_nomem(ctx) : cipi_track_prepare(ctx, s, sql, &st);
    }
    if (rc != CIP_OK) {
        cipi_free(ctx, v);
        return rc;
    }
    char *kcopy = (char *)(v + cnt);
    memcpy(kcopy, key, klen + 1);
    cipi_track_bind_text(st, 1, id);
    cipi_track_bind_text(st, 2, key);
    size_t k = 0;
    while (k < cnt && sqlite3_step(st) == SQLITE_ROW) {
        v[k].key = kcopy;
        v[k].step = sqlite3_column_int64(st, 0);
        v[k].value = sqlite3_column_int(st, 3) ? (double)NAN : sqlite3_column_double(st, 1);
        v[k].timestamp = sqlite3_column_int64(st, 2);
        k++;
    }
    sqlite3_finalize(st);
    *out = v;
    *n = k;
    return CIP_OK;
}
