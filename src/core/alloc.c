/* alloc.c - the allocation chokepoint: every libcip allocation passes here
 *
 * Going through the ctx allocator makes OOM injection, allocation counting
 * and limits possible (STYLE.md 4.6). Raw malloc/free are banned elsewhere.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "ctx_int.h"

void *cipi_malloc(cip_ctx *ctx, size_t n)
{
    void *p = ctx->alloc.fn(ctx->alloc.ud, NULL, n ? n : 1);
    if (p == NULL)
        cipi_nomem(ctx);
    return p;
}

void *cipi_mallocarray(cip_ctx *ctx, size_t count, size_t size)
{
    size_t n;
    if (!cipi_mul_ok(count, size, &n)) {
        cipi_fail(ctx, CIP_ERR_NOMEM, "allocation of %zu x %zu bytes overflows", count, size);
        return NULL;
    }
    return cipi_malloc(ctx, n);
}

void *cipi_calloc(cip_ctx *ctx, size_t count, size_t size)
{
    void *p = cipi_mallocarray(ctx, count, size);
    if (p != NULL)
        memset(p, 0, count * size);
    return p;
}

void *cipi_realloc(cip_ctx *ctx, void *p, size_t n)
{
    void *q = ctx->alloc.fn(ctx->alloc.ud, p, n ? n : 1);
    if (q == NULL)
        cipi_nomem(ctx);
    return q;
}

void cipi_free(cip_ctx *ctx, void *p)
{
    if (p != NULL)
        ctx->alloc.fn(ctx->alloc.ud, p, 0);
}

void cipi_afree(const struct cipi_alloc *a, void *p)
{
    if (p != NULL)
        a->fn(a->ud, p, 0);
}

void *cipi_amalloc(const struct cipi_alloc *a, size_t n)
{
    return a->fn(a->ud, NULL, n ? n : 1);
}

char *cipi_strndup(cip_ctx *ctx, const char *s, size_t n)
{
    char *p = cipi_malloc(ctx, n + 1);
    if (p != NULL) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

char *cipi_strdup(cip_ctx *ctx, const char *s)
{
    return cipi_strndup(ctx, s, strlen(s));
}

void cip_free(cip_ctx *ctx, void *p)
{
    cipi_free(ctx, p);
}
