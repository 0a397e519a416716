/* small.c - small subtrees: exact values and rank bitmaps instead of histograms
 *
 * When a node has few rows (<= FOREST_SMALL_MAX), its rows are copied into
 * local arrays (weight, value, and the code and exact value of every
 * feature). Nodes of the subtree are ranges of one id list that is
 * partitioned stably at each split (one list, not one per feature), so the
 * ids of a node stay increasing. A feature is sorted lazily: at the first
 * node of the subtree that scans it (nodes of more than
 * FOREST_SMALL_INSERTION rows; tinier ones sort their few rows themselves),
 * only that node's rows are sorted, and each remembers its rank; the node's
 * descendants reuse the ranks, and a node outside it sorts its own rows when
 * it needs the feature. A subtree thus never sorts features it does not
 * draw, and sorts each drawn feature over at most its m rows in all. To
 * scan a feature at a node, the ranks of the node's rows are set in a
 * bitmap and read back in order, which yields the node's rows sorted by
 * value in time proportional to the node (plus a few bitmap words): no
 * per-node sort, no 256-bin histogram, and no work for the features a node
 * does not draw. The order is (code, value, id) whichever node sorted, so
 * results do not depend on where a feature was sorted.
 * Values are exact (not bins), so small nodes get exactly scikit-learn's
 * candidate thresholds.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "forest_int.h"

#define SMALL_DIRECT 64 /* nodes up to this size rank by one sort of whole keys */

/* Counting sort of keys (code << 48 | low) by code, over the range of codes
 * present [*lo, *hi]; afterwards count[c] is the end of code c's run. Returns
 * the number of non-missing ids (the start of code 255). */
static uint32_t sort_by_code(const uint8_t *codes, const uint64_t *low, uint32_t m, uint64_t *keys,
                             uint32_t *count, unsigned *lo_out, unsigned *hi_out)
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
    uint32_t n_present = hi == FOREST_MISSING_CODE ? count[FOREST_MISSING_CODE] : m;
    for (uint32_t r = 0; r < m; r++)
        keys[count[codes[r]]++] = (uint64_t)codes[r] << 48 | low[r];
    *lo_out = lo;
    *hi_out = hi;
    return n_present;
}

/* Sort n distinct keys: insertion sort for short runs, else bottom-up merge
 * sort of insertion-sorted blocks (tmp: n keys). */
static inline void sort_run(uint64_t *keys, uint32_t n, uint64_t *tmp)
{
    enum { BLOCK = 16, TINY = 8 };
    if (n <= TINY) { /* distinct keys: place each by the count of smaller ones, no branches */
        for (uint32_t i = 0; i < n; i++) {
            uint32_t below = 0;
            for (uint32_t j = 0; j < n; j++)
                below += keys[j] < keys[i];
            tmp[below] = keys[i];
        }
        for (uint32_t i = 0; i < n; i++) /* (no library call for a few keys) */
            keys[i] = tmp[i];
        return;
    }
    if (n <= 2 * BLOCK) {
        cipi_forest_sort_keys(keys, n);
        return;
    }
    for (uint32_t i = 0; i < n; i += BLOCK)
        cipi_forest_sort_keys(keys + i, n - i < BLOCK ? n - i : BLOCK);
    uint64_t *src = keys, *dst = tmp;
    for (uint32_t width = BLOCK; width < n; width *= 2) {
        for (uint32_t i = 0; i < n; i += 2 * width) {
            uint32_t a = i, am = i + width < n ? i + width : n, b = am;
            uint32_t bm = i + 2 * width < n ? i + 2 * width : n, o = i;
            while (a < am && b < bm)
                dst[o++] = src[a] < src[b] ? src[a++] : src[b++];
            while (a < am)
                dst[o++] = src[a++];
            while (b < bm)
                dst[o++] = src[b++];
        }
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != keys)
        memcpy(keys, src, n * sizeof *keys);
}

/* Gather the codes and inexact values of the subtree's rows (whole rows:
 * one or two cache lines each, prefetched ahead). */
