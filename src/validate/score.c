/* score.c - the built-in scores used by cross-validation and search
 *
 * Definitions follow scikit-learn 1.2's scorers: r2 (1 for a perfect fit of a
 * constant target, else 0 when the target is constant), neg root mean squared
 * error, neg mean absolute error, accuracy, binary f1 (0 when undefined, as
 * zero_division="warn"), roc_auc (Mann-Whitney form with tied scores counted
 * half, equal to the trapezoidal ROC area), neg log loss (probabilities clipped
 * to [eps, 1 - eps], eps = DBL_EPSILON as sklearn's eps="auto").
 * These are private to validate until include/cip/metrics.h provides them.
 * SPDX-License-Identifier: MIT
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "validate_int.h"

static const char *const scorer_names[] = {"r2",
                                           "neg_root_mean_squared_error",
                                           "neg_mean_absolute_error",
                                           "accuracy",
                                           "f1",
                                           "roc_auc",
                                           "neg_log_loss",
                                           "custom"};

const char *cip_scorer_name(cip_scorer s)
{
    return (unsigned)s < CIP_ARRAY_LEN(scorer_names) ? scorer_names[s] : "unknown";
}

cip_status cip_scorer_parse(cip_ctx *ctx, const char *name, cip_scorer *out)
{
    for (size_t i = 0; i + 1 < CIP_ARRAY_LEN(scorer_names); i++)
        if (strcmp(name, scorer_names[i]) == 0) {
            *out = (cip_scorer)i;
            return CIP_OK;
        }
    if (strcmp(name, "neg_rmse") == 0) {
        *out = CIP_SCORE_NEG_RMSE;
        return CIP_OK;
    }
    if (strcmp(name, "neg_mae") == 0) {
        *out = CIP_SCORE_NEG_MAE;
        return CIP_OK;
    }
    return cipi_fail(ctx, CIP_ERR_INVALID,
                     "unknown scoring '%s' (known: r2, neg_root_mean_squared_error, "
                     "neg_mean_absolute_error, accuracy, f1, roc_auc, neg_log_loss)",
                     name);
}

cip_status cipi_score_check(cip_ctx *ctx, cip_scorer s, cip_output kind)
{
    if ((s == CIP_SCORE_ACCURACY || s == CIP_SCORE_F1) && kind == CIP_OUTPUT_VALUE)
        return cipi_fail(ctx, CIP_ERR_INVALID,
                         "scoring '%s' needs class predictions, not regression values",
                         cip_scorer_name(s));
    if (s == CIP_SCORE_NEG_LOG_LOSS && kind != CIP_OUTPUT_PROBA)
        return cipi_fail(ctx, CIP_ERR_INVALID, "scoring 'neg_log_loss' needs probabilities");
    if ((unsigned)s > CIP_SCORE_CUSTOM)
        return cipi_fail(ctx, CIP_ERR_INVALID, "unknown scorer %d", (int)s);
    return CIP_OK;
}

static double r2(const double *y, const double *p, size_t n)
{
    double mean = 0.0, ss_res = 0.0, ss_tot = 0.0;
    for (size_t i = 0; i < n; i++)
        mean += y[i];
    mean /= (double)n;
    for (size_t i = 0; i < n; i++) {
        ss_res += (y[i] - p[i]) * (y[i] - p[i]);
        ss_tot += (y[i] - mean) * (y[i] - mean);
    }
    if (ss_tot == 0.0)
        return ss_res == 0.0 ? 1.0 : 0.0;
    return 1.0 - ss_res / ss_tot;
}

static double label_of(cip_output kind, double p)
{
    return kind == CIP_OUTPUT_PROBA ? (p > 0.5 ? 1.0 : 0.0) : p;
}

static double f1(cip_output kind, const double *y, const double *p, size_t n)
{
    size_t tp = 0, fp = 0, fn = 0;
    for (size_t i = 0; i < n; i++) {
        int pos = label_of(kind, p[i]) == 1.0, truth = y[i] == 1.0;
        tp += pos && truth;
        fp += pos && !truth;
        fn += !pos && truth;
    }
    size_t den = 2 * tp + fp + fn;
    return den == 0 ? 0.0 : 2.0 * (double)tp / (double)den;
}

static double log_loss(const double *y, const double *p, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        double q = p[i] < DBL_EPSILON ? DBL_EPSILON : p[i];
        q = q > 1.0 - DBL_EPSILON ? 1.0 - DBL_EPSILON : q;
        s -= y[i] == 1.0 ? log(q) : log1p(-q);
    }
    return s / (double)n;
}

struct scored {
    double score; /* prediction */
    double truth; /* 1 for the positive class */
};

