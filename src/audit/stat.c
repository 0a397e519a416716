/* stat.c - small numeric helpers of the audit: hashing, Pearson, ranks, AUC,
 * quantiles and least squares (private so the audit does not depend on the
 * state of the stats module)
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_int.h"
#include "cip/rng.h"

uint64_t cipi_audit_hash_double(double v)
{
    uint64_t b;
    if (v == 0.0)
        v = 0.0; /* -0.0 == 0.0 */
    if (isnan(v))
        return UINT64_C(0x9e3779b97f4a7c15);
    memcpy(&b, &v, sizeof b);
    return cip_mix64(b ^ UINT64_C(0x51afd7ed558ccd));
}

double cipi_audit_pearson(const double *x, const double *y, const size_t *idx, size_t n)
{
    double sx = 0, sy = 0;
    size_t m = 0;
    for (size_t k = 0; k < n; k++) {
        size_t i = idx != NULL ? idx[k] : k;
        if (isfinite(x[i]) && isfinite(y[i])) {
            sx += x[i];
            sy += y[i];
            m++;
        }
    }
    if (m < 2)
        return NAN;
    double mx = sx / (double)m, my = sy / (double)m, sxx = 0, syy = 0, sxy = 0;
    for (size_t k = 0; k < n; k++) {
        size_t i = idx != NULL ? idx[k] : k;
        if (isfinite(x[i]) && isfinite(y[i])) {
            double dx = x[i] - mx, dy = y[i] - my;
            sxx += dx * dx;
            syy += dy * dy;
            sxy += dx * dy;
        }
    }
    if (!(sxx > 0) || !(syy > 0))
        return NAN;
    double r = sxy / sqrt(sxx * syy);
    return r > 1 ? 1 : r < -1 ? -1 : r;
}

static int cmp_vi(const void *pa, const void *pb)
{
    const struct audit_vi *a = pa, *b = pb;
    int na = isnan(a->v), nb = isnan(b->v);
    if (na != nb)
        return na - nb;
    if (!na && a->v != b->v)
        return a->v < b->v ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

void cipi_audit_sort_vi(struct audit_vi *a, size_t n)
{
    if (n > 1)
        qsort(a, n, sizeof *a, cmp_vi);
}

void cipi_audit_rank(const double *v, size_t n, struct audit_vi *s, double *r)
{
    for (size_t i = 0; i < n; i++) {
        s[i].v = v[i];
        s[i].i = i;
    }
    cipi_audit_sort_vi(s, n);
    for (size_t a = 0; a < n;) {
        size_t b = a + 1;
        if (isnan(s[a].v)) {
            for (; a < n; a++)
                r[s[a].i] = NAN;
            break;
        }
        while (b < n && s[b].v == s[a].v)
            b++;
        double mid = 0.5 * (double)(a + 1 + b); /* mean of ranks a+1 .. b */
        for (size_t k = a; k < b; k++)
            r[s[k].i] = mid;
        a = b;
    }
}

double cipi_audit_auc(const double *score, const uint8_t *lab, const size_t *idx, size_t n,
                      struct audit_vi *s)
{
    size_t m = 0;
    for (size_t k = 0; k < n; k++) {
        size_t i = idx != NULL ? idx[k] : k;
        if (!isnan(score[i])) {
            s[m].v = score[i];
            s[m].i = i;
            m++;
        }
    }
    cipi_audit_sort_vi(s, m);
    double npos = 0, nneg = 0, rank_sum = 0;
    for (size_t a = 0; a < m;) {
        size_t b = a + 1;
        while (b < m && s[b].v == s[a].v)
            b++;
        double mid = 0.5 * (double)(a + 1 + b);
        for (size_t k = a; k < b; k++) {
            if (lab[s[k].i]) {
                npos += 1;
                rank_sum += mid;
            } else {
                nneg += 1;
            }
        }
        a = b;
    }
    if (npos == 0 || nneg == 0)
        return NAN;
    return (rank_sum - npos * (npos + 1) / 2) / (npos * nneg);
}

cip_status cipi_audit_quantile(cip_ctx *ctx, const double *v, size_t n, double q, double *out)
{
    struct audit_vi *s = cipi_mallocarray(ctx, n > 0 ? n : 1, sizeof *s);
    if (s == NULL)
        return CIP_ERR_NOMEM;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i])) {
            s[m].v = v[i];
            s[m].i = i;
            m++;
        }
    cipi_audit_sort_vi(s, m);
    if (m == 0) {
        cipi_free(ctx, s);
        return cipi_fail(ctx, CIP_ERR_INVALID, "quantile of a column without values");
    }
    double pos = q * (double)(m - 1);
    size_t lo = (size_t)floor(pos);
    size_t hi = lo + 1 < m ? lo + 1 : lo;
    double frac = pos - (double)lo;
    *out = s[lo].v + (s[hi].v - s[lo].v) * frac;
    cipi_free(ctx, s);
    return CIP_OK;
}

