/* stats_int.h - helpers shared by the files of src/stats (never installed)
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_STATS_INT_H
#define CIP_STATS_INT_H

#include <stddef.h>

#include "cip/stats.h"
#include "cipi.h"

/* Sort x[0..n) ascending in place (introsort: quicksort with median-of-3
 * pivots, heapsort past 2 log2 n levels, insertion sort for short runs).
 * x must not contain NaN. No allocation, O(n log n) worst case. */
CIP_INTERNAL void cipi_stats_sort(double *x, size_t n);

/* Index of the first NaN in x[0..n), or n when there is none. */
CIP_INTERNAL size_t cipi_stats_find_nan(const double *x, size_t n);

/* Mean of x (pairwise sum / n) clamped to [min x, max x], so a constant
 * array has exactly its value as mean. n >= 1, no NaN. */
CIP_INTERNAL double cipi_stats_mean_clamped(const double *x, size_t n);

/* Pearson correlation of validated, finite x and y (NaN when n < 2 or
 * either is constant). */
CIP_INTERNAL double cipi_stats_pearson(const double *x, const double *y, size_t n);

#endif /* CIP_STATS_INT_H */
