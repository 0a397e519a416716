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
 * results do not depend on where a feature was sorted. A sort places the
 * rows by code (one counting pass; exact features are then sorted), then
 * orders each code's few rows by value (one insertion pass when every run
 * is short). Entering small mode transposes the subtree's row-major codes
 * and values into per-feature arrays (by 16 x 16 byte blocks with SSE2).
 * Values are exact (not bins), so small nodes get exactly scikit-learn's
 * candidate thresholds. With squared error or Gini on two stats, exact
 * features (one value per code) are never ranked: split.c sweeps their
 * codes directly.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "forest_int.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define GATHER_AHEAD  16 /* rows prefetched ahead when entering small mode */
#define SMALL_DIRECT  32 /* nodes up to this size rank by one sort of whole keys */
#define RUN_INSERTION 4  /* codes' runs all up to this long: one insertion pass */

/* Place keys (code << 48 | low) by code, stably: count[c] holds the rows
 * of code c (codes lo..hi) and is the end of c's run afterwards. Returns
 * the number of non-missing rows (the start of code 255); *longest: the
 * longest run of a value code. */
static uint32_t place_by_code(uint32_t *count, const uint8_t *codes, const uint64_t *low,
                              uint32_t m, unsigned lo, unsigned hi, uint64_t *keys,
                              uint32_t *longest)
{
    uint32_t start = 0, run = 0;
    for (unsigned c = lo; c <= hi; c++) { /* run starts */
        uint32_t k = count[c];
        count[c] = start;
        start += k;
        run = k > run && c != FOREST_MISSING_CODE ? k : run;
    }
    for (uint32_t r = 0; r < m; r++)
        keys[count[codes[r]]++] = (uint64_t)codes[r] << 48 | low[r];
    *longest = run;
    return hi == FOREST_MISSING_CODE ? (lo == hi ? 0 : count[hi - 1]) : m;
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

/* The codes of the subtree's row r: from the rows' node-ordered copy crows
 * (stride cps) when there is one, else from the binned table by idx. */
struct crows {
    const uint8_t *base; /* crows, or bins->codes_rm */
    size_t stride;       /* cps, or p */
    const uint32_t *idx; /* NULL with crows */
};

static inline const uint8_t *code_row(const struct crows *c, uint32_t r)
{
    return c->base + (c->idx != NULL ? (size_t)c->idx[r] : r) * c->stride;
}

/* Prefetch table row i of the subtree (both ends: rows may straddle cache
 * lines); the codes only when they are read from the table (c->idx). */
static inline void prefetch_row(const struct fbins *bins, const struct crows *c, size_t nr,
                                uint32_t i)
{
    if (c->idx != NULL) {
        __builtin_prefetch(c->base + (size_t)i * c->stride);
        __builtin_prefetch(c->base + (size_t)i * c->stride + c->stride - 1);
    }
    if (nr > 0) {
        __builtin_prefetch(bins->raw + (size_t)i * nr);
        __builtin_prefetch(bins->raw + (size_t)i * nr + nr - 1);
    }
}

/* Copy row r (local id) of the codes and inexact values into the per-feature arrays. */
static inline void gather_one(struct fsmall *s, const struct fbins *bins, const struct crows *c,
                              const uint32_t *idx, uint32_t r)
{
    size_t p = s->p, nr = bins->n_raw;
    const uint8_t *crow = code_row(c, r);
    const float *rrow = bins->raw + (size_t)idx[r] * nr;
    for (size_t f = 0; f < p; f++)
        s->codes[f * FOREST_SMALL_MAX + r] = crow[f];
    for (size_t j = 0; j < nr; j++)
        s->raw[j * FOREST_SMALL_MAX + r] = rrow[j];
}

#ifdef __SSE2__
/* Transpose a 16 x 16 byte block in place (row i becomes column i): four
 * rounds of interleaving row i with row i + 8. */
static inline void transpose16(__m128i *a)
{
    for (int round = 0; round < 4; round++) {
        __m128i o[16];
        for (int i = 0; i < 8; i++) {
            o[2 * i] = _mm_unpacklo_epi8(a[i], a[i + 8]);
            o[2 * i + 1] = _mm_unpackhi_epi8(a[i], a[i + 8]);
        }
        for (int i = 0; i < 16; i++)
            a[i] = o[i];
    }
}

/* Rows r0..r0+15 (p >= 16): 16-byte slices of each row's codes transposed
 * by blocks (the last slice overlaps the previous one), values 4 x 4. */
static void gather_block16(struct fsmall *s, const struct fbins *bins, const struct crows *cr,
                           const uint32_t *idx, uint32_t r0)
{
    size_t p = s->p, nr = bins->n_raw;
    const uint8_t *crow[16];
    for (int i = 0; i < 16; i++)
        crow[i] = code_row(cr, r0 + (uint32_t)i);
    for (size_t j = 0; j < p; j += 16) {
        size_t c = j + 16 <= p ? j : p - 16;
        __m128i a[16];
        for (int i = 0; i < 16; i++)
            a[i] = _mm_loadu_si128((const __m128i *)(const void *)(crow[i] + c));
        transpose16(a);
        for (int i = 0; i < 16; i++)
            _mm_storeu_si128(
                (__m128i *)(void *)(s->codes + (c + (size_t)i) * FOREST_SMALL_MAX + r0), a[i]);
    }
    for (uint32_t q = 0; nr >= 4 && q < 16; q += 4) {
        const float *rrow[4];
        for (uint32_t i = 0; i < 4; i++)
            rrow[i] = bins->raw + (size_t)idx[r0 + q + i] * nr;
        for (size_t j = 0; j < nr; j += 4) {
            size_t c = j + 4 <= nr ? j : nr - 4;
            __m128 x0 = _mm_loadu_ps(rrow[0] + c), x1 = _mm_loadu_ps(rrow[1] + c);
            __m128 x2 = _mm_loadu_ps(rrow[2] + c), x3 = _mm_loadu_ps(rrow[3] + c);
            __m128 y0 = _mm_unpacklo_ps(x0, x2), y1 = _mm_unpackhi_ps(x0, x2);
            __m128 y2 = _mm_unpacklo_ps(x1, x3), y3 = _mm_unpackhi_ps(x1, x3);
            float *out = s->raw + c * FOREST_SMALL_MAX + r0 + q;
            _mm_storeu_ps(out, _mm_unpacklo_ps(y0, y2));
            _mm_storeu_ps(out + FOREST_SMALL_MAX, _mm_unpackhi_ps(y0, y2));
            _mm_storeu_ps(out + 2 * FOREST_SMALL_MAX, _mm_unpacklo_ps(y1, y3));
            _mm_storeu_ps(out + 3 * FOREST_SMALL_MAX, _mm_unpackhi_ps(y1, y3));
        }
    }
    for (uint32_t q = 0; nr > 0 && nr < 4 && q < 16; q++) {
        const float *rrow = bins->raw + (size_t)idx[r0 + q] * nr;
        for (size_t j = 0; j < nr; j++)
            s->raw[j * FOREST_SMALL_MAX + r0 + q] = rrow[j];
    }
}
#endif

/* Gather the codes and inexact values of the subtree's rows (whole rows:
 * one or two cache lines each, prefetched ahead), transposed into one
 * array per feature. crows: the rows' codes in order (stride cps), or NULL
 * to read them from the binned table by idx. */
static void gather_rows(struct fsmall *s, const struct fbins *bins, const uint32_t *idx,
                        const uint8_t *crows, size_t cps, uint32_t m)
{
    size_t p = s->p, nr = bins->n_raw;
    struct crows c = {crows != NULL ? crows : bins->codes_rm, crows != NULL ? cps : p,
                      crows != NULL ? NULL : idx};
    uint32_t r = 0;
    for (uint32_t i = 0; i < m && i < GATHER_AHEAD; i++)
        prefetch_row(bins, &c, nr, idx[i]);
#ifdef __SSE2__
    for (; p >= 16 && r + 16 <= m; r += 16) {
        for (uint32_t i = r + GATHER_AHEAD; i < r + GATHER_AHEAD + 16 && i < m; i++)
            prefetch_row(bins, &c, nr, idx[i]);
        gather_block16(s, bins, &c, idx, r);
    }
#endif
    for (; r < m; r++) {
        if (r + GATHER_AHEAD < m)
            prefetch_row(bins, &c, nr, idx[r + GATHER_AHEAD]);
        gather_one(s, bins, &c, idx, r);
    }
    for (uint32_t i = 0; i < m; i++)
        s->ord[i] = (uint16_t)i;
}

/* Order keys i < j. */
static inline void cmp_swap(uint64_t *k, int i, int j)
{
    uint64_t x = k[i], y = k[j];
    k[i] = x < y ? x : y;
    k[j] = x < y ? y : x;
}

/* Sort each code's run of keys[0, miss0) (placed by code) by value then id;
 * longest: the longest run. */
static void sort_runs(struct fsmall *s, uint64_t *keys, uint32_t miss0, uint32_t longest)
{
    if (longest <= 1)
        return;
    if (longest <= RUN_INSERTION) { /* short runs: one insertion pass (codes never cross) */
        for (uint32_t q = 1; q < miss0; q++) {
            uint64_t k = keys[q];
            if (k < keys[q - 1]) {
                uint32_t j = q;
                do {
                    keys[j] = keys[j - 1];
                    j--;
                } while (j > 0 && keys[j - 1] > k);
                keys[j] = k;
            }
        }
        return;
    }
    for (uint32_t q = 0; q < miss0;) { /* each code's run: from its first key to its end */
        uint32_t e = s->count[keys[q] >> 48];
        uint64_t *k = keys + q;
        switch (e - q) { /* short runs: sorting networks of compare-exchanges */
        case 1:
            break;
        case 2:
            cmp_swap(k, 0, 1);
            break;
        case 3:
            cmp_swap(k, 0, 1);
            cmp_swap(k, 1, 2);
            cmp_swap(k, 0, 1);
            break;
        case 4:
            cmp_swap(k, 0, 1);
            cmp_swap(k, 2, 3);
            cmp_swap(k, 0, 2);
            cmp_swap(k, 1, 3);
            cmp_swap(k, 1, 2);
            break;
        default: /* the low keys are free now: merge scratch */
            sort_run(k, e - q, keys + FOREST_SMALL_MAX);
        }
        q = e;
    }
}

/* Ranks of an exact feature by one counting pass (codes order the rows;
 * ids stay increasing within a code, as in ord): rk, pos for ranks lb..;
 * returns the number of non-missing rows. */
static uint32_t rank_exact(struct fsmall *s, const uint16_t *ord, uint32_t n, size_t f, uint32_t lb)
{
    const uint8_t *codes = s->codes + f * FOREST_SMALL_MAX;
    const double *vlo = s->bins->lo + s->bins->off[f];
    uint16_t *pos = s->pos + f * FOREST_SMALL_MAX;
    struct frank *rk = s->rk + f * FOREST_SMALL_MAX + lb;
    uint32_t *count = s->count, start = 0;
    unsigned lo = 255, hi = 0;
    for (uint32_t r = 0; r < n; r++) {
        unsigned c = codes[ord[r]];
        count[c]++;
        lo = c < lo ? c : lo;
        hi = c > hi ? c : hi;
    }
    for (unsigned c = lo; c <= hi; c++) { /* run starts */
        uint32_t k = count[c];
        count[c] = start;
        start += k;
    }
    uint32_t miss0 = hi == FOREST_MISSING_CODE ? count[FOREST_MISSING_CODE] : n;
    for (uint32_t r = 0; r < n; r++) {
        unsigned id = ord[r], c = codes[id];
        uint32_t q = count[c]++;
        pos[id] = (uint16_t)(lb + q);
        rk[q] = (struct frank){c != FOREST_MISSING_CODE ? (float)vlo[c] : (float)NAN, id};
    }
    memset(count + lo, 0, (hi - lo + 1) * sizeof *count); /* zero between uses */
    return miss0;
}

/* The codes of the rows ord[0..n) into nc and count (and their range into
 * [*lo, *hi]), and each row's low sort key: its value's key and id for an
 * inexact feature (raw), its id for an exact one. Inlined with raw NULL or
 * not, so each loop is compiled for one kind of feature. */
static inline __attribute__((always_inline)) void
code_keys(const uint8_t *codes, const float *raw, const uint16_t *ord, uint32_t n, uint32_t *count,
          uint8_t *nc, uint64_t *low, unsigned *lo, unsigned *hi)
{
    unsigned l = *lo, h = *hi;
    for (uint32_t r = 0; r < n; r++) {
        unsigned id = ord[r], c = codes[id];
        nc[r] = (uint8_t)c;
        count[c]++;
        l = c < l ? c : l;
        h = c > h ? c : h;
        low[r] = raw != NULL && c != FOREST_MISSING_CODE
                     ? (uint64_t)cipi_forest_float_key(raw[id]) << 16 | id
                     : id;
    }
    *lo = l;
    *hi = h;
}

/* Rank feature f for node [lb, le): rk (id and value of each rank, NaN for
 * missing), pos (rank of each id) and miss0, with ranks lb..le-1. The
 * node's ids are increasing in ord (small-mode partitions are stable), so
 * the order (code, value, id) restricted to the node is the order an
 * ancestor's sort would have given. */
void cipi_forest_small_rank(struct fsmall *s, uint32_t lb, uint32_t le, size_t f)
{
    const struct fbins *bins = s->bins;
    uint32_t n = le - lb, *count = s->count;
    const uint8_t *codes = s->codes + f * FOREST_SMALL_MAX;
    uint16_t *pos = s->pos + f * FOREST_SMALL_MAX;
    struct frank *rk = s->rk + f * FOREST_SMALL_MAX + lb;
    int32_t rc = bins->raw_col[f];
    const float *raw = rc >= 0 ? s->raw + (size_t)rc * FOREST_SMALL_MAX : NULL;
    uint64_t *low = s->keys + FOREST_SMALL_MAX, *keys = s->keys;
    uint8_t *nc = s->ncodes;
    const uint16_t *ord = s->ord + lb;
    unsigned lo = 255, hi = 0;
    if (raw == NULL && n > SMALL_DIRECT) {
        s->miss0[f] = lb + rank_exact(s, ord, n, f, lb);
        s->sb[f] = lb;
        s->se[f] = le;
        return;
    }
    /* order: code, then value (inexact features), then id; count the codes */
    if (raw != NULL)
        code_keys(codes, raw, ord, n, count, nc, low, &lo, &hi);
    else
        code_keys(codes, NULL, ord, n, count, nc, low, &lo, &hi);
    uint32_t miss0;
    if (n <= SMALL_DIRECT) { /* a few rows: one comparison sort of the whole keys */
        for (uint32_t r = 0; r < n; r++)
            keys[r] = (uint64_t)nc[r] << 48 | low[r];
        sort_run(keys, n, low);
        for (miss0 = n; miss0 > 0 && keys[miss0 - 1] >> 48 == FOREST_MISSING_CODE; miss0--)
            ;
    } else {
        uint32_t longest;
        miss0 = place_by_code(count, nc, low, n, lo, hi, keys, &longest);
        if (raw != NULL)
            sort_runs(s, keys, miss0, longest);
    }
    memset(count + lo, 0, (hi - lo + 1) * sizeof *count); /* zero between uses */
    if (raw != NULL) {
        for (uint32_t q = 0; q < miss0; q++) {
            unsigned id = (unsigned)(keys[q] & 0xFFFFu);
            pos[id] = (uint16_t)(lb + q);
            rk[q] = (struct frank){raw[id], id};
        }
    } else {
        const double *vlo = bins->lo + bins->off[f];
        for (uint32_t q = 0; q < miss0; q++) {
            unsigned id = (unsigned)(keys[q] & 0xFFFFu);
            pos[id] = (uint16_t)(lb + q);
            rk[q] = (struct frank){(float)vlo[keys[q] >> 48], id}; /* exact: a float */
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
                            const uint8_t *crows, size_t cps, const double *w, const double *v,
                            uint32_t m)
{
    s->bins = bins;
    s->m = m;
    s->words = (m + 63) / 64;
    memcpy(s->w, w, m * sizeof *w);
    memcpy(s->v, v, m * sizeof *v);
    for (uint32_t r = 0; s->ns == 2 && r < m; r++)
        s->y[r] = v[r] / w[r];
    gather_rows(s, bins, idx, crows, cps, m);
    memset(s->sb, 0, s->p * sizeof *s->sb); /* nothing ranked yet */
    memset(s->se, 0, s->p * sizeof *s->se);
    memset(s->count, 0, (FOREST_HIST_BINS + 1) * sizeof *s->count); /* zero between sorts */
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
        /* missing values are NaN: !(x > thr) sends them left, x <= thr right */
        const float *raw = s->raw + (size_t)rc * FOREST_SMALL_MAX;
        for (uint32_t r = lb; ml && r < le; r++) { /* branch-free: sides are unpredictable */
            uint16_t id = s->ord[r];
            uint32_t left = (uint32_t) !((double)raw[id] > thr);
            s->ord[a] = id;
            s->tmp[b] = id;
            a += left;
            b += 1 - left;
        }
        for (uint32_t r = lb; !ml && r < le; r++) {
            uint16_t id = s->ord[r];
            uint32_t left = (uint32_t)((double)raw[id] <= thr);
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
