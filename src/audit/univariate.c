/* univariate.c - check 2: single-feature predictive power that correlation
 * misses: ROC AUC (max(AUC, 1-AUC)) for a binary target, adjusted eta^2 of a
 * binned lookup (distinct values, or <= 256 quantile bins) for a numeric one
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "audit_int.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#define MAX_BINS 256

/* Bin ids of x over all rows into bin[] (missing = its own last bin); returns the bin count.
 * Exact values when there are at most kmax distinct ones, else quantile bins from the sample.
 * Scratch: tab/ids of `tsize` (power of two > 2*kmax) entries, edges[kmax]. */
static size_t make_bins(const struct auditi *w, size_t j, size_t kmax, const size_t *idx, size_t n,
                        uint32_t *bin, uint64_t *tab, uint32_t *ids, size_t tsize, double *edges,
                        struct audit_vi *s)
{
    const double *x = w->x[j];
    size_t nb = 0;
    if (w->fdistinct[j] <= kmax) {
        memset(ids, 0, tsize * sizeof *ids);
        for (size_t i = 0; i < n; i++) {
            double xv = x[idx != NULL ? idx[i] : i];
            if (isnan(xv)) {
                bin[i] = UINT32_MAX;
                continue;
            }
            uint64_t h = cipi_audit_hash_double(xv);
            size_t t = (size_t)h & (tsize - 1);
            while (ids[t] != 0 && tab[t] != h)
                t = (t + 1) & (tsize - 1);
            if (ids[t] == 0) {
                tab[t] = h;
                ids[t] = (uint32_t)++nb;
            }
            bin[i] = ids[t] - 1;
        }
    } else {
        size_t m = 0;
        for (size_t k = 0; k < w->ns; k++)
            if (!isnan(x[w->sample[k]])) {
                s[m].v = x[w->sample[k]];
                s[m].i = k;
                m++;
            }
        cipi_audit_sort_vi(s, m);
        size_t ne = 0;
        for (size_t b = 1; b < kmax && m > 0; b++) {
            double e = s[(b * m) / kmax].v;
            if (ne == 0 || e > edges[ne - 1])
                edges[ne++] = e;
        }
        for (size_t i = 0; i < n; i++) {
            double xv = x[idx != NULL ? idx[i] : i];
            if (isnan(xv)) {
                bin[i] = UINT32_MAX;
                continue;
            }
            size_t lo = 0, hi = ne; /* first edge > x */
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (edges[mid] <= xv)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            bin[i] = (uint32_t)lo;
        }
        nb = ne + 1;
    }
    for (size_t i = 0; i < n; i++)
        if (bin[i] == UINT32_MAX)
            bin[i] = (uint32_t)nb;
    return nb + 1;
}

/* Adjusted eta^2 of y grouped by bin (k groups); raw eta^2 in *raw. */
static double eta2(const double *yall, const size_t *idx, const uint32_t *bin, size_t n, size_t k,
                   double *sum, double *cnt, double *raw)
{
#define y(i) yall[idx != NULL ? idx[i] : (i)]
    double my = 0;
    for (size_t i = 0; i < n; i++)
        my += y(i);
    my /= (double)n;
    memset(sum, 0, k * sizeof *sum);
    memset(cnt, 0, k * sizeof *cnt);
    double sst = 0;
    for (size_t i = 0; i < n; i++) {
        double d = y(i) - my;
        sst += d * d;
        sum[bin[i]] += d;
        cnt[bin[i]] += 1;
    }
    double ssb = 0;
    size_t used = 0;
    for (size_t b = 0; b < k; b++)
        if (cnt[b] > 0) {
            ssb += sum[b] * sum[b] / cnt[b];
            used++;
        }
    if (!(sst > 0)) {
        *raw = NAN;
        return NAN;
    }
    double e = ssb / sst;
    if (e > 1)
        e = 1;
    *raw = e;
    if (n <= used)
        return NAN;
    double adj = 1 - (1 - e) * (double)(n - 1) / (double)(n - used);
    return adj < 0 ? 0 : adj;
#undef y
}

static cip_status report(struct auditi *w, size_t j, double power, double raw, size_t k)
{
    const cip_audit_params *p = w->p;
    if (!(power >= p->power_warning) || w->idlike[j])
        return CIP_OK;
    cip_audit_severity sev = power >= p->power_high ? CIP_AUDIT_HIGH : CIP_AUDIT_WARNING;
    size_t cols[2] = {j, SIZE_MAX};
    struct audit_finding *fd;
    cip_status rc = cipi_audit_add(w, CIP_AUDIT_PREDICTIVE, sev, cols, 2, &fd);
    if (rc != CIP_OK)
        return rc;
    if (w->binary && w->ftype[j] != CIP_TYPE_CAT) {
        rc = cipi_audit_msg(w, fd,
                            "'%s' alone separates the classes of '%s': ROC AUC %.5f "
                            "(max(AUC, 1-AUC); pearson %.4f)",
                            w->fname[j], w->tname, power, w->corr[j * (w->nf + 1) + w->nf]);
        if (rc == CIP_OK)
            rc = cipi_audit_val(w, fd, "roc_auc", power);
    } else {
        rc = cipi_audit_msg(w, fd,
                            "'%s' alone predicts '%s': lookup R^2 (eta^2) %.5f over %zu bins "
                            "(adjusted %.5f)",
                            w->fname[j], w->tname, raw, k, power);
        if (rc == CIP_OK)
            rc = cipi_audit_val(w, fd, "eta2", raw);
        if (rc == CIP_OK)
            rc = cipi_audit_val(w, fd, "eta2_adjusted", power);
        if (rc == CIP_OK)
            rc = cipi_audit_val(w, fd, "bins", (double)k);
    }
    if (rc == CIP_OK)
        rc = cipi_audit_fix(w, fd,
                            "find out why one feature nearly determines the target: drop '%s' if "
                            "it is derived from the target; if the data are near-deterministic, "
                            "the scores will be optimistic whatever the model",
                            w->fname[j]);
    return rc;
}

