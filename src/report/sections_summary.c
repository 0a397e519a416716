/* sections_summary.c - executive summary and the success-criteria table
 *
 * Written for a business reader: what was trained, the honest headline
 * numbers (measured on held-out customers after the leakage audit), and the
 * verdict in plain words. The criteria table puts each honest value next to
 * the "leaky" value (what the original project's method reports) so a
 * reader sees where a pass came from leakage.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report_int.h"

static const char *const model_keys[3] = {"clv", "churn", "segments"};

static const char *model_title(const char *key)
{
    if (strcmp(key, "clv") == 0)
        return "Customer lifetime value (CLV)";
    if (strcmp(key, "churn") == 0)
        return "Churn risk";
    if (strcmp(key, "segments") == 0)
        return "Customer segments";
    return key;
}

static void trained_item(struct rpt *r, const char *key, const json_t *m)
{
    const json_t *feats = cipi_report_get(m, "features");
    size_t nf = json_is_array(feats) ? json_array_size(feats) : 0;
    cipi_report_raw(r, "<li><b>");
    cipi_report_raw(r, model_title(key));
    cipi_report_raw(r, ":</b> ");
    if (m == NULL) {
        cipi_report_raw(r, "<span class=\"na\">not trained (the summary has no such model: "
                           "the table may lack its inputs)</span></li>\n");
        return;
    }
    if (strcmp(key, "clv") == 0)
        cipi_report_printf(r,
                           "a random forest that estimates each customer's value from %zu "
                           "features.",
                           nf);
    else if (strcmp(key, "churn") == 0)
        cipi_report_printf(r,
                           "a random-forest classifier that flags customers likely to leave, "
                           "from %zu features.",
                           nf);
    else {
        double k = cipi_report_getnum(m, "metrics.optimal_n_clusters");
        cipi_report_raw(r, "k-means clustering of customers into ");
        cipi_report_int(r, k);
        cipi_report_printf(r, " groups with similar behaviour, on %zu features.", nf);
    }
    cipi_report_raw(r, "</li>\n");
}

static void card(struct rpt *r, const char *label, const char *model, const char *key, double v,
                 const char *explain)
{
    cipi_report_raw(r, "<div class=\"card\"><div class=\"lbl\">");
    cipi_report_esc(r, label);
    cipi_report_raw(r, "</div><div class=\"big\">");
    cipi_report_metric(r, model, key, v);
    cipi_report_raw(r, "</div><div>");
    cipi_report_raw(r, explain); /* built from formatted numbers only */
    cipi_report_raw(r, "</div></div>\n");
}

static void headline_cards(struct rpt *r, const json_t *models)
{
    char a[64], b[64], c[64], text[512];
    const json_t *m = cipi_report_get(models, "clv");
    cipi_report_raw(r, "<div class=\"cards\">\n");
    if (m != NULL) {
        double r2 = cipi_report_getnum(m, "metrics.test_r2");
        double rmse = cipi_report_getnum(m, "metrics.test_rmse");
        double base = cipi_report_getnum(m, "baseline.metrics.test_rmse");
        snprintf(text, sizeof text,
                 "explains %s of the variation in customer value on unseen customers; typical "
                 "error %s (always guessing the average: %s).",
                 cipi_report_fmt_pct(a, sizeof a, fmax(r2, 0.0)),
                 cipi_report_fmt_money(b, sizeof b, rmse),
                 cipi_report_fmt_money(c, sizeof c, base));
        card(r, "CLV model: R\xC2\xB2 on held-out customers", "clv", "test_r2", r2, text);
    }
    if ((m = cipi_report_get(models, "churn")) != NULL) {
        double p = cipi_report_getnum(m, "metrics.precision");
        double rc = cipi_report_getnum(m, "metrics.recall");
        double auc = cipi_report_getnum(m, "metrics.roc_auc");
        snprintf(text, sizeof text,
                 "of customers flagged, %s really leave (precision); %s of leavers are caught "
                 "(recall); ROC AUC %s (0.5 = coin toss).",
                 cipi_report_fmt_pct(a, sizeof a, p), cipi_report_fmt_pct(b, sizeof b, rc),
                 cipi_report_fmt_num(c, sizeof c, auc));
        card(r, "Churn model: F1 on held-out customers", "churn", "test_f1",
             cipi_report_getnum(m, "metrics.test_f1"), text);
    }
    if ((m = cipi_report_get(models, "segments")) != NULL) {
        snprintf(
            text, sizeof text,
            "%s segments; silhouette ranges from -1 to 1, above 0.5 means well-separated "
            "groups.",
            cipi_report_fmt_int(a, sizeof a, cipi_report_getnum(m, "metrics.optimal_n_clusters")));
        card(r, "Segments: silhouette score", "segments", "silhouette_score",
             cipi_report_getnum(m, "metrics.silhouette_score"), text);
    }
    cipi_report_raw(r, "</div>\n");
}

