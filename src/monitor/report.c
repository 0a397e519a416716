/* report.c - monitor report as a text table and as JSON (schema in docs/MONITOR.md)
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "monitor_int.h"

/* v with `dec` decimals (dec < 0: 2 significant digits), "-" when NaN. */
static void fmt(char *buf, size_t size, double v, int dec)
{
    if (isnan(v))
        snprintf(buf, size, "-");
    else if (dec < 0)
        snprintf(buf, size, "%.2g", v);
    else
        snprintf(buf, size, "%.*f", dec, v);
}

static cip_status text_row(cip_ctx *ctx, struct cipi_buf *b, const cip_drift_feature *d)
{
    char psi[16], ks[16], ksp[16], w[16], chp[16], js[16], mis[16], oor[16];
    fmt(psi, sizeof psi, d->psi, 4);
    fmt(ks, sizeof ks, d->ks, 4);
    fmt(ksp, sizeof ksp, d->ks_pvalue, -1);
    fmt(w, sizeof w, d->wasserstein_effect, 4);
    fmt(chp, sizeof chp, d->chi2_pvalue, -1);
    fmt(js, sizeof js, d->js, 4);
    fmt(mis, sizeof mis, d->missing_cur, 3);
    fmt(oor, sizeof oor, d->out_of_range, 4);
    return cipi_buf_printf(ctx, b, "%-22.22s %-4s %-7s %8s %7s %8s %7s %8s %7s %6s %7s  %s\n",
                           d->name, d->categorical ? "cat" : "num", cip_drift_level_name(d->level),
                           psi, ks, ksp, w, chp, js, mis, oor, d->reason);
}

cip_status cip_monitor_report_text(cip_ctx *ctx, const cip_monitor_report *r, char **out)
{
    struct cipi_buf b;
    cipi_buf_init(&b, ctx, 0);
    cip_status rc = cipi_buf_printf(
        ctx, &b,
        "verdict: %s (%zu alert%s, %zu warning%s); reference %zu rows, current %zu rows\n\n",
        cip_monitor_verdict_name(r->verdict), r->n_alert, r->n_alert == 1 ? "" : "s", r->n_warning,
        r->n_warning == 1 ? "" : "s", r->n_ref, r->n_cur);
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, &b, "%-22s %-4s %-7s %8s %7s %8s %7s %8s %7s %6s %7s  %s\n",
                             "feature", "type", "level", "psi", "ks", "ks_p", "w1/sd", "chi2_p",
                             "js", "miss", "oor", "reason");
    for (size_t k = 0; rc == CIP_OK && k < r->n_features; k++)
        rc = text_row(ctx, &b, &r->features[k]);
    if (rc == CIP_OK && r->has_prediction) {
        rc = cipi_buf_printf(ctx, &b, "\nprediction drift:\n");
        if (rc == CIP_OK)
            rc = text_row(ctx, &b, &r->prediction);
    }
    const cip_monitor_perf *p = &r->perf;
    if (rc == CIP_OK && p->available)
        rc = cipi_buf_printf(ctx, &b,
                             "\nperformance (%zu labelled rows): %s %.4f [%.4f, %.4f] vs reference "
                             "%.4f, decay %+.4f%s\n",
                             p->n, p->metric, p->current, p->ci_lo, p->ci_hi, p->reference,
                             p->decay, p->degraded ? " -> degraded" : "");
    else if (rc == CIP_OK)
        rc = cipi_buf_printf(
            ctx, &b,
            "\nperformance: not checked (no target in the current data, or a segments model)\n");
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, &b,
                             "thresholds: psi warning %.3g alert %.3g, ks %.3g, js %.3g "
                             "(effect sizes; p-values are informative only)\n",
                             r->params.psi_warn, r->params.psi_alert, r->params.ks_warn,
                             r->params.js_warn);
    if (rc == CIP_OK)
        *out = cipi_buf_detach(&b, NULL);
    cipi_buf_release(&b);
    return rc;
}

