/* corr.c - check 1: Pearson (all rows) and Spearman (row sample) of every
 * numeric feature with the target and between features
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audit_int.h"

#ifdef _OPENMP
#include <omp.h>
#endif

static int numeric(const struct auditi *w, size_t j)
{
    return j == w->nf ? (!w->cls || w->binary) : w->ftype[j] != CIP_TYPE_CAT;
}

static const double *col(const struct auditi *w, size_t j)
{
    return j == w->nf ? w->y : w->x[j];
}

#define PBLOCK 2048

/* Covariances of the complete numeric columns cols[0..k) (no missing values), centred on their
 * means, accumulated per block of PBLOCK rows; blocks run in parallel and are combined in
 * block order, so the result does not depend on the thread count. cov is k x k. */
static cip_status block_cov(struct auditi *w, const size_t *cols, size_t k, double *cov)
{
    size_t n = w->n, nb = (n + PBLOCK - 1) / PBLOCK, np = k * (k + 1) / 2;
    int nt = cipi_threads_for(w->ctx, n * np);
    if (nt < 1)
        nt = 1;
    double *mean = cipi_calloc(w->ctx, k, sizeof *mean);
    double *part = cipi_calloc(w->ctx, nb * np, sizeof *part);
    double *buf = cipi_mallocarray(w->ctx, (size_t)nt * k * PBLOCK, sizeof *buf);
    if (mean == NULL || part == NULL || buf == NULL) {
        cipi_free(w->ctx, mean);
        cipi_free(w->ctx, part);
        cipi_free(w->ctx, buf);
        return CIP_ERR_NOMEM;
    }
    for (size_t a = 0; a < k; a++) {
        const double *c = col(w, cols[a]);
        double s = 0;
        for (size_t i = 0; i < n; i++)
            s += c[i];
        mean[a] = s / (double)n;
    }
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static)
#endif
    for (size_t b = 0; b < nb; b++) {
        int tid = 0;
#ifdef _OPENMP
        tid = omp_get_thread_num();
#endif
        size_t i0 = b * PBLOCK, len = n - i0 < PBLOCK ? n - i0 : PBLOCK;
        double *z = buf + (size_t)tid * k * PBLOCK, *out = part + b * np;
        for (size_t a = 0; a < k; a++) {
            const double *c = col(w, cols[a]) + i0;
            for (size_t i = 0; i < len; i++)
                z[a * PBLOCK + i] = c[i] - mean[a];
        }
        size_t q = 0;
        for (size_t a = 0; a < k; a++)
            for (size_t c = a; c < k; c++) {
                const double *za = z + a * PBLOCK, *zc = z + c * PBLOCK;
                double s = 0;
                for (size_t i = 0; i < len; i++)
                    s += za[i] * zc[i];
                out[q++] = s;
            }
    }
    size_t q = 0;
    for (size_t a = 0; a < k; a++)
        for (size_t c = a; c < k; c++, q++) {
            double s = 0;
            for (size_t b = 0; b < nb; b++)
                s += part[b * np + q];
            cov[a * k + c] = cov[c * k + a] = s;
        }
    cipi_free(w->ctx, mean);
    cipi_free(w->ctx, part);
    cipi_free(w->ctx, buf);
    return CIP_OK;
}

/* Pearson matrix over all rows: complete columns through block_cov, columns with missing
 * values pairwise (rows where both are present). */
