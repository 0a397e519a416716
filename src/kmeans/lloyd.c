/* lloyd.c - Lloyd iterations: assignment, centre update, empty clusters
 *
 * One step assigns every row to its nearest centre (ties -> lower index),
 * accumulating per-block weighted sums, then folds the blocks in order into
 * the new centres. A cluster left without weight is moved onto the row
 * farthest from its centre, as scikit-learn does (_relocate_empty_clusters):
 * that row's weight moves from its old cluster's sums to the empty one.
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

/* Nearest centre of the KM_TILE rows at i0 (ties -> lower index): a
 * branch-free running minimum with the centre index carried as a double. */
static inline void tile_nearest(const struct km_data *x, const double *centers, size_t k, size_t i0,
                                double *best, int32_t *lab)
{
    km_v4 bv[4], lv[4], acc[4];
    for (int q = 0; q < 4; q++) {
        bv[q] = (km_v4){HUGE_VAL, HUGE_VAL, HUGE_VAL, HUGE_VAL};
        lv[q] = (km_v4){0.0, 0.0, 0.0, 0.0};
    }
    for (size_t c = 0; c < k; c++) {
        km_tile_d2(x->cols, i0, centers + c * x->d, x->d, acc);
        double cd = (double)c;
        km_v4i cv = (km_v4i)(km_v4){cd, cd, cd, cd};
        for (int q = 0; q < 4; q++) {
            km_v4i m = (km_v4i)(acc[q] < bv[q]);
            bv[q] = (km_v4)(((km_v4i)acc[q] & m) | ((km_v4i)bv[q] & ~m));
            lv[q] = (km_v4)((cv & m) | ((km_v4i)lv[q] & ~m));
        }
    }
    double l[KM_TILE];
    memcpy(best, bv, sizeof l);
    memcpy(l, lv, sizeof l);
    for (int t = 0; t < KM_TILE; t++)
        lab[t] = (int32_t)l[t];
}

static int32_t row_nearest(const struct km_data *x, const double *centers, size_t k, size_t i,
                           double *best)
{
    int32_t lab = 0;
    double bd = HUGE_VAL;
    for (size_t c = 0; c < k; c++) {
        double v = km_row_d2(x->cols, i, centers + c * x->d, x->d);
        if (v < bd) {
            bd = v;
            lab = (int32_t)c;
        }
    }
    *best = bd;
    return lab;
}

/* Add w * x_i to sums[label] and w to wsum[label] for rows i0 .. i0+m, row
 * by row; every (cluster, feature) sum sees the rows in order. */
static inline void accumulate_rows(const struct km_data *x, size_t i0, size_t m, const int32_t *lab,
                                   double *sums, double *wsum)
{
    size_t d = x->d;
    for (size_t t = 0; t < m; t++) {
        double wt = km_weight(x, i0 + t), *s = sums + (size_t)lab[t] * d;
        wsum[lab[t]] += wt;
        for (size_t j = 0; j < d; j++)
            s[j] += wt * x->cols[j][i0 + t];
    }
}

#if defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 12)
#define KM_HAVE_SHUFFLE 1 /* __builtin_shufflevector: GCC >= 12, Clang */

/* The same for a full tile, four features at a time: a 4 x 4 block of the
 * column-major data is transposed in registers so each row adds as one
 * vector. Same additions in the same order as accumulate_rows, so the same
 * bits, at a fraction of the scalar load/store traffic. */
