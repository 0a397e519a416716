/* leaks.c - choose the features an audit proves to leak (rules in cip/audit.h)
 *
 * Used by the training pipeline to exclude leaking features from a model's
 * feature set. Works on the public view of the findings only.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "audit_int.h"

struct cip_audit_leaks {
    struct cipi_alloc a;
    size_t n;
    char **feature; /* [n] owned */
    char **reason;  /* [n] owned */
};

void cip_audit_leak_params_default(cip_audit_leak_params *p)
{
    memset(p, 0, sizeof *p);
    p->perfect_power = 0.99999;
}

/* Working state: per input feature the chosen reason (owned) or NULL. */
struct leakw {
    cip_ctx *ctx;
    const cip_audit *a;
    const cip_audit_leak_params *p;
    const char *target;
    char **why; /* [n_features] */
};

static long feat_index(const struct leakw *w, const char *name)
{
    for (size_t k = 0; k < w->p->n_features; k++)
        if (strcmp(w->p->features[k], name) == 0)
            return (long)k;
    return -1;
}

/* Choose feature k (first reason wins): "'<feature>' <what><arg>". */
static cip_status choose(struct leakw *w, long k, const char *what, const char *arg)
{
    if (k < 0 || w->why[k] != NULL)
        return CIP_OK;
    char buf[1024];
    snprintf(buf, sizeof buf, "'%s' %s%s", w->p->features[k], what, arg != NULL ? arg : "");
    w->why[k] = cipi_strdup(w->ctx, buf);
    return w->why[k] == NULL ? cipi_nomem(w->ctx) : CIP_OK;
}

/* 1 when feature name derives from the target column through the pipeline's lineage. */
static int from_target(const struct leakw *w, const char *name)
{
    const char *const *in = NULL;
    size_t n = 0;
    if (w->p->pipeline == NULL || strcmp(name, w->target) == 0 ||
        cip_featpipe_lineage(w->p->pipeline, name, &in, &n) != CIP_OK)
        return 0;
    for (size_t k = 0; k < n; k++)
        if (strcmp(in[k], w->target) == 0)
            return 1;
    return 0;
}

static double named_value(const cip_audit_finding *f, const char *name)
{
    for (size_t k = 0; k < f->n_values; k++)
        if (strcmp(f->value_names[k], name) == 0)
            return f->values[k];
    return NAN;
}

/* The features of a finding (columns that are in p->features), at most cap. */
static size_t finding_features(const struct leakw *w, const cip_audit_finding *f, long *idx,
                               size_t cap)
{
    size_t m = 0;
    for (size_t c = 0; c < f->n_columns && m < cap; c++) {
        long k = feat_index(w, f->columns[c]);
        if (k >= 0)
            idx[m++] = k;
    }
    return m;
}

static cip_status reconstruction(struct leakw *w, const cip_audit_finding *f)
{
    long idx[8];
    size_t m = finding_features(w, f, idx, 8);
    if (m == 0)
        return CIP_OK;
    for (size_t i = 0; i < m; i++)
        if (w->why[idx[i]] != NULL)
            return CIP_OK; /* already broken up */
    const char *fmt = "rebuilds the target with the other features of: ";
    const char *expr = f->expression != NULL ? f->expression : f->message;
    for (size_t i = 0; i < m; i++)
        if (from_target(w, w->p->features[idx[i]]))
            return choose(w, idx[i], fmt, expr);
    long last = idx[0];
    for (size_t i = 1; i < m; i++)
        if (idx[i] > last)
            last = idx[i];
    return choose(w, last, fmt, expr);
}

/* Rules 1 and 2 (phase 0) or 5 and 6 (phase 1) for one high finding. */
static cip_status one_finding(struct leakw *w, const cip_audit_finding *f, int phase)
{
    long idx[8];
    size_t m = finding_features(w, f, idx, 8);
    double perfect = w->p->perfect_power;
    cip_status rc = CIP_OK;
    if (phase == 0 && f->kind == CIP_AUDIT_IDENTICAL_COLUMNS) {
        for (size_t c = 0; c < f->n_columns; c++)
            if (strcmp(f->columns[c], w->target) == 0)
                for (size_t i = 0; rc == CIP_OK && i < m; i++)
                    rc = choose(w, idx[i], "is a copy of the target", NULL);
    } else if (phase == 0 && f->kind == CIP_AUDIT_LINEAGE) {
        for (size_t i = 0; rc == CIP_OK && i < m; i++)
            rc = choose(w, idx[i], "defines the label or is derived from its rule: ", f->message);
    } else if (phase == 1 && f->kind == CIP_AUDIT_FUNCDEP && m == 1) {
        rc = choose(w, idx[0], "alone reproduces the target as a lookup: ", f->message);
    } else if (phase == 1 && f->kind == CIP_AUDIT_PREDICTIVE && m == 1) {
        double pw = fmax(named_value(f, "roc_auc"), named_value(f, "eta2_adjusted"));
        if (pw >= perfect)
            rc = choose(w, idx[0], "alone predicts the target perfectly: ", f->message);
    } else if (phase == 1 && f->kind == CIP_AUDIT_CORRELATION && m == 1) {
        if (fabs(named_value(f, "pearson")) >= perfect)
            rc = choose(w, idx[0], "is a linear copy of the target: ", f->message);
    }
    return rc;
}

