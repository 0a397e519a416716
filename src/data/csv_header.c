/* csv_header.c - CSV reader set-up: options, header row, error messages
 *
 * The header names the columns: every name must be non-empty, valid UTF-8
 * and unique. Error messages name file:line:column, what was found and what
 * was expected; workers describe errors in a struct csv_err and the calling
 * thread formats the first one here.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "csv_int.h"

void cip_csv_read_opts_default(cip_csv_read_opts *o)
{
    memset(o, 0, sizeof *o);
    o->delimiter = ',';
    o->max_field_bytes = (size_t)64 << 20;
}

/* The value of an error, printable: control bytes and (unless the snippet is
 * valid UTF-8) bytes >= 0x80 as \xNN, "..." when truncated. */
static void fmt_value(char *out, size_t size, const struct csv_err *e)
{
    size_t bad, k = 0;
    bool utf8 = cipi_csv_utf8_ok(e->snippet, e->snippet_len, &bad);
    for (size_t i = 0; i < e->snippet_len && k + 5 < size; i++) {
        unsigned char c = (unsigned char)e->snippet[i];
        if (c >= 0x20 && c != 0x7f && (c < 0x80 || utf8))
            out[k++] = (char)c;
        else
            k += (size_t)snprintf(out + k, size - k, "\\x%02X", c);
    }
    if (e->value_len > e->snippet_len && k + 4 < size) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k] = '\0';
}

cip_status cipi_csv_report(const struct csv_reader *r, const struct csv_err *e, size_t line_base)
{
    const char *nm = r->name;
    size_t line = line_base + e->line, col = e->col;
    const char *cname = r->names != NULL && e->field < r->n_cols && r->names[e->field] != NULL
                            ? r->names[e->field]
                            : "?";
    char v[4 * CSV_SNIPPET + 8];
    fmt_value(v, sizeof v, e);
    switch (e->kind) {
    case CE_UNTERMINATED:
        return cipi_fail(r->ctx, CIP_ERR_PARSE,
                         "%s:%zu:%zu: unterminated quoted field: found the end of the file; "
                         "expected a closing '\"' for the quote opened here",
                         nm, line, col);
    case CE_AFTER_QUOTE:
        return cipi_fail(r->ctx, CIP_ERR_PARSE,
                         "%s:%zu:%zu: found '%s' after a closing quote; expected a delimiter "
                         "or the end of the line (quotes inside a field must be doubled)",
                         nm, line, col, v);
    case CE_QUOTE_INSIDE:
        return cipi_fail(r->ctx, CIP_ERR_PARSE,
                         "%s:%zu:%zu: found a quote inside the unquoted field '%s'; expected the "
                         "whole field quoted with inner quotes doubled",
                         nm, line, col, v);
    case CE_NUL:
        return cipi_fail(r->ctx, CIP_ERR_PARSE, "%s:%zu:%zu: found a NUL byte; expected text", nm,
                         line, col);
    case CE_FIELD_LIMIT:
        return cipi_fail(r->ctx, CIP_ERR_LIMIT,
                         "%s:%zu:%zu: field of %zu bytes exceeds the limit of %zu bytes "
                         "(max_field_bytes)",
                         nm, line, col, e->value_len, r->lx.max_field);
    case CE_TOO_MANY:
    case CE_TOO_FEW:
        return cipi_fail(r->ctx, CIP_ERR_PARSE,
                         "%s:%zu:%zu: found %s fields in this row (%zu); expected %zu as in "
                         "the header",
                         nm, line, col, e->kind == CE_TOO_MANY ? "too many" : "too few", e->count,
                         r->n_cols);
    case CE_UTF8:
        if (r->names == NULL)
            return cipi_fail(r->ctx, CIP_ERR_PARSE,
                             "%s:%zu:%zu: found invalid UTF-8 in the header field '%s'; expected "
                             "UTF-8 text",
                             nm, line, col, v);
        return cipi_fail(r->ctx, CIP_ERR_PARSE,
                         "%s:%zu:%zu: column '%s': found invalid UTF-8 in '%s'; expected UTF-8 "
                         "text",
                         nm, line, col, cname, v);
    case CE_TYPE:
        return cipi_fail(r->ctx, CIP_ERR_SCHEMA, "%s:%zu:%zu: column '%s': found '%s'; expected %s",
                         nm, line, col, cname, v,
                         r->forced != NULL ? cip_type_name((cip_type)r->forced[e->field]) : "?");
    case CE_RANGE:
        return cipi_fail(r->ctx, CIP_ERR_SCHEMA,
                         "%s:%zu:%zu: column '%s': found '%s', outside the int64 range; expected "
                         "int",
                         nm, line, col, cname, v);
    case CE_INTERNAL:
        return cipi_fail(r->ctx, CIP_ERR_INTERNAL,
                         "%s:%zu: internal error: the rows counted before and while parsing "
                         "differ",
                         nm, line);
    default:
        return cipi_fail(r->ctx, CIP_ERR_CONFLICT,
                         "%s:%zu:%zu: the input changed while it was being read", nm, line, col);
    }
}

