/* predict.c - nearest-centre prediction and the model getters
 *
 * Prediction reads raw rows, applies the model's scaler when it has one, and
 * picks the nearest centre by exact squared distance (ties -> lower index),
 * so save -> load -> predict gives identical labels. The model is only read:
 * any number of threads may predict with one model at once.
 * SPDX-License-Identifier: MIT
 */
#include <limits.h>
#include <math.h>
#include <string.h>

#include "kmeans_int.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#define PREDICT_BLOCK 1024

/* Scaled value of feature j of a raw value. */
static inline double scaled(const cip_kmeans *km, const cip_scaler_state *st, size_t j, double v)
{
    return km->scaler != NULL ? (v - st->mean[j]) / st->scale[j] : v;
}

static int predict_rows(const cip_kmeans *km, const cip_colmat *x, size_t r0, size_t r1,
                        int32_t *labels, double *dist2)
{
    cip_scaler_state st = {0};
    if (km->scaler != NULL)
        cip_scaler_state_get(km->scaler, &st);
    size_t k = km->k, d = km->d;
    for (size_t i = r0; i < r1; i++) {
        int32_t lab = 0;
        double best = HUGE_VAL;
        for (size_t c = 0; c < k; c++) {
            const double *cc = km->centers + c * d;
            double s = 0.0;
            for (size_t j = 0; j < d; j++) {
                double diff = scaled(km, &st, j, x->cols[j][i]) - cc[j];
                s += diff * diff;
            }
            if (s < best) {
                best = s;
                lab = (int32_t)c;
            }
        }
        if (!isfinite(best))
            return 0;
        labels[i] = lab;
        if (dist2 != NULL)
            dist2[i] = best;
    }
    return 1;
}

static cip_status check_model(cip_ctx *ctx, const cip_kmeans *km, const char *what)
{
    if (km == NULL || km->magic != KM_MAGIC)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "kmeans %s: invalid model", what);
    return CIP_OK;
}

cip_status cip_kmeans_predict(cip_ctx *ctx, const cip_kmeans *km, const cip_colmat *x,
                              int32_t *labels, size_t labels_len, double *dist2)
{
    cip_status rc = check_model(ctx, km, "predict");
    if (rc != CIP_OK)
        return rc;
    if (x == NULL || labels == NULL || (x->cols == NULL && x->n_cols > 0))
        return cipi_fail(ctx, CIP_ERR_MISUSE, "kmeans predict: no input or output");
    if (x->n_cols != km->d)
        return cipi_fail(ctx, CIP_ERR_SCHEMA,
                         "kmeans predict: %zu columns given, the model has %zu", x->n_cols, km->d);
    if (labels_len < x->n_rows)
        return cipi_fail(ctx, CIP_ERR_INVALID,
                         "kmeans predict: labels has room for %zu of %zu rows", labels_len,
                         x->n_rows);
    size_t nb = (x->n_rows + PREDICT_BLOCK - 1) / PREDICT_BLOCK;
    int nt = cipi_threads_for(ctx, nb);
    long bad = LONG_MAX; /* lowest failing block: reported, whatever the threads */
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static) reduction(min : bad) if (nt > 1)
#endif
    for (long b = 0; b < (long)nb; b++) {
        size_t r0 = (size_t)b * PREDICT_BLOCK;
        size_t r1 = r0 + PREDICT_BLOCK < x->n_rows ? r0 + PREDICT_BLOCK : x->n_rows;
        if (!predict_rows(km, x, r0, r1, labels, dist2) && b < bad)
            bad = b;
    }
    (void)nt;
    if (bad != LONG_MAX)
        return cipi_fail(
            ctx, CIP_ERR_INVALID,
            "kmeans predict: a row in block %ld (rows from %zu) has a non-finite value", bad,
            (size_t)bad * PREDICT_BLOCK + 1);
    return CIP_OK;
}

