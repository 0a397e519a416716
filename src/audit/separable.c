/* separable.c - binary targets: pairs of features whose Fisher discriminant
 * (w = Sw^-1 (m1 - m0)) separates the classes perfectly; screened on up to
 * 5000 sample rows, confirmed on all rows
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audit_int.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#define PAIR_ROWS  5000
#define MAX_REPORT 10

struct pair {
    size_t a, b;
    double wa, wb, auc;
};

/* Fisher direction of (xa, xb) over rows idx[0..m). Returns 0 when undefined. */
static int fisher(const struct auditi *w, const double *xa, const double *xb, const size_t *idx,
                  size_t m, double *wa, double *wb)
{
    double s[2][3] = {{0}}; /* per class: n, sum a, sum b */
    for (size_t k = 0; k < m; k++) {
        size_t i = idx[k];
        if (isnan(xa[i]) || isnan(xb[i]))
            continue;
        int c = w->yb[i];
        s[c][0] += 1;
        s[c][1] += xa[i];
        s[c][2] += xb[i];
    }
    if (s[0][0] < 2 || s[1][0] < 2)
        return 0;
    double ma[2], mb[2], saa = 0, sbb = 0, sab = 0;
    for (int c = 0; c < 2; c++) {
        ma[c] = s[c][1] / s[c][0];
        mb[c] = s[c][2] / s[c][0];
    }
    for (size_t k = 0; k < m; k++) {
        size_t i = idx[k];
        if (isnan(xa[i]) || isnan(xb[i]))
            continue;
        int c = w->yb[i];
        double da = xa[i] - ma[c], db = xb[i] - mb[c];
        saa += da * da;
        sbb += db * db;
        sab += da * db;
    }
    double ridge = 1e-9 * (saa + sbb) + 1e-300;
    saa += ridge;
    sbb += ridge;
    double det = saa * sbb - sab * sab;
    if (!(fabs(det) > 0))
        return 0;
    double da = ma[1] - ma[0], db = mb[1] - mb[0];
    *wa = (sbb * da - sab * db) / det;
    *wb = (saa * db - sab * da) / det;
    return isfinite(*wa) && isfinite(*wb);
}

/* Refine (wa, wb) by ridge-regularised logistic regression (Newton steps on standardised
 * features, rows idx[0..m)); a separable pair drives it towards a separating direction that
 * Fisher's discriminant can miss. Returns 0 when a step fails. */
static int logistic(const struct auditi *w, const double *xa, const double *xb, const size_t *idx,
                    size_t m, double *wa, double *wb)
{
    double ma = 0, mb = 0, sa = 0, sb = 0, cnt = 0;
    for (size_t k = 0; k < m; k++) {
        size_t i = idx[k];
        if (isnan(xa[i]) || isnan(xb[i]))
            continue;
        ma += xa[i];
        mb += xb[i];
        cnt += 1;
    }
    if (cnt < 3)
        return 0;
    ma /= cnt;
    mb /= cnt;
    for (size_t k = 0; k < m; k++) {
        size_t i = idx[k];
        if (isnan(xa[i]) || isnan(xb[i]))
            continue;
        sa += (xa[i] - ma) * (xa[i] - ma);
        sb += (xb[i] - mb) * (xb[i] - mb);
    }
    sa = sqrt(sa / cnt);
    sb = sqrt(sb / cnt);
    if (!(sa > 0) || !(sb > 0))
        return 0;
    double beta[3] = {0, 0, 0};
    for (int it = 0; it < 30; it++) {
        double g[3] = {0, 0, 0}, h[3][3] = {{1e-4, 0, 0}, {0, 1e-4, 0}, {0, 0, 1e-4}};
        for (size_t k = 0; k < m; k++) {
            size_t i = idx[k];
            if (isnan(xa[i]) || isnan(xb[i]))
                continue;
            double z[3] = {1, (xa[i] - ma) / sa, (xb[i] - mb) / sb};
            double eta = beta[0] + beta[1] * z[1] + beta[2] * z[2];
            double pr = 1 / (1 + exp(-eta)), r = w->yb[i] - pr, wt = pr * (1 - pr) + 1e-12;
            for (int a = 0; a < 3; a++) {
                g[a] += r * z[a];
                for (int b = 0; b < 3; b++)
                    h[a][b] += wt * z[a] * z[b];
            }
        }
        for (int a = 0; a < 3; a++)
            g[a] -= 1e-4 * beta[a];
        /* Cramer's rule on the 3 x 3 system h d = g */
        double det = h[0][0] * (h[1][1] * h[2][2] - h[1][2] * h[2][1]) -
                     h[0][1] * (h[1][0] * h[2][2] - h[1][2] * h[2][0]) +
                     h[0][2] * (h[1][0] * h[2][1] - h[1][1] * h[2][0]);
        if (!(fabs(det) > 1e-300))
            return 0;
        double d[3];
        for (int c = 0; c < 3; c++) {
            double t[3][3];
            memcpy(t, h, sizeof t);
            for (int r = 0; r < 3; r++)
                t[r][c] = g[r];
            d[c] = (t[0][0] * (t[1][1] * t[2][2] - t[1][2] * t[2][1]) -
                    t[0][1] * (t[1][0] * t[2][2] - t[1][2] * t[2][0]) +
                    t[0][2] * (t[1][0] * t[2][1] - t[1][1] * t[2][0])) /
                   det;
        }
        for (int a = 0; a < 3; a++)
            beta[a] += d[a];
        if (!isfinite(beta[0] + beta[1] + beta[2]))
            return 0;
    }
    *wa = beta[1] / sa;
    *wb = beta[2] / sb;
    return isfinite(*wa) && isfinite(*wb) && (*wa != 0 || *wb != 0);
}

