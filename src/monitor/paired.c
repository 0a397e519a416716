/* paired.c - metrics with bootstrap weights, paired bootstrap, DeLong's test for AUCs
 *
 * A bootstrap replicate is a vector of integer weights (how often each row was drawn;
 * n draws from RNG stream (seed, replicate)), so every metric is one weighted pass and
 * AUC needs the rows sorted by score only once. DeLong et al. (1988) with the midrank
 * formulation of Sun & Xu (2014): structural components V10 (positives) and V01
 * (negatives) from the ranks in all rows and within each class.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "cip/rng.h"
#include "cip/stats.h"
#include "monitor_int.h"

enum { M_R2, M_RMSE, M_MAE, M_AUC, M_F1, M_ACC, M_BAD };

static int metric_id(const char *m)
{
    static const char *const names[] = {"r2", "rmse", "mae", "roc_auc", "f1", "accuracy"};
    for (int k = 0; k < M_BAD; k++)
        if (strcmp(m, names[k]) == 0)
            return k;
    if (strcmp(m, "test_r2") == 0)
        return M_R2;
    if (strcmp(m, "test_f1") == 0)
        return M_F1;
    return M_BAD;
}

static double wt(const uint32_t *w, size_t i)
{
    return w != NULL ? (double)w[i] : 1.0;
}

static double auc_w(const double *y, const double *s, const uint32_t *w, const size_t *order,
                    size_t n)
{
    double num = 0, neg_below = 0, pos = 0, neg = 0;
    for (size_t a = 0; a < n;) {
        size_t b = a;
        double gp = 0, gn = 0;
        while (b < n && s[order[b]] == s[order[a]]) {
            size_t i = order[b++];
            if (y[i] > 0.5)
                gp += wt(w, i);
            else
                gn += wt(w, i);
        }
        num += gp * (neg_below + 0.5 * gn);
        neg_below += gn;
        pos += gp;
        neg += gn;
        a = b;
    }
    return pos > 0 && neg > 0 ? num / (pos * neg) : MON_NAN;
}

cip_status cipi_mon_metric_w(const char *metric, const double *y, const double *s,
                             const uint32_t *w, const size_t *order, size_t n, double *out)
{
    int id = metric_id(metric);
    double sw = 0, sy = 0;
    if (id == M_BAD)
        return CIP_ERR_INVALID;
    if (id == M_AUC) {
        *out = auc_w(y, s, w, order, n);
        return CIP_OK;
    }
    for (size_t i = 0; i < n; i++) {
        sw += wt(w, i);
        sy += wt(w, i) * y[i];
    }
    double mean = sw > 0 ? sy / sw : MON_NAN, sse = 0, sst = 0, sae = 0, tp = 0, fp = 0, fn = 0,
           ok = 0;
    for (size_t i = 0; i < n; i++) {
        double wi = wt(w, i), e = y[i] - s[i];
        sse += wi * e * e;
        sst += wi * (y[i] - mean) * (y[i] - mean);
        sae += wi * fabs(e);
        int pl = s[i] > 0.5, tl = y[i] > 0.5;
        tp += wi * (pl && tl);
        fp += wi * (pl && !tl);
        fn += wi * (!pl && tl);
        ok += wi * (pl == tl);
    }
    switch (id) {
    case M_R2:
        *out = sst > 0 ? 1 - sse / sst : MON_NAN;
        break;
    case M_RMSE:
        *out = sw > 0 ? sqrt(sse / sw) : MON_NAN;
        break;
    case M_MAE:
        *out = sw > 0 ? sae / sw : MON_NAN;
        break;
    case M_F1:
        *out = 2 * tp + fp + fn > 0 ? 2 * tp / (2 * tp + fp + fn) : 0;
        break;
    default:
        *out = sw > 0 ? ok / sw : MON_NAN;
        break;
    }
    return CIP_OK;
}

/* Rows where y and every score are finite: compacted copies (owned). */
static cip_status compact(cip_ctx *ctx, const double *y, const double *s1, const double *s2,
                          size_t n, double **yo, double **s1o, double **s2o, size_t *m)
{
    *yo = cipi_mallocarray(ctx, n ? n : 1, sizeof **yo);
    *s1o = cipi_mallocarray(ctx, n ? n : 1, sizeof **s1o);
    *s2o = s2 != NULL ? cipi_mallocarray(ctx, n ? n : 1, sizeof **s2o) : NULL;
    if (*yo == NULL || *s1o == NULL || (s2 != NULL && *s2o == NULL))
        return CIP_ERR_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(y[i]) || !isfinite(s1[i]) || (s2 != NULL && !isfinite(s2[i])))
            continue;
        (*yo)[k] = y[i];
        (*s1o)[k] = s1[i];
        if (s2 != NULL)
            (*s2o)[k] = s2[i];
        k++;
    }
    *m = k;
    return CIP_OK;
}

