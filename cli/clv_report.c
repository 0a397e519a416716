/* clv_report.c - `cip clv evaluate`: the evaluation report as text and as
 * tracked metrics
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>

#include "clv_track.h"

static void print_purchases(const cip_clv_eval *e)
{
    printf("%-11s %8.4f %8.4f %8.4f %10.1f %10.1f %+8.2f%%", e->method, e->mae, e->rmse, e->corr,
           e->pred_total, e->actual_total, 100 * e->agg_error);
    if (isfinite(e->cum_error))
        printf(" %10.1f %10.1f %+8.2f%%\n", e->cum_pred, e->cum_actual, 100 * e->cum_error);
    else
        printf(" %10s %10s %9s\n", "-", "-", "-");
}

void clv_print_report(const cip_clv_eval_report *r)
{
    const char *u = cip_clv_unit_name(r->unit);
    char d0[11], d1[11], d2[11], dh[11];
    cip_clv_date_str(r->cal_end + 1, dh);
    cip_clv_date_str(r->train_end, d0);
    cip_clv_date_str(r->cal_end, d1);
    cip_clv_date_str(r->hold_end, d2);
    printf("holdout of %.4g %s, %zu customers; cumulative = repeat purchases from each first "
           "purchase to the holdout end\n",
           r->holdout_length, u, r->customers);
    printf("%-11s %8s %8s %8s %10s %10s %9s %10s %10s %9s\n", "method", "MAE", "RMSE", "corr",
           "predicted", "actual", "agg.err", "cum.pred", "cum.act", "cum.err");
    for (size_t k = 0; k < r->n_purchases; k++)
        print_purchases(&r->purchases[k]);
    printf("BG/NBD calibration histogram chi-square (x = 0..6, 7+; df 3): %.2f\n", r->chisq);

    printf("\nholdout spend per customer (%s .. %s)\n", dh, d2);
    printf("%-22s %9s %9s %7s %11s %11s %8s\n", "method", "MAE", "RMSE", "corr", "predicted",
           "actual", "agg.err");
    for (size_t k = 0; k < r->n_spend; k++) {
        const cip_clv_spend_score *e = &r->spend[k];
        printf("%-22s %9.2f %9.2f %7.4f %11.1f %11.1f %+7.2f%%\n", e->name, e->mae, e->rmse,
               e->corr, e->pred_total, e->actual_total, 100 * e->agg_error);
    }
    printf("BG/NBD, Pareto/NBD: E[purchases] x Gamma-Gamma E[spend]; same as last period: "
           "spend in the last %.4g %s of calibration, scaled to the holdout\n",
           r->holdout_length < (double)(r->cal_end - r->first_day + 1) / cip_clv_unit_days(r->unit)
               ? r->holdout_length
               : (double)(r->cal_end - r->first_day + 1) / cip_clv_unit_days(r->unit),
           u);

    printf("\nchurn = no purchase in the holdout (%.1f%% of customers)\n", 100 * r->churn_rate);
    printf("%-28s %8s %7s %9s %7s %8s %9s\n", "method", "ROC AUC", "F1", "precision", "recall",
           "accuracy", "predicted");
    for (size_t k = 0; k < r->n_churn; k++) {
        const cip_clv_churn_score *e = &r->churn[k];
        printf("%-28s %8.4f %7.4f %9.4f %7.4f %8.4f %8.1f%%\n", e->name, e->roc_auc, e->f1,
               e->precision, e->recall, e->accuracy, 100 * e->predicted_rate);
    }
    printf("(N = %.4g %s)\n", r->churn_recency, u);
    if (r->importance_spend != NULL) {
        printf("\nrandom forests (period-shifted): trained on features up to %s with labels from "
               "(%s, %s] (%.4g %s, %zu customers, %.1f%% without a purchase);\n",
               d0, d0, d1, r->train_label_length, u, r->train_customers, 100 * r->train_churn_rate);
        printf("predict from features up to %s; spend = predicted spend per %s x %.4g\n", d1,
               r->unit == CIP_CLV_DAYS    ? "day"
               : r->unit == CIP_CLV_WEEKS ? "week"
                                          : "month",
               r->holdout_length);
        printf("importances (spend / churn):");
        for (size_t j = 0; j < r->n_features; j++)
            printf("%s %s %.3f/%.3f", j ? "," : "", r->feature_names[j], r->importance_spend[j],
                   r->importance_churn[j]);
        printf("\n");
    }
}

cip_status clv_track_report(cip_ctx *ctx, struct clv_track *t, const cip_clv_eval_report *r,
                            const char *json)
{
    if (t->run == NULL)
        return CIP_OK;
    cip_status rc = CIP_OK;
    for (size_t k = 0; k < r->n_spend && rc == CIP_OK; k++) {
        const cip_clv_spend_score *e = &r->spend[k];
        rc = clv_track_metric(ctx, t, "spend_", e->name, "_mae", e->mae);
        if (rc == CIP_OK)
            rc = clv_track_metric(ctx, t, "spend_", e->name, "_rmse", e->rmse);
        if (rc == CIP_OK)
            rc = clv_track_metric(ctx, t, "spend_", e->name, "_corr", e->corr);
        if (rc == CIP_OK)
            rc = clv_track_metric(ctx, t, "spend_", e->name, "_aggregate_error", e->agg_error);
    }
    for (size_t k = 0; k < r->n_purchases && rc == CIP_OK; k++) {
        const cip_clv_eval *e = &r->purchases[k];
        rc = clv_track_metric(ctx, t, "purchases_", e->method, "_mae", e->mae);
        if (rc == CIP_OK)
            rc = clv_track_metric(ctx, t, "purchases_", e->method, "_corr", e->corr);
        if (rc == CIP_OK)
            rc =
                clv_track_metric(ctx, t, "purchases_", e->method, "_aggregate_error", e->agg_error);
        if (rc == CIP_OK)
            rc = clv_track_metric(ctx, t, "purchases_", e->method, "_cumulative_error",
                                  e->cum_error);
    }
    for (size_t k = 0; k < r->n_churn && rc == CIP_OK; k++) {
        const cip_clv_churn_score *e = &r->churn[k];
        rc = clv_track_metric(ctx, t, "churn_", e->name, "_roc_auc", e->roc_auc);
        if (rc == CIP_OK)
            rc = clv_track_metric(ctx, t, "churn_", e->name, "_f1", e->f1);
    }
    const cip_clv_model *m[3] = {&r->bgnbd, &r->pareto, &r->gamma_gamma};
    for (int k = 0; k < 3 && rc == CIP_OK; k++) {
        char suffix[40];
        const char *name = cip_clv_model_name(m[k]->kind);
        rc = clv_track_metric(ctx, t, "", name, "_loglik", m[k]->loglik);
        for (int i = 0; i < m[k]->n_params && rc == CIP_OK; i++) {
            snprintf(suffix, sizeof suffix, "_%s", cip_clv_param_name(m[k]->kind, i));
            rc = clv_track_metric(ctx, t, "", name, suffix, m[k]->param[i]);
        }
    }
    if (rc == CIP_OK)
        rc = clv_track_metric(ctx, t, "bgnbd_histogram_chisq", "", "", r->chisq);
    if (rc == CIP_OK)
        rc = clv_track_metric(ctx, t, "churn_rate", "", "", r->churn_rate);
    if (rc == CIP_OK)
        rc = clv_track_text(ctx, t, "evaluation.json", json);
    return rc;
}