static inline void accumulate_tile(const struct km_data *x, size_t i0, const int32_t *lab,
                                   double *sums, double *wsum)
{
    size_t d = x->d, d4 = d & ~(size_t)3;
    double wt[KM_TILE];
    for (int t = 0; t < KM_TILE; t++) {
        wt[t] = km_weight(x, i0 + (size_t)t);
        wsum[lab[t]] += wt[t];
    }
    for (size_t j = 0; j < d4; j += 4) {
        const double *c0 = x->cols[j] + i0, *c1 = x->cols[j + 1] + i0;
        const double *c2 = x->cols[j + 2] + i0, *c3 = x->cols[j + 3] + i0;
        for (int g = 0; g < KM_TILE; g += 4) {
            km_v4 a, b, c, e;
            km_load4(&a, c0 + g);
            km_load4(&b, c1 + g);
            km_load4(&c, c2 + g);
            km_load4(&e, c3 + g);
            km_v4 t0 = __builtin_shufflevector(a, b, 0, 4, 2, 6);
            km_v4 t1 = __builtin_shufflevector(a, b, 1, 5, 3, 7);
            km_v4 t2 = __builtin_shufflevector(c, e, 0, 4, 2, 6);
            km_v4 t3 = __builtin_shufflevector(c, e, 1, 5, 3, 7);
            km_v4 r[4] = {__builtin_shufflevector(t0, t2, 0, 1, 4, 5),
                          __builtin_shufflevector(t1, t3, 0, 1, 4, 5),
                          __builtin_shufflevector(t0, t2, 2, 3, 6, 7),
                          __builtin_shufflevector(t1, t3, 2, 3, 6, 7)};
            for (int u = 0; u < 4; u++) {
                double *s = sums + (size_t)lab[g + u] * d + j;
                km_v4 v, wv = {wt[g + u], wt[g + u], wt[g + u], wt[g + u]};
                km_load4(&v, s);
                v += wv * r[u];
                km_store4(s, &v);
            }
        }
    }
    for (size_t j = d4; j < d; j++) {
        const double *cj = x->cols[j] + i0;
        for (int t = 0; t < KM_TILE; t++)
            sums[(size_t)lab[t] * d + j] += wt[t] * cj[t];
    }
}
#else
#define KM_HAVE_SHUFFLE 0
static inline void accumulate_tile(const struct km_data *x, size_t i0, const int32_t *lab,
                                   double *sums, double *wsum)
{
    accumulate_rows(x, i0, KM_TILE, lab, sums, wsum);
}
#endif

KM_CLONES static void lloyd_block(const struct km_data *x, struct km_work *w, size_t b, int update)
{
    size_t k = w->k, d = x->d;
    double *sums = w->partial + b * w->stride, *wsum = sums + k * d;
    if (update)
        memset(sums, 0, (k * d + k) * sizeof(double));
    double inertia = 0.0, best[KM_TILE];
    size_t changed = 0, i = b * KM_BLOCK, r1 = block_end(x, b);
    int32_t lab[KM_TILE];
    for (; i < r1; i += KM_TILE) {
        size_t m = r1 - i < KM_TILE ? r1 - i : KM_TILE;
        if (m == KM_TILE) {
            tile_nearest(x, w->centers, k, i, best, lab);
        } else {
            for (size_t t = 0; t < m; t++)
                lab[t] = row_nearest(x, w->centers, k, i + t, &best[t]);
        }
        for (size_t t = 0; t < m; t++) {
            inertia += km_weight(x, i + t) * best[t];
            changed += w->labels[i + t] != lab[t];
            w->labels[i + t] = lab[t];
        }
        if (update && m == KM_TILE && KM_HAVE_SHUFFLE)
            accumulate_tile(x, i, lab, sums, wsum);
        else if (update)
            accumulate_rows(x, i, m, lab, sums, wsum);
    }
    wsum[k] = inertia;
    wsum[k + 1] = (double)changed;
}

/* Rows farthest from their centre (descending; ties -> lower row), among
 * rows of positive weight, into idx[0..m). Returns the largest distance. */
static double farthest_rows(const struct km_data *x, const double *centers, const int32_t *labels,
                            size_t m, size_t *idx, double *dist)
{
    for (size_t t = 0; t < m; t++) {
        dist[t] = -1.0;
        idx[t] = 0;
    }
    for (size_t i = 0; i < x->n; i++) {
        if (!(km_weight(x, i) > 0.0))
            continue;
        double v = km_row_d2(x->cols, i, centers + (size_t)labels[i] * x->d, x->d);
        if (v <= dist[m - 1])
            continue;
        size_t p = m - 1;
        while (p > 0 && v > dist[p - 1]) {
            dist[p] = dist[p - 1];
            idx[p] = idx[p - 1];
            p--;
        }
        dist[p] = v;
        idx[p] = i;
    }
    return dist[0];
}

