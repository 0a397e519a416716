/* error.c - status text, error recording on the ctx, logging and progress
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "ctx_int.h"

static const char *const status_text[] = {
    "success",          "out of memory",   "input/output error", "parse error",
    "invalid argument", "schema mismatch", "not found",          "conflict",
    "limit exceeded",   "API misuse",      "internal error",
};
static const char *const status_names[] = {
    "CIP_OK",          "CIP_ERR_NOMEM",  "CIP_ERR_IO",        "CIP_ERR_PARSE",
    "CIP_ERR_INVALID", "CIP_ERR_SCHEMA", "CIP_ERR_NOT_FOUND", "CIP_ERR_CONFLICT",
    "CIP_ERR_LIMIT",   "CIP_ERR_MISUSE", "CIP_ERR_INTERNAL",
};

const char *cip_status_str(cip_status s)
{
    if ((unsigned)s < CIP_ARRAY_LEN(status_text))
        return status_text[s];
    return "unknown status";
}

const char *cip_status_name(cip_status s)
{
    if ((unsigned)s < CIP_ARRAY_LEN(status_names))
        return status_names[s];
    return "CIP_ERR_UNKNOWN";
}

static void set_msg(cip_ctx *ctx, const char *fmt, va_list ap) CIPI_PRINTF(2, 0);
static void set_msg(cip_ctx *ctx, const char *fmt, va_list ap)
{
    vsnprintf(ctx->errmsg, sizeof ctx->errmsg, fmt, ap);
}

cip_status cipi_fail(cip_ctx *ctx, cip_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_msg(ctx, fmt, ap);
    va_end(ap);
    return code;
}

cip_status cipi_fail_errno(cip_ctx *ctx, cip_status code, int errnum, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_msg(ctx, fmt, ap);
    va_end(ap);
    char ebuf[256];
    /* POSIX strerror_r (we build with _POSIX_C_SOURCE, not _GNU_SOURCE). */
    if (strerror_r(errnum, ebuf, sizeof ebuf) != 0)
        snprintf(ebuf, sizeof ebuf, "error %d", errnum);
    size_t len = strlen(ctx->errmsg);
    snprintf(ctx->errmsg + len, sizeof ctx->errmsg - len, ": %s", ebuf);
    return code;
}

cip_status cipi_nomem(cip_ctx *ctx)
{
    return cipi_fail(ctx, CIP_ERR_NOMEM, "out of memory");
}

cip_status cipi_fail_prefix(cip_ctx *ctx, cip_status code, const char *fmt, ...)
{
    char old[CIPI_ERRMSG_MAX];
    memcpy(old, ctx->errmsg, sizeof old);
    va_list ap;
    va_start(ap, fmt);
    set_msg(ctx, fmt, ap);
    va_end(ap);
    size_t len = strlen(ctx->errmsg);
    snprintf(ctx->errmsg + len, sizeof ctx->errmsg - len, ": %s", old);
    return code;
}

void cipi_log(cip_ctx *ctx, cip_log_level level, const char *fmt, ...)
{
    if (ctx->log_fn == NULL || level > ctx->log_level)
        return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    ctx->log_fn(ctx->log_ud, level, line);
}

void cipi_progress(cip_ctx *ctx, const char *stage, uint64_t done, uint64_t total)
{
    if (ctx->progress_fn != NULL)
        ctx->progress_fn(ctx->progress_ud, stage, done, total);
}
