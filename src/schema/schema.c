/* schema.c - the customer-table schema and business-rule validation
 *
 * cip_validate_frame() looks up each required column, checks its storage
 * type, then runs one pass per rule over it (missing values, ranges, unique
 * ids, whole numbers, known regions) so that the report lists violation
 * classes in a fixed order. A class is created lazily on its first
 * offending row and records the count plus the first max_examples rows.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cip/rng.h"
#include "schema_int.h"

static const char *const default_regions[] = {"North", "South", "West", "East"};

/* What a required column holds, which decides the rules applied to it. */
enum role { ROLE_ID, ROLE_AGE, ROLE_MONEY, ROLE_LOYALTY, ROLE_REGION, ROLE_FREQ };

static const struct {
    const char *name; /* NULL = the configured id column */
    enum role role;
} schema_cols[CIP_SCHEMA_N_COLUMNS] = {
    {NULL, ROLE_ID},
    {"age", ROLE_AGE},
    {"annual_income", ROLE_MONEY},
    {"purchase_amount", ROLE_MONEY},
    {"loyalty_score", ROLE_LOYALTY},
    {"region", ROLE_REGION},
    {"purchase_frequency", ROLE_FREQ},
};

void cip_schema_params_default(cip_schema_params *p)
{
    p->id_column = "user_id";
    p->regions = default_regions;
    p->n_regions = CIP_ARRAY_LEN(default_regions);
    p->age_min = 0.0;
    p->age_max = 120.0;
    p->money_min = 0.0;
    p->loyalty_min = 0.0;
    p->loyalty_max = 10.0;
    p->frequency_min = 0.0;
    p->max_examples = 5;
}

static cip_status bad_range(cip_ctx *ctx, const char *what, double lo, double hi)
{
    if (!isfinite(lo) || !isfinite(hi))
        return cipi_fail(ctx, CIP_ERR_INVALID, "schema: %s bounds must be finite", what);
    if (lo > hi)
        return cipi_fail(ctx, CIP_ERR_INVALID, "schema: %s minimum %g exceeds maximum %g", what, lo,
                         hi);
    return CIP_OK;
}

cip_status cip_schema_params_check(cip_ctx *ctx, const cip_schema_params *p)
{
    cip_status rc;
    if (p == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "schema: params are NULL");
    if ((rc = bad_range(ctx, "age", p->age_min, p->age_max)) != CIP_OK ||
        (rc = bad_range(ctx, "loyalty", p->loyalty_min, p->loyalty_max)) != CIP_OK ||
        (rc = bad_range(ctx, "money", p->money_min, p->money_min)) != CIP_OK ||
        (rc = bad_range(ctx, "frequency", p->frequency_min, p->frequency_min)) != CIP_OK)
        return rc;
    if (p->regions == NULL || p->n_regions == 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "schema: the region set is empty");
    for (size_t k = 0; k < p->n_regions; k++)
        if (p->regions[k] == NULL || p->regions[k][0] == '\0')
            return cipi_fail(ctx, CIP_ERR_INVALID, "schema: region label %zu is empty", k + 1);
    if (p->max_examples > CIP_SCHEMA_MAX_EXAMPLES)
        return cipi_fail(ctx, CIP_ERR_INVALID, "schema: max_examples %zu exceeds %d",
                         p->max_examples, CIP_SCHEMA_MAX_EXAMPLES);
    return CIP_OK;
}

const char *cip_schema_column(const cip_schema_params *p, size_t k)
{
    if (k >= CIP_SCHEMA_N_COLUMNS)
        return NULL;
    if (k > 0)
        return schema_cols[k].name;
    if (p == NULL)
        return "user_id";
    return (p->id_column != NULL && p->id_column[0] != '\0') ? p->id_column : NULL;
}

/* A number as short readable text: integral values as integers ("120", not
 * cipi_fmt_double's "1.2e+02"), others as the shortest round-trip form. */
static void fmt_num(char *buf, size_t size, double v)
{
    if (isfinite(v) && v == floor(v) && fabs(v) < 1e17)
        snprintf(buf, size, "%.0f", v == 0.0 ? 0.0 : v);
    else if (isnan(v))
        snprintf(buf, size, "nan");
    else if (isinf(v))
        snprintf(buf, size, v > 0 ? "inf" : "-inf");
    else
        cipi_fmt_double(buf, size, v);
}

