/* rest_int.h - the MLflow tracking-server backend (rest.c, rest_ops.c only)
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_REST_INT_H
#define CIP_REST_INT_H

#include <curl/curl.h>
#include <jansson.h>

#include "track_int.h"

struct cipi_rest {
    struct cipi_alloc a;
    char *base;    /* "http://host:port" (no trailing slash) */
    CURL *curl;    /* one connection, reused (keep-alive) */
    char *auth;    /* "Authorization: Bearer ..." or NULL */
    char *userpwd; /* "user:password" for basic auth or NULL */
};

CIP_INTERNAL cip_status cipi_rest_new(cip_ctx *ctx, const char *uri, struct cipi_rest **out);
CIP_INTERNAL void cipi_rest_free(struct cipi_rest *r);
/* One request to <base><path>; body may be NULL. *resp (owned, may be NULL when
 * empty) on 2xx; otherwise the mapped error. */
CIP_INTERNAL cip_status cipi_rest_call(cip_ctx *ctx, struct cipi_rest *r, const char *method,
                                       const char *path, const char *content_type, const void *body,
                                       size_t len, char **resp, size_t *resp_len);
/* A JSON request to /api/2.0/mlflow/<endpoint> (endpoint may hold a query
 * string); req NULL sends no body; *resp (optional) the parsed answer. */
CIP_INTERNAL cip_status cipi_rest_json(cip_ctx *ctx, struct cipi_rest *r, const char *method,
                                       const char *endpoint, const json_t *req, json_t **resp);
/* URL-escape s into b; keep_slash keeps '/' separators. */
CIP_INTERNAL cip_status cipi_rest_escape(cip_ctx *ctx, struct cipi_rest *r, const char *s,
                                         int keep_slash, struct cipi_buf *b);

#endif /* CIP_REST_INT_H */
