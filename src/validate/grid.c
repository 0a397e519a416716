/* grid.c - parameter grids: building, parsing the CLI syntax, expanding points
 *
 * Parameters are kept sorted by name (strcmp, the order of Python's sorted() on
 * ASCII names); point p is decoded in mixed radix with the last name varying
 * fastest, which is itertools.product over sorted keys: sklearn's ParameterGrid.
 * Text syntax: "name=v1,v2;name2=v3" with optional blanks around tokens.
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "validate_int.h"

#define GRID_MAX_POINTS ((size_t)UINT32_MAX)

struct gparam {
    char *name;            /* owned */
    cip_param_value *vals; /* owned; strings owned */
    size_t n;              /* values */
};

struct cip_param_grid {
    struct cipi_alloc a;   /* allocator */
    struct gparam *params; /* sorted by name */
    size_t n_params;       /* entries */
    size_t n_points;       /* product of the value counts (1 when empty) */
};

cip_status cip_param_grid_new(cip_ctx *ctx, cip_param_grid **out)
{
    cip_param_grid *g = cipi_calloc(ctx, 1, sizeof *g);
    *out = NULL;
    if (g == NULL)
        return CIP_ERR_NOMEM;
    g->a = cipi_ctx_alloc(ctx);
    g->n_points = 1;
    *out = g;
    return CIP_OK;
}

static void gparam_release(const struct cipi_alloc *a, struct gparam *p)
{
    for (size_t i = 0; p->vals != NULL && i < p->n; i++)
        if (p->vals[i].kind == CIP_PARAM_STR)
            cipi_afree(a, (void *)p->vals[i].str);
    cipi_afree(a, p->vals);
    cipi_afree(a, p->name);
}

void cip_param_grid_free(cip_param_grid *g)
{
    if (g == NULL)
        return;
    struct cipi_alloc a = g->a;
    for (size_t k = 0; k < g->n_params; k++)
        gparam_release(&a, &g->params[k]);
    cipi_afree(&a, g->params);
    cipi_afree(&a, g);
}

static cip_status copy_values(cip_ctx *ctx, struct gparam *p, const cip_param_value *vals, size_t n)
{
    p->vals = cipi_calloc(ctx, n, sizeof *p->vals);
    if (p->vals == NULL)
        return CIP_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        p->vals[i].kind = vals[i].kind;
        if (vals[i].kind == CIP_PARAM_NUM) {
            p->vals[i].num = vals[i].num;
        } else if (vals[i].kind == CIP_PARAM_STR) {
            p->vals[i].str = cipi_strdup(ctx, vals[i].str);
            if (p->vals[i].str == NULL) {
                p->vals[i].kind = CIP_PARAM_NONE;
                p->n = i;
                return CIP_ERR_NOMEM;
            }
        }
    }
    p->n = n;
    return CIP_OK;
}

static cip_status check_values(cip_ctx *ctx, const char *name, const cip_param_value *vals,
                               size_t n)
{
    if (name == NULL || name[0] == '\0')
        return cipi_fail(ctx, CIP_ERR_INVALID, "parameter grid: empty parameter name");
    if (n == 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "parameter grid: '%s' has no values", name);
    for (size_t i = 0; i < n; i++) {
        if (vals[i].kind == CIP_PARAM_NUM && !isfinite(vals[i].num))
            return cipi_fail(ctx, CIP_ERR_INVALID,
                             "parameter grid: value %zu of '%s' is not a finite number", i + 1,
                             name);
        if (vals[i].kind == CIP_PARAM_STR && vals[i].str == NULL)
            return cipi_fail(ctx, CIP_ERR_INVALID,
                             "parameter grid: value %zu of '%s' is a NULL string", i + 1, name);
        if ((unsigned)vals[i].kind > CIP_PARAM_NONE)
            return cipi_fail(ctx, CIP_ERR_INVALID, "parameter grid: bad value kind for '%s'", name);
    }
    return CIP_OK;
}

