/* split_group.c - group ids from row contents, and the group-aware split
 *
 * Rows whose selected cells are identical form a group (found with an open-
 * addressing hash table over the cells' canonical bit patterns, confirmed by an
 * exact comparison), and a group split sends whole groups to one side, so the
 * same feature vector can never be both trained on and tested on.
 * The split shuffles the groups (stream 0 of the seed) and takes each group
 * whose rows bring the test set closer to ceil(test_size * n) rows; with
 * stratify, each class (a group's majority label) is filled towards its own
 * share of that target (sklearn's _approximate_mode over the classes' rows).
 * The best of a few such shuffles is kept; both sides are never empty.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "validate_int.h"

#define CANON_NAN   0x7FF8000000000000ULL
#define MISSING_KEY 0xA5A5A5A5DEADBEEFULL

/* Canonical bits of a double: one NaN, and -0.0 folded into 0.0. */
static uint64_t dbits(double v)
{
    uint64_t b;
    if (isnan(v))
        return CANON_NAN;
    if (v == 0.0)
        v = 0.0;
    memcpy(&b, &v, sizeof b);
    return b;
}

/* Key of one cell; *miss set when it holds no value (float NaN counts as missing). */
static uint64_t cell_key(const cip_frame *x, size_t j, size_t i, int *miss)
{
    *miss = cip_frame_is_missing(x, j, i);
    if (*miss)
        return MISSING_KEY;
    switch (cip_frame_col_type(x, j)) {
    case CIP_TYPE_INT:
        return (uint64_t)cip_frame_i64(x, j)[i];
    case CIP_TYPE_FLOAT: {
        double v = cip_frame_f64(x, j)[i];
        *miss = isnan(v);
        return *miss ? MISSING_KEY : dbits(v);
    }
    case CIP_TYPE_BOOL:
        return cip_frame_bool(x, j)[i];
    case CIP_TYPE_CAT:
        return cip_frame_codes(x, j)[i];
    }
    return 0;
}

struct rowkey {
    const cip_frame *x; /* frame */
    const size_t *cols; /* selected columns (NULL = all) */
    size_t n_cols;      /* their count */
    const double *y;    /* optional extra key */
};

static size_t col_at(const struct rowkey *k, size_t q)
{
    return k->cols ? k->cols[q] : q;
}

static uint64_t row_hash(const struct rowkey *k, size_t i)
{
    uint64_t h = 0x243F6A8885A308D3ULL;
    int miss;
    for (size_t q = 0; q < k->n_cols; q++) {
        uint64_t v = cell_key(k->x, col_at(k, q), i, &miss);
        h = cip_mix64(h ^ (v + (uint64_t)miss * 0x9E3779B97F4A7C15ULL));
    }
    if (k->y != NULL)
        h = cip_mix64(h ^ dbits(k->y[i]));
    return h;
}

static bool rows_equal(const struct rowkey *k, size_t a, size_t b)
{
    int ma, mb;
    for (size_t q = 0; q < k->n_cols; q++) {
        size_t j = col_at(k, q);
        uint64_t va = cell_key(k->x, j, a, &ma), vb = cell_key(k->x, j, b, &mb);
        if (ma != mb || va != vb)
            return false;
    }
    return k->y == NULL || dbits(k->y[a]) == dbits(k->y[b]);
}

cip_status cip_group_rows(cip_ctx *ctx, const cip_frame *x, const size_t *cols, size_t n_cols,
                          const double *y, uint32_t *group, size_t *n_groups)
{
    size_t n = cip_frame_n_rows(x);
    struct rowkey key = {x, cols, cols ? n_cols : cip_frame_n_cols(x), y};
    for (size_t q = 0; cols != NULL && q < n_cols; q++)
        if (cols[q] >= cip_frame_n_cols(x))
            return cipi_fail(ctx, CIP_ERR_INVALID, "group rows: column %zu out of range (%zu)",
                             cols[q], cip_frame_n_cols(x));
    if (n >= UINT32_MAX)
        return cipi_fail(ctx, CIP_ERR_LIMIT, "group rows: %zu rows is too many", n);
    size_t n_slots = 16;
    while (n_slots < 2 * n)
        n_slots *= 2;
    size_t *slot = cipi_calloc(ctx, n_slots, sizeof *slot); /* representative row + 1 */
    if (slot == NULL)
        return CIP_ERR_NOMEM;
    uint32_t next = 0;
    for (size_t i = 0; i < n; i++) {
        size_t s = (size_t)row_hash(&key, i) & (n_slots - 1);
        while (slot[s] != 0 && !rows_equal(&key, slot[s] - 1, i))
            s = (s + 1) & (n_slots - 1);
        if (slot[s] == 0) {
            slot[s] = i + 1;
            group[i] = next++;
        } else {
            group[i] = group[slot[s] - 1];
        }
    }
    cipi_free(ctx, slot);
    *n_groups = next;
    return CIP_OK;
}

