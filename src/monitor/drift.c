/* drift.c - compare a current table with reference statistics, column by column
 *
 * Numeric columns are counted over the reference's distinct quantile values g[]
 * (one binary search per row), which gives the current CDF at every g exactly:
 * KS D is the largest CDF gap at those points, PSI uses the reference deciles
 * among them, Wasserstein-1 integrates |F_ref - F_cur| (linear between points,
 * a step function for integer columns, exact sums outside the reference range).
 * Categorical columns are counted per reference level (+ one bucket for levels
 * never seen). Counting runs in parallel over columns; no floating sum depends
 * on the thread count.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "monitor_int.h"

void cip_monitor_params_default(cip_monitor_params *p)
{
    memset(p, 0, sizeof *p);
    p->psi_warn = 0.1;
    p->psi_alert = 0.25;
    p->ks_warn = 0.1;
    p->js_warn = 0.05;
    p->missing_warn = 0.05;
    p->range_warn = 0.05;
    p->max_decay = 0.05;
    p->alpha = 0.05;
    p->bootstrap = 200;
    p->seed = 42;
}

cip_status cip_monitor_params_check(cip_ctx *ctx, const cip_monitor_params *p)
{
    if (!(p->psi_warn > 0) || !(p->psi_alert >= p->psi_warn))
        return cipi_fail(ctx, CIP_ERR_INVALID, "psi thresholds need 0 < psi_warn <= psi_alert");
    if (!(p->ks_warn > 0 && p->ks_warn <= 1))
        return cipi_fail(ctx, CIP_ERR_INVALID, "ks_warn must be in (0, 1]");
    if (!(p->js_warn > 0 && p->js_warn <= 1))
        return cipi_fail(ctx, CIP_ERR_INVALID, "js_warn must be in (0, 1]");
    if (!(p->missing_warn > 0 && p->missing_warn <= 1) ||
        !(p->range_warn > 0 && p->range_warn <= 1))
        return cipi_fail(ctx, CIP_ERR_INVALID, "missing_warn and range_warn must be in (0, 1]");
    if (!(p->max_decay >= 0))
        return cipi_fail(ctx, CIP_ERR_INVALID, "max_decay must be >= 0");
    if (!(p->alpha > 0 && p->alpha < 0.5))
        return cipi_fail(ctx, CIP_ERR_INVALID, "alpha must be in (0, 0.5)");
    if (p->bootstrap > 100000)
        return cipi_fail(ctx, CIP_ERR_INVALID, "bootstrap must be <= 100000");
    return CIP_OK;
}

const char *cip_drift_level_name(cip_drift_level l)
{
    return l == CIP_DRIFT_ALERT ? "alert" : l == CIP_DRIFT_WARNING ? "warning" : "ok";
}

const char *cip_monitor_verdict_name(cip_monitor_verdict v)
{
    return v == CIP_VERDICT_DEGRADED   ? "degraded"
           : v == CIP_VERDICT_DRIFTING ? "drifting"
                                       : "stable";
}

/* Bucket of x: smallest k with g[k] >= x (ng when above every point); branchless (cmov)
 * lower bound, since the comparisons are unpredictable. */
static inline size_t bucket(const double *g, size_t ng, double x)
{
    const double *base = g;
    size_t n = ng;
    while (n > 1) {
        size_t half = n / 2;
        base = base[half - 1] < x ? base + half : base;
        n -= half;
    }
    return (size_t)(base - g) + (*base < x);
}

static inline void num_add(const struct mon_num *r, double x, struct mon_numcount *c)
{
    size_t b = bucket(r->g, r->ng, x);
    c->c[b]++;
    if (x < r->g[0]) {
        c->below++;
        c->s_below += r->g[0] - x;
    } else if (b == r->ng) {
        c->s_above += x - r->g[r->ng - 1];
    }
    c->sum += x;
    c->n++;
}

void cipi_mon_numcount_add(const struct mon_num *r, const cip_frame *f, size_t j, size_t lo,
                           size_t hi, struct mon_numcount *c)
{
    const uint8_t *miss = cip_frame_missing(f, j);
    const int64_t *iv = cip_frame_i64(f, j);
    const double *dv = cip_frame_f64(f, j);
    for (size_t i = lo; i < hi; i++) {
        if (miss != NULL && (miss[i / 8] >> (i % 8) & 1)) {
            c->n_missing++;
            continue;
        }
        double x = iv != NULL ? (double)iv[i] : dv[i];
        if (isnan(x)) {
            c->n_missing++;
            continue;
        }
        num_add(r, x, c);
    }
}