static void verdict_box(struct rpt *r, const json_t *doc)
{
    const char *honesty = cipi_report_getstr(doc, "verdict.honesty");
    const json_t *reasons = cipi_report_get(doc, "verdict.reasons");
    const json_t *crit = cipi_report_get(doc, "criteria");
    bool realistic = honesty != NULL && strcmp(honesty, "realistic") == 0;
    cipi_report_printf(r, "<div class=\"verdict %s\" id=\"verdict\"><p><b>Verdict: ",
                       honesty == NULL ? "unknown"
                       : realistic     ? "realistic"
                                       : "suspicious");
    if (honesty == NULL)
        cipi_report_raw(r, "no honesty verdict was recorded.</b> ");
    else if (realistic)
        cipi_report_raw(r, "the numbers are realistic.</b> They were measured on customers the "
                           "models never saw, after the leakage audit removed what would have "
                           "let them peek at the answer. ");
    else
        cipi_report_raw(r, "treat these numbers with suspicion.</b> ");
    if (json_is_array(crit) && json_array_size(crit) > 0) {
        size_t pass = 0, n = json_array_size(crit);
        for (size_t i = 0; i < n; i++)
            pass += json_is_true(cipi_report_get(json_array_get(crit, i), "pass"));
        if (honesty != NULL && !realistic)
            cipi_report_printf(r,
                               "%zu of %zu success criteria of the reference project are "
                               "met on paper, but the reasons below make the measured "
                               "values untrustworthy.",
                               pass, n);
        else
            cipi_report_printf(r,
                               "%zu of %zu success criteria of the reference project are met"
                               "%s",
                               pass, n, pass == n ? "." : " with honest measurement.");
    }
    cipi_report_raw(r, "</p>\n");
    if (json_is_array(reasons) && json_array_size(reasons) > 0) {
        cipi_report_raw(r, "<ul>\n");
        for (size_t i = 0; i < json_array_size(reasons); i++) {
            cipi_report_raw(r, "<li>");
            cipi_report_esc(r, json_string_value(json_array_get(reasons, i)));
            cipi_report_raw(r, "</li>\n");
        }
        cipi_report_raw(r, "</ul>\n");
    }
    cipi_report_raw(r, "</div>\n");
}

void cipi_report_summary_section(struct rpt *r, const json_t *doc)
{
    const json_t *models = cipi_report_get(doc, "models");
    cipi_report_raw(r, "<h1>Customer intelligence report</h1>\n<p class=\"sub\">");
    const char *path = cipi_report_getstr(doc, "data.path");
    cipi_report_raw(r, "Data: ");
    if (path != NULL) {
        cipi_report_raw(r, "<code>");
        cipi_report_esc(r, path);
        cipi_report_raw(r, "</code>, ");
    }
    cipi_report_int(r, cipi_report_getnum(doc, "data.rows"));
    cipi_report_raw(r, " customers");
    const char *started = cipi_report_getstr(doc, "started");
    if (started != NULL) {
        cipi_report_raw(r, " &middot; run ");
        cipi_report_esc(r, started);
    }
    cipi_report_raw(r, "</p>\n<section id=\"summary\">\n<h2>Executive summary</h2>\n");
    verdict_box(r, doc);
    cipi_report_raw(r, "<h3>What was trained</h3>\n<ul>\n");
    for (size_t i = 0; i < 3; i++)
        trained_item(r, model_keys[i], cipi_report_get(models, model_keys[i]));
    cipi_report_raw(r, "</ul>\n<h3>Headline numbers (honest)</h3>\n");
    if (json_is_object(models) && json_object_size(models) > 0)
        headline_cards(r, models);
    else
        cipi_report_na(r, "no model results in this summary");
    cipi_report_raw(r, "</section>\n");
}

