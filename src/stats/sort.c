/* sort.c - in-place introsort of doubles and a stable radix argsort
 *
 * cipi_stats_sort() backs the quantiles (no allocation; the caller's buffer
 * is sorted). cip_stats_argsort() backs ranks and the ranking metrics (ROC,
 * precision-recall): a least-significant-digit radix sort on the IEEE bit
 * patterns, mapped so that unsigned order equals numeric order, is O(n),
 * stable (ties keep input order, as numpy's kind="stable") and sorts 10^6
 * doubles in a few tens of milliseconds; passes in which every key has the
 * same digit are skipped.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "stats_int.h"

#define INSERTION_MAX 16 /* introsort: partitions this short use insertion sort */
#define ARGSORT_SMALL 32 /* argsort: inputs this short use insertion sort */
#define RADIX_BITS    11
#define RADIX_SIZE    (1u << RADIX_BITS)
#define RADIX_PASSES  6 /* ceil(64 / 11) */

size_t cipi_stats_find_nan(const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (isnan(x[i]))
            return i;
    return n;
}

/* --- introsort ------------------------------------------------------------ */

static void insertion_sort(double *x, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        double v = x[i];
        size_t j = i;
        while (j > 0 && x[j - 1] > v) {
            x[j] = x[j - 1];
            j--;
        }
        x[j] = v;
    }
}

static void sift_down(double *x, size_t root, size_t n)
{
    double v = x[root];
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n)
            break;
        if (child + 1 < n && x[child + 1] > x[child])
            child++;
        if (!(x[child] > v))
            break;
        x[root] = x[child];
        root = child;
    }
    x[root] = v;
}

static void heap_sort(double *x, size_t n)
{
    for (size_t i = n / 2; i-- > 0;)
        sift_down(x, i, n);
    for (size_t end = n; end-- > 1;) {
        double t = x[0];
        x[0] = x[end];
        x[end] = t;
        sift_down(x, 0, end);
    }
}

static double median3(double a, double b, double c)
{
    if (a < b)
        return b < c ? b : (a < c ? c : a);
    return a < c ? a : (b < c ? c : b);
}

/* Hoare partition around the median of x[0], x[n/2], x[n-1]; returns j with
 * x[0..j] <= pivot <= x[j+1..n) and 0 <= j < n-1 (the median of three
 * array values guarantees neither side is empty). */
static size_t partition(double *x, size_t n)
{
    double pivot = median3(x[0], x[n / 2], x[n - 1]);
    size_t i = 0, j = n - 1;
    for (;;) {
        while (x[i] < pivot)
            i++;
        while (x[j] > pivot)
            j--;
        if (i >= j)
            return j;
        double t = x[i];
        x[i] = x[j];
        x[j] = t;
        i++;
        j--;
    }
}

static void introsort(double *x, size_t n, unsigned depth)
{
    while (n > INSERTION_MAX) {
        if (depth == 0) {
            heap_sort(x, n);
            return;
        }
        depth--;
        size_t left = partition(x, n) + 1;
        /* recurse into the shorter side, loop on the longer: O(log n) stack */
        if (left < n - left) {
            introsort(x, left, depth);
            x += left;
            n -= left;
        } else {
            introsort(x + left, n - left, depth);
            n = left;
        }
    }
    insertion_sort(x, n);
}

void cipi_stats_sort(double *x, size_t n)
{
    unsigned depth = 0;
    for (size_t m = n; m > 1; m >>= 1)
        depth += 2;
    introsort(x, n, depth);
}

/* --- stable argsort ------------------------------------------------------- */

/* Unsigned key whose order is the numeric order of v (v not NaN). */
static uint64_t order_key(double v)
{
    if (v == 0.0)
        v = 0.0; /* -0.0 sorts equal to 0.0 */
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    const uint64_t sign = UINT64_C(1) << 63;
    return (b & sign) ? ~b : b | sign;
}

static size_t digit(uint64_t key, unsigned pass)
{
    return (size_t)((key >> (pass * RADIX_BITS)) & (RADIX_SIZE - 1));
}

static void argsort_small(const double *x, size_t n, size_t *idx)
{
    for (size_t i = 0; i < n; i++) {
        size_t v = i;
        size_t j = i;
        while (j > 0 && x[idx[j - 1]] > x[v]) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = v;
    }
}

/* LSD radix sort of (keys, idx) pairs; ka/ia hold the input, kb/ib are
 * scratch; hist is RADIX_PASSES x RADIX_SIZE counters, already filled.
 * Returns the array holding the sorted indices (ia or ib). */
static size_t *radix_passes(uint64_t *ka, uint64_t *kb, size_t *ia, size_t *ib, size_t *hist,
                            size_t n)
{
    for (unsigned p = 0; p < RADIX_PASSES; p++) {
        size_t *h = hist + (size_t)p * RADIX_SIZE;
        if (h[digit(ka[0], p)] == n)
            continue; /* every key has the same digit: nothing moves */
        size_t sum = 0;
        for (size_t d = 0; d < RADIX_SIZE; d++) {
            size_t c = h[d];
            h[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) {
            size_t pos = h[digit(ka[i], p)]++;
            kb[pos] = ka[i];
            ib[pos] = ia[i];
        }
        uint64_t *kt = ka;
        ka = kb;
        kb = kt;
        size_t *it = ia;
        ia = ib;
        ib = it;
    }
    return ia;
}

cip_status cip_stats_argsort(cip_ctx *ctx, const double *x, size_t n, size_t *idx)
{
    size_t bad = cipi_stats_find_nan(x, n);
    if (bad < n)
        return cipi_fail(ctx, CIP_ERR_INVALID, "argsort: x[%zu] is NaN", bad);
    if (n <= ARGSORT_SMALL) {
        argsort_small(x, n, idx);
        return CIP_OK;
    }
    cip_status rc = CIP_OK;
    uint64_t *keys = cipi_mallocarray(ctx, n, 2 * sizeof *keys);
    size_t *tmp = cipi_mallocarray(ctx, n, sizeof *tmp);
    size_t *hist = cipi_calloc(ctx, (size_t)RADIX_PASSES * RADIX_SIZE, sizeof *hist);
    if (keys == NULL || tmp == NULL || hist == NULL) {
        rc = CIP_ERR_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t k = order_key(x[i]);
        keys[i] = k;
        idx[i] = i;
        for (unsigned p = 0; p < RADIX_PASSES; p++)
            hist[(size_t)p * RADIX_SIZE + digit(k, p)]++;
    }
    size_t *sorted = radix_passes(keys, keys + n, idx, tmp, hist, n);
    if (sorted != idx)
        memcpy(idx, sorted, n * sizeof *idx);
done:
    cipi_free(ctx, keys);
    cipi_free(ctx, tmp);
    cipi_free(ctx, hist);
    return rc;
}
