/* segments.c - pipeline stage 6: customer segments and their description
 *
 * k-means on the standardised reference segmentation features, k chosen by
 * silhouette over 2..8 (cip_train_run, task segments; unsupervised, so the
 * feature pipeline is fitted on every row). Described by segment sizes,
 * per-segment means in original units, the between-segment share of each
 * scaled feature's variance (its "importance"), and a 2-D PCA projection of
 * the scaled features (power iteration on their covariance matrix).
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "cip/scale.h"
#include "pipeline_int.h"

/* Leading eigenvector of the symmetric p x p matrix c into v; returns the eigenvalue. */
static double power_iter(const double *c, size_t p, double *v, double *tmp)
{
    for (size_t j = 0; j < p; j++)
        v[j] = 1.0 / sqrt((double)p) + 1e-3 * (double)j;
    double lambda = 0.0;
    for (int it = 0; it < 500; it++) {
        double norm = 0.0;
        for (size_t a = 0; a < p; a++) {
            tmp[a] = 0.0;
            for (size_t b = 0; b < p; b++)
                tmp[a] += c[a * p + b] * v[b];
            norm += tmp[a] * tmp[a];
        }
        norm = sqrt(norm);
        if (norm == 0.0)
            return 0.0;
        double diff = 0.0;
        for (size_t a = 0; a < p; a++) {
            diff += fabs(tmp[a] / norm - v[a]);
            v[a] = tmp[a] / norm;
        }
        lambda = norm;
        if (diff < 1e-12)
            break;
    }
    return lambda;
}

/* Scaled value of feature j of row i. */
static double zval(const double *const *cols, const cip_scaler_state *st, size_t j, size_t i)
{
    return (cols[j][i] - st->mean[j]) / st->scale[j];
}

static cip_status describe(struct pl_state *s, struct pl_segments *g, const double *const *cols,
                           const cip_scaler_state *st)
{
    size_t k = g->k, p = g->p, n = s->n;
    double *c = cipi_calloc(s->ctx, p * p + 3 * p + k * p, sizeof *c);
    if (c == NULL)
        return cipi_nomem(s->ctx);
    double *v1 = c + p * p, *v2 = v1 + p, *tmp = v2 + p, *zmean = tmp + p;
    for (size_t i = 0; i < n; i++) {
        size_t seg = (size_t)g->labels[i];
        g->sizes[seg]++;
        for (size_t j = 0; j < p; j++) {
            g->profiles[seg * p + j] += cols[j][i];
            zmean[seg * p + j] += zval(cols, st, j, i);
        }
    }
    for (size_t a = 0; a < p; a++) /* covariance of the scaled features */
        for (size_t b = a; b < p; b++) {
            double acc = 0.0;
            for (size_t i = 0; i < n; i++)
                acc += zval(cols, st, a, i) * zval(cols, st, b, i);
            c[a * p + b] = c[b * p + a] = acc / (double)n;
        }
    double total = 0.0, between_sum = 0.0;
    for (size_t j = 0; j < p; j++) {
        double between = 0.0;
        for (size_t q = 0; q < k; q++) {
            double cnt = (double)g->sizes[q];
            double mz = cnt > 0 ? zmean[q * p + j] / cnt : 0.0;
            between += cnt * mz * mz;
            g->profiles[q * p + j] /= cnt > 0 ? cnt : 1.0;
        }
        g->importance[j] = c[j * p + j] > 0 ? between / ((double)n * c[j * p + j]) : 0.0;
        between_sum += g->importance[j];
        total += c[j * p + j];
    }
    for (size_t j = 0; j < p && between_sum > 0; j++)
        g->importance[j] /= between_sum;
    double l1 = power_iter(c, p, v1, tmp);
    for (size_t a = 0; a < p; a++) /* deflate */
        for (size_t b = 0; b < p; b++)
            c[a * p + b] -= l1 * v1[a] * v1[b];
    double l2 = p > 1 ? power_iter(c, p, v2, tmp) : 0.0;
    g->explained[0] = total > 0 ? l1 / total : (double)NAN;
    g->explained[1] = total > 0 ? l2 / total : (double)NAN;
    size_t step = (n + PL_MAX_POINTS - 1) / PL_MAX_POINTS;
    for (size_t i = 0; i < n; i += step, g->n_proj++) {
        double x = 0.0, y = 0.0;
        for (size_t j = 0; j < p; j++) {
            x += v1[j] * zval(cols, st, j, i);
            y += v2[j] * zval(cols, st, j, i);
        }
        g->px[g->n_proj] = x;
        g->py[g->n_proj] = y;
        g->pseg[g->n_proj] = g->labels[i];
    }
    cipi_free(s->ctx, c);
    return CIP_OK;
}