/* --- report building --------------------------------------------------------- */

/* State of one rule pass over one column: the class it feeds (created on the
 * first hit) and what to call it. */
struct pass {
    cip_validation *rep;
    cip_violation_kind kind;
    cip_severity severity;
    const char *column; /* borrowed */
    const char *rule;   /* borrowed */
    struct viol *cls;   /* NULL until the first hit */
};

static void pass_init(struct pass *ps, cip_validation *rep, cip_violation_kind kind,
                      cip_severity sev, const char *column, const char *rule)
{
    ps->rep = rep;
    ps->kind = kind;
    ps->severity = sev;
    ps->column = column;
    ps->rule = rule;
    ps->cls = NULL;
}

static void viol_release(const struct cipi_alloc *a, struct viol *c)
{
    if (c->values != NULL)
        for (size_t k = 0; k < c->n_ex; k++)
            cipi_afree(a, c->values[k]);
    cipi_afree(a, c->values);
    cipi_afree(a, c->lines);
    cipi_afree(a, c->column);
    cipi_afree(a, c->rule);
}

static cip_status open_class(cip_ctx *ctx, struct pass *ps)
{
    cip_validation *rep = ps->rep;
    if (rep->n == rep->cap) {
        size_t cap = rep->cap ? rep->cap * 2 : 8;
        struct viol *nv = cipi_realloc(ctx, rep->v, cap * sizeof *nv);
        if (nv == NULL)
            return CIP_ERR_NOMEM;
        rep->v = nv;
        rep->cap = cap;
    }
    struct viol *c = &rep->v[rep->n];
    memset(c, 0, sizeof *c);
    c->kind = ps->kind;
    c->severity = ps->severity;
    c->rule = cipi_strdup(ctx, ps->rule);
    c->column = ps->column ? cipi_strdup(ctx, ps->column) : NULL;
    c->lines = cipi_calloc(ctx, rep->max_examples, sizeof *c->lines);
    c->values = cipi_calloc(ctx, rep->max_examples, sizeof *c->values);
    if (c->rule == NULL || (ps->column && c->column == NULL) || c->lines == NULL ||
        c->values == NULL) {
        viol_release(&rep->alloc, c);
        return CIP_ERR_NOMEM;
    }
    rep->n++;
    if (ps->severity == CIP_SEVERITY_ERROR)
        rep->n_errors++;
    else
        rep->n_warnings++;
    ps->cls = c;
    return CIP_OK;
}

/* Record offending data row i (0-based) with its value as text. */
static cip_status pass_hit(cip_ctx *ctx, struct pass *ps, size_t i, const char *value)
{
    if (ps->cls == NULL) {
        cip_status rc = open_class(ctx, ps);
        if (rc != CIP_OK)
            return rc;
    }
    struct viol *c = ps->cls;
    if (c->n_ex < ps->rep->max_examples) {
        char *s = cipi_strdup(ctx, value);
        if (s == NULL)
            return CIP_ERR_NOMEM;
        c->lines[c->n_ex] = i + 2; /* header is line 1 */
        c->values[c->n_ex] = s;
        c->n_ex++;
    }
    c->count++;
    return CIP_OK;
}

/* Cell (j, i) as text into buf (labels are truncated to the buffer). */
static const char *cell_text(const cip_frame *f, size_t j, size_t i, char *buf, size_t size)
{
    if (cip_frame_is_missing(f, j, i))
        return "";
    switch (cip_frame_col_type(f, j)) {
    case CIP_TYPE_INT:
        snprintf(buf, size, "%lld", (long long)cip_frame_i64(f, j)[i]);
        return buf;
    case CIP_TYPE_FLOAT:
        fmt_num(buf, size, cip_frame_f64(f, j)[i]);
        return buf;
    case CIP_TYPE_BOOL:
        return cip_frame_bool(f, j)[i] ? "True" : "False";
    case CIP_TYPE_CAT:
        return cip_frame_level(f, j, cip_frame_codes(f, j)[i]);
    }
    return "";
}

/* --- the rules ------------------------------------------------------------------- */

static bool is_number_text(const char *s)
{
    if (s == NULL || *s == '\0')
        return false;
    char *end;
    (void)strtod(s, &end);
    return *end == '\0';
}

