/* bin.c - feature binning for histogram-based split search
 *
 * Each feature is sorted once. A feature with at most 255 distinct values
 * gets one bin per value and thresholds at the midpoints between
 * consecutive values, computed as sklearn does (a/2 + b/2, falling back to
 * a when rounding reaches b), so splits are exactly sklearn's. Wider
 * features get up to 255 quantile bins (greedy equal-count cuts between
 * distinct values, so heavy repeated values get their own bin). Missing
 * values (NaN) get code 255. Values are first rounded to float32, as
 * scikit-learn trains on float32 X, so bins, thresholds and the exact values
 * of small nodes all see the same numbers, and a threshold stored as a float
 * (the largest float <= sklearn's double midpoint) partitions the training
 * rows exactly as the fit did. Column codes are stored column-major. Each
 * bin keeps its smallest and largest value: a split between bins a < b of
 * a node gets threshold midpoint(hi[a], lo[b]), as sklearn would.
 * SPDX-License-Identifier: MIT
 */
#include <float.h>
#include <math.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "forest_int.h"

/* Order-preserving map of a double to an unsigned key (sign-magnitude fix). */
static uint64_t dkey(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return (u >> 63) ? ~u : (u | 0x8000000000000000ULL);
}

static double dkey_inv(uint64_t u)
{
    u = (u >> 63) ? (u & 0x7FFFFFFFFFFFFFFFULL) : ~u;
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* LSD radix sort of n keys (8-bit digits, passes with a single digit value
 * skipped); the result ends in a (tmp is scratch of n keys). */
static void radix_sort(uint64_t *a, uint64_t *tmp, size_t n)
{
    size_t count[256];
    uint64_t *src = a, *dst = tmp;
    for (int shift = 0; shift < 64; shift += 8) {
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++)
            count[(src[i] >> shift) & 0xFF]++;
        if (n == 0 || count[(src[0] >> shift) & 0xFF] == n)
            continue;
        size_t sum = 0;
        for (int d = 0; d < 256; d++) {
            size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i] >> shift) & 0xFF]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != a)
        memcpy(a, src, n * sizeof *a);
}

/* Bin code of x: the first bin whose largest value is >= x. */
static uint8_t bin_code(const double *hi, unsigned n_bins, double x)
{
    if (x != x)
        return FOREST_MISSING_CODE;
    /* the code is in [lo, lo + len) (the last bin catches the rest); halved
     * without branches, which mispredict half the time on unsorted rows */
    unsigned lo = 0, len = n_bins;
    while (len > 1) {
        unsigned half = len / 2;
        lo = x > hi[lo + half - 1] ? lo + half : lo;
        len -= half;
    }
    return (uint8_t)lo;
}

/* Bins of sorted non-missing values v[0..nn): smallest and largest value of
 * each bin into lo / hi; returns the number of bins (>= 1; an all-missing
 * feature gets one empty bin). */
static unsigned feature_bins(const double *v, size_t nn, double *lo, double *hi, bool *is_exact)
{
    size_t n_distinct = 0;
    for (size_t i = 0; i < nn && n_distinct <= FOREST_MAX_VALUE_BINS; i++)
        if (i == 0 || v[i] != v[i - 1])
            n_distinct++;
    bool exact = n_distinct <= FOREST_MAX_VALUE_BINS;
    *is_exact = exact;
    unsigned nb = 0, rem_bins = FOREST_MAX_VALUE_BINS;
    size_t rem_n = nn, acc = 0, i = 0;
    lo[0] = hi[0] = (double)INFINITY;
    if (nn > 0)
        lo[0] = v[0];
    while (i < nn) {
        size_t j = i + 1;
        while (j < nn && v[j] == v[i])
            j++;
        acc += j - i;
        hi[nb] = v[i];
        if (j < nn &&
            (exact || (rem_bins > 1 && (double)acc * (double)rem_bins >= (double)rem_n))) {
            nb++;
            lo[nb] = v[j];
            rem_n -= acc;
            acc = 0;
            rem_bins--;
        }
        i = j;
    }
    return nb + 1;
}

/* Per-thread scratch of the binning pass. */
struct bin_scratch {
    double *vals;   /* the column, NaN = missing */
    double *sorted; /* its non-missing values, sorted */
    uint64_t *k1, *k2;
};