cip_status cip_monitor_metric(cip_ctx *ctx, const char *metric, const double *y,
                              const double *score, size_t n, double *out)
{
    double *yc = NULL, *sc = NULL, *unused = NULL;
    size_t m = 0, *order = NULL;
    cip_status rc = metric_id(metric) == M_BAD
                        ? cipi_fail(ctx, CIP_ERR_INVALID, "unknown metric '%s'", metric)
                        : compact(ctx, y, score, NULL, n, &yc, &sc, &unused, &m);
    if (rc == CIP_OK && metric_id(metric) == M_AUC) {
        order = cipi_mallocarray(ctx, m ? m : 1, sizeof *order);
        rc = order == NULL ? CIP_ERR_NOMEM : cip_stats_argsort(ctx, sc, m, order);
    }
    if (rc == CIP_OK)
        rc = cipi_mon_metric_w(metric, yc, sc, NULL, order, m, out);
    cipi_free(ctx, order);
    cipi_free(ctx, yc);
    cipi_free(ctx, sc);
    return rc;
}

/* Standard normal quantile by bisection on erfc (used for a handful of CIs). */
static double norm_quantile(double p)
{
    double lo = -40, hi = 40;
    for (int i = 0; i < 200; i++) {
        double mid = (lo + hi) / 2;
        if (0.5 * erfc(-mid / sqrt(2.0)) < p)
            lo = mid;
        else
            hi = mid;
    }
    return (lo + hi) / 2;
}

static void draw_weights(uint64_t seed, uint64_t b, size_t n, uint32_t *w)
{
    cip_rng r;
    cip_rng_init(&r, seed, b);
    memset(w, 0, n * sizeof *w);
    for (size_t i = 0; i < n; i++)
        w[cip_rng_below(&r, n)]++;
}

/* DeLong structural components of one score vector: v10[npos], v01[nneg]; returns AUC. */
static cip_status delong_parts(cip_ctx *ctx, const double *y, const double *s, size_t n,
                               double *v10, double *v01, size_t npos, size_t nneg, double *auc)
{
    double *all = cipi_mallocarray(ctx, n, sizeof *all), *buf = NULL, *rk = NULL;
    cip_status rc = all == NULL ? CIP_ERR_NOMEM : cip_stats_rank(ctx, s, n, all);
    if (rc == CIP_OK) {
        buf = cipi_mallocarray(ctx, n, sizeof *buf);
        rk = cipi_mallocarray(ctx, n, sizeof *rk);
        rc = buf == NULL || rk == NULL ? CIP_ERR_NOMEM : CIP_OK;
    }
    for (int cls = 1; rc == CIP_OK && cls >= 0; cls--) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if ((y[i] > 0.5) == cls)
                buf[k++] = s[i];
        rc = cip_stats_rank(ctx, buf, k, rk);
        k = 0;
        for (size_t i = 0; rc == CIP_OK && i < n; i++) {
            if ((y[i] > 0.5) != cls)
                continue;
            if (cls)
                v10[k] = (all[i] - rk[k]) / (double)nneg;
            else
                v01[k] = 1 - (all[i] - rk[k]) / (double)npos;
            k++;
        }
    }
    double sum = 0;
    for (size_t i = 0; rc == CIP_OK && i < npos; i++)
        sum += v10[i];
    *auc = sum / (double)npos;
    cipi_free(ctx, all);
    cipi_free(ctx, buf);
    cipi_free(ctx, rk);
    return rc;
}

