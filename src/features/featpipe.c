/* featpipe.c - feature pipeline params, fitting, accessors and lineage
 *
 * The fit learns everything the transform needs from the given rows only, so
 * transforming other rows later never looks at the training data again
 * (no leakage) and transforming the training rows gives the pandas output.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "features_int.h"

static const double default_age_edges[] = {14, 30, 45, 60, 100};
static const char *const default_age_labels[] = {"Young_Adult", "Adult", "Middle_Aged", "Senior"};
static const double default_income_edges[] = {0, 45000, 90000, 150000};
static const char *const default_income_labels[] = {"Low_Income", "Medium_Income", "High_Income"};
static const char *const default_freq_labels[] = {"0-25%", "25-50%", "50-75%", "75-100%"};
static const char *const default_region_from[] = {"East"};
static const char *const default_region_to[] = {"North"};

void cip_featpipe_params_default(cip_featpipe_params *p)
{
    memset(p, 0, sizeof *p);
    p->n_region_map = 1;
    p->region_from = default_region_from;
    p->region_to = default_region_to;
    p->allow_unknown_region = 0;
    p->age_bins = (cip_featpipe_bins){4, default_age_edges, default_age_labels};
    p->income_bins = (cip_featpipe_bins){3, default_income_edges, default_income_labels};
    p->flag_quantile = 0.75;
    p->value_weights[0] = 0.5;
    p->value_weights[1] = 0.25;
    p->value_weights[2] = 0.25;
    p->churn_weights[0] = 0.5;
    p->churn_weights[1] = 0.5;
    p->n_frequency_bins = 4;
    p->frequency_labels = default_freq_labels;
    p->frequency_ties = CIP_FEATPIPE_TIES_ERROR;
    p->growth_range[0] = 0.0;
    p->growth_range[1] = 100.0;
    p->churn_label_quantile = 0.75;
    p->churn_label_decimals = 4;
}

static cip_status check_labels(cip_ctx *ctx, const char *what, const char *const *labels, size_t n)
{
    if (labels == NULL)
        return cipi_fail(ctx, CIP_ERR_INVALID, "%s: labels are NULL", what);
    for (size_t k = 0; k < n; k++) {
        if (labels[k] == NULL || labels[k][0] == '\0')
            return cipi_fail(ctx, CIP_ERR_INVALID, "%s: label %zu is empty", what, k);
        for (size_t m = 0; m < k; m++)
            if (strcmp(labels[m], labels[k]) == 0)
                return cipi_fail(ctx, CIP_ERR_INVALID, "%s: label '%s' appears twice", what,
                                 labels[k]);
    }
    return CIP_OK;
}

static cip_status check_bins(cip_ctx *ctx, const char *what, const cip_featpipe_bins *b)
{
    if (b->n_bins < 1 || b->n_bins > FEAT_MAX_BINS)
        return cipi_fail(ctx, CIP_ERR_INVALID, "%s: %zu bins (expected 1..%d)", what, b->n_bins,
                         FEAT_MAX_BINS);
    if (b->edges == NULL)
        return cipi_fail(ctx, CIP_ERR_INVALID, "%s: edges are NULL", what);
    for (size_t k = 0; k <= b->n_bins; k++) {
        if (isnan(b->edges[k]))
            return cipi_fail(ctx, CIP_ERR_INVALID, "%s: edge %zu is NaN", what, k);
        if (k > 0 && !(b->edges[k] > b->edges[k - 1]))
            return cipi_fail(ctx, CIP_ERR_INVALID, "%s: edges must increase strictly (%g, %g)",
                             what, b->edges[k - 1], b->edges[k]);
    }
    return check_labels(ctx, what, b->labels, b->n_bins);
}

static bool in_unit(double q)
{
    return q >= 0.0 && q <= 1.0;
}

static cip_status check_numbers(cip_ctx *ctx, const cip_featpipe_params *p)
{
    if (!in_unit(p->flag_quantile))
        return cipi_fail(ctx, CIP_ERR_INVALID, "flag_quantile %g is outside [0, 1]",
                         p->flag_quantile);
    if (!in_unit(p->churn_label_quantile))
        return cipi_fail(ctx, CIP_ERR_INVALID, "churn_label_quantile %g is outside [0, 1]",
                         p->churn_label_quantile);
    for (int k = 0; k < 3; k++)
        if (!isfinite(p->value_weights[k]))
            return cipi_fail(ctx, CIP_ERR_INVALID, "value_weights[%d] is not finite", k);
    for (int k = 0; k < 2; k++)
        if (!isfinite(p->churn_weights[k]))
            return cipi_fail(ctx, CIP_ERR_INVALID, "churn_weights[%d] is not finite", k);
    double lo = p->growth_range[0], hi = p->growth_range[1];
    if (!(lo < hi) || !(fabs(lo) <= 1e15) || !(fabs(hi) <= 1e15))
        return cipi_fail(ctx, CIP_ERR_INVALID,
                         "growth_range [%g, %g] must satisfy lo < hi within +-1e15", lo, hi);
    if (p->churn_label_decimals < -1 || p->churn_label_decimals > 15)
        return cipi_fail(ctx, CIP_ERR_INVALID, "churn_label_decimals %d is outside -1..15",
                         p->churn_label_decimals);
    if (p->allow_unknown_region != 0 && p->allow_unknown_region != 1)
        return cipi_fail(ctx, CIP_ERR_INVALID, "allow_unknown_region must be 0 or 1");
    if (p->frequency_ties != CIP_FEATPIPE_TIES_ERROR &&
        p->frequency_ties != CIP_FEATPIPE_TIES_LOWER)
        return cipi_fail(ctx, CIP_ERR_INVALID, "frequency_ties %d is not a cip_featpipe_ties",
                         (int)p->frequency_ties);
    return CIP_OK;
}

cip_status cip_featpipe_params_check(cip_ctx *ctx, const cip_featpipe_params *p)
{
    if (p == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "feature pipeline params are NULL");
    if (p->n_region_map > FEAT_MAX_REGION_MAP)
        return cipi_fail(ctx, CIP_ERR_INVALID, "region map has %zu entries (limit %d)",
                         p->n_region_map, FEAT_MAX_REGION_MAP);
    if (p->n_region_map > 0) {
        cip_status rc = check_labels(ctx, "region_from", p->region_from, p->n_region_map);
        if (rc != CIP_OK)
            return rc;
        if (p->region_to == NULL)
            return cipi_fail(ctx, CIP_ERR_INVALID, "region_to is NULL");
        for (size_t k = 0; k < p->n_region_map; k++)
            if (p->region_to[k] == NULL || p->region_to[k][0] == '\0')
                return cipi_fail(ctx, CIP_ERR_INVALID, "region_to[%zu] is empty", k);
    }
    cip_status rc = check_bins(ctx, "age_bins", &p->age_bins);
    if (rc == CIP_OK)
        rc = check_bins(ctx, "income_bins", &p->income_bins);
    if (rc != CIP_OK)
        return rc;
    if (p->n_frequency_bins < 1 || p->n_frequency_bins > FEAT_MAX_BINS)
        return cipi_fail(ctx, CIP_ERR_INVALID, "n_frequency_bins %zu is outside 1..%d",
                         p->n_frequency_bins, FEAT_MAX_BINS);
    rc = check_labels(ctx, "frequency_labels", p->frequency_labels, p->n_frequency_bins);
    return rc == CIP_OK ? check_numbers(ctx, p) : rc;
}

/* --- owned copies of the params ----------------------------------------------- */