/* wrong_type: a numeric column stored as text or booleans, or a text column
 * stored as numbers. Returns *ok = false when the column cannot be checked
 * further. */
static cip_status check_type(cip_ctx *ctx, cip_validation *rep, const cip_frame *f, size_t j,
                             const char *name, bool want_cat, bool *ok)
{
    cip_type t = cip_frame_col_type(f, j);
    *ok = want_cat ? t == CIP_TYPE_CAT : (t == CIP_TYPE_INT || t == CIP_TYPE_FLOAT);
    if (*ok)
        return CIP_OK;
    struct pass ps;
    pass_init(&ps, rep, CIP_VIOL_WRONG_TYPE, CIP_SEVERITY_ERROR, name,
              want_cat ? "must be text (a category label)" : "must be numeric");
    size_t n = cip_frame_n_rows(f);
    char buf[64];
    /* Text in a numeric column: list the labels that are not numbers. */
    bool only_bad = !want_cat && t == CIP_TYPE_CAT;
    for (int round = 0; round < 2 && ps.cls == NULL; round++) {
        for (size_t i = 0; i < n; i++) {
            if (cip_frame_is_missing(f, j, i))
                continue;
            const char *s = cell_text(f, j, i, buf, sizeof buf);
            if (only_bad && round == 0 && is_number_text(s))
                continue;
            cip_status rc = pass_hit(ctx, &ps, i, s);
            if (rc != CIP_OK)
                return rc;
        }
        only_bad = false;
    }
    if (ps.cls == NULL) /* every cell missing: still the wrong type */
        return open_class(ctx, &ps);
    return CIP_OK;
}

static cip_status check_missing(cip_ctx *ctx, cip_validation *rep, const cip_frame *f, size_t j,
                                const char *name)
{
    const uint8_t *bm = cip_frame_missing(f, j);
    if (bm == NULL || cip_frame_n_missing(f, j) == 0)
        return CIP_OK;
    struct pass ps;
    pass_init(&ps, rep, CIP_VIOL_MISSING_VALUE, CIP_SEVERITY_ERROR, name, "must not be empty");
    size_t n = cip_frame_n_rows(f);
    for (size_t i = 0; i < n; i++) {
        if ((bm[i >> 3] >> (i & 7)) & 1u) {
            cip_status rc = pass_hit(ctx, &ps, i, "");
            if (rc != CIP_OK)
                return rc;
        }
    }
    return CIP_OK;
}

/* out_of_range over a numeric column: value outside [lo, hi] or not finite. */
static cip_status check_range(cip_ctx *ctx, cip_validation *rep, const cip_frame *f, size_t j,
                              const char *name, double lo, double hi)
{
    char rule[128], a[40], b[40];
    fmt_num(a, sizeof a, lo);
    if (isinf(hi)) {
        snprintf(rule, sizeof rule, "must be >= %s", a);
    } else {
        fmt_num(b, sizeof b, hi);
        snprintf(rule, sizeof rule, "must be in [%s, %s]", a, b);
    }
    struct pass ps;
    pass_init(&ps, rep, CIP_VIOL_OUT_OF_RANGE, CIP_SEVERITY_ERROR, name, rule);
    size_t n = cip_frame_n_rows(f);
    char buf[64];
    for (size_t i = 0; i < n; i++) {
        if (cip_frame_is_missing(f, j, i))
            continue;
        double v = cip_frame_get(f, j, i);
        if (isfinite(v) && v >= lo && v <= hi)
            continue;
        cip_status rc = pass_hit(ctx, &ps, i, cell_text(f, j, i, buf, sizeof buf));
        if (rc != CIP_OK)
            return rc;
    }
    return CIP_OK;
}

/* not_integer: fractional values in a float column that should hold whole numbers. */
static cip_status check_integer(cip_ctx *ctx, cip_validation *rep, const cip_frame *f, size_t j,
                                const char *name)
{
    const double *x = cip_frame_f64(f, j);
    if (x == NULL)
        return CIP_OK; /* int columns are whole by construction */
    struct pass ps;
    pass_init(&ps, rep, CIP_VIOL_NOT_INTEGER, CIP_SEVERITY_WARNING, name,
              "should be a whole number");
    size_t n = cip_frame_n_rows(f);
    char buf[64];
    for (size_t i = 0; i < n; i++) {
        if (cip_frame_is_missing(f, j, i) || !isfinite(x[i]) || x[i] == floor(x[i]))
            continue;
        cip_status rc = pass_hit(ctx, &ps, i, cell_text(f, j, i, buf, sizeof buf));
        if (rc != CIP_OK)
            return rc;
    }
    return CIP_OK;
}

