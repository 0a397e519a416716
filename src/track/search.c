/* search.c - MLflow's run-search syntax (subset) translated to SQL
 *
 *   filter   := clause { AND clause }
 *   clause   := entity '.' key op value
 *   entity   := metrics | params | tags | attributes (singular forms too)
 *   key      := name | `quoted name` | "quoted name"
 *   op       := = | != | <> | < | <= | > | >= | LIKE | ILIKE
 *   value    := number | 'text' | "text"
 * User text never reaches the SQL: every key and value becomes a bound
 * parameter; only fixed fragments chosen from tables below are appended.
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "search_int.h"

enum { ENT_METRIC, ENT_PARAM, ENT_TAG, ENT_ATTR };

struct attr_col {
    const char *name; /* as written in a filter */
    const char *col;  /* fixed SQL column */
    bool numeric;
};

static const struct attr_col attrs[] = {
    {"status", "r.status", false},
    {"run_name", "r.name", false},
    {"run_id", "r.run_uuid", false},
    {"user_id", "r.user_id", false},
    {"start_time", "r.start_time", true},
    {"end_time", "r.end_time", true},
    {"lifecycle_stage", "r.lifecycle_stage", false},
    {"artifact_uri", "r.artifact_uri", false},
};

static const char *const ops[] = {"!=", "<>", "<=", ">=", "=", "<", ">"};

struct lexer {
    const char *text; /* whole filter (for messages) */
    const char *p;    /* cursor */
};

static void skip_ws(struct lexer *lx)
{
    while (isspace((unsigned char)*lx->p))
        lx->p++;
}

static cip_status perr(cip_ctx *ctx, const struct lexer *lx, const char *what)
{
    return cipi_fail(ctx, CIP_ERR_PARSE, "filter:1:%d: %s in '%s'", (int)(lx->p - lx->text) + 1,
                     what, lx->text);
}

static cip_status add_bind(cip_ctx *ctx, struct cipi_search *q, int kind, const char *s, size_t len,
                           double d)
{
    if (q->n_binds >= CIP_ARRAY_LEN(q->binds))
        return cipi_fail(ctx, CIP_ERR_LIMIT, "filter has too many clauses");
    struct cipi_bind *b = &q->binds[q->n_binds++];
    b->kind = kind;
    b->s = s;
    b->len = len;
    b->d = d;
    return CIP_OK;
}

/* entity '.' key -> *ent, bound key (or attribute index in *attr). */
static cip_status parse_ident(cip_ctx *ctx, struct lexer *lx, int *ent, const char **key,
                              size_t *klen)
{
    static const struct {
        const char *w;
        int e;
    } ents[] = {{"metrics", ENT_METRIC},  {"metric", ENT_METRIC},  {"params", ENT_PARAM},
                {"param", ENT_PARAM},     {"tags", ENT_TAG},       {"tag", ENT_TAG},
                {"attributes", ENT_ATTR}, {"attribute", ENT_ATTR}, {"attr", ENT_ATTR},
                {"run", ENT_ATTR}};
    const char *w = lx->p;
    while (isalpha((unsigned char)*lx->p))
        lx->p++;
    size_t wl = (size_t)(lx->p - w);
    *ent = -1;
    if (*lx->p == '.') {
        for (size_t k = 0; k < CIP_ARRAY_LEN(ents); k++)
            if (strlen(ents[k].w) == wl && strncasecmp(ents[k].w, w, wl) == 0)
                *ent = ents[k].e;
        if (*ent < 0)
            return perr(ctx, lx, "expected metrics., params., tags. or attributes.");
        lx->p++;
    } else {
        lx->p = w; /* a bare attribute name */
        *ent = ENT_ATTR;
    }
    char q = *lx->p;
    if (q == '`' || q == '"') {
        *key = ++lx->p;
        while (*lx->p && *lx->p != q)
            lx->p++;
        if (*lx->p != q)
            return perr(ctx, lx, "unterminated quoted key");
        *klen = (size_t)(lx->p - *key);
        lx->p++;
    } else {
        *key = lx->p;
        while (*lx->p && !isspace((unsigned char)*lx->p) && !strchr("=!<>'\"", *lx->p))
            lx->p++;
        *klen = (size_t)(lx->p - *key);
    }
    if (*klen == 0)
        return perr(ctx, lx, "expected a key");
    return CIP_OK;
}