/* AUC of feature j: on the sample, then on all rows when it is close to the thresholds. */
static double feature_auc(const struct auditi *w, size_t j, struct audit_vi *s)
{
    double a = cipi_audit_auc(w->x[j], w->yb, w->sample, w->ns, s);
    if (isnan(a))
        return NAN;
    a = fmax(a, 1 - a);
    if (w->ns < w->n && a >= w->p->power_warning - 0.02) {
        a = cipi_audit_auc(w->x[j], w->yb, NULL, w->n, s);
        a = fmax(a, 1 - a);
    }
    return a;
}

/* Per-thread scratch of the univariate pass. */
struct uscratch {
    uint32_t *bin;
    uint64_t *tab;
    uint32_t *ids;
    double *edges, *sum, *cnt;
    struct audit_vi *s;
};

static void feature_power(struct auditi *w, size_t j, size_t kmax, size_t tsize, struct uscratch *u,
                          double *raw, size_t *k)
{
    *raw = NAN;
    *k = 0;
    if (w->binary && w->ftype[j] != CIP_TYPE_CAT) {
        w->power[j] = feature_auc(w, j, u->s);
    } else if (!w->cls || w->binary) {
        /* screen on the sample, then all rows when close to a threshold */
        double screen = fmin(w->p->power_warning, 0.75) - 0.05;
        if (w->ns < w->n) {
            *k = make_bins(w, j, kmax, w->sample, w->ns, u->bin, u->tab, u->ids, tsize, u->edges,
                           u->s);
            w->power[j] = eta2(w->y, w->sample, u->bin, w->ns, *k, u->sum, u->cnt, raw);
            if (!(w->power[j] >= screen))
                return;
        }
        *k = make_bins(w, j, kmax, NULL, w->n, u->bin, u->tab, u->ids, tsize, u->edges, u->s);
        w->power[j] = eta2(w->y, NULL, u->bin, w->n, *k, u->sum, u->cnt, raw);
    }
}

cip_status cipi_audit_univariate(struct auditi *w)
{
    size_t n = w->n, kmax = n / 4 < MAX_BINS ? n / 4 : MAX_BINS, tsize = 1, nf = w->nf;
    if (kmax < 2)
        kmax = 2;
    while (tsize < 4 * kmax)
        tsize <<= 1;
    int nt = cipi_threads_for(w->ctx, n * nf);
    if (nt < 1)
        nt = 1;
    if ((size_t)nt > nf)
        nt = (int)nf;
    cip_status rc = CIP_OK;
    struct uscratch *u = cipi_calloc(w->ctx, (size_t)nt, sizeof *u);
    double *raw = cipi_mallocarray(w->ctx, nf, sizeof *raw);
    size_t *kk = cipi_mallocarray(w->ctx, nf, sizeof *kk);
    if (u == NULL || raw == NULL || kk == NULL) {
        rc = CIP_ERR_NOMEM;
        goto done;
    }
    for (int t = 0; t < nt; t++) {
        u[t].bin = cipi_mallocarray(w->ctx, n, sizeof *u[t].bin);
        u[t].tab = cipi_mallocarray(w->ctx, tsize, sizeof *u[t].tab);
        u[t].ids = cipi_mallocarray(w->ctx, tsize, sizeof *u[t].ids);
        u[t].edges = cipi_mallocarray(w->ctx, kmax, sizeof *u[t].edges);
        u[t].sum = cipi_mallocarray(w->ctx, kmax + 2, sizeof *u[t].sum);
        u[t].cnt = cipi_mallocarray(w->ctx, kmax + 2, sizeof *u[t].cnt);
        u[t].s = cipi_mallocarray(w->ctx, n, sizeof *u[t].s);
        if (u[t].bin == NULL || u[t].tab == NULL || u[t].ids == NULL || u[t].edges == NULL ||
            u[t].sum == NULL || u[t].cnt == NULL || u[t].s == NULL) {
            rc = CIP_ERR_NOMEM;
            goto done;
        }
    }
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1)
#endif
    for (size_t j = 0; j < nf; j++) {
        int tid = 0;
#ifdef _OPENMP
        tid = omp_get_thread_num();
#endif
        feature_power(w, j, kmax, tsize, &u[tid], &raw[j], &kk[j]);
    }
    for (size_t j = 0; rc == CIP_OK && j < nf; j++)
        rc = report(w, j, w->power[j], raw[j], kk[j] > 0 ? kk[j] - 1 : 0);
done:
    for (int t = 0; u != NULL && t < nt; t++) {
        cipi_free(w->ctx, u[t].bin);
        cipi_free(w->ctx, u[t].tab);
        cipi_free(w->ctx, u[t].ids);
        cipi_free(w->ctx, u[t].edges);
        cipi_free(w->ctx, u[t].sum);
        cipi_free(w->ctx, u[t].cnt);
        cipi_free(w->ctx, u[t].s);
    }
    cipi_free(w->ctx, u);
    cipi_free(w->ctx, raw);
    cipi_free(w->ctx, kk);
    return rc;
}
