/* reconstruct.c - check 3: algebraic reconstruction of a numeric target from
 * one or two features: target ~ a + b*g with g in x, log x, exp x, x*y, x/y,
 * y/x, and a + b*x + c*y; searched on the row sample, the best candidates are
 * verified on all rows, raw (a = 0, b = 1) and affine, with rounding to the
 * target's grid
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_int.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#define MAX_VERIFY 24
#define MAX_REPORT 12

enum expr { E_X, E_LOG, E_EXP, E_MUL, E_DIV, E_RDIV, E_LIN, E_N };

struct cand {
    enum expr e;
    size_t a, b; /* features (b unused for unary) */
    double r2;   /* on the sample */
};

static double eval(enum expr e, const double *xa, const double *xb, size_t i)
{
    switch (e) {
    case E_X:
    case E_LIN:
        return xa[i];
    case E_LOG:
        return xa[i] > 0 ? log(xa[i]) : (double)NAN;
    case E_EXP:
        return xa[i] < 700 ? exp(xa[i]) : (double)NAN;
    case E_MUL:
        return xa[i] * xb[i];
    case E_DIV:
        return xb[i] != 0 ? xa[i] / xb[i] : (double)NAN;
    case E_RDIV:
        return xa[i] != 0 ? xb[i] / xa[i] : (double)NAN;
    default:
        return NAN;
    }
}

static int usable(const struct auditi *w, size_t j, long skip)
{
    return (long)j != skip && w->ftype[j] != CIP_TYPE_CAT && !w->idlike[j] && w->fdistinct[j] > 1;
}

/* R^2 of t ~ expression over rows idx[0..m) (NULL = all), with g scratch; coef out. */
static double fit(enum expr e, const double *xa, const double *xb, const double *t,
                  const size_t *idx, size_t m, double *g, double coef[3])
{
    size_t used = 0;
    for (size_t k = 0; k < m; k++)
        g[k] = eval(e, xa, xb, idx != NULL ? idx[k] : k);
    /* t is indexed like the rows: gather through idx */
    double r2;
    if (e == E_LIN) {
        double *h = g + m;
        for (size_t k = 0; k < m; k++)
            h[k] = xb[idx != NULL ? idx[k] : k];
        r2 = cipi_audit_ols(t, g, h, NULL, m, coef, &used);
    } else {
        r2 = cipi_audit_ols(t, g, NULL, NULL, m, coef, &used);
    }
    if (used < m * 9 / 10 || used < 3)
        return NAN;
    return r2;
}

static int cmp_cand(const void *pa, const void *pb)
{
    const struct cand *a = pa, *b = pb;
    if (a->r2 != b->r2)
        return a->r2 > b->r2 ? -1 : 1;
    if (a->e != b->e)
        return a->e < b->e ? -1 : 1;
    if (a->a != b->a)
        return a->a < b->a ? -1 : 1;
    return (a->b > b->b) - (a->b < b->b);
}

/* Candidates: 3 unary expressions per feature, then 4 per pair (x*y, x/y, y/x, linear). */
static void enumerate(struct cand *c, size_t nf, size_t nu, size_t tot)
{
    for (size_t q = 0; q < tot; q++) {
        c[q].r2 = NAN;
        if (q < nu) {
            c[q].e = (enum expr)(q % 3);
            c[q].a = q / 3;
            c[q].b = q / 3;
        } else {
            size_t r = (q - nu) / 4, a = 0;
            while (r >= nf - 1 - a) {
                r -= nf - 1 - a;
                a++;
            }
            c[q].a = a;
            c[q].b = a + 1 + r;
            c[q].e = (enum expr)(E_MUL + (q - nu) % 4);
        }
    }
}

/* All candidates with sample R^2 >= min_r2, sorted best first. `lin_only` restricts to x and
 * a + b*x + c*y. t_s = target on the sample rows. */