static void gather_rows(struct fsmall *s, const struct fbins *bins, const uint32_t *idx, uint32_t m)
{
    size_t p = s->p, nr = bins->n_raw;
    for (uint32_t r = 0; r < m; r++) {
        if (r + 16 < m) {
            __builtin_prefetch(bins->codes_rm + (size_t)idx[r + 16] * p);
            __builtin_prefetch(bins->codes_rm + (size_t)idx[r + 16] * p + p - 1);
            __builtin_prefetch(bins->raw + (size_t)idx[r + 16] * nr);
            __builtin_prefetch(bins->raw + (size_t)idx[r + 16] * nr + 16);
        }
        s->ord[r] = (uint16_t)r;
        const uint8_t *crow = bins->codes_rm + (size_t)idx[r] * p;
        const float *rrow = bins->raw + (size_t)idx[r] * nr;
        for (size_t f = 0; f < p; f++)
            s->codes[f * FOREST_SMALL_MAX + r] = crow[f];
        for (size_t j = 0; j < nr; j++)
            s->raw[j * FOREST_SMALL_MAX + r] = rrow[j];
    }
}

/* Rank feature f for node [lb, le): rk (id and value of each rank, NaN for
 * missing), pos (rank of each id) and miss0, with ranks lb..le-1. The
 * node's ids are increasing in ord (partitions are stable), so the order
 * (code, value, id) restricted to the node is the order an ancestor's sort
 * would have given. */
void cipi_forest_small_rank(struct fsmall *s, uint32_t lb, uint32_t le, size_t f)
{
    const struct fbins *bins = s->bins;
    uint32_t n = le - lb;
    const uint8_t *codes = s->codes + f * FOREST_SMALL_MAX;
    uint16_t *pos = s->pos + f * FOREST_SMALL_MAX;
    struct frank *rk = s->rk + f * FOREST_SMALL_MAX + lb;
    int32_t rc = bins->raw_col[f];
    const float *raw = rc >= 0 ? s->raw + (size_t)rc * FOREST_SMALL_MAX : NULL;
    uint64_t *low = s->keys + FOREST_SMALL_MAX, *keys = s->keys;
    uint8_t *nc = s->ncodes;
    const uint16_t *ord = s->ord + lb;
    /* order: code, then value (inexact features), then id */
    if (raw != NULL) {
        for (uint32_t r = 0; r < n; r++) {
            unsigned id = ord[r];
            nc[r] = codes[id];
            low[r] = nc[r] != FOREST_MISSING_CODE
                         ? (uint64_t)cipi_forest_float_key(raw[id]) << 16 | id
                         : id;
        }
    } else {
        for (uint32_t r = 0; r < n; r++) {
            unsigned id = ord[r];
            nc[r] = codes[id];
            low[r] = id;
        }
    }
    uint32_t miss0;
    if (n <= SMALL_DIRECT) { /* a few rows: one comparison sort of the whole keys */
        for (uint32_t r = 0; r < n; r++)
            keys[r] = (uint64_t)nc[r] << 48 | low[r];
        sort_run(keys, n, low);
        for (miss0 = n; miss0 > 0 && keys[miss0 - 1] >> 48 == FOREST_MISSING_CODE; miss0--)
            ;
    } else {
        unsigned clo, chi;
        miss0 = sort_by_code(nc, low, n, keys, s->count, &clo, &chi);
        for (unsigned c = clo; raw != NULL && c <= chi && c != FOREST_MISSING_CODE; c++) {
            uint32_t b = c == clo ? 0 : s->count[c - 1], e = s->count[c];
            if (e - b == 2) { /* the most common run: one compare-exchange */
                uint64_t x = keys[b], y = keys[b + 1];
                keys[b] = x < y ? x : y;
                keys[b + 1] = x < y ? y : x;
            } else if (e - b > 2) { /* low is free now: merge scratch */
                sort_run(keys + b, e - b, low);
            }
        }
    }
    if (raw != NULL) {
        for (uint32_t q = 0; q < miss0; q++) {
            unsigned id = (unsigned)(keys[q] & 0xFFFFu);
            pos[id] = (uint16_t)(lb + q);
            rk[q] = (struct frank){raw[id], id};
        }
    } else {
        const double *lo = bins->lo + bins->off[f];
        for (uint32_t q = 0; q < miss0; q++) {
            unsigned id = (unsigned)(keys[q] & 0xFFFFu);
            pos[id] = (uint16_t)(lb + q);
            rk[q] = (struct frank){(float)lo[keys[q] >> 48], id}; /* exact: a float */
        }
    }
    for (uint32_t q = miss0; q < n; q++) {
        unsigned id = (unsigned)(keys[q] & 0xFFFFu);
        pos[id] = (uint16_t)(lb + q);
        rk[q] = (struct frank){(float)NAN, id};
    }
    s->miss0[f] = lb + miss0;
    s->sb[f] = lb;
    s->se[f] = le;
}

