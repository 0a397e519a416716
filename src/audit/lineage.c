/* lineage.c - check 5: target-definition lineage for labels defined by a
 * rule over a column. The rule's inputs are the rule column, its raw inputs
 * from the feature pipeline's lineage, and the features that rebuild the
 * rule column exactly (a + b*x [+ c*y], found by the reconstruction search);
 * every feature that is an input or derived from one is flagged, and the
 * classes are tested for separability by a threshold on each input and on
 * the rule's own linear formula
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "audit_int.h"

#define MAX_RAW 16

struct rule_inputs {
    const char *raw[MAX_RAW]; /* raw input names (pipeline lineage and data) */
    size_t n_raw;
};

static void add_raw(struct rule_inputs *r, const char *name)
{
    for (size_t k = 0; k < r->n_raw; k++)
        if (strcmp(r->raw[k], name) == 0)
            return;
    if (r->n_raw < MAX_RAW)
        r->raw[r->n_raw++] = name;
}

static int is_raw(const struct rule_inputs *r, const char *name)
{
    for (size_t k = 0; k < r->n_raw; k++)
        if (strcmp(r->raw[k], name) == 0)
            return 1;
    return 0;
}

/* Is feature j an input or (by the pipeline's lineage) derived from one? *via = the input. */
static int derived(const struct auditi *w, const struct rule_inputs *r, size_t j, const char **via)
{
    if (is_raw(r, w->fname[j])) {
        *via = w->fname[j];
        return 1;
    }
    const char *const *in;
    size_t n;
    if (w->p->pipeline == NULL ||
        cip_featpipe_lineage(w->p->pipeline, w->fname[j], &in, &n) != CIP_OK)
        return 0;
    for (size_t k = 0; k < n; k++)
        if (is_raw(r, in[k])) {
            *via = in[k];
            return 1;
        }
    return 0;
}

/* Separability of the label by s (higher s = ?): AUC and the gap between the classes. */
static double sep_auc(struct auditi *w, const double *s, struct audit_vi *scr, double *lo,
                      double *hi)
{
    double a = cipi_audit_auc(s, w->yb, NULL, w->n, scr);
    int pos_high = a >= 0.5;
    double pmin = INFINITY, pmax = -INFINITY, nmin = INFINITY, nmax = -INFINITY;
    for (size_t i = 0; i < w->n; i++) {
        if (isnan(s[i]))
            continue;
        if (w->yb[i]) {
            pmin = fmin(pmin, s[i]);
            pmax = fmax(pmax, s[i]);
        } else {
            nmin = fmin(nmin, s[i]);
            nmax = fmax(nmax, s[i]);
        }
    }
    *lo = pos_high ? nmax : pmax; /* the lower class's maximum */
    *hi = pos_high ? pmin : nmin; /* the upper class's minimum */
    return fmax(a, 1 - a);
}

static cip_status formula_finding(struct auditi *w, const char *rule_col, double thr,
                                  const char *op, const size_t feats[2], size_t nb,
                                  const double coef[3], double r2, struct audit_vi *scr)
{
    double *s = cipi_mallocarray(w->ctx, w->n, sizeof *s);
    if (s == NULL)
        return CIP_ERR_NOMEM;
    for (size_t i = 0; i < w->n; i++)
        s[i] = coef[1] * w->x[feats[0]][i] + (nb == 2 ? coef[2] * w->x[feats[1]][i] : 0);
    double lo, hi, auc = sep_auc(w, s, scr, &lo, &hi);
    cipi_free(w->ctx, s);
    size_t cols[2] = {feats[0], feats[1]};
    struct audit_finding *fd;
    cip_status rc = cipi_audit_add(w, CIP_AUDIT_LINEAGE, CIP_AUDIT_HIGH, cols, nb, &fd);
    char f[600];
    const char *nm[2] = {w->fname[feats[0]], w->fname[feats[1]]};
    cipi_audit_fmt_lin(f, sizeof f, 1, coef[0], coef + 1, nm, nb);
    if (rc == CIP_OK)
        rc = cipi_audit_expr(w, fd, "%s = (%s %s %.6g), %s = %s", w->tname, rule_col, op, thr,
                             rule_col, f);
    if (rc == CIP_OK)
        rc = cipi_audit_msg(w, fd,
                            "the label is a rule over %s%s%s: '%s' = %s (R^2 %.7f); the classes "
                            "are %s by this formula (ROC AUC %.6f; gap between classes [%.6g, "
                            "%.6g])",
                            w->fname[feats[0]], nb == 2 ? " and " : "",
                            nb == 2 ? w->fname[feats[1]] : "", rule_col, f, r2,
                            auc >= 1 ? "linearly separable" : "almost separable", auc, lo, hi);
    if (rc == CIP_OK)
        rc = cipi_audit_val(w, fd, "r2", r2);
    if (rc == CIP_OK)
        rc = cipi_audit_val(w, fd, "separation_auc", auc);
    if (rc == CIP_OK)
        rc = cipi_audit_val(w, fd, "separable", auc >= 1 ? 1 : 0);
    if (rc == CIP_OK)
        rc = cipi_audit_val(w, fd, "gap_low", lo);
    if (rc == CIP_OK)
        rc = cipi_audit_val(w, fd, "gap_high", hi);
    if (rc == CIP_OK)
        rc = cipi_audit_fix(w, fd,
                            "a model that sees these inputs (or anything derived from them) "
                            "learns the rule, not behaviour: drop them, or define the label from "
                            "information not available as features (e.g. future churn)");
    return rc;
}