static void bin_feature(const cip_frame *x, size_t j, struct bin_scratch *s, struct fbins *b,
                        double *lo_j, double *hi_j, uint64_t *hash_j)
{
    size_t n = b->n_rows, nn = 0;
    cip_frame_get_col(x, j, s->vals);
    for (size_t i = 0; i < n; i++)
        if (s->vals[i] != s->vals[i])
            s->vals[i] = (double)NAN; /* one NaN bit pattern for the fingerprint */
    *hash_j = cipi_hash_bytes(s->vals, n * sizeof(double));
    for (size_t i = 0; i < n; i++) { /* bins, thresholds and small nodes see float32 values */
        double v = (double)cipi_forest_f32(s->vals[i]);
        s->vals[i] = v;
        if (v == v)
            s->k1[nn++] = dkey(v);
    }
    radix_sort(s->k1, s->k2, nn);
    for (size_t i = 0; i < nn; i++)
        s->sorted[i] = dkey_inv(s->k1[i]);
    bool exact;
    unsigned nb = feature_bins(s->sorted, nn, lo_j, hi_j, &exact);
    b->n_bins[j] = (uint16_t)nb;
    b->exact[j] = exact;
    b->has_missing[j] = nn < n;
    uint8_t *codes = b->codes + j * n;
    for (size_t i = 0; i < n; i++)
        codes[i] = bin_code(hi_j, nb, s->vals[i]);
}

void cipi_forest_bins_release(cip_ctx *ctx, struct fbins *b)
{
    cipi_free(ctx, b->codes);
    cipi_free(ctx, b->codes_rm);
    cipi_free(ctx, b->n_bins);
    cipi_free(ctx, b->off);
    cipi_free(ctx, b->lo);
    cipi_free(ctx, b->hi);
    cipi_free(ctx, b->has_missing);
    cipi_free(ctx, b->exact);
    cipi_free(ctx, b->raw_col);
    cipi_free(ctx, b->raw);
    memset(b, 0, sizeof *b);
}

void cipi_forest_bins_drop_columns(cip_ctx *ctx, struct fbins *b)
{
    cipi_free(ctx, b->codes);
    b->codes = NULL;
}

/* Float copies of the features with more than 255 distinct values, for the
 * exact splits of small nodes; row-major, as small subtrees read whole rows. */
static cip_status keep_raw(cip_ctx *ctx, const cip_frame *x, struct fbins *b, struct bin_scratch *s,
                           int nt)
{
    size_t n = b->n_rows, n_raw = 0;
    for (size_t j = 0; j < b->n_features; j++)
        b->raw_col[j] = b->exact[j] ? -1 : (int32_t)n_raw++;
    if (n_raw == 0)
        return CIP_OK;
    b->n_raw = n_raw;
    b->raw = cipi_mallocarray(ctx, n_raw, n * sizeof *b->raw);
    if (b->raw == NULL)
        return CIP_ERR_NOMEM;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt)
#endif
    for (size_t j = 0; j < b->n_features; j++) {
        int tid = 0;
#ifdef _OPENMP
        tid = omp_get_thread_num();
#endif
        if (b->raw_col[j] < 0)
            continue;
        float *dst = b->raw + (size_t)b->raw_col[j];
        cip_frame_get_col(x, j, s[tid].vals);
        for (size_t i = 0; i < n; i++) {
            dst[i * n_raw] = cipi_forest_f32(s[tid].vals[i]);
        }
    }
    (void)nt;
    return CIP_OK;
}

/* Row-major copy of the codes (blocks of rows, so both sides stay in cache). */
static cip_status row_major(cip_ctx *ctx, struct fbins *b)
{
    size_t n = b->n_rows, p = b->n_features;
    b->codes_rm = cipi_mallocarray(ctx, n, p);
    if (b->codes_rm == NULL)
        return CIP_ERR_NOMEM;
    for (size_t i0 = 0; i0 < n; i0 += 4096) {
        size_t i1 = n - i0 < 4096 ? n : i0 + 4096;
        for (size_t j = 0; j < p; j++)
            for (size_t i = i0; i < i1; i++)
                b->codes_rm[i * p + j] = b->codes[j * n + i];
    }
    return CIP_OK;
}

