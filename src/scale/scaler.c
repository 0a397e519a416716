/* scaler.c - standard scaler: fit (two-pass mean/variance), transform, inverse
 *
 * Mean and variance follow scikit-learn's StandardScaler: population variance
 * by the corrected two-pass formula (Chan, Golub & LeVeque 1983), and a
 * feature counts as constant when var <= n*eps*var + (n*mean*eps)^2, in
 * which case its scale is 1. Sums run over fixed 4096-row blocks combined in
 * block order, so results never depend on how the caller split the work.
 * SPDX-License-Identifier: MIT
 */
#include <float.h>
#include <math.h>
#include <string.h>

#include "cip/scale.h"
#include "cipi.h"

#define SCALER_MAGIC 0x5343414cu /* "SCAL" */
#define SUM_BLOCK    4096

struct cip_scaler {
    uint32_t magic;      /* SCALER_MAGIC while alive */
    struct cipi_alloc a; /* allocator of everything below */
    size_t d;            /* features */
    double *mean;        /* owned [d] */
    double *var;         /* owned [d] */
    double *scale;       /* owned [d] */
    char **names;        /* owned [d] strings, or NULL */
    uint64_t n_samples;  /* rows seen by fit */
};

void cip_scaler_free(cip_scaler *s)
{
    if (s == NULL)
        return;
    struct cipi_alloc a = s->a;
    if (s->names != NULL) {
        for (size_t j = 0; j < s->d; j++)
            cipi_afree(&a, s->names[j]);
        cipi_afree(&a, s->names);
    }
    cipi_afree(&a, s->mean);
    cipi_afree(&a, s->var);
    cipi_afree(&a, s->scale);
    s->magic = 0;
    cipi_afree(&a, s);
}

/* Allocate an empty scaler of d features (names not allocated). */
static cip_status scaler_alloc(cip_ctx *ctx, size_t d, cip_scaler **out)
{
    *out = NULL;
    cip_scaler *s = cipi_calloc(ctx, 1, sizeof *s);
    if (s == NULL)
        return CIP_ERR_NOMEM;
    s->magic = SCALER_MAGIC;
    s->a = cipi_ctx_alloc(ctx);
    s->d = d;
    s->mean = cipi_mallocarray(ctx, d, sizeof(double));
    s->var = cipi_mallocarray(ctx, d, sizeof(double));
    s->scale = cipi_mallocarray(ctx, d, sizeof(double));
    if (s->mean == NULL || s->var == NULL || s->scale == NULL) {
        cip_scaler_free(s);
        return CIP_ERR_NOMEM;
    }
    *out = s;
    return CIP_OK;
}

static cip_status scaler_set_names(cip_ctx *ctx, cip_scaler *s, const char *const *names)
{
    if (names == NULL)
        return CIP_OK;
    s->names = cipi_calloc(ctx, s->d, sizeof(char *));
    if (s->names == NULL)
        return CIP_ERR_NOMEM;
    for (size_t j = 0; j < s->d; j++) {
        s->names[j] = cipi_strdup(ctx, names[j] != NULL ? names[j] : "");
        if (s->names[j] == NULL)
            return CIP_ERR_NOMEM;
    }
    return CIP_OK;
}

/* Sum of v[0..n) - shift in fixed blocks combined in order; when sq is set,
 * the sum of squares of (v - shift) as well. */
static void block_sums(const double *v, size_t n, double shift, double *sum, double *sq)
{
    double s_all = 0.0, q_all = 0.0;
    for (size_t b = 0; b < n; b += SUM_BLOCK) {
        size_t e = b + SUM_BLOCK < n ? b + SUM_BLOCK : n;
        double s = 0.0, q = 0.0;
        for (size_t i = b; i < e; i++) {
            double t = v[i] - shift;
            s += t;
            q += t * t;
        }
        s_all += s;
        q_all += q;
    }
    *sum = s_all;
    if (sq != NULL)
        *sq = q_all;
}

static void fit_column(cip_scaler *s, size_t j, const double *v, size_t n)
{
    double sum, sq, corr;
    block_sums(v, n, 0.0, &sum, NULL);
    double dn = (double)n;
    double mean = sum / dn;
    block_sums(v, n, mean, &corr, &sq);
    double var = (sq - corr * corr / dn) / dn;
    if (var < 0.0)
        var = 0.0;
    double bound = dn * DBL_EPSILON * var + (dn * mean * DBL_EPSILON) * (dn * mean * DBL_EPSILON);
    s->mean[j] = mean;
    s->var[j] = var;
    s->scale[j] = var <= bound ? 1.0 : sqrt(var);
}

