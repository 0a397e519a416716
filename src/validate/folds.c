/* folds.c - k-fold, stratified k-fold and group k-fold assignments
 *
 * A cip_folds stores the fold of every row for each repeat; split i of the set
 * holds out fold i % k of repeat i / k. Unshuffled folds are exactly
 * scikit-learn 1.2's KFold, StratifiedKFold and GroupKFold; shuffled ones use
 * stream r of the seed for repeat r, so they do not depend on the thread count.
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include "validate_int.h"

void cip_fold_params_default(cip_fold_params *p)
{
    memset(p, 0, sizeof *p);
    p->kind = CIP_FOLD_KFOLD;
    p->n_splits = 5;
    p->n_repeats = 1;
    p->shuffle = 0;
    p->seed = 0;
}

/* KFold: fold f has n/k rows, plus one for the first n % k folds. */
static cip_status assign_kfold(cip_ctx *ctx, size_t n, size_t k, int shuffle, cip_rng *rng,
                               uint32_t *fold)
{
    size_t *perm = NULL;
    if (shuffle) {
        perm = cipi_mallocarray(ctx, n, sizeof *perm);
        if (perm == NULL)
            return CIP_ERR_NOMEM;
        for (size_t i = 0; i < n; i++)
            perm[i] = i;
        cipi_validate_shuffle(perm, n, rng);
    }
    size_t pos = 0;
    for (size_t f = 0; f < k; f++) {
        size_t m = n / k + (f < n % k ? 1 : 0);
        for (size_t q = 0; q < m; q++, pos++)
            fold[perm ? perm[pos] : pos] = (uint32_t)f;
    }
    cipi_free(ctx, perm);
    return CIP_OK;
}

/* StratifiedKFold: classes numbered by first appearance, labels sorted, and
 * position p of the sorted labels counted towards fold p % k; each class's
 * rows then take its folds in order (0 repeated alloc[c][0] times, ...). */
static cip_status assign_stratified(cip_ctx *ctx, const struct vclasses *c, size_t n, size_t k,
                                    int shuffle, cip_rng *rng, uint32_t *fold)
{
    size_t nc = c->n_classes;
    size_t *alloc = cipi_calloc(ctx, nc * k, sizeof *alloc); /* nc*k <= n*k: no overflow
                                                                 beyond what calloc checks */
    uint32_t *seq = cipi_mallocarray(ctx, n, sizeof *seq);
    size_t *start = cipi_calloc(ctx, nc + 1, sizeof *start);
    cip_status rc = CIP_ERR_NOMEM;
    if (alloc == NULL || seq == NULL || start == NULL)
        goto done;
    for (size_t j = 0; j < nc; j++)
        start[j + 1] = start[j] + c->count[j];
    for (size_t j = 0; j < nc; j++)
        for (size_t p = start[j]; p < start[j + 1]; p++)
            alloc[j * k + p % k]++;
    for (size_t j = 0; j < nc; j++) {
        uint32_t *s = seq + start[j];
        size_t q = 0;
        for (size_t f = 0; f < k; f++)
            for (size_t t = 0; t < alloc[j * k + f]; t++)
                s[q++] = (uint32_t)f;
        if (shuffle)
            cipi_validate_shuffle_u32(s, c->count[j], rng);
    }
    for (size_t i = 0; i < n; i++)
        fold[i] = seq[start[c->of_row[i]]++];
    rc = CIP_OK;
done:
    cipi_free(ctx, alloc);
    cipi_free(ctx, seq);
    cipi_free(ctx, start);
    return rc;
}

struct gsize {
    size_t size; /* rows in the group */
    size_t pos;  /* position before sorting: makes the sort stable */
    uint32_t id; /* group id */
};

