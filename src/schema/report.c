/* report.c - accessors and text/JSON renderers of validation reports
 *
 * The JSON string escaper is local to this module (core has none yet): it
 * escapes quotes, backslashes and control characters and replaces bytes
 * that are not well-formed UTF-8 with U+FFFD, so the output is always valid
 * JSON whatever the input file held.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "schema_int.h"

static const char *const kind_names[] = {
    "no_rows",      "missing_column", "wrong_type",  "missing_value",
    "out_of_range", "duplicate_id",   "not_integer", "unknown_category",
};

const char *cip_violation_kind_name(cip_violation_kind k)
{
    if ((unsigned)k >= CIP_ARRAY_LEN(kind_names))
        return "unknown";
    return kind_names[k];
}

const char *cip_severity_name(cip_severity s)
{
    return s == CIP_SEVERITY_ERROR ? "error" : s == CIP_SEVERITY_WARNING ? "warning" : "unknown";
}

bool cip_validation_usable(const cip_validation *v)
{
    return v->n_errors == 0;
}

size_t cip_validation_n_rows(const cip_validation *v)
{
    return v->n_rows;
}

size_t cip_validation_n_cols(const cip_validation *v)
{
    return v->n_cols;
}

size_t cip_validation_count(const cip_validation *v)
{
    return v->n;
}

size_t cip_validation_n_errors(const cip_validation *v)
{
    return v->n_errors;
}

size_t cip_validation_n_warnings(const cip_validation *v)
{
    return v->n_warnings;
}

static void fill(const struct viol *c, cip_violation *out)
{
    out->kind = c->kind;
    out->severity = c->severity;
    out->column = c->column;
    out->rule = c->rule;
    out->count = c->count;
    out->n_examples = c->n_ex;
    out->lines = c->lines;
    out->values = (const char *const *)c->values;
}

int cip_validation_get(const cip_validation *v, size_t k, cip_violation *out)
{
    if (k >= v->n)
        return 0;
    fill(&v->v[k], out);
    return 1;
}

int cip_validation_find(const cip_validation *v, cip_violation_kind kind, const char *column,
                        cip_violation *out)
{
    for (size_t k = 0; k < v->n; k++) {
        const struct viol *c = &v->v[k];
        if (c->kind != kind)
            continue;
        if (column != NULL && (c->column == NULL || strcmp(c->column, column) != 0))
            continue;
        fill(c, out);
        return 1;
    }
    return 0;
}

void cip_validation_free_string(cip_ctx *ctx, char *s)
{
    cipi_free(ctx, s);
}

/* --- JSON -------------------------------------------------------------------------- */

/* Length of the well-formed UTF-8 sequence at s (n bytes left), 0 if none. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t len;
    uint32_t cp;
    if (s[0] < 0xC2 || s[0] > 0xF4)
        return 0;
    if (s[0] < 0xE0) {
        len = 2;
        cp = s[0] & 0x1Fu;
    } else if (s[0] < 0xF0) {
        len = 3;
        cp = s[0] & 0x0Fu;
    } else {
        len = 4;
        cp = s[0] & 0x07u;
    }
    if (len > n)
        return 0;
    for (size_t k = 1; k < len; k++) {
        if ((s[k] & 0xC0u) != 0x80u)
            return 0;
        cp = (cp << 6) | (s[k] & 0x3Fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* Append s as a JSON string literal (NULL as null). */
static cip_status json_str(cip_ctx *ctx, struct cipi_buf *b, const char *s)
{
    if (s == NULL)
        return cipi_buf_append(ctx, b, "null", 4);
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    cip_status rc = cipi_buf_putc(ctx, b, '"');
    for (size_t i = 0; i < n && rc == CIP_OK;) {
        unsigned char c = p[i];
        if (c >= 0x80) {
            size_t len = utf8_len(p + i, n - i);
            rc = len ? cipi_buf_append(ctx, b, p + i, len) : cipi_buf_append(ctx, b, "\\ufffd", 6);
            i += len ? len : 1;
            continue;
        }
        if (c == '"' || c == '\\')
            rc = cipi_buf_printf(ctx, b, "\\%c", c);
        else if (c == '\n')
            rc = cipi_buf_append(ctx, b, "\\n", 2);
        else if (c == '\t')
            rc = cipi_buf_append(ctx, b, "\\t", 2);
        else if (c == '\r')
            rc = cipi_buf_append(ctx, b, "\\r", 2);
        else if (c < 0x20 || c == 0x7F)
            rc = cipi_buf_printf(ctx, b, "\\u%04x", c);
        else
            rc = cipi_buf_putc(ctx, b, (char)c);
        i++;
    }
    return rc == CIP_OK ? cipi_buf_putc(ctx, b, '"') : rc;
}

static cip_status json_viol(cip_ctx *ctx, struct cipi_buf *b, const struct viol *c)
{
    cip_status rc =
        cipi_buf_printf(ctx, b, "{\"kind\":\"%s\",\"severity\":\"%s\",\"column\":",
                        cip_violation_kind_name(c->kind), cip_severity_name(c->severity));
    if (rc == CIP_OK)
        rc = json_str(ctx, b, c->column);
    if (rc == CIP_OK)
        rc = cipi_buf_append(ctx, b, ",\"rule\":", 8);
    if (rc == CIP_OK)
        rc = json_str(ctx, b, c->rule);
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, b, ",\"count\":%zu,\"lines\":[", c->count);
    for (size_t k = 0; k < c->n_ex && rc == CIP_OK; k++)
        rc = cipi_buf_printf(ctx, b, "%s%zu", k ? "," : "", c->lines[k]);
    if (rc == CIP_OK)
        rc = cipi_buf_append(ctx, b, "],\"values\":[", 12);
    for (size_t k = 0; k < c->n_ex && rc == CIP_OK; k++) {
        if (k > 0)
            rc = cipi_buf_putc(ctx, b, ',');
        if (rc == CIP_OK)
            rc = json_str(ctx, b, c->values[k]);
    }
    return rc == CIP_OK ? cipi_buf_append(ctx, b, "]}", 2) : rc;
}

