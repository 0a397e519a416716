/* small.c - small subtrees: exact values and rank bitmaps instead of histograms
 *
 * When a node has few rows (<= FOREST_SMALL_MAX), its rows are copied into
 * local arrays (weight, value, and the code and exact value of every
 * feature) and each feature's rows are sorted once; every row remembers its
 * rank in that order. Nodes of the subtree are ranges of one id list that
 * is partitioned at each split (one list, not one per feature). To scan a
 * feature at a node, the ranks of the node's rows are set in a bitmap and
 * read back in order, which yields the node's rows sorted by value in time
 * proportional to the node (plus a few bitmap words): no per-node sort, no
 * 256-bin histogram, and no work for the features a node does not draw.
 * Values are exact (not bins), so small nodes get exactly scikit-learn's
 * candidate thresholds.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "forest_int.h"

/* Counting sort of local ids by code, over the range of codes present. */
static void sort_by_code(const uint8_t *codes, uint32_t m, uint16_t *list, uint32_t *count)
{
    unsigned lo = 255, hi = 0;
    for (uint32_t r = 0; r < m; r++) {
        lo = codes[r] < lo ? codes[r] : lo;
        hi = codes[r] > hi ? codes[r] : hi;
    }
    memset(count + lo, 0, (hi - lo + 2) * sizeof *count);
    for (uint32_t r = 0; r < m; r++)
        count[codes[r] + 1]++;
    for (unsigned c = lo + 1; c <= hi; c++)
        count[c] += count[c - 1];
    count[lo] = 0;
    for (uint32_t r = 0; r < m; r++)
        list[count[codes[r]]++] = (uint16_t)r;
}

/* Within each run of equal codes, order ids by value (insertion sort: runs are short). */
static void sort_runs_by_value(const uint8_t *codes, const double *vals, uint32_t m, uint16_t *list)
{
    uint32_t a = 0;
    while (a < m) {
        uint32_t e = a + 1;
        while (e < m && codes[list[e]] == codes[list[a]])
            e++;
        if (codes[list[a]] != FOREST_MISSING_CODE)
            for (uint32_t i = a + 1; i < e; i++) {
                uint16_t id = list[i];
                uint32_t j = i;
                while (j > a && vals[list[j - 1]] > vals[id]) {
                    list[j] = list[j - 1];
                    j--;
                }
                list[j] = id;
            }
        a = e;
    }
}

void cipi_forest_small_init(struct fsmall *s, const struct fbins *bins, const uint32_t *idx,
                            const double *w, const double *v, uint32_t m)
{
    size_t p = s->p, nr = bins->n_raw;
    s->m = m;
    s->words = (m + 63) / 64;
    memcpy(s->w, w, m * sizeof *w);
    memcpy(s->v, v, m * sizeof *v);
    for (uint32_t r = 0; s->ns == 2 && r < m; r++)
        s->y[r] = v[r] / w[r];
    for (uint32_t r = 0; r < m; r++) { /* whole rows: one or two cache lines each */
        if (r + 8 < m) {
            __builtin_prefetch(bins->codes_rm + (size_t)idx[r + 8] * p);
            __builtin_prefetch(bins->raw + (size_t)idx[r + 8] * nr);
            __builtin_prefetch(bins->raw + (size_t)idx[r + 8] * nr + 16);
        }
        s->ord[r] = (uint16_t)r;
        const uint8_t *crow = bins->codes_rm + (size_t)idx[r] * p;
        const float *rrow = bins->raw + (size_t)idx[r] * nr;
        for (size_t f = 0; f < p; f++) {
            uint8_t c = crow[f];
            int32_t rc = bins->raw_col[f];
            s->codes[f * FOREST_SMALL_MAX + r] = c;
            s->vals[f * FOREST_SMALL_MAX + r] = c == FOREST_MISSING_CODE ? (double)NAN
                                                : rc >= 0                ? (double)rrow[rc]
                                                          : bins->lo[bins->off[f] + c];
        }
    }
    for (size_t f = 0; f < p; f++) {
        const uint8_t *codes = s->codes + f * FOREST_SMALL_MAX;
        double *vals = s->vals + f * FOREST_SMALL_MAX;
        uint16_t *list = s->list + f * FOREST_SMALL_MAX, *pos = s->pos + f * FOREST_SMALL_MAX;
        sort_by_code(codes, m, list, s->count);
        if (bins->raw_col[f] >= 0)
            sort_runs_by_value(codes, vals, m, list);
        uint32_t miss0 = m;
        for (uint32_t q = 0; q < m; q++) {
            pos[list[q]] = (uint16_t)q;
            s->tmpv[q] = vals[list[q]];
            if (codes[list[q]] == FOREST_MISSING_CODE && miss0 == m)
                miss0 = q;
        }
        memcpy(vals, s->tmpv, m * sizeof *vals); /* values by rank from now on */
        s->miss0[f] = miss0;
    }
}

