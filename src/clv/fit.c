/* fit.c - maximum-likelihood fitting of BG/NBD, Pareto/NBD and Gamma-Gamma:
 * parallel deterministic log-likelihood sums, optimisation on log
 * parameters, standard errors from the numerical Hessian
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clv_int.h"

enum { BLOCK = 2048, XCACHE_MAX = 1 << 20 };

/* Everything one log-likelihood evaluation needs; allocated once per fit.
 * Rows are the customers used, with identical (x, t_x, T) rows merged into
 * one row of weight w (BG/NBD and Pareto/NBD). */
struct ll_data {
    cip_clv_model_kind kind;
    double *x, *t, *T, *w; /* rows: x, t_x (or zbar for Gamma-Gamma), T, weight */
    size_t n;              /* rows */
    double n_obs;          /* customers (sum of w) */
    double *part;          /* per-block partial sums */
    double *cache;         /* 3 per integer x: BG/NBD terms that depend on x only */
    size_t n_cache;        /* max x + 1 (0 = no cache) */
    double *vals;          /* BG/NBD with cache: sorted distinct t_x and T values */
    double *lvals;         /* log(alpha + vals[j]), refreshed per evaluation */
    size_t n_vals;
    uint32_t *it, *iT; /* per row: index of t_x and T in vals */
    int nt;            /* threads */
    double penalty;
};

static void ll_data_release(cip_ctx *ctx, struct ll_data *d)
{
    cipi_free(ctx, d->x);
    cipi_free(ctx, d->t);
    cipi_free(ctx, d->T);
    cipi_free(ctx, d->w);
    cipi_free(ctx, d->part);
    cipi_free(ctx, d->cache);
    cipi_free(ctx, d->vals);
    cipi_free(ctx, d->lvals);
    cipi_free(ctx, d->it);
    cipi_free(ctx, d->iT);
    memset(d, 0, sizeof *d);
}

struct row3 {
    double x, t, T;
};

static int cmp_row3(const void *pa, const void *pb)
{
    const struct row3 *a = pa, *b = pb;
    if (a->x != b->x)
        return a->x < b->x ? -1 : 1;
    if (a->T != b->T)
        return a->T < b->T ? -1 : 1;
    return a->t < b->t ? -1 : a->t > b->t;
}

/* Copy the selected rows (all, a stride subsample of sub rows, or the
 * repeaters with positive spend for Gamma-Gamma); merge duplicates. */
static cip_status collect_rows(cip_ctx *ctx, struct ll_data *d, const cip_clv_summary *s,
                               size_t sub)
{
    bool subsample = sub > 0 && sub < s->n;
    size_t rows = subsample ? sub : s->n, m = 0;
    struct row3 *r3 = cipi_mallocarray(ctx, rows ? rows : 1, sizeof *r3);
    if (r3 == NULL)
        return CIP_ERR_NOMEM;
    bool gg = d->kind == CIP_CLV_GAMMAGAMMA;
    for (size_t i = 0; i < rows; i++) {
        size_t r = subsample ? (size_t)((double)i * (double)s->n / (double)sub) : i;
        if (!gg)
            r3[m++] = (struct row3){s->x[r], s->t_x[r], s->T[r]};
        else if (s->x[r] > 0 && s->zbar[r] > 0)
            r3[m++] = (struct row3){s->x[r], s->zbar[r], 0};
    }
    if (!gg)
        qsort(r3, m, sizeof *r3, cmp_row3);
    d->x = cipi_mallocarray(ctx, m ? m : 1, sizeof(double));
    d->t = cipi_mallocarray(ctx, m ? m : 1, sizeof(double));
    d->T = cipi_mallocarray(ctx, m ? m : 1, sizeof(double));
    d->w = cipi_mallocarray(ctx, m ? m : 1, sizeof(double));
    if (!d->x || !d->t || !d->T || !d->w) {
        cipi_free(ctx, r3);
        return CIP_ERR_NOMEM;
    }
    size_t u = 0;
    for (size_t i = 0; i < m; i++) {
        if (!gg && u > 0 && cmp_row3(&r3[i], &r3[i - 1]) == 0) {
            d->w[u - 1] += 1;
            continue;
        }
        d->x[u] = r3[i].x, d->t[u] = r3[i].t, d->T[u] = r3[i].T, d->w[u] = 1;
        u++;
    }
    d->n = u;
    d->n_obs = (double)m;
    cipi_free(ctx, r3);
    return CIP_OK;
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return a < b ? -1 : a > b;
}

