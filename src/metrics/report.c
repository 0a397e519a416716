/* report.c - classification report: build, free, render as text
 *
 * The text layout is scikit-learn's classification_report: a header row,
 * one row per class, then "accuracy", "macro avg" and "weighted avg"; names
 * right-aligned to max(longest name, 12, digits) characters, numbers in
 * 10-character columns. Supports print as integers, or as Python would
 * print a float when weights were used.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_int.h"

/* The report and its rows live in one block that remembers its allocator. */
struct report_impl {
    cip_class_report pub; /* first member: &impl->pub is what callers see */
    struct cipi_alloc a;
    cip_class_row rows[]; /* pub.n_rows rows */
};

static void support_terms(const void *arg, size_t lo, size_t cnt, double *dst)
{
    const cip_class_row *rows = arg;
    for (size_t i = 0; i < cnt; i++)
        dst[i] = rows[lo + i].support;
}

void cip_report_format_default(cip_report_format *f)
{
    f->names = NULL;
    f->n_names = 0;
    f->digits = 2;
}

cip_status cip_class_report_new(cip_ctx *ctx, const uint32_t *y_true, const uint32_t *y_pred,
                                size_t n, const cip_class_opts *opts, cip_class_report **out)
{
    *out = NULL;
    cip_class_opts tmp;
    if (opts == NULL) {
        cip_class_opts_default(&tmp);
        opts = &tmp;
    }
    struct cipi_class_counts cc;
    cip_status rc = cipi_metrics_counts(ctx, "classification_report", y_true, y_pred, n, opts, &cc);
    if (rc != CIP_OK)
        return rc;
    size_t bytes;
    struct report_impl *r = NULL;
    if (!cipi_mul_ok(cc.n_present, sizeof(cip_class_row), &bytes) || bytes > SIZE_MAX - sizeof *r) {
        rc = cipi_fail(ctx, CIP_ERR_NOMEM, "classification_report: too many classes");
        goto done;
    }
    r = cipi_malloc(ctx, sizeof *r + bytes);
    if (r == NULL) {
        rc = CIP_ERR_NOMEM;
        goto done;
    }
    r->a = cipi_ctx_alloc(ctx);
    for (size_t i = 0; i < cc.n_present; i++) {
        uint32_t c = cc.labels[i];
        r->rows[i].label = c;
        r->rows[i].prf = cipi_metrics_class_prf(&cc, c);
        r->rows[i].support = cc.truth[c];
    }
    r->pub.n_rows = cc.n_present;
    r->pub.rows = r->rows;
    /* scikit-learn reports micro precision as the accuracy */
    r->pub.accuracy = cipi_metrics_avg_prf(&cc, CIP_AVERAGE_MICRO).precision;
    r->pub.macro = cipi_metrics_avg_prf(&cc, CIP_AVERAGE_MACRO);
    r->pub.weighted = cipi_metrics_avg_prf(&cc, CIP_AVERAGE_WEIGHTED);
    /* np.sum(s) over the per-class supports (exact for plain counts) */
    r->pub.support = cip_stats_sum_terms(cc.n_present, support_terms, r->rows);
    r->pub.is_weighted = opts->weight != NULL;
    *out = &r->pub;
done:
    cipi_metrics_counts_release(ctx, &cc);
    return rc;
}

void cip_class_report_free(cip_class_report *r)
{
    if (r == NULL)
        return;
    struct report_impl *impl = (struct report_impl *)r;
    struct cipi_alloc a = impl->a;
    cipi_afree(&a, impl);
}

/* --- text rendering -------------------------------------------------------- */

/* Appends to buf[size] snprintf-style; len counts everything, even what did
 * not fit. */
struct writer {
    char *buf;
    size_t size;
    size_t len;
};