void cipi_feat_strv_free(const struct cipi_alloc *a, char **v, size_t n)
{
    if (v == NULL)
        return;
    for (size_t k = 0; k < n; k++)
        cipi_afree(a, v[k]);
    cipi_afree(a, v);
}

static cip_status strv_copy(cip_ctx *ctx, const char *const *src, size_t n, char ***out)
{
    *out = cipi_calloc(ctx, n ? n : 1, sizeof **out);
    if (*out == NULL)
        return CIP_ERR_NOMEM;
    for (size_t k = 0; k < n; k++)
        if (((*out)[k] = cipi_strdup(ctx, src[k])) == NULL)
            return CIP_ERR_NOMEM; /* the caller frees the partial vector */
    return CIP_OK;
}

static cip_status bins_copy(cip_ctx *ctx, const cip_featpipe_bins *src, struct feat_bins *b)
{
    b->n = src->n_bins;
    b->edges = cipi_mallocarray(ctx, src->n_bins + 1, sizeof *b->edges);
    if (b->edges == NULL)
        return CIP_ERR_NOMEM;
    memcpy(b->edges, src->edges, (src->n_bins + 1) * sizeof *b->edges);
    return strv_copy(ctx, src->labels, src->n_bins, &b->labels);
}

static void bins_release(const struct cipi_alloc *a, struct feat_bins *b)
{
    cipi_afree(a, b->edges);
    cipi_feat_strv_free(a, b->labels, b->n);
}

