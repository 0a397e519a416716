/* split.c - one train/test split: random, stratified, group-aware, time-ordered
 *
 * Every kind first decides a test mask, then cipi_split_from_mask() lists the
 * ascending train and test rows. Random choices use stream 0 of the seed, so a
 * split depends on (data, params) only.
 * Stratified: per-class train counts from _approximate_mode(counts, n_train), the
 * rest of each class is test, as sklearn's StratifiedShuffleSplit (train_size None).
 * With CIP_SPLIT_RNG_NUMPY the random and stratified kinds draw from numpy's
 * RandomState(seed) exactly as scikit-learn does (numpy_rng.c): the same rows.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "validate_int.h"

void cip_split_params_default(cip_split_params *p)
{
    memset(p, 0, sizeof *p);
    p->kind = CIP_SPLIT_RANDOM;
    p->test_size = 0.25;
    p->seed = 0;
    p->stratify = 0;
    p->rng = CIP_SPLIT_RNG_CIP;
}

static cip_status split_random(cip_ctx *ctx, size_t n, size_t n_test, cip_rng *rng, uint8_t *mask)
{
    size_t *perm = cipi_mallocarray(ctx, n, sizeof *perm);
    if (perm == NULL)
        return CIP_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    /* Partial Fisher-Yates: the first n_test entries are a uniform sample. */
    for (size_t i = 0; i < n_test; i++) {
        size_t j = i + (size_t)cip_rng_below(rng, n - i);
        size_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
        mask[perm[i]] = 1;
    }
    cipi_free(ctx, perm);
    return CIP_OK;
}

static cip_status split_stratified_np(cip_ctx *ctx, const struct vclasses *c, size_t n,
                                      size_t n_test, struct cipi_np_rng *r, uint8_t *mask);

static cip_status split_stratified(cip_ctx *ctx, const double *y, size_t n, size_t n_test,
                                   cip_rng *rng, struct cipi_np_rng *np, uint8_t *mask)
{
    struct vclasses c;
    size_t *train_n = NULL, *rows = NULL, *start = NULL;
    cip_status rc = cipi_vclasses_make(ctx, y, n, false, &c);
    if (rc != CIP_OK)
        return rc;
    size_t k = c.n_classes, n_train = n - n_test;
    for (size_t j = 0; j < k; j++)
        if (c.count[j] < 2) {
            rc = cipi_fail(ctx, CIP_ERR_INVALID,
                           "stratified split: class %g has only %zu row; each class needs 2",
                           c.value[j], c.count[j]);
            goto done;
        }
    if (k < 2 || n_test < k || n_train < k) {
        rc = cipi_fail(ctx, CIP_ERR_INVALID,
                       "stratified split: %zu test and %zu train rows cannot hold %zu classes",
                       n_test, n_train, k);
        goto done;
    }
    if (np != NULL) {
        rc = split_stratified_np(ctx, &c, n, n_test, np, mask);
        goto done;
    }
    rc = CIP_ERR_NOMEM;
    train_n = cipi_mallocarray(ctx, k, sizeof *train_n);
    start = cipi_calloc(ctx, k + 1, sizeof *start);
    rows = cipi_mallocarray(ctx, n, sizeof *rows);
    if (train_n == NULL || start == NULL || rows == NULL)
        goto done;
    rc = cipi_validate_approx_mode(ctx, c.count, k, n_train, rng, train_n);
    if (rc != CIP_OK)
        goto done;
    /* Rows grouped by class (counting sort), then a sample of each class is test. */
    for (size_t j = 0; j < k; j++)
        start[j + 1] = start[j] + c.count[j];
    for (size_t i = 0; i < n; i++)
        rows[start[c.of_row[i]]++] = i;
    for (size_t j = 0, s = 0; j < k; j++) {
        size_t m = c.count[j], t = m - train_n[j];
        size_t *r = rows + s;
        for (size_t q = 0; q < t; q++) {
            size_t p = q + (size_t)cip_rng_below(rng, m - q);
            size_t tmp = r[q];
            r[q] = r[p];
            r[p] = tmp;
            mask[r[q]] = 1;
        }
        s += m;
    }
    rc = CIP_OK;
done:
    cipi_free(ctx, train_n);
    cipi_free(ctx, start);
    cipi_free(ctx, rows);
    cipi_vclasses_release(ctx, &c);
    return rc;
}

