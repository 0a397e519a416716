/* check.c - input validation and weighted averages shared by the metrics
 *
 * Messages name the metric and the first offending element, e.g.
 * "roc_auc: y_true[7] = 2 is not a binary label (0 or 1)".
 * SPDX-License-Identifier: MIT
 */
#include <math.h>

#include "metrics_int.h"

cip_status cipi_metrics_check_n(cip_ctx *ctx, const char *what, size_t n)
{
    if (n == 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "%s: no samples (n is 0)", what);
    return CIP_OK;
}

cip_status cipi_metrics_check_finite(cip_ctx *ctx, const char *what, const char *name,
                                     const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return cipi_fail(ctx, CIP_ERR_INVALID, "%s: %s[%zu] = %g is not finite", what, name, i,
                             v[i]);
    return CIP_OK;
}

cip_status cipi_metrics_check_weight(cip_ctx *ctx, const char *what, const double *w, size_t n)
{
    if (w == NULL)
        return CIP_OK;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(w[i]) || w[i] < 0.0)
            return cipi_fail(ctx, CIP_ERR_INVALID,
                             "%s: weight[%zu] = %g is not a finite value >= 0", what, i, w[i]);
    if (!(cip_stats_sum(w, n) > 0.0))
        return cipi_fail(ctx, CIP_ERR_INVALID, "%s: the weights sum to 0", what);
    return CIP_OK;
}

cip_status cipi_metrics_check_labels(cip_ctx *ctx, const char *what, const char *name,
                                     const uint32_t *y, size_t n, uint32_t k)
{
    for (size_t i = 0; i < n; i++) {
        if (y[i] >= k) {
            if (k == 2)
                return cipi_fail(ctx, CIP_ERR_INVALID,
                                 "%s: %s[%zu] = %u is not a binary label (0 or 1)", what, name, i,
                                 y[i]);
            return cipi_fail(ctx, CIP_ERR_INVALID, "%s: %s[%zu] = %u is not a class label below %u",
                             what, name, i, y[i], k);
        }
    }
    return CIP_OK;
}

cip_status cipi_metrics_check_proba(cip_ctx *ctx, const char *what, const double *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!(p[i] >= 0.0 && p[i] <= 1.0))
            return cipi_fail(ctx, CIP_ERR_INVALID, "%s: probability[%zu] = %g is outside [0, 1]",
                             what, i, p[i]);
    return CIP_OK;
}

struct wprod {
    const double *v, *w;
};

static void wprod_terms(const void *arg, size_t lo, size_t cnt, double *dst)
{
    const struct wprod *t = arg;
    for (size_t i = 0; i < cnt; i++)
        dst[i] = t->v[lo + i] * t->w[lo + i];
}

double cipi_metrics_average(const double *v, const double *w, size_t n)
{
    if (w == NULL)
        return cip_stats_sum(v, n) / (double)n;
    struct wprod t = {v, w};
    return cip_stats_sum_terms(n, wprod_terms, &t) / cip_stats_sum(w, n);
}

double cipi_metrics_average_terms(size_t n, cip_stats_term_fn fn, const void *arg, const double *w)
{
    double s = cip_stats_sum_terms(n, fn, arg);
    return w == NULL ? s / (double)n : s / cip_stats_sum(w, n);
}