cip_status cipi_feat_cfg_copy(cip_ctx *ctx, const cip_featpipe_params *p, struct feat_cfg *c)
{
    memset(c, 0, sizeof *c);
    c->n_region_map = p->n_region_map;
    c->n_freq = p->n_frequency_bins;
    c->allow_unknown_region = p->allow_unknown_region;
    c->flag_quantile = p->flag_quantile;
    memcpy(c->value_w, p->value_weights, sizeof c->value_w);
    memcpy(c->churn_w, p->churn_weights, sizeof c->churn_w);
    c->freq_ties = (int)p->frequency_ties;
    c->growth_lo = p->growth_range[0];
    c->growth_hi = p->growth_range[1];
    c->churn_q = p->churn_label_quantile;
    c->churn_decimals = p->churn_label_decimals;
    cip_status rc = strv_copy(ctx, p->region_from, p->n_region_map, &c->region_from);
    if (rc == CIP_OK)
        rc = strv_copy(ctx, p->region_to, p->n_region_map, &c->region_to);
    if (rc == CIP_OK)
        rc = bins_copy(ctx, &p->age_bins, &c->age);
    if (rc == CIP_OK)
        rc = bins_copy(ctx, &p->income_bins, &c->income);
    if (rc == CIP_OK)
        rc = strv_copy(ctx, p->frequency_labels, p->n_frequency_bins, &c->freq_labels);
    return rc;
}

void cipi_feat_cfg_release(const struct cipi_alloc *a, struct feat_cfg *c)
{
    cipi_feat_strv_free(a, c->region_from, c->n_region_map);
    cipi_feat_strv_free(a, c->region_to, c->n_region_map);
    bins_release(a, &c->age);
    bins_release(a, &c->income);
    cipi_feat_strv_free(a, c->freq_labels, c->n_freq);
    memset(c, 0, sizeof *c);
}

void cipi_feat_cfg_view(const struct feat_cfg *c, cip_featpipe_params *p)
{
    memset(p, 0, sizeof *p);
    p->n_region_map = c->n_region_map;
    p->region_from = (const char *const *)c->region_from;
    p->region_to = (const char *const *)c->region_to;
    p->allow_unknown_region = c->allow_unknown_region;
    p->age_bins = (cip_featpipe_bins){c->age.n, c->age.edges, (const char *const *)c->age.labels};
    p->income_bins =
        (cip_featpipe_bins){c->income.n, c->income.edges, (const char *const *)c->income.labels};
    p->flag_quantile = c->flag_quantile;
    memcpy(p->value_weights, c->value_w, sizeof p->value_weights);
    memcpy(p->churn_weights, c->churn_w, sizeof p->churn_weights);
    p->n_frequency_bins = c->n_freq;
    p->frequency_labels = (const char *const *)c->freq_labels;
    p->frequency_ties = (cip_featpipe_ties)c->freq_ties;
    p->growth_range[0] = c->growth_lo;
    p->growth_range[1] = c->growth_hi;
    p->churn_label_quantile = c->churn_q;
    p->churn_label_decimals = c->churn_decimals;
}

/* --- object lifetime ------------------------------------------------------------- */