uint32_t cipi_forest_small_order(const struct fsmall *s, uint64_t *bits, uint32_t lb, uint32_t le,
                                 size_t f, uint16_t *out)
{
    const uint16_t *pos = s->pos + f * FOREST_SMALL_MAX;
    uint32_t n = le - lb;
    if (n <= FOREST_SMALL_INSERTION) { /* sort the ranks directly */
        for (uint32_t i = 0; i < n; i++) {
            uint16_t q = pos[s->ord[lb + i]];
            uint32_t j = i;
            for (; j > 0 && out[j - 1] > q; j--)
                out[j] = out[j - 1];
            out[j] = q;
        }
        return n;
    }
    memset(bits, 0, s->words * sizeof *bits);
    for (uint32_t r = lb; r < le; r++) {
        unsigned q = pos[s->ord[r]];
        bits[q >> 6] |= 1ULL << (q & 63);
    }
    uint32_t k = 0;
    for (uint32_t wi = 0; wi < s->words; wi++)
        for (uint64_t b = bits[wi]; b != 0; b &= b - 1)
            out[k++] = (uint16_t)(wi * 64 + (unsigned)__builtin_ctzll(b));
    return k;
}

void cipi_forest_small_groups(const struct fsmall *s, size_t f, const uint16_t *ranks, uint32_t n,
                              struct fgroups *g)
{
    const uint16_t *list = s->list + f * FOREST_SMALL_MAX;
    const double *vals = s->vals + f * FOREST_SMALL_MAX;
    size_t ns = s->ns;
    uint32_t miss0 = s->miss0[f];
    int k = -1;
    for (uint32_t r = 0; r < n; r++) {
        unsigned q = ranks[r], id = list[q];
        double v = vals[q];
        bool miss = q >= miss0;
        if (k < 0 || (miss ? g->code[k] != FOREST_MISSING_CODE : !(v == g->vhi[k]))) {
            k++;
            g->code[k] = miss ? FOREST_MISSING_CODE : 0; /* small nodes split by value */
            g->cnt[k] = 0;
            g->vlo[k] = g->vhi[k] = v;
            memset(g->st + (size_t)k * ns, 0, ns * sizeof(double));
        }
        g->cnt[k]++;
        if (ns == 2) {
            g->st[2 * k] += s->w[id];
            g->st[2 * k + 1] += s->v[id];
        } else {
            g->st[(size_t)k * ns + (size_t)s->v[id]] += s->w[id];
        }
    }
    g->n = k + 1;
}

uint32_t cipi_forest_small_partition(struct fsmall *s, uint32_t lb, uint32_t le,
                                     const struct fsplit *sp)
{
    size_t off = (size_t)sp->feature * FOREST_SMALL_MAX;
    const double *vals = s->vals + off;
    const uint16_t *pos = s->pos + off;
    uint32_t ml = (uint32_t)sp->missing_left, miss0 = s->miss0[sp->feature], a = lb, b = 0;
    for (uint32_t r = lb; r < le; r++) { /* branch-free: sides are unpredictable */
        uint16_t id = s->ord[r];
        uint32_t q = pos[id];
        uint32_t left = q >= miss0 ? ml : (uint32_t)(vals[q] <= sp->thr);
        s->ord[a] = id;
        s->tmp[b] = id;
        a += left;
        b += 1 - left;
    }
    memcpy(s->ord + a, s->tmp, b * sizeof *s->ord);
    return a - lb;
}