/* Solve the k x k system (k <= 3) in place by Gaussian elimination with partial pivoting. */
static int solve3(double a[3][3], double b[3], int k)
{
    for (int c = 0; c < k; c++) {
        int piv = c;
        for (int r = c + 1; r < k; r++)
            if (fabs(a[r][c]) > fabs(a[piv][c]))
                piv = r;
        if (!(fabs(a[piv][c]) > 1e-300))
            return 0;
        for (int j = 0; j < k; j++) {
            double t = a[c][j];
            a[c][j] = a[piv][j];
            a[piv][j] = t;
        }
        double t = b[c];
        b[c] = b[piv];
        b[piv] = t;
        for (int r = c + 1; r < k; r++) {
            double f = a[r][c] / a[c][c];
            for (int j = c; j < k; j++)
                a[r][j] -= f * a[c][j];
            b[r] -= f * b[c];
        }
    }
    for (int c = k - 1; c >= 0; c--) {
        double t = b[c];
        for (int j = c + 1; j < k; j++)
            t -= a[c][j] * b[j];
        b[c] = t / a[c][c];
    }
    return 1;
}

double cipi_audit_ols(const double *y, const double *g, const double *h, const size_t *idx,
                      size_t n, double coef[3], size_t *used)
{
    /* centre on the means for conditioning */
    double my = 0, mg = 0, mh = 0;
    size_t m = 0;
    coef[0] = coef[1] = coef[2] = 0;
    for (size_t k = 0; k < n; k++) {
        size_t i = idx != NULL ? idx[k] : k;
        double hv = h != NULL ? h[i] : 0;
        if (isfinite(y[i]) && isfinite(g[i]) && isfinite(hv)) {
            my += y[i];
            mg += g[i];
            mh += hv;
            m++;
        }
    }
    *used = m;
    if (m < 3)
        return NAN;
    my /= (double)m;
    mg /= (double)m;
    mh /= (double)m;
    double sgg = 0, shh = 0, sgh = 0, sgy = 0, shy = 0, syy = 0;
    for (size_t k = 0; k < n; k++) {
        size_t i = idx != NULL ? idx[k] : k;
        double hv = h != NULL ? h[i] : 0;
        if (isfinite(y[i]) && isfinite(g[i]) && isfinite(hv)) {
            double dy = y[i] - my, dg = g[i] - mg, dh = hv - mh;
            sgg += dg * dg;
            shh += dh * dh;
            sgh += dg * dh;
            sgy += dg * dy;
            shy += dh * dy;
            syy += dy * dy;
        }
    }
    if (!(syy > 0) || !(sgg > 0) || (h != NULL && !(shh > 0)))
        return NAN;
    double b1, b2 = 0, ssr;
    if (h == NULL) {
        b1 = sgy / sgg;
        ssr = syy - b1 * sgy;
    } else {
        double a[3][3] = {{sgg, sgh, 0}, {sgh, shh, 0}, {0, 0, 0}}, b[3] = {sgy, shy, 0};
        if (!solve3(a, b, 2))
            return NAN;
        b1 = b[0];
        b2 = b[1];
        ssr = syy - b1 * sgy - b2 * shy;
    }
    coef[1] = b1;
    coef[2] = b2;
    coef[0] = my - b1 * mg - b2 * mh;
    double r2 = 1 - (ssr > 0 ? ssr : 0) / syy;
    return r2 < 0 ? 0 : r2;
}

void cipi_audit_fmt_lin(char *buf, size_t size, int intercept, double c0, const double *coef,
                        const char *const *names, size_t k)
{
    size_t off = 0;
    buf[0] = '\0';
    if (intercept)
        off += (size_t)snprintf(buf, size, "%.6g", c0);
    for (size_t q = 0; q < k && off < size; q++) {
        double c = coef[q];
        const char *sign = c < 0 ? "-" : "+";
        if (off == 0)
            off += (size_t)snprintf(buf + off, size - off, "%s%.6g * %s", c < 0 ? "-" : "", fabs(c),
                                    names[q]);
        else
            off +=
                (size_t)snprintf(buf + off, size - off, " %s %.6g * %s", sign, fabs(c), names[q]);
    }
}