static cip_status kn(cip_ctx *ctx, struct cipi_json *j, const char *k, double v)
{
    cip_status rc = cipi_json_key(ctx, j, k);
    return rc == CIP_OK ? cipi_json_num(ctx, j, isfinite(v) ? v : MON_NAN) : rc;
}

static cip_status ks_(cip_ctx *ctx, struct cipi_json *j, const char *k, const char *v)
{
    cip_status rc = cipi_json_key(ctx, j, k);
    return rc == CIP_OK ? cipi_json_str(ctx, j, v) : rc;
}

static cip_status json_feature(cip_ctx *ctx, struct cipi_json *j, const cip_drift_feature *d)
{
    cip_status rc = cipi_json_begin(ctx, j, '{');
    if (rc == CIP_OK)
        rc = ks_(ctx, j, "name", d->name);
    if (rc == CIP_OK)
        rc = ks_(ctx, j, "type", d->categorical ? "categorical" : "numeric");
    if (rc == CIP_OK)
        rc = ks_(ctx, j, "level", cip_drift_level_name(d->level));
    if (rc == CIP_OK)
        rc = ks_(ctx, j, "reason", d->reason);
    if (rc == CIP_OK)
        rc = cipi_json_key(ctx, j, "absent");
    if (rc == CIP_OK)
        rc = cipi_json_bool(ctx, j, d->absent != 0);
    if (rc == CIP_OK)
        rc = kn(ctx, j, "n_ref", (double)d->n_ref);
    if (rc == CIP_OK)
        rc = kn(ctx, j, "n_cur", (double)d->n_cur);
    if (rc == CIP_OK)
        rc = kn(ctx, j, "psi", d->psi);
    if (rc == CIP_OK)
        rc = kn(ctx, j, "ks", d->ks);
    if (rc == CIP_OK)
        rc = kn(ctx, j, "ks_pvalue", d->ks_pvalue);
    if (rc == CIP_OK)
        rc = kn(ctx, j, "wasserstein", d->wasserstein);
    if (rc == CIP_OK)
        rc = kn(ctx, j, "wasserstein_effect", d->wasserstein_effect);
    if (rc == CIP_OK)
        rc = kn(ctx, j, "chi2", d->chi2);
    if (rc == CIP_OK)
        rc = kn(ctx, j, "chi2_df", d->categorical ? (double)d->chi2_df : MON_NAN);
    if (rc == CIP_OK)
        rc = kn(ctx, j, "chi2_pvalue", d->chi2_pvalue);
    if (rc == CIP_OK)
        rc = kn(ctx, j, "js", d->js);
    if (rc == CIP_OK)
        rc = kn(ctx, j, "missing_ref", d->missing_ref);
    if (rc == CIP_OK)
        rc = kn(ctx, j, "missing_cur", d->missing_cur);
    if (rc == CIP_OK)
        rc = kn(ctx, j, "out_of_range", d->out_of_range);
    if (rc == CIP_OK)
        rc = kn(ctx, j, "mean_ref", d->mean_ref);
    if (rc == CIP_OK)
        rc = kn(ctx, j, "mean_cur", d->mean_cur);
    return rc == CIP_OK ? cipi_json_end(ctx, j, '}') : rc;
}

static cip_status json_perf(cip_ctx *ctx, struct cipi_json *j, const cip_monitor_perf *p)
{
    if (!p->available)
        return cipi_json_null(ctx, j);
    cip_status rc = cipi_json_begin(ctx, j, '{');
    if (rc == CIP_OK)
        rc = ks_(ctx, j, "metric", p->metric);
    if (rc == CIP_OK)
        rc = kn(ctx, j, "n", (double)p->n);
    if (rc == CIP_OK)
        rc = kn(ctx, j, "reference", p->reference);
    if (rc == CIP_OK)
        rc = kn(ctx, j, "current", p->current);
    if (rc == CIP_OK)
        rc = kn(ctx, j, "ci_lo", p->ci_lo);
    if (rc == CIP_OK)
        rc = kn(ctx, j, "ci_hi", p->ci_hi);
    if (rc == CIP_OK)
        rc = kn(ctx, j, "decay", p->decay);
    if (rc == CIP_OK)
        rc = cipi_json_key(ctx, j, "degraded");
    if (rc == CIP_OK)
        rc = cipi_json_bool(ctx, j, p->degraded != 0);
    return rc == CIP_OK ? cipi_json_end(ctx, j, '}') : rc;
}

