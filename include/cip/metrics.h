/* cip/metrics.h - model-evaluation metrics, compatible with scikit-learn 1.2
 *
 * Pure functions over caller arrays; each result equals what the named
 * scikit-learn function returns (same formulas, the same numpy summation
 * order, zero_division=0). Conventions for every function:
 *  - n >= 1 samples; values must be finite (NaN/inf: CIP_ERR_INVALID).
 *  - Class labels are uint32 codes (as cip_frame_codes()). Binary score
 *    metrics need y_true in {0, 1}; 1 is the positive class.
 *  - weight: NULL (every sample counts 1) or n finite values >= 0 with a
 *    positive sum ("sample_weight" in scikit-learn).
 *  - Outputs are written only on success. Functions that need scratch
 *    allocate it through ctx and free it before returning ("Allocates").
 * Thread-safety: reentrant; use one ctx per thread. Nothing runs in parallel.
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_METRICS_H
#define CIP_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "cip/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- regression (no allocation; errors: CIP_ERR_INVALID) ---------------------- */
/* Coefficient of determination (r2_score): 1 - SS_res / SS_tot. With a
 * constant y_true: 1.0 for perfect predictions, else 0.0 (force_finite);
 * constancy is detected exactly, where numpy's rounded mean can make
 * scikit-learn miss it (y_true = [0.1]*3). NaN when n == 1 (as scikit-learn). */
CIP_API cip_status cip_metric_r2(cip_ctx *ctx, const double *y_true, const double *y_pred,
                                 const double *weight, size_t n, double *out);
/* Mean squared error; rmse is its square root (squared=False). */
CIP_API cip_status cip_metric_mse(cip_ctx *ctx, const double *y_true, const double *y_pred,
                                  const double *weight, size_t n, double *out);
CIP_API cip_status cip_metric_rmse(cip_ctx *ctx, const double *y_true, const double *y_pred,
                                   const double *weight, size_t n, double *out);
/* Mean absolute error. */
CIP_API cip_status cip_metric_mae(cip_ctx *ctx, const double *y_true, const double *y_pred,
                                  const double *weight, size_t n, double *out);
/* Mean of |y_pred - y_true| / max(|y_true|, DBL_EPSILON), a fraction, not
 * percent (mean_absolute_percentage_error): huge when some y_true is 0. */
CIP_API cip_status cip_metric_mape(cip_ctx *ctx, const double *y_true, const double *y_pred,
                                   const double *weight, size_t n, double *out);
/* explained_variance_score: 1 - Var(y_true - y_pred) / Var(y_true), with
 * r2's conventions for a constant y_true (n == 1 gives 1.0). */
CIP_API cip_status cip_metric_explained_variance(cip_ctx *ctx, const double *y_true,
                                                 const double *y_pred, const double *weight,
                                                 size_t n, double *out);
/* max |y_true - y_pred| (scikit-learn has no weights here). */
CIP_API cip_status cip_metric_max_error(cip_ctx *ctx, const double *y_true, const double *y_pred,
                                        size_t n, double *out);

/* All regression metrics at once. */
typedef struct cip_regression_metrics {
    double r2, mse, rmse, mae, mape, explained_variance, max_error; /* as above */
} cip_regression_metrics;
CIP_API cip_status cip_metric_regression(cip_ctx *ctx, const double *y_true, const double *y_pred,
                                         const double *weight, size_t n,
                                         cip_regression_metrics *out);

/* --- classification from predicted labels -------------------------------------- */
typedef enum cip_average {
    CIP_AVERAGE_BINARY = 0,  /* the pos_label class only; at most 2 labels may occur */
    CIP_AVERAGE_MICRO = 1,   /* from counts pooled over the classes */
    CIP_AVERAGE_MACRO = 2,   /* unweighted mean over the classes */
    CIP_AVERAGE_WEIGHTED = 3 /* mean weighted by each class's true support */
} cip_average;

typedef struct cip_class_opts {
    uint32_t n_classes;   /* labels must be < n_classes; >= 2; default 2 */
    cip_average average;  /* precision/recall/F1 averaging; default BINARY */
    uint32_t pos_label;   /* positive class for BINARY, < n_classes; default 1 */
    const double *weight; /* borrowed sample weights or NULL (default) */
} cip_class_opts;

CIP_API void cip_class_opts_default(cip_class_opts *o);