static double cov(const double *a, const double *b, size_t n)
{
    double ma = 0, mb = 0, s = 0;
    for (size_t i = 0; i < n; i++) {
        ma += a[i];
        mb += b[i];
    }
    ma /= (double)n;
    mb /= (double)n;
    for (size_t i = 0; i < n; i++)
        s += (a[i] - ma) * (b[i] - mb);
    return n > 1 ? s / (double)(n - 1) : 0;
}

cip_status cip_delong(cip_ctx *ctx, const double *y, const double *s1, const double *s2, size_t n,
                      double *auc1, double *auc2, double *z, double *se)
{
    size_t npos = 0;
    for (size_t i = 0; i < n; i++)
        npos += y[i] > 0.5;
    size_t nneg = n - npos;
    if (npos < 2 || nneg < 2)
        return cipi_fail(ctx, CIP_ERR_INVALID, "DeLong needs >= 2 rows of each class");
    double *v = cipi_mallocarray(ctx, 2 * n, sizeof *v);
    if (v == NULL)
        return CIP_ERR_NOMEM;
    double *v10a = v, *v01a = v + npos, *v10b = v + n, *v01b = v + n + npos, a1 = MON_NAN,
           a2 = MON_NAN;
    cip_status rc = delong_parts(ctx, y, s1, n, v10a, v01a, npos, nneg, &a1);
    if (rc == CIP_OK && s2 != NULL)
        rc = delong_parts(ctx, y, s2, n, v10b, v01b, npos, nneg, &a2);
    if (rc == CIP_OK) {
        double var;
        if (s2 != NULL)
            var = (cov(v10a, v10a, npos) + cov(v10b, v10b, npos) - 2 * cov(v10a, v10b, npos)) /
                      (double)npos +
                  (cov(v01a, v01a, nneg) + cov(v01b, v01b, nneg) - 2 * cov(v01a, v01b, nneg)) /
                      (double)nneg;
        else
            var = cov(v10a, v10a, npos) / (double)npos + cov(v01a, v01a, nneg) / (double)nneg;
        double sd = sqrt(var > 0 ? var : 0);
        if (auc1 != NULL)
            *auc1 = a1;
        if (auc2 != NULL)
            *auc2 = a2;
        if (se != NULL)
            *se = sd;
        if (z != NULL)
            *z = s2 == NULL ? MON_NAN : sd > 0 ? (a2 - a1) / sd : (a2 > a1 ? MON_INF : 0);
    }
    cipi_free(ctx, v);
    return rc;
}

/* diff[b] for b in 0..B: metric(s2) - metric(s1) (sign flipped for errors), or the metric of
 * s1 alone when s2 is NULL. */
static cip_status bootstrap(cip_ctx *ctx, const char *metric, const double *y, const double *s1,
                            const double *s2, const size_t *o1, const size_t *o2, size_t n,
                            size_t B, uint64_t seed, double *out)
{
    int nt = cipi_threads_for(ctx, B);
    uint32_t *w = cipi_mallocarray(ctx, (size_t)nt * (n ? n : 1), sizeof *w);
    if (w == NULL)
        return CIP_ERR_NOMEM;
    int id = metric_id(metric);
    double sign = id == M_RMSE || id == M_MAE ? -1 : 1;
#ifdef _OPENMP
#pragma omp parallel num_threads(nt)
#endif
    {
        int t = 0;
#ifdef _OPENMP
        t = omp_get_thread_num();
#endif
        uint32_t *wt_ = w + (size_t)t * n;
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
        for (size_t b = 0; b < B; b++) {
            double m1 = MON_NAN, m2 = 0;
            draw_weights(seed, b, n, wt_);
            cipi_mon_metric_w(metric, y, s1, wt_, o1, n, &m1);
            if (s2 != NULL)
                cipi_mon_metric_w(metric, y, s2, wt_, o2, n, &m2);
            out[b] = s2 != NULL ? sign * (m2 - m1) : m1;
        }
    }
    cipi_free(ctx, w);
    return CIP_OK;
}

/* Bootstrap of one metric drawing k of the n rows per replicate (k = n: the ordinary
 * bootstrap) into compact scratch, so a replicate costs O(k) whatever n is. */