/* The 64-bit key of a numeric id: ints as themselves, floats by value
 * (integral floats map to the same key as the equal int; -0 == 0). */
static uint64_t id_key(const cip_frame *f, size_t j, size_t i)
{
    const int64_t *iv = cip_frame_i64(f, j);
    if (iv != NULL)
        return (uint64_t)iv[i];
    double d = cip_frame_f64(f, j)[i];
    if (d == floor(d) && fabs(d) < 9.2e18)
        return (uint64_t)(int64_t)d;
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    return bits ^ 0x8000000000000001ULL; /* keep apart from the integral keys above */
}

/* duplicate_id: rows whose id appeared on an earlier row (open addressing). */
static cip_status check_unique(cip_ctx *ctx, cip_validation *rep, const cip_frame *f, size_t j,
                               const char *name)
{
    size_t n = cip_frame_n_rows(f), n_slots = 16;
    while (n_slots < 2 * n)
        n_slots *= 2;
    uint64_t *keys = cipi_mallocarray(ctx, n_slots, sizeof *keys);
    uint8_t *used = cipi_calloc(ctx, n_slots, 1);
    cip_status rc = CIP_OK;
    if (keys == NULL || used == NULL) {
        rc = CIP_ERR_NOMEM;
        goto done;
    }
    struct pass ps;
    pass_init(&ps, rep, CIP_VIOL_DUPLICATE_ID, CIP_SEVERITY_ERROR, name, "must be unique");
    char buf[64];
    for (size_t i = 0; i < n && rc == CIP_OK; i++) {
        if (cip_frame_is_missing(f, j, i))
            continue;
        uint64_t key = id_key(f, j, i);
        size_t s = (size_t)cip_mix64(key) & (n_slots - 1);
        while (used[s] && keys[s] != key)
            s = (s + 1) & (n_slots - 1);
        if (used[s]) {
            rc = pass_hit(ctx, &ps, i, cell_text(f, j, i, buf, sizeof buf));
        } else {
            used[s] = 1;
            keys[s] = key;
        }
    }
done:
    cipi_free(ctx, keys);
    cipi_free(ctx, used);
    return rc;
}

/* unknown_category: region labels outside the configured set. */
static cip_status check_regions(cip_ctx *ctx, cip_validation *rep, const cip_frame *f, size_t j,
                                const char *name, const cip_schema_params *p)
{
    size_t n_levels = cip_frame_n_levels(f, j);
    uint8_t *known = cipi_calloc(ctx, n_levels ? n_levels : 1, 1);
    struct cipi_buf rule;
    cipi_buf_init(&rule, ctx, 0);
    cip_status rc = known ? cipi_buf_printf(ctx, &rule, "must be one of ") : CIP_ERR_NOMEM;
    for (size_t k = 0; k < p->n_regions && rc == CIP_OK; k++)
        rc = cipi_buf_printf(ctx, &rule, "%s%s", k ? ", " : "", p->regions[k]);
    if (rc != CIP_OK)
        goto done;
    bool any_unknown = false;
    for (uint32_t c = 0; c < n_levels; c++) {
        const char *label = cip_frame_level(f, j, c);
        for (size_t k = 0; k < p->n_regions && !known[c]; k++)
            known[c] = strcmp(label, p->regions[k]) == 0;
        any_unknown |= !known[c];
    }
    if (!any_unknown)
        goto done;
    struct pass ps;
    pass_init(&ps, rep, CIP_VIOL_UNKNOWN_CATEGORY, CIP_SEVERITY_WARNING, name, rule.data);
    const uint32_t *codes = cip_frame_codes(f, j);
    size_t n = cip_frame_n_rows(f);
    for (size_t i = 0; i < n && rc == CIP_OK; i++)
        if (!cip_frame_is_missing(f, j, i) && !known[codes[i]])
            rc = pass_hit(ctx, &ps, i, cip_frame_level(f, j, codes[i]));
done:
    cipi_free(ctx, known);
    cipi_buf_release(&rule);
    return rc;
}

