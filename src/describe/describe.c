/* describe.c - per-column summary statistics (pandas DataFrame.describe)
 *
 * Numeric columns are gathered (missing and NaN dropped) into a per-thread
 * scratch array of doubles; the sum and the squared deviations use numpy's
 * pairwise order (cip_stats_sum), as pandas does, so mean and std match it
 * to the last bits; quantiles use counting (integers with a small range),
 * bucketing plus selection (floats) or quickselect (select.c), never a sort.
 * Categorical and bool columns get level counts and the top-k levels.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "cip/stats.h"
#include "describe_int.h"

struct cip_summary {
    struct cipi_alloc a;   /* allocator of everything below */
    size_t n_rows, n_cols; /* shape of the described frame */
    cip_col_summary *cols; /* [n_cols]; strings and arrays owned */
};

void cip_describe_opts_default(cip_describe_opts *o)
{
    o->top_k = 5;
}

size_t cip_summary_n_rows(const cip_summary *s)
{
    return s->n_rows;
}

size_t cip_summary_n_cols(const cip_summary *s)
{
    return s->n_cols;
}

const cip_col_summary *cip_summary_col(const cip_summary *s, size_t j)
{
    return j < s->n_cols ? &s->cols[j] : NULL;
}

void cip_summary_free(cip_summary *s)
{
    if (s == NULL)
        return;
    for (size_t j = 0; s->cols != NULL && j < s->n_cols; j++) {
        cip_col_summary *c = &s->cols[j];
        cipi_afree(&s->a, (void *)c->name);
        for (size_t k = 0; k < c->n_top; k++)
            cipi_afree(&s->a, (void *)c->top_labels[k]);
        cipi_afree(&s->a, (void *)c->top_labels);
        cipi_afree(&s->a, (void *)c->top_counts);
    }
    cipi_afree(&s->a, s->cols);
    struct cipi_alloc a = s->a;
    cipi_afree(&a, s);
}

/* Non-missing, non-NaN values of column j into x; returns how many; also
 * the min and max. */
static size_t gather(const cip_frame *f, size_t j, double *x, double *mn, double *mx)
{
    size_t n = cip_frame_n_rows(f), m = 0;
    const uint8_t *miss = cip_frame_missing(f, j);
    const int64_t *iv = cip_frame_i64(f, j);
    const double *dv = cip_frame_f64(f, j);
    const uint8_t *bv = cip_frame_bool(f, j);
    for (size_t i = 0; i < n; i++) {
        if (miss != NULL && ((miss[i >> 3] >> (i & 7)) & 1u))
            continue;
        double v = iv != NULL ? (double)iv[i] : dv != NULL ? dv[i] : (double)bv[i];
        if (isnan(v))
            continue;
        x[m++] = v;
    }
    double lo = HUGE_VAL, hi = -HUGE_VAL;
    for (size_t i = 0; i < m; i++) {
        lo = x[i] < lo ? x[i] : lo;
        hi = x[i] > hi ? x[i] : hi;
    }
    *mn = lo;
    *mx = hi;
    return m;
}

struct sqdev {
    const double *x; /* values */
    double mean;     /* their mean */
};

static void sqdev_terms(const void *arg, size_t lo, size_t cnt, double *dst)
{
    const struct sqdev *s = arg;
    for (size_t i = 0; i < cnt; i++) {
        double d = s->mean - s->x[lo + i];
        dst[i] = d * d;
    }
}

static void numeric_stats(const cip_frame *f, size_t j, double *x, uint32_t *hist,
                          cip_col_summary *c)
{
    double mn, mx;
    size_t m = gather(f, j, x, &mn, &mx);
    c->count = m;
    c->n_missing = cip_frame_n_rows(f) - m;
    if (m == 0)
        return;
    c->mean = cip_stats_sum(x, m) / (double)m;
    if (m >= 2) {
        struct sqdev s = {x, c->mean};
        c->std = sqrt(cip_stats_sum_terms(m, sqdev_terms, &s) / (double)(m - 1));
    }
    c->min = mn;
    c->max = mx;
    static const double q[3] = {0.25, 0.5, 0.75};
    double out[3];
    /* Integer columns with a small range: counting beats selection. */
    if (cip_frame_col_type(f, j) != CIP_TYPE_FLOAT && mx - mn < (double)CIPI_DESCRIBE_HIST &&
        m < UINT32_MAX)
        cipi_describe_quantiles_hist(x, m, mn, hist, (size_t)(mx - mn) + 1, q, 3, out);
    else if (!cipi_describe_quantiles_band(x, m, mn, mx, hist, CIPI_DESCRIBE_HIST, q, 3, out))
        cipi_describe_quantiles(x, m, q, 3, out);
    c->q25 = out[0];
    c->median = out[1];
    c->q75 = out[2];
}

