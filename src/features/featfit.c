/* featfit.c - cip_featpipe_fit: learn the pipeline state from raw rows
 *
 * Every statistic is computed the way the original notebook's pandas and
 * scikit-learn calls computed it on the full table, so that transforming the
 * fit rows reproduces the reference file byte for byte.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "features_int.h"

/* Sort a copy of one scaled input into `sorted`; record its min, max and
 * flag threshold. */
static void fit_scaled(cip_featpipe *p, int c, const double *vals, size_t n, double *sorted)
{
    memcpy(sorted, vals, n * sizeof *sorted);
    cipi_feat_sort(sorted, n);
    p->mm_min[c] = sorted[0];
    p->mm_max[c] = sorted[n - 1];
    p->q_flag[c] = cipi_feat_quantile(sorted, n, p->cfg.flag_quantile);
}

/* qcut edges of the sorted purchase_frequency at the quantiles of
 * np.linspace(0, 1, q + 1). */
static cip_status fit_qcut(cip_ctx *ctx, cip_featpipe *p, const double *sorted, size_t n)
{
    size_t k_bins = p->cfg.n_freq;
    p->freq_edges = cipi_mallocarray(ctx, k_bins + 1, sizeof *p->freq_edges);
    if (p->freq_edges == NULL)
        return CIP_ERR_NOMEM;
    double step = 1.0 / (double)k_bins; /* numpy linspace: k * step, last = stop */
    for (size_t k = 0; k <= k_bins; k++) {
        double q = k == k_bins ? 1.0 : (double)k * step;
        p->freq_edges[k] = cipi_feat_quantile(sorted, n, q);
    }
    for (size_t k = 1; k <= k_bins; k++) {
        if (p->freq_edges[k] == p->freq_edges[k - 1] && p->cfg.freq_ties == CIP_FEATPIPE_TIES_ERROR)
            return cipi_fail(ctx, CIP_ERR_INVALID,
                             "qcut of 'purchase_frequency' into %zu bins has duplicate edges "
                             "(edge %zu = edge %zu = %g); use fewer bins or "
                             "CIP_FEATPIPE_TIES_LOWER",
                             k_bins, k - 1, k, p->freq_edges[k]);
    }
    return CIP_OK;
}

/* Scalers, flag thresholds, qcut edges and the two overall percentile tables,
 * sorting each input column once. */
static cip_status fit_columns(cip_ctx *ctx, cip_featpipe *p, const struct feat_raw *r,
                              double *scratch)
{
    size_t n = r->n;
    fit_scaled(p, FEAT_P, r->purchase, n, scratch);
    cip_status rc = cipi_feat_ecdf_build(ctx, scratch, n, &p->spend_ecdf);
    if (rc != CIP_OK)
        return rc;
    fit_scaled(p, FEAT_F, r->freq, n, scratch);
    rc = fit_qcut(ctx, p, scratch, n);
    if (rc != CIP_OK)
        return rc;
    fit_scaled(p, FEAT_L, r->loyalty, n, scratch);
    memcpy(scratch, r->income, n * sizeof *scratch);
    cipi_feat_sort(scratch, n);
    return cipi_feat_ecdf_build(ctx, scratch, n, &p->income_ecdf);
}

/* Per age group, the fitted purchase_frequency values (a counting sort of the
 * rows by group, then one sorted segment per group). */
static cip_status fit_age_groups(cip_ctx *ctx, cip_featpipe *p, const struct feat_raw *r,
                                 double *scratch)
{
    size_t n_g = p->cfg.age.n;
    cip_status rc = CIP_OK;
    size_t *start = cipi_calloc(ctx, n_g + 1, sizeof *start);
    p->age_ecdf = cipi_calloc(ctx, n_g, sizeof *p->age_ecdf);
    if (start == NULL || p->age_ecdf == NULL) {
        rc = CIP_ERR_NOMEM;
        goto done;
    }
    p->n_age_ecdf = n_g;
    for (size_t i = 0; i < r->n; i++) {
        long g = cipi_feat_cut_left(&p->cfg.age, r->age[i]);
        if (g >= 0)
            start[g + 1]++;
    }
    for (size_t g = 0; g < n_g; g++)
        start[g + 1] += start[g];
    size_t *fill = start; /* after scattering, fill[g] = end of group g */
    for (size_t i = 0; i < r->n; i++) {
        long g = cipi_feat_cut_left(&p->cfg.age, r->age[i]);
        if (g >= 0)
            scratch[fill[g]++] = r->freq[i];
    }
    for (size_t g = 0; g < n_g && rc == CIP_OK; g++) {
        size_t begin = g == 0 ? 0 : fill[g - 1], end = fill[g];
        cipi_feat_sort(scratch + begin, end - begin);
        rc = cipi_feat_ecdf_build(ctx, scratch + begin, end - begin, &p->age_ecdf[g]);
    }
done:
    cipi_free(ctx, start);
    return rc;
}

