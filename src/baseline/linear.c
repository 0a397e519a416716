/* linear.c - design matrices, Cholesky, standardisation and ridge regression
 *
 * Ridge follows scikit-learn's Ridge(fit_intercept=True, solver="cholesky"):
 * centre X and y by their (weighted) means, solve (Xc' W Xc + alpha I) c =
 * Xc' W yc, then b = mean(y) - mean(X) . c, so the intercept is not penalised.
 * The normal equations are well conditioned enough in double precision for the
 * small, centred problems baselines see; alpha > 0 makes them definite.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "baseline_int.h"

static cip_status design_column(cip_ctx *ctx, const cip_frame *x, size_t j, double *col)
{
    const char *name = cip_frame_col_name(x, j);
    if (cip_frame_col_type(x, j) == CIP_TYPE_CAT)
        return cipi_fail(ctx, CIP_ERR_SCHEMA,
                         "column '%s' is categorical: one-hot encode it before a linear baseline",
                         name);
    size_t miss = cip_frame_n_missing(x, j), n = cip_frame_n_rows(x);
    if (miss > 0)
        return cipi_fail(ctx, CIP_ERR_SCHEMA,
                         "column '%s' has %zu missing values: impute or drop them first", name,
                         miss);
    cip_frame_get_col(x, j, col);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(col[i]))
            return cipi_fail(ctx, CIP_ERR_SCHEMA, "column '%s' has a non-finite value at row %zu",
                             name, i);
    return CIP_OK;
}

cip_status cipi_baseline_design(cip_ctx *ctx, const cip_frame *x, const char *const *names,
                                size_t p, double **out)
{
    size_t n = cip_frame_n_rows(x), cells;
    *out = NULL;
    if (!cipi_mul_ok(n, p, &cells))
        return cipi_fail(ctx, CIP_ERR_LIMIT, "design matrix of %zu x %zu is too large", n, p);
    double *X = cipi_mallocarray(ctx, cells ? cells : 1, sizeof *X);
    if (X == NULL)
        return CIP_ERR_NOMEM;
    cip_status rc = CIP_OK;
    for (size_t q = 0; rc == CIP_OK && q < p; q++) {
        size_t j = q;
        if (names != NULL)
            rc = cip_frame_find(ctx, x, names[q], &j);
        if (rc == CIP_OK)
            rc = design_column(ctx, x, j, X + q * n);
        else
            rc = cipi_fail(ctx, CIP_ERR_SCHEMA, "column '%s' used at fit time is absent", names[q]);
    }
    if (rc != CIP_OK) {
        cipi_free(ctx, X);
        return rc;
    }
    *out = X;
    return CIP_OK;
}

bool cipi_baseline_cholesky(double *a, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        double d = a[j * n + j];
        for (size_t k = 0; k < j; k++)
            d -= a[j * n + k] * a[j * n + k];
        if (!(d > 0.0) || !isfinite(d))
            return false;
        d = sqrt(d);
        a[j * n + j] = d;
        for (size_t i = j + 1; i < n; i++) {
            double s = a[i * n + j];
            for (size_t k = 0; k < j; k++)
                s -= a[i * n + k] * a[j * n + k];
            a[i * n + j] = s / d;
        }
    }
    return true;
}

void cipi_baseline_chol_solve(const double *l, size_t n, double *b)
{
    for (size_t i = 0; i < n; i++) {
        double s = b[i];
        for (size_t k = 0; k < i; k++)
            s -= l[i * n + k] * b[k];
        b[i] = s / l[i * n + i];
    }
    for (size_t i = n; i-- > 0;) {
        double s = b[i];
        for (size_t k = i + 1; k < n; k++)
            s -= l[k * n + i] * b[k];
        b[i] = s / l[i * n + i];
    }
}

void cipi_baseline_standardize(double *x, size_t n, size_t p, double *mean, double *scale)
{
    for (size_t j = 0; j < p; j++) {
        double *c = x + j * n, m = 0.0, ss = 0.0;
        for (size_t i = 0; i < n; i++)
            m += c[i];
        m /= (double)n;
        for (size_t i = 0; i < n; i++)
            ss += (c[i] - m) * (c[i] - m);
        double sd = sqrt(ss / (double)n);
        /* StandardScaler leaves (near-)constant columns unscaled. */
        if (sd < 10.0 * 2.220446049250313e-16 * (fabs(m) > 1.0 ? fabs(m) : 1.0))
            sd = 1.0;
        mean[j] = m;
        scale[j] = sd;
        for (size_t i = 0; i < n; i++)
            c[i] = (c[i] - m) / sd;
    }
}