static cip_status check_finite(cip_ctx *ctx, const double *v, size_t n, size_t j, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(v[i])) {
            if (name != NULL)
                return cipi_fail(ctx, CIP_ERR_INVALID, "column '%s' row %zu: value is %s", name,
                                 i + 1, isnan(v[i]) ? "missing or NaN" : "infinite");
            return cipi_fail(ctx, CIP_ERR_INVALID, "column %zu row %zu: value is %s", j, i + 1,
                             isnan(v[i]) ? "NaN" : "infinite");
        }
    }
    return CIP_OK;
}

cip_status cip_scaler_fit(cip_ctx *ctx, const cip_colmat *x, cip_scaler **out)
{
    *out = NULL;
    if (x == NULL || x->cols == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "scaler fit: no input matrix");
    if (x->n_rows == 0 || x->n_cols == 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "scaler fit: empty input (%zu rows, %zu columns)",
                         x->n_rows, x->n_cols);
    for (size_t j = 0; j < x->n_cols; j++) {
        cip_status rc = check_finite(ctx, x->cols[j], x->n_rows, j, NULL);
        if (rc != CIP_OK)
            return rc;
    }
    cip_scaler *s = NULL;
    cip_status rc = scaler_alloc(ctx, x->n_cols, &s);
    if (rc != CIP_OK)
        return rc;
    for (size_t j = 0; j < x->n_cols; j++)
        fit_column(s, j, x->cols[j], x->n_rows);
    s->n_samples = x->n_rows;
    *out = s;
    return CIP_OK;
}

cip_status cip_scaler_fit_frame(cip_ctx *ctx, const cip_frame *f, const char *const *names,
                                size_t n_names, cip_scaler **out)
{
    *out = NULL;
    if (f == NULL || names == NULL || n_names == 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "scaler fit: no frame or no feature names");
    size_t n = cip_frame_n_rows(f);
    if (n == 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "scaler fit: the frame has no rows");
    cip_scaler *s = NULL;
    double *col = NULL;
    cip_status rc = scaler_alloc(ctx, n_names, &s);
    if (rc != CIP_OK)
        goto done;
    col = cipi_mallocarray(ctx, n, sizeof(double));
    if (col == NULL) {
        rc = CIP_ERR_NOMEM;
        goto done;
    }
    for (size_t j = 0; j < n_names; j++) {
        size_t idx;
        rc = cip_frame_find(ctx, f, names[j], &idx);
        if (rc != CIP_OK)
            goto done;
        if (cip_frame_col_type(f, idx) == CIP_TYPE_CAT) {
            rc =
                cipi_fail(ctx, CIP_ERR_SCHEMA, "column '%s' is categorical, not numeric", names[j]);
            goto done;
        }
        cip_frame_get_col(f, idx, col);
        rc = check_finite(ctx, col, n, j, names[j]);
        if (rc != CIP_OK)
            goto done;
        fit_column(s, j, col, n);
    }
    rc = scaler_set_names(ctx, s, names);
    s->n_samples = n;
done:
    cipi_free(ctx, col);
    if (rc != CIP_OK) {
        cip_scaler_free(s);
        return rc;
    }
    *out = s;
    return CIP_OK;
}

static cip_status check_state(cip_ctx *ctx, const cip_scaler_state *st)
{
    if (st == NULL || st->n_features == 0 || st->mean == NULL || st->var == NULL ||
        st->scale == NULL)
        return cipi_fail(ctx, CIP_ERR_INVALID, "scaler state: no features or a NULL array");
    for (size_t j = 0; j < st->n_features; j++) {
        if (!isfinite(st->mean[j]) || !isfinite(st->var[j]) || st->var[j] < 0.0 ||
            !isfinite(st->scale[j]) || !(st->scale[j] > 0.0))
            return cipi_fail(ctx, CIP_ERR_INVALID,
                             "scaler state: feature %zu has an invalid mean, variance or scale", j);
        if (st->names != NULL && st->names[j] == NULL)
            return cipi_fail(ctx, CIP_ERR_INVALID, "scaler state: feature %zu has no name", j);
    }
    return CIP_OK;
}

