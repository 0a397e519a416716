/* sections_tables.c - the report's tabular sections
 *
 * Leakage audit (findings, excluded features, actions taken), model versus
 * baseline with lift, data and split facts, and the run ids with the
 * command that reproduces them.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report_int.h"

static const char *const model_keys[3] = {"clv", "churn", "segments"};

/* <li> per string of an array; nothing when absent. */
static void string_list(struct rpt *r, const json_t *a, const char *intro)
{
    if (!json_is_array(a) || json_array_size(a) == 0)
        return;
    cipi_report_raw(r, "<p>");
    cipi_report_raw(r, intro);
    cipi_report_raw(r, "</p>\n<ul>\n");
    for (size_t i = 0; i < json_array_size(a); i++) {
        const json_t *e = json_array_get(a, i);
        char b[64];
        cipi_report_raw(r, "<li>");
        cipi_report_esc(r, cipi_report_scalar(b, sizeof b, e));
        cipi_report_raw(r, "</li>\n");
    }
    cipi_report_raw(r, "</ul>\n");
}

/* One table row: label, then escaped text (NULL -> n/a). */
static void row_text(struct rpt *r, const char *label, const char *text, bool code)
{
    cipi_report_raw(r, "<tr><th>");
    cipi_report_raw(r, label);
    cipi_report_raw(r, code ? "</th><td><code>" : "</th><td>");
    if (text != NULL)
        cipi_report_esc(r, text);
    else
        cipi_report_raw(r, "<span class=\"na\">n/a</span>");
    cipi_report_raw(r, code ? "</code></td></tr>\n" : "</td></tr>\n");
}

static void row_num(struct rpt *r, const char *label, double v, bool count)
{
    cipi_report_raw(r, "<tr><th>");
    cipi_report_raw(r, label);
    cipi_report_raw(r, "</th><td>");
    if (count)
        cipi_report_int(r, v);
    else
        cipi_report_num(r, v);
    cipi_report_raw(r, "</td></tr>\n");
}

static void finding_row(struct rpt *r, const json_t *f)
{
    const char *sev = cipi_report_getstr(f, "severity");
    const json_t *cols = cipi_report_get(f, "columns");
    cipi_report_raw(r, "<tr><td class=\"sev-");
    cipi_report_esc(r, sev != NULL ? sev : "unknown");
    cipi_report_raw(r, "\">");
    cipi_report_esc(r, sev != NULL ? sev : "?");
    cipi_report_raw(r, "</td><td>");
    const char *model = cipi_report_getstr(f, "model");
    cipi_report_esc(r, model != NULL ? model : "\xE2\x80\x93");
    cipi_report_raw(r, "</td><td>");
    cipi_report_esc(r, cipi_report_getstr(f, "kind"));
    cipi_report_raw(r, "</td><td>");
    for (size_t i = 0; json_is_array(cols) && i < json_array_size(cols); i++) {
        cipi_report_raw(r, i > 0 ? ", <code>" : "<code>");
        cipi_report_esc(r, json_string_value(json_array_get(cols, i)));
        cipi_report_raw(r, "</code>");
    }
    cipi_report_raw(r, "</td><td>");
    const char *title = cipi_report_getstr(f, "title"), *kind = cipi_report_getstr(f, "kind");
    if (title != NULL && (kind == NULL || strcmp(title, kind) != 0)) {
        cipi_report_raw(r, "<b>");
        cipi_report_esc(r, title);
        cipi_report_raw(r, "</b><br>");
    }
    cipi_report_esc(r, cipi_report_getstr(f, "evidence"));
    cipi_report_raw(r, "</td><td>");
    cipi_report_esc(r, cipi_report_getstr(f, "fix"));
    cipi_report_raw(r, "</td></tr>\n");
}

static const char *audit_words(const char *verdict)
{
    if (verdict == NULL)
        return "no verdict recorded";
    if (strcmp(verdict, "clean") == 0)
        return "clean: no leakage or data problem found";
    if (strcmp(verdict, "warnings") == 0)
        return "warnings: nothing leaks, but some findings deserve a look";
    if (strcmp(verdict, "leaks-removed") == 0)
        return "leaks removed: leaking features were found and excluded before training";
    if (strcmp(verdict, "refused") == 0)
        return "refused: the data leaks in a way that cannot be fixed automatically";
    return verdict;
}