/* Current CDF at g[k] into fc[0..ng). */
static void cur_cdf(const struct mon_num *r, const struct mon_numcount *c, double *fc)
{
    uint64_t cum = 0;
    for (size_t k = 0; k < r->ng; k++) {
        cum += c->c[k];
        fc[k] = c->n > 0 ? (double)cum / (double)c->n : MON_NAN;
    }
}

double cipi_mon_num_psi(const struct mon_num *r, const struct mon_numcount *c)
{
    if (c->n == 0 || r->ng == 0)
        return MON_NAN;
    double fc[MON_NQ], pr[MON_NPSI], pc[MON_NPSI], lr = 0, lc = 0;
    cur_cdf(r, c, fc);
    size_t k = 0;
    for (; k < r->n_edges; k++) {
        size_t gi = r->edge_idx[k];
        pr[k] = r->gcdf[gi] - lr;
        pc[k] = fc[gi] - lc;
        lr = r->gcdf[gi];
        lc = fc[gi];
    }
    pr[k] = 1 - lr;
    pc[k] = 1 - lc;
    return cip_psi(pr, pc, k + 1, MON_EPS);
}

/* Integral of |d| over a width w where d moves linearly from d0 to d1. */
static double abs_lin(double d0, double d1, double w)
{
    if ((d0 >= 0) == (d1 >= 0))
        return w * (fabs(d0) + fabs(d1)) / 2;
    return w * (d0 * d0 + d1 * d1) / (2 * (fabs(d0) + fabs(d1)));
}

static void num_finish(const struct mon_col *ref, const struct mon_numcount *c,
                       cip_drift_feature *d)
{
    const struct mon_num *r = &ref->num;
    d->n_cur = (size_t)c->n;
    d->mean_ref = r->mean;
    d->mean_cur = c->n > 0 ? c->sum / (double)c->n : MON_NAN;
    if (c->n == 0 || r->ng == 0)
        return;
    double fc[MON_NQ], m = (double)c->n;
    cur_cdf(r, c, fc);
    double ks = (double)c->below / m, w1 = (c->s_below + c->s_above) / m;
    for (size_t k = 0; k < r->ng; k++) {
        double gap = fabs(r->gcdf[k] - fc[k]);
        ks = gap > ks ? gap : ks;
        if (k + 1 < r->ng) {
            double w = r->g[k + 1] - r->g[k], d0 = r->gcdf[k] - fc[k];
            double d1 = r->gcdf[k + 1] - fc[k + 1];
            w1 += abs_lin(d0, d1, w);
        }
    }
    d->ks = ks;
    d->ks_pvalue = cip_ks_pvalue(ks, (double)ref->n, m);
    d->wasserstein = w1;
    d->wasserstein_effect = r->std > 0 ? w1 / r->std : (w1 > 0 ? MON_INF : 0);
    d->psi = cipi_mon_num_psi(r, c);
    d->out_of_range = (double)(c->below + c->c[r->ng]) / m;
}

cip_status cipi_mon_cat_map(cip_ctx *ctx, const struct mon_cat *r, const cip_frame *f, size_t j,
                            uint32_t **map_out, size_t *n_map)
{
    int is_bool = cip_frame_col_type(f, j) == CIP_TYPE_BOOL;
    size_t nl = is_bool ? 2 : cip_frame_n_levels(f, j);
    uint32_t *map = cipi_mallocarray(ctx, nl ? nl : 1, sizeof *map);
    if (map == NULL)
        return CIP_ERR_NOMEM;
    size_t other = r->k;
    for (size_t k = 0; k < r->k; k++)
        if (r->has_other && strcmp(r->level[k], MON_OTHER) == 0)
            other = k;
    for (size_t c = 0; c < nl; c++) {
        const char *lab = is_bool ? (c ? "true" : "false") : cip_frame_level(f, j, (uint32_t)c);
        map[c] = (uint32_t)other; /* unseen: pooled "other" or the new-level bucket */
        for (size_t k = 0; k < r->k; k++)
            if (strcmp(r->level[k], lab) == 0) {
                map[c] = (uint32_t)k;
                break;
            }
    }
    *map_out = map;
    *n_map = nl;
    return CIP_OK;
}

/* Per-column work of one comparison. */
struct colwork {
    const struct mon_col *ref;
    size_t j;   /* column of the current frame */
    int absent; /* 1: not in the frame; 2: type changed */
    struct mon_numcount nc;
    uint32_t *map;
    size_t n_map;
    uint64_t *cc; /* categorical counts [ref k + 1] */
    uint64_t c_missing;
};

