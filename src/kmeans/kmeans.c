/* kmeans.c - k-means public API: parameters, fitting entry points, predict
 *
 * The entry points validate input, optionally standardise it (the scaler is
 * kept in the model so predict can take raw rows), and hand the prepared
 * column matrix to cipi_kmeans_fit_data (fit.c).
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "kmeans_int.h"

#ifdef _OPENMP
#include <omp.h>
#endif

void cip_kmeans_params_default(cip_kmeans_params *p)
{
    memset(p, 0, sizeof *p);
    p->n_clusters = 8;
    p->n_init = 10;
    p->max_iter = 300;
    p->tol = 1e-4;
    p->algorithm = CIP_KMEANS_LLOYD;
    p->seed = 42;
    p->standardize = 0;
}

cip_status cip_kmeans_params_check(cip_ctx *ctx, const cip_kmeans_params *p)
{
    if (p == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "kmeans: no parameters");
    if (p->n_clusters < 1)
        return cipi_fail(ctx, CIP_ERR_INVALID, "kmeans: n_clusters must be >= 1 (got %d)",
                         p->n_clusters);
    if (p->n_init < 1)
        return cipi_fail(ctx, CIP_ERR_INVALID, "kmeans: n_init must be >= 1 (got %d)", p->n_init);
    if (p->max_iter < 1)
        return cipi_fail(ctx, CIP_ERR_INVALID, "kmeans: max_iter must be >= 1 (got %d)",
                         p->max_iter);
    if (!(p->tol >= 0.0) || !isfinite(p->tol))
        return cipi_fail(ctx, CIP_ERR_INVALID, "kmeans: tol must be finite and >= 0 (got %g)",
                         p->tol);
    if (p->algorithm != CIP_KMEANS_LLOYD && p->algorithm != CIP_KMEANS_ELKAN)
        return cipi_fail(ctx, CIP_ERR_INVALID, "kmeans: unknown algorithm %d", (int)p->algorithm);
    if (p->features == NULL && p->n_features != 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "kmeans: n_features is %zu but features is NULL",
                         p->n_features);
    for (size_t j = 0; p->features != NULL && j < p->n_features; j++)
        if (p->features[j] == NULL)
            return cipi_fail(ctx, CIP_ERR_INVALID, "kmeans: feature name %zu is NULL", j);
    return CIP_OK;
}

cip_status cipi_kmeans_alloc(cip_ctx *ctx, size_t k, size_t d, cip_kmeans **out)
{
    *out = NULL;
    cip_kmeans *km = cipi_calloc(ctx, 1, sizeof *km);
    if (km == NULL)
        return CIP_ERR_NOMEM;
    km->magic = KM_MAGIC;
    km->a = cipi_ctx_alloc(ctx);
    km->k = k;
    km->d = d;
    size_t kd;
    if (!cipi_mul_ok(k, d, &kd)) {
        cip_kmeans_free(km);
        return cipi_nomem(ctx);
    }
    km->centers = cipi_mallocarray(ctx, kd, sizeof(double));
    km->sizes = cipi_calloc(ctx, k, sizeof(uint64_t));
    if (km->centers == NULL || km->sizes == NULL) {
        cip_kmeans_free(km);
        return CIP_ERR_NOMEM;
    }
    *out = km;
    return CIP_OK;
}

void cip_kmeans_free(cip_kmeans *km)
{
    if (km == NULL)
        return;
    struct cipi_alloc a = km->a;
    if (km->names != NULL) {
        for (size_t j = 0; j < km->d; j++)
            cipi_afree(&a, km->names[j]);
        cipi_afree(&a, km->names);
    }
    cip_scaler_free(km->scaler);
    cipi_afree(&a, km->centers);
    cipi_afree(&a, km->labels);
    cipi_afree(&a, km->sizes);
    km->magic = 0;
    cipi_afree(&a, km);
}

cip_status cipi_kmeans_attach(cip_ctx *ctx, cip_kmeans *km, const char *const *names,
                              const cip_scaler *scaler)
{
    if (names != NULL && km->names == NULL) {
        km->names = cipi_calloc(ctx, km->d, sizeof(char *));
        if (km->names == NULL)
            return CIP_ERR_NOMEM;
        for (size_t j = 0; j < km->d; j++)
            if ((km->names[j] = cipi_strdup(ctx, names[j])) == NULL)
                return CIP_ERR_NOMEM;
    }
    if (scaler != NULL && km->scaler == NULL)
        return cip_scaler_clone(ctx, scaler, &km->scaler);
    return CIP_OK;
}

cip_status cipi_kmeans_check_input(cip_ctx *ctx, const cip_kmeans_params *p, const cip_colmat *x,
                                   const double *w)
{
    if (x == NULL || (x->cols == NULL && x->n_cols > 0))
        return cipi_fail(ctx, CIP_ERR_MISUSE, "kmeans: no input matrix");
    if (x->n_cols == 0 || x->n_rows == 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "kmeans: empty input (%zu rows, %zu columns)",
                         x->n_rows, x->n_cols);
    if (x->n_rows < (size_t)p->n_clusters)
        return cipi_fail(ctx, CIP_ERR_INVALID, "kmeans: %zu rows is fewer than n_clusters = %d",
                         x->n_rows, p->n_clusters);
    if (p->features != NULL && p->n_features != x->n_cols)
        return cipi_fail(ctx, CIP_ERR_INVALID, "kmeans: %zu feature names for %zu columns",
                         p->n_features, x->n_cols);
    for (size_t q = 0; p->init != NULL && q < (size_t)p->n_clusters * x->n_cols; q++)
        if (!isfinite(p->init[q]))
            return cipi_fail(ctx, CIP_ERR_INVALID, "kmeans: initial centre value %zu is not finite",
                             q);
    if (w != NULL) {
        double sum = 0.0;
        for (size_t i = 0; i < x->n_rows; i++) {
            if (!isfinite(w[i]) || w[i] < 0.0)
                return cipi_fail(ctx, CIP_ERR_INVALID,
                                 "kmeans: sample weight of row %zu must be finite and >= 0", i + 1);
            sum += w[i];
        }
        if (!(sum > 0.0))
            return cipi_fail(ctx, CIP_ERR_INVALID, "kmeans: sample weights sum to zero");
    }
    return CIP_OK;
}

cip_status cipi_kmeans_prepare(cip_ctx *ctx, int standardize, const cip_colmat *x,
                               const char *const *names, double **owned, const double ***cols,
                               cip_scaler **scaler)
{
    *owned = NULL;
    *cols = NULL;
    *scaler = NULL;
    size_t n = x->n_rows, d = x->n_cols, nd;
    const double **c = cipi_mallocarray(ctx, d, sizeof(double *));
    if (c == NULL)
        return CIP_ERR_NOMEM;
    if (!standardize) {
        memcpy(c, x->cols, d * sizeof(double *));
        *cols = c;
        return CIP_OK;
    }
    cip_status rc = CIP_ERR_NOMEM;
    double *buf = NULL, **outc = (double **)c;
    if (!cipi_mul_ok(n, d, &nd) || (buf = cipi_mallocarray(ctx, nd, sizeof(double))) == NULL)
        goto fail;
    rc = cip_scaler_fit(ctx, x, scaler);
    if (rc != CIP_OK)
        goto fail;
    if (names != NULL) {
        cip_scaler_state st;
        cip_scaler *named = NULL;
        cip_scaler_state_get(*scaler, &st);
        st.names = names;
        rc = cip_scaler_new(ctx, &st, &named);
        cip_scaler_free(*scaler);
        *scaler = named;
        if (rc != CIP_OK)
            goto fail;
    }
    for (size_t j = 0; j < d; j++)
        outc[j] = buf + j * n;
    rc = cip_scaler_transform(ctx, *scaler, x, outc);
    if (rc != CIP_OK)
        goto fail;
    *owned = buf;
    *cols = c;
    return CIP_OK;
fail:
    cip_scaler_free(*scaler);
    *scaler = NULL;
    cipi_free(ctx, buf);
    cipi_free(ctx, c);
    return rc == CIP_OK ? CIP_ERR_NOMEM : rc;
}

/* Fit with optional standardisation and names (shared by both entry points). */
static cip_status fit_named(cip_ctx *ctx, const cip_kmeans_params *p, const cip_colmat *x,
                            const double *w, const char *const *names, cip_kmeans **out)
{
    cip_status rc = cipi_kmeans_check_input(ctx, p, x, w);
    if (rc != CIP_OK)
        return rc;
    double *owned = NULL;
    const double **cols = NULL;
    cip_scaler *scaler = NULL;
    cip_kmeans *km = NULL;
    rc = cipi_kmeans_prepare(ctx, p->standardize, x, names, &owned, &cols, &scaler);
    if (rc != CIP_OK)
        return rc;
    cip_colmat xs = {cols, x->n_rows, x->n_cols};
    rc = cipi_kmeans_fit_data(ctx, p, &xs, w, &km);
    if (rc == CIP_OK)
        rc = cipi_kmeans_attach(ctx, km, names, NULL);
    if (rc == CIP_OK) {
        km->scaler = scaler;
        scaler = NULL;
    }
    cip_scaler_free(scaler);
    cipi_free(ctx, owned);
    cipi_free(ctx, (void *)cols);
    if (rc != CIP_OK) {
        cip_kmeans_free(km);
        return rc;
    }
    *out = km;
    return CIP_OK;
}

