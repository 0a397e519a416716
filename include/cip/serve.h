/* cip/serve.h - the model server: MLflow scoring protocol, cip JSON API, web UI
 *
 * cip_server_start() loads model bundles (directories or registry URIs such as
 * models:/cip-clv@champion) and serves them over HTTP with libmicrohttpd in
 * thread-pool + epoll mode:
 *   POST /invocations            MLflow's pyfunc scoring protocol (first model)
 *   GET  /ping /health /version  liveness, as the MLflow scoring server
 *   GET  /metrics                Prometheus text
 *   /api/v1/...                  the cip API (docs/SERVE.md)
 *   GET  / and /<file>           the embedded web UI
 * Registry aliases are re-resolved every reload_ms; a new version is loaded in
 * the background and swapped in; the old one is freed when the last request
 * using it finishes (reference count). The library never prints: the access
 * log and warnings go to the log callback of the params.
 * Threading: the server runs its own threads; start and stop from one thread.
 * The decode functions are pure and thread-safe (one ctx per thread).
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_SERVE_H
#define CIP_SERVE_H

#include <stddef.h>
#include <stdint.h>

#include "cip/core.h"
#include "cip/data.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- request decoding (also the fuzz target) ------------------------------------------ */
/* One input column of a model signature. */
typedef struct cip_serve_field {
    const char *name;
    cip_type type; /* INT accepts integral numbers, FLOAT any number, BOOL true/false,
                      CAT strings; JSON null is a missing value */
} cip_serve_field;

/* Decode an MLflow scoring body (application/json): an object with exactly one of
 * dataframe_split ({"columns", "data", optional "index"}), dataframe_records (list of
 * row objects), instances (list of row objects or of value lists in signature order)
 * or inputs (the same, or an object of equal-length column arrays), plus an optional
 * "params" object (ignored). On CIP_OK *out owns a frame with exactly the columns of
 * sig, in sig order, with sig types; extra input columns are ignored.
 * Errors: PARSE (not JSON, wrong shape, no or several input keys: HTTP 400
 * BAD_REQUEST), SCHEMA (a missing column, a value of the wrong type; the message names
 * the column and row: HTTP 400 INVALID_PARAMETER_VALUE), LIMIT (more than 10 million
 * cells), NOMEM. Allocates. */
CIP_API cip_status cip_serve_decode_json(cip_ctx *ctx, const cip_serve_field *sig, size_t n_sig,
                                         const char *body, size_t len, cip_frame **out);
/* As cip_serve_decode_json for one flat JSON object of fields (one row; the
 * /api/v1/score body); fields not in sig are ignored, missing ones are SCHEMA. */
CIP_API cip_status cip_serve_decode_record(cip_ctx *ctx, const cip_serve_field *sig, size_t n_sig,
                                           const char *body, size_t len, cip_frame **out);
/* A CSV table with a header (text/csv). keep_all = 0: exactly the columns of sig as
 * above; 1: every column of the table, the sig columns converted to sig types.
 * Errors: PARSE (CSV syntax), SCHEMA (missing column, value of the wrong type), NOMEM. */
CIP_API cip_status cip_serve_decode_csv(cip_ctx *ctx, const cip_serve_field *sig, size_t n_sig,
                                        const char *body, size_t len, int keep_all,
                                        cip_frame **out);

/* --- the server ---------------------------------------------------------------------- */
typedef struct cip_server cip_server; /* opaque: a running server */

/* Log callback for the access log (level INFO: "METHOD PATH STATUS BYTES DURATION_US")
 * and warnings (model reloads, missing models). Called from server threads, possibly
 * concurrently: it must be thread-safe. */
typedef void (*cip_serve_log_fn)(void *ud, cip_log_level level, const char *line);

typedef struct cip_serve_params {
    const char *host;               /* IPv4 address to bind; default "127.0.0.1" */
    uint16_t port;                  /* default 5001; 0 = an ephemeral port (cip_server_port) */
    const char *tracking_uri;       /* store for model URIs and the API; NULL =
                                       cip_store_resolve_uri(NULL) */
    const char *const *models;      /* model directories or URIs; NULL/0 = the champions
                                       models:/cip-clv@champion, models:/cip-churn@champion,
                                       models:/cip-segments@champion (missing ones are
                                       skipped with a warning; none at all is an error) */
    size_t n_models;                /* default 0 */
    int threads;                    /* HTTP worker threads, 1..256; default 4 */
    const char *token;              /* bearer token for changes (alias promotion); NULL =
                                       none required; default NULL */
    size_t max_body_bytes;          /* request bodies above it get 413; default 16 MiB */
    unsigned connection_timeout_s;  /* idle connection timeout; default 30 */
    size_t connection_memory_bytes; /* libmicrohttpd's per-connection memory pool (read
                                       buffer, request line, headers, reply headers);
                                       a request whose line + headers do not fit gets
                                       libmicrohttpd's own HTML 431/414; default 32 KiB */
    size_t max_header_bytes;        /* request line + headers above it get a JSON 431
                                       REQUEST_LIMIT_EXCEEDED from cip; 1024 ..
                                       connection_memory_bytes - 4096; default 16 KiB */
    unsigned max_connections;       /* concurrent connections; default 1024 */
    unsigned reload_ms;             /* alias re-check period; 0 = never; default 2000 */
    int access_log;                 /* 1: one INFO line per request through log; 0: none
                                       (nothing is formatted); default 1 */
    cip_serve_log_fn log;           /* NULL = silent */
    void *log_ud;
} cip_serve_params;

CIP_API void cip_serve_params_default(cip_serve_params *p);
/* Errors: CIP_ERR_INVALID naming the field. */
CIP_API cip_status cip_serve_params_check(cip_ctx *ctx, const cip_serve_params *p);

/* Load the models and start serving (returns at once; the server runs in its own
 * threads, and each client connection gets its own ctx - reused by the keep-alive
 * requests of that connection, one thread at a time - using ctx's allocator, which must
 * therefore be thread-safe). Errors: INVALID (params), NOT_FOUND (no model could be loaded, or an
 * explicit model cannot), IO (cannot bind: the message names host:port), NOMEM, and
 * those of cip_bundle_open_uri. On CIP_OK *out owns the server; stop it with
 * cip_server_stop(). Allocates. */
CIP_API cip_status cip_server_start(cip_ctx *ctx, const cip_serve_params *p, cip_server **out);
/* The bound port (the ephemeral one when port 0 was asked for). */
CIP_API uint16_t cip_server_port(const cip_server *s);
/* Number of loaded models. */
CIP_API size_t cip_server_n_models(const cip_server *s);
/* Stop accepting, finish the requests in flight, join the threads, free everything.
 * NULL is a no-op. */
CIP_API void cip_server_stop(cip_server *s);

#ifdef __cplusplus
}
#endif
#endif /* CIP_SERVE_H */
