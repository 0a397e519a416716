/* sweep.c - choosing k: fit every k of a range, score it, keep the best
 *
 * As the reference project did: the data is standardised once (when asked),
 * KMeans is fitted for each k with the same seed, the silhouette of its
 * labels is computed (exact up to silhouette_sample rows, sampled above),
 * and the k with the best criterion wins; ties go to the smaller k because
 * k ascends and only a strictly better score replaces the best.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "kmeans_int.h"

struct cip_kmeans_sweep {
    struct cipi_alloc a;         /* allocator of everything below */
    size_t n;                    /* points */
    cip_kmeans_sweep_point *pts; /* owned [n] */
    int chosen_k;                /* k of the best point */
    cip_kmeans *best;            /* owned model of chosen_k, or NULL once taken */
};

void cip_kmeans_sweep_params_default(cip_kmeans_sweep_params *p)
{
    memset(p, 0, sizeof *p);
    cip_kmeans_params_default(&p->km);
    p->k_min = 2;
    p->k_max = 8;
    p->criterion = CIP_KMEANS_BY_SILHOUETTE;
    p->silhouette_sample = 10000;
}

void cip_kmeans_sweep_free(cip_kmeans_sweep *s)
{
    if (s == NULL)
        return;
    struct cipi_alloc a = s->a;
    cip_kmeans_free(s->best);
    cipi_afree(&a, s->pts);
    cipi_afree(&a, s);
}

static cip_status check_sweep(cip_ctx *ctx, const cip_kmeans_sweep_params *p)
{
    if (p == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "kmeans sweep: no parameters");
    if (p->k_min < 2 || p->k_max < p->k_min)
        return cipi_fail(ctx, CIP_ERR_INVALID,
                         "kmeans sweep: need 2 <= k_min <= k_max (got %d..%d)", p->k_min, p->k_max);
    if ((unsigned)p->criterion > CIP_KMEANS_BY_DAVIES)
        return cipi_fail(ctx, CIP_ERR_INVALID, "kmeans sweep: unknown criterion %d",
                         (int)p->criterion);
    cip_kmeans_params km = p->km;
    km.n_clusters = p->k_min;
    return cip_kmeans_params_check(ctx, &km);
}

static double criterion_value(const cip_kmeans_sweep_point *pt, cip_kmeans_criterion c)
{
    switch (c) {
    case CIP_KMEANS_BY_CALINSKI:
        return pt->calinski;
    case CIP_KMEANS_BY_DAVIES:
        return -pt->davies; /* lower is better */
    default:
        return pt->silhouette;
    }
}

/* Fit one k and score it; *km_out owns the model. */
static cip_status sweep_one(cip_ctx *ctx, const cip_kmeans_sweep_params *sp, int k,
                            const cip_colmat *x, const double *w, cip_kmeans_sweep_point *pt,
                            cip_kmeans **km_out)
{
    cip_kmeans_params p = sp->km;
    p.n_clusters = k;
    p.standardize = 0;
    p.init = NULL; /* k varies: explicit starting centres cannot apply */
    p.features = NULL;
    p.n_features = 0;
    cip_kmeans *km = NULL;
    cip_status rc = cipi_kmeans_fit_data(ctx, &p, x, w, &km);
    if (rc != CIP_OK)
        return rc;
    size_t present = 0;
    for (size_t c = 0; c < km->k; c++)
        present += km->sizes[c] > 0;
    *pt = (cip_kmeans_sweep_point){k,           km->inertia, (double)NAN, 0,
                                   (double)NAN, (double)NAN, km->n_iter};
    if (present >= 2 && present < x->n_rows) {
        cip_silhouette_info si;
        rc = cip_cluster_silhouette(ctx, x, km->labels, sp->silhouette_sample, sp->km.seed, &si);
        if (rc == CIP_OK) {
            pt->silhouette = si.score;
            pt->silhouette_n = si.n_used;
            rc = cip_cluster_calinski_harabasz(ctx, x, km->labels, &pt->calinski);
        }
        if (rc == CIP_OK)
            rc = cip_cluster_davies_bouldin(ctx, x, km->labels, &pt->davies);
        if (rc == CIP_ERR_INVALID) { /* a sample with one label: score unknown, not fatal */
            pt->silhouette = (double)NAN;
            cip_ctx_clear_error(ctx);
            rc = CIP_OK;
        }
    }
    if (rc != CIP_OK) {
        cip_kmeans_free(km);
        return rc;
    }
    *km_out = km;
    return CIP_OK;
}

static cip_status sweep_fit(cip_ctx *ctx, const cip_kmeans_sweep_params *sp, const cip_colmat *x,
                            const double *w, cip_kmeans_sweep *s)
{
    double best_v = (double)NAN;
    for (int k = sp->k_min; k <= sp->k_max; k++) {
        cip_kmeans *km = NULL;
        cip_kmeans_sweep_point *pt = &s->pts[k - sp->k_min];
        cip_status rc = sweep_one(ctx, sp, k, x, w, pt, &km);
        if (rc != CIP_OK)
            return rc;
        s->n++;
        double v = criterion_value(pt, sp->criterion);
        if (s->best == NULL || (!isnan(v) && (isnan(best_v) || v > best_v))) {
            cip_kmeans_free(s->best);
            s->best = km;
            s->chosen_k = k;
            best_v = v;
        } else {
            cip_kmeans_free(km);
        }
        cipi_progress(ctx, "kmeans sweep", (uint64_t)(k - sp->k_min + 1),
                      (uint64_t)(sp->k_max - sp->k_min + 1));
    }
    return CIP_OK;
}