cip_status cip_kmeans_fit(cip_ctx *ctx, const cip_kmeans_params *p, const cip_colmat *x,
                          const double *sample_weight, cip_kmeans **out)
{
    if (out == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "kmeans fit: no output pointer");
    *out = NULL;
    cip_status rc = cip_kmeans_params_check(ctx, p);
    if (rc != CIP_OK)
        return rc;
    return fit_named(ctx, p, x, sample_weight, p->features, out);
}

cip_status cipi_kmeans_frame_block(cip_ctx *ctx, const cip_frame *f, const char *const *names,
                                   size_t n_names, double **block, const char ***names_out,
                                   size_t *d_out)
{
    *block = NULL;
    *names_out = NULL;
    size_t n = cip_frame_n_rows(f), nc = cip_frame_n_cols(f), d = 0, nd;
    const char **nm = cipi_mallocarray(ctx, names != NULL ? n_names : nc + 1, sizeof(char *));
    if (nm == NULL)
        return CIP_ERR_NOMEM;
    if (names != NULL) {
        memcpy(nm, names, n_names * sizeof(char *));
        d = n_names;
    } else {
        for (size_t j = 0; j < nc; j++)
            if (cip_frame_col_type(f, j) != CIP_TYPE_CAT)
                nm[d++] = cip_frame_col_name(f, j);
    }
    cip_status rc = CIP_OK;
    double *b = NULL;
    if (d == 0) {
        rc = cipi_fail(ctx, CIP_ERR_SCHEMA, "kmeans: the frame has no numeric columns");
        goto done;
    }
    if (!cipi_mul_ok(n, d, &nd) || (b = cipi_mallocarray(ctx, nd, sizeof(double))) == NULL) {
        rc = cipi_nomem(ctx);
        goto done;
    }
    for (size_t j = 0; j < d && rc == CIP_OK; j++) {
        size_t idx;
        rc = cip_frame_find(ctx, f, nm[j], &idx);
        if (rc != CIP_OK)
            break;
        if (cip_frame_col_type(f, idx) == CIP_TYPE_CAT)
            rc = cipi_fail(ctx, CIP_ERR_SCHEMA, "column '%s' is categorical, not numeric", nm[j]);
        else if (cip_frame_n_missing(f, idx) > 0)
            rc = cipi_fail(ctx, CIP_ERR_INVALID, "column '%s' has %zu missing values", nm[j],
                           cip_frame_n_missing(f, idx));
        else
            cip_frame_get_col(f, idx, b + j * n);
    }
done:
    if (rc != CIP_OK) {
        cipi_free(ctx, b);
        cipi_free(ctx, (void *)nm);
        return rc;
    }
    *block = b;
    *names_out = nm;
    *d_out = d;
    return CIP_OK;
}

cip_status cip_kmeans_fit_frame(cip_ctx *ctx, const cip_kmeans_params *p, const cip_frame *f,
                                cip_kmeans **out)
{
    if (out == NULL || f == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "kmeans fit: no frame or output pointer");
    *out = NULL;
    cip_status rc = cip_kmeans_params_check(ctx, p);
    if (rc != CIP_OK)
        return rc;
    double *block = NULL;
    const char **names = NULL;
    const double **cols = NULL;
    size_t d = 0, n = cip_frame_n_rows(f);
    rc = cipi_kmeans_frame_block(ctx, f, p->features, p->n_features, &block, &names, &d);
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
    rc = fit_named(ctx, p, &x, NULL, names, out);
done:
    cipi_free(ctx, (void *)cols);
    cipi_free(ctx, (void *)names);
    cipi_free(ctx, block);
    return rc;
}
