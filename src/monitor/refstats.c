/* refstats.c - reference statistics of a training table: quantile sketches, histograms,
 * category frequencies, missing rates, predictions and held-out metrics
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cip/stats.h"
#include "monitor_int.h"

cip_refstats *cipi_mon_refstats_new(cip_ctx *ctx)
{
    cip_refstats *rs = cipi_calloc(ctx, 1, sizeof *rs);
    if (rs == NULL)
        return NULL;
    rs->a = cipi_ctx_alloc(ctx);
    rs->label_threshold = MON_NAN;
    return rs;
}

void cipi_mon_col_release(const struct cipi_alloc *a, struct mon_col *c)
{
    cipi_afree(a, c->name);
    for (size_t k = 0; c->cat.level != NULL && k < c->cat.k; k++)
        cipi_afree(a, c->cat.level[k]);
    cipi_afree(a, c->cat.level);
    cipi_afree(a, c->cat.freq);
    memset(c, 0, sizeof *c);
}

void cip_refstats_free(cip_refstats *rs)
{
    if (rs == NULL)
        return;
    const struct cipi_alloc a = rs->a;
    for (size_t j = 0; rs->cols != NULL && j < rs->n_cols; j++)
        cipi_mon_col_release(&a, &rs->cols[j]);
    cipi_afree(&a, rs->cols);
    cipi_mon_col_release(&a, &rs->pred);
    for (size_t k = 0; rs->metric_name != NULL && k < rs->n_metrics; k++)
        cipi_afree(&a, rs->metric_name[k]);
    cipi_afree(&a, rs->metric_name);
    cipi_afree(&a, rs->metric_value);
    cipi_afree(&a, rs->task);
    cipi_afree(&a, rs->target);
    cipi_afree(&a, rs->label_column);
    cipi_afree(&a, rs);
}

cip_status cipi_mon_set_str(cip_ctx *ctx, const struct cipi_alloc *a, char **dst, const char *s)
{
    char *c = NULL;
    if (s != NULL && (c = cipi_strdup(ctx, s)) == NULL)
        return CIP_ERR_NOMEM;
    cipi_afree(a, *dst);
    *dst = c;
    return CIP_OK;
}

/* Smallest index k with g[k] >= x in g[0..n) (n when none). */
static size_t lower_bound(const double *g, size_t n, double x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (g[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Number of sorted values <= x. */
static size_t count_le(const double *s, size_t n, double x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s[mid] <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void cipi_mon_col_derive(struct mon_col *c)
{
    struct mon_num *r = &c->num;
    r->ng = 0;
    r->n_edges = 0;
    if (c->categorical || c->n == 0)
        return;
    for (size_t k = 0; k < MON_NQ; k++) {
        if (r->ng > 0 && r->q[k] <= r->g[r->ng - 1]) {
            r->gcdf[r->ng - 1] = r->cdf[k]; /* same value: same CDF */
            continue;
        }
        r->g[r->ng] = r->q[k];
        r->gcdf[r->ng] = r->cdf[k];
        r->ng++;
    }
    for (size_t d = 1; d < MON_NPSI; d++) {
        double e = r->q[d * (MON_NQ - 1) / MON_NPSI];
        size_t gi = lower_bound(r->g, r->ng, e);
        if (gi >= r->ng - 1) /* the maximum closes the last bin anyway */
            continue;
        if (r->n_edges > 0 && r->edge_idx[r->n_edges - 1] == gi)
            continue;
        r->edge_idx[r->n_edges++] = gi;
    }
}

static cip_status num_compute(cip_ctx *ctx, const cip_frame *f, size_t j, struct mon_col *c)
{
    size_t n = cip_frame_n_rows(f), m = 0;
    double *v = cipi_mallocarray(ctx, n ? n : 1, sizeof *v);
    if (v == NULL)
        return CIP_ERR_NOMEM;
    cip_frame_get_col(f, j, v);
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i]))
            v[m++] = v[i];
    c->n = m;
    c->n_missing = n - m;
    struct mon_num *r = &c->num;
    r->integer = cip_frame_col_type(f, j) == CIP_TYPE_INT;
    if (m == 0) {
        for (size_t k = 0; k < MON_NQ; k++)
            r->q[k] = r->cdf[k] = MON_NAN;
        r->mean = r->std = r->min = r->max = MON_NAN;
        cipi_free(ctx, v);
        return CIP_OK;
    }
    double lv[MON_NQ];
    for (size_t k = 0; k < MON_NQ; k++)
        lv[k] = (double)k / (MON_NQ - 1);
    cip_status rc = cip_stats_quantiles_inplace(ctx, v, m, lv, MON_NQ, r->q);
    if (rc != CIP_OK) {
        cipi_free(ctx, v);
        return rc;
    }
    for (size_t k = 0; k < MON_NQ; k++)
        r->cdf[k] = (double)count_le(v, m, r->q[k]) / (double)m;
    r->min = v[0];
    r->max = v[m - 1];
    r->mean = cip_stats_sum(v, m) / (double)m;
    double ss = 0;
    for (size_t i = 0; i < m; i++)
        ss += (v[i] - r->mean) * (v[i] - r->mean);
    r->std = m > 1 ? sqrt(ss / (double)(m - 1)) : 0;
    double w = (r->max - r->min) / MON_NHIST;
    for (size_t i = 0; i < m; i++) {
        size_t b = w > 0 ? (size_t)((v[i] - r->min) / w) : 0;
        r->hist[b >= MON_NHIST ? MON_NHIST - 1 : b]++;
    }
    cipi_free(ctx, v);
    cipi_mon_col_derive(c);
    return CIP_OK;
}

struct lvl {
    uint64_t count;
    size_t code;
};

static int lvl_cmp(const void *pa, const void *pb)
{
    const struct lvl *a = pa, *b = pb;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return a->code < b->code ? -1 : a->code > b->code;
}

static cip_status cat_compute(cip_ctx *ctx, const cip_frame *f, size_t j, struct mon_col *c)
{
    size_t n = cip_frame_n_rows(f);
    int is_bool = cip_frame_col_type(f, j) == CIP_TYPE_BOOL;
    size_t nl = is_bool ? 2 : cip_frame_n_levels(f, j);
    const uint32_t *codes = is_bool ? NULL : cip_frame_codes(f, j);
    const uint8_t *bv = is_bool ? cip_frame_bool(f, j) : NULL;
    struct lvl *l = cipi_calloc(ctx, nl ? nl : 1, sizeof *l);
    cip_status rc = CIP_ERR_NOMEM;
    if (l == NULL)
        return rc;
    for (size_t k = 0; k < nl; k++)
        l[k].code = k;
    for (size_t i = 0; i < n; i++) {
        if (cip_frame_is_missing(f, j, i)) {
            c->n_missing++;
            continue;
        }
        size_t code = is_bool ? bv[i] != 0 : codes[i];
        if (code < nl)
            l[code].count++;
        c->n++;
    }
    qsort(l, nl, sizeof *l, lvl_cmp);
    size_t keep = 0;
    while (keep < nl && keep < CIP_REFSTATS_MAX_LEVELS && l[keep].count > 0)
        keep++;
    uint64_t other = 0;
    for (size_t k = keep; k < nl; k++)
        other += l[k].count;
    struct mon_cat *r = &c->cat;
    r->has_other = other > 0;
    r->k = keep + (other > 0);
    r->level = cipi_calloc(ctx, r->k ? r->k : 1, sizeof *r->level);
    r->freq = cipi_calloc(ctx, r->k ? r->k : 1, sizeof *r->freq);
    if (r->level == NULL || r->freq == NULL)
        goto done;
    for (size_t k = 0; k < r->k; k++) {
        const char *name = k == keep ? MON_OTHER
                           : is_bool ? (l[k].code ? "true" : "false")
                                     : cip_frame_level(f, j, (uint32_t)l[k].code);
        if ((r->level[k] = cipi_strdup(ctx, name)) == NULL)
            goto done;
        uint64_t cnt = k == keep ? other : l[k].count;
        r->freq[k] = c->n > 0 ? (double)cnt / (double)c->n : 0;
    }
    rc = CIP_OK;
done:
    cipi_free(ctx, l);
    return rc;
}

cip_status cipi_mon_col_compute(cip_ctx *ctx, const cip_frame *f, size_t j, struct mon_col *c)
{
    memset(c, 0, sizeof *c);
    cip_type t = cip_frame_col_type(f, j);
    c->categorical = t == CIP_TYPE_CAT || t == CIP_TYPE_BOOL;
    if ((c->name = cipi_strdup(ctx, cip_frame_col_name(f, j))) == NULL)
        return CIP_ERR_NOMEM;
    return c->categorical ? cat_compute(ctx, f, j, c) : num_compute(ctx, f, j, c);
}

static int is_id(const char *name)
{
    return strcmp(name, "id") == 0 || strcmp(name, "user_id") == 0 ||
           strcmp(name, "customer_id") == 0;
}

cip_status cip_refstats_compute(cip_ctx *ctx, const cip_frame *data, cip_refstats **out)
{
    *out = NULL;
    size_t n = cip_frame_n_rows(data), nc = cip_frame_n_cols(data);
    if (n == 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "reference statistics need at least one row");
    cip_refstats *rs = cipi_mon_refstats_new(ctx);
    if (rs == NULL)
        return CIP_ERR_NOMEM;
    cip_status rc = CIP_ERR_NOMEM;
    rs->n_rows = n;
    size_t *map = cipi_calloc(ctx, nc ? nc : 1, sizeof *map);
    rs->cols = cipi_calloc(ctx, nc ? nc : 1, sizeof *rs->cols);
    if (map == NULL || rs->cols == NULL)
        goto done;
    for (size_t j = 0; j < nc; j++)
        if (!is_id(cip_frame_col_name(data, j)))
            map[rs->n_cols++] = j;
    rc = CIP_OK;
    for (size_t k = 0; k < rs->n_cols && rc == CIP_OK; k++) {
        rc = cipi_mon_col_compute(ctx, data, map[k], &rs->cols[k]);
        cipi_progress(ctx, "reference", k + 1, rs->n_cols);
    }
done:
    cipi_free(ctx, map);
    if (rc != CIP_OK)
        cip_refstats_free(rs);
    else
        *out = rs;
    return rc;
}

cip_status cipi_mon_pred_frame(cip_ctx *ctx, const char *name, const double *pred, size_t n,
                               int categorical, cip_frame **out)
{
    cip_frame *f = NULL;
    cip_status rc = cip_frame_new(ctx, n, &f);
    if (rc != CIP_OK)
        return rc;
    size_t nb = (n + 7) / 8;
    uint8_t *miss = cipi_calloc(ctx, nb ? nb : 1, 1);
    uint32_t *codes = categorical ? cipi_calloc(ctx, n ? n : 1, sizeof *codes) : NULL;
    char **labels = NULL;
    uint32_t kmax = 0;
    int any = 0;
    if (miss == NULL || (categorical && codes == NULL)) {
        rc = CIP_ERR_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        int bad = categorical ? !(pred[i] >= 0 && pred[i] < 65536) : isnan(pred[i]);
        if (bad) {
            miss[i / 8] |= (uint8_t)(1u << (i % 8));
            any = 1;
        } else if (categorical) {
            codes[i] = (uint32_t)pred[i];
            kmax = codes[i] + 1 > kmax ? codes[i] + 1 : kmax;
        }
    }
    if (!categorical) {
        rc = cip_frame_add_f64(ctx, f, name, pred, any ? miss : NULL);
        goto done;
    }
    labels = cipi_calloc(ctx, kmax ? kmax : 1, sizeof *labels);
    rc = labels == NULL ? CIP_ERR_NOMEM : CIP_OK;
    for (uint32_t k = 0; rc == CIP_OK && k < kmax; k++) {
        char buf[16];
        snprintf(buf, sizeof buf, "%u", (unsigned)k);
        if ((labels[k] = cipi_strdup(ctx, buf)) == NULL)
            rc = CIP_ERR_NOMEM;
    }
    if (rc == CIP_OK)
        rc = cip_frame_add_cat(ctx, f, name, codes, (const char *const *)labels, kmax,
                               any ? miss : NULL);
done:
    for (uint32_t k = 0; labels != NULL && k < kmax; k++)
        cipi_free(ctx, labels[k]);
    cipi_free(ctx, labels);
    cipi_free(ctx, codes);
    cipi_free(ctx, miss);
    if (rc != CIP_OK)
        cip_frame_free(f);
    else
        *out = f;
    return rc;
}

cip_status cip_refstats_set_predictions(cip_ctx *ctx, cip_refstats *rs, const char *name,
                                        const double *pred, size_t n, int categorical)
{
    cip_frame *f = NULL;
    struct mon_col c;
    memset(&c, 0, sizeof c);
    cip_status rc = cipi_mon_pred_frame(ctx, name, pred, n, categorical, &f);
    if (rc == CIP_OK)
        rc = cipi_mon_col_compute(ctx, f, 0, &c);
    cip_frame_free(f);
    if (rc != CIP_OK) {
        cipi_mon_col_release(&rs->a, &c);
        return rc;
    }
    cipi_mon_col_release(&rs->a, &rs->pred);
    rs->pred = c;
    rs->has_pred = 1;
    return CIP_OK;
}

cip_status cip_refstats_set_metric(cip_ctx *ctx, cip_refstats *rs, const char *name, double value)
{
    for (size_t k = 0; k < rs->n_metrics; k++)
        if (strcmp(rs->metric_name[k], name) == 0) {
            rs->metric_value[k] = value;
            return CIP_OK;
        }
    char **nn = cipi_realloc(ctx, rs->metric_name, (rs->n_metrics + 1) * sizeof *nn);
    if (nn == NULL)
        return CIP_ERR_NOMEM;
    rs->metric_name = nn;
    double *nv = cipi_realloc(ctx, rs->metric_value, (rs->n_metrics + 1) * sizeof *nv);
    if (nv == NULL)
        return CIP_ERR_NOMEM;
    rs->metric_value = nv;
    if ((nn[rs->n_metrics] = cipi_strdup(ctx, name)) == NULL)
        return CIP_ERR_NOMEM;
    nv[rs->n_metrics++] = value;
    return CIP_OK;
}

cip_status cip_refstats_set_model(cip_ctx *ctx, cip_refstats *rs, const char *task,
                                  const char *target, const char *label_column,
                                  double label_threshold)
{
    cip_status rc = cipi_mon_set_str(ctx, &rs->a, &rs->task, task);
    if (rc == CIP_OK)
        rc = cipi_mon_set_str(ctx, &rs->a, &rs->target, target);
    if (rc == CIP_OK)
        rc = cipi_mon_set_str(ctx, &rs->a, &rs->label_column, label_column);
    if (rc == CIP_OK)
        rs->label_threshold = label_threshold;
    return rc;
}

size_t cip_refstats_n_rows(const cip_refstats *rs)
{
    return (size_t)rs->n_rows;
}

size_t cip_refstats_n_columns(const cip_refstats *rs)
{
    return rs->n_cols;
}

const char *cip_refstats_column_name(const cip_refstats *rs, size_t j)
{
    return j < rs->n_cols ? rs->cols[j].name : NULL;
}

int cip_refstats_column_is_categorical(const cip_refstats *rs, size_t j)
{
    return j < rs->n_cols ? rs->cols[j].categorical : 0;
}

double cip_refstats_metric(const cip_refstats *rs, const char *name)
{
    for (size_t k = 0; k < rs->n_metrics; k++)
        if (strcmp(rs->metric_name[k], name) == 0)
            return rs->metric_value[k];
    return MON_NAN;
}