void cipi_report_audit_section(struct rpt *r, const json_t *doc)
{
    const json_t *audit = cipi_report_get(doc, "audit");
    cipi_report_raw(r, "<section id=\"audit\">\n<h2>Leakage audit</h2>\n");
    if (!json_is_object(audit)) {
        cipi_report_na(r, "the data was not audited in this run");
        cipi_report_raw(r, "</section>\n");
        return;
    }
    cipi_report_raw(r, "<p><b>Audit verdict:</b> ");
    cipi_report_esc(r, audit_words(cipi_report_getstr(audit, "verdict")));
    cipi_report_raw(r, "</p>\n");
    const json_t *f = cipi_report_get(audit, "findings");
    if (json_is_array(f) && json_array_size(f) > 0) {
        cipi_report_raw(r, "<table id=\"audit-table\"><thead><tr><th>Severity</th><th>Model</th>"
                           "<th>Kind</th>"
                           "<th>Columns</th><th>Finding and evidence</th><th>Fix</th></tr>"
                           "</thead><tbody>\n");
        for (size_t i = 0; i < json_array_size(f); i++)
            finding_row(r, json_array_get(f, i));
        cipi_report_raw(r, "</tbody></table>\n");
    } else {
        cipi_report_raw(r, "<p>No findings.</p>\n");
    }
    string_list(r, cipi_report_get(audit, "excluded_features"), "Features excluded from training:");
    const json_t *act = cipi_report_get(audit, "actions");
    if (json_is_array(act) && json_array_size(act) > 0)
        string_list(r, act, "Actions taken:");
    else
        cipi_report_raw(r, "<p>Actions taken: none.</p>\n");
    cipi_report_raw(r, "</section>\n");
}

static void baseline_rows(struct rpt *r, const char *key, const json_t *m)
{
    const json_t *bm = cipi_report_get(m, "baseline.metrics");
    const char *bname = cipi_report_getstr(m, "baseline.name");
    const char *metric;
    const json_t *v;
    json_object_foreach((json_t *)bm, metric, v)
    {
        double mv = cipi_report_getnum(cipi_report_get(m, "metrics"), metric);
        double bv = json_is_number(v) ? json_number_value(v) : RPT_NAN;
        cipi_report_raw(r, "<tr><td>");
        cipi_report_esc(r, key);
        cipi_report_raw(r, "</td><td>");
        cipi_report_esc(r, cipi_report_metric_label(metric));
        cipi_report_raw(r, "</td><td class=\"n\">");
        cipi_report_metric(r, key, metric, mv);
        cipi_report_raw(r, "</td><td>");
        cipi_report_esc(r, bname != NULL ? bname : "baseline");
        cipi_report_raw(r, "</td><td class=\"n\">");
        cipi_report_metric(r, key, metric, bv);
        cipi_report_raw(r, "</td><td class=\"n\">");
        const char *lm = cipi_report_getstr(m, "lift.metric");
        if (lm != NULL && strcmp(lm, metric) == 0)
            cipi_report_pct(r, cipi_report_getnum(m, "lift.relative"));
        else
            cipi_report_raw(r, "&ndash;");
        cipi_report_raw(r, "</td></tr>\n");
    }
}

void cipi_report_baseline_section(struct rpt *r, const json_t *doc)
{
    const json_t *models = cipi_report_get(doc, "models");
    cipi_report_raw(r, "<section id=\"baseline\">\n<h2>Model versus baseline</h2>\n<p>A model "
                       "is only useful if it beats a trivial rule: always predicting the "
                       "average value (CLV) or the most common class (churn). Lift is the "
                       "relative improvement on the metric named.</p>\n");
    size_t n = 0;
    for (size_t i = 0; i < 3; i++) {
        const json_t *m = cipi_report_get(models, model_keys[i]);
        const json_t *bm = cipi_report_get(m, "baseline.metrics");
        if (!json_is_object(bm) || json_object_size(bm) == 0)
            continue;
        if (n++ == 0)
            cipi_report_raw(r, "<table id=\"baseline-table\"><thead><tr><th>Model</th><th>"
                               "Metric</th><th class=\"n\">Model</th><th>Baseline</th>"
                               "<th class=\"n\">Baseline value</th><th class=\"n\">Lift</th>"
                               "</tr></thead><tbody>\n");
        baseline_rows(r, model_keys[i], m);
    }
    if (n > 0)
        cipi_report_raw(r, "</tbody></table>\n");
    else
        cipi_report_na(r, "no baseline comparison in the summary");
    cipi_report_raw(r, "</section>\n");
}