/* --- header ----------------------------------------------------------------- */

/* Copy n bytes of field content, turning "" into ". Returns the length. */
size_t cipi_csv_unescape(char *dst, const char *src, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        dst[k++] = src[i];
        if (src[i] == '"' && i + 1 < n && src[i + 1] == '"')
            i++;
    }
    return k;
}

static cip_status header_names(struct csv_reader *r, const char *text, const struct csv_field *f)
{
    cip_ctx *ctx = r->ctx;
    struct cipi_strmap seen;
    cipi_strmap_init(&seen, ctx);
    cip_status rc = CIP_OK;
    for (size_t j = 0; j < r->n_cols && rc == CIP_OK; j++) {
        struct csv_err e = {0};
        size_t bad;
        char *s = cipi_malloc(ctx, f[j].len + 1);
        if (s == NULL) {
            rc = CIP_ERR_NOMEM;
            break;
        }
        size_t n = cipi_csv_unescape(s, f[j].p, f[j].len);
        s[n] = '\0';
        r->names[j] = s;
        if (!cipi_csv_utf8_ok(f[j].p, f[j].len, &bad)) {
            cipi_csv_err_at(&e, CE_UTF8, 0, text, f[j].p + bad);
            cipi_csv_err_value(&e, s, n);
            char **names = r->names;
            r->names = NULL; /* the message then says "the header" */
            rc = cipi_csv_report(r, &e, 1);
            r->names = names;
            break;
        }
        cipi_csv_err_at(&e, CE_NONE, 0, text, f[j].raw);
        if (n == 0) {
            rc = cipi_fail(ctx, CIP_ERR_PARSE,
                           "%s:%zu:%zu: found an empty name for column %zu; expected a name in "
                           "every header field",
                           r->name, e.line + 1, e.col, j + 1);
            break;
        }
        uint32_t id;
        rc = cipi_strmap_intern(ctx, &seen, s, n, &id);
        if (rc == CIP_OK && id != seen.n - 1) {
            rc = cipi_fail(ctx, CIP_ERR_CONFLICT,
                           "%s:%zu:%zu: found duplicate column name '%s' (columns %u and %zu); "
                           "expected unique names",
                           r->name, e.line + 1, e.col, s, id + 1, j + 1);
        }
    }
    cipi_strmap_release(&seen);
    return rc;
}

static cip_status apply_types(struct csv_reader *r)
{
    for (size_t k = 0; k < r->o.n_types; k++) {
        const cip_csv_col_type *t = &r->o.types[k];
        if (t->name == NULL || (unsigned)t->type > CIP_TYPE_CAT)
            return cipi_fail(r->ctx, CIP_ERR_INVALID, "type override %zu is invalid", k);
        size_t j = 0;
        while (j < r->n_cols && strcmp(r->names[j], t->name) != 0)
            j++;
        if (j == r->n_cols)
            return cipi_fail(r->ctx, CIP_ERR_SCHEMA,
                             "type override names column '%s', which is not in the header of %s",
                             t->name, r->name);
        r->forced[j] = (int)t->type;
    }
    return CIP_OK;
}