static int cmp_gsize(const void *a, const void *b)
{
    const struct gsize *x = a, *y = b;
    if (x->size != y->size)
        return x->size < y->size ? -1 : 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

/* GroupKFold: groups by size, largest first (sklearn's reversed stable argsort:
 * equal sizes go by descending id), each to the currently lightest fold. */
static cip_status assign_group(cip_ctx *ctx, const uint32_t *group, size_t n, size_t k, int shuffle,
                               cip_rng *rng, uint32_t *fold)
{
    size_t n_ids = 0, m = 0;
    for (size_t i = 0; i < n; i++)
        if ((size_t)group[i] + 1 > n_ids)
            n_ids = (size_t)group[i] + 1;
    size_t *size = cipi_calloc(ctx, n_ids, sizeof *size);
    struct gsize *gs = cipi_mallocarray(ctx, n_ids, sizeof *gs);
    size_t *load = cipi_calloc(ctx, k, sizeof *load);
    uint32_t *to_fold = cipi_mallocarray(ctx, n_ids, sizeof *to_fold);
    cip_status rc = CIP_ERR_NOMEM;
    if (size == NULL || gs == NULL || load == NULL || to_fold == NULL)
        goto done;
    for (size_t i = 0; i < n; i++)
        size[group[i]]++;
    for (size_t g = 0; g < n_ids; g++)
        if (size[g] > 0)
            gs[m++] = (struct gsize){size[g], 0, (uint32_t)g};
    rc = CIP_ERR_INVALID;
    if (m < k) {
        cipi_fail(ctx, rc, "cannot have %zu folds with only %zu groups", k, m);
        goto done;
    }
    if (shuffle)
        for (size_t q = m; q > 1; q--) {
            size_t j = (size_t)cip_rng_below(rng, q);
            struct gsize t = gs[q - 1];
            gs[q - 1] = gs[j];
            gs[j] = t;
        }
    for (size_t q = 0; q < m; q++)
        gs[q].pos = q;
    qsort(gs, m, sizeof *gs, cmp_gsize);
    for (size_t q = m; q-- > 0;) {
        size_t light = 0;
        for (size_t f = 1; f < k; f++)
            if (load[f] < load[light])
                light = f;
        load[light] += gs[q].size;
        to_fold[gs[q].id] = (uint32_t)light;
    }
    for (size_t i = 0; i < n; i++)
        fold[i] = to_fold[group[i]];
    rc = CIP_OK;
done:
    cipi_free(ctx, size);
    cipi_free(ctx, gs);
    cipi_free(ctx, load);
    cipi_free(ctx, to_fold);
    return rc;
}

static cip_status check_params(cip_ctx *ctx, const cip_split_data *d, const cip_fold_params *p)
{
    if (d == NULL || p == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "folds: NULL data or params");
    if (p->n_splits < 2 || p->n_splits > UINT32_MAX)
        return cipi_fail(ctx, CIP_ERR_INVALID, "folds: n_splits must be at least 2, got %zu",
                         p->n_splits);
    if (p->n_repeats < 1)
        return cipi_fail(ctx, CIP_ERR_INVALID, "folds: n_repeats must be at least 1");
    if (p->n_repeats > 1 && !p->shuffle)
        return cipi_fail(ctx, CIP_ERR_INVALID,
                         "folds: %zu repeats without shuffle would repeat the same folds",
                         p->n_repeats);
    if (p->n_splits > d->n_rows)
        return cipi_fail(ctx, CIP_ERR_INVALID, "cannot have %zu folds with only %zu rows",
                         p->n_splits, d->n_rows);
    if (p->kind == CIP_FOLD_STRATIFIED && d->y == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "stratified folds need class labels (y)");
    if (p->kind == CIP_FOLD_GROUP && d->group == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "group folds need group ids");
    if (p->kind > CIP_FOLD_GROUP)
        return cipi_fail(ctx, CIP_ERR_INVALID, "unknown fold kind %d", (int)p->kind);
    return CIP_OK;
}

static cip_status check_classes(cip_ctx *ctx, const struct vclasses *c, size_t k)
{
    size_t most = 0, least = SIZE_MAX;
    for (size_t j = 0; j < c->n_classes; j++) {
        most = c->count[j] > most ? c->count[j] : most;
        least = c->count[j] < least ? c->count[j] : least;
    }
    if (most < k)
        return cipi_fail(ctx, CIP_ERR_INVALID,
                         "cannot have %zu stratified folds: no class has that many rows", k);
    if (least < k)
        cipi_log(ctx, CIP_LOG_WARN,
                 "the least populated class has %zu rows, fewer than the %zu folds", least, k);
    return CIP_OK;
}

static cip_status fill_repeats(cip_ctx *ctx, const cip_split_data *d, const cip_fold_params *p,
                               const struct vclasses *c, cip_folds *f)
{
    size_t n = d->n_rows, k = p->n_splits;
    cip_status rc = CIP_OK;
    for (size_t r = 0; rc == CIP_OK && r < p->n_repeats; r++) {
        cip_rng rng;
        cip_rng_init(&rng, p->seed, r);
        uint32_t *fold = f->fold + r * n;
        if (p->kind == CIP_FOLD_KFOLD)
            rc = assign_kfold(ctx, n, k, p->shuffle, &rng, fold);
        else if (p->kind == CIP_FOLD_STRATIFIED)
            rc = assign_stratified(ctx, c, n, k, p->shuffle, &rng, fold);
        else
            rc = assign_group(ctx, d->group, n, k, p->shuffle, &rng, fold);
        for (size_t i = 0; rc == CIP_OK && i < n; i++)
            f->n_test[r * k + fold[i]]++;
    }
    return rc;
}

cip_status cip_folds_make(cip_ctx *ctx, const cip_split_data *d, const cip_fold_params *p,
                          cip_folds **out)
{
    *out = NULL;
    cip_status rc = check_params(ctx, d, p);
    if (rc != CIP_OK)
        return rc;
    struct vclasses c = {0, NULL, NULL, NULL};
    size_t n = d->n_rows, k = p->n_splits, cells, splits;
    if (!cipi_mul_ok(n, p->n_repeats, &cells) || !cipi_mul_ok(k, p->n_repeats, &splits))
        return cipi_fail(ctx, CIP_ERR_LIMIT, "folds: too many repeats");
    if (p->kind == CIP_FOLD_STRATIFIED) {
        rc = cipi_vclasses_make(ctx, d->y, n, true, &c);
        if (rc == CIP_OK)
            rc = check_classes(ctx, &c, k);
        if (rc != CIP_OK) {
            cipi_vclasses_release(ctx, &c);
            return rc;
        }
    }
    rc = CIP_ERR_NOMEM;
    cip_folds *f = cipi_calloc(ctx, 1, sizeof *f);
    if (f == NULL)
        goto done;
    f->a = cipi_ctx_alloc(ctx);
    f->n_rows = n;
    f->k = k;
    f->repeats = p->n_repeats;
    f->fold = cipi_mallocarray(ctx, cells, sizeof *f->fold);
    f->n_test = cipi_calloc(ctx, splits, sizeof *f->n_test);
    if (f->fold == NULL || f->n_test == NULL)
        goto done;
    rc = fill_repeats(ctx, d, p, &c, f);
done:
    cipi_vclasses_release(ctx, &c);
    if (rc != CIP_OK) {
        cip_folds_free(f);
        return rc;
    }
    *out = f;
    return CIP_OK;
}

size_t cip_folds_count(const cip_folds *f)
{
    return f->k * f->repeats;
}

size_t cip_folds_n_rows(const cip_folds *f)
{
    return f->n_rows;
}

const uint32_t *cip_folds_assignment(const cip_folds *f, size_t repeat)
{
    return repeat < f->repeats ? f->fold + repeat * f->n_rows : NULL;
}

size_t cip_folds_n_test(const cip_folds *f, size_t i)
{
    return i < f->k * f->repeats ? f->n_test[i] : 0;
}

cip_status cip_folds_get(cip_ctx *ctx, const cip_folds *f, size_t i, size_t *train, size_t *test)
{
    if (i >= f->k * f->repeats)
        return cipi_fail(ctx, CIP_ERR_INVALID, "fold split %zu out of range (%zu splits)", i,
                         f->k * f->repeats);
    const uint32_t *fold = f->fold + (i / f->k) * f->n_rows;
    uint32_t want = (uint32_t)(i % f->k);
    size_t a = 0, b = 0;
    for (size_t r = 0; r < f->n_rows; r++) {
        if (fold[r] == want) {
            if (test != NULL)
                test[b] = r;
            b++;
        } else {
            if (train != NULL)
                train[a] = r;
            a++;
        }
    }
    return CIP_OK;
}

void cip_folds_free(cip_folds *f)
{
    if (f == NULL)
        return;
    struct cipi_alloc a = f->a;
    cipi_afree(&a, f->fold);
    cipi_afree(&a, f->n_test);
    cipi_afree(&a, f);
}