static void relocate_empty(const struct km_data *x, struct km_work *w)
{
    size_t k = w->k, d = x->d, n_empty = 0;
    for (size_t c = 0; c < k; c++)
        n_empty += w->weight_in[c] == 0.0;
    if (n_empty == 0)
        return;
    /* w->shift is free until the update finishes: it holds the distances. */
    if (farthest_rows(x, w->centers, w->labels, n_empty, w->reloc, w->shift) <= 0.0)
        return; /* more clusters than distinct rows: nothing to move */
    size_t e = 0;
    for (size_t c = 0; c < k && e < n_empty; c++) {
        if (w->weight_in[c] != 0.0)
            continue;
        size_t far = w->reloc[e++];
        double wt = km_weight(x, far);
        size_t old = (size_t)w->labels[far];
        for (size_t j = 0; j < d; j++) {
            double v = x->cols[j][far] * wt;
            w->centers_new[old * d + j] -= v;
            w->centers_new[c * d + j] = v;
        }
        w->weight_in[c] = wt;
        w->weight_in[old] -= wt;
    }
}

void cipi_kmeans_finish_update(const struct km_data *x, struct km_work *w)
{
    size_t k = w->k, d = x->d;
    memset(w->centers_new, 0, k * d * sizeof(double));
    memset(w->weight_in, 0, k * sizeof(double));
    for (size_t b = 0; b < x->n_blocks; b++) {
        const double *sums = w->partial + b * w->stride, *wsum = sums + k * d;
        for (size_t q = 0; q < k * d; q++)
            w->centers_new[q] += sums[q];
        for (size_t c = 0; c < k; c++)
            w->weight_in[c] += wsum[c];
    }
    relocate_empty(x, w);
    for (size_t c = 0; c < k; c++) {
        double *cn = w->centers_new + c * d;
        const double *co = w->centers + c * d;
        double s = 0.0;
        for (size_t j = 0; j < d; j++) {
            if (w->weight_in[c] > 0.0)
                cn[j] /= w->weight_in[c];
            else
                cn[j] = co[j]; /* still empty (duplicates only): keep the centre */
            double diff = cn[j] - co[j];
            s += diff * diff;
        }
        w->shift[c] = sqrt(s);
    }
}

void cipi_kmeans_lloyd_step(const struct km_data *x, struct km_work *w, int update, double *inertia,
                            size_t *changed)
{
    long nb = (long)x->n_blocks;
#ifdef _OPENMP
#pragma omp parallel for num_threads(x->nt) schedule(dynamic, 1) if (x->nt > 1)
#endif
    for (long b = 0; b < nb; b++)
        lloyd_block(x, w, (size_t)b, update);
    double in = 0.0;
    size_t ch = 0;
    for (size_t b = 0; b < x->n_blocks; b++) {
        const double *tail = w->partial + b * w->stride + w->k * x->d + w->k;
        in += tail[0];
        ch += (size_t)tail[1];
    }
    *inertia = in;
    *changed = ch;
    if (update)
        cipi_kmeans_finish_update(x, w);
}

double cipi_kmeans_inertia(const struct km_data *x, const double *centers, size_t k,
                           const int32_t *labels, double *partial)
{
    (void)k;
    long nb = (long)x->n_blocks;
#ifdef _OPENMP
#pragma omp parallel for num_threads(x->nt) schedule(static) if (x->nt > 1)
#endif
    for (long b = 0; b < nb; b++) {
        size_t r0 = (size_t)b * KM_BLOCK, r1 = block_end(x, (size_t)b);
        double s = 0.0;
        for (size_t i = r0; i < r1; i++)
            s += km_weight(x, i) * km_row_d2(x->cols, i, centers + (size_t)labels[i] * x->d, x->d);
        partial[b] = s;
    }
    double in = 0.0;
    for (size_t b = 0; b < x->n_blocks; b++)
        in += partial[b];
    return in;
}
