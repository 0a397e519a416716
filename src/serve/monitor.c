/* monitor.c - live drift of the served traffic (models whose bundle has a reference.json)
 *
 * Every scored request adds its raw rows and predictions to the model's rolling
 * sketch (cip_drift_live: thread-safe, last 10,000 rows with exponential
 * forgetting). GET /api/v1/monitor returns the per-feature PSI gauges of every
 * monitored model with the window and the default PSI thresholds of `cip monitor`
 * (404 when none is); /metrics exports them as cip_drift_psi.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "serve_int.h"

#define LIVE_WINDOW 10000

void cipi_serve_monitor_open(cip_ctx *ctx, struct serve_model *m)
{
    char path[4096];
    FILE *f;
    if ((size_t)snprintf(path, sizeof path, "%s/reference.json", m->path) >= sizeof path ||
        (f = fopen(path, "rb")) == NULL)
        return;
    fclose(f);
    if (cip_refstats_load(ctx, path, &m->ref) != CIP_OK ||
        cip_drift_live_new(ctx, m->ref, LIVE_WINDOW, &m->live) != CIP_OK) {
        cip_refstats_free(m->ref); /* monitoring is optional: serve without it */
        m->ref = NULL;
        cip_ctx_clear_error(ctx);
    }
}

void cipi_serve_monitor_close(struct serve_model *m)
{
    cip_drift_live_free(m->live);
    cip_refstats_free(m->ref);
    m->live = NULL;
    m->ref = NULL;
}

void cipi_serve_monitor_add(cip_ctx *ctx, struct serve_model *m, const cip_frame *raw,
                            const cip_frame *pred)
{
    if (m->live == NULL)
        return;
    size_t n = cip_frame_n_rows(pred);
    double small[16];
    double *v = n <= 16 ? small : cipi_mallocarray(ctx, n, sizeof *v);
    if (v != NULL) {
        cip_frame_get_col(pred, 0, v);
        if (cip_drift_live_add_frame(ctx, m->live, raw, v) != CIP_OK)
            cip_ctx_clear_error(ctx);
    } else {
        cip_ctx_clear_error(ctx);
    }
    if (v != small)
        cipi_free(ctx, v);
}

/* A snapshot of m's gauges (owned, *n of them). */
static cip_drift_gauge *gauges(cip_ctx *ctx, struct serve_model *m, size_t *n)
{
    size_t cap = 64;
    for (;;) {
        cip_drift_gauge *g = cipi_calloc(ctx, cap, sizeof *g);
        if (g == NULL)
            return NULL;
        *n = cip_drift_live_gauges(m->live, g, cap);
        if (*n <= cap)
            return g;
        cipi_free(ctx, g);
        cap = *n;
    }
}

static cip_status model_json(struct serve_call *c, struct cipi_json *j, size_t k,
                             struct serve_model *m)
{
    cip_ctx *ctx = c->ctx;
    size_t n = 0;
    cip_drift_gauge *g = gauges(ctx, m, &n);
    if (g == NULL)
        return CIP_ERR_NOMEM;
    cip_status rc = cipi_json_begin(ctx, j, '{');
    const char *kv[] = {"role",    cipi_serve_role(m), "uri", c->srv->slots[k].uri,
                        "version", m->version};
    for (size_t q = 0; rc == CIP_OK && q < 6; q += 2) {
        rc = cipi_json_key(ctx, j, kv[q]);
        if (rc == CIP_OK)
            rc = cipi_json_str(ctx, j, kv[q + 1]);
    }
    if (rc == CIP_OK)
        rc = cipi_json_key(ctx, j, "rows");
    if (rc == CIP_OK)
        rc = cipi_json_int(ctx, j, n > 0 ? (int64_t)g[0].n : 0);
    if (rc == CIP_OK)
        rc = cipi_json_key(ctx, j, "gauges");
    if (rc == CIP_OK)
        rc = cipi_json_begin(ctx, j, '[');
    for (size_t q = 0; rc == CIP_OK && q < n; q++) {
        rc = cipi_json_begin(ctx, j, '{');
        if (rc == CIP_OK)
            rc = cipi_json_key(ctx, j, "feature");
        if (rc == CIP_OK)
            rc = cipi_json_str(ctx, j, g[q].name);
        if (rc == CIP_OK)
            rc = cipi_json_key(ctx, j, "psi");
        if (rc == CIP_OK)
            rc = cipi_serve_json_num(ctx, j, g[q].psi);
        if (rc == CIP_OK)
            rc = cipi_json_key(ctx, j, "missing_rate");
        if (rc == CIP_OK)
            rc = cipi_serve_json_num(ctx, j, g[q].missing_rate);
        if (rc == CIP_OK)
            rc = cipi_json_key(ctx, j, "n");
        if (rc == CIP_OK)
            rc = cipi_json_int(ctx, j, (int64_t)g[q].n);
        if (rc == CIP_OK)
            rc = cipi_json_end(ctx, j, '}');
    }
    if (rc == CIP_OK)
        rc = cipi_json_end(ctx, j, ']');
    cipi_free(ctx, g);
    return rc == CIP_OK ? cipi_json_end(ctx, j, '}') : rc;
}

