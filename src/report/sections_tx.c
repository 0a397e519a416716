/* sections_tx.c - the optional transactions CLV section (contract C5)
 *
 * Present when the pipeline ran with --transactions: the calibration and
 * holdout periods, the per-customer error of each CLV method, churn
 * methods, the fitted BG/NBD and Gamma-Gamma parameters, and the
 * cumulative repeat purchases of the holdout, actual versus forecast.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report_int.h"

static void methods_table(struct rpt *r, const json_t *methods, const char *const *keys,
                          const char *const *heads, size_t nk)
{
    cipi_report_raw(r, "<table><thead><tr><th>Method</th>");
    for (size_t k = 0; k < nk; k++)
        cipi_report_printf(r, "<th class=\"n\">%s</th>", heads[k]);
    cipi_report_raw(r, "</tr></thead><tbody>\n");
    for (size_t i = 0; i < json_array_size(methods); i++) {
        const json_t *m = json_array_get(methods, i);
        cipi_report_raw(r, "<tr><td>");
        cipi_report_esc(r, cipi_report_getstr(m, "name"));
        cipi_report_raw(r, "</td>");
        for (size_t k = 0; k < nk; k++) {
            double v = cipi_report_getnum(m, keys[k]);
            cipi_report_raw(r, "<td class=\"n\">");
            if (strcmp(keys[k], "aggregate_error") == 0)
                cipi_report_pct(r, v);
            else
                cipi_report_num(r, v);
            cipi_report_raw(r, "</td>");
        }
        cipi_report_raw(r, "</tr>\n");
    }
    cipi_report_raw(r, "</tbody></table>\n");
}

static void cumulative_chart(struct rpt *r, const json_t *tx)
{
    size_t nt, na, nb;
    double *t = cipi_report_nums(r, tx, "cumulative.t", &nt);
    double *act = cipi_report_nums(r, tx, "cumulative.actual", &na);
    double *bg = cipi_report_nums(r, tx, "cumulative.bgnbd", &nb);
    if (t == NULL || act == NULL || bg == NULL || nt != na || nt != nb) {
        cipi_report_na(r, "cumulative purchases chart (not in the summary)");
    } else {
        const double *ys[2] = {act, bg};
        const char *names[2] = {"actual", "BG/NBD forecast"};
        char xl[64];
        const char *unit = cipi_report_getstr(tx, "unit");
        snprintf(xl, sizeof xl, "%ss since the start", unit != NULL ? unit : "period");
        cipi_report_raw(r, "<div class=\"charts\">\n");
        cipi_report_lines(r, "chart-tx-cumulative",
                          "Cumulative repeat purchases: actual vs BG/NBD forecast", t, ys, names, 2,
                          nt, xl, "cumulative repeat purchases");
        cipi_report_svg_end(r, "Repeat purchases of all customers added up over time: what "
                               "happened (solid) and what the BG/NBD model fitted on the "
                               "calibration period expected (dashed).");
        cipi_report_raw(r, "</div>\n");
    }
    cipi_free(r->ctx, t);
    cipi_free(r->ctx, act);
    cipi_free(r->ctx, bg);
}

static void fits_table(struct rpt *r, const json_t *fits)
{
    const char *model, *key;
    const json_t *params, *v;
    if (!json_is_object(fits))
        return;
    cipi_report_raw(r, "<details><summary>Fitted parameters</summary><table><tbody>\n");
    json_object_foreach((json_t *)fits, model, params)
    {
        json_object_foreach((json_t *)params, key, v)
        {
            cipi_report_raw(r, "<tr><td>");
            cipi_report_esc(r, model);
            cipi_report_raw(r, "</td><td><code>");
            cipi_report_esc(r, key);
            cipi_report_raw(r, "</code></td><td class=\"n\">");
            cipi_report_num(r, json_is_number(v) ? json_number_value(v) : RPT_NAN);
            cipi_report_raw(r, "</td></tr>\n");
        }
    }
    cipi_report_raw(r, "</tbody></table></details>\n");
}

void cipi_report_tx_section(struct rpt *r, const json_t *doc)
{
    const json_t *tx = cipi_report_get(doc, "transactions");
    cipi_report_raw(r, "<section id=\"transactions\">\n<h2>Lifetime value from transactions"
                       "</h2>\n");
    if (!json_is_object(tx)) {
        cipi_report_na(r, "no transaction log was given (cip pipeline --transactions FILE adds "
                          "BG/NBD and Gamma-Gamma CLV)");
        cipi_report_raw(r, "</section>\n");
        return;
    }
    cipi_report_raw(r, "<p>Models fitted on purchases up to ");
    cipi_report_esc(r, cipi_report_getstr(tx, "calibration_end"));
    cipi_report_raw(r, " and tested on the holdout period up to ");
    cipi_report_esc(r, cipi_report_getstr(tx, "holdout_end"));
    cipi_report_raw(r, ", for ");
    cipi_report_int(r, cipi_report_getnum(tx, "customers"));
    cipi_report_raw(r, " customers. Errors are per customer (repeat purchases in the "
                       "holdout); aggregate error is the relative error of the total.</p>\n");
    const json_t *methods = cipi_report_get(tx, "methods");
    if (json_is_array(methods) && json_array_size(methods) > 0) {
        static const char *const keys[4] = {"mae", "rmse", "corr", "aggregate_error"};
        static const char *const heads[4] = {"MAE", "RMSE", "Correlation", "Aggregate error"};
        methods_table(r, methods, keys, heads, 4);
    } else {
        cipi_report_na(r, "per-method errors (not in the summary)");
    }
    const json_t *churn = cipi_report_get(tx, "churn.methods");
    if (json_is_array(churn) && json_array_size(churn) > 0) {
        static const char *const keys[2] = {"roc_auc", "f1"};
        static const char *const heads[2] = {"ROC AUC", "F1"};
        cipi_report_raw(r, "<h3>Who stops buying</h3>\n");
        methods_table(r, churn, keys, heads, 2);
    }
    cumulative_chart(r, tx);
    fits_table(r, cipi_report_get(tx, "fits"));
    cipi_report_raw(r, "</section>\n");
}
