/* sections_models.c - one section per trained model, with its charts
 *
 * CLV: importance, actual vs predicted, residuals. Churn: importance, ROC,
 * precision-recall, confusion matrix. Segments: silhouette/inertia versus
 * k, profiles heatmap (features x segments, coloured by the z-score of each
 * feature's segment means), 2-D projection, importance. A chart whose data
 * is absent becomes a "not available" note.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report_int.h"

enum { MAX_IMPORTANCES = 4096 };

void cipi_report_importance(struct rpt *r, const json_t *m, const char *model, const char *id,
                            const char *what)
{
    const json_t *imp = cipi_report_get(m, "importances");
    size_t n = json_is_array(imp) ? json_array_size(imp) : 0;
    char title[160];
    snprintf(title, sizeof title, "What drives the %s model (feature importance)", what);
    if (n == 0 || n > MAX_IMPORTANCES) {
        cipi_report_na(r, "feature importance (not in the summary)");
        return;
    }
    const char **labels = cipi_mallocarray(r->ctx, n, sizeof *labels);
    double *values = cipi_mallocarray(r->ctx, n, sizeof *values);
    if (labels == NULL || values == NULL) {
        cipi_report_fail(r, CIP_ERR_NOMEM);
    } else {
        for (size_t i = 0; i < n; i++) {
            const json_t *e = json_array_get(imp, i);
            labels[i] = cipi_report_getstr(e, "feature");
            labels[i] = labels[i] != NULL ? labels[i] : "?";
            values[i] = cipi_report_getnum(e, "importance");
        }
        cipi_report_bars(r, id, title, labels, values, n, "importance");
        cipi_report_svg_end(r, strcmp(model, "segments") == 0
                                   ? "How much each feature separates the segments."
                                   : "Mean decrease in impurity over the forest's trees; "
                                     "longer bars matter more to the predictions.");
    }
    cipi_free(r->ctx, labels);
    cipi_free(r->ctx, values);
}

void cipi_report_metrics_table(struct rpt *r, const json_t *m, const char *model)
{
    const json_t *metrics = cipi_report_get(m, "metrics");
    const char *key;
    const json_t *v;
    if (!json_is_object(metrics) || json_object_size(metrics) == 0) {
        cipi_report_na(r, "metrics (not in the summary)");
        return;
    }
    cipi_report_raw(r, "<table class=\"metrics\"><thead><tr><th>Metric</th><th class=\"n\">"
                       "Value</th></tr></thead><tbody>\n");
    json_object_foreach((json_t *)metrics, key, v)
    {
        cipi_report_raw(r, "<tr><td>");
        cipi_report_esc(r, cipi_report_metric_label(key));
        cipi_report_raw(r, "</td><td class=\"n\">");
        cipi_report_metric(r, model, key, json_is_number(v) ? json_number_value(v) : RPT_NAN);
        cipi_report_raw(r, "</td></tr>\n");
    }
    cipi_report_raw(r, "</tbody></table>\n");
    const json_t *params = cipi_report_get(m, "params");
    if (json_is_object(params) && json_object_size(params) > 0) {
        char b[64];
        cipi_report_raw(r, "<details><summary>Hyper-parameters</summary><table><tbody>\n");
        json_object_foreach((json_t *)params, key, v)
        {
            cipi_report_raw(r, "<tr><td><code>");
            cipi_report_esc(r, key);
            cipi_report_raw(r, "</code></td><td><code>");
            cipi_report_esc(r, cipi_report_scalar(b, sizeof b, v));
            cipi_report_raw(r, "</code></td></tr>\n");
        }
        cipi_report_raw(r, "</tbody></table></details>\n");
    }
}

static void clv_charts(struct rpt *r, const json_t *m)
{
    size_t na, np;
    double *act = cipi_report_nums(r, m, "actual", &na);
    double *pred = cipi_report_nums(r, m, "predicted", &np);
    if (act == NULL || pred == NULL || na != np) {
        cipi_report_na(r, "actual vs predicted values (not in the summary)");
    } else {
        cipi_report_scatter(r, "chart-clv-actual-predicted", "CLV: actual vs predicted (test)",
                            pred, act, na, "predicted value", "actual value", 1);
        cipi_report_svg_end(r, "Each dot is a held-out customer; on the dashed line the "
                               "prediction is exact.");
        for (size_t i = 0; i < na; i++)
            act[i] -= pred[i];
        cipi_report_scatter(r, "chart-clv-residuals", "CLV: residuals vs predicted (test)", pred,
                            act, na, "predicted value", "actual - predicted", 2);
        cipi_report_svg_end(r, "Errors should scatter evenly around zero; a funnel or curve "
                               "means the model is systematically off for some customers.");
    }
    cipi_free(r->ctx, act);
    cipi_free(r->ctx, pred);
}

static void confusion_chart(struct rpt *r, const json_t *m)
{
    const json_t *cm = cipi_report_get(m, "confusion");
    double cells[4], shade[4], total = 0.0;
    if (!json_is_array(cm) || json_array_size(cm) != 2) {
        cipi_report_na(r, "confusion matrix (not in the summary)");
        return;
    }
    for (size_t i = 0; i < 4; i++) {
        const json_t *row = json_array_get(cm, i / 2);
        const json_t *c = json_array_get(row, i % 2);
        cells[i] = json_is_number(c) ? json_number_value(c) : RPT_NAN;
        total += isfinite(cells[i]) ? cells[i] : 0.0;
    }
    for (size_t i = 0; i < 4; i++) /* shade by share of the actual class's row */
        shade[i] = cells[i] / (cells[i & ~(size_t)1] + cells[i | 1]);
    static const char *const rows[2] = {"actual: stays (0)", "actual: churns (1)"};
    static const char *const cols[2] = {"predicted: stays", "predicted: churns"};
    struct cipi_heat h = {2, 2, rows, cols, shade, cells, false, "Prediction", NULL};
    cipi_report_heatmap(r, "chart-churn-confusion", "Churn: confusion matrix (test)", &h);
    char cap[200];
    snprintf(cap, sizeof cap,
             "Counts of %.0f held-out customers; the diagonal is correct. Shade = share of "
             "the actual class.",
             total);
    cipi_report_svg_end(r, cap);
}

