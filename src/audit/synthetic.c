/* synthetic.c - check 8: near-perfect multicollinearity (R^2 of each numeric
 * feature on the others, from the inverse of the correlation matrix, and the
 * condition number of the standardised design), and check 9: schema and
 * business-rule violations of customer tables (cip_validate_frame)
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "audit_int.h"
#include "cip/schema.h"

/* Cyclic Jacobi eigen-decomposition of the symmetric k x k matrix a (destroyed): eigenvalues
 * in ev[k], eigenvectors in the columns of v (k x k). */
static void jacobi(double *a, size_t k, double *ev, double *v)
{
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++)
            v[i * k + j] = i == j;
    for (int sweep = 0; sweep < 100; sweep++) {
        double off = 0;
        for (size_t p = 0; p < k; p++)
            for (size_t q = p + 1; q < k; q++)
                off += a[p * k + q] * a[p * k + q];
        if (off < 1e-30)
            break;
        for (size_t p = 0; p < k; p++)
            for (size_t q = p + 1; q < k; q++) {
                double apq = a[p * k + q];
                if (fabs(apq) < 1e-300)
                    continue;
                double th = (a[q * k + q] - a[p * k + p]) / (2 * apq);
                double t = (th >= 0 ? 1 : -1) / (fabs(th) + sqrt(th * th + 1));
                double c = 1 / sqrt(t * t + 1), s = t * c;
                for (size_t r = 0; r < k; r++) {
                    double arp = a[r * k + p], arq = a[r * k + q];
                    a[r * k + p] = c * arp - s * arq;
                    a[r * k + q] = s * arp + c * arq;
                }
                for (size_t r = 0; r < k; r++) {
                    double apr = a[p * k + r], aqr = a[q * k + r];
                    a[p * k + r] = c * apr - s * aqr;
                    a[q * k + r] = s * apr + c * aqr;
                }
                for (size_t r = 0; r < k; r++) {
                    double vrp = v[r * k + p], vrq = v[r * k + q];
                    v[r * k + p] = c * vrp - s * vrq;
                    v[r * k + q] = s * vrp + c * vrq;
                }
            }
    }
    for (size_t i = 0; i < k; i++)
        ev[i] = a[i * k + i];
}

static cip_status collinear_report(struct auditi *w, const size_t *use, size_t k, const double *r2,
                                   double cond)
{
    size_t nhi = 0, worst = 0;
    for (size_t i = 0; i < k; i++) {
        nhi += r2[i] >= 0.999;
        if (r2[i] > r2[worst])
            worst = i;
    }
    if (nhi == 0 && !(cond > 1e4))
        return CIP_OK;
    struct audit_finding *fd;
    cip_status rc = cipi_audit_add(w, CIP_AUDIT_MULTICOLLINEARITY, CIP_AUDIT_WARNING, NULL, 0, &fd);
    for (size_t i = 0; rc == CIP_OK && i < k; i++)
        if (r2[i] >= 0.999)
            rc = cipi_audit_add_col(w, fd, w->fname[use[i]]);
    if (rc == CIP_OK)
        rc = cipi_audit_msg(w, fd,
                            "near-perfect multicollinearity: %zu of %zu numeric features have "
                            "R^2 >= 0.999 on the others (max %.6f for '%s'); condition number "
                            "of the standardised design %.4g",
                            nhi, k, r2[worst], w->fname[use[worst]], cond);
    if (rc == CIP_OK)
        rc = cipi_audit_val(w, fd, "features_r2_ge_0.999", (double)nhi);
    if (rc == CIP_OK)
        rc = cipi_audit_val(w, fd, "max_r2", r2[worst]);
    if (rc == CIP_OK)
        rc = cipi_audit_val(w, fd, "condition_number", cond);
    if (rc == CIP_OK)
        rc = cipi_audit_fix(w, fd,
                            "the features are (near) functions of each other: a sign of "
                            "engineered duplicates or synthetic data; keep one per group and do "
                            "not read coefficients or importances");
    return rc;
}

