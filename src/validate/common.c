/* common.c - class encoding, test sizes, proportional allocation, shuffles
 *
 * The size rules follow scikit-learn 1.2's model_selection so that split sizes
 * and per-class counts agree with it: ceil(test_size * n) test rows for a
 * fraction, and _approximate_mode for per-class shares (floors first, then the
 * largest remainders, ties broken by a random draw).
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "validate_int.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Index of v in the sorted distinct values u[n] (v is known to be present). */
static size_t find_sorted(const double *u, size_t n, double v)
{
    size_t lo = 0, hi = n;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (u[mid] <= v)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Renumber classes by the row of their first appearance. */
static cip_status renumber_by_first(cip_ctx *ctx, struct vclasses *c, size_t n)
{
    size_t k = c->n_classes;
    uint32_t *map = cipi_mallocarray(ctx, k, sizeof *map);
    double *val = cipi_mallocarray(ctx, k, sizeof *val);
    size_t *cnt = cipi_mallocarray(ctx, k, sizeof *cnt);
    cip_status rc = CIP_ERR_NOMEM;
    if (map == NULL || val == NULL || cnt == NULL)
        goto done;
    for (size_t j = 0; j < k; j++)
        map[j] = UINT32_MAX;
    uint32_t next = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t old = c->of_row[i];
        if (map[old] == UINT32_MAX) {
            map[old] = next;
            val[next] = c->value[old];
            cnt[next] = c->count[old];
            next++;
        }
        c->of_row[i] = map[old];
    }
    memcpy(c->value, val, k * sizeof *val);
    memcpy(c->count, cnt, k * sizeof *cnt);
    rc = CIP_OK;
done:
    cipi_free(ctx, map);
    cipi_free(ctx, val);
    cipi_free(ctx, cnt);
    return rc;
}

cip_status cipi_vclasses_make(cip_ctx *ctx, const double *y, size_t n, bool by_first,
                              struct vclasses *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(y[i]))
            return cipi_fail(ctx, CIP_ERR_INVALID, "class label at row %zu is not finite", i);
    cip_status rc = CIP_ERR_NOMEM;
    double *sorted = cipi_mallocarray(ctx, n, sizeof *sorted);
    out->of_row = cipi_mallocarray(ctx, n, sizeof *out->of_row);
    if (sorted == NULL || out->of_row == NULL)
        goto done;
    memcpy(sorted, y, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_double);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || sorted[i] != sorted[k - 1])
            sorted[k++] = sorted[i];
    out->n_classes = k;
    out->value = cipi_mallocarray(ctx, k, sizeof *out->value);
    out->count = cipi_calloc(ctx, k, sizeof *out->count);
    if (out->value == NULL || out->count == NULL)
        goto done;
    memcpy(out->value, sorted, k * sizeof *sorted);
    for (size_t i = 0; i < n; i++) {
        size_t c = find_sorted(out->value, k, y[i]);
        out->of_row[i] = (uint32_t)c;
        out->count[c]++;
    }
    rc = by_first ? renumber_by_first(ctx, out, n) : CIP_OK;
done:
    cipi_free(ctx, sorted);
    if (rc != CIP_OK)
        cipi_vclasses_release(ctx, out);
    return rc;
}

void cipi_vclasses_release(cip_ctx *ctx, struct vclasses *c)
{
    cipi_free(ctx, c->of_row);
    cipi_free(ctx, c->count);
    cipi_free(ctx, c->value);
    memset(c, 0, sizeof *c);
}

