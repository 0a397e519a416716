/* router.c - the route table: method + path pattern -> handler, and the web UI assets
 *
 * Patterns are '/'-separated; "{}" matches one segment, "{*}" the rest of the
 * path (at least one character). A path that matches with another method gets
 * 405 with an Allow header; an unknown path gets a JSON 404. Assets are only
 * the embedded table (exact match), so no request can reach the file system.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "serve_int.h"

typedef cip_status (*handler_fn)(struct serve_call *c);

static cip_status h_ping(struct serve_call *c);
static cip_status h_version(struct serve_call *c);

struct route {
    const char *method; /* "GET" (also HEAD) or "POST" */
    const char *pattern;
    enum serve_route id;
    handler_fn fn;
};

static const struct route k_routes[] = {
    {"GET", "/ping", ROUTE_PING, h_ping},
    {"GET", "/health", ROUTE_HEALTH, h_ping},
    {"GET", "/version", ROUTE_VERSION, h_version},
    {"POST", "/invocations", ROUTE_INVOCATIONS, cipi_serve_invocations},
    {"GET", "/metrics", ROUTE_METRICS, cipi_serve_metrics_text},
    {"GET", "/api/v1/info", ROUTE_INFO, cipi_serve_info},
    {"POST", "/api/v1/score", ROUTE_SCORE, cipi_serve_score},
    {"POST", "/api/v1/score/batch", ROUTE_BATCH, cipi_serve_batch},
    {"GET", "/api/v1/experiments", ROUTE_EXPERIMENTS, cipi_serve_experiments},
    {"GET", "/api/v1/runs", ROUTE_RUNS, cipi_serve_runs},
    {"GET", "/api/v1/runs/{}", ROUTE_RUN, cipi_serve_run},
    {"GET", "/api/v1/runs/{}/metrics/{*}", ROUTE_RUN_METRIC, cipi_serve_run_metric},
    {"GET", "/api/v1/models", ROUTE_MODELS, cipi_serve_models},
    {"GET", "/api/v1/models/{}", ROUTE_MODEL, cipi_serve_model},
    {"POST", "/api/v1/models/{}/aliases", ROUTE_ALIAS, cipi_serve_alias},
    {"GET", "/api/v1/audit", ROUTE_AUDIT, cipi_serve_audit},
    {"GET", "/api/v1/monitor", ROUTE_MONITOR, cipi_serve_monitor},
    {"GET", "/api/v1/clv", ROUTE_CLV, cipi_serve_clv},
};

static const char *const k_route_names[ROUTE_COUNT] = {
    "asset", "ping",  "health",      "version", "invocations", "metrics",    "info",
    "score", "batch", "experiments", "runs",    "run",         "run_metric", "models",
    "model", "alias", "audit",       "monitor", "clv",         "unknown"};

const char *cipi_serve_route_name(enum serve_route r)
{
    return r < ROUTE_COUNT ? k_route_names[r] : "unknown";
}

static cip_status h_ping(struct serve_call *c)
{
    size_t loaded = 0;
    for (size_t k = 0; k < c->srv->n_slots; k++) {
        struct serve_model *m = cipi_serve_acquire(c->srv, k);
        loaded += m != NULL;
        cipi_serve_release(m);
    }
    if (loaded == 0)
        return cipi_serve_error(c, 404, "RESOURCE_DOES_NOT_EXIST", "no model is loaded");
    return cipi_serve_json_text(c, 200, "\n");
}

static cip_status h_version(struct serve_call *c)
{
    return cipi_serve_json_text(c, 200, cip_version());
}

/* Match path against pattern; record "{}" / "{*}" segments in c->arg. */
static bool match(const char *pattern, const char *path, struct serve_call *c)
{
    int n_args = 0;
    const char *p = pattern, *s = path;
    while (*p != '\0') {
        if (p[0] == '{' && p[1] == '*') {
            if (*s == '\0' || n_args >= 2)
                return false;
            c->arg[n_args] = s;
            c->arg_len[n_args++] = strlen(s);
            return true;
        }
        if (p[0] == '{') {
            size_t n = strcspn(s, "/");
            if (n == 0 || n_args >= 2)
                return false;
            c->arg[n_args] = s;
            c->arg_len[n_args++] = n;
            s += n;
            p += 2;
            continue;
        }
        if (*p != *s)
            return false;
        p++;
        s++;
    }
    return *s == '\0';
}

static bool method_ok(const char *want, const char *got)
{
    return strcmp(want, got) == 0 || (strcmp(want, "GET") == 0 && strcmp(got, "HEAD") == 0);
}

static bool serve_asset(struct serve_call *c)
{
    const char *path = strcmp(c->path, "/") == 0 ? "/index.html" : c->path;
    for (size_t k = 0; k < cipi_web_assets_count; k++) {
        if (strcmp(cipi_web_assets[k].path, path) != 0)
            continue;
        c->resp->status = 200;
        c->resp->ctype = cipi_web_assets[k].mime;
        c->resp->static_data = cipi_web_assets[k].data;
        c->resp->static_len = cipi_web_assets[k].len;
        return true;
    }
    return false;
}

enum serve_route cipi_serve_dispatch(struct serve_call *c)
{
    const char *allow = NULL;
    for (size_t k = 0; k < CIP_ARRAY_LEN(k_routes); k++) {
        const struct route *r = &k_routes[k];
        if (!match(r->pattern, c->path, c))
            continue;
        if (!method_ok(r->method, c->method)) {
            allow = strcmp(r->method, "GET") == 0 ? "GET, HEAD" : r->method;
            continue;
        }
        cip_status st = r->fn(c);
        if (st != CIP_OK) /* the handler could not even build its answer */
            cipi_serve_fail(c, st);
        return r->id;
    }
    if (allow != NULL) {
        cipi_serve_error(c, 405, "BAD_REQUEST", "method %s is not allowed on %s (allowed: %s)",
                         c->method, c->path, allow);
        c->resp->allow = allow;
        return ROUTE_UNKNOWN;
    }
    if (method_ok("GET", c->method) && strncmp(c->path, "/api/", 5) != 0 && serve_asset(c))
        return ROUTE_ASSET;
    cipi_serve_error(c, 404, "RESOURCE_DOES_NOT_EXIST", "no such endpoint: %s %s", c->method,
                     c->path);
    return ROUTE_UNKNOWN;
}
