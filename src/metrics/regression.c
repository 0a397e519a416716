/* regression.c - R², (R)MSE, MAE, MAPE, explained variance, max error
 *
 * Each metric is written as scikit-learn 1.2 computes it: np.average of a
 * per-sample term (weights multiply the terms, then divide by their sum),
 * with numpy's pairwise summation, so results agree to the last bit or two.
 * One deliberate difference: the means that R² and explained variance
 * subtract are clamped to [min, max] of the values that carry weight, so a
 * constant y_true is recognised exactly (numpy's mean of [0.1]*3 is
 * 0.10000000000000002, which makes scikit-learn's R² there a meaningless
 * -1e+30 instead of the documented 0.0 / 1.0 convention).
 * SPDX-License-Identifier: MIT
 */
#include <float.h>
#include <math.h>

#include "metrics_int.h"

enum reg_term {
    TERM_SQ_ERR,  /* (t - p)^2 */
    TERM_ABS_ERR, /* |p - t| */
    TERM_APE,     /* |p - t| / max(|t|, eps) */
    TERM_DIFF,    /* t - p */
    TERM_TRUE,    /* t */
    TERM_SQ_DEV,  /* (t - c)^2 */
    TERM_SQ_DDEV  /* ((t - p) - c)^2 */
};

struct reg_terms {
    const double *t, *p, *w; /* y_true, y_pred, weights (NULL = none) */
    double c;                /* centre for the deviation terms */
    enum reg_term kind;
};

static double reg_term(const struct reg_terms *r, size_t i)
{
    double t = r->t[i], d;
    switch (r->kind) {
    case TERM_SQ_ERR:
        d = t - r->p[i];
        return d * d;
    case TERM_ABS_ERR:
        return fabs(r->p[i] - t);
    case TERM_APE:
        return fabs(r->p[i] - t) / fmax(fabs(t), DBL_EPSILON);
    case TERM_DIFF:
        return t - r->p[i];
    case TERM_TRUE:
        return t;
    case TERM_SQ_DEV:
        d = t - r->c;
        return d * d;
    case TERM_SQ_DDEV:
        d = (t - r->p[i]) - r->c;
        return d * d;
    }
    return (double)NAN;
}

static void reg_fill(const void *arg, size_t lo, size_t cnt, double *dst)
{
    const struct reg_terms *r = arg;
    for (size_t i = 0; i < cnt; i++) {
        double v = reg_term(r, lo + i);
        dst[i] = r->w != NULL ? v * r->w[lo + i] : v;
    }
}

/* np.average of a term. */
static double reg_average(const double *t, const double *p, const double *w, size_t n,
                          enum reg_term kind, double c)
{
    struct reg_terms r = {t, p, w, c, kind};
    return cipi_metrics_average_terms(n, reg_fill, &r, w);
}

/* Plain (weighted) sum of a term, as r2_score's .sum(). */
static double reg_sum(const double *t, const double *p, const double *w, size_t n,
                      enum reg_term kind, double c)
{
    struct reg_terms r = {t, p, w, c, kind};
    return cip_stats_sum_terms(n, reg_fill, &r);
}

/* np.average of the term (TERM_TRUE or TERM_DIFF), clamped to the range of
 * the term over the samples with non-zero weight. */
static double clamped_mean(const double *t, const double *p, const double *w, size_t n,
                           enum reg_term kind)
{
    struct reg_terms r = {t, p, NULL, 0.0, kind};
    double lo = (double)INFINITY, hi = -(double)INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (w != NULL && w[i] == 0.0)
            continue;
        double v = reg_term(&r, i);
        lo = fmin(lo, v);
        hi = fmax(hi, v);
    }
    double m = reg_average(t, p, w, n, kind, 0.0);
    return m < lo ? lo : (m > hi ? hi : m);
}

static cip_status check_reg(cip_ctx *ctx, const char *what, const double *y_true,
                            const double *y_pred, const double *weight, size_t n)
{
    cip_status rc = cipi_metrics_check_n(ctx, what, n);
    if (rc == CIP_OK)
        rc = cipi_metrics_check_finite(ctx, what, "y_true", y_true, n);
    if (rc == CIP_OK)
        rc = cipi_metrics_check_finite(ctx, what, "y_pred", y_pred, n);
    if (rc == CIP_OK)
        rc = cipi_metrics_check_weight(ctx, what, weight, n);
    return rc;
}

/* scikit-learn's force_finite rule shared by R² and explained variance. */
static double one_minus_ratio(double num, double den)
{
    if (num == 0.0)
        return 1.0;
    if (den == 0.0)
        return 0.0;
    return 1.0 - num / den;
}

