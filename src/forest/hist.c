/* hist.c - per-feature histograms built over shards of a node's rows
 *
 * Building a histogram from any subset of a node's rows and adding
 * histograms are independent of split finding (split.c), so the rows of a
 * node may be spread over workers or processes whose histograms are summed
 * (all-reduced) before the split is chosen. Only the value bins actually
 * used by a feature and the missing bin are ever touched.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "forest_int.h"

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
        for (size_t r = 0; r < n; r++) {
            unsigned b = col[idx[r]];
            cnt[b]++;
            st[2 * b] += w[r];
            st[2 * b + 1] += v[r];
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

void cipi_forest_hist_add_rows(struct fhist *hs, const int *feats, int k, int n_stats,
                               const uint8_t *codes_rm, size_t p, const uint32_t *idx,
                               const double *w, const double *v, size_t n)
{
    size_t ns = (size_t)n_stats;
    for (size_t r = 0; r < n; r++) {
        if (r + 8 < n) { /* both ends: a row may straddle two cache lines */
            __builtin_prefetch(codes_rm + (size_t)idx[r + 8] * p);
            __builtin_prefetch(codes_rm + (size_t)idx[r + 8] * p + p - 1);
        }
        const uint8_t *row = codes_rm + (size_t)idx[r] * p;
        double wr = w[r], vr = v[r];
        for (int i = 0; i < k; i++) {
            unsigned b = row[feats[i]];
            hs[i].cnt[b]++;
            if (ns == 2) {
                hs[i].st[2 * b] += wr;
                hs[i].st[2 * b + 1] += vr;
            } else {
                hs[i].st[b * ns + (size_t)vr] += wr;
            }
        }
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
