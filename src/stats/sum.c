/* sum.c - pairwise summation in numpy's order
 *
 * numpy reduces a contiguous float64 array with a pairwise scheme: blocks of
 * at most 128 values are summed with 8 interleaved accumulators combined as
 * ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)) plus a sequential tail; longer runs
 * are split in two at n/2 rounded down to a multiple of 8; and the reduction
 * walks the array in chunks of 8192 values (numpy's default ufunc buffer
 * size), adding each chunk's pairwise sum to a running total. Using the same
 * tree makes our sums, means and variances equal numpy's bit for bit; the
 * rounding error grows like O(log n) within a chunk and O(n / 8192) across
 * chunks instead of O(n) for a plain loop. The order never depends on
 * threads, so results are reproducible.
 * SPDX-License-Identifier: MIT
 */
#include "stats_int.h"

#define PW_BLOCK  128
#define PW_UNROLL 8
#define PW_CHUNK  8192 /* numpy's default ufunc buffer size */

/* Sum of a[0..n), n <= PW_BLOCK. */
static double leaf_sum(const double *a, size_t n)
{
    if (n < PW_UNROLL) {
        double res = 0.0;
        for (size_t i = 0; i < n; i++)
            res += a[i];
        return res;
    }
    double r[PW_UNROLL];
    for (size_t j = 0; j < PW_UNROLL; j++)
        r[j] = a[j];
    size_t i;
    for (i = PW_UNROLL; i < n - n % PW_UNROLL; i += PW_UNROLL)
        for (size_t j = 0; j < PW_UNROLL; j++)
            r[j] += a[i + j];
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++)
        res += a[i];
    return res;
}

/* Split point of a run of n > PW_BLOCK values. */
static size_t split_at(size_t n)
{
    size_t n2 = n / 2;
    return n2 - n2 % PW_UNROLL;
}

static double pairwise(const double *a, size_t n)
{
    if (n <= PW_BLOCK)
        return leaf_sum(a, n);
    size_t n2 = split_at(n);
    return pairwise(a, n2) + pairwise(a + n2, n - n2);
}

double cip_stats_sum(const double *x, size_t n)
{
    /* numpy starts the reduction from the identity 0 */
    double s = 0.0;
    for (size_t lo = 0; lo < n; lo += PW_CHUNK)
        s += pairwise(x + lo, n - lo < PW_CHUNK ? n - lo : PW_CHUNK);
    return s;
}

static double pairwise_terms(size_t lo, size_t n, cip_stats_term_fn fn, const void *arg)
{
    if (n <= PW_BLOCK) {
        double buf[PW_BLOCK];
        fn(arg, lo, n, buf);
        return leaf_sum(buf, n);
    }
    size_t n2 = split_at(n);
    return pairwise_terms(lo, n2, fn, arg) + pairwise_terms(lo + n2, n - n2, fn, arg);
}

double cip_stats_sum_terms(size_t n, cip_stats_term_fn fn, const void *arg)
{
    double s = 0.0;
    for (size_t lo = 0; lo < n; lo += PW_CHUNK)
        s += pairwise_terms(lo, n - lo < PW_CHUNK ? n - lo : PW_CHUNK, fn, arg);
    return s;
}