/* op -> index into ops[], or 7 LIKE, 8 ILIKE. */
static cip_status parse_op(cip_ctx *ctx, struct lexer *lx, int *op)
{
    skip_ws(lx);
    for (int k = 0; k < (int)CIP_ARRAY_LEN(ops); k++) {
        size_t n = strlen(ops[k]);
        if (strncmp(lx->p, ops[k], n) == 0) {
            lx->p += n;
            *op = k;
            return CIP_OK;
        }
    }
    if (strncasecmp(lx->p, "like", 4) == 0 && isspace((unsigned char)lx->p[4])) {
        lx->p += 4;
        *op = 7;
        return CIP_OK;
    }
    if (strncasecmp(lx->p, "ilike", 5) == 0 && isspace((unsigned char)lx->p[5])) {
        lx->p += 5;
        *op = 8;
        return CIP_OK;
    }
    return perr(ctx, lx, "expected a comparison operator");
}

/* value -> bound string or number; *is_num tells which. */
static cip_status parse_value(cip_ctx *ctx, struct lexer *lx, struct cipi_search *q, bool *is_num)
{
    skip_ws(lx);
    char c = *lx->p;
    if (c == '\'' || c == '"') {
        const char *s = ++lx->p;
        while (*lx->p && *lx->p != c)
            lx->p++;
        if (*lx->p != c)
            return perr(ctx, lx, "unterminated string");
        *is_num = false;
        size_t len = (size_t)(lx->p - s);
        lx->p++;
        return add_bind(ctx, q, BIND_TEXT, s, len, 0.0);
    }
    char *end = NULL;
    double d = strtod(lx->p, &end);
    if (end == lx->p || (*end && !isspace((unsigned char)*end)))
        return perr(ctx, lx, "expected a number or a quoted string");
    lx->p = end;
    *is_num = true;
    return add_bind(ctx, q, BIND_NUM, NULL, 0, d);
}

static const char *op_sql(int op)
{
    static const char *const sql[] = {"!=", "!=", "<=", ">=", "=", "<", ">", "LIKE", "LIKE"};
    return sql[op];
}

static cip_status emit_kv(cip_ctx *ctx, struct cipi_search *q, int ent, int op, bool is_num)
{
    static const char *const tbl[] = {"latest_metrics", "params", "tags"};
    if (ent == ENT_METRIC && (!is_num || op >= 7))
        return cipi_fail(ctx, CIP_ERR_PARSE,
                         "metric comparisons need a number and =, !=, <, "
                         "<=, > or >=");
    if (ent != ENT_METRIC && (is_num || (op >= 2 && op <= 6 && op != 4)))
        return cipi_fail(ctx, CIP_ERR_PARSE,
                         "%s comparisons need a quoted string and =, != "
                         "or LIKE",
                         ent == ENT_PARAM ? "param" : "tag");
    const char *lhs = op == 8 ? "lower(x.value)" : "x.value";
    const char *rhs = op == 8 ? "lower(?)" : "?";
    return cipi_buf_printf(ctx, &q->where,
                           " AND EXISTS (SELECT 1 FROM %s x WHERE x.run_uuid = r.run_uuid AND "
                           "x.\"key\" = ? AND %s %s %s%s)",
                           tbl[ent], lhs, op_sql(op), rhs,
                           ent == ENT_METRIC ? " AND x.is_nan = 0" : "");
}