cip_status cipi_validate_n_test(cip_ctx *ctx, double test_size, size_t n, size_t *n_test)
{
    double t;
    if (!(test_size > 0.0) || !isfinite(test_size))
        return cipi_fail(ctx, CIP_ERR_INVALID,
                         "test size %g must be a fraction in (0, 1) or a row count >= 1",
                         test_size);
    if (test_size < 1.0) {
        t = ceil(test_size * (double)n);
    } else {
        if (test_size != floor(test_size))
            return cipi_fail(ctx, CIP_ERR_INVALID,
                             "test size %g is neither a fraction in (0, 1) nor a whole row count",
                             test_size);
        t = test_size;
    }
    if (t >= (double)n)
        return cipi_fail(ctx, CIP_ERR_INVALID, "test size %g leaves no training rows out of %zu",
                         test_size, n);
    if (t < 1.0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "test size %g selects no test rows out of %zu",
                         test_size, n);
    *n_test = (size_t)t;
    return CIP_OK;
}

/* Larger remainder first; equal remainders by position. */
static int cmp_ranked(const void *a, const void *b)
{
    const struct vranked *x = a, *y = b;
    if (x->rem != y->rem)
        return x->rem > y->rem ? -1 : 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

size_t cipi_validate_floors(const size_t *counts, size_t k, size_t n_draws, const size_t *pos,
                            struct vranked *r, size_t *out)
{
    size_t total = 0, floored = 0;
    for (size_t j = 0; j < k; j++)
        total += counts[j];
    for (size_t j = 0; j < k; j++) {
        /* Same expression order as numpy: counts / counts.sum() * n_draws. */
        double cont = total ? (double)counts[j] / (double)total * (double)n_draws : 0.0;
        double fl = floor(cont);
        out[j] = (size_t)fl;
        floored += out[j];
        r[j] = (struct vranked){cont - fl, pos != NULL ? pos[j] : j, j};
    }
    qsort(r, k, sizeof *r, cmp_ranked);
    return n_draws > floored ? n_draws - floored : 0;
}

cip_status cipi_validate_approx_mode(cip_ctx *ctx, const size_t *counts, size_t k, size_t n_draws,
                                     cip_rng *rng, size_t *out)
{
    struct vranked *r = cipi_mallocarray(ctx, k, sizeof *r);
    size_t *perm = cipi_mallocarray(ctx, k, sizeof *perm);
    if (r == NULL || perm == NULL) {
        cipi_free(ctx, r);
        cipi_free(ctx, perm);
        return CIP_ERR_NOMEM;
    }
    for (size_t j = 0; j < k; j++)
        perm[j] = j;
    cipi_validate_shuffle(perm, k, rng); /* equal remainders in random order */
    size_t need = cipi_validate_floors(counts, k, n_draws, perm, r, out);
    for (size_t q = 0; q < k && q < need; q++)
        out[r[q].cls]++;
    cipi_free(ctx, r);
    cipi_free(ctx, perm);
    return CIP_OK;
}

void cipi_validate_shuffle(size_t *v, size_t n, cip_rng *rng)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)cip_rng_below(rng, i);
        size_t t = v[i - 1];
        v[i - 1] = v[j];
        v[j] = t;
    }
}

void cipi_validate_shuffle_u32(uint32_t *v, size_t n, cip_rng *rng)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)cip_rng_below(rng, i);
        uint32_t t = v[i - 1];
        v[i - 1] = v[j];
        v[j] = t;
    }
}

cip_status cipi_split_from_mask(cip_ctx *ctx, const uint8_t *mask, size_t n, cip_split **out)
{
    *out = NULL;
    cip_split *s = cipi_calloc(ctx, 1, sizeof *s);
    if (s == NULL)
        return CIP_ERR_NOMEM;
    s->a = cipi_ctx_alloc(ctx);
    s->idx = cipi_mallocarray(ctx, n, sizeof *s->idx);
    if (s->idx == NULL) {
        cipi_free(ctx, s);
        return CIP_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++)
        s->n_test += mask[i] != 0;
    s->n_train = n - s->n_test;
    size_t a = 0, b = s->n_train;
    for (size_t i = 0; i < n; i++) {
        if (mask[i])
            s->idx[b++] = i;
        else
            s->idx[a++] = i;
    }
    *out = s;
    return CIP_OK;
}
