/* evaluate.c - pipeline stage 5: held-out evaluation, baselines, lift, the honesty verdict
 *
 * The honest models are scored on the pipeline's test rows (their feature
 * pipeline transforms those rows; the churn label of a test row uses the
 * threshold fitted on the training rows). The metrics are written into the
 * train result (so that tracking logs them) replacing the training-row
 * baselines cip_train_run computed without a test set.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cip/stats.h"
#include "pipeline_int.h"

/* Model input for rows of the raw table (NULL rows = all) and the prepared frame. */
static cip_status design(struct pl_state *s, const cip_train_result *r, const size_t *rows,
                         size_t n, cip_frame **prep, cip_frame **x)
{
    cip_frame *sub = NULL;
    cip_status rc = CIP_OK;
    if (rows != NULL)
        rc = cip_frame_take_rows(s->ctx, s->raw, rows, n, &sub);
    if (rc == CIP_OK)
        rc = cip_train_prepare(s->ctx, sub != NULL ? sub : s->raw, r->featpipe,
                               (const char *const *)r->features, r->n_features, prep);
    if (rc == CIP_OK)
        rc = cip_frame_select(s->ctx, *prep, (const char *const *)r->features, r->n_features, x);
    cip_frame_free(sub);
    return rc;
}

/* Predictions (regression) or P(class 1) of r's forest for x into out[n]. */
static cip_status predict(cip_ctx *ctx, const cip_train_result *r, const cip_frame *x, double *out)
{
    size_t n = cip_frame_n_rows(x), nc = 0;
    if (r->task == CIP_TRAIN_CLV)
        return cip_forest_predict(ctx, r->forest, x, out, n);
    const double *cls = cip_forest_classes(r->forest, &nc);
    size_t pos = nc;
    for (size_t c = 0; c < nc; c++)
        if (cls[c] == 1.0)
            pos = c;
    double *pr = cipi_mallocarray(ctx, n * (nc ? nc : 1) + 1, sizeof *pr);
    if (pr == NULL)
        return cipi_nomem(ctx);
    cip_status rc = cip_forest_predict_proba(ctx, r->forest, x, pr, n * nc);
    for (size_t i = 0; rc == CIP_OK && i < n; i++)
        out[i] = pos < nc ? pr[i * nc + pos] : 0.0;
    cipi_free(ctx, pr);
    return rc;
}

static cip_status drop_train_baselines(cip_train_result *r)
{
    size_t k = 0;
    for (size_t i = 0; i < r->n_metrics; i++)
        if (strncmp(r->metrics[i].name, "baseline_", 9) != 0)
            r->metrics[k++] = r->metrics[i];
    r->n_metrics = k;
    return CIP_OK;
}

static cip_status eval_clv(struct pl_state *s, struct pl_model *m)
{
    cip_ctx *ctx = s->ctx;
    cip_regression_metrics rm, bm;
    size_t j;
    cip_status rc = cip_frame_find(ctx, s->raw, "purchase_amount", &j);
    double mean = 0.0, sd = NAN, *all = cipi_mallocarray(ctx, s->n, sizeof *all);
    double *base = cipi_mallocarray(ctx, m->n_test ? m->n_test : 1, sizeof *base);
    if (rc == CIP_OK && (all == NULL || base == NULL))
        rc = cipi_nomem(ctx);
    if (rc == CIP_OK) {
        cip_frame_get_col(s->raw, j, all);
        for (size_t i = 0; i < s->n_test; i++)
            m->actual[i] = all[s->test[i]];
        for (size_t i = 0; i < s->n_train; i++)
            mean += all[s->train[i]] / (double)s->n_train;
        for (size_t i = 0; i < m->n_test; i++)
            base[i] = mean;
        rc = cip_stats_std(ctx, all, s->n, 1, &sd);
    }
    if (rc == CIP_OK)
        rc = cip_metric_regression(ctx, m->actual, m->pred, NULL, m->n_test, &rm);
    if (rc == CIP_OK)
        rc = cip_metric_regression(ctx, m->actual, base, NULL, m->n_test, &bm);
    cipi_free(ctx, all);
    cipi_free(ctx, base);
    cip_train_result *r = m->honest;
    if (rc == CIP_OK)
        rc = cipi_pl_set_metric(ctx, r, "test_r2", rm.r2);
    if (rc == CIP_OK)
        rc = cipi_pl_set_metric(ctx, r, "test_rmse", rm.rmse);
    if (rc == CIP_OK)
        rc = cipi_pl_set_metric(ctx, r, "test_mae", rm.mae);
    if (rc == CIP_OK)
        rc = cipi_pl_set_metric(ctx, r, "rmse_to_std_ratio", rm.rmse / sd);
    if (rc == CIP_OK)
        rc = cipi_pl_set_metric(ctx, r, "baseline_mean_test_r2", bm.r2);
    if (rc == CIP_OK)
        rc = cipi_pl_set_metric(ctx, r, "baseline_mean_test_rmse", bm.rmse);
    m->base_score[0] = bm.r2;
    m->base_score[1] = bm.rmse;
    return rc;
}