static cip_status collinearity(struct auditi *w)
{
    size_t m = w->nf + 1, k = 0;
    cip_status rc = CIP_OK;
    size_t *use = cipi_mallocarray(w->ctx, w->nf, sizeof *use);
    double *a = cipi_mallocarray(w->ctx, m * m, sizeof *a);
    double *v = cipi_mallocarray(w->ctx, m * m, sizeof *v);
    double *ev = cipi_mallocarray(w->ctx, m, sizeof *ev);
    double *r2 = cipi_mallocarray(w->ctx, m, sizeof *r2);
    if (use == NULL || a == NULL || v == NULL || ev == NULL || r2 == NULL) {
        rc = CIP_ERR_NOMEM;
        goto done;
    }
    for (size_t j = 0; j < w->nf; j++)
        if (w->ftype[j] != CIP_TYPE_CAT && !w->idlike[j] && w->fdistinct[j] > 1 &&
            !isnan(w->corr[j * m + j]))
            use[k++] = j;
    if (k < 2)
        goto done;
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++) {
            double c = w->corr[use[i] * m + use[j]];
            a[i * k + j] = isnan(c) ? 0 : c;
        }
    jacobi(a, k, ev, v);
    double emax = 0, emin = INFINITY;
    for (size_t i = 0; i < k; i++) {
        emax = fmax(emax, ev[i]);
        emin = fmin(emin, ev[i]);
    }
    double cond = emin > 1e-15 * emax ? sqrt(emax / emin) : (double)INFINITY;
    for (size_t i = 0; i < k; i++) {
        double vif = 0;
        for (size_t e = 0; e < k; e++) {
            double lam = ev[e] > 1e-12 ? ev[e] : 1e-12;
            vif += v[i * k + e] * v[i * k + e] / lam;
        }
        r2[i] = vif > 1 ? 1 - 1 / vif : 0;
    }
    rc = collinear_report(w, use, k, r2, cond);
done:
    cipi_free(w->ctx, use);
    cipi_free(w->ctx, a);
    cipi_free(w->ctx, v);
    cipi_free(w->ctx, ev);
    cipi_free(w->ctx, r2);
    return rc;
}

cip_status cipi_audit_synthetic(struct auditi *w)
{
    return collinearity(w);
}

cip_status cipi_audit_schema(struct auditi *w)
{
    cip_schema_params sp;
    cip_schema_params_default(&sp);
    for (size_t k = 0; k < CIP_SCHEMA_N_COLUMNS; k++) {
        size_t j;
        const char *c = cip_schema_column(&sp, k);
        if (c != NULL && cip_frame_find(NULL, w->f, c, &j) != CIP_OK)
            return CIP_OK; /* not a customer table */
    }
    sp.max_examples = w->p->max_examples;
    cip_validation *v = NULL;
    cip_status rc = cip_validate_frame(w->ctx, w->f, &sp, &v);
    if (rc != CIP_OK)
        return rc;
    size_t nv = cip_validation_count(v);
    for (size_t k = 0; rc == CIP_OK && k < nv; k++) {
        cip_violation vi;
        if (!cip_validation_get(v, k, &vi))
            continue;
        struct audit_finding *fd;
        rc = cipi_audit_add(w, CIP_AUDIT_SCHEMA,
                            vi.severity == CIP_SEVERITY_ERROR ? CIP_AUDIT_WARNING : CIP_AUDIT_INFO,
                            NULL, 0, &fd);
        if (rc == CIP_OK && vi.column != NULL)
            rc = cipi_audit_add_col(w, fd, vi.column);
        if (rc == CIP_OK)
            rc = cipi_audit_msg(w, fd, "%s %s%s%s: %s (%zu rows)", cip_severity_name(vi.severity),
                                cip_violation_kind_name(vi.kind), vi.column != NULL ? " in " : "",
                                vi.column != NULL ? vi.column : "", vi.rule, vi.count);
        if (rc == CIP_OK)
            rc = cipi_audit_val(w, fd, "rows", (double)vi.count);
        if (rc == CIP_OK && vi.n_examples > 0) {
            size_t ex[100], ne = 0;
            for (size_t q = 0; q < vi.n_examples && ne < 100; q++)
                if (vi.lines[q] >= 2)
                    ex[ne++] = vi.lines[q] - 2;
            rc = cipi_audit_rows(w, fd, ex, ne);
        }
        if (rc == CIP_OK)
            rc = cipi_audit_fix(w, fd, "see `cip validate` and fix the input data");
    }
    cip_validation_free(v);
    return rc;
}