/* Walk groups in `order`, taking each one that brings the taken rows closer to
 * target; returns the rows taken. */
static size_t greedy_take(const uint32_t *order, size_t m, const size_t *size, size_t target,
                          uint8_t *take)
{
    size_t cur = 0;
    for (size_t q = 0; q < m; q++) {
        uint32_t g = order[q];
        size_t now = cur > target ? cur - target : target - cur;
        size_t after = cur + size[g] > target ? cur + size[g] - target : target - cur - size[g];
        if (after < now) {
            take[g] = 1;
            cur += size[g];
        }
    }
    return cur;
}

/* Make both sides non-empty: with no test rows take the smallest group; with no
 * train rows give back the smallest taken group (first in `order` on ties). */
static void fix_sides(const uint32_t *order, size_t m, const size_t *size, size_t taken, size_t n,
                      uint8_t *take)
{
    if (taken != 0 && taken != n)
        return;
    size_t best = SIZE_MAX;
    uint32_t pick = 0;
    for (size_t q = 0; q < m; q++)
        if (size[order[q]] < best) {
            best = size[order[q]];
            pick = order[q];
        }
    take[pick] = taken == 0;
}

/* Majority class of each group (ties: the smaller class), written to label[g]. */
static cip_status group_labels(cip_ctx *ctx, const uint32_t *group, size_t n,
                               const struct vclasses *c, size_t n_groups, uint32_t *label)
{
    size_t *start = cipi_calloc(ctx, n_groups + 1, sizeof *start);
    size_t *rows = cipi_mallocarray(ctx, n, sizeof *rows);
    size_t *cnt = cipi_calloc(ctx, c->n_classes, sizeof *cnt);
    cip_status rc = CIP_ERR_NOMEM;
    if (start == NULL || rows == NULL || cnt == NULL)
        goto done;
    for (size_t i = 0; i < n; i++)
        start[group[i] + 1]++;
    for (size_t g = 0; g < n_groups; g++)
        start[g + 1] += start[g];
    for (size_t i = 0; i < n; i++)
        rows[start[group[i]]++] = i;
    for (size_t g = 0, s = 0; g < n_groups; g++) {
        size_t e = start[g];
        uint32_t best = 0;
        for (size_t q = s; q < e; q++)
            cnt[c->of_row[rows[q]]]++;
        for (size_t q = s; q < e; q++) {
            uint32_t k = c->of_row[rows[q]];
            if (cnt[k] > cnt[best] || (cnt[k] == cnt[best] && k < best))
                best = k;
        }
        label[g] = best;
        for (size_t q = s; q < e; q++)
            cnt[c->of_row[rows[q]]] = 0;
        s = e;
    }
    rc = CIP_OK;
done:
    cipi_free(ctx, start);
    cipi_free(ctx, rows);
    cipi_free(ctx, cnt);
    return rc;
}

/* Attempts at the split, each from a fresh shuffle of the groups; the one
 * closest to the target (per class when stratified) wins, the first on ties. */
#define GROUP_TRIES 8

struct gsplit {
    size_t n_groups; /* ids 0..n_groups-1 (some may be empty) */
    size_t *size;    /* rows per group */
    uint32_t *order; /* non-empty groups, shuffled */
    size_t m;        /* entries in order */
    uint8_t *take;   /* 1 = group goes to test */
    size_t target;   /* test rows wanted */
    /* stratified only: */
    size_t k;         /* classes */
    uint32_t *label;  /* majority class of each group */
    size_t *want;     /* test rows wanted per class */
    size_t *start;    /* k + 1 bucket offsets */
    uint32_t *bucket; /* groups of order, bucketed by label */
};

static size_t absdiff(size_t a, size_t b)
{
    return a > b ? a - b : b - a;
}

/* Labels of the groups and each class's share of the target. */
static cip_status strat_prepare(cip_ctx *ctx, const cip_split_data *d, struct gsplit *gs,
                                cip_rng *rng)
{
    struct vclasses c;
    size_t *rows_of = NULL;
    cip_status rc = cipi_vclasses_make(ctx, d->y, d->n_rows, false, &c);
    if (rc != CIP_OK)
        return rc;
    gs->k = c.n_classes;
    rc = CIP_ERR_NOMEM;
    gs->label = cipi_mallocarray(ctx, gs->n_groups, sizeof *gs->label);
    gs->bucket = cipi_mallocarray(ctx, gs->m, sizeof *gs->bucket);
    gs->want = cipi_mallocarray(ctx, gs->k, sizeof *gs->want);
    gs->start = cipi_mallocarray(ctx, gs->k + 1, sizeof *gs->start);
    rows_of = cipi_calloc(ctx, gs->k, sizeof *rows_of);
    if (gs->label == NULL || gs->bucket == NULL || gs->want == NULL || gs->start == NULL ||
        rows_of == NULL)
        goto done;
    rc = group_labels(ctx, d->group, d->n_rows, &c, gs->n_groups, gs->label);
    if (rc != CIP_OK)
        goto done;
    for (size_t q = 0; q < gs->m; q++)
        rows_of[gs->label[gs->order[q]]] += gs->size[gs->order[q]];
    rc = cipi_validate_approx_mode(ctx, rows_of, gs->k, gs->target, rng, gs->want);
done:
    cipi_free(ctx, rows_of);
    cipi_vclasses_release(ctx, &c);
    return rc;
}

