/* metrics_int.h - validation and class counting shared by src/metrics files
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_METRICS_INT_H
#define CIP_METRICS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "cip/metrics.h"
#include "cip/stats.h"
#include "cipi.h"

/* --- input checks (check.c); `what` names the metric in messages ---------- */
CIP_INTERNAL cip_status cipi_metrics_check_n(cip_ctx *ctx, const char *what, size_t n);
/* Every v[i] finite. */
CIP_INTERNAL cip_status cipi_metrics_check_finite(cip_ctx *ctx, const char *what, const char *name,
                                                  const double *v, size_t n);
/* NULL, or finite, >= 0 and with a positive sum. */
CIP_INTERNAL cip_status cipi_metrics_check_weight(cip_ctx *ctx, const char *what, const double *w,
                                                  size_t n);
/* Every y[i] < k. */
CIP_INTERNAL cip_status cipi_metrics_check_labels(cip_ctx *ctx, const char *what, const char *name,
                                                  const uint32_t *y, size_t n, uint32_t k);
/* Every p[i] finite and in [0, 1]. */
CIP_INTERNAL cip_status cipi_metrics_check_proba(cip_ctx *ctx, const char *what, const double *p,
                                                 size_t n);

/* psum(v[i] * w[i]) / psum(w), or psum(v) / n when w is NULL: np.average. */
CIP_INTERNAL double cipi_metrics_average(const double *v, const double *w, size_t n);
/* np.average over generated terms: fn fills terms (already multiplied by
 * the weights when w is given); divides by psum(w) or n. */
CIP_INTERNAL double cipi_metrics_average_terms(size_t n, cip_stats_term_fn fn, const void *arg,
                                               const double *w);

/* --- per-class counts (classify.c) ------------------------------------------ */
/* Counts as scikit-learn's multilabel_confusion_matrix leaves them: tp, and
 * pred/truth recomputed as tp + (pred - tp) and tp + (truth - tp). */
struct cipi_class_counts {
    uint32_t k;       /* classes */
    double *tp;       /* k true positives (or weight sums); owns the block */
    double *pred;     /* k predicted-as-class totals */
    double *truth;    /* k true-class totals (support) */
    uint8_t *present; /* k flags: class occurs in y_true or y_pred */
    uint32_t *labels; /* the n_present classes with present[c] set, increasing */
    size_t n_present; /* number of such classes */
};

/* Validate (labels < opts->n_classes, weights) and count. Allocates the
 * arrays of c; release with cipi_metrics_counts_release. */
CIP_INTERNAL cip_status cipi_metrics_counts(cip_ctx *ctx, const char *what, const uint32_t *y_true,
                                            const uint32_t *y_pred, size_t n,
                                            const cip_class_opts *o, struct cipi_class_counts *c);
CIP_INTERNAL void cipi_metrics_counts_release(cip_ctx *ctx, struct cipi_class_counts *c);
/* Precision/recall/F1 of class c alone. */
CIP_INTERNAL cip_prf cipi_metrics_class_prf(const struct cipi_class_counts *cc, uint32_t c);
/* Averaged over the present classes (MICRO, MACRO or WEIGHTED); MICRO's
 * precision is what classification_report calls accuracy. */
CIP_INTERNAL cip_prf cipi_metrics_avg_prf(const struct cipi_class_counts *cc, cip_average avg);

#endif /* CIP_METRICS_INT_H */
