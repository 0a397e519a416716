/* select.c - order statistics without a full sort, for describe
 *
 * Quantiles of 1e6 values need three order statistics (and their successors).
 * Three ways, all exact: counting for integers with a small range; bucketing
 * (one pass to count values per equal-width bucket, one to keep the buckets
 * holding the needed ranks) then selecting among the few kept values; and a
 * plain quickselect (Hoare, median-of-three pivot, a depth limit falling back
 * to qsort so adversarial inputs stay O(n log n)).
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "describe_int.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static inline void swap(double *x, size_t i, size_t j)
{
    double t = x[i];
    x[i] = x[j];
    x[j] = t;
}

void cipi_describe_select(double *x, size_t lo, size_t hi, size_t k)
{
    int depth = 0;
    while (hi - lo > 16) {
        if (++depth > 64) {
            qsort(x + lo, hi - lo, sizeof *x, cmp_double);
            return;
        }
        size_t mid = lo + (hi - lo) / 2;
        /* median of three into x[mid] */
        if (x[mid] < x[lo])
            swap(x, mid, lo);
        if (x[hi - 1] < x[lo])
            swap(x, hi - 1, lo);
        if (x[hi - 1] < x[mid])
            swap(x, hi - 1, mid);
        double pivot = x[mid];
        size_t i = lo, j = hi - 1;
        for (;;) {
            while (x[i] < pivot)
                i++;
            while (pivot < x[j])
                j--;
            if (i >= j)
                break;
            swap(x, i, j);
            i++;
            j--;
        }
        /* [lo, j] <= pivot <= [j+1, hi) */
        if (k <= j)
            hi = j + 1;
        else
            lo = j + 1;
    }
    for (size_t i = lo + 1; i < hi; i++) { /* insertion sort of the small rest */
        double v = x[i];
        size_t p = i;
        while (p > lo && x[p - 1] > v) {
            x[p] = x[p - 1];
            p--;
        }
        x[p] = v;
    }
}

/* numpy's _lerp: interpolate from the nearer end. */
static double lerp(double a, double b, double t)
{
    double d = b - a;
    return t >= 0.5 ? b - d * (1.0 - t) : a + d * t;
}

void cipi_describe_quantiles(double *x, size_t n, const double *q, size_t nq, double *out)
{
    size_t lo = 0;
    for (size_t k = 0; k < nq; k++) {
        /* numpy "linear": virtual index n*q + (1 - q) - 1 (alpha = beta = 1) */
        double vi = ((double)n * q[k] + (1.0 - q[k])) - 1.0;
        double fl = floor(vi);
        size_t prev = fl <= 0.0 ? 0 : (size_t)fl;
        if (prev > n - 1)
            prev = n - 1;
        double gamma = vi - fl;
        if (prev < lo) /* q not ascending: start over on the whole array */
            lo = 0;
        cipi_describe_select(x, lo, n, prev);
        double a = x[prev], b = a;
        if (prev + 1 < n) {
            b = x[prev + 1];
            for (size_t i = prev + 2; i < n; i++)
                if (x[i] < b)
                    b = x[i];
        }
        out[k] = lerp(a, b, gamma);
        lo = prev;
    }
}

void cipi_describe_quantiles_hist(const double *x, size_t n, double mn, uint32_t *hist,
                                  size_t range, const double *q, size_t nq, double *out)
{
    memset(hist, 0, range * sizeof *hist);
    for (size_t i = 0; i < n; i++)
        hist[(size_t)(x[i] - mn)]++;
    /* walk the cumulative counts once: bucket b holds ranks [below, below + hist[b]) */
    size_t b = 0, below = 0;
    for (size_t k = 0; k < nq; k++) {
        double vi = ((double)n * q[k] + (1.0 - q[k])) - 1.0;
        double fl = floor(vi);
        size_t prev = fl <= 0.0 ? 0 : (size_t)fl;
        if (prev > n - 1)
            prev = n - 1;
        size_t next = prev + 1 < n ? prev + 1 : prev;
        if (k > 0 && prev < below) { /* q not ascending */
            b = 0;
            below = 0;
        }
        while (below + hist[b] <= prev)
            below += hist[b++];
        double a = mn + (double)b;
        size_t b2 = b, below2 = below;
        while (below2 + hist[b2] <= next)
            below2 += hist[b2++];
        out[k] = lerp(a, mn + (double)b2, vi - fl);
    }
}

/* Bucket of x among nb equal-width buckets over [mn, mx]: non-decreasing in
 * x (every step rounds monotonically), clamped into [0, nb). */
static inline size_t bucket_of(double x, double mn, double scale, size_t nb)
{
    size_t b = (size_t)((x - mn) * scale);
    return b < nb ? b : nb - 1;
}

bool cipi_describe_quantiles_band(double *x, size_t n, double mn, double mx, uint32_t *hist,
                                  size_t nb, const double *q, size_t nq, double *out)
{
    enum { MAXQ = 8 };
    double scale = (double)(nb - 1) / (mx - mn);
    if (nq > MAXQ || n < nb / 4 || n >= ((size_t)1 << 31) || !(mx > mn) || !isfinite(scale) ||
        !isfinite(mx - mn))
        return false;
    memset(hist, 0, nb * sizeof *hist);
    for (size_t i = 0; i < n; i++)
        hist[bucket_of(x[i], mn, scale, nb)]++;
    /* ranks needed (prev and next of each quantile), their buckets */
    size_t rank[2 * MAXQ], bk[2 * MAXQ], below[2 * MAXQ];
    double gamma[MAXQ];
    for (size_t k = 0; k < nq; k++) {
        double vi = ((double)n * q[k] + (1.0 - q[k])) - 1.0, fl = floor(vi);
        size_t prev = fl <= 0.0 ? 0 : (size_t)fl;
        prev = prev > n - 1 ? n - 1 : prev;
        rank[2 * k] = prev;
        rank[2 * k + 1] = prev + 1 < n ? prev + 1 : prev;
        gamma[k] = vi - fl;
    }
    for (size_t t = 0; t < 2 * nq; t++) {
        size_t b = 0, cum = 0;
        while (cum + (hist[b] & 0x7FFFFFFFu) <= rank[t])
            cum += hist[b++] & 0x7FFFFFFFu;
        bk[t] = b;
        below[t] = cum;
        hist[b] |= 0x80000000u; /* needed bucket */
    }
    /* keep the values of needed buckets, in place; offset = rank shift */
    size_t cnt = 0;
    for (size_t i = 0; i < n; i++)
        if (hist[bucket_of(x[i], mn, scale, nb)] >> 31)
            x[cnt++] = x[i];
    size_t lo = 0;
    double val[2 * MAXQ];
    for (size_t t = 0; t < 2 * nq; t++) {
        size_t before = 0; /* kept values in needed buckets below bk[t] */
        for (size_t b = 0; b < bk[t]; b++)
            if (hist[b] >> 31)
                before += hist[b] & 0x7FFFFFFFu;
        size_t local = before + (rank[t] - below[t]);
        if (local < lo)
            lo = 0;
        cipi_describe_select(x, lo, cnt, local);
        val[t] = x[local];
        lo = local;
    }
    for (size_t k = 0; k < nq; k++)
        out[k] = lerp(val[2 * k], val[2 * k + 1], gamma[k]);
    return true;
}
