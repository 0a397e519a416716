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

/* An unsigned key ordered as the float x (-0 and +0 equal; x is not NaN). */
static inline uint32_t float_key(float x)
{
    uint32_t u;
    if (x == 0.0f)
        x = 0.0f;
    memcpy(&u, &x, sizeof u);
    return u & 0x80000000u ? ~u : u | 0x80000000u;
}

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

static void insertion_sort(uint64_t *keys, uint32_t n)
{
    for (uint32_t i = 1; i < n; i++) {
        uint64_t k = keys[i];
        uint32_t j = i;
        for (; j > 0 && keys[j - 1] > k; j--)
            keys[j] = keys[j - 1];
        keys[j] = k;
    }
}

/* Sort n distinct keys: insertion sort for short runs, else bottom-up merge
 * sort of insertion-sorted blocks (tmp: n keys). */
static void sort_run(uint64_t *keys, uint32_t n, uint64_t *tmp)
{
    enum { BLOCK = 16, TINY = 8 };
    if (n <= TINY) { /* distinct keys: place each by the count of smaller ones, no branches */
        for (uint32_t i = 0; i < n; i++) {
            uint32_t below = 0;
            for (uint32_t j = 0; j < n; j++)
                below += keys[j] < keys[i];
            tmp[below] = keys[i];
        }
        memcpy(keys, tmp, n * sizeof *keys);
        return;
    }
    if (n <= 2 * BLOCK) {
        insertion_sort(keys, n);
        return;
    }
    for (uint32_t i = 0; i < n; i += BLOCK)
        insertion_sort(keys + i, n - i < BLOCK ? n - i : BLOCK);
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

/* Sorted order of feature f: list (ids by rank), pos (rank of each id), vals
 * (value of each rank, NaN for missing) and miss0. */
static void init_feature(struct fsmall *s, const struct fbins *bins, size_t f)
{
    uint32_t m = s->m;
    const uint8_t *codes = s->codes + f * FOREST_SMALL_MAX;
    uint16_t *pos = s->pos + f * FOREST_SMALL_MAX, *list = s->list + f * FOREST_SMALL_MAX;
    double *vals = s->vals + f * FOREST_SMALL_MAX;
    int32_t rc = bins->raw_col[f];
    const float *raw = rc >= 0 ? s->raw + (size_t)rc * FOREST_SMALL_MAX : NULL;
    uint64_t *low = s->keys + FOREST_SMALL_MAX, *keys = s->keys;
    /* order: code, then value (inexact features), then id */
    for (uint32_t r = 0; r < m; r++)
        low[r] = raw != NULL && codes[r] != FOREST_MISSING_CODE
                     ? (uint64_t)float_key(raw[r]) << 16 | r
                     : r;
    unsigned clo, chi;
    uint32_t miss0 = sort_by_code(codes, low, m, keys, s->count, &clo, &chi);
    if (raw != NULL) {
        for (unsigned c = clo; c <= chi && c != FOREST_MISSING_CODE; c++) {
            uint32_t b = c == clo ? 0 : s->count[c - 1], e = s->count[c];
            if (e - b > 1) /* low is free now: merge scratch */
                sort_run(keys + b, e - b, low);
        }
        for (uint32_t q = 0; q < miss0; q++) {
            unsigned id = (unsigned)(keys[q] & 0xFFFFu);
            pos[id] = (uint16_t)q;
            list[q] = (uint16_t)id;
            vals[q] = (double)raw[id];
        }
    } else {
        const double *lo = bins->lo + bins->off[f];
        for (uint32_t q = 0; q < miss0; q++) {
            unsigned id = (unsigned)(keys[q] & 0xFFFFu);
            pos[id] = (uint16_t)q;
            list[q] = (uint16_t)id;
            vals[q] = lo[keys[q] >> 48];
        }
    }
    for (uint32_t q = miss0; q < m; q++) {
        unsigned id = (unsigned)(keys[q] & 0xFFFFu);
        pos[id] = (uint16_t)q;
        list[q] = (uint16_t)id;
        vals[q] = (double)NAN;
    }
    s->miss0[f] = miss0;
}

void cipi_forest_small_init(struct fsmall *s, const struct fbins *bins, const uint32_t *idx,
                            const double *w, const double *v, uint32_t m)
{
    s->m = m;
    s->words = (m + 63) / 64;
    memcpy(s->w, w, m * sizeof *w);
    memcpy(s->v, v, m * sizeof *v);
    for (uint32_t r = 0; s->ns == 2 && r < m; r++)
        s->y[r] = v[r] / w[r];
    gather_rows(s, bins, idx, m);
    for (size_t f = 0; f < s->p; f++)
        init_feature(s, bins, f);
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