static cip_status gather_bootstrap(cip_ctx *ctx, const char *metric, const double *y,
                                   const double *s, size_t n, size_t k, size_t B, uint64_t seed,
                                   double *out)
{
    int nt = cipi_threads_for(ctx, B);
    double *buf = cipi_mallocarray(ctx, (size_t)nt * 2 * (k ? k : 1), sizeof *buf);
    if (buf == NULL)
        return CIP_ERR_NOMEM;
#ifdef _OPENMP
#pragma omp parallel num_threads(nt)
#endif
    {
        int t = 0;
#ifdef _OPENMP
        t = omp_get_thread_num();
#endif
        double *yb = buf + (size_t)t * 2 * k, *sb = yb + k;
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
        for (size_t b = 0; b < B; b++) {
            cip_rng r;
            cip_rng_init(&r, seed, b);
            for (size_t i = 0; i < k; i++) {
                size_t j = (size_t)cip_rng_below(&r, n);
                yb[i] = y[j];
                sb[i] = s[j];
            }
            double v = MON_NAN;
            cipi_mon_metric_w(metric, yb, sb, NULL, NULL, k, &v);
            out[b] = v;
        }
    }
    cipi_free(ctx, buf);
    return CIP_OK;
}

/* Percentile interval of the finite values of v[0..B) (sorted in place). */
static cip_status percentile_ci(cip_ctx *ctx, double *v, size_t B, double alpha, double *lo,
                                double *hi)
{
    size_t m = 0;
    for (size_t b = 0; b < B; b++)
        if (isfinite(v[b]))
            v[m++] = v[b];
    if (m == 0) {
        *lo = *hi = MON_NAN;
        return CIP_OK;
    }
    double q[2] = {alpha / 2, 1 - alpha / 2}, r[2];
    cip_status rc = cip_stats_quantiles_inplace(ctx, v, m, q, 2, r);
    *lo = r[0];
    *hi = r[1];
    return rc;
}

static cip_status orders(cip_ctx *ctx, int id, const double *s1, const double *s2, size_t n,
                         size_t **o1, size_t **o2)
{
    if (id != M_AUC)
        return CIP_OK;
    *o1 = cipi_mallocarray(ctx, n ? n : 1, sizeof **o1);
    if (*o1 == NULL || cip_stats_argsort(ctx, s1, n, *o1) != CIP_OK)
        return CIP_ERR_NOMEM;
    if (s2 == NULL)
        return CIP_OK;
    *o2 = cipi_mallocarray(ctx, n ? n : 1, sizeof **o2);
    if (*o2 == NULL || cip_stats_argsort(ctx, s2, n, *o2) != CIP_OK)
        return CIP_ERR_NOMEM;
    return CIP_OK;
}

cip_status cipi_mon_perf(cip_ctx *ctx, const char *metric, const double *y, const double *s,
                         size_t n, const cip_monitor_params *p, cip_monitor_perf *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->metric, sizeof out->metric, "%s", metric);
    out->current = out->ci_lo = out->ci_hi = out->reference = out->decay = MON_NAN;
    double *yc = NULL, *sc = NULL, *none = NULL, *reps = NULL;
    size_t m = 0;
    int id = metric_id(metric);
    cip_status rc = compact(ctx, y, s, NULL, n, &yc, &sc, &none, &m);
    if (rc != CIP_OK || m < 2)
        goto done;
    if (id == M_AUC) {
        double se = MON_NAN;
        size_t npos = 0;
        for (size_t i = 0; i < m; i++)
            npos += yc[i] > 0.5;
        if (npos < 2 || m - npos < 2)
            goto done;
        rc = cip_delong(ctx, yc, sc, NULL, m, &out->current, NULL, NULL, &se);
        double zq = norm_quantile(1 - p->alpha / 2);
        out->ci_lo = out->current - zq * se;
        out->ci_hi = out->current + zq * se;
    } else {
        rc = cipi_mon_metric_w(metric, yc, sc, NULL, NULL, m, &out->current);
        reps = cipi_mallocarray(ctx, p->bootstrap ? p->bootstrap : 1, sizeof *reps);
        if (rc == CIP_OK && reps == NULL)
            rc = CIP_ERR_NOMEM;
        size_t k = m < MON_BOOT_MAX ? m : MON_BOOT_MAX;
        if (rc == CIP_OK && p->bootstrap > 0)
            rc = gather_bootstrap(ctx, metric, yc, sc, m, k, p->bootstrap, p->seed, reps);
        if (rc == CIP_OK && p->bootstrap > 0)
            rc = percentile_ci(ctx, reps, p->bootstrap, p->alpha, &out->ci_lo, &out->ci_hi);
        if (rc == CIP_OK && p->bootstrap > 0 && k < m) { /* m-out-of-n: rescale the spread */
            double f = sqrt((double)k / (double)m);
            out->ci_lo = out->current + (out->ci_lo - out->current) * f;
            out->ci_hi = out->current + (out->ci_hi - out->current) * f;
        }
        if (rc == CIP_OK && p->bootstrap == 0)
            out->ci_lo = out->ci_hi = out->current;
    }
    out->available = rc == CIP_OK;
    out->n = m;
