/* cmd_serve.c - `cip serve`: the HTTP model server (MLflow scoring protocol, cip API, web UI)
 * SPDX-License-Identifier: MIT
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cip/serve.h"
#include "commands.h"

const char cmd_serve_help[] =
    "usage: cip serve [--host 127.0.0.1] [--port 5001] [--tracking-uri URI]\n"
    "                 [--model URI]... [--threads N] [--token TOKEN]\n"
    "                 [--max-header-bytes N] [-q]\n"
    "\n"
    "Serve trained models over HTTP until SIGINT or SIGTERM. Without --model,\n"
    "the registry champions models:/cip-clv@champion, models:/cip-churn@champion\n"
    "and models:/cip-segments@champion are loaded (missing ones are skipped with a\n"
    "warning; none at all is an error). Registry aliases are re-checked every 2 s\n"
    "and a promoted version is swapped in without a restart.\n"
    "\n"
    "Endpoints:\n"
    "  POST /invocations          MLflow scoring protocol (first model): JSON with\n"
    "                             dataframe_split, dataframe_records, instances or\n"
    "                             inputs, or text/csv -> {\"predictions\": [...]}\n"
    "  GET  /ping, /health        200 when a model is loaded; GET /version\n"
    "  GET  /metrics              Prometheus metrics\n"
    "  POST /api/v1/score         one customer's fields -> scores, explanations,\n"
    "                             recommendation (see docs/SERVE.md)\n"
    "  POST /api/v1/score/batch   customer CSV -> scores CSV\n"
    "  GET  /api/v1/info, experiments, runs, runs/ID, models, models/NAME, audit,\n"
    "       monitor, clv\n"
    "  POST /api/v1/models/NAME/aliases  promote a version (needs the token if set)\n"
    "  GET  /                     the web UI\n"
    "\n"
    "Options:\n"
    "      --host ADDR         address to bind (default: 127.0.0.1, loopback only)\n"
    "      --port N            TCP port (default: 5001); 0 picks a free port\n"
    "      --tracking-uri URI  tracking store (default: $MLFLOW_TRACKING_URI, else\n"
    "                          sqlite:///mlflow.db)\n"
    "  -m, --model URI         model to serve: a bundle directory, models:/NAME@ALIAS,\n"
    "                          models:/NAME/VERSION or runs:/RUN_ID/model; repeatable\n"
    "                          (default: the three champions)\n"
    "      --threads N         HTTP worker threads (default: 4)\n"
    "      --token TOKEN       require 'Authorization: Bearer TOKEN' for changes\n"
    "                          (alias promotion) (default: $CIP_SERVE_TOKEN, else none)\n"
    "      --max-header-bytes N\n"
    "                          largest request line + headers in bytes; larger\n"
    "                          requests get a JSON 431 (default: 16384, range\n"
    "                          1024..1048576; libmicrohttpd's per-connection buffer\n"
    "                          is 32 KiB or twice this value, whichever is larger)\n"
    "  -q, --quiet             no access log on stderr\n"
    "\n"
    "On start it prints 'listening on http://HOST:PORT' on stdout. The access log\n"
    "(stderr) has one line per request: METHOD PATH STATUS BYTES DURATION_US.\n"
    "\n"
    "Errors: every request that reaches cip is answered in JSON,\n"
    "{\"error_code\": ..., \"message\": ...}: 400 bad body, 401, 404, 405, 409,\n"
    "413 body larger than 16 MiB, 415 content type, 431 request line + headers\n"
    "larger than --max-header-bytes, 500, 503. libmicrohttpd answers some requests\n"
    "itself, with its own short HTML body, before cip sees them: a malformed\n"
    "request line or header line, a bad Content-Length or chunked encoding (400),\n"
    "an unsupported HTTP version (505), a request line or headers that do not fit\n"
    "its per-connection buffer (414/431); input that is not HTTP at all may just\n"
    "close the connection. The server keeps serving after any of these.\n"
    "\n"
    "Examples:\n"
    "  cip serve\n"
    "  cip serve --model clv_model --port 8080\n"
    "  curl -s localhost:5001/invocations -H 'Content-Type: application/json' \\\n"
    "    -d '{\"dataframe_records\": [{\"age\": 35, \"annual_income\": 60000, ...}]}'\n"
    "\n"
    "Exit status: 0 stopped by a signal, 1 no model could be loaded or the port\n"
    "cannot be bound, 2 usage error.\n";

static void log_line(void *ud, cip_log_level level, const char *line)
{
    bool quiet = *(const bool *)ud;
    if (level <= CIP_LOG_WARN)
        fprintf(stderr, "cip serve: %s: %s\n", level == CIP_LOG_ERROR ? "error" : "warning", line);
    else if (!quiet)
        fprintf(stderr, "%s\n", line);
}

static int run(cip_ctx *ctx, cip_serve_params *p, bool *quiet)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    /* block before the server threads exist so that only sigwait sees the signals */
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    p->log = log_line;
    p->log_ud = quiet;
    cip_server *s = NULL;
    cip_status st = cip_server_start(ctx, p, &s);
    if (st != CIP_OK)
        return cli_fail(ctx, st);
    const char *host = p->host;
    printf("listening on http://%s%s%s:%u\n", strchr(host, ':') ? "[" : "", host,
           strchr(host, ':') ? "]" : "", (unsigned)cip_server_port(s));
    fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    fprintf(stderr, "cip serve: %s received, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    cip_server_stop(s);
    return CLI_OK;
}

