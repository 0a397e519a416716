/* cip/stats.h - descriptive statistics, correlation, ranks, quantiles, sorting
 *
 * Pure functions over caller arrays of doubles. Results reproduce numpy 1.24
 * and pandas 1.5: sums use numpy's pairwise summation order (8 accumulators
 * over blocks of at most 128 values, halves split at multiples of 8, chunks
 * of 8192 values added in turn), which is accurate and deterministic, so
 * np.sum/np.mean/np.var values are matched to the last bit.
 * NaN inputs are rejected with CIP_ERR_INVALID; infinities are allowed.
 * Thread-safety: every function is reentrant; use one ctx per thread.
 * Allocation: only where a contract says "Allocates", always through ctx and
 * freed before returning. Nothing here runs in parallel.
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_STATS_H
#define CIP_STATS_H

#include <stddef.h>

#include "cip/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Writes terms lo .. lo+cnt-1 of a sequence into dst[0..cnt); cnt <= 128. */
typedef void (*cip_stats_term_fn)(const void *arg, size_t lo, size_t cnt, double *dst);

/* Pairwise sum of x[0..n) in numpy's order (equals np.sum(x) bit for bit).
 * n == 0 gives 0. Infallible; NaN/inf propagate. */
CIP_API double cip_stats_sum(const double *x, size_t n);
/* As cip_stats_sum over the n terms produced by fn(arg, ...), without
 * materialising them: fn is called once per block of at most 128 terms,
 * in increasing order. */
CIP_API double cip_stats_sum_terms(size_t n, cip_stats_term_fn fn, const void *arg);

/* Arithmetic mean (np.mean). Errors: CIP_ERR_INVALID (n == 0, NaN).
 * Allocates: no. */
CIP_API cip_status cip_stats_mean(cip_ctx *ctx, const double *x, size_t n, double *out);
/* Variance with ddof delta degrees of freedom, two-pass:
 * sum((x - mean)^2) / (n - ddof) (np.var(x, ddof=ddof); pandas .var() is
 * ddof 1). A constant x gives exactly 0.
 * Errors: CIP_ERR_INVALID (n <= ddof, NaN). Allocates: no. */
CIP_API cip_status cip_stats_var(cip_ctx *ctx, const double *x, size_t n, size_t ddof, double *out);
/* sqrt of cip_stats_var. Same errors. */
CIP_API cip_status cip_stats_std(cip_ctx *ctx, const double *x, size_t n, size_t ddof, double *out);

/* Quantiles q[0..nq) (each in [0, 1]) of unsorted x[0..n) with linear
 * interpolation between order statistics (Hyndman-Fan type 7, numpy's
 * default "linear" method, pandas .quantile()); out[k] = quantile q[k].
 * Errors: CIP_ERR_INVALID (n == 0, NaN in x, q outside [0, 1]),
 * CIP_ERR_NOMEM. Allocates: a copy of x (n doubles). */
CIP_API cip_status cip_stats_quantiles(cip_ctx *ctx, const double *x, size_t n, const double *q,
                                       size_t nq, double *out);
/* As cip_stats_quantiles, but sorts x in place (x is the caller's scratch
 * buffer; on return it is sorted ascending, also on an invalid q).
 * Allocates: no. Errors: CIP_ERR_INVALID. */
CIP_API cip_status cip_stats_quantiles_inplace(cip_ctx *ctx, double *x, size_t n, const double *q,
                                               size_t nq, double *out);

/* Stable ascending argsort: idx[0..n) receives a permutation of 0..n-1 with
 * x[idx[0]] <= x[idx[1]] <= ..., equal values keeping their input order
 * (np.argsort(x, kind="stable")); -0.0 and 0.0 are equal. O(n) LSD radix
 * sort on the bit patterns, insertion sort for n <= 32.
 * Errors: CIP_ERR_INVALID (NaN), CIP_ERR_NOMEM.
 * Allocates: 24 bytes per element plus 96 KiB when n > 32. */
CIP_API cip_status cip_stats_argsort(cip_ctx *ctx, const double *x, size_t n, size_t *idx);

/* Average ranks (1-based; ties share the mean of their positions), as pandas
 * Series.rank(method="average") and scipy.stats.rankdata; out[i] is the rank
 * of x[i]. Errors: CIP_ERR_INVALID (n == 0, NaN), CIP_ERR_NOMEM.
 * Allocates: as cip_stats_argsort plus n indices. */
CIP_API cip_status cip_stats_rank(cip_ctx *ctx, const double *x, size_t n, double *out);

/* Pearson correlation of x and y (two-pass, clipped to [-1, 1]). *out is NaN
 * when n < 2 or either input is constant (as numpy/pandas).
 * Errors: CIP_ERR_INVALID (n == 0, NaN or inf). Allocates: no. */
CIP_API cip_status cip_stats_pearson(cip_ctx *ctx, const double *x, const double *y, size_t n,
                                     double *out);
/* Spearman rank correlation: Pearson correlation of the average ranks
 * (scipy.stats.spearmanr, pandas corr(method="spearman")). NaN as Pearson.
 * Errors: CIP_ERR_INVALID (n == 0, NaN), CIP_ERR_NOMEM.
 * Allocates: 2n ranks plus the sort scratch. */
CIP_API cip_status cip_stats_spearman(cip_ctx *ctx, const double *x, const double *y, size_t n,
                                      double *out);

#ifdef __cplusplus
}
#endif
#endif /* CIP_STATS_H */
