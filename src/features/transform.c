/* transform.c - cip_featpipe_transform and the churn label
 *
 * Applies a fitted pipeline to any rows. Nothing here reads or changes the
 * fitted state beyond looking it up, so a pipeline can serve many callers at
 * once. Columns are appended in the reference order (docs/FEATURES.md).
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "features_int.h"

enum { RAW_AGE, RAW_INCOME, RAW_PURCHASE, RAW_LOYALTY, RAW_FREQ, RAW_REGION, RAW_N };
static const char *const raw_names[RAW_N] = {
    "age", "annual_income", "purchase_amount", "loyalty_score", "purchase_frequency", "region"};

/* Locate the required columns; one message names every absent one. */
static cip_status raw_locate(cip_ctx *ctx, const cip_frame *raw, size_t *idx)
{
    char list[256] = "";
    size_t used = 0, n_absent = 0;
    for (int c = 0; c < RAW_N; c++) {
        if (cip_frame_find(NULL, raw, raw_names[c], &idx[c]) == CIP_OK)
            continue;
        int w =
            snprintf(list + used, sizeof list - used, "%s'%s'", n_absent ? ", " : "", raw_names[c]);
        if (w > 0 && (size_t)w < sizeof list - used)
            used += (size_t)w;
        n_absent++;
    }
    if (n_absent > 0)
        return cipi_fail(ctx, CIP_ERR_SCHEMA, "missing required column%s %s",
                         n_absent > 1 ? "s" : "", list);
    for (int c = 0; c < RAW_N; c++) {
        cip_type t = cip_frame_col_type(raw, idx[c]);
        bool ok = c == RAW_REGION ? t == CIP_TYPE_CAT : (t == CIP_TYPE_INT || t == CIP_TYPE_FLOAT);
        if (!ok)
            return cipi_fail(ctx, CIP_ERR_SCHEMA, "column '%s' must be %s, not %s", raw_names[c],
                             c == RAW_REGION ? "a category (text) column"
                                             : "numeric (int or float)",
                             cip_type_name(t));
        if (cip_frame_n_missing(raw, idx[c]) > 0) {
            size_t i = 0;
            while (!cip_frame_is_missing(raw, idx[c], i))
                i++;
            return cipi_fail(ctx, CIP_ERR_INVALID,
                             "column '%s' has a missing value at data row %zu", raw_names[c],
                             i + 1);
        }
    }
    return CIP_OK;
}

cip_status cipi_feat_raw_get(cip_ctx *ctx, const cip_frame *raw, struct feat_raw *r)
{
    memset(r, 0, sizeof *r);
    size_t idx[RAW_N], n = cip_frame_n_rows(raw), n5;
    cip_status rc = raw_locate(ctx, raw, idx);
    if (rc != CIP_OK)
        return rc;
    if (!cipi_mul_ok(n ? n : 1, 5, &n5))
        return cipi_nomem(ctx);
    double *block = cipi_mallocarray(ctx, n5, sizeof *block);
    r->region = cipi_mallocarray(ctx, n ? n : 1, sizeof *r->region);
    r->age = block;
    if (block == NULL || r->region == NULL) {
        cipi_feat_raw_release(ctx, r);
        return CIP_ERR_NOMEM;
    }
    r->n = n;
    double *cols[5];
    for (int c = 0; c < 5; c++) {
        cols[c] = block + (size_t)c * n;
        cip_frame_get_col(raw, idx[c], cols[c]);
        for (size_t i = 0; i < n; i++) {
            if (!isfinite(cols[c][i])) {
                cipi_feat_raw_release(ctx, r);
                return cipi_fail(ctx, CIP_ERR_INVALID,
                                 "column '%s' has a non-finite value at data row %zu", raw_names[c],
                                 i + 1);
            }
        }
    }
    r->income = cols[RAW_INCOME];
    r->purchase = cols[RAW_PURCHASE];
    r->loyalty = cols[RAW_LOYALTY];
    r->freq = cols[RAW_FREQ];
    const uint32_t *codes = cip_frame_codes(raw, idx[RAW_REGION]);
    for (size_t i = 0; i < n; i++)
        r->region[i] = cip_frame_level(raw, idx[RAW_REGION], codes[i]);
    return CIP_OK;
}