static cip_status work_prep(cip_ctx *ctx, const struct mon_col *ref, const cip_frame *f,
                            struct colwork *w)
{
    memset(w, 0, sizeof *w);
    w->ref = ref;
    if (f == NULL || cip_frame_find(NULL, f, ref->name, &w->j) != CIP_OK) {
        w->absent = 1;
        return CIP_OK;
    }
    cip_type t = cip_frame_col_type(f, w->j);
    int cat = t == CIP_TYPE_CAT || t == CIP_TYPE_BOOL;
    if (cat != ref->categorical) {
        w->absent = 2;
        return CIP_OK;
    }
    if (!cat)
        return CIP_OK;
    w->cc = cipi_calloc(ctx, ref->cat.k + 1, sizeof *w->cc);
    if (w->cc == NULL)
        return CIP_ERR_NOMEM;
    return cipi_mon_cat_map(ctx, &ref->cat, f, w->j, &w->map, &w->n_map);
}

static void work_release(cip_ctx *ctx, struct colwork *w)
{
    cipi_free(ctx, w->map);
    cipi_free(ctx, w->cc);
}

static void work_count(const cip_frame *f, struct colwork *w)
{
    if (w->absent)
        return;
    size_t n = cip_frame_n_rows(f);
    if (!w->ref->categorical) {
        if (w->ref->num.ng > 0)
            cipi_mon_numcount_add(&w->ref->num, f, w->j, 0, n, &w->nc);
        else
            w->nc.n_missing = cip_frame_n_missing(f, w->j); /* reference all missing */
        return;
    }
    const uint8_t *miss = cip_frame_missing(f, w->j);
    const uint32_t *codes = cip_frame_codes(f, w->j);
    const uint8_t *bv = cip_frame_bool(f, w->j);
    for (size_t i = 0; i < n; i++) {
        if (miss != NULL && (miss[i / 8] >> (i % 8) & 1)) {
            w->c_missing++;
            continue;
        }
        size_t code = codes != NULL ? codes[i] : bv[i] != 0;
        w->cc[code < w->n_map ? w->map[code] : w->ref->cat.k]++;
    }
}

static cip_status cat_finish(cip_ctx *ctx, const struct colwork *w, cip_drift_feature *d)
{
    const struct mon_cat *r = &w->ref->cat;
    size_t k = r->k + 1;
    uint64_t m = 0;
    for (size_t b = 0; b < k; b++)
        m += w->cc[b];
    d->n_cur = (size_t)m;
    if (m == 0)
        return CIP_OK;
    double *pr = cipi_calloc(ctx, 2 * k, sizeof *pr);
    if (pr == NULL)
        return CIP_ERR_NOMEM;
    double *pc = pr + k;
    for (size_t b = 0; b < k; b++) {
        pr[b] = b < r->k ? r->freq[b] : 0;
        pc[b] = (double)w->cc[b] / (double)m;
    }
    size_t kk = w->cc[r->k] > 0 ? k : r->k; /* the new-level bucket only when used */
    d->psi = cip_psi(pr, pc, kk, MON_EPS);
    d->js = cip_js_divergence(pr, pc, kk);
    /* two-sample (2 x K contingency) chi-square: the reference counts are a sample too */
    double chi2 = 0, nr = (double)w->ref->n, nc = (double)m, tot = nr + nc;
    size_t used = 0;
    for (size_t b = 0; b < kk; b++) {
        double orf = pr[b] * nr, ocu = (double)w->cc[b], col = orf + ocu;
        if (col <= 0)
            continue;
        used++;
        double er = col * nr / tot, ec = col * nc / tot;
        chi2 += (orf - er) * (orf - er) / er + (ocu - ec) * (ocu - ec) / ec;
    }
    d->chi2 = chi2;
    d->chi2_df = used > 1 ? used - 1 : 1;
    d->chi2_pvalue = cip_gamma_q((double)d->chi2_df / 2, chi2 / 2);
    d->out_of_range = (double)w->cc[r->k] / (double)m;
    cipi_free(ctx, pr);
    return CIP_OK;
}

