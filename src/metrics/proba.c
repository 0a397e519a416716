/* proba.c - log loss (binary and multiclass) and the Brier score
 *
 * scikit-learn 1.2's log_loss: clip every probability to [eps, 1 - eps]
 * with eps = np.finfo(float64).eps (eps="auto"; before 1.2 the default was
 * 1e-15), build the row [1 - p, p] for binary input, divide each row by its
 * sum, and average -log(p_true) with np.average.
 * SPDX-License-Identifier: MIT
 */
#include <float.h>
#include <math.h>

#include "metrics_int.h"

#define LOG_LOSS_EPS DBL_EPSILON

static double clip(double p)
{
    return fmin(fmax(p, LOG_LOSS_EPS), 1.0 - LOG_LOSS_EPS);
}

struct loss_terms {
    const uint32_t *y;
    const double *p; /* n values (binary) or n rows of k */
    const double *w;
    size_t k; /* 0 = binary */
};

static void clip_terms(const void *arg, size_t lo, size_t cnt, double *dst)
{
    const double *row = arg;
    for (size_t j = 0; j < cnt; j++)
        dst[j] = clip(row[lo + j]);
}

static double sample_loss(const struct loss_terms *t, size_t i)
{
    if (t->k == 0) {
        double p = clip(t->p[i]);
        double q = 1.0 - p;
        double s = q + p; /* the row sum np.sum([1 - p, p]) */
        return -log((t->y[i] ? p : q) / s);
    }
    const double *row = t->p + i * t->k;
    double s = cip_stats_sum_terms(t->k, clip_terms, row);
    return -log(clip(row[t->y[i]]) / s);
}

static void loss_fill(const void *arg, size_t lo, size_t cnt, double *dst)
{
    const struct loss_terms *t = arg;
    for (size_t i = lo; i < lo + cnt; i++) {
        double v = sample_loss(t, i);
        dst[i - lo] = t->w != NULL ? v * t->w[i] : v;
    }
}

static cip_status check_common(cip_ctx *ctx, const char *what, const uint32_t *y_true, size_t n,
                               uint32_t k, const double *weight)
{
    cip_status rc = cipi_metrics_check_n(ctx, what, n);
    if (rc == CIP_OK)
        rc = cipi_metrics_check_labels(ctx, what, "y_true", y_true, n, k);
    if (rc == CIP_OK)
        rc = cipi_metrics_check_weight(ctx, what, weight, n);
    return rc;
}

cip_status cip_metric_log_loss(cip_ctx *ctx, const uint32_t *y_true, const double *proba,
                               const double *weight, size_t n, double *out)
{
    cip_status rc = check_common(ctx, "log_loss", y_true, n, 2, weight);
    if (rc == CIP_OK)
        rc = cipi_metrics_check_proba(ctx, "log_loss", proba, n);
    if (rc != CIP_OK)
        return rc;
    struct loss_terms t = {y_true, proba, weight, 0};
    *out = cipi_metrics_average_terms(n, loss_fill, &t, weight);
    return CIP_OK;
}

cip_status cip_metric_log_loss_multi(cip_ctx *ctx, const uint32_t *y_true, const double *proba,
                                     size_t n, const cip_class_opts *opts, double *out)
{
    cip_class_opts def;
    if (opts == NULL) {
        cip_class_opts_default(&def);
        opts = &def;
    }
    uint32_t k = opts->n_classes;
    if (k < 2)
        return cipi_fail(ctx, CIP_ERR_INVALID, "log_loss: n_classes is %u; at least 2 are needed",
                         k);
    cip_status rc = check_common(ctx, "log_loss", y_true, n, k, opts->weight);
    size_t cells;
    if (rc == CIP_OK && !cipi_mul_ok(n, k, &cells))
        rc = cipi_fail(ctx, CIP_ERR_INVALID, "log_loss: %zu x %u probabilities overflow", n, k);
    if (rc == CIP_OK)
        rc = cipi_metrics_check_proba(ctx, "log_loss", proba, cells);
    if (rc != CIP_OK)
        return rc;
    struct loss_terms t = {y_true, proba, opts->weight, k};
    *out = cipi_metrics_average_terms(n, loss_fill, &t, opts->weight);
    return CIP_OK;
}

struct brier_terms {
    const uint32_t *y;
    const double *p, *w;
};

static void brier_fill(const void *arg, size_t lo, size_t cnt, double *dst)
{
    const struct brier_terms *t = arg;
    for (size_t i = lo; i < lo + cnt; i++) {
        double d = (t->y[i] ? 1.0 : 0.0) - t->p[i];
        dst[i - lo] = t->w != NULL ? d * d * t->w[i] : d * d;
    }
}

cip_status cip_metric_brier(cip_ctx *ctx, const uint32_t *y_true, const double *proba,
                            const double *weight, size_t n, double *out)
{
    cip_status rc = check_common(ctx, "brier", y_true, n, 2, weight);
    if (rc == CIP_OK)
        rc = cipi_metrics_check_proba(ctx, "brier", proba, n);
    if (rc != CIP_OK)
        return rc;
    struct brier_terms t = {y_true, proba, weight};
    *out = cipi_metrics_average_terms(n, brier_fill, &t, weight);
    return CIP_OK;
}