/* Shared by both entry points: x raw, names optional. */
static cip_status sweep_named(cip_ctx *ctx, const cip_kmeans_sweep_params *sp, const cip_colmat *x,
                              const double *w, const char *const *names, cip_kmeans_sweep **out)
{
    *out = NULL;
    cip_kmeans_params p = sp->km;
    p.n_clusters = sp->k_max;
    p.init = NULL;
    p.features = NULL;
    p.n_features = 0;
    double *owned = NULL;
    const double **cols = NULL;
    cip_scaler *scaler = NULL;
    cip_kmeans_sweep *s = NULL;
    cip_status rc = cipi_kmeans_check_input(ctx, &p, x, w);
    if (rc == CIP_OK)
        rc = cipi_kmeans_prepare(ctx, sp->km.standardize, x, names, &owned, &cols, &scaler);
    if (rc != CIP_OK)
        return rc;
    size_t n_pts = (size_t)(sp->k_max - sp->k_min + 1);
    if ((s = cipi_calloc(ctx, 1, sizeof *s)) == NULL) {
        rc = CIP_ERR_NOMEM;
        goto done;
    }
    s->a = cipi_ctx_alloc(ctx);
    if ((s->pts = cipi_calloc(ctx, n_pts, sizeof *s->pts)) == NULL) {
        rc = CIP_ERR_NOMEM;
        goto done;
    }
    cip_colmat xs = {cols, x->n_rows, x->n_cols};
    rc = sweep_fit(ctx, sp, &xs, w, s);
    if (rc == CIP_OK)
        rc = cipi_kmeans_attach(ctx, s->best, names, NULL);
    if (rc == CIP_OK) {
        s->best->params.standardize = sp->km.standardize;
        s->best->scaler = scaler;
        scaler = NULL;
    }
done:
    cip_scaler_free(scaler);
    cipi_free(ctx, owned);
    cipi_free(ctx, (void *)cols);
    if (rc != CIP_OK) {
        cip_kmeans_sweep_free(s);
        return rc;
    }
    *out = s;
    return CIP_OK;
}

cip_status cip_kmeans_sweep_run(cip_ctx *ctx, const cip_kmeans_sweep_params *p, const cip_colmat *x,
                                const double *sample_weight, cip_kmeans_sweep **out)
{
    if (out == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "kmeans sweep: no output pointer");
    *out = NULL;
    cip_status rc = check_sweep(ctx, p);
    if (rc != CIP_OK)
        return rc;
    return sweep_named(ctx, p, x, sample_weight, p->km.features, out);
}

cip_status cip_kmeans_sweep_run_frame(cip_ctx *ctx, const cip_kmeans_sweep_params *p,
                                      const cip_frame *f, cip_kmeans_sweep **out)
{
    if (out == NULL || f == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "kmeans sweep: no frame or output pointer");
    *out = NULL;
    cip_status rc = check_sweep(ctx, p);
    if (rc != CIP_OK)
        return rc;
    double *block = NULL;
    const char **names = NULL;
    const double **cols = NULL;
    size_t d = 0, n = cip_frame_n_rows(f);
    rc = cipi_kmeans_frame_block(ctx, f, p->km.features, p->km.n_features, &block, &names, &d);
    if (rc != CIP_OK)
        return rc;
    if ((cols = cipi_mallocarray(ctx, d, sizeof(double *))) == NULL) {
        rc = CIP_ERR_NOMEM;
        goto done;
    }
    for (size_t j = 0; j < d; j++)
        cols[j] = block + j * n;
    cip_colmat x = {cols, n, d};
    rc = sweep_named(ctx, p, &x, NULL, names, out);
done:
    cipi_free(ctx, (void *)cols);
    cipi_free(ctx, (void *)names);
    cipi_free(ctx, block);
    return rc;
}

size_t cip_kmeans_sweep_n_points(const cip_kmeans_sweep *s)
{
    return s != NULL ? s->n : 0;
}

const cip_kmeans_sweep_point *cip_kmeans_sweep_points(const cip_kmeans_sweep *s)
{
    return s != NULL ? s->pts : NULL;
}

int cip_kmeans_sweep_chosen_k(const cip_kmeans_sweep *s)
{
    return s != NULL ? s->chosen_k : 0;
}

const cip_kmeans *cip_kmeans_sweep_best(const cip_kmeans_sweep *s)
{
    return s != NULL ? s->best : NULL;
}

cip_kmeans *cip_kmeans_sweep_take_best(cip_kmeans_sweep *s)
{
    if (s == NULL)
        return NULL;
    cip_kmeans *km = s->best;
    s->best = NULL;
    return km;
}