cip_status cip_param_grid_add(cip_ctx *ctx, cip_param_grid *g, const char *name,
                              const cip_param_value *vals, size_t n)
{
    cip_status rc = check_values(ctx, name, vals, n);
    if (rc != CIP_OK)
        return rc;
    size_t pos = 0, points;
    while (pos < g->n_params && strcmp(g->params[pos].name, name) < 0)
        pos++;
    if (pos < g->n_params && strcmp(g->params[pos].name, name) == 0)
        return cipi_fail(ctx, CIP_ERR_CONFLICT, "parameter grid: '%s' given twice", name);
    if (!cipi_mul_ok(g->n_points, n, &points) || points > GRID_MAX_POINTS)
        return cipi_fail(ctx, CIP_ERR_LIMIT, "parameter grid: more than %zu points",
                         GRID_MAX_POINTS);
    struct gparam p = {NULL, NULL, 0};
    size_t bytes;
    if (!cipi_mul_ok(g->n_params + 1, sizeof *g->params, &bytes))
        return cipi_nomem(ctx);
    struct gparam *grown = cipi_realloc(ctx, g->params, bytes);
    if (grown == NULL)
        return CIP_ERR_NOMEM;
    g->params = grown;
    p.name = cipi_strdup(ctx, name);
    rc = p.name == NULL ? CIP_ERR_NOMEM : copy_values(ctx, &p, vals, n);
    if (rc != CIP_OK) {
        struct cipi_alloc a = cipi_ctx_alloc(ctx);
        gparam_release(&a, &p);
        return rc;
    }
    memmove(g->params + pos + 1, g->params + pos, (g->n_params - pos) * sizeof *g->params);
    g->params[pos] = p;
    g->n_params++;
    g->n_points = points;
    return CIP_OK;
}

size_t cip_param_grid_size(const cip_param_grid *g)
{
    return g->n_points;
}

size_t cip_param_grid_n_params(const cip_param_grid *g)
{
    return g->n_params;
}

const char *cip_param_grid_name(const cip_param_grid *g, size_t k)
{
    return k < g->n_params ? g->params[k].name : NULL;
}

cip_param_value cip_param_grid_value(const cip_param_grid *g, size_t point, size_t k)
{
    cip_param_value none = {CIP_PARAM_NONE, 0.0, NULL};
    if (k >= g->n_params || point >= g->n_points)
        return none;
    /* Mixed radix, last parameter fastest. */
    for (size_t q = g->n_params; q-- > k + 1;)
        point /= g->params[q].n;
    return g->params[k].vals[point % g->params[k].n];
}

cip_status cip_param_grid_apply(cip_ctx *ctx, const cip_param_grid *g, size_t point,
                                const cip_estimator *est, void *params)
{
    if (point >= g->n_points)
        return cipi_fail(ctx, CIP_ERR_INVALID, "grid point %zu out of range (%zu points)", point,
                         g->n_points);
    if (est->params_size > 0)
        memcpy(params, est->params, est->params_size);
    for (size_t k = 0; k < g->n_params; k++) {
        if (est->set_param == NULL)
            return cipi_fail(ctx, CIP_ERR_INVALID, "estimator '%s' takes no parameters",
                             est->name ? est->name : "?");
        cip_param_value v = cip_param_grid_value(g, point, k);
        cip_status rc = est->set_param(ctx, est->ud, params, g->params[k].name, &v);
        if (rc != CIP_OK)
            return cipi_fail_prefix(ctx, rc, "parameter '%s'", g->params[k].name);
    }
    return CIP_OK;
}

/* Whole numbers as integers ("50"), others as the shortest round-trip form. */
static void fmt_num(char *buf, size_t size, double v)
{
    if (v == floor(v) && fabs(v) < 1e15)
        snprintf(buf, size, "%.0f", v);
    else
        cipi_fmt_double(buf, size, v);
}

size_t cip_param_grid_format(const cip_param_grid *g, size_t point, char *buf, size_t size)
{
    size_t len = 0;
    char num[40];
    for (size_t k = 0; k < g->n_params; k++) {
        cip_param_value v = cip_param_grid_value(g, point, k);
        const char *text = v.kind == CIP_PARAM_STR ? v.str : "none";
        if (v.kind == CIP_PARAM_NUM) {
            fmt_num(num, sizeof num, v.num);
            text = num;
        }
        const char *sep = k ? ";" : "", *name = g->params[k].name;
        int n = buf != NULL && len < size
                    ? snprintf(buf + len, size - len, "%s%s=%s", sep, name, text)
                    : snprintf(NULL, 0, "%s%s=%s", sep, name, text);
        len += n > 0 ? (size_t)n : 0;
    }
    if (g->n_params == 0 && buf != NULL && size > 0)
        buf[0] = '\0';
    return len;
}

/* --- parsing ----------------------------------------------------------------------------- */

