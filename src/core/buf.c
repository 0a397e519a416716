/* buf.c - growable byte buffer with a hard cap (curl's dynbuf idea)
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "cipi.h"

void cipi_buf_init(struct cipi_buf *b, const cip_ctx *ctx, size_t limit)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->limit = limit ? limit : SIZE_MAX / 2;
    b->a = cipi_ctx_alloc(ctx);
}

void cipi_buf_release(struct cipi_buf *b)
{
    cipi_afree(&b->a, b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

cip_status cipi_buf_reserve(cip_ctx *ctx, struct cipi_buf *b, size_t extra)
{
    if (extra > b->limit - b->len)
        return cipi_fail(ctx, CIP_ERR_LIMIT, "buffer limit of %zu bytes exceeded", b->limit);
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return CIP_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = b->a.fn(b->a.ud, b->data, cap);
    if (p == NULL)
        return cipi_nomem(ctx);
    b->data = p;
    b->cap = cap;
    return CIP_OK;
}

cip_status cipi_buf_append(cip_ctx *ctx, struct cipi_buf *b, const void *p, size_t n)
{
    cip_status rc = cipi_buf_reserve(ctx, b, n);
    if (rc != CIP_OK)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return CIP_OK;
}

cip_status cipi_buf_putc(cip_ctx *ctx, struct cipi_buf *b, char c)
{
    return cipi_buf_append(ctx, b, &c, 1);
}

cip_status cipi_buf_printf(cip_ctx *ctx, struct cipi_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return cipi_fail(ctx, CIP_ERR_INTERNAL, "bad format string");
    cip_status rc = cipi_buf_reserve(ctx, b, (size_t)n);
    if (rc != CIP_OK)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return CIP_OK;
}

char *cipi_buf_detach(struct cipi_buf *b, size_t *len)
{
    char *p = b->data;
    if (len != NULL)
        *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}