static uint64_t names_hash(const cip_frame *x, size_t j)
{
    const char *name = cip_frame_col_name(x, j);
    uint64_t h = cipi_hash_bytes(name, strlen(name));
    return cip_mix64(h ^ (uint64_t)cip_frame_col_type(x, j));
}

cip_status cipi_forest_bin(cip_ctx *ctx, const cip_frame *x, struct fbins *out)
{
    struct fbins b = {0};
    b.n_rows = cip_frame_n_rows(x);
    b.n_features = cip_frame_n_cols(x);
    size_t n = b.n_rows, p = b.n_features;
    int nt = cipi_threads_for(ctx, p);
    struct bin_scratch *s = NULL;
    double *lo_all = NULL, *hi_all = NULL;
    uint64_t *hashes = NULL;
    cip_status rc = CIP_ERR_NOMEM;

    b.codes = cipi_mallocarray(ctx, n, p);
    b.n_bins = cipi_calloc(ctx, p, sizeof *b.n_bins);
    b.off = cipi_calloc(ctx, p + 1, sizeof *b.off);
    b.has_missing = cipi_calloc(ctx, p, 1);
    b.exact = cipi_calloc(ctx, p, 1);
    b.raw_col = cipi_mallocarray(ctx, p, sizeof *b.raw_col);
    lo_all = cipi_mallocarray(ctx, p, FOREST_MAX_VALUE_BINS * sizeof(double));
    hi_all = cipi_mallocarray(ctx, p, FOREST_MAX_VALUE_BINS * sizeof(double));
    hashes = cipi_calloc(ctx, p, sizeof *hashes);
    s = cipi_calloc(ctx, (size_t)nt, sizeof *s);
    if (!b.codes || !b.n_bins || !b.off || !b.has_missing || !b.exact || !b.raw_col || !lo_all ||
        !hi_all || !hashes || !s)
        goto done;
    for (int t = 0; t < nt; t++) {
        s[t].vals = cipi_mallocarray(ctx, n, sizeof(double));
        s[t].k1 = cipi_mallocarray(ctx, n, sizeof(uint64_t));
        s[t].k2 = cipi_mallocarray(ctx, n, sizeof(uint64_t));
        s[t].sorted = cipi_mallocarray(ctx, n, sizeof(double));
        if (!s[t].vals || !s[t].k1 || !s[t].k2 || !s[t].sorted)
            goto done;
    }
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt)
#endif
    for (size_t j = 0; j < p; j++) {
        int tid = 0;
#ifdef _OPENMP
        tid = omp_get_thread_num();
#endif
        size_t o = j * FOREST_MAX_VALUE_BINS;
        bin_feature(x, j, &s[tid], &b, lo_all + o, hi_all + o, &hashes[j]);
    }
    if ((rc = keep_raw(ctx, x, &b, s, nt)) != CIP_OK || (rc = row_major(ctx, &b)) != CIP_OK)
        goto done;
    rc = CIP_ERR_NOMEM;
    for (size_t j = 0; j < p; j++)
        b.off[j + 1] = b.off[j] + b.n_bins[j];
    b.lo = cipi_mallocarray(ctx, b.off[p], sizeof(double));
    b.hi = cipi_mallocarray(ctx, b.off[p], sizeof(double));
    if (b.lo == NULL || b.hi == NULL)
        goto done;
    b.fingerprint = 0x63697066u;
    for (size_t j = 0; j < p; j++) {
        size_t o = j * FOREST_MAX_VALUE_BINS;
        memcpy(b.lo + b.off[j], lo_all + o, b.n_bins[j] * sizeof(double));
        memcpy(b.hi + b.off[j], hi_all + o, b.n_bins[j] * sizeof(double));
        b.fingerprint = cip_mix64(b.fingerprint ^ names_hash(x, j)) ^ hashes[j];
    }
    *out = b;
    rc = CIP_OK;
done:
    if (s != NULL)
        for (int t = 0; t < nt; t++) {
            cipi_free(ctx, s[t].vals);
            cipi_free(ctx, s[t].k1);
            cipi_free(ctx, s[t].k2);
            cipi_free(ctx, s[t].sorted);
        }
    cipi_free(ctx, s);
    cipi_free(ctx, lo_all);
    cipi_free(ctx, hi_all);
    cipi_free(ctx, hashes);
    if (rc != CIP_OK)
        cipi_forest_bins_release(ctx, &b);
    return rc;
}
