/* segments.c - the segmentation task: k-means on standardised features, k by silhouette
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "train_int.h"

/* segmentation_original.features of the reference project */
static const char *const k_seg_features[] = {"customer_value_score", "age", "spend_to_income_ratio",
                                             "growth_potential_score"};

static cip_status feature_names(cip_ctx *ctx, const cip_frame *f, const cip_train_params *p,
                                int customer, cip_train_result *r)
{
    size_t nc = cip_frame_n_cols(f), cap = nc + 4;
    r->features = cipi_calloc(ctx, cap, sizeof *r->features);
    if (r->features == NULL)
        return cipi_nomem(ctx);
    const char *const *src = p->features;
    size_t ns = p->n_features;
    if (src == NULL && customer) {
        src = k_seg_features;
        ns = CIP_ARRAY_LEN(k_seg_features);
    }
    if (src != NULL && ns > cap)
        return cipi_fail(ctx, CIP_ERR_INVALID, "too many features");
    for (size_t k = 0; src == NULL && k < nc; k++) {
        const char *nm = cip_frame_col_name(f, k);
        if (cip_frame_col_type(f, k) == CIP_TYPE_CAT || strcmp(nm, "id") == 0 ||
            strcmp(nm, "user_id") == 0 || strcmp(nm, "customer_id") == 0 ||
            (p->target != NULL && strcmp(nm, p->target) == 0))
            continue;
        if ((r->features[r->n_features++] = cipi_strdup(ctx, nm)) == NULL)
            return cipi_nomem(ctx);
    }
    for (size_t k = 0; src != NULL && k < ns; k++)
        if ((r->features[r->n_features++] = cipi_strdup(ctx, src[k])) == NULL)
            return cipi_nomem(ctx);
    if (r->n_features == 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "no numeric feature columns to cluster");
    return CIP_OK;
}

static cip_status sweep_metrics(cip_ctx *ctx, cip_train_result *r, const cip_kmeans_sweep *s)
{
    int k = cip_kmeans_sweep_chosen_k(s);
    r->n_k = cip_kmeans_sweep_n_points(s);
    r->sweep = cipi_mallocarray(ctx, r->n_k, sizeof *r->sweep);
    if (r->sweep == NULL)
        return cipi_nomem(ctx);
    memcpy(r->sweep, cip_kmeans_sweep_points(s), r->n_k * sizeof *r->sweep);
    cip_status rc = CIP_OK;
    for (size_t i = 0; rc == CIP_OK && i < r->n_k; i++)
        if (r->sweep[i].k == k) {
            rc = cipi_train_metric_add(ctx, r, "silhouette_score", r->sweep[i].silhouette);
            if (rc == CIP_OK)
                rc = cipi_train_metric_add(ctx, r, "inertia", r->sweep[i].inertia);
            if (rc == CIP_OK)
                rc = cipi_train_metric_add(ctx, r, "calinski_harabasz", r->sweep[i].calinski);
            if (rc == CIP_OK)
                rc = cipi_train_metric_add(ctx, r, "davies_bouldin", r->sweep[i].davies);
        }
    if (rc == CIP_OK)
        rc = cipi_train_metric_add(ctx, r, "optimal_n_clusters", k);
    for (size_t i = 0; rc == CIP_OK && i < r->n_k; i++) {
        char nm[48];
        snprintf(nm, sizeof nm, "silhouette_k%d", r->sweep[i].k);
        rc = cipi_train_metric_add(ctx, r, nm, r->sweep[i].silhouette);
        snprintf(nm, sizeof nm, "inertia_k%d", r->sweep[i].k);
        if (rc == CIP_OK)
            rc = cipi_train_metric_add(ctx, r, nm, r->sweep[i].inertia);
    }
    return rc;
}

cip_status cipi_train_segments(cip_ctx *ctx, const cip_frame *data, const cip_train_params *p,
                               cip_train_result *r)
{
    int engineered = 0, customer = cipi_train_is_customer(data, &engineered);
    cip_frame *eng = NULL;
    cip_kmeans_sweep *s = NULL;
    cip_status rc = CIP_OK;
    const cip_frame *f = data;
    r->raw_input = customer && !engineered;
    if (r->raw_input) { /* unsupervised: the pipeline is fitted on every row */
        rc = cipi_train_fit_featpipe(ctx, data, NULL, 0, &r->featpipe);
        if (rc == CIP_OK)
            rc = cip_featpipe_transform(ctx, r->featpipe, data, &eng);
        f = eng;
    }
    if (rc == CIP_OK)
        rc = feature_names(ctx, f, p, customer, r);
    if (rc != CIP_OK)
        goto done;
    cip_kmeans_sweep_params sp = p->kmeans;
    sp.km.features = (const char *const *)r->features;
    sp.km.n_features = r->n_features;
    rc = cip_kmeans_sweep_run_frame(ctx, &sp, f, &s);
    if (rc == CIP_OK)
        rc = sweep_metrics(ctx, r, s);
    if (rc == CIP_OK) {
        r->kmeans = cip_kmeans_sweep_take_best(s);
        r->n_rows = r->n_train = cip_frame_n_rows(data);
        r->best_params = cipi_malloc(ctx, 32);
        if (r->best_params == NULL)
            rc = cipi_nomem(ctx);
        else
            snprintf(r->best_params, 32, "n_clusters=%d", cip_kmeans_sweep_chosen_k(s));
    }
done:
    cip_kmeans_sweep_free(s);
    cip_frame_free(eng);
    return rc;
}