void cipi_mon_level(const cip_monitor_params *p, cip_drift_feature *d)
{
    d->level = CIP_DRIFT_OK;
    d->reason[0] = '\0';
    char *s = d->reason;
    size_t sz = sizeof d->reason;
    if (d->absent) {
        d->level = CIP_DRIFT_ALERT;
        snprintf(s, sz, d->absent == 2 ? "type changed" : "column missing");
        return;
    }
    if (d->n_cur == 0) {
        if (d->missing_cur > d->missing_ref + p->missing_warn) {
            d->level = CIP_DRIFT_ALERT;
            snprintf(s, sz, "all values missing");
        }
        return;
    }
    if (d->psi >= p->psi_alert) {
        d->level = CIP_DRIFT_ALERT;
        snprintf(s, sz, "psi %.3f >= %.3g", d->psi, p->psi_alert);
    } else if (d->psi >= p->psi_warn) {
        d->level = CIP_DRIFT_WARNING;
        snprintf(s, sz, "psi %.3f >= %.3g", d->psi, p->psi_warn);
    } else if (!d->categorical && d->ks >= p->ks_warn && d->ks_pvalue < p->alpha) {
        d->level = CIP_DRIFT_WARNING;
        snprintf(s, sz, "ks %.3f >= %.3g", d->ks, p->ks_warn);
    } else if (d->categorical && d->js >= p->js_warn && d->chi2_pvalue < p->alpha) {
        d->level = CIP_DRIFT_WARNING;
        snprintf(s, sz, "js %.3f >= %.3g", d->js, p->js_warn);
    } else if (d->missing_cur - d->missing_ref >= p->missing_warn) {
        d->level = CIP_DRIFT_WARNING;
        snprintf(s, sz, "missing rate +%.3f", d->missing_cur - d->missing_ref);
    } else if (d->out_of_range >= p->range_warn) {
        d->level = CIP_DRIFT_WARNING;
        snprintf(s, sz, "%s %.3f", d->categorical ? "new levels" : "out of range", d->out_of_range);
    }
}

static cip_status work_finish(cip_ctx *ctx, const struct colwork *w, const cip_frame *f,
                              const cip_monitor_params *p, cip_drift_feature *d)
{
    const struct mon_col *ref = w->ref;
    memset(d, 0, sizeof *d);
    d->psi = d->ks = d->ks_pvalue = d->wasserstein = d->wasserstein_effect = MON_NAN;
    d->chi2 = d->chi2_pvalue = d->js = d->missing_cur = d->out_of_range = MON_NAN;
    d->mean_ref = d->mean_cur = MON_NAN;
    if ((d->name = cipi_strdup(ctx, ref->name)) == NULL)
        return CIP_ERR_NOMEM;
    d->categorical = ref->categorical;
    d->absent = w->absent;
    d->n_ref = (size_t)ref->n;
    uint64_t nr = ref->n + ref->n_missing;
    d->missing_ref = nr > 0 ? (double)ref->n_missing / (double)nr : 0;
    cip_status rc = CIP_OK;
    if (!w->absent) {
        size_t rows = cip_frame_n_rows(f);
        uint64_t miss = ref->categorical ? w->c_missing : w->nc.n_missing;
        d->missing_cur = rows > 0 ? (double)miss / (double)rows : 0;
        if (ref->categorical)
            rc = cat_finish(ctx, w, d);
        else
            num_finish(ref, &w->nc, d);
    }
    cipi_mon_level(p, d);
    return rc;
}

/* Drift of columns refs[0..n) against frame f into d[0..n); counting in parallel. */
static cip_status drift_cols(cip_ctx *ctx, const struct mon_col *refs, size_t n, const cip_frame *f,
                             const cip_monitor_params *p, cip_drift_feature *d)
{
    struct colwork *w = cipi_calloc(ctx, n ? n : 1, sizeof *w);
    if (w == NULL)
        return CIP_ERR_NOMEM;
    cip_status rc = CIP_OK;
    size_t prepared = 0;
    for (; prepared < n && rc == CIP_OK; prepared++)
        rc = work_prep(ctx, &refs[prepared], f, &w[prepared]);
    if (rc == CIP_OK) {
        int nt = cipi_threads_for(ctx, n);
        (void)nt;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt)
#endif
        for (size_t k = 0; k < n; k++)
            work_count(f, &w[k]);
        for (size_t k = 0; k < n && rc == CIP_OK; k++)
            rc = work_finish(ctx, &w[k], f, p, &d[k]);
    }
    for (size_t k = 0; k < prepared; k++)
        work_release(ctx, &w[k]);
    cipi_free(ctx, w);
    return rc;
}

struct rep_holder {
    struct cipi_alloc a;
    cip_monitor_report r;
};

void cip_monitor_report_free(cip_monitor_report *r)
{
    if (r == NULL)
        return;
    struct rep_holder *h =
        (struct rep_holder *)(void *)((char *)r - offsetof(struct rep_holder, r));
    const struct cipi_alloc *a = &h->a;
    for (size_t k = 0; r->features != NULL && k < r->n_features; k++)
        cipi_afree(a, r->features[k].name);
    cipi_afree(a, r->features);
    cipi_afree(a, r->prediction.name);
    cipi_afree(a, h);
}