static void fit_growth(cip_featpipe *p, const struct feat_raw *r)
{
    for (size_t i = 0; i < r->n; i++) {
        double g = cipi_feat_ecdf_pct(&p->income_ecdf, r->income[i]) -
                   cipi_feat_ecdf_pct(&p->spend_ecdf, r->purchase[i]);
        if (i == 0 || g < p->g_min)
            p->g_min = g;
        if (i == 0 || g > p->g_max)
            p->g_max = g;
    }
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The one-hot levels: distinct region_grouped labels (hashed, so the cost is
 * one lookup per row), then sorted by bytes as get_dummies orders them. */
static cip_status fit_regions(cip_ctx *ctx, cip_featpipe *p, const struct feat_raw *r)
{
    struct cipi_strmap m;
    cipi_strmap_init(&m, ctx);
    cip_status rc = CIP_OK;
    for (size_t i = 0; rc == CIP_OK && i < r->n; i++) {
        const char *g = cipi_feat_group_region(&p->cfg, r->region[i]);
        uint32_t id;
        rc = cipi_strmap_intern(ctx, &m, g, strlen(g), &id);
    }
    if (rc != CIP_OK) {
        cipi_strmap_release(&m);
        return rc;
    }
    p->regions = cipi_strmap_detach_keys(&m, &p->n_regions);
    if (p->regions == NULL)
        return cipi_nomem(ctx);
    qsort(p->regions, p->n_regions, sizeof *p->regions, cmp_str);
    return CIP_OK;
}

/* Churn-label threshold: the quantile of the (rounded) fit-row scores. */
static void fit_churn(cip_featpipe *p, const struct feat_raw *r, double *scratch)
{
    for (size_t i = 0; i < r->n; i++)
        scratch[i] = cipi_feat_round(cipi_feat_churn_score(p, r->loyalty[i], r->freq[i]),
                                     p->cfg.churn_decimals);
    cipi_feat_sort(scratch, r->n);
    p->churn_thr = cipi_feat_quantile(scratch, r->n, p->cfg.churn_q);
}

static cip_status copy_input_names(cip_ctx *ctx, cip_featpipe *p, const cip_frame *raw)
{
    size_t n = cip_frame_n_cols(raw);
    p->input_names = cipi_calloc(ctx, n ? n : 1, sizeof *p->input_names);
    if (p->input_names == NULL)
        return CIP_ERR_NOMEM;
    p->n_inputs = n;
    for (size_t j = 0; j < n; j++)
        if ((p->input_names[j] = cipi_strdup(ctx, cip_frame_col_name(raw, j))) == NULL)
            return CIP_ERR_NOMEM;
    return CIP_OK;
}

static cip_status fit_all(cip_ctx *ctx, cip_featpipe *p, const cip_frame *raw,
                          const struct feat_raw *r, double *scratch)
{
    p->n_fit = r->n;
    cip_status rc = copy_input_names(ctx, p, raw);
    if (rc != CIP_OK)
        return rc;
    rc = fit_columns(ctx, p, r, scratch);
    if (rc == CIP_OK)
        rc = fit_age_groups(ctx, p, r, scratch);
    if (rc == CIP_OK)
        rc = fit_regions(ctx, p, r);
    if (rc != CIP_OK)
        return rc;
    fit_growth(p, r);
    fit_churn(p, r, scratch);
    rc = cipi_feat_names_build(ctx, p);
    return rc == CIP_OK ? cipi_feat_check_clash(ctx, p, raw) : rc;
}

cip_status cip_featpipe_fit(cip_ctx *ctx, const cip_frame *raw, const cip_featpipe_params *params,
                            cip_featpipe **out)
{
    cip_featpipe_params def;
    struct feat_raw r = {0};
    cip_featpipe *p = NULL;
    double *scratch = NULL;
    if (out == NULL || raw == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "cip_featpipe_fit: NULL frame or output");
    *out = NULL;
    if (params == NULL) {
        cip_featpipe_params_default(&def);
        params = &def;
    }
    cip_status rc = cip_featpipe_params_check(ctx, params);
    if (rc == CIP_OK)
        rc = cipi_feat_raw_get(ctx, raw, &r);
    if (rc != CIP_OK)
        goto done;
    if (r.n == 0) {
        rc = cipi_fail(ctx, CIP_ERR_INVALID, "cannot fit the feature pipeline on 0 rows");
        goto done;
    }
    scratch = cipi_mallocarray(ctx, r.n, sizeof *scratch);
    rc = scratch == NULL ? CIP_ERR_NOMEM : cipi_feat_new(ctx, &p);
    if (rc == CIP_OK)
        rc = cipi_feat_cfg_copy(ctx, params, &p->cfg);
    if (rc == CIP_OK)
        rc = fit_all(ctx, p, raw, &r, scratch);
    if (rc == CIP_OK) {
        p->magic = FEAT_MAGIC;
        *out = p;
        p = NULL;
    }
done:
    cip_featpipe_free(p);
    cipi_free(ctx, scratch);
    cipi_feat_raw_release(ctx, &r);
    return rc;
}