static cip_status flag_feature(struct auditi *w, size_t j, const char *via, const char *rule_col,
                               struct audit_vi *scr)
{
    double lo = NAN, hi = NAN, auc = NAN;
    if (w->ftype[j] != CIP_TYPE_CAT)
        auc = sep_auc(w, w->x[j], scr, &lo, &hi);
    struct audit_finding *fd;
    cip_status rc = cipi_audit_add(w, CIP_AUDIT_LINEAGE, CIP_AUDIT_HIGH, &j, 1, &fd);
    if (rc == CIP_OK && (long)j == w->rule_feat)
        rc = cipi_audit_msg(w, fd, "'%s' defines the label (%s)", w->fname[j], w->p->label_rule);
    else if (rc == CIP_OK && strcmp(via, w->fname[j]) == 0)
        rc = cipi_audit_msg(w, fd, "'%s' is an input of the label's rule column '%s'", w->fname[j],
                            rule_col);
    else if (rc == CIP_OK)
        rc = cipi_audit_msg(w, fd, "'%s' is derived from '%s', an input of the label's rule",
                            w->fname[j], via);
    if (rc == CIP_OK && !isnan(auc)) {
        char more[200];
        snprintf(more, sizeof more, "; threshold separability: ROC AUC %.6f%s", auc,
                 auc >= 1 ? " (a single threshold separates the classes)" : "");
        size_t l = strlen(fd->message);
        char *m = cipi_realloc(w->ctx, fd->message, l + strlen(more) + 1);
        if (m == NULL)
            return CIP_ERR_NOMEM;
        memcpy(m + l, more, strlen(more) + 1);
        fd->message = m;
        rc = cipi_audit_val(w, fd, "threshold_auc", auc);
    }
    if (rc == CIP_OK)
        rc = cipi_audit_fix(w, fd, "drop '%s' from the features of this target", w->fname[j]);
    return rc;
}

cip_status cipi_audit_lineage(struct auditi *w, const double *rule_vals, const char *rule_col,
                              double thr, const char *op)
{
    struct rule_inputs r;
    memset(&r, 0, sizeof r);
    const char *col = rule_col != NULL ? rule_col : "churn_risk_score";
    const char *const *in;
    size_t n_in;
    if (w->p->pipeline != NULL && cip_featpipe_lineage(w->p->pipeline, col, &in, &n_in) == CIP_OK)
        for (size_t k = 0; k < n_in; k++)
            add_raw(&r, in[k]);
    add_raw(&r, col);
    if (!w->binary)
        return CIP_OK;
    struct audit_vi *scr = cipi_mallocarray(w->ctx, w->n, sizeof *scr);
    if (scr == NULL)
        return CIP_ERR_NOMEM;
    cip_status rc = CIP_OK;
    if (rule_vals != NULL) {
        size_t feats[2] = {0, 0}, nb = 0;
        double coef[3] = {0, 0, 0}, r2 = NAN;
        rc = cipi_audit_recon_best(w, rule_vals, w->rule_feat, 0.9999, feats, &nb, coef, &r2);
        if (rc == CIP_OK && nb > 0 && r2 >= 0.9999) {
            for (size_t k = 0; k < nb; k++)
                add_raw(&r, w->fname[feats[k]]);
            rc = formula_finding(w, col, thr, op, feats, nb, coef, r2, scr);
        }
    }
    for (size_t j = 0; rc == CIP_OK && j < w->nf; j++) {
        const char *via = NULL;
        if (derived(w, &r, j, &via))
            rc = flag_feature(w, j, via, col, scr);
    }
    cipi_free(w->ctx, scr);
    return rc;
}
