/* order.c - order statistics: quantiles, average ranks, Spearman correlation
 *
 * Quantiles follow numpy's "linear" method (Hyndman & Fan 1996, type 7)
 * operation for operation: virtual index h = (n-1) q, neighbours
 * floor(h) and floor(h)+1, and numpy's _lerp, which interpolates from the
 * upper neighbour when the weight is >= 0.5 so that q = 1 lands exactly on
 * the maximum.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "stats_int.h"

/* Quantile q of sorted s[0..n), n >= 1, as numpy.quantile(method="linear"). */
static double quantile_sorted(const double *s, size_t n, double q)
{
    double vi = (double)(n - 1) * q;
    size_t lo, hi;
    double gamma;
    if (vi >= (double)(n - 1)) {
        /* numpy marks the previous index as -1 (the last element) here and
         * computes the weight from it; the result is the maximum */
        lo = hi = n - 1;
        gamma = vi + 1.0;
    } else {
        double prev = floor(vi);
        lo = (size_t)prev;
        hi = lo + 1;
        gamma = vi - prev;
    }
    double a = s[lo], b = s[hi];
    double diff = b - a;
    if (gamma >= 0.5)
        return b - diff * (1.0 - gamma);
    return a + diff * gamma;
}

static cip_status check_q(cip_ctx *ctx, const double *q, size_t nq)
{
    for (size_t k = 0; k < nq; k++)
        if (!(q[k] >= 0.0 && q[k] <= 1.0))
            return cipi_fail(ctx, CIP_ERR_INVALID, "quantile: q[%zu] = %g is outside [0, 1]", k,
                             q[k]);
    return CIP_OK;
}

cip_status cip_stats_quantiles_inplace(cip_ctx *ctx, double *x, size_t n, const double *q,
                                       size_t nq, double *out)
{
    if (n == 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "quantile: no values");
    size_t bad = cipi_stats_find_nan(x, n);
    if (bad < n)
        return cipi_fail(ctx, CIP_ERR_INVALID, "quantile: x[%zu] is NaN", bad);
    cipi_stats_sort(x, n);
    cip_status rc = check_q(ctx, q, nq);
    if (rc != CIP_OK)
        return rc;
    for (size_t k = 0; k < nq; k++)
        out[k] = quantile_sorted(x, n, q[k]);
    return CIP_OK;
}

cip_status cip_stats_quantiles(cip_ctx *ctx, const double *x, size_t n, const double *q, size_t nq,
                               double *out)
{
    if (n == 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "quantile: no values");
    cip_status rc = check_q(ctx, q, nq);
    if (rc != CIP_OK)
        return rc;
    double *s = cipi_mallocarray(ctx, n, sizeof *s);
    if (s == NULL)
        return CIP_ERR_NOMEM;
    memcpy(s, x, n * sizeof *s);
    rc = cip_stats_quantiles_inplace(ctx, s, n, q, nq, out);
    cipi_free(ctx, s);
    return rc;
}

cip_status cip_stats_rank(cip_ctx *ctx, const double *x, size_t n, double *out)
{
    if (n == 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "rank: no values");
    size_t *idx = cipi_mallocarray(ctx, n, sizeof *idx);
    if (idx == NULL)
        return CIP_ERR_NOMEM;
    cip_status rc = cip_stats_argsort(ctx, x, n, idx);
    if (rc != CIP_OK)
        goto done;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && x[idx[j]] == x[idx[i]])
            j++;
        /* positions i+1 .. j share their mean; exact in binary */
        double r = (double)(i + 1 + j) / 2.0;
        for (size_t k = i; k < j; k++)
            out[idx[k]] = r;
        i = j;
    }
done:
    cipi_free(ctx, idx);
    return rc;
}

cip_status cip_stats_spearman(cip_ctx *ctx, const double *x, const double *y, size_t n, double *out)
{
    if (n == 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "spearman: no values");
    size_t bad = cipi_stats_find_nan(x, n);
    if (bad < n)
        return cipi_fail(ctx, CIP_ERR_INVALID, "spearman: x[%zu] is NaN", bad);
    bad = cipi_stats_find_nan(y, n);
    if (bad < n)
        return cipi_fail(ctx, CIP_ERR_INVALID, "spearman: y[%zu] is NaN", bad);
    cip_status rc = CIP_OK;
    double *rx = cipi_mallocarray(ctx, n, 2 * sizeof *rx);
    if (rx == NULL)
        return CIP_ERR_NOMEM;
    double *ry = rx + n;
    rc = cip_stats_rank(ctx, x, n, rx);
    if (rc == CIP_OK)
        rc = cip_stats_rank(ctx, y, n, ry);
    if (rc == CIP_OK)
        *out = cipi_stats_pearson(rx, ry, n);
    cipi_free(ctx, rx);
    return rc;
}