static uint32_t find_val(const double *v, size_t n, double x)
{
    size_t lo = 0, hi = n; /* v[lo] <= x < v[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] <= x)
            lo = mid;
        else
            hi = mid;
    }
    return (uint32_t)lo;
}

/* Distinct t_x and T values, so that an evaluation takes one log per
 * distinct value instead of two per row (times are few distinct days). */
static cip_status value_tables(cip_ctx *ctx, struct ll_data *d)
{
    size_t m = 2 * d->n;
    d->vals = cipi_mallocarray(ctx, m ? m : 1, sizeof *d->vals);
    d->it = cipi_mallocarray(ctx, d->n ? d->n : 1, sizeof *d->it);
    d->iT = cipi_mallocarray(ctx, d->n ? d->n : 1, sizeof *d->iT);
    if (!d->vals || !d->it || !d->iT || m >= UINT32_MAX)
        return m >= UINT32_MAX ? cipi_fail(ctx, CIP_ERR_LIMIT, "too many customers")
                               : CIP_ERR_NOMEM;
    for (size_t i = 0; i < d->n; i++)
        d->vals[2 * i] = d->t[i], d->vals[2 * i + 1] = d->T[i];
    qsort(d->vals, m, sizeof *d->vals, cmp_double);
    size_t u = 0;
    for (size_t j = 0; j < m; j++)
        if (u == 0 || d->vals[j] != d->vals[u - 1])
            d->vals[u++] = d->vals[j];
    d->n_vals = u;
    d->lvals = cipi_mallocarray(ctx, u ? u : 1, sizeof *d->lvals);
    if (d->lvals == NULL)
        return CIP_ERR_NOMEM;
    for (size_t i = 0; i < d->n; i++) {
        d->it[i] = find_val(d->vals, u, d->t[i]);
        d->iT[i] = find_val(d->vals, u, d->T[i]);
    }
    return CIP_OK;
}

static cip_status ll_data_init(cip_ctx *ctx, struct ll_data *d, cip_clv_model_kind kind,
                               const cip_clv_summary *s, size_t sub, double penalty)
{
    memset(d, 0, sizeof *d);
    d->kind = kind;
    d->penalty = penalty;
    cip_status rc = collect_rows(ctx, d, s, sub);
    if (rc != CIP_OK)
        return rc;
    size_t nb = (d->n + BLOCK - 1) / BLOCK;
    d->part = cipi_calloc(ctx, nb ? nb : 1, sizeof *d->part);
    if (d->part == NULL)
        return CIP_ERR_NOMEM;
    d->nt = cipi_threads_for(ctx, nb);
    if (kind == CIP_CLV_BGNBD) {
        double mx = 0;
        bool integral = true;
        for (size_t i = 0; i < d->n; i++) {
            mx = fmax(mx, d->x[i]);
            integral = integral && d->x[i] == floor(d->x[i]);
        }
        if (integral && mx < XCACHE_MAX) {
            d->n_cache = (size_t)mx + 1;
            d->cache = cipi_mallocarray(ctx, 3 * d->n_cache, sizeof *d->cache);
            if (d->cache == NULL)
                return CIP_ERR_NOMEM;
            return value_tables(ctx, d);
        }
    }
    return CIP_OK;
}

/* c = cached x terms, lt = log(alpha + t_x), lT = log(alpha + T). log(1 + e)
 * instead of log1p: the absolute error is below 1e-16, which is all a sum of
 * log-likelihoods needs, and log is cheaper. */
static double bgnbd_cached(const double *p, const double *c, double x, double lt, double lT)
{
    const double rx = p[0] + x;
    double t1 = c[1] - rx * lT;
    if (x <= 0)
        return c[0] + t1;
    double t2 = c[2] - rx * lt;
    return c[0] + (t1 > t2 ? t1 + log(1 + exp(t2 - t1)) : t2 + log(1 + exp(t1 - t2)));
}

static double row_ll(const struct ll_data *d, const double *p, size_t r)
{
    switch (d->kind) {
    case CIP_CLV_BGNBD:
        if (d->cache != NULL)
            return bgnbd_cached(p, d->cache + 3 * (size_t)d->x[r], d->x[r], d->lvals[d->it[r]],
                                d->lvals[d->iT[r]]);
        return cipi_clv_bgnbd_ll1(p, d->x[r], d->t[r], d->T[r]);
    case CIP_CLV_PARETO:
        return cipi_clv_pareto_ll1(p, d->x[r], d->t[r], d->T[r]);
    case CIP_CLV_GAMMAGAMMA:
    default:
        return cipi_clv_gg_ll1(p, d->x[r], d->t[r]);
    }
}

static void fill_cache(struct ll_data *d, const double *p)
{
    const double r = p[0], al = p[1], a = p[2], b = p[3];
    const double lr = lgamma(r), lb = cipi_clv_lbeta(a, b), rla = r * log(al);
    for (size_t x = 0; x < d->n_cache; x++) {
        double *c = d->cache + 3 * x;
        c[0] = lgamma(r + (double)x) - lr + rla;
        c[1] = cipi_clv_lbeta(a, b + (double)x) - lb;
        c[2] = x > 0 ? cipi_clv_lbeta(a + 1, b + (double)x - 1) - lb : 0.0;
    }
    const long nv = (long)d->n_vals;
#ifdef _OPENMP
#pragma omp parallel for num_threads(d->nt) schedule(static) if (nv > 65536)
#endif
    for (long j = 0; j < nv; j++)
        d->lvals[j] = log(al + d->vals[j]);
}

/* Sum of row log-likelihoods: fixed blocks, combined in block order. */
static double total_ll(struct ll_data *d, const double *p)
{
    if (d->cache != NULL)
        fill_cache(d, p);
    const long nb = (long)((d->n + BLOCK - 1) / BLOCK);
#ifdef _OPENMP
#pragma omp parallel for num_threads(d->nt) schedule(static)
#endif
    for (long b = 0; b < nb; b++) {
        size_t lo = (size_t)b * BLOCK, hi = lo + BLOCK < d->n ? lo + BLOCK : d->n;
        double acc = 0;
        for (size_t i = lo; i < hi; i++)
            acc += d->w[i] * row_ll(d, p, i);
        d->part[b] = acc;
    }
    double sum = 0;
    for (long b = 0; b < nb; b++)
        sum += d->part[b];
    return sum;
}

static int n_params_of(cip_clv_model_kind k)
{
    return k == CIP_CLV_GAMMAGAMMA ? 3 : 4;
}

/* The objective: mean negative log-likelihood at exp(theta), plus the penalty. */
static double objective(void *ud, const double *theta)
{
    struct ll_data *d = ud;
    int k = n_params_of(d->kind);
    double p[4], pen = 0;
    for (int i = 0; i < k; i++) {
        if (fabs(theta[i]) > 30)
            return CLV_INF;
        p[i] = exp(theta[i]);
        pen += theta[i] * theta[i];
    }
    return -total_ll(d, p) / d->n_obs + d->penalty * pen;
}

void cip_clv_fit_params_default(cip_clv_fit_params *p)
{
    p->max_iter = 2000;
    p->tol = 1e-12;
    p->warm_start = 50000;
    p->penalty = 0.0;
}

cip_status cip_clv_fit_params_check(cip_ctx *ctx, const cip_clv_fit_params *p)
{
    if (p->max_iter < 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "max_iter: must be >= 0, got %d", p->max_iter);
    if (!(p->tol > 0) || !(p->tol < 1))
        return cipi_fail(ctx, CIP_ERR_INVALID, "tol: must be in (0, 1), got %g", p->tol);
    if (!(p->penalty >= 0) || !isfinite(p->penalty))
        return cipi_fail(ctx, CIP_ERR_INVALID, "penalty: must be >= 0, got %g", p->penalty);
    return CIP_OK;
}

/* Starting values from moments of the data. */
static void start_values(cip_clv_model_kind kind, const struct ll_data *d, double *theta)
{
    double mx = 0, mT = 0, mz = 0;
    for (size_t i = 0; i < d->n; i++) {
        mx += d->w[i] * d->x[i];
        mT += d->w[i] * d->T[i];
        mz += d->w[i] * d->t[i];
    }
    mx = fmax(mx / d->n_obs, 0.05);
    mT = fmax(mT / d->n_obs, 1e-3);
    mz = fmax(mz / d->n_obs, 1e-3);
    if (kind == CIP_CLV_GAMMAGAMMA) {
        theta[0] = log(2.0), theta[1] = log(3.0), theta[2] = log(mz);
        return;
    }
    theta[0] = 0;            /* r = 1 */
    theta[1] = log(mT / mx); /* purchase rate r / alpha ~ x / T */
    theta[2] = 0;
    theta[3] = kind == CIP_CLV_PARETO ? log(mT) : 0;
}

static cip_status check_fit_input(cip_ctx *ctx, cip_clv_model_kind kind, const cip_clv_summary *s)
{
    if (s == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "NULL summary");
    if (kind < CIP_CLV_BGNBD || kind > CIP_CLV_GAMMAGAMMA)
        return cipi_fail(ctx, CIP_ERR_INVALID, "unknown model kind %d", (int)kind);
    if (s->n == 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "no customers to fit");
    size_t rep = 0, rep_spend = 0;
    for (size_t i = 0; i < s->n; i++) {
        rep += s->x[i] > 0;
        rep_spend += s->x[i] > 0 && s->zbar[i] > 0;
    }
    if (kind == CIP_CLV_GAMMAGAMMA && rep_spend < 2)
        return cipi_fail(ctx, CIP_ERR_INVALID,
                         "gamma-gamma needs at least 2 repeat customers with positive spend");
    if (kind != CIP_CLV_GAMMAGAMMA && rep == 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "no repeat purchases: the model is not identified");
    return CIP_OK;
}

/* Standard errors: H = Hessian of -LL in log parameters (at the optimum the
 * gradient vanishes, so cov(p) = D H^-1 D with D = diag(p)). */
static void standard_errors(struct ll_data *d, int k, const double *theta, cip_clv_model *m)
{
    double h[16];
    double pen = d->penalty;
    d->penalty = 0;
    cipi_clv_hessian(objective, d, k, theta, h);
    d->penalty = pen;
    for (int i = 0; i < k * k; i++)
        h[i] *= d->n_obs;
    bool ok = cipi_clv_invert(k, h);
    for (int i = 0; i < k; i++)
        m->se[i] = ok && h[i * k + i] > 0 ? m->param[i] * sqrt(h[i * k + i]) : CLV_NAN;
}

cip_status cip_clv_fit(cip_ctx *ctx, cip_clv_model_kind kind, const cip_clv_summary *s,
                       const cip_clv_fit_params *p, cip_clv_model *out)
{
    cip_clv_fit_params def;
    if (p == NULL) {
        cip_clv_fit_params_default(&def);
        p = &def;
    }
    cip_status rc = cip_clv_fit_params_check(ctx, p);
    if (rc != CIP_OK || (rc = check_fit_input(ctx, kind, s)) != CIP_OK)
        return rc;
    int k = n_params_of(kind);
    double theta[4] = {0};
    struct cipi_clv_opt o = {p->max_iter, p->tol, 0, 0, NULL};
    double h0[16];
    struct ll_data d = {0};
    int iters = 0;
    bool warm = kind != CIP_CLV_GAMMAGAMMA && p->warm_start > 0 && s->n > p->warm_start;
    if (warm) { /* a subsample fit gives the starting point */
        if ((rc = ll_data_init(ctx, &d, kind, s, p->warm_start, p->penalty)) != CIP_OK)
            goto done;
        start_values(kind, &d, theta);
        cipi_clv_minimize(objective, &d, k, theta, &o);
        iters = o.iterations;
        /* the subsample's curvature starts BFGS on the full data (same scale:
         * the objective is a mean over customers) */
        cipi_clv_hessian(objective, &d, k, theta, h0);
        if (cipi_clv_invert(k, h0))
            o.h0 = h0;
        ll_data_release(ctx, &d);
        o.max_iter = 0; /* full data: BFGS polish only */
    }
    if ((rc = ll_data_init(ctx, &d, kind, s, 0, p->penalty)) != CIP_OK)
        goto done;
    if (!warm)
        start_values(kind, &d, theta);
    double f = cipi_clv_minimize(objective, &d, k, theta, &o);
    if (!isfinite(f) || f >= 1e300) {
        rc = cipi_fail(ctx, CIP_ERR_INVALID, "%s: the log-likelihood is not finite anywhere tried",
                       cip_clv_model_name(kind));
        goto done;
    }
    memset(out, 0, sizeof *out);
    out->kind = kind;
    out->n_params = k;
    out->unit = s->unit;
    for (int i = 0; i < k; i++)
        out->param[i] = exp(theta[i]);
    out->loglik = total_ll(&d, out->param);
    out->n_obs = (size_t)d.n_obs;
    out->iterations = iters + o.iterations;
    out->converged = o.converged;
    standard_errors(&d, k, theta, out);
done:
    ll_data_release(ctx, &d);
    return rc;
}

cip_status cip_clv_loglik(cip_ctx *ctx, const cip_clv_model *m, const cip_clv_summary *s,
                          double *out)
{
    cip_status rc = check_fit_input(ctx, m->kind, s);
    if (rc != CIP_OK)
        return rc;
    struct ll_data d = {0};
    if ((rc = ll_data_init(ctx, &d, m->kind, s, 0, 0)) == CIP_OK)
        *out = total_ll(&d, m->param);
    ll_data_release(ctx, &d);
    return rc;
}
