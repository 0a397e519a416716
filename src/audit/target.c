/* target.c - the audit's target: a column, or a label from a rule over a
 * column ("COL > q75", "COL >= 3.5", "churn"), and the target's grid
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_int.h"

/* Parse "COL OP VALUE" (VALUE a number, qNN percent or q0.x fraction). */
static cip_status parse_rule(cip_ctx *ctx, const char *rule, char *col, size_t col_size, char op[3],
                             int *is_q, double *val)
{
    const char *o = strpbrk(rule, "<>=");
    if (o == NULL || o == rule)
        return cipi_fail(ctx, CIP_ERR_INVALID, "label rule '%s': expected 'COLUMN OP VALUE'", rule);
    size_t len = (size_t)(o - rule);
    while (len > 0 && (rule[len - 1] == ' ' || rule[len - 1] == '\t'))
        len--;
    const char *c0 = rule;
    while (*c0 == ' ' && len > 0) {
        c0++;
        len--;
    }
    if (len == 0 || len >= col_size)
        return cipi_fail(ctx, CIP_ERR_INVALID, "label rule '%s': bad column name", rule);
    memcpy(col, c0, len);
    col[len] = '\0';
    size_t ol = (o[1] == '=') ? 2 : 1;
    if (o[0] == '=' && ol != 2)
        return cipi_fail(ctx, CIP_ERR_INVALID, "label rule '%s': use == for equality", rule);
    memcpy(op, o, ol);
    op[ol] = '\0';
    const char *v = o + ol;
    while (*v == ' ')
        v++;
    *is_q = 0;
    if (*v == 'q' || *v == 'Q') {
        *is_q = 1;
        v++;
    }
    char *end = NULL;
    double d = strtod(v, &end);
    while (end != NULL && *end == ' ')
        end++;
    if (end == v || end == NULL || *end != '\0' || !isfinite(d))
        return cipi_fail(ctx, CIP_ERR_INVALID, "label rule '%s': bad value", rule);
    if (*is_q) {
        if (d > 1)
            d /= 100;
        if (!(d >= 0 && d <= 1))
            return cipi_fail(ctx, CIP_ERR_INVALID, "label rule '%s': quantile out of range", rule);
    }
    *val = d;
    return CIP_OK;
}

static int rule_true(double x, const char *op, double t)
{
    if (op[0] == '>')
        return op[1] == '=' ? x >= t : x > t;
    if (op[0] == '<')
        return op[1] == '=' ? x <= t : x < t;
    return x == t;
}

cip_status cipi_audit_load_target(cip_ctx *ctx, const cip_frame *f, const cip_audit_params *p,
                                  struct target_src *t)
{
    size_t n = cip_frame_n_rows(f), j;
    cip_status rc;
    t->y = cipi_mallocarray(ctx, n ? n : 1, sizeof *t->y);
    if (t->y == NULL)
        return CIP_ERR_NOMEM;
    if (p->label_rule == NULL) {
        if ((rc = cip_frame_find(ctx, f, p->target, &j)) != CIP_OK)
            return rc;
        cip_frame_get_col(f, j, t->y);
        t->categorical =
            cip_frame_col_type(f, j) == CIP_TYPE_CAT || cip_frame_col_type(f, j) == CIP_TYPE_BOOL;
        return CIP_OK;
    }
    t->is_label = 1;
    if (strcmp(p->label_rule, "churn") == 0) {
        if (p->pipeline == NULL)
            return cipi_fail(ctx, CIP_ERR_INVALID, "label rule 'churn' needs a feature pipeline");
        uint8_t *lab = cipi_mallocarray(ctx, n ? n : 1, 1);
        if (lab == NULL)
            return CIP_ERR_NOMEM;
        rc = cip_featpipe_churn_label(ctx, p->pipeline, f, lab, n);
        for (size_t i = 0; rc == CIP_OK && i < n; i++)
            t->y[i] = lab[i];
        cipi_free(ctx, lab);
        if (rc != CIP_OK)
            return rc;
        cip_featpipe_info info;
        cip_featpipe_get_info(p->pipeline, &info);
        snprintf(t->rule_col, sizeof t->rule_col, "churn_risk_score");
        memcpy(t->op, ">", 2);
        t->thr = info.churn_threshold;
        if (cip_frame_find(NULL, f, t->rule_col, &j) == CIP_OK) {
            t->rule_vals = cipi_mallocarray(ctx, n ? n : 1, sizeof *t->rule_vals);
            if (t->rule_vals == NULL)
                return CIP_ERR_NOMEM;
            cip_frame_get_col(f, j, t->rule_vals);
        } else {
            t->rule_col[0] = '\0';
        }
        return CIP_OK;
    }
    int is_q = 0;
    double v = 0;
    rc = parse_rule(ctx, p->label_rule, t->rule_col, sizeof t->rule_col, t->op, &is_q, &v);
    if (rc == CIP_OK)
        rc = cip_frame_find(ctx, f, t->rule_col, &j);
    if (rc != CIP_OK)
        return rc;
    if (cip_frame_col_type(f, j) == CIP_TYPE_CAT)
        return cipi_fail(ctx, CIP_ERR_SCHEMA, "label rule column '%s' is not numeric", t->rule_col);
    t->rule_vals = cipi_mallocarray(ctx, n ? n : 1, sizeof *t->rule_vals);
    if (t->rule_vals == NULL)
        return CIP_ERR_NOMEM;
    cip_frame_get_col(f, j, t->rule_vals);
    t->thr = v;
    if (is_q && (rc = cipi_audit_quantile(ctx, t->rule_vals, n, v, &t->thr)) != CIP_OK)
        return rc;
    for (size_t i = 0; i < n; i++)
        t->y[i] = isnan(t->rule_vals[i]) ? (double)NAN
                                         : (double)rule_true(t->rule_vals[i], t->op, t->thr);
    return CIP_OK;
}

/* Target grid: the largest step s in {k * 10^e, k = 1, 2, 2.5, 5} with every value a
 * multiple of s; 0 when none from 1e-6 up. */
double cipi_audit_grid(const double *y, size_t n)
{
    static const double mult[] = {5, 2.5, 2, 1};
    for (int e = 6; e >= -6; e--) {
        for (size_t m = 0; m < CIP_ARRAY_LEN(mult); m++) {
            double s = mult[m] * pow(10.0, e);
            int ok = 1, any = 0;
            for (size_t i = 0; i < n && ok; i++) {
                if (!isfinite(y[i]))
                    continue;
                double q = y[i] / s;
                if (fabs(q - nearbyint(q)) > 1e-6)
                    ok = 0;
                if (y[i] != 0)
                    any = 1;
            }
            if (ok && any)
                return s;
        }
    }
    return 0;
}