void cipi_feat_raw_release(cip_ctx *ctx, struct feat_raw *r)
{
    cipi_free(ctx, r->age);
    cipi_free(ctx, (void *)r->region);
    memset(r, 0, sizeof *r);
}

const char *cipi_feat_group_region(const struct feat_cfg *c, const char *region)
{
    for (size_t k = 0; k < c->n_region_map; k++)
        if (strcmp(c->region_from[k], region) == 0)
            return c->region_to[k];
    return region;
}

static double scaled(const cip_featpipe *p, int c, double x)
{
    return cipi_feat_minmax(x, p->mm_min[c], p->mm_max[c], 0.0, 1.0);
}

double cipi_feat_churn_score(const cip_featpipe *p, double loyalty, double freq)
{
    double l = scaled(p, FEAT_L, loyalty), f = scaled(p, FEAT_F, freq);
    return p->cfg.churn_w[0] * (1.0 - l) + p->cfg.churn_w[1] * (1.0 - f);
}

/* --- per-column builders ------------------------------------------------------------ */

/* Scratch shared by the builders (each array has n entries unless noted). */
struct tx {
    size_t n;
    double *d;
    double *d2;
    int64_t *i64;
    uint8_t *b;
    uint8_t *flags; /* 3n: is_high_value, is_loyal, is_frequent */
    uint32_t *codes;
    uint8_t *bm;
    const char **labels;
};

static void bm_set(uint8_t *bm, size_t i)
{
    bm[i >> 3] = (uint8_t)(bm[i >> 3] | (1u << (i & 7)));
}