cip_status cip_scaler_new(cip_ctx *ctx, const cip_scaler_state *st, cip_scaler **out)
{
    *out = NULL;
    cip_status rc = check_state(ctx, st);
    if (rc != CIP_OK)
        return rc;
    cip_scaler *s = NULL;
    rc = scaler_alloc(ctx, st->n_features, &s);
    if (rc != CIP_OK)
        return rc;
    size_t bytes = st->n_features * sizeof(double);
    memcpy(s->mean, st->mean, bytes);
    memcpy(s->var, st->var, bytes);
    memcpy(s->scale, st->scale, bytes);
    s->n_samples = st->n_samples;
    rc = scaler_set_names(ctx, s, st->names);
    if (rc != CIP_OK) {
        cip_scaler_free(s);
        return rc;
    }
    *out = s;
    return CIP_OK;
}

cip_status cip_scaler_clone(cip_ctx *ctx, const cip_scaler *s, cip_scaler **out)
{
    *out = NULL;
    if (s == NULL || s->magic != SCALER_MAGIC)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "scaler clone: invalid scaler");
    cip_scaler_state st;
    cip_scaler_state_get(s, &st);
    return cip_scaler_new(ctx, &st, out);
}

void cip_scaler_state_get(const cip_scaler *s, cip_scaler_state *st)
{
    st->n_features = s->d;
    st->mean = s->mean;
    st->var = s->var;
    st->scale = s->scale;
    st->names = (const char *const *)s->names;
    st->n_samples = s->n_samples;
}

size_t cip_scaler_n_features(const cip_scaler *s)
{
    return s != NULL ? s->d : 0;
}

const char *cip_scaler_feature_name(const cip_scaler *s, size_t j)
{
    if (s == NULL || s->names == NULL || j >= s->d)
        return NULL;
    return s->names[j];
}

static cip_status check_apply(cip_ctx *ctx, const cip_scaler *s, const cip_colmat *x,
                              double *const *out_cols, const char *what)
{
    if (s == NULL || s->magic != SCALER_MAGIC || x == NULL || out_cols == NULL ||
        (x->cols == NULL && x->n_cols > 0))
        return cipi_fail(ctx, CIP_ERR_MISUSE, "scaler %s: invalid scaler or matrix", what);
    if (x->n_cols != s->d)
        return cipi_fail(ctx, CIP_ERR_SCHEMA, "scaler %s: %zu columns given, the scaler has %zu",
                         what, x->n_cols, s->d);
    return CIP_OK;
}

cip_status cip_scaler_transform(cip_ctx *ctx, const cip_scaler *s, const cip_colmat *x,
                                double *const *out_cols)
{
    cip_status rc = check_apply(ctx, s, x, out_cols, "transform");
    if (rc != CIP_OK)
        return rc;
    for (size_t j = 0; j < s->d; j++) {
        const double *in = x->cols[j];
        double *o = out_cols[j];
        double m = s->mean[j], sc = s->scale[j];
        for (size_t i = 0; i < x->n_rows; i++)
            o[i] = (in[i] - m) / sc;
    }
    return CIP_OK;
}

cip_status cip_scaler_inverse(cip_ctx *ctx, const cip_scaler *s, const cip_colmat *x,
                              double *const *out_cols)
{
    cip_status rc = check_apply(ctx, s, x, out_cols, "inverse");
    if (rc != CIP_OK)
        return rc;
    for (size_t j = 0; j < s->d; j++) {
        const double *in = x->cols[j];
        double *o = out_cols[j];
        double m = s->mean[j], sc = s->scale[j];
        for (size_t i = 0; i < x->n_rows; i++)
            o[i] = in[i] * sc + m;
    }
    return CIP_OK;
}

void cip_scaler_transform_row(const cip_scaler *s, const double *in, double *out)
{
    for (size_t j = 0; j < s->d; j++)
        out[j] = (in[j] - s->mean[j]) / s->scale[j];
}

void cip_scaler_inverse_row(const cip_scaler *s, const double *in, double *out)
{
    for (size_t j = 0; j < s->d; j++)
        out[j] = in[j] * s->scale[j] + s->mean[j];
}
