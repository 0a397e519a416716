/* html.c - the report's page writer: escaping, numbers, page frame and CSS
 *
 * Sticky-error writer over a capped cipi_buf (see report_int.h). The CSS is
 * inline and print-friendly (@media print: no shadows, charts never split
 * across pages, colours kept for heatmaps via print-color-adjust).
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report_int.h"

void cipi_report_fail(struct rpt *r, cip_status rc)
{
    if (r->rc == CIP_OK)
        r->rc = rc;
}

void cipi_report_raw(struct rpt *r, const char *s)
{
    if (r->rc != CIP_OK || s == NULL)
        return;
    cipi_report_fail(r, cipi_buf_append(r->ctx, &r->b, s, strlen(s)));
}

void cipi_report_printf(struct rpt *r, const char *fmt, ...)
{
    if (r->rc != CIP_OK)
        return;
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        cipi_report_fail(r, cipi_fail(r->ctx, CIP_ERR_INTERNAL, "report: bad format"));
        return;
    }
    if ((size_t)n < sizeof small) {
        cipi_report_fail(r, cipi_buf_append(r->ctx, &r->b, small, (size_t)n));
        return;
    }
    /* Long output (rare: only with long escaped strings passed as %s). */
    cipi_report_fail(r, cipi_buf_reserve(r->ctx, &r->b, (size_t)n + 1));
    if (r->rc != CIP_OK)
        return;
    va_start(ap, fmt);
    vsnprintf(r->b.data + r->b.len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    r->b.len += (size_t)n;
}

void cipi_report_esc(struct rpt *r, const char *s)
{
    if (r->rc != CIP_OK || s == NULL)
        return;
    const char *run = s;
    for (const char *p = s;; p++) {
        const char *rep = NULL;
        switch (*p) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        case '\0':
            rep = "";
            break;
        default:
            continue;
        }
        cipi_report_fail(r, cipi_buf_append(r->ctx, &r->b, run, (size_t)(p - run)));
        cipi_report_raw(r, rep);
        if (*p == '\0' || r->rc != CIP_OK)
            return;
        run = p + 1;
    }
}