static cip_monitor_report *report_new(cip_ctx *ctx)
{
    struct rep_holder *h = cipi_calloc(ctx, 1, sizeof *h);
    if (h == NULL)
        return NULL;
    h->a = cipi_ctx_alloc(ctx);
    return &h->r;
}

static const char *perf_metric(const cip_refstats *ref, const char **ref_name)
{
    if (ref->task != NULL && strcmp(ref->task, "clv") == 0) {
        *ref_name = "test_r2";
        return "r2";
    }
    if (ref->task != NULL && strcmp(ref->task, "churn") == 0) {
        *ref_name = "roc_auc";
        return "roc_auc";
    }
    return NULL;
}

static cip_status compare_pred(cip_ctx *ctx, const cip_refstats *ref, const double *pred, size_t n,
                               const cip_monitor_params *p, cip_monitor_report *r)
{
    cip_frame *pf = NULL;
    cip_status rc = cipi_mon_pred_frame(ctx, ref->pred.name, pred, n, ref->pred.categorical, &pf);
    if (rc == CIP_OK)
        rc = drift_cols(ctx, &ref->pred, 1, pf, p, &r->prediction);
    cip_frame_free(pf);
    r->has_prediction = rc == CIP_OK;
    return rc;
}

cip_status cip_monitor_compare(cip_ctx *ctx, const cip_refstats *ref, const cip_frame *current,
                               const double *pred, const double *y, size_t n,
                               const cip_monitor_params *p, cip_monitor_report **out)
{
    *out = NULL;
    cip_monitor_params def;
    if (p == NULL) {
        cip_monitor_params_default(&def);
        p = &def;
    }
    cip_status rc = cip_monitor_params_check(ctx, p);
    if (rc != CIP_OK)
        return rc;
    if ((pred != NULL || y != NULL) && n != cip_frame_n_rows(current))
        return cipi_fail(ctx, CIP_ERR_INVALID, "%zu predictions for %zu rows", n,
                         cip_frame_n_rows(current));
    cip_monitor_report *r = report_new(ctx);
    if (r == NULL)
        return CIP_ERR_NOMEM;
    r->params = *p;
    r->n_ref = (size_t)ref->n_rows;
    r->n_cur = cip_frame_n_rows(current);
    r->features = cipi_calloc(ctx, ref->n_cols ? ref->n_cols : 1, sizeof *r->features);
    rc = r->features == NULL ? CIP_ERR_NOMEM : CIP_OK;
    if (rc == CIP_OK) {
        r->n_features = ref->n_cols;
        rc = drift_cols(ctx, ref->cols, ref->n_cols, current, p, r->features);
    }
    for (size_t k = 0; rc == CIP_OK && k < r->n_features; k++) {
        cip_drift_feature *d = &r->features[k]; /* the target need not be in scoring data */
        int target = (ref->target != NULL && strcmp(d->name, ref->target) == 0) ||
                     (ref->label_column != NULL && strcmp(d->name, ref->label_column) == 0);
        if (d->absent == 1 && target) {
            d->level = CIP_DRIFT_OK;
            snprintf(d->reason, sizeof d->reason, "target not in current data");
        }
    }
    if (rc == CIP_OK && pred != NULL && ref->has_pred)
        rc = compare_pred(ctx, ref, pred, n, p, r);
    const char *ref_name = NULL, *metric = perf_metric(ref, &ref_name);
    if (rc == CIP_OK && y != NULL && pred != NULL && metric != NULL) {
        rc = cipi_mon_perf(ctx, metric, y, pred, n, p, &r->perf);
        if (rc == CIP_OK && r->perf.available) {
            r->perf.reference = cip_refstats_metric(ref, ref_name);
            r->perf.decay = r->perf.reference - r->perf.current;
            r->perf.degraded = r->perf.ci_hi < r->perf.reference - p->max_decay;
        }
    }
    if (rc != CIP_OK) {
        cip_monitor_report_free(r);
        return rc;
    }
    for (size_t k = 0; k <= r->n_features; k++) {
        const cip_drift_feature *d = k < r->n_features ? &r->features[k] : &r->prediction;
        if (k == r->n_features && !r->has_prediction)
            break;
        r->n_warning += d->level == CIP_DRIFT_WARNING;
        r->n_alert += d->level == CIP_DRIFT_ALERT;
    }
    r->verdict = r->perf.degraded ? CIP_VERDICT_DEGRADED
                 : r->n_alert > 0 ? CIP_VERDICT_DRIFTING
                                  : CIP_VERDICT_STABLE;
    *out = r;
    return CIP_OK;
}