/* Per-column arrays of the reader, sized by the header. */
static cip_status alloc_cols(struct csv_reader *r, size_t nf)
{
    cip_ctx *ctx = r->ctx;
    r->names = cipi_calloc(ctx, nf, sizeof *r->names);
    r->forced = cipi_mallocarray(ctx, nf, sizeof *r->forced);
    r->types = cipi_calloc(ctx, nf, sizeof *r->types);
    r->seen_all = cipi_calloc(ctx, nf, sizeof *r->seen_all);
    r->vals = cipi_calloc(ctx, nf, sizeof *r->vals);
    r->miss = cipi_calloc(ctx, nf, sizeof *r->miss);
    r->maps = cipi_calloc(ctx, nf, sizeof *r->maps);
    if (r->names == NULL || r->forced == NULL || r->types == NULL || r->seen_all == NULL ||
        r->vals == NULL || r->miss == NULL || r->maps == NULL)
        return CIP_ERR_NOMEM;
    r->n_cols = nf;
    for (size_t j = 0; j < nf; j++) {
        r->forced[j] = -1;
        cipi_strmap_init(&r->maps[j], ctx);
    }
    return CIP_OK;
}

cip_status cipi_csv_read_header(struct csv_reader *r, const char *text, const char *end,
                                const char **data)
{
    cip_ctx *ctx = r->ctx;
    if (end - text >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        text += 3;
    if (text == end)
        return cipi_fail(ctx, CIP_ERR_PARSE, "%s:1:1: found an empty file; expected a header row",
                         r->name);
    struct csv_pos ps = {text, end, 0, text, text};
    struct csv_err e = {0};
    size_t nf = 0;
    if (cipi_csv_lex_row(&r->lx, &ps, NULL, 0, &nf, &e) != ROW_OK)
        return cipi_csv_report(r, &e, 1);
    struct csv_field *f = cipi_mallocarray(ctx, nf, sizeof *f);
    cip_status rc = f == NULL ? CIP_ERR_NOMEM : alloc_cols(r, nf);
    if (rc == CIP_OK) {
        ps = (struct csv_pos){text, end, 0, text, text};
        (void)cipi_csv_lex_row(&r->lx, &ps, f, nf, &nf, &e);
        rc = header_names(r, text, f);
    }
    if (rc == CIP_OK)
        rc = apply_types(r);
    if (rc == CIP_OK) {
        *data = ps.p;
        r->line = 1 + ps.line;
    }
    cipi_free(ctx, f);
    return rc;
}

cip_status cipi_csv_reader_init(struct csv_reader *r, cip_ctx *ctx, const char *name,
                                const cip_csv_read_opts *opts)
{
    memset(r, 0, sizeof *r);
    r->ctx = ctx;
    r->name = name;
    if (opts != NULL)
        r->o = *opts;
    else
        cip_csv_read_opts_default(&r->o);
    if (r->o.max_field_bytes == 0)
        r->o.max_field_bytes = (size_t)64 << 20;
    r->rows_left = r->o.max_rows > 0 ? r->o.max_rows : SIZE_MAX;
    cipi_buf_init(&r->tmp, ctx, 0);
    char d = r->o.delimiter;
    if (d == '"' || d == '\n' || d == '\r' || d == '\0')
        return cipi_fail(ctx, CIP_ERR_INVALID,
                         "invalid delimiter 0x%02X (a quote, line end or NUL cannot separate "
                         "fields)",
                         (unsigned char)d);
    if (r->o.n_types > 0 && r->o.types == NULL)
        return cipi_fail(ctx, CIP_ERR_INVALID, "n_types is %zu but types is NULL", r->o.n_types);
    cipi_csv_lexer_init(&r->lx, d, r->o.max_field_bytes);
    return CIP_OK;
}

void cipi_csv_reader_release(struct csv_reader *r)
{
    cip_ctx *ctx = r->ctx;
    for (size_t j = 0; j < r->n_cols; j++) {
        cipi_free(ctx, r->names[j]);
        cipi_free(ctx, r->vals[j]);
        cipi_free(ctx, r->miss[j]);
        cipi_strmap_release(&r->maps[j]);
    }
    cipi_free(ctx, r->names);
    cipi_free(ctx, r->forced);
    cipi_free(ctx, r->types);
    cipi_free(ctx, r->seen_all);
    cipi_free(ctx, r->vals);
    cipi_free(ctx, r->miss);
    cipi_free(ctx, r->maps);
    cipi_free(ctx, r->chunk_rows);
    cipi_free(ctx, r->redo);
    cipi_free(ctx, r->chunks);
    cipi_free(ctx, r->seen);
    cipi_free(ctx, r->fields);
    cipi_buf_release(&r->tmp);
}