/* ShuffleSplit: test = permutation(n)[:n_test]. */
static cip_status split_random_np(cip_ctx *ctx, size_t n, size_t n_test, struct cipi_np_rng *r,
                                  uint8_t *mask)
{
    size_t *perm = cipi_mallocarray(ctx, n, sizeof *perm);
    if (perm == NULL)
        return CIP_ERR_NOMEM;
    cipi_np_permutation(r, perm, n);
    for (size_t i = 0; i < n_test; i++)
        mask[perm[i]] = 1;
    cipi_free(ctx, perm);
    return CIP_OK;
}

/* StratifiedShuffleSplit with train_size = n - n_test: per class (ascending label),
 * a permutation of the class's rows (in row order); the rows after its n_i
 * training rows are test. */
static cip_status split_stratified_np(cip_ctx *ctx, const struct vclasses *c, size_t n,
                                      size_t n_test, struct cipi_np_rng *r, uint8_t *mask)
{
    size_t k = c->n_classes;
    size_t *train_n = cipi_mallocarray(ctx, k, sizeof *train_n);
    size_t *start = cipi_calloc(ctx, k + 1, sizeof *start);
    size_t *rows = cipi_mallocarray(ctx, n, sizeof *rows);
    size_t *perm = cipi_mallocarray(ctx, n, sizeof *perm);
    cip_status rc = CIP_ERR_NOMEM;
    if (train_n == NULL || start == NULL || rows == NULL || perm == NULL)
        goto done;
    rc = cipi_np_approx_mode(ctx, c->count, k, n - n_test, r, train_n);
    if (rc != CIP_OK)
        goto done;
    /* t_i = _approximate_mode(counts - n_i, n_test) is exact (the rest sums to n_test):
     * it draws nothing, so the stream is unchanged. */
    for (size_t j = 0; j < k; j++)
        start[j + 1] = start[j] + c->count[j];
    for (size_t i = 0; i < n; i++)
        rows[start[c->of_row[i]]++] = i;
    for (size_t j = 0, s = 0; j < k; j++) {
        size_t m = c->count[j];
        cipi_np_permutation(r, perm, m);
        for (size_t q = train_n[j]; q < m; q++)
            mask[rows[s + perm[q]]] = 1;
        s += m;
    }
done:
    cipi_free(ctx, train_n);
    cipi_free(ctx, start);
    cipi_free(ctx, rows);
    cipi_free(ctx, perm);
    return rc;
}

struct keyed {
    double key; /* order value */
    size_t row; /* row index: breaks ties so the sort is total */
};

static int cmp_keyed(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

static cip_status split_time(cip_ctx *ctx, const double *order, size_t n, size_t n_test,
                             uint8_t *mask)
{
    for (size_t i = 0; i < n; i++)
        if (isnan(order[i]))
            return cipi_fail(ctx, CIP_ERR_INVALID, "time split: order value at row %zu is NaN", i);
    struct keyed *k = cipi_mallocarray(ctx, n, sizeof *k);
    if (k == NULL)
        return CIP_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        k[i].key = order[i];
        k[i].row = i;
    }
    qsort(k, n, sizeof *k, cmp_keyed);
    for (size_t i = n - n_test; i < n; i++)
        mask[k[i].row] = 1;
    cipi_free(ctx, k);
    return CIP_OK;
}

