/* json_write.c - a small streaming JSON writer (for --json output, MLmodel
 * signatures and input examples)
 *
 * Strings: ", \ and control characters are escaped; other bytes, including
 * UTF-8 sequences, pass through unchanged. Numbers: %.17g (round-trips);
 * NaN and infinities have no JSON form and are written as null.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cipi.h"

void cipi_json_init(struct cipi_json *j, struct cipi_buf *b)
{
    j->b = b;
    j->depth = 0;
    j->first[0] = 1;
    j->after_key = false;
}

/* Comma before a value or key, unless first in its container or after a key. */
static cip_status sep(cip_ctx *ctx, struct cipi_json *j)
{
    if (j->after_key) {
        j->after_key = false;
        return CIP_OK;
    }
    if (j->first[j->depth]) {
        j->first[j->depth] = 0;
        return CIP_OK;
    }
    return cipi_buf_append(ctx, j->b, ", ", 2);
}

cip_status cipi_json_begin(cip_ctx *ctx, struct cipi_json *j, char open)
{
    if (j->depth >= 32)
        return cipi_fail(ctx, CIP_ERR_LIMIT, "JSON nesting deeper than 32");
    cip_status rc = sep(ctx, j);
    if (rc == CIP_OK)
        rc = cipi_buf_putc(ctx, j->b, open);
    if (rc == CIP_OK)
        j->first[++j->depth] = 1;
    return rc;
}

cip_status cipi_json_end(cip_ctx *ctx, struct cipi_json *j, char close)
{
    if (j->depth > 0)
        j->depth--;
    return cipi_buf_putc(ctx, j->b, close);
}

cip_status cipi_json_escape(cip_ctx *ctx, struct cipi_buf *b, const char *s)
{
    cip_status rc = cipi_buf_putc(ctx, b, '"');
    for (const unsigned char *p = (const unsigned char *)s; rc == CIP_OK && *p; p++) {
        const unsigned char *run = p;
        while (*p && *p != '"' && *p != '\\' && *p >= 0x20)
            p++;
        if (p > run)
            rc = cipi_buf_append(ctx, b, run, (size_t)(p - run));
        if (rc != CIP_OK || *p == '\0')
            break;
        char esc[8];
        switch (*p) {
        case '"':
            memcpy(esc, "\\\"", 3);
            break;
        case '\\':
            memcpy(esc, "\\\\", 3);
            break;
        case '\n':
            memcpy(esc, "\\n", 3);
            break;
        case '\r':
            memcpy(esc, "\\r", 3);
            break;
        case '\t':
            memcpy(esc, "\\t", 3);
            break;
        case '\b':
            memcpy(esc, "\\b", 3);
            break;
        case '\f':
            memcpy(esc, "\\f", 3);
            break;
        default:
            snprintf(esc, sizeof esc, "\\u%04x", *p);
            break;
        }
        rc = cipi_buf_append(ctx, b, esc, strlen(esc));
    }
    if (rc == CIP_OK)
        rc = cipi_buf_putc(ctx, b, '"');
    return rc;
}

cip_status cipi_json_key(cip_ctx *ctx, struct cipi_json *j, const char *k)
{
    cip_status rc = sep(ctx, j);
    if (rc == CIP_OK)
        rc = cipi_json_escape(ctx, j->b, k);
    if (rc == CIP_OK)
        rc = cipi_buf_append(ctx, j->b, ": ", 2);
    j->after_key = true;
    return rc;
}

cip_status cipi_json_str(cip_ctx *ctx, struct cipi_json *j, const char *s)
{
    if (s == NULL)
        return cipi_json_null(ctx, j);
    cip_status rc = sep(ctx, j);
    return rc == CIP_OK ? cipi_json_escape(ctx, j->b, s) : rc;
}

cip_status cipi_json_raw(cip_ctx *ctx, struct cipi_json *j, const char *lit)
{
    cip_status rc = sep(ctx, j);
    return rc == CIP_OK ? cipi_buf_append(ctx, j->b, lit, strlen(lit)) : rc;
}

cip_status cipi_json_num(cip_ctx *ctx, struct cipi_json *j, double v)
{
    if (!isfinite(v))
        return cipi_json_raw(ctx, j, "null");
    char t[40];
    snprintf(t, sizeof t, "%.17g", v);
    return cipi_json_raw(ctx, j, t);
}

cip_status cipi_json_int(cip_ctx *ctx, struct cipi_json *j, int64_t v)
{
    char t[32];
    snprintf(t, sizeof t, "%lld", (long long)v);
    return cipi_json_raw(ctx, j, t);
}

cip_status cipi_json_bool(cip_ctx *ctx, struct cipi_json *j, bool v)
{
    return cipi_json_raw(ctx, j, v ? "true" : "false");
}

cip_status cipi_json_null(cip_ctx *ctx, struct cipi_json *j)
{
    return cipi_json_raw(ctx, j, "null");
}

int64_t cipi_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}
