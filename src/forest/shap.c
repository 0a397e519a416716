/* shap.c - explanations of one row: exact path-dependent TreeSHAP and per-tree intervals
 *
 * TreeSHAP (Lundberg, Erion & Lee 2018, "Consistent individualized feature
 * attribution for tree ensembles", Algorithm 2) gives the exact Shapley
 * values of the game v(S) = E[f(x) | x_S] where the expectation over the
 * features outside S follows the training cover of each branch (the weight
 * of training rows that reached the node at fit time). It walks each tree
 * once, keeping the unique features on the path from the root with the
 * fractions of "zero" (cover) and "one" (x's own branch) paths that flow
 * through them; its cost is O(leaves * depth^2) per tree. The bias is
 * v(empty set): the cover-weighted mean of the leaves, computed with the
 * same ratios, so sum(phi) + bias equals the prediction up to rounding.
 * Missing values follow the node's learned missing direction, as predict.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "forest_int.h"

#define SHAP_MAX_DEPTH 1000 /* recursion depth and O(depth^2) path storage bound */

struct pelem {       /* one unique feature on the current path */
    int32_t feature; /* -1 for the root's dummy element */
    double zero;     /* fraction of training cover flowing through (feature not in S) */
    double one;      /* 1 when x follows this branch, else 0 (feature in S) */
    double pw;       /* permutation weight */
};

struct shap_job {
    const struct ftree *t;
    const double *x;
    size_t cls, k; /* class index and count (k = 0: regression) */
    double *phi;   /* n_features, accumulated */
};

static double leaf_value(const struct shap_job *j, const struct fnode *n)
{
    if (j->k == 0)
        return n->value;
    size_t ref = (size_t)~n->child;
    if (ref < j->k)
        return ref == j->cls ? 1.0 : 0.0;
    return (double)j->t->dists[(ref - j->k) * j->k + j->cls];
}

/* Add feature `f` with fractions (z, o) as element d of path[0..d]. */
static void extend(struct pelem *path, size_t d, double z, double o, int32_t f)
{
    path[d] = (struct pelem){f, z, o, d == 0 ? 1.0 : 0.0};
    for (size_t i = d; i-- > 0;) {
        path[i + 1].pw += o * path[i].pw * (double)(i + 1) / (double)(d + 1);
        path[i].pw = z * path[i].pw * (double)(d - i) / (double)(d + 1);
    }
}

/* Remove element e of path[0..d] (undo its extend). */
static void unwind(struct pelem *path, size_t d, size_t e)
{
    double o = path[e].one, z = path[e].zero, next = path[d].pw;
    for (size_t i = d; i-- > 0;) {
        if (o != 0.0) {
            double tmp = path[i].pw;
            path[i].pw = next * (double)(d + 1) / ((double)(i + 1) * o);
            next = tmp - path[i].pw * z * (double)(d - i) / (double)(d + 1);
        } else {
            path[i].pw = path[i].pw * (double)(d + 1) / (z * (double)(d - i));
        }
    }
    for (size_t i = e; i < d; i++) {
        path[i].feature = path[i + 1].feature;
        path[i].zero = path[i + 1].zero;
        path[i].one = path[i + 1].one;
    }
}

/* Sum of the permutation weights of path[0..d] with element e unwound (without changing it). */
static double unwound_sum(const struct pelem *path, size_t d, size_t e)
{
    double o = path[e].one, z = path[e].zero, next = path[d].pw, total = 0.0;
    for (size_t i = d; i-- > 0;) {
        if (o != 0.0) {
            double tmp = next * (double)(d + 1) / ((double)(i + 1) * o);
            total += tmp;
            next = path[i].pw - tmp * z * (double)(d - i) / (double)(d + 1);
        } else {
            total += path[i].pw / z * (double)(d + 1) / (double)(d - i);
        }
    }
    return total;
}

static double ratio(const struct fnode *nodes, size_t child, size_t parent)
{
    double c = (double)nodes[parent].cover;
    return c > 0.0 ? (double)nodes[child].cover / c : 0.5;
}

/* The recursion of Algorithm 2: node `id`, parent path parent[0..d-1]; this
 * level's path lives right after it (triangular storage). */
static void recurse(const struct shap_job *j, size_t id, const struct pelem *parent, size_t d,
                    double z, double o, int32_t f)
{
    struct pelem *path = (struct pelem *)parent + d; /* d elements of the parent, then ours */
    if (d > 0)
        memcpy(path, parent, d * sizeof *path);
    extend(path, d, z, o, f);
    const struct fnode *n = &j->t->nodes[id];
    if (n->child < 0) {
        double v = leaf_value(j, n);
        for (size_t i = 1; i <= d; i++) {
            double w = unwound_sum(path, d, i);
            j->phi[path[i].feature] += w * (path[i].one - path[i].zero) * v;
        }
        return;
    }
    int right = cipi_forest_goes_right(n, cipi_forest_f32(j->x[n->feature]));
    size_t hot = (size_t)n->child + (size_t)right, cold = (size_t)n->child + (size_t)!right;
    double iz = 1.0, io = 1.0;
    size_t e = 1;
    while (e <= d && path[e].feature != (int32_t)n->feature)
        e++;
    if (e <= d) { /* the feature was split on above: merge with its element */
        iz = path[e].zero;
        io = path[e].one;
        unwind(path, d, e);
        d--;
    }
    const struct fnode *cv = j->t->nodes;
    recurse(j, hot, path, d + 1, iz * ratio(cv, hot, id), io, (int32_t)n->feature);
    recurse(j, cold, path, d + 1, iz * ratio(cv, cold, id), 0.0, (int32_t)n->feature);
}

