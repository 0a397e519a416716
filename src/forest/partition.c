/* partition.c - splitting a large node's rows in place between its children
 *
 * The split search knows the left count n_left, so a node's range [b, e) is
 * partitioned in place around mid = b + n_left: rows of [b, mid) that go
 * right are swapped with rows of [mid, e) that go left. Each side is scanned
 * a block at a time, collecting its misplaced rows without branches (the
 * sides of rows are unpredictable), and the pairs are then swapped; no
 * scratch arrays. The order is a function of the data only (not of the
 * thread count), so models stay byte-identical at any thread count. Small
 * subtrees partition their own local lists (small.c).
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "forest_int.h"
#include "grow_int.h"

#define PART_BLOCK 64

/* 1 when row r goes left: its code from the node-ordered copy (cps > 0) or
 * from the feature's column. */
static inline __attribute__((always_inline)) uint32_t goes_left(const struct fgrow_ws *ws,
                                                                const uint8_t *col, uint32_t r,
                                                                size_t f, size_t cps, unsigned bin,
                                                                unsigned ml)
{
    unsigned c = cps != 0 ? ws->crm[(size_t)r * cps + f] : col[ws->idx[r]];
    return c == FOREST_MISSING_CODE ? ml : (uint32_t)(c <= bin);
}

static inline __attribute__((always_inline)) void swap_rows(struct fgrow_ws *ws, uint32_t a,
                                                            uint32_t c, size_t cps)
{
    uint32_t i = ws->idx[a];
    ws->idx[a] = ws->idx[c];
    ws->idx[c] = i;
    double t = ws->w[a];
    ws->w[a] = ws->w[c];
    ws->w[c] = t;
    t = ws->v[a];
    ws->v[a] = ws->v[c];
    ws->v[c] = t;
    if (cps != 0) {
        uint8_t ra[64], rc[64];
        memcpy(ra, ws->crm + (size_t)a * cps, cps);
        memcpy(rc, ws->crm + (size_t)c * cps, cps);
        memcpy(ws->crm + (size_t)a * cps, rc, cps);
        memcpy(ws->crm + (size_t)c * cps, ra, cps);
    }
}

/* Collect the rows of [*at, end) (at most PART_BLOCK) whose side is not
 * `want`; returns their number and advances *at. */
static inline __attribute__((always_inline)) uint32_t
misplaced(const struct fgrow_ws *ws, const uint8_t *col, uint32_t *at, uint32_t end, size_t f,
          size_t cps, unsigned bin, unsigned ml, uint32_t want, uint32_t *out)
{
    uint32_t r = *at, stop = end - r > PART_BLOCK ? r + PART_BLOCK : end, k = 0;
    for (; r < stop; r++) {
        /* the rows of a large node are sparse in a large column: fetch ahead */
        if (cps == 0 && r + 32 < end)
            __builtin_prefetch(col + ws->idx[r + 32]);
        out[k] = r;
        k += goes_left(ws, col, r, f, cps, bin, ml) ^ want;
    }
    *at = r;
    return k;
}

static inline __attribute__((always_inline)) uint32_t
partition_k(struct fgrow_ws *ws, const uint8_t *col, uint32_t b, uint32_t e, const struct fsplit *s,
            size_t cps)
{
    unsigned bin = (unsigned)s->bin, ml = (unsigned)s->missing_left;
    size_t f = (size_t)s->feature;
    uint32_t mid = b + s->n_left, i = b, j = mid;
    uint32_t out_l[PART_BLOCK], out_r[PART_BLOCK], nl = 0, nr = 0, kl = 0, kr = 0;
    if (s->n_left == 0 || s->n_left >= e - b)
        return 0;
    for (;;) {
        while (kl == nl && i < mid) { /* rows of the left part that go right */
            nl = misplaced(ws, col, &i, mid, f, cps, bin, ml, 1, out_l);
            kl = 0;
        }
        while (kr == nr && j < e) { /* rows of the right part that go left */
            nr = misplaced(ws, col, &j, e, f, cps, bin, ml, 0, out_r);
            kr = 0;
        }
        uint32_t k = nl - kl < nr - kr ? nl - kl : nr - kr;
        if (k == 0)
            break;
        for (uint32_t t = 0; t < k; t++)
            swap_rows(ws, out_l[kl + t], out_r[kr + t], cps);
        kl += k;
        kr += k;
    }
    /* both sides exhausted, or n_left was not the split's left count */
    return kl == nl && kr == nr && i == mid && j == e ? s->n_left : 0;
}

uint32_t cipi_forest_partition(const struct fgrow_cfg *cfg, struct fgrow_ws *ws, uint32_t b,
                               uint32_t e, const struct fsplit *s)
{
    switch (ws->cps) {
    case 8:
        return partition_k(ws, NULL, b, e, s, 8);
    case 16:
        return partition_k(ws, NULL, b, e, s, 16);
    case 32:
        return partition_k(ws, NULL, b, e, s, 32);
    case 64:
        return partition_k(ws, NULL, b, e, s, 64);
    default:
        return partition_k(ws, cfg->bins->codes + (size_t)s->feature * cfg->bins->n_rows, b, e, s,
                           0);
    }
}