cip_status cip_kmeans_predict_row(cip_ctx *ctx, const cip_kmeans *km, const double *row,
                                  int32_t *label, double *dist2)
{
    cip_status rc = check_model(ctx, km, "predict");
    if (rc != CIP_OK)
        return rc;
    if (row == NULL || label == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "kmeans predict: no row or output");
    cip_scaler_state st = {0};
    if (km->scaler != NULL)
        cip_scaler_state_get(km->scaler, &st);
    int32_t lab = 0;
    double best = HUGE_VAL;
    for (size_t c = 0; c < km->k; c++) {
        const double *cc = km->centers + c * km->d;
        double s = 0.0;
        for (size_t j = 0; j < km->d; j++) {
            double diff = scaled(km, &st, j, row[j]) - cc[j];
            s += diff * diff;
        }
        if (s < best) {
            best = s;
            lab = (int32_t)c;
        }
    }
    if (!isfinite(best))
        return cipi_fail(ctx, CIP_ERR_INVALID, "kmeans predict: the row has a non-finite value");
    *label = lab;
    if (dist2 != NULL)
        *dist2 = best;
    return CIP_OK;
}

cip_status cip_kmeans_predict_frame(cip_ctx *ctx, const cip_kmeans *km, const cip_frame *f,
                                    int32_t *labels, size_t labels_len)
{
    cip_status rc = check_model(ctx, km, "predict");
    if (rc != CIP_OK)
        return rc;
    if (f == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "kmeans predict: no frame");
    if (km->names == NULL)
        return cipi_fail(ctx, CIP_ERR_SCHEMA,
                         "kmeans predict: the model has no feature names (fitted on a matrix)");
    double *block = NULL;
    const char **names = NULL;
    const double **cols = NULL;
    size_t d = 0, n = cip_frame_n_rows(f);
    rc = cipi_kmeans_frame_block(ctx, f, (const char *const *)km->names, km->d, &block, &names, &d);
    if (rc != CIP_OK)
        return rc;
    cols = cipi_mallocarray(ctx, d, sizeof(double *));
    if (cols == NULL) {
        rc = CIP_ERR_NOMEM;
        goto done;
    }
    for (size_t j = 0; j < d; j++)
        cols[j] = block + j * n;
    cip_colmat x = {cols, n, d};
    rc = cip_kmeans_predict(ctx, km, &x, labels, labels_len, NULL);
done:
    cipi_free(ctx, (void *)cols);
    cipi_free(ctx, (void *)names);
    cipi_free(ctx, block);
    return rc;
}

size_t cip_kmeans_n_clusters(const cip_kmeans *km)
{
    return km != NULL ? km->k : 0;
}

size_t cip_kmeans_n_features(const cip_kmeans *km)
{
    return km != NULL ? km->d : 0;
}

const double *cip_kmeans_centers(const cip_kmeans *km)
{
    return km != NULL ? km->centers : NULL;
}

const int32_t *cip_kmeans_labels(const cip_kmeans *km)
{
    return km != NULL ? km->labels : NULL;
}

size_t cip_kmeans_n_train_rows(const cip_kmeans *km)
{
    return km != NULL ? km->n_train : 0;
}

const uint64_t *cip_kmeans_cluster_sizes(const cip_kmeans *km)
{
    return km != NULL ? km->sizes : NULL;
}

double cip_kmeans_inertia(const cip_kmeans *km)
{
    return km != NULL ? km->inertia : (double)NAN;
}

int cip_kmeans_n_iter(const cip_kmeans *km)
{
    return km != NULL ? km->n_iter : 0;
}

const char *cip_kmeans_feature_name(const cip_kmeans *km, size_t j)
{
    if (km == NULL || km->names == NULL || j >= km->d)
        return NULL;
    return km->names[j];
}

const cip_scaler *cip_kmeans_scaler(const cip_kmeans *km)
{
    return km != NULL ? km->scaler : NULL;
}

void cip_kmeans_get_params(const cip_kmeans *km, cip_kmeans_params *p)
{
    *p = km->params;
}