/* v(empty set) of a subtree: the cover-weighted mean of its leaves. */
static double expected(const struct shap_job *j, size_t id)
{
    const struct fnode *n = &j->t->nodes[id];
    if (n->child < 0)
        return leaf_value(j, n);
    size_t l = (size_t)n->child;
    return ratio(j->t->nodes, l, id) * expected(j, l) +
           ratio(j->t->nodes, l + 1, id) * expected(j, l + 1);
}

cip_status cip_forest_shap_row(cip_ctx *ctx, const cip_forest *f, const double *x, size_t cls,
                               double *out)
{
    if (ctx == NULL)
        return CIP_ERR_MISUSE;
    if (f == NULL || f->magic != FOREST_MAGIC || x == NULL || out == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "forest shap: NULL or invalid argument");
    size_t p = f->n_features, k = f->n_classes, maxd = 0;
    if (k > 0 && cls >= k)
        return cipi_fail(ctx, CIP_ERR_INVALID, "class index %zu out of range (%zu classes)", cls,
                         k);
    for (size_t t = 0; t < f->n_trees; t++) {
        if (!f->trees[t].has_cover)
            return cipi_fail(ctx, CIP_ERR_INVALID,
                             "the forest has no node covers (saved by an older cip): refit it "
                             "to explain predictions");
        maxd = (size_t)f->trees[t].depth > maxd ? (size_t)f->trees[t].depth : maxd;
    }
    if (maxd > SHAP_MAX_DEPTH)
        return cipi_fail(ctx, CIP_ERR_LIMIT, "tree depth %zu exceeds the TreeSHAP limit %d", maxd,
                         SHAP_MAX_DEPTH);
    /* level L (0-based, L <= maxd + 1) uses L + 1 elements: (maxd + 2)(maxd + 3) / 2 in all */
    size_t n_elem = (maxd + 2) * (maxd + 3) / 2;
    struct pelem *path = cipi_mallocarray(ctx, n_elem, sizeof *path);
    double *phi = cipi_calloc(ctx, p, sizeof *phi);
    if (path == NULL || phi == NULL) {
        cipi_free(ctx, path);
        cipi_free(ctx, phi);
        return CIP_ERR_NOMEM;
    }
    double bias = 0.0;
    for (size_t t = 0; t < f->n_trees; t++) {
        struct shap_job j = {&f->trees[t], x, cls, k, phi};
        bias += expected(&j, 0);
        recurse(&j, 0, path, 0, 1.0, 1.0, -1);
    }
    double inv = 1.0 / (double)f->n_trees;
    for (size_t i = 0; i < p; i++)
        out[i] = phi[i] * inv;
    out[p] = bias * inv;
    cipi_free(ctx, path);
    cipi_free(ctx, phi);
    return CIP_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Quantile q of sorted v[0..n) with linear interpolation (numpy's default). */
static double quantile(const double *v, size_t n, double q)
{
    double pos = q * (double)(n - 1);
    size_t i = (size_t)floor(pos);
    if (i + 1 >= n)
        return v[n - 1];
    double frac = pos - (double)i;
    return v[i] + frac * (v[i + 1] - v[i]);
}

cip_status cip_forest_interval_row(cip_ctx *ctx, const cip_forest *f, const double *x, double q,
                                   double *lo, double *hi)
{
    if (ctx == NULL)
        return CIP_ERR_MISUSE;
    if (f == NULL || f->magic != FOREST_MAGIC || x == NULL || lo == NULL || hi == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "forest interval: NULL or invalid argument");
    if (f->n_classes != 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "prediction intervals need a regression forest");
    if (!(q >= 0.0 && q <= 0.5))
        return cipi_fail(ctx, CIP_ERR_INVALID, "interval quantile must be in [0, 0.5], got %g", q);
    size_t nt = f->n_trees;
    double *v = cipi_mallocarray(ctx, nt, sizeof *v);
    if (v == NULL)
        return CIP_ERR_NOMEM;
    for (size_t t = 0; t < nt; t++) {
        const struct fnode *nd = f->trees[t].nodes, *n = nd;
        while (n->child >= 0) {
            n = nd + n->child + cipi_forest_goes_right(n, cipi_forest_f32(x[n->feature]));
        }
        v[t] = n->value;
    }
    qsort(v, nt, sizeof *v, cmp_double);
    *lo = quantile(v, nt, q);
    *hi = quantile(v, nt, 1.0 - q);
    cipi_free(ctx, v);
    return CIP_OK;
}