static cip_status check_inputs(cip_ctx *ctx, const cip_split_data *d, const cip_split_params *p)
{
    if (d == NULL || p == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "split: NULL data or params");
    if (d->n_rows < 2)
        return cipi_fail(ctx, CIP_ERR_INVALID, "split: need at least 2 rows, got %zu", d->n_rows);
    if (p->rng != CIP_SPLIT_RNG_CIP && p->rng != CIP_SPLIT_RNG_NUMPY)
        return cipi_fail(ctx, CIP_ERR_INVALID, "split: unknown random stream %d", (int)p->rng);
    if (p->rng == CIP_SPLIT_RNG_NUMPY && p->seed > UINT32_MAX)
        return cipi_fail(ctx, CIP_ERR_INVALID,
                         "split: numpy's RandomState takes seeds 0..4294967295, not %llu",
                         (unsigned long long)p->seed);
    switch (p->kind) {
    case CIP_SPLIT_RANDOM:
        return CIP_OK;
    case CIP_SPLIT_STRATIFIED:
        if (d->y == NULL)
            return cipi_fail(ctx, CIP_ERR_MISUSE, "stratified split needs class labels (y)");
        return CIP_OK;
    case CIP_SPLIT_GROUP:
        if (d->group == NULL)
            return cipi_fail(ctx, CIP_ERR_MISUSE, "group split needs group ids");
        if (p->stratify && d->y == NULL)
            return cipi_fail(ctx, CIP_ERR_MISUSE, "stratified group split needs labels (y)");
        return CIP_OK;
    case CIP_SPLIT_TIME:
        if (d->order == NULL)
            return cipi_fail(ctx, CIP_ERR_MISUSE, "time split needs an order column");
        return CIP_OK;
    }
    return cipi_fail(ctx, CIP_ERR_INVALID, "unknown split kind %d", (int)p->kind);
}

cip_status cip_split_make(cip_ctx *ctx, const cip_split_data *d, const cip_split_params *p,
                          cip_split **out)
{
    *out = NULL;
    cip_status rc = check_inputs(ctx, d, p);
    if (rc != CIP_OK)
        return rc;
    size_t n = d->n_rows, n_test = 0;
    rc = cipi_validate_n_test(ctx, p->test_size, n, &n_test);
    if (rc != CIP_OK)
        return rc;
    uint8_t *mask = cipi_calloc(ctx, n, 1);
    if (mask == NULL)
        return CIP_ERR_NOMEM;
    cip_rng rng;
    cip_rng_init(&rng, p->seed, 0);
    struct cipi_np_rng *np = NULL;
    if (p->rng == CIP_SPLIT_RNG_NUMPY && p->kind <= CIP_SPLIT_STRATIFIED) {
        np = cipi_malloc(ctx, sizeof *np);
        if (np == NULL) {
            cipi_free(ctx, mask);
            return CIP_ERR_NOMEM;
        }
        cipi_np_seed(np, (uint32_t)p->seed);
    }
    switch (p->kind) {
    case CIP_SPLIT_RANDOM:
        rc = np ? split_random_np(ctx, n, n_test, np, mask)
                : split_random(ctx, n, n_test, &rng, mask);
        break;
    case CIP_SPLIT_STRATIFIED:
        rc = split_stratified(ctx, d->y, n, n_test, &rng, np, mask);
        break;
    case CIP_SPLIT_GROUP:
        rc = cipi_split_group(ctx, d, p, n_test, &rng, mask);
        break;
    case CIP_SPLIT_TIME:
        rc = split_time(ctx, d->order, n, n_test, mask);
        break;
    }
    if (rc == CIP_OK)
        rc = cipi_split_from_mask(ctx, mask, n, out);
    cipi_free(ctx, np);
    cipi_free(ctx, mask);
    return rc;
}

const size_t *cip_split_train(const cip_split *s, size_t *n)
{
    *n = s->n_train;
    return s->idx;
}

const size_t *cip_split_test(const cip_split *s, size_t *n)
{
    *n = s->n_test;
    return s->idx + s->n_train;
}

void cip_split_free(cip_split *s)
{
    if (s == NULL)
        return;
    struct cipi_alloc a = s->a;
    cipi_afree(&a, s->idx);
    cipi_afree(&a, s);
}
