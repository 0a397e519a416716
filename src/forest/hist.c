/* hist.c - per-feature histograms built over shards of a node's rows
 *
 * Building a histogram from any subset of a node's rows and adding
 * histograms are independent of split finding (split.c), so the rows of a
 * node may be spread over workers or processes whose histograms are summed
 * (all-reduced) before the split is chosen. Only the value bins actually
 * used by a feature and the missing bin are ever touched.
 * Several features at once (one pass over the node's rows, from row-major or
 * column-major codes) are accumulated, when the weights are small whole
 * numbers (bootstrap counts), in 16-byte scratch bins: the row count and
 * weight sum packed in one integer (exact in any order) and the value sum
 * in row order from zero, so the histograms equal row-by-row adds into
 * cleared histograms, bit for bit, with one update less per row and feature.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "forest_int.h"

#define ROWS_AHEAD    32   /* rows prefetched ahead in one-pass building (row-major) */
#define PACK_FEATS    16   /* features of one packed one-pass building (64 KB of scratch) */
#define PACK_MIN_ROWS 2048 /* rows from which packing pays for its scratch */

struct packed_bin {
    uint64_t cw; /* rows << 32 | weight sum */
    double v;    /* value sum */
};

void cipi_forest_hist_clear(struct fhist *h, unsigned n_bins, int n_stats)
{
    size_t ns = (size_t)n_stats;
    memset(h->cnt, 0, n_bins * sizeof *h->cnt);
    memset(h->st, 0, n_bins * ns * sizeof *h->st);
    h->cnt[FOREST_MISSING_CODE] = 0;
    memset(h->st + FOREST_MISSING_CODE * ns, 0, ns * sizeof *h->st);
}

void cipi_forest_hist_add(struct fhist *h, int n_stats, const uint8_t *col, const uint32_t *idx,
                          const double *w, const double *v, size_t n)
{
    uint32_t *cnt = h->cnt;
    double *st = h->st;
    if (n_stats == 2) {
        /* the same order of adds as cipi_forest_hist_add_rows: a node's
         * histograms must not depend on which of the two built them */
        for (size_t r = 0; r < n; r++) {
            unsigned b = col[idx[r]];
            cnt[b]++;
            cipi_v2d_add(st + 2 * b, (cipi_v2d){w[r], v[r]});
        }
        return;
    }
    size_t ns = (size_t)n_stats;
    for (size_t r = 0; r < n; r++) {
        unsigned b = col[idx[r]];
        cnt[b]++;
        st[b * ns + (size_t)v[r]] += w[r];
    }
}

/* Whether every weight is a whole number in [0, 65535] and their sum is
 * below 2^32: then a row count and a weight sum pack into one integer. */
static bool whole_weights(const double *w, size_t n)
{
    uint64_t sum = 0;
    int bad = 0;
    for (size_t r = 0; r < n; r++) {
        double t = w[r] >= 0.0 && w[r] <= 65535.0 ? w[r] : 0.5; /* 0.5: not whole */
        int32_t q = (int32_t)t;
        bad |= (double)q != w[r];
        sum += (uint32_t)q;
    }
    return !bad && sum < ((uint64_t)1 << 32);
}

/* Add packed bins a (k features) into the histograms (touched bins only). */
static void unpack(struct fhist *hs, int k, const struct packed_bin *a)
{
    for (int i = 0; i < k; i++) {
        const struct packed_bin *x = a + (size_t)i * FOREST_HIST_BINS;
        for (unsigned b = 0; b < FOREST_HIST_BINS; b++) {
            if (x[b].cw == 0)
                continue;
            hs[i].cnt[b] += (uint32_t)(x[b].cw >> 32);
            hs[i].st[2 * b] += (double)(uint32_t)x[b].cw;
            hs[i].st[2 * b + 1] += x[b].v;
        }
    }
}

/* One-pass building with whole weights for k <= PACK_FEATS features: per
 * bin, the count (high 32 bits) and the weight sum (low 32 bits) in one
 * integer, and the value sum from zero, both in scratch (a: k bins of 16
 * bytes); then added to the histograms. Integer sums are exact, and value
 * sums start from zero in row order, so the histograms are those of
 * row-by-row adds into cleared histograms. */