static int cmp_scored(const void *a, const void *b)
{
    double x = ((const struct scored *)a)->score, y = ((const struct scored *)b)->score;
    return (x > y) - (x < y);
}

/* Area under the ROC curve = P(score of a positive > score of a negative), ties
 * counting half: the average-rank Mann-Whitney statistic. */
static cip_status roc_auc(cip_ctx *ctx, const double *y, const double *p, size_t n, double *out)
{
    struct scored *v = cipi_mallocarray(ctx, n, sizeof *v);
    if (v == NULL)
        return CIP_ERR_NOMEM;
    double n_pos = 0.0, rank_sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        v[i].score = p[i];
        v[i].truth = y[i];
        n_pos += y[i] == 1.0;
    }
    qsort(v, n, sizeof *v, cmp_scored);
    for (size_t i = 0; i < n;) {
        size_t j = i, pos = 0;
        while (j < n && v[j].score == v[i].score)
            pos += v[j++].truth == 1.0;
        /* 1-based ranks i+1..j share their mean (i + 1 + j) / 2. */
        rank_sum += (double)pos * (double)(i + 1 + j) / 2.0;
        i = j;
    }
    cipi_free(ctx, v);
    double n_neg = (double)n - n_pos;
    if (n_pos == 0.0 || n_neg == 0.0)
        *out = (double)NAN;
    else
        *out = (rank_sum - n_pos * (n_pos + 1.0) / 2.0) / (n_pos * n_neg);
    return CIP_OK;
}

static cip_status check_binary(cip_ctx *ctx, cip_scorer s, const double *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (y[i] != 0.0 && y[i] != 1.0)
            return cipi_fail(ctx, CIP_ERR_INVALID,
                             "scoring '%s' needs a 0/1 target, found %g at row %zu",
                             cip_scorer_name(s), y[i], i);
    return CIP_OK;
}

cip_status cip_score(cip_ctx *ctx, cip_scorer s, cip_output kind, const double *y,
                     const double *pred, size_t n, double *out)
{
    cip_status rc = s == CIP_SCORE_CUSTOM
                        ? cipi_fail(ctx, CIP_ERR_INVALID, "cip_score cannot run a custom scorer")
                        : cipi_score_check(ctx, s, kind);
    if (rc == CIP_OK &&
        (s == CIP_SCORE_F1 || s == CIP_SCORE_ROC_AUC || s == CIP_SCORE_NEG_LOG_LOSS))
        rc = check_binary(ctx, s, y, n);
    if (rc != CIP_OK)
        return rc;
    double acc = 0.0;
    *out = (double)NAN;
    if (n == 0)
        return CIP_OK;
    switch (s) {
    case CIP_SCORE_R2:
        *out = r2(y, pred, n);
        break;
    case CIP_SCORE_NEG_RMSE:
    case CIP_SCORE_NEG_MAE:
        for (size_t i = 0; i < n; i++)
            acc +=
                s == CIP_SCORE_NEG_MAE ? fabs(y[i] - pred[i]) : (y[i] - pred[i]) * (y[i] - pred[i]);
        *out = s == CIP_SCORE_NEG_MAE ? -acc / (double)n : -sqrt(acc / (double)n);
        break;
    case CIP_SCORE_ACCURACY:
        for (size_t i = 0; i < n; i++)
            acc += label_of(kind, pred[i]) == y[i];
        *out = acc / (double)n;
        break;
    case CIP_SCORE_F1:
        *out = f1(kind, y, pred, n);
        break;
    case CIP_SCORE_ROC_AUC:
        return roc_auc(ctx, y, pred, n, out);
    case CIP_SCORE_NEG_LOG_LOSS:
        *out = -log_loss(y, pred, n);
        break;
    case CIP_SCORE_CUSTOM:
        break;
    }
    return CIP_OK;
}
