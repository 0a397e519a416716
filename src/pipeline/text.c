/* text.c - the console summary of a pipeline run
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "pipeline_int.h"

static void fmtv(char *buf, size_t n, double v)
{
    if (isfinite(v))
        snprintf(buf, n, "%.4f", v);
    else
        snprintf(buf, n, "-");
}

static cip_status row(cip_ctx *ctx, struct cipi_buf *b, const char *label, double honest,
                      double leaky, double thr)
{
    char h[32], l[32];
    fmtv(h, sizeof h, honest);
    fmtv(l, sizeof l, leaky);
    return cipi_buf_printf(ctx, b, "  %-22s %10s %10s %8s%.2f  %s\n", label, h, l, "> ", thr,
                           !isfinite(honest) ? "-"
                           : honest > thr    ? "pass"
                                             : "FAIL");
}

static double met(const cip_train_result *r, const char *name)
{
    return r != NULL ? cip_train_result_metric(r, name) : (double)NAN;
}

static cip_status criteria(struct pl_state *s, struct cipi_buf *b)
{
    cip_ctx *ctx = s->ctx;
    cip_status rc = cipi_buf_printf(ctx, b,
                                    "\nsuccess criteria of the reference project "
                                    "(held-out rows)\n  %-22s %10s %10s %10s  %s\n",
                                    "metric", "honest", "leaky", "target", "honest");
    if (rc == CIP_OK && s->clv.present)
        rc = row(ctx, b, "CLV R2", met(s->clv.honest, "test_r2"), met(s->clv.leaky, "test_r2"),
                 0.80);
    if (rc == CIP_OK && s->churn.present)
        rc = row(ctx, b, "churn F1", met(s->churn.honest, "test_f1"),
                 met(s->churn.leaky, "test_f1"), 0.80);
    if (rc == CIP_OK && s->churn.present)
        rc = row(ctx, b, "churn precision", met(s->churn.honest, "precision"),
                 met(s->churn.leaky, "precision"), 0.75);
    if (rc == CIP_OK && s->seg.present)
        rc = row(ctx, b, "segments silhouette", met(s->seg.r, "silhouette_score"), NAN, 0.55);
    if (rc == CIP_OK && s->clv.present)
        rc = cipi_buf_printf(ctx, b,
                             "  CLV test RMSE %.2f vs mean baseline %.2f; churn ROC AUC %.4f vs "
                             "prior 0.5; segments: k = %zu\n",
                             met(s->clv.honest, "test_rmse"), s->clv.base_score[1],
                             met(s->churn.honest, "roc_auc"), s->seg.k);
    return rc;
}

static cip_status list(cip_ctx *ctx, struct cipi_buf *b, const char *title, const struct pl_strs *l)
{
    cip_status rc = l->n > 0 ? cipi_buf_printf(ctx, b, "%s\n", title) : CIP_OK;
    for (size_t k = 0; rc == CIP_OK && k < l->n; k++)
        rc = cipi_buf_printf(ctx, b, "  - %s\n", l->v[k]);
    return rc;
}

static cip_status where(struct pl_state *s, struct cipi_buf *b)
{
    cip_ctx *ctx = s->ctx;
    cip_status rc = cipi_buf_printf(ctx, b, "\noutputs\n  summary:     %s\n", s->dir_summary);
    if (rc == CIP_OK && !s->refused)
        rc = cipi_buf_printf(ctx, b, "  predictions: %s\n", s->dir_predictions);
    if (rc == CIP_OK && !s->refused && s->p->report)
        rc = cipi_buf_printf(ctx, b, "  report:      %s\n", s->dir_report);
    if (rc == CIP_OK && s->parent_run_id[0])
        rc = cipi_buf_printf(ctx, b, "  store:       %s (parent run %s; cip runs reproduce %s)\n",
                             s->tracking_uri, s->parent_run_id, s->parent_run_id);
    const struct {
        const char *reg;
        int64_t v;
        const char *alias;
    } ms[] = {{"cip-clv", s->clv.version, s->clv.alias},
              {"cip-churn", s->churn.version, s->churn.alias},
              {"cip-segments", s->seg.version, s->seg.alias}};
    for (size_t k = 0; rc == CIP_OK && k < 3; k++)
        if (ms[k].v > 0)
            rc = cipi_buf_printf(ctx, b, "  model:       models:/%s/%lld (%s)\n", ms[k].reg,
                                 (long long)ms[k].v, ms[k].alias);
    if (rc == CIP_OK && !s->p->track)
        rc = cipi_buf_printf(ctx, b, "  store:       not tracked (--no-track)\n");
    return rc;
}

cip_status cipi_pl_text(struct pl_state *s, char **text_out)
{
    cip_ctx *ctx = s->ctx;
    struct cipi_buf b;
    cipi_buf_init(&b, ctx, (size_t)16 << 20);
    *text_out = NULL;
    cip_status rc = cipi_buf_printf(ctx, &b, "pipeline: %s (%zu rows x %zu columns)\n",
                                    s->p->data_path != NULL ? s->p->data_path : "table", s->n,
                                    cip_frame_n_cols(s->raw));
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, &b, "validation: %zu error class(es), %zu warning class(es)\n",
                             s->n_errors, s->n_warnings);
    if (rc == CIP_OK && s->refused != 2)
        rc = cipi_buf_printf(ctx, &b, "audit: %s; split: %s (%s)\n", s->audit_tag,
                             s->split == NULL ? "none"
                             : s->group       ? "group"
                                              : "stratified",
                             s->split_reason);
    if (rc == CIP_OK)
        rc = list(ctx, &b, "actions:", &s->actions);
    if (rc == CIP_OK && s->refused == 1)
        rc = list(ctx, &b, "findings:", &s->reasons);
    if (rc == CIP_OK && s->refused == 2)
        rc = list(ctx, &b, "validation messages:", &s->messages);
    if (rc == CIP_OK && !s->refused)
        rc = criteria(s, &b);
    if (rc == CIP_OK && !s->refused)
        rc = cipi_buf_printf(ctx, &b, "\nhonesty verdict: %s\n", s->honesty);
    if (rc == CIP_OK && !s->refused)
        rc = list(ctx, &b, "because:", &s->reasons);
    if (rc == CIP_OK)
        rc = list(ctx, &b, "notes:", &s->notes);
    if (rc == CIP_OK)
        rc = where(s, &b);
    if (rc != CIP_OK) {
        cipi_buf_release(&b);
        return rc;
    }
    size_t len;
    *text_out = cipi_buf_detach(&b, &len);
    return CIP_OK;
}