void cipi_report_data_section(struct rpt *r, const json_t *doc)
{
    const json_t *data = cipi_report_get(doc, "data"), *split = cipi_report_get(doc, "split");
    const json_t *val = cipi_report_get(doc, "validation");
    cipi_report_raw(r, "<section id=\"data\">\n<h2>Data and split</h2>\n");
    if (json_is_object(data)) {
        cipi_report_raw(r, "<table class=\"kv\"><tbody>\n");
        row_text(r, "File", cipi_report_getstr(data, "path"), true);
        row_num(r, "Rows (customers)", cipi_report_getnum(data, "rows"), true);
        row_num(r, "Columns", cipi_report_getnum(data, "columns"), true);
        row_text(r, "Fingerprint", cipi_report_getstr(data, "fingerprint"), true);
        if (json_is_object(val)) {
            row_num(r, "Validation errors", cipi_report_getnum(val, "errors"), true);
            row_num(r, "Validation warnings", cipi_report_getnum(val, "warnings"), true);
        }
        cipi_report_raw(r, "</tbody></table>\n");
        string_list(r, cipi_report_get(val, "messages"), "Validation messages:");
    } else {
        cipi_report_na(r, "data facts (not in the summary)");
    }
    cipi_report_raw(r, "<h3>Train/test split</h3>\n");
    if (json_is_object(split)) {
        cipi_report_raw(r, "<table class=\"kv\"><tbody>\n");
        row_text(r, "Kind", cipi_report_getstr(split, "kind"), false);
        row_num(r, "Test share", cipi_report_getnum(split, "test_size"), false);
        row_num(r, "Training rows", cipi_report_getnum(split, "n_train"), true);
        row_num(r, "Test rows", cipi_report_getnum(split, "n_test"), true);
        row_text(r, "Why", cipi_report_getstr(split, "reason"), false);
        row_num(r, "Random seed", cipi_report_getnum(doc, "seed"), false);
        cipi_report_raw(r, "</tbody></table>\n");
    } else {
        cipi_report_na(r, "split facts (not in the summary)");
    }
    cipi_report_raw(r, "</section>\n");
}

static void run_row(struct rpt *r, const char *key, const json_t *m)
{
    cipi_report_raw(r, "<tr><td>");
    cipi_report_esc(r, key);
    static const char *const fields[5] = {"run_id", "model_uri", "registered", "version", "alias"};
    for (size_t i = 0; i < 5; i++) {
        const json_t *v = cipi_report_get(m, fields[i]);
        char b[64];
        cipi_report_raw(r, "</td><td><code>");
        cipi_report_esc(r, v != NULL && !json_is_null(v) ? cipi_report_scalar(b, sizeof b, v)
                                                         : "\xE2\x80\x93");
        cipi_report_raw(r, "</code>");
    }
    cipi_report_raw(r, "</td></tr>\n");
}

void cipi_report_runs_section(struct rpt *r, const json_t *doc)
{
    const json_t *models = cipi_report_get(doc, "models");
    const json_t *out = cipi_report_get(doc, "outputs");
    cipi_report_raw(r, "<section id=\"runs\">\n<h2>Runs and reproducibility</h2>\n");
    if (json_is_object(models) && json_object_size(models) > 0) {
        cipi_report_raw(r, "<table id=\"runs-table\"><thead><tr><th>Model</th><th>Run id</th>"
                           "<th>Model URI</th><th>Registered as</th><th>Version</th>"
                           "<th>Alias</th></tr></thead><tbody>\n");
        for (size_t i = 0; i < 3; i++)
            if (cipi_report_get(models, model_keys[i]) != NULL)
                run_row(r, model_keys[i], cipi_report_get(models, model_keys[i]));
        cipi_report_raw(r, "</tbody></table>\n");
    } else {
        cipi_report_na(r, "no model runs in the summary");
    }
    cipi_report_raw(r, "<table class=\"kv\"><tbody>\n");
    row_text(r, "Parent run", cipi_report_getstr(out, "parent_run_id"), true);
    row_text(r, "Tracking store", cipi_report_getstr(out, "tracking_uri"), true);
    row_text(r, "Output folder", cipi_report_getstr(out, "dir"), true);
    row_text(r, "Predictions", cipi_report_getstr(out, "predictions"), true);
    row_text(r, "cip version", cipi_report_getstr(doc, "cip_version"), false);
    row_num(r, "Duration (ms)", cipi_report_getnum(doc, "duration_ms"), true);
    cipi_report_raw(r, "</tbody></table>\n");
    const char *cmd = cipi_report_getstr(doc, "command");
    const char *rep = cipi_report_getstr(out, "reproduce");
    if (cmd != NULL) {
        cipi_report_raw(r, "<p>Command that produced this report:</p>\n<pre id=\"command\">");
        cipi_report_esc(r, cmd);
        cipi_report_raw(r, "</pre>\n");
    }
    if (rep != NULL) {
        cipi_report_raw(r, "<p>Reproduce the tracked runs:</p>\n<pre id=\"reproduce\">");
        cipi_report_esc(r, rep);
        cipi_report_raw(r, "</pre>\n");
    }
    if (cmd == NULL && rep == NULL)
        cipi_report_na(r, "the command that reproduces this run (not in the summary)");
    else if (rep == NULL)
        cipi_report_raw(r, "<p class=\"na\">The runs were not tracked (no run ids): rerun the "
                           "command above to reproduce this report.</p>\n");
    string_list(r, cipi_report_get(out, "notes"), "Notes:");
    cipi_report_raw(r, "</section>\n");
}