static cip_status search(struct auditi *w, const double *t_s, long skip, double min_r2,
                         int lin_only, struct cand **out, size_t *n_out)
{
    size_t nf = w->nf, ns = w->ns, nu = nf * 3, np = nf * (nf - 1) / 2 * 4, tot = nu + np;
    cip_status rc = CIP_OK;
    int nt = cipi_threads_for(w->ctx, tot * ns);
    if (nt < 1)
        nt = 1;
    double **xs = cipi_calloc(w->ctx, nf, sizeof *xs);
    double *g = cipi_mallocarray(w->ctx, (size_t)nt * 2 * ns, sizeof *g);
    struct cand *c = cipi_mallocarray(w->ctx, tot, sizeof *c);
    uint8_t *single = cipi_calloc(w->ctx, nf, 1);
    if (xs == NULL || g == NULL || c == NULL || single == NULL) {
        rc = CIP_ERR_NOMEM;
        goto done;
    }
    for (size_t j = 0; j < nf; j++) {
        if (!usable(w, j, skip))
            continue;
        if ((xs[j] = cipi_mallocarray(w->ctx, ns, sizeof *xs[j])) == NULL) {
            rc = CIP_ERR_NOMEM;
            goto done;
        }
        for (size_t k = 0; k < ns; k++)
            xs[j][k] = w->x[j][w->sample[k]];
    }
    enumerate(c, nf, nu, tot);
    /* pass 1: unary; pass 2: pairs whose features do not reconstruct alone */
    for (int pass = 0; pass < 2; pass++) {
        size_t q0 = pass == 0 ? 0 : nu, q1 = pass == 0 ? nu : tot;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(dynamic, 16)
#endif
        for (size_t q = q0; q < q1; q++) {
            int tid = 0;
#ifdef _OPENMP
            tid = omp_get_thread_num();
#endif
            struct cand *cq = &c[q];
            if (xs[cq->a] == NULL || xs[cq->b] == NULL)
                continue;
            if (lin_only && cq->e != E_X && cq->e != E_LIN)
                continue;
            if (pass == 1 && (single[cq->a] || single[cq->b]))
                continue;
            double coef[3];
            cq->r2 =
                fit(cq->e, xs[cq->a], xs[cq->b], t_s, NULL, ns, g + (size_t)tid * 2 * ns, coef);
        }
        for (size_t q = q0; pass == 0 && q < q1; q++)
            if (c[q].r2 >= min_r2)
                single[c[q].a] = 1;
    }
    size_t m = 0;
    for (size_t q = 0; q < tot; q++)
        if (c[q].r2 >= min_r2)
            c[m++] = c[q];
    qsort(c, m, sizeof *c, cmp_cand);
    *out = c;
    *n_out = m;
    c = NULL;
done:
    for (size_t j = 0; xs != NULL && j < nf; j++)
        cipi_free(w->ctx, xs[j]);
    cipi_free(w->ctx, xs);
    cipi_free(w->ctx, g);
    cipi_free(w->ctx, c);
    cipi_free(w->ctx, single);
    return rc;
}

cip_status cipi_audit_recon_best(struct auditi *w, const double *t, long skip, double min_r2,
                                 size_t best_feats[2], size_t *n_best, double coef[3], double *r2)
{
    struct cand *c = NULL;
    size_t m = 0;
    *n_best = 0;
    double *ts = cipi_mallocarray(w->ctx, w->ns, sizeof *ts);
    double *g = cipi_mallocarray(w->ctx, 2 * w->n, sizeof *g);
    cip_status rc = ts != NULL && g != NULL ? CIP_OK : CIP_ERR_NOMEM;
    for (size_t k = 0; rc == CIP_OK && k < w->ns; k++)
        ts[k] = t[w->sample[k]];
    if (rc == CIP_OK)
        rc = search(w, ts, skip, min_r2, 1, &c, &m);
    if (rc == CIP_OK && m > 0) {
        *r2 = fit(c[0].e, w->x[c[0].a], w->x[c[0].b], t, NULL, w->n, g, coef);
        best_feats[0] = c[0].a;
        best_feats[1] = c[0].b;
        *n_best = c[0].e == E_LIN ? 2 : 1;
        if (c[0].e != E_LIN)
            coef[2] = 0;
    }
    cipi_free(w->ctx, c);
    cipi_free(w->ctx, ts);
    cipi_free(w->ctx, g);
    return rc;
}

struct verified {
    struct cand c;
    int raw; /* 1 = a = 0, b = 1 */
    double coef[3];
    double r2, max_err;
    size_t exact, on_grid, example;
};