done:
    cipi_free(ctx, reps);
    cipi_free(ctx, yc);
    cipi_free(ctx, sc);
    return rc;
}

cip_status cip_paired_compare(cip_ctx *ctx, const char *metric, const double *y,
                              const double *s_champion, const double *s_challenger, size_t n,
                              size_t B, uint64_t seed, double alpha, cip_paired_result *out)
{
    memset(out, 0, sizeof *out);
    int id = metric_id(metric);
    if (id == M_BAD)
        return cipi_fail(ctx, CIP_ERR_INVALID, "unknown metric '%s'", metric);
    if (!(alpha > 0 && alpha < 0.5) || B > 1000000)
        return cipi_fail(ctx, CIP_ERR_INVALID, "alpha must be in (0, 0.5) and B <= 1000000");
    snprintf(out->metric, sizeof out->metric, "%s", metric);
    out->bootstrap = B;
    out->delong_z = out->delong_p = MON_NAN;
    double *yc = NULL, *a = NULL, *b = NULL, *reps = NULL;
    size_t m = 0, *o1 = NULL, *o2 = NULL;
    cip_status rc = compact(ctx, y, s_champion, s_challenger, n, &yc, &a, &b, &m);
    if (rc == CIP_OK && m < 2)
        rc = cipi_fail(ctx, CIP_ERR_INVALID, "a paired comparison needs >= 2 labelled rows");
    if (rc == CIP_OK)
        rc = orders(ctx, id, a, b, m, &o1, &o2);
    if (rc == CIP_OK)
        rc = cipi_mon_metric_w(metric, yc, a, NULL, o1, m, &out->champion);
    if (rc == CIP_OK)
        rc = cipi_mon_metric_w(metric, yc, b, NULL, o2, m, &out->challenger);
    double sign = id == M_RMSE || id == M_MAE ? -1 : 1;
    out->diff = sign * (out->challenger - out->champion);
    if (rc == CIP_OK && (reps = cipi_mallocarray(ctx, B ? B : 1, sizeof *reps)) == NULL)
        rc = CIP_ERR_NOMEM;
    if (rc == CIP_OK && B > 0)
        rc = bootstrap(ctx, metric, yc, a, b, o1, o2, m, B, seed, reps);
    if (rc == CIP_OK && B > 0) {
        size_t le = 0;
        for (size_t k = 0; k < B; k++)
            le += !(reps[k] > 0);
        out->p_value = (double)(le + 1) / (double)(B + 1);
        rc = percentile_ci(ctx, reps, B, alpha, &out->ci_lo, &out->ci_hi);
    } else if (rc == CIP_OK) {
        out->p_value = MON_NAN;
        out->ci_lo = out->ci_hi = out->diff;
    }
    if (rc == CIP_OK && id == M_AUC) {
        double z = MON_NAN;
        if (cip_delong(ctx, yc, a, b, m, NULL, NULL, &z, NULL) == CIP_OK) {
            out->delong_z = z;
            out->delong_p = 0.5 * erfc(z / sqrt(2.0));
        } else {
            cip_ctx_clear_error(ctx);
        }
    }
    cipi_free(ctx, reps);
    cipi_free(ctx, o1);
    cipi_free(ctx, o2);
    cipi_free(ctx, yc);
    cipi_free(ctx, a);
    cipi_free(ctx, b);
    return rc;
}