int cmd_serve(int argc, char **argv, cip_ctx *ctx)
{
    static const struct option opts[] = {{"host", required_argument, NULL, 'H'},
                                         {"port", required_argument, NULL, 'p'},
                                         {"tracking-uri", required_argument, NULL, 'u'},
                                         {"model", required_argument, NULL, 'm'},
                                         {"threads", required_argument, NULL, 't'},
                                         {"token", required_argument, NULL, 'k'},
                                         {"max-header-bytes", required_argument, NULL, 'x'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {NULL, 0, NULL, 0}};
    cip_serve_params p;
    cip_serve_params_default(&p);
    const char *models[64];
    size_t n_models = 0;
    bool quiet = false;
    int64_t v;
    int c;
    p.token = getenv("CIP_SERVE_TOKEN");
    if (p.token != NULL && p.token[0] == '\0')
        p.token = NULL;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":m:q", opts, NULL)) != -1) {
        switch (c) {
        case 'H':
            p.host = optarg;
            break;
        case 'p':
            if (!cli_parse_i64(optarg, &v) || v < 0 || v > 65535)
                return cli_usage_error("serve", "--port needs a number in 0..65535");
            p.port = (uint16_t)v;
            break;
        case 'u':
            p.tracking_uri = optarg;
            break;
        case 'm':
            if (n_models == sizeof models / sizeof models[0])
                return cli_usage_error("serve", "at most 64 --model options");
            models[n_models++] = optarg;
            break;
        case 't':
            if (!cli_parse_i64(optarg, &v) || v < 1 || v > 256)
                return cli_usage_error("serve", "--threads needs a number in 1..256");
            p.threads = (int)v;
            break;
        case 'k':
            if (optarg[0] == '\0')
                return cli_usage_error("serve", "--token must not be empty");
            p.token = optarg;
            break;
        case 'x':
            if (!cli_parse_i64(optarg, &v) || v < 1024 || v > (1 << 20))
                return cli_usage_error("serve", "--max-header-bytes needs a number in "
                                                "1024..1048576");
            p.max_header_bytes = (size_t)v;
            break;
        case 'q':
            quiet = true;
            break;
        case ':':
            return cli_usage_error("serve", "option '%s' needs a value", argv[optind - 1]);
        default:
            return cli_usage_error("serve", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage_error("serve", "unexpected argument '%s'", argv[optind]);
    p.models = models;
    p.n_models = n_models;
    p.access_log = !quiet;
    /* libmicrohttpd's pool must hold the headers cip checks, plus its own bookkeeping */
    if (p.connection_memory_bytes < 2 * p.max_header_bytes)
        p.connection_memory_bytes = 2 * p.max_header_bytes;
    return run(ctx, &p, &quiet);
}