static cip_status parse_clause(cip_ctx *ctx, struct lexer *lx, struct cipi_search *q)
{
    int ent, op;
    const char *key;
    size_t klen;
    bool is_num;
    skip_ws(lx);
    cip_status rc = parse_ident(ctx, lx, &ent, &key, &klen);
    if (rc != CIP_OK)
        return rc;
    if (ent != ENT_ATTR) {
        rc = add_bind(ctx, q, BIND_TEXT, key, klen, 0.0);
        if (rc == CIP_OK)
            rc = parse_op(ctx, lx, &op);
        if (rc == CIP_OK)
            rc = parse_value(ctx, lx, q, &is_num);
        return rc == CIP_OK ? emit_kv(ctx, q, ent, op, is_num) : rc;
    }
    const struct attr_col *a = NULL;
    for (size_t k = 0; k < CIP_ARRAY_LEN(attrs); k++)
        if (strlen(attrs[k].name) == klen && strncmp(attrs[k].name, key, klen) == 0)
            a = &attrs[k];
    if (a == NULL)
        return perr(ctx, lx,
                    "unknown attribute (status, run_name, run_id, user_id, "
                    "start_time, end_time)");
    rc = parse_op(ctx, lx, &op);
    if (rc == CIP_OK)
        rc = parse_value(ctx, lx, q, &is_num);
    if (rc != CIP_OK)
        return rc;
    if (is_num != a->numeric)
        return cipi_fail(ctx, CIP_ERR_PARSE, "attribute '%s' compares with a %s", a->name,
                         a->numeric ? "number" : "quoted string");
    if (op == 8)
        return cipi_buf_printf(ctx, &q->where, " AND lower(%s) LIKE lower(?)", a->col);
    return cipi_buf_printf(ctx, &q->where, " AND %s %s ?", a->col, op_sql(op));
}

cip_status cipi_search_filter(cip_ctx *ctx, struct cipi_search *q, const char *filter)
{
    struct lexer lx = {filter, filter};
    skip_ws(&lx);
    if (*lx.p == '\0')
        return CIP_OK;
    for (;;) {
        cip_status rc = parse_clause(ctx, &lx, q);
        if (rc != CIP_OK)
            return rc;
        skip_ws(&lx);
        if (*lx.p == '\0')
            return CIP_OK;
        if (strncasecmp(lx.p, "and", 3) != 0 || !isspace((unsigned char)lx.p[3]))
            return perr(ctx, &lx, "expected AND");
        lx.p += 3;
    }
}

/* One ORDER BY term -> SQL, keys bound. */
static cip_status order_term(cip_ctx *ctx, struct lexer *lx, struct cipi_search *q)
{
    static const char *const tbl[] = {"latest_metrics", "params", "tags"};
    int ent;
    const char *key;
    size_t klen;
    skip_ws(lx);
    cip_status rc = parse_ident(ctx, lx, &ent, &key, &klen);
    if (rc != CIP_OK)
        return rc;
    skip_ws(lx);
    const char *dir = "ASC";
    if (strncasecmp(lx->p, "desc", 4) == 0) {
        dir = "DESC";
        lx->p += 4;
    } else if (strncasecmp(lx->p, "asc", 3) == 0) {
        lx->p += 3;
    }
    char expr[160];
    if (ent == ENT_ATTR) {
        const struct attr_col *a = NULL;
        for (size_t k = 0; k < CIP_ARRAY_LEN(attrs); k++)
            if (strlen(attrs[k].name) == klen && strncmp(attrs[k].name, key, klen) == 0)
                a = &attrs[k];
        if (a == NULL)
            return perr(ctx, lx, "unknown attribute to order by");
        snprintf(expr, sizeof expr, "%s", a->col);
    } else {
        rc = add_bind(ctx, q, BIND_TEXT, key, klen, 0.0);
        if (rc != CIP_OK)
            return rc;
        snprintf(expr, sizeof expr,
                 "(SELECT x.value FROM %s x WHERE x.run_uuid = r.run_uuid AND x.\"key\" = ?)",
                 tbl[ent]);
    }
    /* MLflow sorts runs lacking the value last, whatever the direction. SQLite
     * sorts NULL below every value (last when descending) and blobs above
     * numbers and text, so ascending terms map NULL to x''; each expression
     * is then evaluated once per run. */
    if (dir[0] == 'D')
        return cipi_buf_printf(ctx, &q->order, "%s DESC, ", expr);
    return cipi_buf_printf(ctx, &q->order, "coalesce(%s, x'') ASC, ", expr);
}

cip_status cipi_search_order(cip_ctx *ctx, struct cipi_search *q, const char *order_by)
{
    struct lexer lx = {order_by, order_by};
    for (;;) {
        skip_ws(&lx);
        if (*lx.p == '\0')
            return CIP_OK;
        cip_status rc = order_term(ctx, &lx, q);
        if (rc != CIP_OK)
            return rc;
        skip_ws(&lx);
        if (*lx.p == ',')
            lx.p++;
        else if (*lx.p != '\0')
            return perr(ctx, &lx, "expected ',' or the end of the order");
    }
}