static cip_status labels(cip_ctx *ctx, const double *v, size_t n, uint32_t **out)
{
    *out = cipi_mallocarray(ctx, n ? n : 1, sizeof **out);
    if (*out == NULL)
        return cipi_nomem(ctx);
    for (size_t i = 0; i < n; i++)
        (*out)[i] = v[i] > 0.5;
    return CIP_OK;
}

static cip_status eval_churn(struct pl_state *s, struct pl_model *m, const cip_frame *prep)
{
    cip_ctx *ctx = s->ctx;
    size_t n = m->n_test;
    uint8_t *lab = cipi_malloc(ctx, n ? n : 1);
    uint32_t *yt = NULL, *yp = NULL, *yb = NULL;
    double *base = cipi_mallocarray(ctx, n ? n : 1, sizeof *base), acc = NAN, auc = NAN;
    cip_prf prf = {0, 0, 0}, bprf = {0, 0, 0};
    cip_status rc = lab && base ? CIP_OK : cipi_nomem(ctx);
    if (rc == CIP_OK)
        rc = cip_featpipe_churn_label(ctx, m->honest->featpipe, prep, lab, n);
    /* the prior: the label is the top quartile of the training rows by construction */
    double prior = 1.0 - 0.75;
    for (size_t i = 0; rc == CIP_OK && i < n; i++)
        m->actual[i] = lab[i];
    for (size_t i = 0; i < n; i++)
        base[i] = prior;
    if (rc == CIP_OK)
        rc = labels(ctx, m->actual, n, &yt);
    if (rc == CIP_OK)
        rc = labels(ctx, m->pred, n, &yp);
    if (rc == CIP_OK)
        rc = labels(ctx, base, n, &yb);
    if (rc == CIP_OK)
        rc = cip_metric_prf(ctx, yt, yp, n, NULL, &prf);
    if (rc == CIP_OK)
        rc = cip_metric_prf(ctx, yt, yb, n, NULL, &bprf);
    if (rc == CIP_OK)
        rc = cip_metric_accuracy(ctx, yt, yp, NULL, n, &acc);
    if (rc == CIP_OK)
        rc = cip_metric_confusion_matrix(ctx, yt, yp, n, NULL, &m->confusion[0][0]);
    if (rc == CIP_OK && cip_metric_roc_auc(ctx, yt, m->pred, NULL, n, &auc) == CIP_OK) {
        rc = cip_metric_roc_curve(ctx, yt, m->pred, NULL, n, &m->roc);
        if (rc == CIP_OK)
            rc = cip_metric_pr_curve(ctx, yt, m->pred, NULL, n, &m->pr);
    } else if (rc == CIP_OK) {
        cip_ctx_clear_error(ctx); /* one class in the test rows */
    }
    cip_train_result *r = m->honest;
    const char *names[] = {"test_f1",
                           "precision",
                           "recall",
                           "roc_auc",
                           "test_accuracy",
                           "baseline_prior_test_f1",
                           "baseline_prior_roc_auc"};
    double vals[] = {prf.f1, prf.precision, prf.recall, auc, acc, bprf.f1, 0.5};
    for (size_t k = 0; rc == CIP_OK && k < sizeof vals / sizeof vals[0]; k++)
        rc = cipi_pl_set_metric(ctx, r, names[k], vals[k]);
    m->base_score[0] = bprf.f1;
    m->base_score[1] = 0.5;
    cipi_free(ctx, lab);
    cipi_free(ctx, yt);
    cipi_free(ctx, yp);
    cipi_free(ctx, yb);
    cipi_free(ctx, base);
    return rc;
}

