/* respond.c - JSON responses and errors ({"error_code", "message"}) of the server
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve_int.h"

static bool round_trips(char *sci, size_t size, int prec, double v)
{
    snprintf(sci, size, "%.*e", prec, v);
    return strtod(sci, NULL) == v;
}

/* cipi_fmt_double's output (the shortest round-trip digits, the same notation) with fewer
 * conversions. Integral values directly. Values in [1e-4, 1e15) with at most 8 decimals: the
 * fewest decimals d with round(v 10^d) / 10^d == v (exact integer and power of ten, so the
 * division is the correctly rounded value strtod gives that decimal). Else the digit count
 * is searched from the top (model outputs mostly need 15-17 digits) and by bisection below
 * 15 digits: 2-5 conversions instead of up to 17. v is finite. */
void cipi_serve_fmt_num(char *buf, size_t size, double v)
{
    double a = fabs(v);
    if (v == floor(v) && a < 1e15) {
        snprintf(buf, size, "%.1f", v);
        return;
    }
    if (a >= 1e-4 && a < 1e15) {
        double p = 1;
        for (int d = 1; d <= 8; d++) {
            p *= 10;
            double r = nearbyint(v * p);
            if (fabs(r) < 9007199254740992.0 && r / p == v) {
                snprintf(buf, size, "%.*f", d, v);
                return;
            }
        }
    }
    char sci[40];
    int prec = 14;
    if (!round_trips(sci, sizeof sci, 14, v)) {
        prec = round_trips(sci, sizeof sci, 15, v) ? 15 : 16;
    } else {
        int lo = 0, hi = 14;
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (round_trips(sci, sizeof sci, mid, v))
                hi = mid;
            else
                lo = mid + 1;
        }
        prec = lo;
    }
    snprintf(sci, sizeof sci, "%.*e", prec, v);
    const char *e = strchr(sci, 'e');
    int exp10 = (int)strtol(e + 1, NULL, 10);
    if (exp10 < -4 || exp10 >= 16) {
        snprintf(buf, size, "%.*se%c%02d", (int)(e - sci), sci, exp10 < 0 ? '-' : '+', abs(exp10));
        return;
    }
    int decimals = prec - exp10;
    if (decimals < 1)
        snprintf(buf, size, "%.1f", v);
    else
        snprintf(buf, size, "%.*f", decimals, v);
}

cip_status cipi_serve_json_num(cip_ctx *ctx, struct cipi_json *j, double v)
{
    char num[48];
    if (v != v || v - v != 0)
        return cipi_json_null(ctx, j);
    cipi_serve_fmt_num(num, sizeof num, v);
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
