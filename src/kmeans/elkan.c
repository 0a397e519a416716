/* elkan.c - Elkan's accelerated k-means (Elkan 2003), as scikit-learn runs it
 *
 * Each row keeps an upper bound on the distance to its centre and a lower
 * bound per centre; by the triangle inequality a centre j cannot be nearer
 * when upper <= lower[j] or upper <= |c_label - c_j| / 2, so most distances
 * are skipped. Bounds are moved by the centre shifts after each update. The
 * labels equal Lloyd's (up to exact ties); the sums use the same fixed row
 * blocks, so the result does not depend on the thread count either.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "kmeans_int.h"

#ifdef _OPENMP
#include <omp.h>
#endif

static inline size_t block_end(const struct km_data *x, size_t b)
{
    size_t e = (b + 1) * KM_BLOCK;
    return e < x->n ? e : x->n;
}

static inline double row_dist(const struct km_data *x, size_t i, const double *c)
{
    return sqrt(km_row_d2(x->cols, i, c, x->d));
}

void cipi_kmeans_center_half_distances(struct km_work *w, size_t d, const double *centers)
{
    size_t k = w->k;
    for (size_t a = 0; a < k; a++) {
        w->half[a * k + a] = 0.0;
        for (size_t b = a + 1; b < k; b++) {
            double s = 0.0;
            for (size_t j = 0; j < d; j++) {
                double diff = centers[a * d + j] - centers[b * d + j];
                s += diff * diff;
            }
            w->half[a * k + b] = w->half[b * k + a] = sqrt(s) / 2.0;
        }
    }
    for (size_t a = 0; a < k; a++) {
        double m = HUGE_VAL;
        for (size_t b = 0; b < k; b++)
            if (b != a && w->half[a * k + b] < m)
                m = w->half[a * k + b];
        w->next[a] = m;
    }
}

/* sklearn's init_bounds_dense: label by scanning the centres, computing a
 * distance only when the current best could be beaten. */
static void init_block(const struct km_data *x, struct km_work *w, size_t b)
{
    size_t k = w->k, d = x->d;
    for (size_t i = b * KM_BLOCK, r1 = block_end(x, b); i < r1; i++) {
        double *lower = w->lower + i * k;
        size_t best = 0;
        double md = row_dist(x, i, w->centers);
        lower[0] = md;
        for (size_t j = 1; j < k; j++) {
            if (md > w->half[best * k + j]) {
                double v = row_dist(x, i, w->centers + j * d);
                lower[j] = v;
                if (v < md) {
                    md = v;
                    best = j;
                }
            }
        }
        w->labels[i] = (int32_t)best;
        w->upper[i] = md;
    }
}

void cipi_kmeans_elkan_init(const struct km_data *x, struct km_work *w)
{
    memset(w->lower, 0, x->n * w->k * sizeof(double));
    long nb = (long)x->n_blocks;
#ifdef _OPENMP
#pragma omp parallel for num_threads(x->nt) schedule(dynamic, 1) if (x->nt > 1)
#endif
    for (long b = 0; b < nb; b++)
        init_block(x, w, (size_t)b);
}

/* Elkan's bound tests for row i; returns the (possibly new) label. */
static size_t elkan_row(const struct km_data *x, struct km_work *w, size_t i)
{
    size_t k = w->k, d = x->d, label = (size_t)w->labels[i];
    double ub = w->upper[i], *lower = w->lower + i * k;
    int tight = 0;
    if (w->next[label] >= ub)
        return label;
    for (size_t j = 0; j < k; j++) {
        if (j == label || ub <= lower[j] || ub <= w->half[label * k + j])
            continue;
        if (!tight) {
            ub = row_dist(x, i, w->centers + label * d);
            lower[label] = ub;
            tight = 1;
            if (ub <= lower[j] || ub <= w->half[label * k + j])
                continue;
        }
        double v = row_dist(x, i, w->centers + j * d);
        lower[j] = v;
        if (v < ub) {
            label = j;
            ub = v;
        }
    }
    w->upper[i] = ub;
    return label;
}

static void elkan_block(const struct km_data *x, struct km_work *w, size_t b, int update)
{
    size_t k = w->k, d = x->d, changed = 0;
    double *sums = w->partial + b * w->stride, *wsum = sums + k * d;
    if (update)
        memset(sums, 0, (k * d + k) * sizeof(double));
    for (size_t i = b * KM_BLOCK, r1 = block_end(x, b); i < r1; i++) {
        size_t label = elkan_row(x, w, i);
        changed += (size_t)w->labels[i] != label;
        w->labels[i] = (int32_t)label;
        if (update) {
            double wt = km_weight(x, i);
            wsum[label] += wt;
            for (size_t j = 0; j < d; j++)
                sums[label * d + j] += wt * x->cols[j][i];
        }
    }
    wsum[k] = 0.0;
    wsum[k + 1] = (double)changed;
}

static void move_bounds(const struct km_data *x, struct km_work *w)
{
    long nb = (long)x->n_blocks;
    size_t k = w->k;
#ifdef _OPENMP
#pragma omp parallel for num_threads(x->nt) schedule(static) if (x->nt > 1)
#endif
    for (long b = 0; b < nb; b++) {
        for (size_t i = (size_t)b * KM_BLOCK, r1 = block_end(x, (size_t)b); i < r1; i++) {
            w->upper[i] += w->shift[w->labels[i]];
            double *lower = w->lower + i * k;
            for (size_t j = 0; j < k; j++) {
                double v = lower[j] - w->shift[j];
                lower[j] = v > 0.0 ? v : 0.0;
            }
        }
    }
}

void cipi_kmeans_elkan_step(const struct km_data *x, struct km_work *w, int update, size_t *changed)
{
    long nb = (long)x->n_blocks;
#ifdef _OPENMP
#pragma omp parallel for num_threads(x->nt) schedule(dynamic, 1) if (x->nt > 1)
#endif
    for (long b = 0; b < nb; b++)
        elkan_block(x, w, (size_t)b, update);
    size_t ch = 0;
    for (size_t b = 0; b < x->n_blocks; b++)
        ch += (size_t)w->partial[b * w->stride + w->k * x->d + w->k + 1];
    *changed = ch;
    if (update) {
        cipi_kmeans_finish_update(x, w);
        move_bounds(x, w);
    }
}
