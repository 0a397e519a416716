/* columns.c - check 7: identical, constant and near-constant columns, and
 * ID-like columns (unique per row) that predict the target
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "audit_int.h"

static int same_col(const double *a, const double *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i] && !(isnan(a[i]) && isnan(b[i])))
            return 0;
    return 1;
}

static cip_status identical(struct auditi *w)
{
    size_t nf = w->nf;
    cip_status rc = CIP_OK;
    uint64_t *h = cipi_calloc(w->ctx, nf + 1, sizeof *h);
    uint8_t *done = cipi_calloc(w->ctx, nf + 1, 1);
    if (h == NULL || done == NULL) {
        rc = CIP_ERR_NOMEM;
        goto out;
    }
    for (size_t j = 0; j <= nf; j++) {
        const double *c = j == nf ? w->y : w->x[j];
        uint64_t acc = 0x243f6a8885a308d3u;
        for (size_t i = 0; i < w->n; i++)
            acc = (acc ^ cipi_audit_hash_double(c[i])) * 0x100000001b3u;
        h[j] = acc;
    }
    for (size_t a = 0; rc == CIP_OK && a < nf; a++) {
        if (done[a] || w->ftype[a] == CIP_TYPE_CAT || w->ftop[a] == w->n)
            continue;
        for (size_t b = a + 1; rc == CIP_OK && b <= nf; b++) {
            int tgt = b == nf;
            if (h[a] != h[b] || done[b] || (!tgt && w->ftype[b] == CIP_TYPE_CAT))
                continue;
            if (!same_col(w->x[a], tgt ? w->y : w->x[b], w->n))
                continue;
            done[b] = 1;
            size_t cols[2] = {a, tgt ? SIZE_MAX : b};
            struct audit_finding *fd;
            rc = cipi_audit_add(w, CIP_AUDIT_IDENTICAL_COLUMNS,
                                tgt ? CIP_AUDIT_HIGH : CIP_AUDIT_WARNING, cols, 2, &fd);
            if (rc == CIP_OK)
                rc = cipi_audit_msg(w, fd, "'%s' and %s'%s' are identical on all %zu rows",
                                    w->fname[a], tgt ? "the target " : "",
                                    tgt ? w->tname : w->fname[b], w->n);
            if (rc == CIP_OK)
                rc = cipi_audit_val(w, fd, "rows_equal", (double)w->n);
            if (rc == CIP_OK)
                rc = tgt ? cipi_audit_fix(w, fd, "'%s' is a copy of the target: drop it",
                                          w->fname[a])
                         : cipi_audit_fix(w, fd,
                                          "drop '%s' (a duplicate of '%s'); identical columns "
                                          "usually mean two rules with the same threshold",
                                          w->fname[b], w->fname[a]);
        }
    }
out:
    cipi_free(w->ctx, h);
    cipi_free(w->ctx, done);
    return rc;
}

static cip_status constant(struct auditi *w, size_t j)
{
    double share = (double)w->ftop[j] / (double)w->n;
    int cst = w->fdistinct[j] <= 1;
    if (!cst && share < 0.99)
        return CIP_OK;
    struct audit_finding *fd;
    cip_status rc = cipi_audit_add(w, CIP_AUDIT_CONSTANT_COLUMN,
                                   cst ? CIP_AUDIT_WARNING : CIP_AUDIT_INFO, &j, 1, &fd);
    if (rc == CIP_OK)
        rc = cst ? cipi_audit_msg(w, fd, "'%s' is constant (%zu distinct value)", w->fname[j],
                                  w->fdistinct[j])
                 : cipi_audit_msg(w, fd, "'%s' is near-constant: one value on %.2f%% of rows",
                                  w->fname[j], 100 * share);
    if (rc == CIP_OK)
        rc = cipi_audit_val(w, fd, "top_share", share);
    if (rc == CIP_OK)
        rc = cipi_audit_val(w, fd, "distinct", (double)w->fdistinct[j]);
    if (rc == CIP_OK)
        rc = cipi_audit_fix(w, fd, "drop '%s': it carries (almost) no information", w->fname[j]);
    return rc;
}

static cip_status idcol(struct auditi *w, size_t j)
{
    const cip_audit_params *p = w->p;
    double pw = w->power[j];
    cip_audit_severity sev = CIP_AUDIT_INFO;
    if (pw >= p->power_high)
        sev = CIP_AUDIT_HIGH;
    else if (pw >= 0.75)
        sev = CIP_AUDIT_WARNING;
    struct audit_finding *fd;
    cip_status rc = cipi_audit_add(w, CIP_AUDIT_ID_COLUMN, sev, &j, 1, &fd);
    int auc = w->binary && w->ftype[j] != CIP_TYPE_CAT;
    if (rc == CIP_OK && isnan(pw))
        rc = cipi_audit_msg(w, fd, "'%s' is unique per row (an identifier)", w->fname[j]);
    else if (rc == CIP_OK)
        rc = cipi_audit_msg(w, fd,
                            "'%s' is unique per row (an identifier); its power on '%s' is %.4f "
                            "(%s)",
                            w->fname[j], w->tname, pw,
                            auc ? "ROC AUC" : "adjusted eta^2 over quantile bins");
    if (rc == CIP_OK)
        rc = cipi_audit_val(w, fd, "power", pw);
    if (rc == CIP_OK)
        rc = cipi_audit_fix(w, fd,
                            "do not use '%s' as a feature%s; use it as the group key of a "
                            "group split",
                            w->fname[j],
                            sev > CIP_AUDIT_INFO ? " (the rows are ordered by the target)" : "");
    return rc;
}

cip_status cipi_audit_columns(struct auditi *w)
{
    cip_status rc = identical(w);
    for (size_t j = 0; rc == CIP_OK && j < w->nf; j++) {
        if (w->idlike[j])
            rc = idcol(w, j);
        else
            rc = constant(w, j);
    }
    return rc;
}
