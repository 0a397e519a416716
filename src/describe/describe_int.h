/* describe_int.h - internals of the describe module
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_DESCRIBE_INT_H
#define CIP_DESCRIBE_INT_H

#include "cip/describe.h"
#include "cipi.h"

/* Rearrange x[lo..hi) so that x[k] holds the value of rank k within it, with
 * no larger value before and no smaller value after. lo <= k < hi. */
CIP_INTERNAL void cipi_describe_select(double *x, size_t lo, size_t hi, size_t k);
/* Type-7 quantiles q[0..nq) (ascending, in [0, 1]) of x[0..n), n >= 1, as
 * numpy.quantile(method="linear"); x is rearranged. */
CIP_INTERNAL void cipi_describe_quantiles(double *x, size_t n, const double *q, size_t nq,
                                          double *out);

/* Buckets of the histogram path (integer-valued columns with a small range). */
#define CIPI_DESCRIBE_HIST 65536
/* As cipi_describe_quantiles for integer values x[i] in [mn, mn + range)
 * (range <= CIPI_DESCRIBE_HIST, n < 2^32) by counting into hist[range]:
 * O(n + range), x is not modified. */
CIP_INTERNAL void cipi_describe_quantiles_hist(const double *x, size_t n, double mn, uint32_t *hist,
                                               size_t range, const double *q, size_t nq,
                                               double *out);

/* As cipi_describe_quantiles for finite x[i] in [mn, mx] (mn < mx), q
 * ascending: counts the values into nb equal-width buckets (hist[nb] is
 * scratch), keeps only the buckets holding the needed ranks and selects in
 * those: two linear passes plus a small selection. x is rearranged. Returns
 * false, doing nothing, when it does not apply (n < nb / 4, n >= 2^31,
 * nq > 8, a degenerate range): use cipi_describe_quantiles then. */
CIP_INTERNAL bool cipi_describe_quantiles_band(double *x, size_t n, double mn, double mx,
                                               uint32_t *hist, size_t nb, const double *q,
                                               size_t nq, double *out);

#endif /* CIP_DESCRIBE_INT_H */
