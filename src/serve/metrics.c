/* metrics.c - request counters, latency histogram and GET /metrics (Prometheus text 0.0.4)
 *
 * Counters are relaxed atomics in the server object, updated when a request
 * completes; the exposition reads them without locking.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "serve_int.h"

static const unsigned k_codes[SERVE_N_CODES] = {200, 400, 401, 404, 405, 409,
                                                413, 415, 500, 503, 0};
/* Upper bounds of the latency buckets in microseconds (the last one is +Inf). */
static const uint64_t k_bounds_us[SERVE_N_BUCKETS - 1] = {
    100, 250, 500, 1000, 2000, 5000, 10000, 25000, 100000, 500000, 1000000};

static size_t code_index(unsigned status)
{
    for (size_t k = 0; k + 1 < SERVE_N_CODES; k++)
        if (k_codes[k] == status)
            return k;
    return SERVE_N_CODES - 1;
}

void cipi_serve_metrics_record(cip_server *s, enum serve_route r, unsigned status, uint64_t dur_us,
                               size_t bytes)
{
    struct serve_metrics *m = &s->m;
    size_t b = 0;
    while (b < SERVE_N_BUCKETS - 1 && dur_us > k_bounds_us[b])
        b++;
    atomic_fetch_add_explicit(&m->requests[r < ROUTE_COUNT ? r : ROUTE_UNKNOWN][code_index(status)],
                              1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->bucket[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->dur_sum_us, dur_us, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->n_requests, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->bytes_out, bytes, memory_order_relaxed);
}

static unsigned long long get(atomic_ullong *v)
{
    return atomic_load_explicit(v, memory_order_relaxed);
}

static cip_status requests(cip_ctx *ctx, struct cipi_buf *b, struct serve_metrics *m)
{
    cip_status rc = cipi_buf_printf(ctx, b,
                                    "# HELP cip_http_requests_total HTTP requests by route and "
                                    "status.\n# TYPE cip_http_requests_total counter\n");
    unsigned long long errors = 0;
    for (int r = 0; rc == CIP_OK && r < ROUTE_COUNT; r++)
        for (size_t k = 0; rc == CIP_OK && k < SERVE_N_CODES; k++) {
            unsigned long long v = get(&m->requests[r][k]);
            if (v == 0)
                continue;
            if (k_codes[k] == 0 || k_codes[k] >= 400)
                errors += v;
            if (k_codes[k] != 0)
                rc = cipi_buf_printf(ctx, b,
                                     "cip_http_requests_total{route=\"%s\",status=\"%u\"} %llu\n",
                                     cipi_serve_route_name((enum serve_route)r), k_codes[k], v);
            else
                rc = cipi_buf_printf(
                    ctx, b, "cip_http_requests_total{route=\"%s\",status=\"other\"} %llu\n",
                    cipi_serve_route_name((enum serve_route)r), v);
        }
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, b,
                             "# HELP cip_http_errors_total Responses with a status >= 400 (or "
                             "aborted).\n# TYPE cip_http_errors_total counter\n"
                             "cip_http_errors_total %llu\n",
                             errors);
    return rc;
}

static cip_status histogram(cip_ctx *ctx, struct cipi_buf *b, struct serve_metrics *m)
{
    cip_status rc = cipi_buf_printf(ctx, b,
                                    "# HELP cip_http_request_duration_seconds Time from request "
                                    "start to response sent.\n"
                                    "# TYPE cip_http_request_duration_seconds histogram\n");
    unsigned long long cum = 0;
    for (size_t k = 0; rc == CIP_OK && k < SERVE_N_BUCKETS; k++) {
        cum += get(&m->bucket[k]);
        if (k + 1 < SERVE_N_BUCKETS)
            rc = cipi_buf_printf(ctx, b,
                                 "cip_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                                 (double)k_bounds_us[k] / 1e6, cum);
        else
            rc = cipi_buf_printf(
                ctx, b, "cip_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n", cum);
    }
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, b,
                             "cip_http_request_duration_seconds_sum %.6f\n"
                             "cip_http_request_duration_seconds_count %llu\n"
                             "# HELP cip_http_response_bytes_total Response body bytes sent.\n"
                             "# TYPE cip_http_response_bytes_total counter\n"
                             "cip_http_response_bytes_total %llu\n",
                             (double)get(&m->dur_sum_us) / 1e6, get(&m->n_requests),
                             get(&m->bytes_out));
    return rc;
}

/* A label value with \\, " and newlines escaped (Prometheus text format). */
static void label(char *out, size_t size, const char *v)
{
    size_t o = 0;
    for (; v != NULL && *v != '\0' && o + 3 < size; v++) {
        if (*v == '\\' || *v == '"' || *v == '\n') {
            out[o++] = '\\';
            out[o++] = *v == '\n' ? 'n' : *v;
        } else {
            out[o++] = *v;
        }
    }
    out[o] = '\0';
}

static cip_status models(cip_ctx *ctx, struct cipi_buf *b, cip_server *s)
{
    char uri[512];
    cip_status rc = cipi_buf_printf(ctx, b,
                                    "# HELP cip_model_loaded Loaded model versions (1 per slot).\n"
                                    "# TYPE cip_model_loaded gauge\n");
    for (size_t k = 0; rc == CIP_OK && k < s->n_slots; k++) {
        struct serve_model *mdl = cipi_serve_acquire(s, k);
        label(uri, sizeof uri, s->slots[k].uri);
        if (mdl != NULL)
            rc = cipi_buf_printf(ctx, b,
                                 "cip_model_loaded{uri=\"%s\",role=\"%s\",version=\"%s\"} 1\n", uri,
                                 cipi_serve_role(mdl), mdl->version);
        else
            rc = cipi_buf_printf(ctx, b, "cip_model_loaded{uri=\"%s\",role=\"\",version=\"\"} 0\n",
                                 uri);
        cipi_serve_release(mdl);
    }
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, b,
                             "# HELP cip_model_reloads_total Model versions swapped in after an "
                             "alias change.\n# TYPE cip_model_reloads_total counter\n"
                             "cip_model_reloads_total %llu\n"
                             "# HELP cip_model_reload_errors_total Failed reloads.\n"
                             "# TYPE cip_model_reload_errors_total counter\n"
                             "cip_model_reload_errors_total %llu\n",
                             get(&s->m.reloads), get(&s->m.reload_errors));
    return rc;
}

cip_status cipi_serve_metrics_text(struct serve_call *c)
{
    struct cipi_buf *b = &c->resp->body;
    c->resp->status = 200;
    c->resp->ctype = "text/plain; version=0.0.4; charset=utf-8";
    cip_status rc = requests(c->ctx, b, &c->srv->m);
    if (rc == CIP_OK)
        rc = histogram(c->ctx, b, &c->srv->m);
    if (rc == CIP_OK)
        rc = models(c->ctx, b, c->srv);
    if (rc == CIP_OK)
        rc = cipi_serve_monitor_metrics(c);
    return rc;
}