/* Level counts of a categorical or bool column and its top-k levels. */
static cip_status level_stats(cip_ctx *ctx, const cip_summary *s, const cip_frame *f, size_t j,
                              size_t top_k, cip_col_summary *c)
{
    cip_type t = cip_frame_col_type(f, j);
    size_t n = cip_frame_n_rows(f);
    size_t n_lv = t == CIP_TYPE_BOOL ? 2 : cip_frame_n_levels(f, j);
    size_t *cnt = cipi_calloc(ctx, n_lv ? n_lv : 1, sizeof *cnt);
    if (cnt == NULL)
        return CIP_ERR_NOMEM;
    const uint8_t *miss = cip_frame_missing(f, j);
    const uint32_t *codes = cip_frame_codes(f, j);
    const uint8_t *bv = cip_frame_bool(f, j);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (miss != NULL && ((miss[i >> 3] >> (i & 7)) & 1u))
            continue;
        size_t code = codes != NULL ? codes[i] : bv[i];
        if (code < n_lv) {
            cnt[code]++;
            m++;
        }
    }
    if (t == CIP_TYPE_CAT) {
        c->count = m;
        c->n_missing = n - m;
    }
    for (size_t k = 0; k < n_lv; k++)
        c->n_distinct += cnt[k] > 0;
    size_t want = top_k < c->n_distinct ? top_k : c->n_distinct;
    cip_status rc = CIP_OK;
    const char **labels = cipi_calloc(ctx, want ? want : 1, sizeof *labels);
    size_t *counts = cipi_calloc(ctx, want ? want : 1, sizeof *counts);
    c->top_labels = labels;
    c->top_counts = counts;
    if (labels == NULL || counts == NULL) {
        rc = CIP_ERR_NOMEM;
        goto done;
    }
    for (size_t k = 0; k < want; k++) {
        size_t best = 0;
        for (size_t l = 1; l < n_lv; l++) /* strict > keeps the earlier level on ties */
            if (cnt[l] > cnt[best])
                best = l;
        const char *lab =
            t == CIP_TYPE_BOOL ? (best ? "True" : "False") : cip_frame_level(f, j, (uint32_t)best);
        labels[k] = cipi_strdup(ctx, lab);
        if (labels[k] == NULL) {
            rc = CIP_ERR_NOMEM;
            goto done;
        }
        counts[k] = cnt[best];
        c->n_top = k + 1;
        cnt[best] = 0;
    }
done:
    (void)s;
    cipi_free(ctx, cnt);
    return rc;
}

static void init_col(cip_col_summary *c)
{
    memset(c, 0, sizeof *c);
    c->mean = c->std = c->min = c->q25 = c->median = c->q75 = c->max = (double)NAN;
}

/* Numeric statistics of all int/float/bool columns, parallel over columns. */
static cip_status numeric_all(cip_ctx *ctx, const cip_frame *f, cip_summary *s)
{
    size_t n_num = 0, n = cip_frame_n_rows(f);
    for (size_t j = 0; j < s->n_cols; j++)
        n_num += cip_frame_col_type(f, j) != CIP_TYPE_CAT;
    if (n_num == 0)
        return CIP_OK;
    int nt = cipi_threads_for(ctx, n_num);
    size_t per = n ? n : 1, total;
    if (!cipi_mul_ok(per, (size_t)nt, &total))
        return cipi_nomem(ctx);
    double *scratch = cipi_mallocarray(ctx, total, sizeof *scratch);
    uint32_t *hist = cipi_mallocarray(ctx, (size_t)nt * CIPI_DESCRIBE_HIST, sizeof *hist);
    if (scratch == NULL || hist == NULL) {
        cipi_free(ctx, scratch);
        cipi_free(ctx, hist);
        return CIP_ERR_NOMEM;
    }
    size_t nc = s->n_cols;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1)
#endif
    for (size_t j = 0; j < nc; j++) {
        if (cip_frame_col_type(f, j) == CIP_TYPE_CAT)
            continue;
        size_t tid = 0;
#ifdef _OPENMP
        tid = (size_t)omp_get_thread_num();
#endif
        numeric_stats(f, j, scratch + tid * per, hist + tid * CIPI_DESCRIBE_HIST, &s->cols[j]);
    }
    cipi_free(ctx, scratch);
    cipi_free(ctx, hist);
    return CIP_OK;
}

cip_status cip_frame_describe(cip_ctx *ctx, const cip_frame *f, const cip_describe_opts *opts,
                              cip_summary **out)
{
    if (out == NULL)
        return CIP_ERR_MISUSE;
    *out = NULL;
    if (ctx == NULL || f == NULL)
        return CIP_ERR_MISUSE;
    cip_describe_opts o;
    cip_describe_opts_default(&o);
    if (opts != NULL)
        o = *opts;
    cip_summary *s = cipi_calloc(ctx, 1, sizeof *s);
    if (s == NULL)
        return CIP_ERR_NOMEM;
    s->a = cipi_ctx_alloc(ctx);
    s->n_rows = cip_frame_n_rows(f);
    size_t nc = cip_frame_n_cols(f);
    cip_status rc = CIP_OK;
    s->cols = cipi_calloc(ctx, nc ? nc : 1, sizeof *s->cols);
    if (s->cols == NULL) {
        rc = CIP_ERR_NOMEM;
        goto done;
    }
    s->n_cols = nc;
    for (size_t j = 0; j < nc; j++) {
        cip_col_summary *c = &s->cols[j];
        init_col(c);
        c->type = cip_frame_col_type(f, j);
        c->name = cipi_strdup(ctx, cip_frame_col_name(f, j));
        if (c->name == NULL) {
            rc = CIP_ERR_NOMEM;
            goto done;
        }
    }
    rc = numeric_all(ctx, f, s);
    for (size_t j = 0; j < nc && rc == CIP_OK; j++) {
        cip_type t = s->cols[j].type;
        if (t == CIP_TYPE_CAT || t == CIP_TYPE_BOOL)
            rc = level_stats(ctx, s, f, j, o.top_k, &s->cols[j]);
    }
done:
    if (rc != CIP_OK) {
        cip_summary_free(s);
        return rc;
    }
    *out = s;
    return CIP_OK;
}