/* Fraction of y_pred[i] == y_true[i] (accuracy_score); any label values. */
CIP_API cip_status cip_metric_accuracy(cip_ctx *ctx, const uint32_t *y_true, const uint32_t *y_pred,
                                       const double *weight, size_t n, double *out);

typedef struct cip_prf {
    double precision; /* tp / (tp + fp), 0 when nothing was predicted */
    double recall;    /* tp / (tp + fn), 0 when the class never occurs */
    double f1;        /* 2 p r / (p + r), 0 when p + r == 0 */
} cip_prf;

/* Precision, recall and F1 (precision_recall_fscore_support with
 * zero_division=0). MICRO/MACRO/WEIGHTED average over the classes occurring
 * in y_true or y_pred (scikit-learn's labels=None). opts NULL = defaults.
 * Errors: CIP_ERR_INVALID (label >= n_classes; BINARY with a third label or
 * with pos_label not among two occurring labels), CIP_ERR_NOMEM.
 * Allocates: 3 doubles per class. */
CIP_API cip_status cip_metric_prf(cip_ctx *ctx, const uint32_t *y_true, const uint32_t *y_pred,
                                  size_t n, const cip_class_opts *opts, cip_prf *out);
/* One field of cip_metric_prf (precision_score, recall_score, f1_score). */
CIP_API cip_status cip_metric_precision(cip_ctx *ctx, const uint32_t *y_true,
                                        const uint32_t *y_pred, size_t n,
                                        const cip_class_opts *opts, double *out);
CIP_API cip_status cip_metric_recall(cip_ctx *ctx, const uint32_t *y_true, const uint32_t *y_pred,
                                     size_t n, const cip_class_opts *opts, double *out);
CIP_API cip_status cip_metric_f1(cip_ctx *ctx, const uint32_t *y_true, const uint32_t *y_pred,
                                 size_t n, const cip_class_opts *opts, double *out);

/* Confusion matrix into out[n_classes * n_classes], row = true class,
 * column = predicted class (confusion_matrix(labels=range(n_classes))):
 * counts, or sums of weights. opts->average/pos_label are ignored.
 * Errors: CIP_ERR_INVALID. Allocates: no. */
CIP_API cip_status cip_metric_confusion_matrix(cip_ctx *ctx, const uint32_t *y_true,
                                               const uint32_t *y_pred, size_t n,
                                               const cip_class_opts *opts, double *out);

/* classification_report: one row per class occurring in y_true or y_pred. */
typedef struct cip_class_row {
    uint32_t label; /* class code */
    cip_prf prf;    /* precision, recall, F1 of this class */
    double support; /* occurrences in y_true (sum of weights when weighted) */
} cip_class_row;

typedef struct cip_class_report {
    size_t n_rows;             /* classes reported, in increasing label order */
    const cip_class_row *rows; /* n_rows rows; owned by the report */
    double accuracy;           /* micro precision (= accuracy), as scikit-learn */
    cip_prf macro;             /* "macro avg" */
    cip_prf weighted;          /* "weighted avg" */
    double support;            /* total support */
    int is_weighted;           /* 1 when sample weights were given */
} cip_class_report;

/* Build a report (opts->average/pos_label ignored). On CIP_OK *out owns it:
 * free with cip_class_report_free(). Errors: CIP_ERR_INVALID, CIP_ERR_NOMEM.
 * Allocates. */
CIP_API cip_status cip_class_report_new(cip_ctx *ctx, const uint32_t *y_true,
                                        const uint32_t *y_pred, size_t n,
                                        const cip_class_opts *opts, cip_class_report **out);
CIP_API void cip_class_report_free(cip_class_report *r); /* NULL is a no-op */

typedef struct cip_report_format {
    const char *const *names; /* names[label] for labels < n_names; others print the code */
    size_t n_names;           /* entries in names; default 0 */
    int digits;               /* decimals, 0..15; default 2 */
} cip_report_format;

CIP_API void cip_report_format_default(cip_report_format *f);
/* Render r as scikit-learn's text report (byte-identical when names match
 * target_names) into buf[size], NUL-terminated; *len (may be NULL) receives
 * the full length, excluding the NUL. fmt NULL = defaults. Errors:
 * CIP_ERR_INVALID (digits), CIP_ERR_LIMIT (size <= length; buf then holds
 * a truncated text). Allocates: no. */