/* Does v satisfy "v op t"? */
static bool meets(double v, const char *op, double t)
{
    if (!isfinite(v) || !isfinite(t) || op == NULL)
        return false;
    if (strcmp(op, ">") == 0)
        return v > t;
    if (strcmp(op, ">=") == 0)
        return v >= t;
    if (strcmp(op, "<") == 0)
        return v < t;
    if (strcmp(op, "<=") == 0)
        return v <= t;
    return false;
}

/* Reasons of the verdict are prefixed "model: " or "model (...)" by the
 * pipeline; a model
 * with none of them is realistic even when the overall verdict is not. */
static void honesty_cell(struct rpt *r, const json_t *doc, const char *model, const char *honesty)
{
    const json_t *reasons = cipi_report_get(doc, "verdict.reasons");
    size_t mine = 0, prefixed = 0;
    for (size_t i = 0; json_is_array(reasons) && i < json_array_size(reasons); i++) {
        const char *t = json_string_value(json_array_get(reasons, i));
        for (size_t k = 0; t != NULL && k < 3; k++) {
            size_t n = strlen(model_keys[k]);
            if (strncmp(t, model_keys[k], n) == 0 && (t[n] == ':' || t[n] == ' ')) {
                prefixed++;
                mine += model != NULL && strcmp(model, model_keys[k]) == 0;
            }
        }
    }
    if (strcmp(honesty, "realistic") == 0 || (prefixed > 0 && mine == 0)) {
        cipi_report_raw(r, "realistic");
    } else if (mine > 0) {
        cipi_report_printf(r,
                           "<span class=\"fail\">suspicious</span>: %zu audit reason%s for "
                           "this model (see the verdict and the audit)",
                           mine, mine == 1 ? "" : "s");
    } else {
        cipi_report_esc(r, honesty);
    }
}

static void criterion_row(struct rpt *r, const json_t *doc, const json_t *c, const char *honesty)
{
    const char *model = cipi_report_getstr(c, "model");
    const char *metric = cipi_report_getstr(c, "metric");
    const char *op = cipi_report_getstr(c, "op");
    double t = cipi_report_getnum(c, "threshold"), v = cipi_report_getnum(c, "value");
    const json_t *pj = cipi_report_get(c, "pass");
    bool pass = json_is_boolean(pj) ? json_is_true(pj) : meets(v, op, t);
    double leaky = cipi_report_getnum(c, "leaky_value"); /* else models.M.leaky_metrics */
    const json_t *lm =
        cipi_report_get(cipi_report_get(cipi_report_get(doc, "models"), model != NULL ? model : ""),
                        "leaky_metrics");
    if (!isfinite(leaky) && metric != NULL && json_is_object(lm))
        leaky = json_is_number(json_object_get(lm, metric))
                    ? json_number_value(json_object_get(lm, metric))
                    : RPT_NAN;
    cipi_report_raw(r, "<tr><td>");
    cipi_report_esc(r, model != NULL ? model_title(model) : "?");
    cipi_report_raw(r, "</td><td>");
    cipi_report_esc(r, cipi_report_metric_label(metric));
    cipi_report_raw(r, " ");
    cipi_report_esc(r, op != NULL ? op : "?");
    cipi_report_raw(r, " ");
    cipi_report_num(r, t);
    cipi_report_raw(r, "</td><td class=\"n\">");
    cipi_report_metric(r, model, metric, v);
    cipi_report_raw(r, "</td><td class=\"n\">");
    cipi_report_metric(r, model, metric, leaky);
    cipi_report_printf(r, "</td><td class=\"%s\">%s</td><td>", pass ? "pass" : "fail",
                       pass ? "&#10003; pass" : "&#10007; fail");
    if (isfinite(leaky) && meets(leaky, op, t) && !pass)
        cipi_report_raw(r, "<span class=\"fail\">suspicious</span> if the leaky value were "
                           "reported: it passes only because of leakage");
    else if (honesty != NULL)
        honesty_cell(r, doc, model, honesty);
    else
        cipi_report_raw(r, "<span class=\"na\">unknown</span>");
    cipi_report_raw(r, "</td></tr>\n");
}