static double proj_auc(const struct auditi *w, const struct pair *p, const size_t *idx, size_t m,
                       double *s, struct audit_vi *scr)
{
    const double *xa = w->x[p->a], *xb = w->x[p->b];
    for (size_t k = 0; k < m; k++) {
        size_t i = idx != NULL ? idx[k] : k;
        s[k] = p->wa * xa[i] + p->wb * xb[i];
    }
    /* labels are looked up by row: build the index space of s */
    double a;
    if (idx == NULL) {
        a = cipi_audit_auc(s, w->yb, NULL, m, scr);
    } else {
        /* scr[k].i refers to k: use a local label copy through the rows */
        size_t np = 0, nn = 0;
        for (size_t k = 0; k < m; k++) {
            scr[k].v = s[k];
            scr[k].i = idx[k];
        }
        cipi_audit_sort_vi(scr, m);
        double rs = 0;
        for (size_t x = 0; x < m;) {
            size_t y = x + 1;
            while (y < m && scr[y].v == scr[x].v)
                y++;
            double mid = 0.5 * (double)(x + 1 + y);
            for (size_t k = x; k < y; k++) {
                if (w->yb[scr[k].i]) {
                    np++;
                    rs += mid;
                } else {
                    nn++;
                }
            }
            x = y;
        }
        if (np == 0 || nn == 0)
            return NAN;
        a = (rs - (double)np * ((double)np + 1) / 2) / ((double)np * (double)nn);
    }
    return fmax(a, 1 - a);
}

static int cmp_pair(const void *pa, const void *pb)
{
    const struct pair *a = pa, *b = pb;
    if (a->auc != b->auc)
        return a->auc > b->auc ? -1 : 1;
    if (a->a != b->a)
        return a->a < b->a ? -1 : 1;
    return (a->b > b->b) - (a->b < b->b);
}

static cip_status report(struct auditi *w, const struct pair *p)
{
    size_t cols[3] = {p->a, p->b, SIZE_MAX};
    struct audit_finding *fd;
    cip_status rc = cipi_audit_add(w, CIP_AUDIT_SEPARABLE, CIP_AUDIT_HIGH, cols, 2, &fd);
    char lin[600];
    const char *nm[2] = {w->fname[p->a], w->fname[p->b]};
    const double cf[2] = {p->wa, p->wb};
    cipi_audit_fmt_lin(lin, sizeof lin, 0, 0, cf, nm, 2);
    if (rc == CIP_OK)
        rc = cipi_audit_expr(w, fd, "%s", lin);
    if (rc == CIP_OK)
        rc = cipi_audit_msg(w, fd,
                            "'%s' and '%s' together separate the classes of '%s' perfectly: a "
                            "threshold on %s has ROC AUC %.6f on all %zu rows",
                            w->fname[p->a], w->fname[p->b], w->tname, lin, p->auc, w->n);
    if (rc == CIP_OK)
        rc = cipi_audit_val(w, fd, "roc_auc", p->auc);
    if (rc == CIP_OK)
        rc = cipi_audit_fix(w, fd,
                            "check whether the label was computed from these features; if so "
                            "drop them, otherwise expect near-perfect (optimistic) scores");
    return rc;
}