static cip_status finish(cip_ctx *ctx, struct cipi_buf *b, cip_status rc, char **out)
{
    if (rc == CIP_OK && b->data == NULL && (rc = cipi_buf_reserve(ctx, b, 1)) == CIP_OK)
        b->data[0] = '\0';
    if (rc != CIP_OK) {
        cipi_buf_release(b);
        return rc;
    }
    *out = cipi_buf_detach(b, NULL);
    return CIP_OK;
}

cip_status cip_validation_to_json(cip_ctx *ctx, const cip_validation *v, const char *source,
                                  char **out)
{
    *out = NULL;
    struct cipi_buf b;
    cipi_buf_init(&b, ctx, 0);
    cip_status rc = cipi_buf_append(ctx, &b, "{\"source\":", 10);
    if (rc == CIP_OK)
        rc = json_str(ctx, &b, source);
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, &b,
                             ",\"rows\":%zu,\"columns\":%zu,\"usable\":%s,\"errors\":%zu,"
                             "\"warnings\":%zu,\"line_numbers\":\"file lines, header is line 1\","
                             "\"violations\":[",
                             v->n_rows, v->n_cols, v->n_errors ? "false" : "true", v->n_errors,
                             v->n_warnings);
    for (size_t k = 0; k < v->n && rc == CIP_OK; k++) {
        if (k > 0)
            rc = cipi_buf_putc(ctx, &b, ',');
        if (rc == CIP_OK)
            rc = json_viol(ctx, &b, &v->v[k]);
    }
    if (rc == CIP_OK)
        rc = cipi_buf_append(ctx, &b, "]}\n", 3);
    return finish(ctx, &b, rc, out);
}

/* --- text ----------------------------------------------------------------------------- */

static const char *plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* " (value)" with control characters shown as \xNN so a report line stays one line. */
static cip_status text_value(cip_ctx *ctx, struct cipi_buf *b, const char *s)
{
    cip_status rc = cipi_buf_append(ctx, b, " (", 2);
    for (const unsigned char *p = (const unsigned char *)s; *p && rc == CIP_OK; p++)
        rc = (*p < 0x20 || *p == 0x7F) ? cipi_buf_printf(ctx, b, "\\x%02x", *p)
                                       : cipi_buf_putc(ctx, b, (char)*p);
    return rc == CIP_OK ? cipi_buf_putc(ctx, b, ')') : rc;
}

static cip_status text_viol(cip_ctx *ctx, struct cipi_buf *b, const struct viol *c)
{
    cip_status rc = cipi_buf_printf(ctx, b, "%s: ", cip_severity_name(c->severity));
    if (rc == CIP_OK && c->column != NULL)
        rc = cipi_buf_printf(ctx, b, "%s: ", c->column);
    if (rc != CIP_OK)
        return rc;
    if (c->kind == CIP_VIOL_NO_ROWS || c->kind == CIP_VIOL_MISSING_COLUMN)
        return cipi_buf_printf(ctx, b, "%s (%s)\n", cip_violation_kind_name(c->kind), c->rule);
    rc = cipi_buf_printf(ctx, b, "%s: %zu %s (%s)", cip_violation_kind_name(c->kind), c->count,
                         plural(c->count, "row", "rows"), c->rule);
    if (rc == CIP_OK && c->n_ex > 0)
        rc = cipi_buf_printf(ctx, b, "; %s %s", c->n_ex < c->count ? "first" : "at",
                             plural(c->n_ex, "line", "lines"));
    for (size_t k = 0; k < c->n_ex && rc == CIP_OK; k++) {
        rc = cipi_buf_printf(ctx, b, "%s %zu", k ? "," : "", c->lines[k]);
        if (rc == CIP_OK && c->kind != CIP_VIOL_MISSING_VALUE)
            rc = text_value(ctx, b, c->values[k]);
    }
    return rc == CIP_OK ? cipi_buf_putc(ctx, b, '\n') : rc;
}

cip_status cip_validation_to_text(cip_ctx *ctx, const cip_validation *v, const char *source,
                                  char **out)
{
    *out = NULL;
    struct cipi_buf b;
    cipi_buf_init(&b, ctx, 0);
    cip_status rc = cipi_buf_printf(ctx, &b, "%s: %zu %s, %zu %s\n", source ? source : "table",
                                    v->n_rows, plural(v->n_rows, "row", "rows"), v->n_cols,
                                    plural(v->n_cols, "column", "columns"));
    for (size_t k = 0; k < v->n && rc == CIP_OK; k++)
        rc = text_viol(ctx, &b, &v->v[k]);
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, &b, "verdict: %s (%zu %s, %zu %s)\n",
                             v->n_errors ? "unusable" : "usable", v->n_errors,
                             plural(v->n_errors, "error", "errors"), v->n_warnings,
                             plural(v->n_warnings, "warning", "warnings"));
    return finish(ctx, &b, rc, out);
}