static void add_rows_packed(struct fhist *hs, const int *feats, int k, const uint8_t *codes_rm,
                            size_t p, const uint32_t *idx, const double *w, const double *v,
                            size_t n, struct packed_bin *a)
{
    memset(a, 0, (size_t)k * FOREST_HIST_BINS * sizeof *a);
    for (size_t r = 0; r < n; r++) {
        if (idx != NULL && r + ROWS_AHEAD < n) { /* both ends: a row may straddle two cache lines */
            __builtin_prefetch(codes_rm + (size_t)idx[r + ROWS_AHEAD] * p);
            __builtin_prefetch(codes_rm + (size_t)idx[r + ROWS_AHEAD] * p + p - 1);
        }
        const uint8_t *row = codes_rm + (idx != NULL ? (size_t)idx[r] : r) * p;
        uint64_t cw = (uint64_t)1 << 32 | (uint32_t)(int32_t)w[r];
        double vr = v[r];
        for (int i = 0; i < k; i++) {
            struct packed_bin *x = &a[(size_t)i * FOREST_HIST_BINS + row[feats[i]]];
            x->cw += cw;
            x->v += vr;
        }
    }
    unpack(hs, k, a);
}

/* Add one row's codes to the k histograms. */
static inline __attribute__((always_inline)) void add_row(struct fhist *hs, const int *feats, int k,
                                                          size_t ns, const uint8_t *row, double wr,
                                                          double vr)
{
    cipi_v2d wv = {wr, vr};
    for (int i = 0; i < k; i++) {
        unsigned b = row[feats[i]];
        hs[i].cnt[b]++;
        if (ns == 2)
            cipi_v2d_add(hs[i].st + 2 * b, wv);
        else
            hs[i].st[b * ns + (size_t)vr] += wr;
    }
}

void cipi_forest_hist_add_rows(struct fhist *hs, const int *feats, int k, int n_stats,
                               const uint8_t *codes_rm, size_t p, const uint32_t *idx,
                               const double *w, const double *v, size_t n)
{
    size_t ns = (size_t)n_stats;
    if (ns == 2 && k <= PACK_FEATS && n >= PACK_MIN_ROWS && whole_weights(w, n)) {
        struct packed_bin a[PACK_FEATS * FOREST_HIST_BINS];
        add_rows_packed(hs, feats, k, codes_rm, p, idx, w, v, n, a);
        return;
    }
    if (idx == NULL) { /* rows in order: a sequential read */
        for (size_t r = 0; r < n; r++)
            add_row(hs, feats, k, ns, codes_rm + r * p, w[r], v[r]);
        return;
    }
    for (size_t r = 0; r < n; r++) {
        if (r + ROWS_AHEAD < n) { /* both ends: a row may straddle two cache lines */
            __builtin_prefetch(codes_rm + (size_t)idx[r + ROWS_AHEAD] * p);
            __builtin_prefetch(codes_rm + (size_t)idx[r + ROWS_AHEAD] * p + p - 1);
        }
        add_row(hs, feats, k, ns, codes_rm + (size_t)idx[r] * p, w[r], v[r]);
    }
}

static void sub_bin(struct fhist *dst, const struct fhist *parent, const struct fhist *child,
                    size_t b, size_t ns)
{
    dst->cnt[b] = parent->cnt[b] - child->cnt[b];
    for (size_t s = 0; s < ns; s++)
        dst->st[b * ns + s] = parent->st[b * ns + s] - child->st[b * ns + s];
}

void cipi_forest_hist_sub(struct fhist *dst, const struct fhist *parent, const struct fhist *child,
                          unsigned n_bins, int n_stats)
{
    size_t ns = (size_t)n_stats;
    for (size_t b = 0; b < n_bins; b++)
        sub_bin(dst, parent, child, b, ns);
    sub_bin(dst, parent, child, FOREST_MISSING_CODE, ns);
}