static cip_status pearson_matrix(struct auditi *w)
{
    size_t m = w->nf + 1, k = 0;
    w->corr = cipi_mallocarray(w->ctx, m * m, sizeof *w->corr);
    size_t *cols = cipi_mallocarray(w->ctx, m, sizeof *cols);
    double *cov = cipi_mallocarray(w->ctx, m * m, sizeof *cov);
    cip_status rc = w->corr != NULL && cols != NULL && cov != NULL ? CIP_OK : CIP_ERR_NOMEM;
    if (rc != CIP_OK)
        goto done;
    for (size_t a = 0; a < m * m; a++)
        w->corr[a] = NAN;
    for (size_t a = 0; a < m; a++)
        if (numeric(w, a) && (a == w->nf || !w->fnan[a]))
            cols[k++] = a;
    if ((rc = block_cov(w, cols, k, cov)) != CIP_OK)
        goto done;
    for (size_t a = 0; a < k; a++)
        for (size_t c = a + 1; c < k; c++) {
            double d = sqrt(cov[a * k + a] * cov[c * k + c]);
            double r = d > 0 ? cov[a * k + c] / d : (double)NAN;
            r = r > 1 ? 1 : r < -1 ? -1 : r;
            w->corr[cols[a] * m + cols[c]] = w->corr[cols[c] * m + cols[a]] = r;
        }
    for (size_t a = 0; a < m; a++)
        for (size_t c = a + 1; c < m; c++)
            if (numeric(w, a) && numeric(w, c) &&
                ((a < w->nf && w->fnan[a]) || (c < w->nf && w->fnan[c])))
                w->corr[a * m + c] = w->corr[c * m + a] =
                    cipi_audit_pearson(col(w, a), col(w, c), NULL, w->n);
    for (size_t a = 0; a < m; a++)
        w->corr[a * m + a] = numeric(w, a) ? 1.0 : (double)NAN;
done:
    cipi_free(w->ctx, cols);
    cipi_free(w->ctx, cov);
    return rc;
}

/* Spearman matrix on the row sample: ranks per column, then Pearson of ranks. */
static cip_status spearman_matrix(struct auditi *w, double **out)
{
    size_t m = w->nf + 1, ns = w->ns;
    cip_status rc = CIP_OK;
    double *rk = cipi_mallocarray(w->ctx, m * ns, sizeof *rk);
    double *tmp = cipi_mallocarray(w->ctx, ns, sizeof *tmp);
    struct audit_vi *s = cipi_mallocarray(w->ctx, ns, sizeof *s);
    double *sp = cipi_mallocarray(w->ctx, m * m, sizeof *sp);
    if (rk == NULL || tmp == NULL || s == NULL || sp == NULL) {
        rc = CIP_ERR_NOMEM;
        goto done;
    }
    for (size_t a = 0; a < m; a++) {
        const double *c = col(w, a);
        for (size_t k = 0; k < ns; k++)
            tmp[k] = c[w->sample[k]];
        cipi_audit_rank(tmp, ns, s, rk + a * ns);
    }
    for (size_t a = 0; a < m; a++) {
        sp[a * m + a] = numeric(w, a) ? 1.0 : (double)NAN;
        for (size_t b = a + 1; b < m; b++) {
            double r = NAN;
            if (numeric(w, a) && numeric(w, b))
                r = cipi_audit_pearson(rk + a * ns, rk + b * ns, NULL, ns);
            sp[a * m + b] = sp[b * m + a] = r;
        }
    }
    *out = sp;
    sp = NULL;
done:
    cipi_free(w->ctx, rk);
    cipi_free(w->ctx, tmp);
    cipi_free(w->ctx, s);
    cipi_free(w->ctx, sp);
    return rc;
}