CIP_API cip_status cip_class_report_format(cip_ctx *ctx, const cip_class_report *r,
                                           const cip_report_format *fmt, char *buf, size_t size,
                                           size_t *len);
/* As above into a new string; on CIP_OK *out owns it: free with
 * cip_class_report_string_free(ctx, s). Errors: CIP_ERR_NOMEM. Allocates. */
CIP_API cip_status cip_class_report_to_string(cip_ctx *ctx, const cip_class_report *r,
                                              const cip_report_format *fmt, char **out);
CIP_API void cip_class_report_string_free(cip_ctx *ctx, char *s); /* NULL: no-op */

/* --- binary scores and probabilities (y_true in {0, 1}) ------------------------ */
/* Area under the ROC curve (roc_auc_score): trapezoids over the distinct
 * thresholds, so tied scores count one half. Errors: CIP_ERR_INVALID (also
 * when y_true lacks a class with positive weight), CIP_ERR_NOMEM.
 * Allocates: O(n). */
CIP_API cip_status cip_metric_roc_auc(cip_ctx *ctx, const uint32_t *y_true, const double *score,
                                      const double *weight, size_t n, double *out);
/* Average precision (average_precision_score): sum over thresholds of
 * (R_k - R_k-1) P_k, no interpolation; 0 when y_true has no positive.
 * Errors/allocation as roc_auc. */
CIP_API cip_status cip_metric_average_precision(cip_ctx *ctx, const uint32_t *y_true,
                                                const double *score, const double *weight, size_t n,
                                                double *out);

/* Points of a curve. Owned: free with cip_curve_free(). */
typedef struct cip_curve {
    size_t n;                 /* points */
    const double *x;          /* ROC: false-positive rate; PR: recall */
    const double *y;          /* ROC: true-positive rate; PR: precision */
    const double *thresholds; /* n_thresholds decreasing (ROC) / increasing (PR) scores */
    size_t n_thresholds;      /* ROC: n; PR: n - 1 */
} cip_curve;

/* roc_curve(drop_intermediate=True): starts at (0, 0) with threshold
 * max(score) + 1, ends at (1, 1). Errors: CIP_ERR_INVALID (as roc_auc),
 * CIP_ERR_NOMEM. Allocates. */
CIP_API cip_status cip_metric_roc_curve(cip_ctx *ctx, const uint32_t *y_true, const double *score,
                                        const double *weight, size_t n, cip_curve **out);
/* precision_recall_curve: points by increasing threshold, then the final
 * point (recall 0, precision 1). Recall is 1 everywhere when y_true has no
 * positive (as scikit-learn). Errors as roc_curve without the two-class
 * rule. Allocates. */
CIP_API cip_status cip_metric_pr_curve(cip_ctx *ctx, const uint32_t *y_true, const double *score,
                                       const double *weight, size_t n, cip_curve **out);
CIP_API void cip_curve_free(cip_curve *c); /* NULL is a no-op */

/* Log loss of P(class 1) = proba[i] in [0, 1] (log_loss with labels [0, 1]):
 * probabilities are clipped to [eps, 1 - eps] with eps = DBL_EPSILON
 * (scikit-learn 1.2's eps="auto" for float64), then renormalised.
 * Errors: CIP_ERR_INVALID. Allocates: no. */
CIP_API cip_status cip_metric_log_loss(cip_ctx *ctx, const uint32_t *y_true, const double *proba,
                                       const double *weight, size_t n, double *out);
/* Multiclass log loss: proba is n rows of opts->n_classes values in [0, 1]
 * (row-major); rows are clipped and renormalised as above (labels =
 * range(n_classes)). Errors: CIP_ERR_INVALID. Allocates: no. */
CIP_API cip_status cip_metric_log_loss_multi(cip_ctx *ctx, const uint32_t *y_true,
                                             const double *proba, size_t n,
                                             const cip_class_opts *opts, double *out);
/* Brier score: mean of (y_true - proba)^2, proba in [0, 1]
 * (brier_score_loss). Errors: CIP_ERR_INVALID. Allocates: no. */
CIP_API cip_status cip_metric_brier(cip_ctx *ctx, const uint32_t *y_true, const double *proba,
                                    const double *weight, size_t n, double *out);

#ifdef __cplusplus
}
#endif
#endif /* CIP_METRICS_H */