static bool is_high(const char *sev)
{
    return sev != NULL && (strcmp(sev, "high") == 0 || strcmp(sev, "critical") == 0);
}

static void audit_explainers(struct rpt *r, const json_t *doc)
{
    const json_t *f = cipi_report_get(doc, "audit.findings");
    if (!json_is_array(f) || json_array_size(f) == 0)
        return;
    enum { MAX_LISTED = 8 };
    size_t listed = 0, more = 0, high = 0;
    for (size_t i = 0; i < json_array_size(f); i++)
        high += is_high(cipi_report_getstr(json_array_get(f, i), "severity"));
    if (high == 0)
        return;
    cipi_report_raw(r, "<p>High-severity audit findings behind this verdict:</p>\n<ul>\n");
    for (size_t i = 0; i < json_array_size(f); i++) {
        const json_t *e = json_array_get(f, i);
        const char *sev = cipi_report_getstr(e, "severity");
        if (!is_high(sev))
            continue;
        if (listed++ >= MAX_LISTED) {
            more++;
            continue;
        }
        const char *model = cipi_report_getstr(e, "model");
        const json_t *cols = cipi_report_get(e, "columns");
        cipi_report_raw(r, "<li>");
        if (model != NULL) {
            cipi_report_esc(r, model);
            cipi_report_raw(r, ": ");
        }
        cipi_report_esc(r, cipi_report_getstr(e, "title"));
        for (size_t c = 0; json_is_array(cols) && c < json_array_size(cols); c++) {
            cipi_report_raw(r, c == 0 ? " (<code>" : ", <code>");
            cipi_report_esc(r, json_string_value(json_array_get(cols, c)));
            cipi_report_raw(r, c + 1 == json_array_size(cols) ? "</code>)" : "</code>");
        }
        cipi_report_raw(r, "</li>\n");
    }
    if (more > 0)
        cipi_report_printf(r, "<li>and %zu more in the <a href=\"#audit\">audit table</a></li>\n",
                           more);
    cipi_report_raw(r, "</ul>\n");
}

void cipi_report_criteria_section(struct rpt *r, const json_t *doc)
{
    const json_t *crit = cipi_report_get(doc, "criteria");
    const char *honesty = cipi_report_getstr(doc, "verdict.honesty");
    cipi_report_raw(r, "<section id=\"criteria\">\n<h2>Success criteria</h2>\n<p>The reference "
                       "project's targets: CLV R\xC2\xB2 &gt; 0.80; churn F1 &gt; 0.80 and "
                       "precision &gt; 0.75; segment silhouette &gt; 0.55. <i>Honest</i> values "
                       "come from held-out customers with leaking features removed; "
                       "<i>leaky</i> values are what the original method reports.</p>\n");
    if (!json_is_array(crit) || json_array_size(crit) == 0) {
        cipi_report_na(r, "the summary has no success criteria");
        cipi_report_raw(r, "</section>\n");
        return;
    }
    cipi_report_raw(r, "<table id=\"criteria-table\"><thead><tr><th>Model</th><th>Criterion</th>"
                       "<th class=\"n\">Honest value</th><th class=\"n\">Leaky value</th>"
                       "<th>Result</th><th>Honesty</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < json_array_size(crit); i++)
        criterion_row(r, doc, json_array_get(crit, i), honesty);
    cipi_report_raw(r, "</tbody></table>\n");
    if (honesty != NULL && strcmp(honesty, "realistic") != 0)
        audit_explainers(r, doc);
    cipi_report_raw(r, "</section>\n");
}