/* Weighted column means of x and the mean of y; returns the weight sum. */
static double weighted_means(const double *x, size_t n, size_t p, const double *y, const double *w,
                             double *xm, double *ym)
{
    double sw = 0.0, sy = 0.0;
    for (size_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1.0;
        sw += wi;
        sy += wi * y[i];
    }
    for (size_t j = 0; j < p; j++) {
        double s = 0.0;
        for (size_t i = 0; i < n; i++)
            s += (w ? w[i] : 1.0) * x[j * n + i];
        xm[j] = s / sw;
    }
    *ym = sy / sw;
    return sw;
}

/* Map coefficients fitted on standardised columns back to the original scale. */
static void unstandardize(double *coef, double *intercept, size_t p, const double *mean,
                          const double *scale)
{
    for (size_t j = 0; j < p; j++) {
        coef[j] /= scale[j];
        *intercept -= coef[j] * mean[j];
    }
}

cip_status cipi_baseline_fit_ridge(cip_ctx *ctx, double *x, size_t n, size_t p, const double *y,
                                   const double *w, const cip_baseline_params *prm, cip_baseline *m)
{
    cip_status rc = CIP_ERR_NOMEM;
    double *xm = cipi_calloc(ctx, p + 1, sizeof *xm);
    double *sc = cipi_calloc(ctx, p + 1, sizeof *sc);
    double *mu = cipi_calloc(ctx, p + 1, sizeof *mu);
    double *a = cipi_calloc(ctx, p * p + 1, sizeof *a);
    if (xm == NULL || sc == NULL || mu == NULL || a == NULL)
        goto done;
    if (prm->standardize)
        cipi_baseline_standardize(x, n, p, mu, sc);
    double ym;
    weighted_means(x, n, p, y, w, xm, &ym);
    for (size_t j = 0; j < p; j++)
        for (size_t i = 0; i < n; i++)
            x[j * n + i] -= xm[j];
    for (size_t j = 0; j < p; j++) {
        const double *cj = x + j * n;
        double b = 0.0;
        for (size_t i = 0; i < n; i++)
            b += (w ? w[i] : 1.0) * cj[i] * (y[i] - ym);
        m->coef[j] = b;
        for (size_t k = 0; k <= j; k++) {
            const double *ck = x + k * n;
            double s = 0.0;
            for (size_t i = 0; i < n; i++)
                s += (w ? w[i] : 1.0) * cj[i] * ck[i];
            a[j * p + k] = s;
        }
        a[j * p + j] += prm->alpha;
    }
    if (!cipi_baseline_cholesky(a, p)) {
        rc = cipi_fail(ctx, CIP_ERR_INVALID,
                       "ridge: the normal equations are singular (alpha %g); raise alpha or "
                       "drop collinear columns",
                       prm->alpha);
        goto done;
    }
    cipi_baseline_chol_solve(a, p, m->coef);
    m->intercept = ym;
    for (size_t j = 0; j < p; j++)
        m->intercept -= xm[j] * m->coef[j];
    if (prm->standardize)
        unstandardize(m->coef, &m->intercept, p, mu, sc);
    rc = CIP_OK;
done:
    cipi_free(ctx, xm);
    cipi_free(ctx, sc);
    cipi_free(ctx, mu);
    cipi_free(ctx, a);
    return rc;
}