struct gparse {
    cip_param_value *vals; /* scratch values for one parameter */
    char *buf;             /* scratch copy of the input, NUL-split */
};

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

static bool valid_name(const char *s)
{
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.' && *s != '-')
            return false;
    return true;
}

/* Classify one value token. */
static cip_status parse_value(cip_ctx *ctx, const struct gparse *ps, const char *name, char *tok,
                              cip_param_value *v)
{
    size_t col = (size_t)(tok - ps->buf) + 1;
    if (tok[0] == '\0')
        return cipi_fail(ctx, CIP_ERR_PARSE, "parameter grid: empty value for '%s' at column %zu",
                         name, col);
    if (strcasecmp(tok, "none") == 0 || strcasecmp(tok, "null") == 0) {
        *v = (cip_param_value){CIP_PARAM_NONE, 0.0, NULL};
        return CIP_OK;
    }
    if (isdigit((unsigned char)tok[0]) || tok[0] == '-' || tok[0] == '+' || tok[0] == '.') {
        char *end;
        errno = 0;
        double d = strtod(tok, &end);
        if (*end != '\0' || end == tok || errno == ERANGE || !isfinite(d))
            return cipi_fail(ctx, CIP_ERR_PARSE,
                             "parameter grid: bad number '%s' for '%s' at column %zu", tok, name,
                             col);
        *v = (cip_param_value){CIP_PARAM_NUM, d, NULL};
        return CIP_OK;
    }
    *v = (cip_param_value){CIP_PARAM_STR, 0.0, tok};
    return CIP_OK;
}

/* Parse "name=v1,v2" (seg is NUL-terminated inside ps->buf) and add it to g. */
static cip_status parse_segment(cip_ctx *ctx, struct gparse *ps, char *seg, cip_param_grid *g)
{
    size_t col = (size_t)(seg - ps->buf) + 1;
    char *eq = strchr(seg, '=');
    if (eq == NULL)
        return cipi_fail(ctx, CIP_ERR_PARSE,
                         "parameter grid: expected name=value[,value...] but found '%s' at "
                         "column %zu",
                         seg, col);
    *eq = '\0';
    char *name = trim(seg);
    if (name[0] == '\0' || !valid_name(name))
        return cipi_fail(ctx, CIP_ERR_PARSE,
                         "parameter grid: bad parameter name '%s' at column %zu", name, col);
    size_t n = 0;
    char *p = eq + 1;
    for (;;) {
        char *comma = strchr(p, ',');
        if (comma != NULL)
            *comma = '\0';
        cip_status rc = parse_value(ctx, ps, name, trim(p), &ps->vals[n]);
        if (rc != CIP_OK)
            return rc;
        n++;
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    for (size_t k = 0; k < g->n_params; k++)
        if (strcmp(g->params[k].name, name) == 0)
            return cipi_fail(ctx, CIP_ERR_PARSE, "parameter grid: '%s' given twice (column %zu)",
                             name, col);
    return cip_param_grid_add(ctx, g, name, ps->vals, n);
}

cip_status cip_param_grid_parse(cip_ctx *ctx, const char *text, cip_param_grid **out)
{
    *out = NULL;
    size_t len = strlen(text);
    struct gparse ps = {NULL, NULL};
    cip_param_grid *g = NULL;
    cip_status rc = cip_param_grid_new(ctx, &g);
    if (rc != CIP_OK)
        return rc;
    rc = CIP_ERR_NOMEM;
    ps.buf = cipi_strdup(ctx, text);
    /* At most one value per character plus one. */
    ps.vals = cipi_mallocarray(ctx, len + 1, sizeof *ps.vals);
    if (ps.buf == NULL || ps.vals == NULL)
        goto done;
    rc = CIP_OK;
    char *seg = ps.buf;
    while (rc == CIP_OK && seg != NULL) {
        char *semi = strchr(seg, ';');
        if (semi != NULL)
            *semi = '\0';
        char *t = seg;
        while (*t == ' ' || *t == '\t')
            t++;
        if (*t != '\0')
            rc = parse_segment(ctx, &ps, t, g);
        seg = semi ? semi + 1 : NULL;
    }
done:
    cipi_free(ctx, ps.buf);
    cipi_free(ctx, ps.vals);
    if (rc != CIP_OK) {
        cip_param_grid_free(g);
        return rc;
    }
    *out = g;
    return CIP_OK;
}