/* Insert thousands separators into the integer part of a plain decimal. */
static const char *group_digits(char *buf, size_t size, const char *plain)
{
    const char *p = plain;
    size_t o = 0;
    if (*p == '-' && o + 1 < size)
        buf[o++] = *p++;
    size_t digits = strspn(p, "0123456789");
    for (size_t i = 0; i < digits && o + 2 < size; i++) {
        if (i > 0 && (digits - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = p[i];
    }
    for (p += digits; *p != '\0' && o + 1 < size; p++)
        buf[o++] = *p;
    buf[o] = '\0';
    return buf;
}

const char *cipi_report_fmt_int(char *buf, size_t size, double v)
{
    if (!isfinite(v)) {
        snprintf(buf, size, "n/a");
        return buf;
    }
    char plain[64];
    snprintf(plain, sizeof plain, "%.0f", v);
    if (strcmp(plain, "-0") == 0)
        snprintf(plain, sizeof plain, "0");
    return group_digits(buf, size, plain);
}

const char *cipi_report_fmt_num(char *buf, size_t size, double v)
{
    if (!isfinite(v)) {
        snprintf(buf, size, "n/a");
        return buf;
    }
    double a = fabs(v);
    if (a >= 1000.0 && a < 1e15)
        return cipi_report_fmt_int(buf, size, v);
    if (a != 0.0 && a < 1e-4)
        snprintf(buf, size, "%.2e", v);
    else
        snprintf(buf, size, "%.4g", v);
    if (strcmp(buf, "-0") == 0)
        snprintf(buf, size, "0");
    return buf;
}

const char *cipi_report_fmt_money(char *buf, size_t size, double v)
{
    if (!isfinite(v)) {
        snprintf(buf, size, "n/a");
        return buf;
    }
    char plain[64];
    snprintf(plain, sizeof plain, fabs(v) >= 100.0 ? "%.0f" : "%.2f", v);
    return group_digits(buf, size, plain);
}

const char *cipi_report_fmt_pct(char *buf, size_t size, double v)
{
    if (!isfinite(v))
        snprintf(buf, size, "n/a");
    else
        snprintf(buf, size, "%.3g%%", v * 100.0);
    return buf;
}

void cipi_report_num(struct rpt *r, double v)
{
    char b[64];
    cipi_report_raw(r, cipi_report_fmt_num(b, sizeof b, v));
}

void cipi_report_money(struct rpt *r, double v)
{
    char b[64];
    cipi_report_raw(r, cipi_report_fmt_money(b, sizeof b, v));
}

void cipi_report_pct(struct rpt *r, double v)
{
    char b[64];
    cipi_report_raw(r, cipi_report_fmt_pct(b, sizeof b, v));
}

void cipi_report_int(struct rpt *r, double v)
{
    char b[64];
    cipi_report_raw(r, cipi_report_fmt_int(b, sizeof b, v));
}

void cipi_report_na(struct rpt *r, const char *what)
{
    cipi_report_raw(r, "<p class=\"na\">Not available: ");
    cipi_report_esc(r, what);
    cipi_report_raw(r, "</p>\n");
}

/* Palette: Okabe-Ito; text #1b1b1b on white; pass/fail also carry a word,
 * never colour alone. */
static const char page_css[] =
    ":root{--ink:#1b1b1b;--muted:#5a5a5a;--line:#d6d6d6;--pass:#0b6e4f;--fail:#b3261e;"
    "--warn:#8a5a00;--bg:#f7f7f5}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,"
    "sans-serif;color:var(--ink);background:var(--bg)}\n"
    "main{max-width:1100px;margin:0 auto;padding:24px 28px 48px;background:#fff}\n"
    "h1{font-size:1.7em;margin:.2em 0 .1em}h2{font-size:1.3em;margin:1.8em 0 .5em;"
    "padding-bottom:.2em;border-bottom:2px solid var(--ink)}h3{font-size:1.08em;margin:1.3em 0 "
    ".4em}\n"
    ".sub{color:var(--muted);margin:0 0 1em}\n"
    ".verdict{border-left:6px solid var(--muted);padding:.6em 1em;background:#f2f2f2;"
    "margin:1em 0}\n"
    ".verdict.realistic{border-color:var(--pass)}.verdict.suspicious{border-color:var(--fail)}\n"
    ".cards{display:flex;flex-wrap:wrap;gap:12px;margin:1em 0}\n"
    ".card{flex:1 1 220px;border:1px solid var(--line);border-radius:6px;padding:.7em .9em}\n"
    ".card .big{font-size:1.6em;font-weight:650}.card .lbl{color:var(--muted);font-size:.9em}\n"
    "table{border-collapse:collapse;width:100%;margin:.6em 0 1em;font-size:.93em}\n"
    "th,td{border-bottom:1px solid var(--line);padding:.35em .5em;text-align:left;"
    "vertical-align:top}\n"
    "table.metrics,table.kv{width:auto;min-width:50%}table.kv th{width:13em;background:none}\n"
    "th{background:#efefef}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    ".pass{color:var(--pass);font-weight:650}.fail{color:var(--fail);font-weight:650}\n"
    "td.pass,td.fail{white-space:nowrap}\n"
    ".sev-high,.sev-critical{color:var(--fail);font-weight:650}.sev-medium,.sev-warning{"
    "color:var(--warn);font-weight:650}\n"
    ".na{color:var(--muted);font-style:italic}\n"
    "code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;"
    "overflow-wrap:break-word}\n"
    "pre{background:#f2f2f2;padding:.6em .8em;overflow-x:auto;white-space:pre-wrap}\n"
    ".charts{display:flex;flex-wrap:wrap;gap:16px}.charts>p.na{flex-basis:100%;margin:.2em 0}\n"
    "figure{margin:0;flex:1 1 440px;max-width:560px;break-inside:avoid}\n"
    "figure svg{width:100%;height:auto;display:block;border:1px solid var(--line);"
    "border-radius:4px;background:#fff}\n"
    "figcaption{color:var(--muted);font-size:.88em;margin:.3em 0 0}\n"
    "svg text{font-family:system-ui,Helvetica,Arial,sans-serif;fill:#1b1b1b}\n"
    "svg .tick{font-size:11px;fill:#5a5a5a}svg .ttl{font-size:13px;font-weight:600}\n"
    "svg .grid{stroke:#e6e6e6}svg .ax{stroke:#5a5a5a}\n"
    "footer{margin-top:2.5em;color:var(--muted);font-size:.85em}\n"
    "@media print{body{background:#fff;font-size:11pt}main{max-width:none;padding:0}"
    "h2{break-after:avoid}figure,table,.card{break-inside:avoid}"
    "figure svg{border:none}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}\n";

void cipi_report_page_begin(struct rpt *r, const char *title)
{
    cipi_report_raw(r, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                       "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n"
                       "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
                       "'none'; style-src 'unsafe-inline'; img-src data:\">\n<title>");
    cipi_report_esc(r, title);
    cipi_report_raw(r, "</title>\n<style>\n");
    cipi_report_raw(r, page_css);
    cipi_report_raw(r, "</style>\n</head>\n<body>\n<main>\n");
}

void cipi_report_page_end(struct rpt *r, const char *footer)
{
    cipi_report_raw(r, "<footer>");
    cipi_report_esc(r, footer);
    cipi_report_raw(r, "</footer>\n</main>\n</body>\n</html>\n");
}