cip_status cipi_serve_monitor(struct serve_call *c)
{
    struct cipi_json j;
    size_t n_live = 0;
    cipi_json_init(&j, &c->resp->body);
    cip_monitor_params mp;
    cip_monitor_params_default(&mp);
    cip_status rc = cipi_json_begin(c->ctx, &j, '{');
    if (rc == CIP_OK)
        rc = cipi_json_key(c->ctx, &j, "window");
    if (rc == CIP_OK)
        rc = cipi_json_int(c->ctx, &j, LIVE_WINDOW);
    if (rc == CIP_OK)
        rc = cipi_json_key(c->ctx, &j, "psi_warn");
    if (rc == CIP_OK)
        rc = cipi_serve_json_num(c->ctx, &j, mp.psi_warn);
    if (rc == CIP_OK)
        rc = cipi_json_key(c->ctx, &j, "psi_alert");
    if (rc == CIP_OK)
        rc = cipi_serve_json_num(c->ctx, &j, mp.psi_alert);
    if (rc == CIP_OK)
        rc = cipi_json_key(c->ctx, &j, "models");
    if (rc == CIP_OK)
        rc = cipi_json_begin(c->ctx, &j, '[');
    for (size_t k = 0; rc == CIP_OK && k < c->srv->n_slots; k++) {
        struct serve_model *m = cipi_serve_acquire(c->srv, k);
        if (m != NULL && m->live != NULL) {
            rc = model_json(c, &j, k, m);
            n_live++;
        }
        cipi_serve_release(m);
    }
    if (rc == CIP_OK)
        rc = cipi_json_end(c->ctx, &j, ']');
    if (rc == CIP_OK)
        rc = cipi_json_end(c->ctx, &j, '}');
    if (rc == CIP_OK && n_live == 0)
        return cipi_serve_error(c, 404, "RESOURCE_DOES_NOT_EXIST",
                                "no served model has monitoring (a reference.json in its "
                                "bundle: see `cip monitor`)");
    c->resp->status = 200;
    c->resp->ctype = "application/json";
    return rc;
}

cip_status cipi_serve_monitor_metrics(struct serve_call *c)
{
    struct cipi_buf *b = &c->resp->body;
    bool header = false;
    cip_status rc = CIP_OK;
    for (size_t k = 0; rc == CIP_OK && k < c->srv->n_slots; k++) {
        struct serve_model *m = cipi_serve_acquire(c->srv, k);
        size_t n = 0;
        cip_drift_gauge *g = m != NULL && m->live != NULL ? gauges(c->ctx, m, &n) : NULL;
        if (!header && g != NULL) {
            rc = cipi_buf_printf(c->ctx, b,
                                 "# HELP cip_drift_psi Population stability index of a served "
                                 "feature against the training reference.\n"
                                 "# TYPE cip_drift_psi gauge\n");
            header = true;
        }
        for (size_t q = 0; rc == CIP_OK && q < n; q++) {
            char v[40];
            if (isnan(g[q].psi))
                snprintf(v, sizeof v, "NaN");
            else
                cipi_fmt_double(v, sizeof v, g[q].psi);
            rc = cipi_buf_printf(c->ctx, b, "cip_drift_psi{role=\"%s\",feature=\"%s\"} %s\n",
                                 cipi_serve_role(m), g[q].name, v);
        }
        cipi_free(c->ctx, g);
        cipi_serve_release(m);
    }
    return rc;
}