void cipi_forest_small_init(struct fsmall *s, const struct fbins *bins, const uint32_t *idx,
                            const double *w, const double *v, uint32_t m)
{
    s->bins = bins;
    s->m = m;
    s->words = (m + 63) / 64;
    memcpy(s->w, w, m * sizeof *w);
    memcpy(s->v, v, m * sizeof *v);
    for (uint32_t r = 0; s->ns == 2 && r < m; r++)
        s->y[r] = v[r] / w[r];
    gather_rows(s, bins, idx, m);
    memset(s->sb, 0, s->p * sizeof *s->sb); /* nothing ranked yet */
    memset(s->se, 0, s->p * sizeof *s->se);
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
    for (uint32_t r = lb; r < le; r++) { /* bits are zero between uses */
        unsigned q = pos[s->ord[r]];
        bits[q >> 6] |= 1ULL << (q & 63);
    }
    uint32_t k = 0;
    for (uint32_t wi = 0; wi < s->words; wi++) {
        for (uint64_t b = bits[wi]; b != 0; b &= b - 1)
            out[k++] = (uint16_t)(wi * 64 + (unsigned)__builtin_ctzll(b));
        bits[wi] = 0;
    }
    return k;
}

void cipi_forest_small_groups(const struct fsmall *s, size_t f, const uint16_t *ranks, uint32_t n,
                              struct fgroups *g)
{
    const struct frank *rk = s->rk + f * FOREST_SMALL_MAX;
    size_t ns = s->ns;
    uint32_t miss0 = s->miss0[f];
    int k = -1;
    for (uint32_t r = 0; r < n; r++) {
        unsigned q = ranks[r], id = rk[q].id;
        double v = (double)rk[q].val;
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
    /* by value, as the ranked vals would (the feature may have been scanned
     * from its codes, unranked) */
    const struct fbins *bins = s->bins;
    size_t f = (size_t)sp->feature;
    const uint8_t *codes = s->codes + f * FOREST_SMALL_MAX;
    int32_t rc = bins->raw_col[f];
    uint32_t ml = (uint32_t)sp->missing_left, a = lb, b = 0;
    double thr = sp->thr;
    if (rc >= 0) {
        const float *raw = s->raw + (size_t)rc * FOREST_SMALL_MAX;
        for (uint32_t r = lb; r < le; r++) { /* branch-free: sides are unpredictable */
            uint16_t id = s->ord[r];
            uint32_t left =
                codes[id] == FOREST_MISSING_CODE ? ml : (uint32_t)((double)raw[id] <= thr);
            s->ord[a] = id;
            s->tmp[b] = id;
            a += left;
            b += 1 - left;
        }
    } else {
        const double *lo = bins->lo + bins->off[f];
        for (uint32_t r = lb; r < le; r++) {
            uint16_t id = s->ord[r];
            unsigned c = codes[id];
            uint32_t left = c == FOREST_MISSING_CODE ? ml : (uint32_t)(lo[c] <= thr);
            s->ord[a] = id;
            s->tmp[b] = id;
            a += left;
            b += 1 - left;
        }
    }
    memcpy(s->ord + a, s->tmp, b * sizeof *s->ord);
    return a - lb;
}