cip_status cipi_feat_new(cip_ctx *ctx, cip_featpipe **out)
{
    *out = cipi_calloc(ctx, 1, sizeof **out);
    if (*out == NULL)
        return CIP_ERR_NOMEM;
    (*out)->alloc = cipi_ctx_alloc(ctx);
    return CIP_OK;
}

void cip_featpipe_free(cip_featpipe *p)
{
    if (p == NULL)
        return;
    struct cipi_alloc a = p->alloc;
    cipi_feat_cfg_release(&a, &p->cfg);
    cipi_feat_strv_free(&a, p->input_names, p->n_inputs);
    cipi_afree(&a, p->freq_edges);
    cipi_feat_strv_free(&a, p->regions, p->n_regions);
    cipi_feat_ecdf_release(&a, &p->income_ecdf);
    cipi_feat_ecdf_release(&a, &p->spend_ecdf);
    if (p->age_ecdf != NULL)
        for (size_t k = 0; k < p->n_age_ecdf; k++)
            cipi_feat_ecdf_release(&a, &p->age_ecdf[k]);
    cipi_afree(&a, p->age_ecdf);
    cipi_feat_strv_free(&a, p->feat_names, p->n_feat);
    p->magic = 0;
    cipi_afree(&a, p);
}

/* --- engineered names and lineage ------------------------------------------------- */

static const char *const lin_region[] = {"region"};
static const char *const lin_age[] = {"age"};
static const char *const lin_income[] = {"annual_income"};
static const char *const lin_purchase[] = {"purchase_amount"};
static const char *const lin_loyalty[] = {"loyalty_score"};
static const char *const lin_freq[] = {"purchase_frequency"};
static const char *const lin_spp[] = {"purchase_amount", "purchase_frequency"};
static const char *const lin_sti[] = {"purchase_amount", "annual_income"};
static const char *const lin_value[] = {"purchase_amount", "purchase_frequency", "loyalty_score"};
static const char *const lin_churn[] = {"loyalty_score", "purchase_frequency"};
static const char *const lin_champ[] = {"purchase_amount", "loyalty_score", "purchase_frequency"};
static const char *const lin_growth[] = {"annual_income", "purchase_amount"};
static const char *const lin_agepct[] = {"purchase_frequency", "age"};

/* The engineered columns after region_grouped and the one-hot columns, in
 * output order, with the raw inputs each one derives from. */
static const struct feat_lineage {
    const char *name;
    const char *const *inputs;
    size_t n;
} fixed_cols[] = {
    {"spend_per_purchase", lin_spp, 2},
    {"spend_to_income_ratio", lin_sti, 2},
    {"age_group", lin_age, 1},
    {"income_bracket", lin_income, 1},
    {"customer_value_score", lin_value, 3},
    {"churn_risk_score", lin_churn, 2},
    {"is_high_value", lin_purchase, 1},
    {"is_loyal", lin_loyalty, 1},
    {"is_frequent", lin_freq, 1},
    {"is_champion", lin_champ, 3},
    {"income_percentile", lin_income, 1},
    {"spending_percentile", lin_purchase, 1},
    {"growth_potential_score", lin_growth, 2},
    {"age_adjusted_percentile", lin_agepct, 2},
    {"frequency_percentile", lin_freq, 1},
    {"log_purchase_amount", lin_purchase, 1},
    {"log_annual_income", lin_income, 1},
    {"log_purchase_frequency", lin_freq, 1},
};