/* Every rule for required column k found at frame column j. */
static cip_status check_column(cip_ctx *ctx, cip_validation *rep, const cip_frame *f, size_t j,
                               size_t k, const cip_schema_params *p)
{
    const char *name = cip_frame_col_name(f, j);
    enum role role = schema_cols[k].role;
    bool ok;
    cip_status rc = check_type(ctx, rep, f, j, name, role == ROLE_REGION, &ok);
    if (rc == CIP_OK)
        rc = check_missing(ctx, rep, f, j, name);
    if (rc != CIP_OK || !ok)
        return rc;
    switch (role) {
    case ROLE_ID:
        rc = check_unique(ctx, rep, f, j, name);
        break;
    case ROLE_AGE:
        rc = check_range(ctx, rep, f, j, name, p->age_min, p->age_max);
        break;
    case ROLE_MONEY:
        rc = check_range(ctx, rep, f, j, name, p->money_min, INFINITY);
        break;
    case ROLE_LOYALTY:
        rc = check_range(ctx, rep, f, j, name, p->loyalty_min, p->loyalty_max);
        break;
    case ROLE_FREQ:
        rc = check_range(ctx, rep, f, j, name, p->frequency_min, INFINITY);
        break;
    case ROLE_REGION:
        return check_regions(ctx, rep, f, j, name, p);
    }
    if (rc == CIP_OK && (role == ROLE_ID || role == ROLE_AGE || role == ROLE_FREQ))
        rc = check_integer(ctx, rep, f, j, name);
    return rc;
}

static cip_status check_frame(cip_ctx *ctx, cip_validation *rep, const cip_frame *f,
                              const cip_schema_params *p)
{
    cip_status rc = CIP_OK;
    if (rep->n_rows == 0) {
        struct pass ps;
        pass_init(&ps, rep, CIP_VIOL_NO_ROWS, CIP_SEVERITY_ERROR, NULL,
                  "the table must have data rows");
        if ((rc = open_class(ctx, &ps)) != CIP_OK)
            return rc;
        ps.cls->count = 1;
    }
    for (size_t k = 0; k < CIP_SCHEMA_N_COLUMNS && rc == CIP_OK; k++) {
        const char *name = cip_schema_column(p, k);
        size_t j;
        if (name == NULL)
            continue;
        if (cip_frame_find(NULL, f, name, &j) == CIP_OK) {
            /* Without rows, inferred column types mean nothing: check presence only. */
            if (rep->n_rows > 0)
                rc = check_column(ctx, rep, f, j, k, p);
            continue;
        }
        struct pass ps;
        pass_init(&ps, rep, CIP_VIOL_MISSING_COLUMN, CIP_SEVERITY_ERROR, name,
                  "required column is absent");
        if ((rc = open_class(ctx, &ps)) == CIP_OK)
            ps.cls->count = 1;
    }
    return rc;
}

cip_status cip_validate_frame(cip_ctx *ctx, const cip_frame *f, const cip_schema_params *p,
                              cip_validation **out)
{
    *out = NULL;
    cip_schema_params defaults;
    if (p == NULL) {
        cip_schema_params_default(&defaults);
        p = &defaults;
    }
    if (f == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "validate: frame is NULL");
    cip_status rc = cip_schema_params_check(ctx, p);
    if (rc != CIP_OK)
        return rc;
    cip_validation *rep = cipi_calloc(ctx, 1, sizeof *rep);
    if (rep == NULL)
        return CIP_ERR_NOMEM;
    rep->alloc = cipi_ctx_alloc(ctx);
    rep->n_rows = cip_frame_n_rows(f);
    rep->n_cols = cip_frame_n_cols(f);
    rep->max_examples = p->max_examples;
    rc = check_frame(ctx, rep, f, p);
    if (rc != CIP_OK) {
        cip_validation_free(rep);
        return rc;
    }
    *out = rep;
    return CIP_OK;
}

void cip_validation_free(cip_validation *v)
{
    if (v == NULL)
        return;
    for (size_t k = 0; k < v->n; k++)
        viol_release(&v->alloc, &v->v[k]);
    cipi_afree(&v->alloc, v->v);
    struct cipi_alloc a = v->alloc;
    cipi_afree(&a, v);
}
