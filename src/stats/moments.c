/* moments.c - mean, variance, standard deviation, Pearson correlation
 *
 * Two-pass algorithms over pairwise sums (sum.c): the mean first, then the
 * sum of squared deviations from it, exactly as np.var does. Means are
 * clamped to [min, max]: rounding can otherwise push the mean of a constant
 * array off its value (np.mean([0.1]*3) is 0.10000000000000002), which would
 * give such an array a tiny non-zero variance.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>

#include "stats_int.h"

double cipi_stats_mean_clamped(const double *x, size_t n)
{
    double lo = x[0], hi = x[0];
    for (size_t i = 1; i < n; i++) {
        if (x[i] < lo)
            lo = x[i];
        if (x[i] > hi)
            hi = x[i];
    }
    double m = cip_stats_sum(x, n) / (double)n;
    return m < lo ? lo : (m > hi ? hi : m);
}

cip_status cip_stats_mean(cip_ctx *ctx, const double *x, size_t n, double *out)
{
    if (n == 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "mean: no values");
    size_t bad = cipi_stats_find_nan(x, n);
    if (bad < n)
        return cipi_fail(ctx, CIP_ERR_INVALID, "mean: x[%zu] is NaN", bad);
    *out = cipi_stats_mean_clamped(x, n);
    return CIP_OK;
}

/* Terms (a[i] - ma) * (b[i] - mb) for the pairwise sums. */
struct dev_prod {
    const double *a, *b;
    double ma, mb;
};

static void dev_prod_terms(const void *arg, size_t lo, size_t cnt, double *dst)
{
    const struct dev_prod *d = arg;
    for (size_t i = 0; i < cnt; i++)
        dst[i] = (d->a[lo + i] - d->ma) * (d->b[lo + i] - d->mb);
}

static double sum_dev_prod(const double *a, double ma, const double *b, double mb, size_t n)
{
    struct dev_prod d = {a, b, ma, mb};
    return cip_stats_sum_terms(n, dev_prod_terms, &d);
}

cip_status cip_stats_var(cip_ctx *ctx, const double *x, size_t n, size_t ddof, double *out)
{
    if (n <= ddof)
        return cipi_fail(ctx, CIP_ERR_INVALID, "variance: %zu value(s) are too few for ddof %zu", n,
                         ddof);
    size_t bad = cipi_stats_find_nan(x, n);
    if (bad < n)
        return cipi_fail(ctx, CIP_ERR_INVALID, "variance: x[%zu] is NaN", bad);
    double m = cipi_stats_mean_clamped(x, n);
    *out = sum_dev_prod(x, m, x, m, n) / (double)(n - ddof);
    return CIP_OK;
}

cip_status cip_stats_std(cip_ctx *ctx, const double *x, size_t n, size_t ddof, double *out)
{
    double v = 0.0;
    cip_status rc = cip_stats_var(ctx, x, n, ddof, &v);
    if (rc != CIP_OK)
        return rc;
    *out = sqrt(v);
    return CIP_OK;
}

double cipi_stats_pearson(const double *x, const double *y, size_t n)
{
    if (n < 2)
        return (double)NAN;
    double mx = cipi_stats_mean_clamped(x, n);
    double my = cipi_stats_mean_clamped(y, n);
    double sxx = sum_dev_prod(x, mx, x, mx, n);
    double syy = sum_dev_prod(y, my, y, my, n);
    if (sxx == 0.0 || syy == 0.0)
        return (double)NAN;
    double sxy = sum_dev_prod(x, mx, y, my, n);
    /* sqrt each factor: sxx * syy could overflow or underflow */
    double r = sxy / (sqrt(sxx) * sqrt(syy));
    return r > 1.0 ? 1.0 : (r < -1.0 ? -1.0 : r);
}

static cip_status check_finite(cip_ctx *ctx, const char *what, const char *name, const double *v,
                               size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return cipi_fail(ctx, CIP_ERR_INVALID, "%s: %s[%zu] = %g is not finite", what, name, i,
                             v[i]);
    return CIP_OK;
}

cip_status cip_stats_pearson(cip_ctx *ctx, const double *x, const double *y, size_t n, double *out)
{
    if (n == 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "pearson: no values");
    cip_status rc = check_finite(ctx, "pearson", "x", x, n);
    if (rc == CIP_OK)
        rc = check_finite(ctx, "pearson", "y", y, n);
    if (rc != CIP_OK)
        return rc;
    *out = cipi_stats_pearson(x, y, n);
    return CIP_OK;
}
