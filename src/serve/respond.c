/* respond.c - JSON responses and errors ({"error_code", "message"}) of the server
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve_int.h"

cip_status cipi_serve_json_num(cip_ctx *ctx, struct cipi_json *j, double v)
{
    char num[48];
    if (v != v || v - v != 0)
        return cipi_json_null(ctx, j);
    cipi_fmt_double(num, sizeof num, v);
    return cipi_json_raw(ctx, j, num);
}

cip_status cipi_serve_error(struct serve_call *c, unsigned status, const char *code,
                            const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    struct serve_resp *r = c->resp;
    struct cipi_json j;
    r->body.len = 0;
    r->static_data = NULL;
    r->status = status;
    r->ctype = "application/json";
    cipi_json_init(&j, &r->body);
    cip_status rc = cipi_json_begin(c->ctx, &j, '{');
    if (rc == CIP_OK)
        rc = cipi_json_key(c->ctx, &j, "error_code");
    if (rc == CIP_OK)
        rc = cipi_json_str(c->ctx, &j, code);
    if (rc == CIP_OK)
        rc = cipi_json_key(c->ctx, &j, "message");
    if (rc == CIP_OK)
        rc = cipi_json_str(c->ctx, &j, msg);
    if (rc == CIP_OK)
        rc = cipi_json_end(c->ctx, &j, '}');
    return rc;
}

cip_status cipi_serve_fail(struct serve_call *c, cip_status st)
{
    const char *msg = cip_ctx_errmsg(c->ctx);
    if (msg[0] == '\0')
        msg = cip_status_str(st);
    switch (st) {
    case CIP_ERR_PARSE:
    case CIP_ERR_INVALID:
        return cipi_serve_error(c, 400, "BAD_REQUEST", "%s", msg);
    case CIP_ERR_SCHEMA:
        return cipi_serve_error(c, 400, "INVALID_PARAMETER_VALUE", "%s", msg);
    case CIP_ERR_NOT_FOUND:
        return cipi_serve_error(c, 404, "RESOURCE_DOES_NOT_EXIST", "%s", msg);
    case CIP_ERR_CONFLICT:
        return cipi_serve_error(c, 409, "RESOURCE_ALREADY_EXISTS", "%s", msg);
    case CIP_ERR_LIMIT:
        return cipi_serve_error(c, 413, "REQUEST_LIMIT_EXCEEDED", "%s", msg);
    default:
        return cipi_serve_error(c, 500, "INTERNAL_ERROR", "%s", msg);
    }
}

cip_status cipi_serve_json_text(struct serve_call *c, unsigned status, const char *json)
{
    struct serve_resp *r = c->resp;
    r->status = status;
    r->ctype = "application/json";
    r->body.len = 0;
    return cipi_buf_append(c->ctx, &r->body, json, strlen(json));
}

bool cipi_serve_arg(const struct serve_call *c, int k, char *buf, size_t size)
{
    /* libmicrohttpd has already percent-decoded the path */
    size_t n = c->arg_len[k];
    if (n + 1 > size || memchr(c->arg[k], '\0', n) != NULL)
        return false;
    memcpy(buf, c->arg[k], n);
    buf[n] = '\0';
    return true;
}