/* One stratified attempt: groups bucketed by label (keeping the shuffled
 * order), each class filled towards its own share. Returns the summed miss. */
static size_t strat_fill(struct gsplit *gs)
{
    size_t dev = 0;
    memset(gs->start, 0, (gs->k + 1) * sizeof *gs->start);
    for (size_t q = 0; q < gs->m; q++)
        gs->start[gs->label[gs->order[q]] + 1]++;
    for (size_t j = 0; j < gs->k; j++)
        gs->start[j + 1] += gs->start[j];
    for (size_t q = 0; q < gs->m; q++)
        gs->bucket[gs->start[gs->label[gs->order[q]]]++] = gs->order[q];
    for (size_t j = 0, s = 0; j < gs->k; j++) {
        size_t got = greedy_take(gs->bucket + s, gs->start[j] - s, gs->size, gs->want[j], gs->take);
        dev += absdiff(got, gs->want[j]);
        s = gs->start[j];
    }
    return dev;
}

static void gsplit_release(cip_ctx *ctx, struct gsplit *gs)
{
    cipi_free(ctx, gs->size);
    cipi_free(ctx, gs->order);
    cipi_free(ctx, gs->take);
    cipi_free(ctx, gs->label);
    cipi_free(ctx, gs->want);
    cipi_free(ctx, gs->start);
    cipi_free(ctx, gs->bucket);
}

/* Best of GROUP_TRIES attempts into best[n_groups]. */
static void best_attempt(struct gsplit *gs, int stratify, cip_rng *rng, uint8_t *best)
{
    size_t best_dev = SIZE_MAX;
    for (int a = 0; a < GROUP_TRIES && best_dev > 0; a++) {
        memset(gs->take, 0, gs->n_groups);
        cipi_validate_shuffle_u32(gs->order, gs->m, rng);
        size_t dev = stratify
                         ? strat_fill(gs)
                         : absdiff(greedy_take(gs->order, gs->m, gs->size, gs->target, gs->take),
                                   gs->target);
        if (dev < best_dev) {
            best_dev = dev;
            memcpy(best, gs->take, gs->n_groups);
        }
    }
}

cip_status cipi_split_group(cip_ctx *ctx, const cip_split_data *d, const cip_split_params *p,
                            size_t n_test, cip_rng *rng, uint8_t *mask)
{
    size_t n = d->n_rows, n_groups = 0;
    for (size_t i = 0; i < n; i++)
        if ((size_t)d->group[i] + 1 > n_groups)
            n_groups = (size_t)d->group[i] + 1;
    struct gsplit gs;
    memset(&gs, 0, sizeof gs);
    gs.n_groups = n_groups;
    gs.target = n_test;
    uint8_t *best = NULL;
    cip_status rc = CIP_ERR_NOMEM;
    gs.size = cipi_calloc(ctx, n_groups, sizeof *gs.size);
    gs.order = cipi_mallocarray(ctx, n_groups, sizeof *gs.order);
    gs.take = cipi_calloc(ctx, n_groups, 1);
    best = cipi_calloc(ctx, n_groups, 1);
    if (gs.size == NULL || gs.order == NULL || gs.take == NULL || best == NULL)
        goto done;
    for (size_t i = 0; i < n; i++)
        gs.size[d->group[i]]++;
    for (size_t g = 0; g < n_groups; g++)
        if (gs.size[g] > 0)
            gs.order[gs.m++] = (uint32_t)g;
    if (gs.m < 2) {
        rc = cipi_fail(ctx, CIP_ERR_INVALID,
                       "group split needs at least 2 distinct groups, found %zu", gs.m);
        goto done;
    }
    rc = p->stratify ? strat_prepare(ctx, d, &gs, rng) : CIP_OK;
    if (rc != CIP_OK)
        goto done;
    best_attempt(&gs, p->stratify, rng, best);
    size_t taken = 0;
    for (size_t g = 0; g < n_groups; g++)
        taken += best[g] ? gs.size[g] : 0;
    fix_sides(gs.order, gs.m, gs.size, taken, n, best);
    for (size_t i = 0; i < n; i++)
        mask[i] = best[d->group[i]];
done:
    cipi_free(ctx, best);
    gsplit_release(ctx, &gs);
    return rc;
}