/* High findings of phase (0: rules 1-2, 1: rules 5-6). */
static cip_status findings(struct leakw *w, int phase)
{
    cip_audit_finding f;
    cip_status rc = CIP_OK;
    for (size_t k = 0; rc == CIP_OK && k < cip_audit_count(w->a); k++) {
        cip_audit_get(w->a, k, &f);
        if (f.severity == CIP_AUDIT_HIGH)
            rc = one_finding(w, &f, phase);
    }
    return rc;
}

/* The rules in order; the first that chooses a feature gives its reason. */
static cip_status run_rules(struct leakw *w)
{
    cip_status rc = findings(w, 0);
    char buf[300];
    snprintf(buf, sizeof buf, "%s", w->target);
    for (size_t k = 0; rc == CIP_OK && k < w->p->n_features; k++) /* rule 3 */
        if (from_target(w, w->p->features[k]))
            rc = choose(w, (long)k, "is computed from the target column (pipeline lineage): ", buf);
    cip_audit_finding f;
    for (size_t k = 0; rc == CIP_OK && k < cip_audit_count(w->a); k++) { /* rule 4 */
        cip_audit_get(w->a, k, &f);
        if (f.severity == CIP_AUDIT_HIGH && f.kind == CIP_AUDIT_RECONSTRUCTION)
            rc = reconstruction(w, &f);
    }
    return rc == CIP_OK ? findings(w, 1) : rc;
}

static cip_status collect(struct leakw *w, cip_audit_leaks *l)
{
    size_t m = 0;
    for (size_t k = 0; k < w->p->n_features; k++)
        m += w->why[k] != NULL;
    l->feature = cipi_calloc(w->ctx, m ? m : 1, sizeof *l->feature);
    l->reason = cipi_calloc(w->ctx, m ? m : 1, sizeof *l->reason);
    if (l->feature == NULL || l->reason == NULL)
        return cipi_nomem(w->ctx);
    for (size_t k = 0; k < w->p->n_features; k++) {
        if (w->why[k] == NULL)
            continue;
        l->feature[l->n] = cipi_strdup(w->ctx, w->p->features[k]);
        l->reason[l->n] = w->why[k];
        w->why[k] = NULL;
        if (l->feature[l->n++] == NULL)
            return cipi_nomem(w->ctx);
    }
    return CIP_OK;
}

cip_status cip_audit_choose_leaks(cip_ctx *ctx, const cip_audit *a, const cip_audit_leak_params *p,
                                  cip_audit_leaks **out)
{
    *out = NULL;
    if (a == NULL || p == NULL || (p->features == NULL && p->n_features > 0))
        return cipi_fail(ctx, CIP_ERR_MISUSE, "cip_audit_choose_leaks: NULL argument");
    if (!(p->perfect_power > 0.0 && p->perfect_power <= 1.0))
        return cipi_fail(ctx, CIP_ERR_INVALID, "perfect_power must be in (0, 1], got %g",
                         p->perfect_power);
    struct leakw w = {ctx, a, p, p->target_column, NULL};
    if (w.target == NULL)
        w.target = cip_audit_target(a) != NULL ? cip_audit_target(a) : "";
    cip_audit_leaks *l = cipi_calloc(ctx, 1, sizeof *l);
    w.why = cipi_calloc(ctx, p->n_features ? p->n_features : 1, sizeof *w.why);
    cip_status rc = l == NULL || w.why == NULL ? cipi_nomem(ctx) : CIP_OK;
    if (l != NULL)
        l->a = cipi_ctx_alloc(ctx);
    if (rc == CIP_OK)
        rc = run_rules(&w);
    if (rc == CIP_OK)
        rc = collect(&w, l);
    for (size_t k = 0; w.why != NULL && k < p->n_features; k++)
        cipi_free(ctx, w.why[k]);
    cipi_free(ctx, w.why);
    if (rc != CIP_OK) {
        cip_audit_leaks_free(l);
        return rc;
    }
    *out = l;
    return CIP_OK;
}

size_t cip_audit_leaks_count(const cip_audit_leaks *l)
{
    return l != NULL ? l->n : 0;
}

const char *cip_audit_leaks_feature(const cip_audit_leaks *l, size_t k)
{
    return l != NULL && k < l->n ? l->feature[k] : NULL;
}

const char *cip_audit_leaks_reason(const cip_audit_leaks *l, size_t k)
{
    return l != NULL && k < l->n ? l->reason[k] : NULL;
}

int cip_audit_leaks_has(const cip_audit_leaks *l, const char *name)
{
    for (size_t k = 0; l != NULL && k < l->n; k++)
        if (strcmp(l->feature[k], name) == 0)
            return 1;
    return 0;
}

void cip_audit_leaks_free(cip_audit_leaks *l)
{
    if (l == NULL)
        return;
    struct cipi_alloc a = l->a;
    for (size_t k = 0; k < l->n; k++) {
        cipi_afree(&a, l->feature[k]);
        cipi_afree(&a, l->reason[k]);
    }
    cipi_afree(&a, l->feature);
    cipi_afree(&a, l->reason);
    cipi_afree(&a, l);
}