static cip_status alloc_desc(struct pl_state *s, struct pl_segments *g)
{
    size_t np = s->n < PL_MAX_POINTS ? s->n : PL_MAX_POINTS;
    g->sizes = cipi_calloc(s->ctx, g->k, sizeof *g->sizes);
    g->profiles = cipi_calloc(s->ctx, g->k * g->p, sizeof *g->profiles);
    g->importance = cipi_calloc(s->ctx, g->p, sizeof *g->importance);
    g->px = cipi_calloc(s->ctx, np + 1, sizeof *g->px);
    g->py = cipi_calloc(s->ctx, np + 1, sizeof *g->py);
    g->pseg = cipi_calloc(s->ctx, np + 1, sizeof *g->pseg);
    if (!g->sizes || !g->profiles || !g->importance || !g->px || !g->py || !g->pseg)
        return cipi_nomem(s->ctx);
    return CIP_OK;
}

cip_status cipi_pl_segments(struct pl_state *s)
{
    struct pl_segments *g = &s->seg;
    cip_train_params tp;
    cip_train_params_default(&tp);
    tp.task = CIP_TRAIN_SEGMENTS;
    tp.seed = s->p->seed;
    tp.kmeans.km.seed = s->p->seed;
    cip_frame *eng = NULL;
    double **cols = NULL;
    cip_status rc = cip_train_run(s->ctx, s->raw, &tp, &g->r);
    if (rc == CIP_OK)
        rc = cip_featpipe_transform(s->ctx, g->r->featpipe, s->raw, &eng);
    g->k = rc == CIP_OK ? cip_kmeans_n_clusters(g->r->kmeans) : 0;
    g->p = rc == CIP_OK ? g->r->n_features : 0;
    g->labels = cipi_mallocarray(s->ctx, s->n, sizeof *g->labels);
    cols = cipi_calloc(s->ctx, g->p + 1, sizeof *cols);
    if (rc == CIP_OK && (g->labels == NULL || cols == NULL))
        rc = cipi_nomem(s->ctx);
    if (rc == CIP_OK)
        rc = cip_kmeans_predict_frame(s->ctx, g->r->kmeans, eng, g->labels, s->n);
    for (size_t j = 0; rc == CIP_OK && j < g->p; j++) {
        size_t c;
        rc = cip_frame_find(s->ctx, eng, g->r->features[j], &c);
        if (rc == CIP_OK && (cols[j] = cipi_mallocarray(s->ctx, s->n, sizeof **cols)) == NULL)
            rc = cipi_nomem(s->ctx);
        if (rc == CIP_OK)
            cip_frame_get_col(eng, c, cols[j]);
    }
    const cip_scaler *sc = rc == CIP_OK ? cip_kmeans_scaler(g->r->kmeans) : NULL;
    if (rc == CIP_OK && sc == NULL)
        rc = cipi_fail(s->ctx, CIP_ERR_INVALID, "segments: the k-means model has no scaler");
    if (rc == CIP_OK)
        rc = alloc_desc(s, g);
    if (rc == CIP_OK) {
        cip_scaler_state st;
        cip_scaler_state_get(sc, &st);
        rc = describe(s, g, (const double *const *)cols, &st);
    }
    for (size_t j = 0; cols != NULL && j < g->p; j++)
        cipi_free(s->ctx, cols[j]);
    cipi_free(s->ctx, cols);
    cip_frame_free(eng);
    if (rc == CIP_OK)
        g->present = true;
    return rc;
}