cip_status cipi_feat_names_build(cip_ctx *ctx, cip_featpipe *p)
{
    size_t n = 1 + p->n_regions + CIP_ARRAY_LEN(fixed_cols);
    p->feat_names = cipi_calloc(ctx, n, sizeof *p->feat_names);
    if (p->feat_names == NULL)
        return CIP_ERR_NOMEM;
    p->n_feat = n;
    size_t k = 0;
    if ((p->feat_names[k++] = cipi_strdup(ctx, "region_grouped")) == NULL)
        return CIP_ERR_NOMEM;
    for (size_t r = 0; r < p->n_regions; r++) {
        size_t len = strlen(p->regions[r]);
        char *s = cipi_malloc(ctx, len + 8);
        if (s == NULL)
            return CIP_ERR_NOMEM;
        memcpy(s, "region_", 7);
        memcpy(s + 7, p->regions[r], len + 1);
        p->feat_names[k++] = s;
        bool clash = strcmp(s, "region_grouped") == 0;
        for (size_t c = 0; c < CIP_ARRAY_LEN(fixed_cols); c++)
            clash = clash || strcmp(s, fixed_cols[c].name) == 0;
        if (clash)
            return cipi_fail(ctx, CIP_ERR_INVALID,
                             "region '%s' would give the one-hot column '%s', which clashes "
                             "with another engineered column",
                             p->regions[r], s);
    }
    for (size_t c = 0; c < CIP_ARRAY_LEN(fixed_cols); c++)
        if ((p->feat_names[k++] = cipi_strdup(ctx, fixed_cols[c].name)) == NULL)
            return CIP_ERR_NOMEM;
    return CIP_OK;
}

size_t cip_featpipe_n_features(const cip_featpipe *p)
{
    return p != NULL && p->magic == FEAT_MAGIC ? p->n_feat : 0;
}

const char *cip_featpipe_feature_name(const cip_featpipe *p, size_t k)
{
    if (p == NULL || p->magic != FEAT_MAGIC || k >= p->n_feat)
        return NULL;
    return p->feat_names[k];
}

cip_status cip_featpipe_lineage(const cip_featpipe *p, const char *column,
                                const char *const **inputs, size_t *n)
{
    if (p == NULL || p->magic != FEAT_MAGIC || column == NULL || inputs == NULL || n == NULL)
        return CIP_ERR_MISUSE;
    /* engineered names come first: they win over same-named inputs, which
     * transform rejects anyway */
    for (size_t k = 0; k < CIP_ARRAY_LEN(fixed_cols); k++) {
        if (strcmp(fixed_cols[k].name, column) == 0) {
            *inputs = fixed_cols[k].inputs;
            *n = fixed_cols[k].n;
            return CIP_OK;
        }
    }
    for (size_t k = 0; k < 1 + p->n_regions; k++) {
        if (strcmp(p->feat_names[k], column) == 0) {
            *inputs = lin_region;
            *n = 1;
            return CIP_OK;
        }
    }
    for (size_t k = 0; k < p->n_inputs; k++) {
        if (strcmp(p->input_names[k], column) == 0) {
            *inputs = (const char *const *)&p->input_names[k];
            *n = 1;
            return CIP_OK;
        }
    }
    return CIP_ERR_NOT_FOUND;
}

/* --- accessors ----------------------------------------------------------------------- */

void cip_featpipe_get_info(const cip_featpipe *p, cip_featpipe_info *out)
{
    memset(out, 0, sizeof *out);
    if (p == NULL || p->magic != FEAT_MAGIC)
        return;
    out->n_fit_rows = p->n_fit;
    out->purchase_min = p->mm_min[FEAT_P];
    out->purchase_max = p->mm_max[FEAT_P];
    out->frequency_min = p->mm_min[FEAT_F];
    out->frequency_max = p->mm_max[FEAT_F];
    out->loyalty_min = p->mm_min[FEAT_L];
    out->loyalty_max = p->mm_max[FEAT_L];
    out->q_purchase = p->q_flag[FEAT_P];
    out->q_loyalty = p->q_flag[FEAT_L];
    out->q_frequency = p->q_flag[FEAT_F];
    out->n_frequency_edges = p->cfg.n_freq + 1;
    out->frequency_edges = p->freq_edges;
    out->growth_min = p->g_min;
    out->growth_max = p->g_max;
    out->churn_threshold = p->churn_thr;
    out->n_regions = p->n_regions;
    out->regions = (const char *const *)p->regions;
}

void cip_featpipe_get_params(const cip_featpipe *p, cip_featpipe_params *out)
{
    if (p == NULL || p->magic != FEAT_MAGIC) {
        cip_featpipe_params_default(out);
        return;
    }
    cipi_feat_cfg_view(&p->cfg, out);
}
