/* ctx.c - cip_ctx lifecycle, settings and build information
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "ctx_int.h"

#ifndef CIP_VERSION_STRING
#define CIP_VERSION_STRING "0.0.0"
#endif
#ifndef CIP_GIT_DESCRIBE
#define CIP_GIT_DESCRIBE "unknown"
#endif
#ifndef CIP_BUILD_TYPE
#define CIP_BUILD_TYPE "unknown"
#endif

/* The default allocator: libc realloc/free. */
static void *libc_alloc(void *ud, void *ptr, size_t n)
{
    (void)ud;
    if (n == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, n);
}

static int default_threads(void)
{
#ifdef _OPENMP
    int n = omp_get_max_threads();
    return n > 0 ? n : 1;
#else
    return 1;
#endif
}

cip_status cip_ctx_new_with_alloc(cip_alloc_fn fn, void *ud, cip_ctx **out)
{
    if (out == NULL || fn == NULL)
        return CIP_ERR_MISUSE;
    *out = NULL;
    cip_ctx *ctx = fn(ud, NULL, sizeof *ctx);
    if (ctx == NULL)
        return CIP_ERR_NOMEM;
    memset(ctx, 0, sizeof *ctx);
    ctx->alloc.fn = fn;
    ctx->alloc.ud = ud;
    ctx->log_level = CIP_LOG_INFO;
    ctx->threads = default_threads();
    *out = ctx;
    return CIP_OK;
}

cip_status cip_ctx_new(cip_ctx **out)
{
    return cip_ctx_new_with_alloc(libc_alloc, NULL, out);
}

void cip_ctx_free(cip_ctx *ctx)
{
    if (ctx == NULL)
        return;
    struct cipi_alloc a = ctx->alloc;
    a.fn(a.ud, ctx, 0);
}

void cip_ctx_set_log(cip_ctx *ctx, cip_log_fn fn, void *ud, cip_log_level max_level)
{
    ctx->log_fn = fn;
    ctx->log_ud = ud;
    ctx->log_level = max_level;
}

void cip_ctx_set_progress(cip_ctx *ctx, cip_progress_fn fn, void *ud)
{
    ctx->progress_fn = fn;
    ctx->progress_ud = ud;
}

void cip_ctx_set_threads(cip_ctx *ctx, int n)
{
    ctx->threads = n >= 1 ? n : default_threads();
}

int cip_ctx_threads(const cip_ctx *ctx)
{
    return ctx->threads;
}

int cipi_threads_for(const cip_ctx *ctx, size_t work)
{
    size_t t = (size_t)ctx->threads;
    if (work < t)
        t = work;
    return t < 1 ? 1 : (int)t;
}

const char *cip_ctx_errmsg(const cip_ctx *ctx)
{
    return ctx != NULL ? ctx->errmsg : "no context";
}

void cip_ctx_clear_error(cip_ctx *ctx)
{
    ctx->errmsg[0] = '\0';
}

struct cipi_alloc cipi_ctx_alloc(const cip_ctx *ctx)
{
    return ctx->alloc;
}

const char *cip_version(void)
{
    return CIP_VERSION_STRING;
}

int cip_has_openmp(void)
{
#ifdef _OPENMP
    return 1;
#else
    return 0;
#endif
}

#if defined(__clang__)
#define CIPI_COMPILER "clang " __clang_version__
#elif defined(__GNUC__)
#define CIPI_COMPILER "gcc " __VERSION__
#else
#define CIPI_COMPILER "unknown compiler"
#endif

#ifdef _OPENMP
#define CIPI_OMP "on"
#else
#define CIPI_OMP "off"
#endif

const char *cip_build_info(void)
{
    return "compiler " CIPI_COMPILER "; OpenMP " CIPI_OMP "; build " CIP_BUILD_TYPE
           "; git " CIP_GIT_DESCRIBE;
}