static void w_printf(struct writer *w, const char *fmt, ...) CIPI_PRINTF(2, 3);
static void w_printf(struct writer *w, const char *fmt, ...)
{
    char *dst = NULL;
    size_t room = 0;
    if (w->len < w->size) {
        dst = w->buf + w->len;
        room = w->size - w->len;
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(dst, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        w->len += (size_t)n;
}

/* Characters (UTF-8 code points) in s, for Python-style alignment. */
static size_t text_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

static void w_right(struct writer *w, const char *s, size_t width)
{
    size_t tw = text_width(s);
    w_printf(w, "%*s%s", (int)(width > tw ? width - tw : 0), "", s);
}

/* Name of class c: fmt->names[c] when given, else the code. */
static const char *class_name(const cip_report_format *f, uint32_t c, char *tmp, size_t size)
{
    if (c < f->n_names && f->names != NULL && f->names[c] != NULL)
        return f->names[c];
    snprintf(tmp, size, "%u", c);
    return tmp;
}

/* A support as numpy prints it: an integer count, or a float64 as Python's
 * repr (shortest round-trip digits; "4.5", "3.0", "1e+16"). */
static void fmt_support(char *out, size_t size, double v, int is_weighted)
{
    if (!is_weighted) {
        snprintf(out, size, "%.0f", v);
        return;
    }
    char e[40];
    int prec = 0;
    for (; prec < 17; prec++) {
        snprintf(e, sizeof e, "%.*e", prec, v);
        if (strtod(e, NULL) == v)
            break;
    }
    int exp10 = (int)strtol(strchr(e, 'e') + 1, NULL, 10);
    if (exp10 < -4 || exp10 >= 16) {
        snprintf(out, size, "%s", e);
        return;
    }
    int decimals = prec - exp10 > 0 ? prec - exp10 : 1;
    snprintf(out, size, "%.*f", decimals, v);
}

static void w_row(struct writer *w, const char *name, size_t width, const cip_prf *p,
                  const char *support, int digits)
{
    w_right(w, name, width);
    w_printf(w, "  %9.*f %9.*f %9.*f %9s\n", digits, p->precision, digits, p->recall, digits, p->f1,
             support);
}

static void render(struct writer *w, const cip_class_report *r, const cip_report_format *f)
{
    char tmp[16], sup[48];
    size_t width = 12; /* strlen("weighted avg") */
    for (size_t i = 0; i < r->n_rows; i++) {
        size_t tw = text_width(class_name(f, r->rows[i].label, tmp, sizeof tmp));
        width = tw > width ? tw : width;
    }
    if ((size_t)f->digits > width)
        width = (size_t)f->digits;
    w_right(w, "", width);
    w_printf(w, "  %9s %9s %9s %9s\n\n", "precision", "recall", "f1-score", "support");
    for (size_t i = 0; i < r->n_rows; i++) {
        const cip_class_row *row = &r->rows[i];
        fmt_support(sup, sizeof sup, row->support, r->is_weighted);
        w_row(w, class_name(f, row->label, tmp, sizeof tmp), width, &row->prf, sup, f->digits);
    }
    fmt_support(sup, sizeof sup, r->support, r->is_weighted);
    w_printf(w, "\n");
    w_right(w, "accuracy", width);
    w_printf(w, "  %9s %9s %9.*f %9s\n", "", "", f->digits, r->accuracy, sup);
    w_row(w, "macro avg", width, &r->macro, sup, f->digits);
    w_row(w, "weighted avg", width, &r->weighted, sup, f->digits);
}

static cip_status check_format(cip_ctx *ctx, const cip_report_format *f)
{
    if (f->digits < 0 || f->digits > 15)
        return cipi_fail(ctx, CIP_ERR_INVALID, "classification_report: digits %d is not in 0..15",
                         f->digits);
    return CIP_OK;
}

cip_status cip_class_report_format(cip_ctx *ctx, const cip_class_report *r,
                                   const cip_report_format *fmt, char *buf, size_t size,
                                   size_t *len)
{
    cip_report_format def;
    if (fmt == NULL) {
        cip_report_format_default(&def);
        fmt = &def;
    }
    cip_status rc = check_format(ctx, fmt);
    if (rc != CIP_OK)
        return rc;
    struct writer w = {buf, size, 0};
    render(&w, r, fmt);
    if (len != NULL)
        *len = w.len;
    if (w.len >= size)
        return cipi_fail(ctx, CIP_ERR_LIMIT,
                         "classification_report: %zu bytes do not fit a buffer of %zu", w.len + 1,
                         size);
    return CIP_OK;
}

cip_status cip_class_report_to_string(cip_ctx *ctx, const cip_class_report *r,
                                      const cip_report_format *fmt, char **out)
{
    *out = NULL;
    size_t len = 0;
    cip_status rc = cip_class_report_format(ctx, r, fmt, NULL, 0, &len);
    if (rc != CIP_OK && rc != CIP_ERR_LIMIT)
        return rc;
    char *s = cipi_malloc(ctx, len + 1);
    if (s == NULL)
        return CIP_ERR_NOMEM;
    rc = cip_class_report_format(ctx, r, fmt, s, len + 1, NULL);
    if (rc != CIP_OK) {
        cipi_free(ctx, s);
        return rc;
    }
    *out = s;
    return CIP_OK;
}

void cip_class_report_string_free(cip_ctx *ctx, char *s)
{
    cipi_free(ctx, s);
}