static cip_status explain(struct pl_state *s, struct pl_model *m)
{
    const char *metric = m->task == CIP_TRAIN_CLV ? "r2" : "f1";
    const char *key = m->task == CIP_TRAIN_CLV ? "test_r2" : "test_f1";
    double hv = cip_train_result_metric(m->honest, key);
    cip_status rc = CIP_OK;
    if (isfinite(hv))
        rc = cip_audit_explain_score(s->ctx, m->audit, metric, hv, &m->suspicious_honest,
                                     &m->explain_honest);
    double lv = m->leaky != NULL ? cip_train_result_metric(m->leaky, key) : (double)NAN;
    if (rc == CIP_OK && isfinite(lv))
        rc = cip_audit_explain_score(s->ctx, m->audit, metric, lv, &m->suspicious_leaky,
                                     &m->explain_leaky);
    return rc;
}

cip_status cipi_pl_evaluate(struct pl_state *s, struct pl_model *m)
{
    cip_ctx *ctx = s->ctx;
    cip_frame *prep = NULL, *x = NULL;
    m->n_test = s->n_test;
    m->actual = cipi_mallocarray(ctx, s->n_test ? s->n_test : 1, sizeof *m->actual);
    m->pred = cipi_mallocarray(ctx, s->n_test ? s->n_test : 1, sizeof *m->pred);
    m->pred_all = cipi_mallocarray(ctx, s->n, sizeof *m->pred_all);
    if (m->actual == NULL || m->pred == NULL || m->pred_all == NULL)
        return cipi_nomem(ctx);
    cip_status rc = design(s, m->honest, s->test, s->n_test, &prep, &x);
    if (rc == CIP_OK)
        rc = predict(ctx, m->honest, x, m->pred);
    if (rc == CIP_OK)
        rc = drop_train_baselines(m->honest);
    if (rc == CIP_OK)
        rc = m->task == CIP_TRAIN_CLV ? eval_clv(s, m) : eval_churn(s, m, prep);
    cip_frame_free(prep);
    cip_frame_free(x);
    prep = x = NULL;
    if (rc == CIP_OK)
        rc = design(s, m->honest, NULL, s->n, &prep, &x);
    if (rc == CIP_OK)
        rc = predict(ctx, m->honest, x, m->pred_all);
    cip_frame_free(prep);
    cip_frame_free(x);
    m->honest->n_rows = s->n;
    m->honest->n_test = s->n_test;
    if (rc == CIP_OK)
        rc = explain(s, m);
    return rc;
}

/* "name (what): <first line without ':'>; e.g. <finding>; <finding>". */
static cip_status push_explain(struct pl_state *s, const char *name, const char *what,
                               const char *text)
{
    const char *line[3] = {NULL, NULL, NULL};
    int len[3] = {0, 0, 0};
    const char *p = text;
    for (int k = 0; k < 3 && p != NULL && *p != '\0'; k++) {
        while (k > 0 && (*p == ' ' || *p == '-'))
            p++;
        line[k] = p;
        len[k] = (int)strcspn(p, "\n");
        p = p[len[k]] == '\n' ? p + len[k] + 1 : NULL;
    }
    if (len[0] > 0 && line[0][len[0] - 1] == ':')
        len[0]--;
    if (line[1] == NULL)
        return cipi_pl_push(s->ctx, &s->reasons, "%s (%s): %.*s", name, what, len[0], line[0]);
    return cipi_pl_push(s->ctx, &s->reasons, "%s (%s): %.*s; e.g. %.*s%s%.*s", name, what, len[0],
                        line[0], len[1], line[1], line[2] != NULL ? "; " : "",
                        line[2] != NULL ? len[2] : 0, line[2] != NULL ? line[2] : "");
}

cip_status cipi_pl_verdict(struct pl_state *s)
{
    struct pl_model *ms[2] = {&s->clv, &s->churn};
    int sus = 0;
    cip_status rc = CIP_OK;
    for (size_t k = 0; rc == CIP_OK && k < 2; k++) {
        struct pl_model *m = ms[k];
        if (!m->present)
            continue;
        /* the explanation's first line and its first two findings (all are in the audit) */
        if (m->suspicious_leaky && m->explain_leaky != NULL)
            rc = push_explain(s, m->name, "reference-style model", m->explain_leaky);
        if (rc == CIP_OK && m->suspicious_honest && m->explain_honest != NULL)
            rc = push_explain(s, m->name, "honest model", m->explain_honest);
        sus |= m->suspicious_leaky | m->suspicious_honest;
    }
    sus |= s->excluded.n > 0 || s->group;
    s->honesty = sus ? "suspicious" : "realistic";
    return rc;
}
