/* featstats.c - the numeric rules of pandas/numpy/sklearn the pipeline needs
 *
 * Each helper reproduces one library's arithmetic to the last bit where that
 * can matter: numpy's linear quantile (virtual index (n-1)*q, two-sided lerp,
 * q passed through pandas' *100 and numpy's /100), pandas' average-rank
 * percentile (as a sorted value/count table so unseen values can be ranked),
 * sklearn's MinMaxScaler (x*scale + min_, zero range replaced by 1), and the
 * bin rules of pandas cut(right=False) and qcut.
 * SPDX-License-Identifier: MIT
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features_int.h"

double cipi_feat_quantile(const double *v, size_t n, double q)
{
    /* pandas hands numpy q*100 and numpy divides by 100 again; for q = 0.75
     * that is exact, for other q it can move the virtual index by an ulp. */
    double qq = (q * 100.0) / 100.0;
    double vi = (double)(n - 1) * qq;
    if (vi >= (double)(n - 1))
        return v[n - 1];
    if (vi <= 0.0)
        return v[0];
    double fl = floor(vi);
    size_t lo = (size_t)fl;
    double g = vi - fl;
    double a = v[lo], b = v[lo + 1], d = b - a;
    /* numpy's _lerp: computed from the nearer end so that g=1 gives b */
    return g >= 0.5 ? b - d * (1.0 - g) : a + d * g;
}

/* In-place introsort of doubles (no NaN): quicksort with median-of-three,
 * insertion sort below 16 elements, heapsort when the depth budget runs out.
 * Faster than qsort's callback and allocates nothing (glibc's qsort may
 * malloc behind the ctx allocator's back). */
static void insertion_sort(double *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        double x = v[i];
        size_t j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

static void sift_down(double *v, size_t root, size_t n)
{
    for (;;) {
        size_t c = 2 * root + 1;
        if (c >= n)
            return;
        if (c + 1 < n && v[c + 1] > v[c])
            c++;
        if (!(v[c] > v[root]))
            return;
        double t = v[c];
        v[c] = v[root];
        v[root] = t;
        root = c;
    }
}

static void heap_sort(double *v, size_t n)
{
    for (size_t i = n / 2; i-- > 0;)
        sift_down(v, i, n);
    for (size_t end = n; end-- > 1;) {
        double t = v[0];
        v[0] = v[end];
        v[end] = t;
        sift_down(v, 0, end);
    }
}

static void intro_sort(double *v, size_t n, int depth)
{
    while (n > 16) {
        if (depth-- == 0) {
            heap_sort(v, n);
            return;
        }
        double a = v[0], b = v[n / 2], c = v[n - 1];
        double pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
        size_t i = 0, j = n - 1;
        for (;;) { /* Hoare partition */
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i >= j)
                break;
            double t = v[i];
            v[i++] = v[j];
            v[j--] = t;
        }
        /* recurse into the smaller side, loop on the larger */
        if (j + 1 < n - j - 1) {
            intro_sort(v, j + 1, depth);
            v += j + 1;
            n -= j + 1;
        } else {
            intro_sort(v + j + 1, n - j - 1, depth);
            n = j + 1;
        }
    }
    insertion_sort(v, n);
}

void cipi_feat_sort(double *v, size_t n)
{
    int depth = 0;
    for (size_t m = n; m > 1; m >>= 1)
        depth += 2;
    intro_sort(v, n, depth);
}

cip_status cipi_feat_ecdf_build(cip_ctx *ctx, const double *sorted, size_t n, struct feat_ecdf *e)
{
    memset(e, 0, sizeof *e);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        u += (i == 0 || sorted[i] != sorted[i - 1]);
    size_t alloc_n = u ? u : 1;
    e->vals = cipi_mallocarray(ctx, alloc_n, sizeof *e->vals);
    e->cnt = cipi_mallocarray(ctx, alloc_n, sizeof *e->cnt);
    e->less = cipi_mallocarray(ctx, alloc_n, sizeof *e->less);
    if (e->vals == NULL || e->cnt == NULL || e->less == NULL) {
        struct cipi_alloc a = cipi_ctx_alloc(ctx);
        cipi_feat_ecdf_release(&a, e);
        return CIP_ERR_NOMEM;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || sorted[i] != sorted[i - 1]) {
            e->vals[k] = sorted[i];
            e->cnt[k++] = 0;
        }
        e->cnt[k - 1]++;
    }
    e->n_uniq = u;
    cipi_feat_ecdf_finish(e);
    return CIP_OK;
}

bool cipi_feat_ecdf_finish(struct feat_ecdf *e)
{
    uint64_t total = 0;
    for (size_t k = 0; k < e->n_uniq; k++) {
        e->less[k] = total;
        if (e->cnt[k] == 0 || e->cnt[k] > (UINT64_C(1) << 53) - total)
            return false;
        total += e->cnt[k];
    }
    e->n = total;
    return true;
}

void cipi_feat_ecdf_release(const struct cipi_alloc *a, struct feat_ecdf *e)
{
    cipi_afree(a, e->vals);
    cipi_afree(a, e->cnt);
    cipi_afree(a, e->less);
    memset(e, 0, sizeof *e);
}

double cipi_feat_ecdf_pct(const struct feat_ecdf *e, double v)
{
    size_t lo = 0, hi = e->n_uniq; /* first k with vals[k] >= v */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (e->vals[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    uint64_t less = lo < e->n_uniq ? e->less[lo] : e->n;
    uint64_t eq = (lo < e->n_uniq && e->vals[lo] == v) ? e->cnt[lo] : 0;
    /* For a fitted value this is pandas' average 1-based rank: the tied
     * values occupy ranks less+1 .. less+eq. Both terms are exact. */
    double pct = ((double)less + (double)(eq + 1) / 2.0) / (double)e->n;
    return pct > 1.0 ? 1.0 : pct;
}

double cipi_feat_minmax(double x, double mn, double mx, double lo, double hi)
{
    double range = mx - mn;
    /* sklearn's _handle_zeros_in_scale: a (near) zero range becomes 1 */
    if (range < 10.0 * DBL_EPSILON)
        range = 1.0;
    double scale = (hi - lo) / range;
    double min_ = lo - mn * scale;
    return x * scale + min_;
}

long cipi_feat_cut_left(const struct feat_bins *b, double v)
{
    /* pandas cut(right=False): searchsorted(edges, v, side="right") */
    size_t lo = 0, hi = b->n + 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (b->edges[mid] <= v)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || lo == b->n + 1)
        return -1;
    return (long)lo - 1;
}

size_t cipi_feat_qcut(const double *edges, size_t n_bins, double v)
{
    /* pandas qcut: searchsorted(edges, v, side="left"), the first edge
     * counted in bin 0 (include_lowest); beyond the ends: the end bins. */
    size_t lo = 0, hi = n_bins + 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (edges[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return 0;
    if (lo > n_bins)
        return n_bins - 1;
    return lo - 1;
}

double cipi_feat_round(double v, int d)
{
    if (d < 0 || !isfinite(v))
        return v;
    char buf[512];
    int n = snprintf(buf, sizeof buf, "%.*f", d, v);
    if (n < 0 || (size_t)n >= sizeof buf)
        return v;
    return strtod(buf, NULL);
}