static void score_variant(const struct auditi *w, const double *g, const double *h,
                          const double coef[3], struct verified *v)
{
    double sse = 0, sst = 0, my = 0, mx = 0;
    size_t exact = 0, grid = 0, ex = SIZE_MAX;
    for (size_t i = 0; i < w->n; i++)
        my += w->y[i];
    my /= (double)w->n;
    for (size_t i = 0; i < w->n; i++) {
        double pred = coef[0] + coef[1] * g[i] + (h != NULL ? coef[2] * h[i] : 0);
        double y = w->y[i], e = fabs(pred - y);
        if (!isfinite(pred))
            e = INFINITY;
        sse += isfinite(e) ? e * e : (y - my) * (y - my); /* no prediction: the mean */
        sst += (y - my) * (y - my);
        if (isfinite(e) && e > mx)
            mx = e; /* over the rows with a prediction */
        if (e <= 1e-9 * fmax(1, fabs(y)))
            exact++;
        if (w->grid > 0 && isfinite(pred) &&
            fabs(nearbyint(pred / w->grid) * w->grid - y) <= 1e-9 * fmax(1, fabs(y))) {
            grid++;
            if (ex == SIZE_MAX && e > 1e-9 * fmax(1, fabs(y)))
                ex = i;
        }
    }
    v->r2 = sst > 0 ? 1 - sse / sst : (double)NAN;
    v->max_err = mx;
    v->exact = exact;
    v->on_grid = w->grid > 0 ? grid : exact;
    v->example = ex == SIZE_MAX ? 0 : ex;
}

static void verify(const struct auditi *w, const struct cand *c, double *g, double *h,
                   struct verified *best)
{
    const double *xa = w->x[c->a], *xb = w->x[c->b];
    for (size_t i = 0; i < w->n; i++)
        g[i] = eval(c->e, xa, xb, i);
    if (c->e == E_LIN)
        memcpy(h, xb, w->n * sizeof *h);
    struct verified v;
    memset(&v, 0, sizeof v);
    v.c = *c;
    size_t used;
    cipi_audit_ols(w->y, g, c->e == E_LIN ? h : NULL, NULL, w->n, v.coef, &used);
    if (c->e != E_LIN)
        v.coef[2] = 0;
    score_variant(w, g, c->e == E_LIN ? h : NULL, v.coef, &v);
    *best = v;
    if (c->e == E_X || c->e == E_LIN)
        return;
    struct verified r = v;
    r.raw = 1;
    r.coef[0] = 0;
    r.coef[1] = 1;
    r.coef[2] = 0;
    score_variant(w, g, NULL, r.coef, &r);
    if (r.on_grid >= v.on_grid) /* the simpler expression when it does as well */
        *best = r;
}

static void expr_text(const struct auditi *w, const struct verified *v, char *buf, size_t size)
{
    const char *a = w->fname[v->c.a], *b = w->fname[v->c.b];
    char g[600];
    switch (v->c.e) {
    case E_X:
        snprintf(g, sizeof g, "%s", a);
        break;
    case E_LOG:
        snprintf(g, sizeof g, "log(%s)", a);
        break;
    case E_EXP:
        snprintf(g, sizeof g, "exp(%s)", a);
        break;
    case E_MUL:
        snprintf(g, sizeof g, "%s * %s", a, b);
        break;
    case E_DIV:
        snprintf(g, sizeof g, "%s / %s", a, b);
        break;
    case E_RDIV:
        snprintf(g, sizeof g, "%s / %s", b, a);
        break;
    default: {
        const char *nm[2] = {a, b};
        cipi_audit_fmt_lin(g, sizeof g, 0, 0, v->coef + 1, nm, 2);
    } break;
    }
    char lin[800];
    const char *nm2[2] = {a, b};
    if (v->raw)
        snprintf(lin, sizeof lin, "%s", g);
    else if (v->c.e == E_LIN)
        cipi_audit_fmt_lin(lin, sizeof lin, 1, v->coef[0], v->coef + 1, nm2, 2);
    else
        snprintf(lin, sizeof lin, "%.6g + %.6g * (%s)", v->coef[0], v->coef[1], g);
    if (w->grid > 0 && v->on_grid > v->exact)
        snprintf(buf, size, "round((%s) / %g) * %g", lin, w->grid, w->grid);
    else
        snprintf(buf, size, "%s", lin);
}