cip_status cip_metric_r2(cip_ctx *ctx, const double *y_true, const double *y_pred,
                         const double *weight, size_t n, double *out)
{
    cip_status rc = check_reg(ctx, "r2", y_true, y_pred, weight, n);
    if (rc != CIP_OK)
        return rc;
    if (n < 2) {
        *out = (double)NAN; /* "not well-defined with less than two samples" */
        return CIP_OK;
    }
    double num = reg_sum(y_true, y_pred, weight, n, TERM_SQ_ERR, 0.0);
    double mean = clamped_mean(y_true, y_pred, weight, n, TERM_TRUE);
    double den = reg_sum(y_true, y_pred, weight, n, TERM_SQ_DEV, mean);
    *out = one_minus_ratio(num, den);
    return CIP_OK;
}

cip_status cip_metric_mse(cip_ctx *ctx, const double *y_true, const double *y_pred,
                          const double *weight, size_t n, double *out)
{
    cip_status rc = check_reg(ctx, "mse", y_true, y_pred, weight, n);
    if (rc == CIP_OK)
        *out = reg_average(y_true, y_pred, weight, n, TERM_SQ_ERR, 0.0);
    return rc;
}

cip_status cip_metric_rmse(cip_ctx *ctx, const double *y_true, const double *y_pred,
                           const double *weight, size_t n, double *out)
{
    cip_status rc = check_reg(ctx, "rmse", y_true, y_pred, weight, n);
    if (rc == CIP_OK)
        *out = sqrt(reg_average(y_true, y_pred, weight, n, TERM_SQ_ERR, 0.0));
    return rc;
}

cip_status cip_metric_mae(cip_ctx *ctx, const double *y_true, const double *y_pred,
                          const double *weight, size_t n, double *out)
{
    cip_status rc = check_reg(ctx, "mae", y_true, y_pred, weight, n);
    if (rc == CIP_OK)
        *out = reg_average(y_true, y_pred, weight, n, TERM_ABS_ERR, 0.0);
    return rc;
}

cip_status cip_metric_mape(cip_ctx *ctx, const double *y_true, const double *y_pred,
                           const double *weight, size_t n, double *out)
{
    cip_status rc = check_reg(ctx, "mape", y_true, y_pred, weight, n);
    if (rc == CIP_OK)
        *out = reg_average(y_true, y_pred, weight, n, TERM_APE, 0.0);
    return rc;
}

cip_status cip_metric_explained_variance(cip_ctx *ctx, const double *y_true, const double *y_pred,
                                         const double *weight, size_t n, double *out)
{
    cip_status rc = check_reg(ctx, "explained_variance", y_true, y_pred, weight, n);
    if (rc != CIP_OK)
        return rc;
    double diff_mean = clamped_mean(y_true, y_pred, weight, n, TERM_DIFF);
    double num = reg_average(y_true, y_pred, weight, n, TERM_SQ_DDEV, diff_mean);
    double true_mean = clamped_mean(y_true, y_pred, weight, n, TERM_TRUE);
    double den = reg_average(y_true, y_pred, weight, n, TERM_SQ_DEV, true_mean);
    *out = one_minus_ratio(num, den);
    return CIP_OK;
}

cip_status cip_metric_max_error(cip_ctx *ctx, const double *y_true, const double *y_pred, size_t n,
                                double *out)
{
    cip_status rc = check_reg(ctx, "max_error", y_true, y_pred, NULL, n);
    if (rc != CIP_OK)
        return rc;
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs(y_true[i] - y_pred[i]));
    *out = m;
    return CIP_OK;
}

cip_status cip_metric_regression(cip_ctx *ctx, const double *y_true, const double *y_pred,
                                 const double *weight, size_t n, cip_regression_metrics *out)
{
    cip_regression_metrics m;
    cip_status rc = cip_metric_r2(ctx, y_true, y_pred, weight, n, &m.r2);
    if (rc != CIP_OK)
        return rc; /* the other metrics share r2's checks */
    m.mse = reg_average(y_true, y_pred, weight, n, TERM_SQ_ERR, 0.0);
    m.rmse = sqrt(m.mse);
    m.mae = reg_average(y_true, y_pred, weight, n, TERM_ABS_ERR, 0.0);
    m.mape = reg_average(y_true, y_pred, weight, n, TERM_APE, 0.0);
    rc = cip_metric_explained_variance(ctx, y_true, y_pred, weight, n, &m.explained_variance);
    if (rc == CIP_OK)
        rc = cip_metric_max_error(ctx, y_true, y_pred, n, &m.max_error);
    if (rc == CIP_OK)
        *out = m;
    return rc;
}