static cip_status report_pair(struct auditi *w, size_t a, size_t b, double r, double rho)
{
    const cip_audit_params *p = w->p;
    double m = fmax(isnan(r) ? 0 : fabs(r), isnan(rho) ? 0 : fabs(rho));
    int with_target = b == w->nf;
    cip_audit_severity sev;
    if (with_target) {
        if (!(m > p->corr_warning))
            return CIP_OK;
        sev = m > p->corr_high ? CIP_AUDIT_HIGH : CIP_AUDIT_WARNING;
    } else {
        if (!(m > p->corr_high))
            return CIP_OK;
        sev = CIP_AUDIT_INFO; /* redundancy, not leakage: see multicollinearity */
    }
    size_t cols[2] = {a, with_target ? SIZE_MAX : b};
    struct audit_finding *fd;
    cip_status rc = cipi_audit_add(w, CIP_AUDIT_CORRELATION, sev, cols, 2, &fd);
    if (rc == CIP_OK)
        rc = cipi_audit_msg(w, fd, "'%s' vs %s'%s': pearson %.4f, spearman %.4f", w->fname[a],
                            with_target ? "target " : "", with_target ? w->tname : w->fname[b], r,
                            rho);
    if (rc == CIP_OK)
        rc = cipi_audit_val(w, fd, "pearson", r);
    if (rc == CIP_OK)
        rc = cipi_audit_val(w, fd, "spearman", rho);
    if (rc == CIP_OK)
        rc = cipi_audit_val(w, fd, "spearman_rows", (double)w->ns);
    if (rc == CIP_OK)
        rc = with_target ? cipi_audit_fix(w, fd,
                                          "check how '%s' is computed; drop it if it uses the "
                                          "target or information from after the prediction time",
                                          w->fname[a])
                         : cipi_audit_fix(w, fd, "keep one of the two features");
    return rc;
}

struct fpair {
    size_t a, b;
    double m;
};

static int cmp_fpair(const void *pa, const void *pb)
{
    const struct fpair *x = pa, *y = pb;
    if (x->m != y->m)
        return x->m > y->m ? -1 : 1;
    if (x->a != y->a)
        return x->a < y->a ? -1 : 1;
    return (x->b > y->b) - (x->b < y->b);
}

#define MAX_PAIRS 20

/* Feature pairs above corr_high: the strongest MAX_PAIRS one by one, the rest counted. */
static cip_status feature_pairs(struct auditi *w, const double *sp)
{
    size_t m = w->nf + 1, np = 0;
    struct fpair *pr = cipi_mallocarray(w->ctx, w->nf * w->nf / 2 + 1, sizeof *pr);
    if (pr == NULL)
        return CIP_ERR_NOMEM;
    for (size_t a = 0; a < w->nf; a++)
        for (size_t b = a + 1; b < w->nf; b++) {
            double r = w->corr[a * m + b], rho = sp[a * m + b];
            double mx = fmax(isnan(r) ? 0 : fabs(r), isnan(rho) ? 0 : fabs(rho));
            if (mx > w->p->corr_high)
                pr[np++] = (struct fpair){a, b, mx};
        }
    qsort(pr, np, sizeof *pr, cmp_fpair);
    cip_status rc = CIP_OK;
    for (size_t k = 0; rc == CIP_OK && k < np && k < MAX_PAIRS; k++)
        rc = report_pair(w, pr[k].a, pr[k].b, w->corr[pr[k].a * m + pr[k].b],
                         sp[pr[k].a * m + pr[k].b]);
    if (rc == CIP_OK && np > MAX_PAIRS) {
        struct audit_finding *fd;
        rc = cipi_audit_add(w, CIP_AUDIT_CORRELATION, CIP_AUDIT_INFO, NULL, 0, &fd);
        if (rc == CIP_OK)
            rc = cipi_audit_msg(w, fd, "%zu more feature pairs with |r| > %g (weakest %.4f)",
                                np - MAX_PAIRS, w->p->corr_high, pr[np - 1].m);
        if (rc == CIP_OK)
            rc = cipi_audit_val(w, fd, "pairs", (double)(np - MAX_PAIRS));
        if (rc == CIP_OK)
            rc = cipi_audit_fix(w, fd, "see the multicollinearity finding");
    }
    cipi_free(w->ctx, pr);
    return rc;
}

cip_status cipi_audit_corr(struct auditi *w)
{
    double *sp = NULL;
    cip_status rc = pearson_matrix(w);
    if (rc == CIP_OK)
        rc = spearman_matrix(w, &sp);
    size_t m = w->nf + 1;
    for (size_t a = 0; rc == CIP_OK && a < w->nf; a++)
        rc = report_pair(w, a, w->nf, w->corr[a * m + w->nf], sp[a * m + w->nf]);
    if (rc == CIP_OK)
        rc = feature_pairs(w, sp);
    cipi_free(w->ctx, sp);
    return rc;
}
