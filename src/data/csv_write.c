/* csv_write.c - writing frames as CSV (pandas to_csv conventions)
 *
 * Floats use the caller's printf format (e.g. "%.4f", as pandas'
 * float_format) or the shortest round-trip repr; booleans are True/False by
 * default; missing cells are empty fields; text is quoted only when it holds
 * the delimiter, a quote or a line break. Files are written to a temporary
 * name and renamed, so readers never see half a file.
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "data_int.h"

void cip_csv_write_opts_default(cip_csv_write_opts *o)
{
    o->float_format = NULL;
    o->true_str = "True";
    o->false_str = "False";
    o->final_newline = 1;
}

static cip_status put_text(cip_ctx *ctx, struct cipi_buf *b, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL)
        return cipi_buf_append(ctx, b, s, strlen(s));
    cip_status rc = cipi_buf_putc(ctx, b, '"');
    for (const char *p = s; rc == CIP_OK && *p; p++) {
        if (*p == '"')
            rc = cipi_buf_putc(ctx, b, '"');
        if (rc == CIP_OK)
            rc = cipi_buf_putc(ctx, b, *p);
    }
    return rc == CIP_OK ? cipi_buf_putc(ctx, b, '"') : rc;
}

static cip_status put_float(cip_ctx *ctx, struct cipi_buf *b, double v, const char *fmt)
{
    char tmp[64];
    if (isnan(v))
        return CIP_OK;
    if (isinf(v))
        return cipi_buf_append(ctx, b, v > 0 ? "inf" : "-inf", v > 0 ? 3 : 4);
    int n;
    if (fmt != NULL) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        n = snprintf(tmp, sizeof tmp, fmt, v);
#pragma GCC diagnostic pop
    } else {
        n = cipi_fmt_double(tmp, sizeof tmp, v);
        /* pandas writes integral floats with a trailing ".0" */
        if (n > 0 && strpbrk(tmp, ".eEn") == NULL && n + 2 < (int)sizeof tmp) {
            memcpy(tmp + n, ".0", 3);
            n += 2;
        }
    }
    if (n < 0 || (size_t)n >= sizeof tmp)
        return cipi_fail(ctx, CIP_ERR_INVALID, "float format '%s' gives over 63 characters",
                         fmt ? fmt : "repr");
    return cipi_buf_append(ctx, b, tmp, (size_t)n);
}

static cip_status put_cell(cip_ctx *ctx, struct cipi_buf *b, const cip_frame *f, size_t j, size_t i,
                           const cip_csv_write_opts *o)
{
    const struct frame_col *c = &f->cols[j];
    if (cipi_bit(c->missing, i))
        return CIP_OK;
    char tmp[32];
    switch (c->type) {
    case CIP_TYPE_INT: {
        int n = snprintf(tmp, sizeof tmp, "%lld", (long long)((const int64_t *)c->vals)[i]);
        return cipi_buf_append(ctx, b, tmp, (size_t)n);
    }
    case CIP_TYPE_FLOAT:
        return put_float(ctx, b, ((const double *)c->vals)[i], o->float_format);
    case CIP_TYPE_BOOL:
        return put_text(ctx, b, ((const uint8_t *)c->vals)[i] ? o->true_str : o->false_str);
    case CIP_TYPE_CAT:
        return put_text(ctx, b, c->levels[((const uint32_t *)c->vals)[i]]);
    }
    return CIP_OK;
}

static cip_status render(cip_ctx *ctx, const cip_frame *f, const cip_csv_write_opts *o,
                         struct cipi_buf *b)
{
    cip_status rc = CIP_OK;
    for (size_t j = 0; rc == CIP_OK && j < f->n_cols; j++) {
        if (j > 0)
            rc = cipi_buf_putc(ctx, b, ',');
        if (rc == CIP_OK)
            rc = put_text(ctx, b, f->cols[j].name);
    }
    if (rc == CIP_OK && (f->n_rows > 0 || o->final_newline))
        rc = cipi_buf_putc(ctx, b, '\n');
    for (size_t i = 0; rc == CIP_OK && i < f->n_rows; i++) {
        for (size_t j = 0; rc == CIP_OK && j < f->n_cols; j++) {
            if (j > 0)
                rc = cipi_buf_putc(ctx, b, ',');
            if (rc == CIP_OK)
                rc = put_cell(ctx, b, f, j, i, o);
        }
        if (rc == CIP_OK && (i + 1 < f->n_rows || o->final_newline))
            rc = cipi_buf_putc(ctx, b, '\n');
    }
    return rc;
}

cip_status cip_frame_write_csv(cip_ctx *ctx, const cip_frame *f, const char *path,
                               const cip_csv_write_opts *opts)
{
    cip_csv_write_opts o;
    cip_csv_write_opts_default(&o);
    if (opts != NULL)
        o = *opts;
    if (o.true_str == NULL)
        o.true_str = "True";
    if (o.false_str == NULL)
        o.false_str = "False";
    struct cipi_buf b;
    cipi_buf_init(&b, ctx, 0);
    cip_status rc = render(ctx, f, &o, &b);
    if (rc == CIP_OK) {
        if (strcmp(path, "-") == 0) {
            if (b.len > 0 && fwrite(b.data, 1, b.len, stdout) != b.len)
                rc = cipi_fail_errno(ctx, CIP_ERR_IO, errno, "cannot write to standard output");
            else if (fflush(stdout) != 0)
                rc = cipi_fail_errno(ctx, CIP_ERR_IO, errno, "cannot write to standard output");
        } else {
            rc = cipi_write_file_atomic(ctx, path, b.data ? b.data : "", b.len);
        }
    }
    cipi_buf_release(&b);
    return rc;
}