static cip_status json_params(cip_ctx *ctx, struct cipi_json *j, const cip_monitor_params *p)
{
    cip_status rc = cipi_json_begin(ctx, j, '{');
    if (rc == CIP_OK)
        rc = kn(ctx, j, "psi_warn", p->psi_warn);
    if (rc == CIP_OK)
        rc = kn(ctx, j, "psi_alert", p->psi_alert);
    if (rc == CIP_OK)
        rc = kn(ctx, j, "ks_warn", p->ks_warn);
    if (rc == CIP_OK)
        rc = kn(ctx, j, "js_warn", p->js_warn);
    if (rc == CIP_OK)
        rc = kn(ctx, j, "missing_warn", p->missing_warn);
    if (rc == CIP_OK)
        rc = kn(ctx, j, "range_warn", p->range_warn);
    if (rc == CIP_OK)
        rc = kn(ctx, j, "max_decay", p->max_decay);
    if (rc == CIP_OK)
        rc = kn(ctx, j, "alpha", p->alpha);
    if (rc == CIP_OK)
        rc = kn(ctx, j, "bootstrap", (double)p->bootstrap);
    return rc == CIP_OK ? cipi_json_end(ctx, j, '}') : rc;
}

cip_status cip_monitor_report_json(cip_ctx *ctx, const cip_monitor_report *r, char **out)
{
    struct cipi_buf b;
    struct cipi_json j;
    cipi_buf_init(&b, ctx, 0);
    cipi_json_init(&j, &b);
    cip_status rc = cipi_json_begin(ctx, &j, '{');
    if (rc == CIP_OK)
        rc = ks_(ctx, &j, "verdict", cip_monitor_verdict_name(r->verdict));
    if (rc == CIP_OK)
        rc = kn(ctx, &j, "n_ref", (double)r->n_ref);
    if (rc == CIP_OK)
        rc = kn(ctx, &j, "n_cur", (double)r->n_cur);
    if (rc == CIP_OK)
        rc = kn(ctx, &j, "n_alert", (double)r->n_alert);
    if (rc == CIP_OK)
        rc = kn(ctx, &j, "n_warning", (double)r->n_warning);
    if (rc == CIP_OK)
        rc = cipi_json_key(ctx, &j, "features");
    if (rc == CIP_OK)
        rc = cipi_json_begin(ctx, &j, '[');
    for (size_t k = 0; rc == CIP_OK && k < r->n_features; k++)
        rc = json_feature(ctx, &j, &r->features[k]);
    if (rc == CIP_OK)
        rc = cipi_json_end(ctx, &j, ']');
    if (rc == CIP_OK)
        rc = cipi_json_key(ctx, &j, "prediction");
    if (rc == CIP_OK)
        rc = r->has_prediction ? json_feature(ctx, &j, &r->prediction) : cipi_json_null(ctx, &j);
    if (rc == CIP_OK)
        rc = cipi_json_key(ctx, &j, "performance");
    if (rc == CIP_OK)
        rc = json_perf(ctx, &j, &r->perf);
    if (rc == CIP_OK)
        rc = cipi_json_key(ctx, &j, "thresholds");
    if (rc == CIP_OK)
        rc = json_params(ctx, &j, &r->params);
    if (rc == CIP_OK)
        rc = cipi_json_end(ctx, &j, '}');
    if (rc == CIP_OK)
        rc = cipi_buf_putc(ctx, &b, '\n');
    if (rc == CIP_OK)
        *out = cipi_buf_detach(&b, NULL);
    cipi_buf_release(&b);
    return rc;
}