cip_status cipi_audit_separable(struct auditi *w)
{
    size_t nf = w->nf, nu = 0, m = w->ns < PAIR_ROWS ? w->ns : PAIR_ROWS;
    cip_status rc = CIP_OK;
    size_t *use = cipi_mallocarray(w->ctx, nf, sizeof *use);
    size_t *idx = cipi_mallocarray(w->ctx, m, sizeof *idx);
    if (use == NULL || idx == NULL) {
        rc = CIP_ERR_NOMEM;
        goto out;
    }
    for (size_t k = 0; k < m; k++)
        idx[k] = w->sample[k * (w->ns / m) + (k * (w->ns % m)) / m];
    for (size_t j = 0; j < nf; j++)
        if (w->ftype[j] != CIP_TYPE_CAT && !w->idlike[j] && w->fdistinct[j] > 1 &&
            (long)j != w->rule_feat && !(w->power[j] >= 1))
            use[nu++] = j;
    size_t np = nu * (nu - 1) / 2;
    if (np == 0)
        goto out;
    int nt = cipi_threads_for(w->ctx, np * m);
    if (nt < 1)
        nt = 1;
    struct pair *pr = cipi_calloc(w->ctx, np, sizeof *pr);
    size_t len = (size_t)nt * m > w->n ? (size_t)nt * m : w->n;
    double *s = cipi_mallocarray(w->ctx, len, sizeof *s);
    struct audit_vi *scr = cipi_mallocarray(w->ctx, len, sizeof *scr);
    if (pr == NULL || s == NULL || scr == NULL) {
        rc = CIP_ERR_NOMEM;
        goto out2;
    }
    size_t q = 0;
    for (size_t a = 0; a < nu; a++)
        for (size_t b = a + 1; b < nu; b++) {
            pr[q].a = use[a];
            pr[q++].b = use[b];
        }
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(dynamic, 4)
#endif
    for (size_t k = 0; k < np; k++) {
        int tid = 0;
#ifdef _OPENMP
        tid = omp_get_thread_num();
#endif
        pr[k].auc = NAN;
        double *sk = s + (size_t)tid * m;
        struct audit_vi *ck = scr + (size_t)tid * m;
        if (fisher(w, w->x[pr[k].a], w->x[pr[k].b], idx, m, &pr[k].wa, &pr[k].wb))
            pr[k].auc = proj_auc(w, &pr[k], idx, m, sk, ck);
        struct pair lg = pr[k];
        if (pr[k].auc >= 0.98 && pr[k].auc < 1 &&
            logistic(w, w->x[pr[k].a], w->x[pr[k].b], idx, m, &lg.wa, &lg.wb)) {
            lg.auc = proj_auc(w, &lg, idx, m, sk, ck);
            if (lg.auc > pr[k].auc)
                pr[k] = lg;
        }
    }
    size_t nc = 0;
    for (size_t k = 0; k < np; k++)
        if (pr[k].auc >= 0.9999)
            pr[nc++] = pr[k];
    qsort(pr, nc, sizeof *pr, cmp_pair);
    size_t rep = 0;
    for (size_t k = 0; rc == CIP_OK && k < nc && rep < MAX_REPORT; k++) {
        if (m < w->n)
            pr[k].auc = proj_auc(w, &pr[k], NULL, w->n, s, scr);
        if (pr[k].auc >= 1) {
            rc = report(w, &pr[k]);
            rep++;
        }
    }
out2:
    cipi_free(w->ctx, pr);
    cipi_free(w->ctx, s);
    cipi_free(w->ctx, scr);
out:
    cipi_free(w->ctx, use);
    cipi_free(w->ctx, idx);
    return rc;
}