static long region_index(const cip_featpipe *p, const char *label)
{
    size_t lo = 0, hi = p->n_regions;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(p->regions[mid], label);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static cip_status add_region(cip_ctx *ctx, const cip_featpipe *p, const struct feat_raw *r,
                             struct tx *t, cip_frame *out)
{
    for (size_t i = 0; i < r->n; i++) {
        t->labels[i] = cipi_feat_group_region(&p->cfg, r->region[i]);
        long k = region_index(p, t->labels[i]);
        if (k < 0 && !p->cfg.allow_unknown_region)
            return cipi_fail(ctx, CIP_ERR_SCHEMA,
                             "region '%s' at data row %zu was not seen when the pipeline was "
                             "fitted (%zu known regions)",
                             t->labels[i], i + 1, p->n_regions);
        t->codes[i] = k < 0 ? UINT32_MAX : (uint32_t)k;
    }
    cip_status rc = cip_frame_add_strings(ctx, out, "region_grouped", t->labels);
    for (size_t k = 0; rc == CIP_OK && k < p->n_regions; k++) {
        for (size_t i = 0; i < r->n; i++)
            t->b[i] = t->codes[i] == k;
        rc = cip_frame_add_bool(ctx, out, p->feat_names[1 + k], t->b, NULL);
    }
    return rc;
}

static cip_status add_ratios(cip_ctx *ctx, const struct feat_raw *r, struct tx *t, cip_frame *out)
{
    for (size_t i = 0; i < r->n; i++)
        t->d[i] = r->purchase[i] / r->freq[i];
    cip_status rc = cip_frame_add_f64(ctx, out, "spend_per_purchase", t->d, NULL);
    for (size_t i = 0; i < r->n; i++)
        t->d[i] = r->purchase[i] / r->income[i];
    return rc == CIP_OK ? cip_frame_add_f64(ctx, out, "spend_to_income_ratio", t->d, NULL) : rc;
}

static cip_status add_cut(cip_ctx *ctx, const char *name, const struct feat_bins *b,
                          const double *v, struct tx *t, cip_frame *out)
{
    memset(t->bm, 0, (t->n + 7) / 8);
    bool any = false;
    for (size_t i = 0; i < t->n; i++) {
        long k = cipi_feat_cut_left(b, v[i]);
        t->codes[i] = k < 0 ? 0 : (uint32_t)k;
        if (k < 0) {
            bm_set(t->bm, i);
            any = true;
        }
    }
    return cip_frame_add_cat(ctx, out, name, t->codes, (const char *const *)b->labels, b->n,
                             any ? t->bm : NULL);
}

static cip_status add_scores(cip_ctx *ctx, const cip_featpipe *p, const struct feat_raw *r,
                             struct tx *t, cip_frame *out)
{
    const double *w = p->cfg.value_w;
    for (size_t i = 0; i < r->n; i++)
        t->d[i] = w[0] * scaled(p, FEAT_P, r->purchase[i]) + w[1] * scaled(p, FEAT_F, r->freq[i]) +
                  w[2] * scaled(p, FEAT_L, r->loyalty[i]);
    cip_status rc = cip_frame_add_f64(ctx, out, "customer_value_score", t->d, NULL);
    for (size_t i = 0; i < r->n; i++)
        t->d[i] = cipi_feat_churn_score(p, r->loyalty[i], r->freq[i]);
    return rc == CIP_OK ? cip_frame_add_f64(ctx, out, "churn_risk_score", t->d, NULL) : rc;
}

static cip_status add_flags(cip_ctx *ctx, const cip_featpipe *p, const struct feat_raw *r,
                            struct tx *t, cip_frame *out)
{
    size_t n = r->n;
    uint8_t *hv = t->flags, *loyal = t->flags + n, *freq = t->flags + 2 * n;
    for (size_t i = 0; i < n; i++) {
        hv[i] = r->purchase[i] > p->q_flag[FEAT_P];
        loyal[i] = r->loyalty[i] > p->q_flag[FEAT_L];
        freq[i] = r->freq[i] > p->q_flag[FEAT_F];
        t->b[i] = hv[i] && loyal[i] && freq[i];
    }
    cip_status rc = cip_frame_add_bool(ctx, out, "is_high_value", hv, NULL);
    if (rc == CIP_OK)
        rc = cip_frame_add_bool(ctx, out, "is_loyal", loyal, NULL);
    if (rc == CIP_OK)
        rc = cip_frame_add_bool(ctx, out, "is_frequent", freq, NULL);
    return rc == CIP_OK ? cip_frame_add_bool(ctx, out, "is_champion", t->b, NULL) : rc;
}

/* income_percentile, spending_percentile and growth_potential_score. */
static cip_status add_percentiles(cip_ctx *ctx, const cip_featpipe *p, const struct feat_raw *r,
                                  struct tx *t, cip_frame *out)
{
    size_t n = r->n;
    for (size_t i = 0; i < n; i++) {
        t->d[i] = cipi_feat_ecdf_pct(&p->income_ecdf, r->income[i]);
        t->d2[i] = cipi_feat_ecdf_pct(&p->spend_ecdf, r->purchase[i]);
    }
    cip_status rc = cip_frame_add_f64(ctx, out, "income_percentile", t->d, NULL);
    if (rc == CIP_OK)
        rc = cip_frame_add_f64(ctx, out, "spending_percentile", t->d2, NULL);
    double lo = p->cfg.growth_lo, hi = p->cfg.growth_hi;
    for (size_t i = 0; i < n; i++) {
        /* MinMaxScaler(feature_range=(lo, hi)) on the raw difference, then
         * astype(int): truncation toward zero. Unseen rows can fall outside
         * the fitted range; they are clipped first. */
        double g = cipi_feat_minmax(t->d[i] - t->d2[i], p->g_min, p->g_max, lo, hi);
        g = (isnan(g) || g < lo) ? lo : (g > hi ? hi : g);
        t->i64[i] = (int64_t)g;
    }
    return rc == CIP_OK ? cip_frame_add_i64(ctx, out, "growth_potential_score", t->i64, NULL) : rc;
}

/* Percentile of purchase_frequency within the row's age group. */
static cip_status add_age_pct(cip_ctx *ctx, const cip_featpipe *p, const struct feat_raw *r,
                              struct tx *t, cip_frame *out)
{
    memset(t->bm, 0, (t->n + 7) / 8);
    bool any = false;
    for (size_t i = 0; i < r->n; i++) {
        long g = cipi_feat_cut_left(&p->cfg.age, r->age[i]);
        if (g < 0 || p->age_ecdf[g].n == 0) {
            t->d[i] = (double)NAN;
            bm_set(t->bm, i);
            any = true;
            continue;
        }
        t->d[i] = cipi_feat_ecdf_pct(&p->age_ecdf[g], r->freq[i]);
    }
    return cip_frame_add_f64(ctx, out, "age_adjusted_percentile", t->d, any ? t->bm : NULL);
}

static cip_status add_qcut(cip_ctx *ctx, const cip_featpipe *p, const struct feat_raw *r,
                           struct tx *t, cip_frame *out)
{
    for (size_t i = 0; i < r->n; i++)
        t->codes[i] = (uint32_t)cipi_feat_qcut(p->freq_edges, p->cfg.n_freq, r->freq[i]);
    return cip_frame_add_cat(ctx, out, "frequency_percentile", t->codes,
                             (const char *const *)p->cfg.freq_labels, p->cfg.n_freq, NULL);
}

static cip_status add_logs(cip_ctx *ctx, const struct feat_raw *r, struct tx *t, cip_frame *out)
{
    static const char *const names[3] = {"log_purchase_amount", "log_annual_income",
                                         "log_purchase_frequency"};
    const double *src[3] = {r->purchase, r->income, r->freq};
    cip_status rc = CIP_OK;
    for (int c = 0; c < 3 && rc == CIP_OK; c++) {
        for (size_t i = 0; i < r->n; i++)
            t->d[i] = log(src[c][i]);
        rc = cip_frame_add_f64(ctx, out, names[c], t->d, NULL);
    }
    return rc;
}

/* --- transform ---------------------------------------------------------------------- */

static cip_status tx_alloc(cip_ctx *ctx, size_t n, struct tx *t)
{
    memset(t, 0, sizeof *t);
    size_t m = n ? n : 1;
    t->n = n;
    t->d = cipi_mallocarray(ctx, m, sizeof *t->d);
    t->d2 = cipi_mallocarray(ctx, m, sizeof *t->d2);
    t->i64 = cipi_mallocarray(ctx, m, sizeof *t->i64);
    t->b = cipi_mallocarray(ctx, m, 1);
    t->flags = cipi_mallocarray(ctx, m, 3);
    t->codes = cipi_mallocarray(ctx, m, sizeof *t->codes);
    t->bm = cipi_malloc(ctx, (m + 7) / 8);
    t->labels = cipi_mallocarray(ctx, m, sizeof *t->labels);
    bool ok = t->d && t->d2 && t->i64 && t->b && t->flags && t->codes && t->bm && t->labels;
    return ok ? CIP_OK : CIP_ERR_NOMEM;
}

static void tx_release(cip_ctx *ctx, struct tx *t)
{
    cipi_free(ctx, t->d);
    cipi_free(ctx, t->d2);
    cipi_free(ctx, t->i64);
    cipi_free(ctx, t->b);
    cipi_free(ctx, t->flags);
    cipi_free(ctx, t->codes);
    cipi_free(ctx, t->bm);
    cipi_free(ctx, (void *)t->labels);
}

cip_status cipi_feat_check_clash(cip_ctx *ctx, const cip_featpipe *p, const cip_frame *raw)
{
    size_t j;
    for (size_t k = 0; k < p->n_feat; k++)
        if (cip_frame_find(NULL, raw, p->feat_names[k], &j) == CIP_OK)
            return cipi_fail(ctx, CIP_ERR_SCHEMA,
                             "input column '%s' has the name of an engineered column; "
                             "pass the raw columns only",
                             p->feat_names[k]);
    return CIP_OK;
}

/* The passthrough copy of raw (all columns), after a name-clash check. */
static cip_status start_output(cip_ctx *ctx, const cip_featpipe *p, const cip_frame *raw,
                               cip_frame **out)
{
    size_t nc = cip_frame_n_cols(raw);
    cip_status rc = cipi_feat_check_clash(ctx, p, raw);
    if (rc != CIP_OK)
        return rc;
    const char **names = cipi_mallocarray(ctx, nc ? nc : 1, sizeof *names);
    if (names == NULL)
        return CIP_ERR_NOMEM;
    for (size_t j = 0; j < nc; j++)
        names[j] = cip_frame_col_name(raw, j);
    rc = cip_frame_select(ctx, raw, names, nc, out);
    cipi_free(ctx, (void *)names);
    return rc;
}

static cip_status build(cip_ctx *ctx, const cip_featpipe *p, const struct feat_raw *r, struct tx *t,
                        cip_frame *out)
{
    cip_status rc = add_region(ctx, p, r, t, out);
    if (rc == CIP_OK)
        rc = add_ratios(ctx, r, t, out);
    if (rc == CIP_OK)
        rc = add_cut(ctx, "age_group", &p->cfg.age, r->age, t, out);
    if (rc == CIP_OK)
        rc = add_cut(ctx, "income_bracket", &p->cfg.income, r->income, t, out);
    if (rc == CIP_OK)
        rc = add_scores(ctx, p, r, t, out);
    if (rc == CIP_OK)
        rc = add_flags(ctx, p, r, t, out);
    if (rc == CIP_OK)
        rc = add_percentiles(ctx, p, r, t, out);
    if (rc == CIP_OK)
        rc = add_age_pct(ctx, p, r, t, out);
    if (rc == CIP_OK)
        rc = add_qcut(ctx, p, r, t, out);
    if (rc == CIP_OK)
        rc = add_logs(ctx, r, t, out);
    return rc;
}

cip_status cip_featpipe_transform(cip_ctx *ctx, const cip_featpipe *p, const cip_frame *raw,
                                  cip_frame **out)
{
    if (out != NULL)
        *out = NULL;
    if (p == NULL || p->magic != FEAT_MAGIC || raw == NULL || out == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "cip_featpipe_transform: NULL or freed argument");
    struct feat_raw r;
    struct tx t = {0};
    cip_frame *f = NULL;
    cip_status rc = cipi_feat_raw_get(ctx, raw, &r);
    if (rc != CIP_OK)
        return rc;
    rc = tx_alloc(ctx, r.n, &t);
    if (rc == CIP_OK)
        rc = start_output(ctx, p, raw, &f);
    if (rc == CIP_OK)
        rc = build(ctx, p, &r, &t, f);
    if (rc == CIP_OK) {
        *out = f;
        f = NULL;
    }
    cip_frame_free(f);
    tx_release(ctx, &t);
    cipi_feat_raw_release(ctx, &r);
    return rc;
}

/* --- churn label -------------------------------------------------------------------- */

static cip_status numeric_col(cip_ctx *ctx, const cip_frame *f, const char *name, size_t *j)
{
    if (cip_frame_find(NULL, f, name, j) != CIP_OK)
        return cipi_fail(ctx, CIP_ERR_SCHEMA,
                         "churn label needs column '%s' (or "
                         "'churn_risk_score')",
                         name);
    cip_type ty = cip_frame_col_type(f, *j);
    if (ty != CIP_TYPE_INT && ty != CIP_TYPE_FLOAT)
        return cipi_fail(ctx, CIP_ERR_SCHEMA, "column '%s' must be numeric, not %s", name,
                         cip_type_name(ty));
    return CIP_OK;
}

cip_status cip_featpipe_churn_label(cip_ctx *ctx, const cip_featpipe *p, const cip_frame *frame,
                                    uint8_t *out, size_t out_len)
{
    if (p == NULL || p->magic != FEAT_MAGIC || frame == NULL || (out == NULL && out_len > 0))
        return cipi_fail(ctx, CIP_ERR_MISUSE, "cip_featpipe_churn_label: NULL or freed argument");
    size_t n = cip_frame_n_rows(frame), js, jl = 0, jf = 0;
    if (out_len != n)
        return cipi_fail(ctx, CIP_ERR_INVALID, "churn label: out_len %zu != %zu rows", out_len, n);
    bool have_score = cip_frame_find(NULL, frame, "churn_risk_score", &js) == CIP_OK;
    cip_status rc = have_score ? numeric_col(ctx, frame, "churn_risk_score", &js)
                               : numeric_col(ctx, frame, "loyalty_score", &jl);
    if (rc == CIP_OK && !have_score)
        rc = numeric_col(ctx, frame, "purchase_frequency", &jf);
    for (size_t i = 0; rc == CIP_OK && i < n; i++) {
        double s = have_score ? cip_frame_get(frame, js, i)
                              : cipi_feat_churn_score(p, cip_frame_get(frame, jl, i),
                                                      cip_frame_get(frame, jf, i));
        if (isnan(s))
            return cipi_fail(ctx, CIP_ERR_INVALID, "churn label: no score at data row %zu", i + 1);
        out[i] = cipi_feat_round(s, p->cfg.churn_decimals) > p->churn_thr;
    }
    return rc;
}