static void churn_charts(struct rpt *r, const json_t *m)
{
    size_t nf, nt, nr, np;
    double *fpr = cipi_report_nums(r, m, "roc.fpr", &nf);
    double *tpr = cipi_report_nums(r, m, "roc.tpr", &nt);
    double *rec = cipi_report_nums(r, m, "pr.recall", &nr);
    double *prec = cipi_report_nums(r, m, "pr.precision", &np);
    char name[96], b[64];
    if (fpr != NULL && tpr != NULL && nf == nt) {
        snprintf(name, sizeof name, "model (AUC %s)",
                 cipi_report_fmt_num(b, sizeof b, cipi_report_getnum(m, "metrics.roc_auc")));
        cipi_report_curve(r, "chart-churn-roc", "Churn: ROC curve (test)", fpr, tpr, nf,
                          "false positive rate", "true positive rate", name, 0.0, 1.0,
                          "chance (AUC 0.5)");
        cipi_report_svg_end(r, "The higher the curve above the diagonal, the better the model "
                               "ranks leavers above stayers.");
    } else {
        cipi_report_na(r, "ROC curve (not in the summary)");
    }
    if (rec != NULL && prec != NULL && nr == np) {
        /* random flagging has precision = the share of leavers (actual row 1) */
        const json_t *cm = cipi_report_get(m, "confusion");
        const json_t *r1 = json_array_get(cm, 1), *r0 = json_array_get(cm, 0);
        double p1 =
            json_number_value(json_array_get(r1, 0)) + json_number_value(json_array_get(r1, 1));
        double p0 =
            json_number_value(json_array_get(r0, 0)) + json_number_value(json_array_get(r0, 1));
        double pos = p0 + p1 > 0.0 ? p1 / (p0 + p1) : RPT_NAN;
        cipi_report_curve(r, "chart-churn-pr", "Churn: precision-recall curve (test)", rec, prec,
                          nr, "recall", "precision", "model", pos, pos, "share of leavers");
        cipi_report_svg_end(r, "Precision (of those flagged, how many leave) at each recall "
                               "(share of leavers caught); the dashed line is random flagging.");
    } else {
        cipi_report_na(r, "precision-recall curve (not in the summary)");
    }
    cipi_free(r->ctx, fpr);
    cipi_free(r->ctx, tpr);
    cipi_free(r->ctx, rec);
    cipi_free(r->ctx, prec);
    confusion_chart(r, m);
}

static void clv_section(struct rpt *r, const json_t *m)
{
    cipi_report_raw(r, "<div class=\"charts\">\n");
    cipi_report_importance(r, m, "clv", "chart-clv-importance", "CLV");
    clv_charts(r, m);
    cipi_report_raw(r, "</div>\n");
    cipi_report_metrics_table(r, m, "clv");
}

static void churn_section(struct rpt *r, const json_t *m)
{
    cipi_report_raw(r, "<div class=\"charts\">\n");
    cipi_report_importance(r, m, "churn", "chart-churn-importance", "churn");
    churn_charts(r, m);
    cipi_report_raw(r, "</div>\n");
    cipi_report_metrics_table(r, m, "churn");
}

void cipi_report_models_section(struct rpt *r, const json_t *doc)
{
    const json_t *models = cipi_report_get(doc, "models");
    static const struct {
        const char *key, *title, *anchor;
    } parts[3] = {{"clv", "Customer lifetime value model", "model-clv"},
                  {"churn", "Churn model", "model-churn"},
                  {"segments", "Customer segments", "model-segments"}};
    for (size_t i = 0; i < 3; i++) {
        const json_t *m = cipi_report_get(models, parts[i].key);
        cipi_report_printf(r, "<section id=\"%s\">\n<h2>%s</h2>\n", parts[i].anchor,
                           parts[i].title);
        if (!json_is_object(m))
            cipi_report_na(r, "this model was not trained in this run");
        else if (i == 0)
            clv_section(r, m);
        else if (i == 1)
            churn_section(r, m);
        else
            cipi_report_segments(r, m);
        cipi_report_raw(r, "</section>\n");
    }
}