static cip_status report(struct auditi *w, const struct verified *v, const double *g)
{
    const cip_audit_params *p = w->p;
    double share = (double)v->on_grid / (double)w->n;
    cip_audit_severity sev = (v->r2 >= 0.9999 || share >= 0.99) ? CIP_AUDIT_HIGH
                             : v->r2 >= p->recon_r2             ? CIP_AUDIT_WARNING
                                                                : CIP_AUDIT_INFO;
    if (sev == CIP_AUDIT_INFO)
        return CIP_OK;
    size_t cols[3] = {v->c.a, v->c.b, SIZE_MAX}, nc = v->c.e >= E_MUL ? 2 : 1;
    struct audit_finding *fd;
    cip_status rc = cipi_audit_add(w, CIP_AUDIT_RECONSTRUCTION, sev, cols, nc, &fd);
    char ex[1200];
    expr_text(w, v, ex, sizeof ex);
    size_t i = v->example;
    double pred = v->coef[0] + v->coef[1] * g[i];
    if (v->c.e == E_LIN)
        pred += v->coef[2] * w->x[v->c.b][i];
    if (rc == CIP_OK)
        rc = cipi_audit_expr(w, fd, "%s = %s", w->tname, ex);
    if (rc == CIP_OK && w->grid > 0)
        rc = cipi_audit_msg(w, fd,
                            "'%s' = %s: %zu/%zu rows exact after rounding to the grid %g "
                            "(%zu exact before), R^2 %.6f, max error %.4g; e.g. row %zu: %.6g -> "
                            "%.6g (target %.6g)",
                            w->tname, ex, v->on_grid, w->n, w->grid, v->exact, v->r2, v->max_err,
                            w->rowmap != NULL ? w->rowmap[i] : i, pred,
                            nearbyint(pred / w->grid) * w->grid, w->y[i]);
    else if (rc == CIP_OK)
        rc = cipi_audit_msg(w, fd, "'%s' = %s: %zu/%zu rows exact, R^2 %.6f, max error %.4g",
                            w->tname, ex, v->exact, w->n, v->r2, v->max_err);
    if (rc == CIP_OK)
        rc = cipi_audit_val(w, fd, "rows_exact", (double)v->on_grid);
    if (rc == CIP_OK)
        rc = cipi_audit_val(w, fd, "rows_exact_unrounded", (double)v->exact);
    if (rc == CIP_OK)
        rc = cipi_audit_val(w, fd, "rows", (double)w->n);
    if (rc == CIP_OK)
        rc = cipi_audit_val(w, fd, "r2", v->r2);
    if (rc == CIP_OK)
        rc = cipi_audit_val(w, fd, "max_error", v->max_err);
    if (rc == CIP_OK)
        rc = cipi_audit_val(w, fd, "grid", w->grid);
    if (rc == CIP_OK)
        rc = cipi_audit_rows(w, fd, &i, 1);
    if (rc == CIP_OK)
        rc = nc == 2 ? cipi_audit_fix(w, fd,
                                      "'%s' and '%s' together give the target: drop the one "
                                      "computed from the target (never use both)",
                                      w->fname[v->c.a], w->fname[v->c.b])
                     : cipi_audit_fix(w, fd, "'%s' is a function of the target: drop it",
                                      w->fname[v->c.a]);
    return rc;
}

cip_status cipi_audit_reconstruct(struct auditi *w)
{
    struct cand *c = NULL;
    size_t m = 0, nv = 0;
    struct verified *v = NULL;
    double *ts = cipi_mallocarray(w->ctx, w->ns, sizeof *ts);
    double *g = cipi_mallocarray(w->ctx, 2 * w->n, sizeof *g);
    cip_status rc = ts != NULL && g != NULL ? CIP_OK : CIP_ERR_NOMEM;
    for (size_t k = 0; rc == CIP_OK && k < w->ns; k++)
        ts[k] = w->y[w->sample[k]];
    if (rc == CIP_OK)
        rc = search(w, ts, -1, w->p->recon_r2, 0, &c, &m);
    if (rc == CIP_OK && m > 0 &&
        (v = cipi_mallocarray(w->ctx, m < MAX_VERIFY ? m : MAX_VERIFY, sizeof *v)) == NULL)
        rc = CIP_ERR_NOMEM;
    /* verify the best candidates on all rows; one finding per feature set */
    for (size_t q = 0; rc == CIP_OK && q < m && nv < MAX_VERIFY; q++) {
        int dup = 0;
        for (size_t k = 0; k < nv; k++)
            if (v[k].c.a == c[q].a && v[k].c.b == c[q].b)
                dup = 1;
        if (!dup)
            verify(w, &c[q], g, g + w->n, &v[nv++]);
    }
    for (size_t k = 0, rep = 0; rc == CIP_OK && k < nv && rep < MAX_REPORT; k++, rep++) {
        verify(w, &v[k].c, g, g + w->n, &v[k]);
        rc = report(w, &v[k], g);
    }
    cipi_free(w->ctx, c);
    cipi_free(w->ctx, v);
    cipi_free(w->ctx, ts);
    cipi_free(w->ctx, g);
    return rc;
}
