/* report_int.h - private declarations of the HTML report module
 *
 * The page is built into one capped buffer by a "sticky" writer: the first
 * failure (out of memory, size limit) is kept in r->rc and every later write
 * is a no-op, so section code can write freely and the status is checked
 * once at the end (the pattern of git's strbuf users, without dying).
 * All text from the summary goes through cipi_report_esc(); numbers through
 * the cipi_report_fmt_* family. Charts are inline SVG drawn in a fixed
 * coordinate system (viewBox) that CSS scales to the page width.
 * Only src/report/ includes this header.
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_REPORT_INT_H
#define CIP_REPORT_INT_H

#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>

#include "cip/report.h"
#include "cipi.h"

/* Largest page we build: a 2000-point summary renders well under 1 MiB. */
#define REPORT_MAX_HTML ((size_t)64 << 20)
/* NAN is a float; ternaries mixing it with doubles warn (-Wdouble-promotion). */
#define RPT_NAN ((double)NAN)

/* The page being written. */
struct rpt {
    cip_ctx *ctx;      /* allocator and error sink */
    struct cipi_buf b; /* the page */
    cip_status rc;     /* first failure; writes are no-ops once set */
    int n_charts;      /* charts written so far (figure numbers) */
};

/* --- html.c: writer, escaping, number formatting, page frame ------------- */
CIP_INTERNAL void cipi_report_raw(struct rpt *r, const char *s);
CIP_INTERNAL void cipi_report_printf(struct rpt *r, const char *fmt, ...) CIPI_PRINTF(2, 3);
/* HTML-escape s (& < > " ') into the page; NULL writes nothing. */
CIP_INTERNAL void cipi_report_esc(struct rpt *r, const char *s);
/* Record a failure (keeps the first one). */
CIP_INTERNAL void cipi_report_fail(struct rpt *r, cip_status rc);
/* Number with 4 significant digits (integers >= 1000 with thousands
 * separators); "n/a" for NaN/inf. Returns buf. */
CIP_INTERNAL const char *cipi_report_fmt_num(char *buf, size_t size, double v);
/* Money-like amount: thousands separators, 0 decimals from 100 up, else 2. */
CIP_INTERNAL const char *cipi_report_fmt_money(char *buf, size_t size, double v);
/* Fraction as a percentage with 3 significant digits ("42.1%"). */
CIP_INTERNAL const char *cipi_report_fmt_pct(char *buf, size_t size, double v);
/* Count with thousands separators. */
CIP_INTERNAL const char *cipi_report_fmt_int(char *buf, size_t size, double v);
/* Write a formatted number / money / pct into the page (no escaping needed). */
CIP_INTERNAL void cipi_report_num(struct rpt *r, double v);
CIP_INTERNAL void cipi_report_money(struct rpt *r, double v);
CIP_INTERNAL void cipi_report_pct(struct rpt *r, double v);
CIP_INTERNAL void cipi_report_int(struct rpt *r, double v);
/* <!doctype html> ... <body><main>, and the closing part. */
CIP_INTERNAL void cipi_report_page_begin(struct rpt *r, const char *title);
CIP_INTERNAL void cipi_report_page_end(struct rpt *r, const char *footer);
/* <p class="na">what is not available and why</p> */
CIP_INTERNAL void cipi_report_na(struct rpt *r, const char *what);

/* --- summary.c: tolerant accessors of the summary document ---------------- */
/* obj[key] when obj is an object, else NULL. key may be a dotted path. */
CIP_INTERNAL const json_t *cipi_report_get(const json_t *obj, const char *path);
/* Number at path; NaN when absent, null or not a number. */
CIP_INTERNAL double cipi_report_getnum(const json_t *obj, const char *path);
/* String at path; NULL when absent or not a string. */
CIP_INTERNAL const char *cipi_report_getstr(const json_t *obj, const char *path);
/* Array at path as an owned double array (non-numbers -> NaN); NULL with *n = 0
 * when absent or empty; NULL with r->rc set on allocation failure. */
CIP_INTERNAL double *cipi_report_nums(struct rpt *r, const json_t *obj, const char *path,
                                      size_t *n);
/* Any scalar as short text into buf (strings borrowed, numbers formatted). */
CIP_INTERNAL const char *cipi_report_scalar(char *buf, size_t size, const json_t *v);
/* Reader-facing name of a metric key ("test_r2" -> "R² (test)"); the key
 * itself when unknown. */
CIP_INTERNAL const char *cipi_report_metric_label(const char *key);
/* True for metrics in the target's units (money for CLV: rmse, mae). */
CIP_INTERNAL bool cipi_report_metric_is_money(const char *model, const char *key);
/* Write a metric value with the right format (money, or 4 digits). */
CIP_INTERNAL void cipi_report_metric(struct rpt *r, const char *model, const char *key, double v);

/* --- svg.c: chart frame, scales, nice ticks, axes ------------------------- */
/* Okabe & Ito (2008) colour-blind-safe palette; index wraps. */
CIP_INTERNAL const char *cipi_report_colour(size_t i);

/* An axis range extended to "nice" numbers (Heckbert 1990). */
struct cipi_axis {
    double lo, hi, step; /* domain and tick step */
};
CIP_INTERNAL struct cipi_axis cipi_report_axis(double lo, double hi, int ticks);
/* Plot area in SVG units and the data range it shows. */
struct cipi_plot {
    double left, top, width, height; /* pixel frame */
    struct cipi_axis x, y;           /* data ranges */
};
CIP_INTERNAL double cipi_report_px(const struct cipi_plot *p, double x);
CIP_INTERNAL double cipi_report_py(const struct cipi_plot *p, double y);
/* <figure><svg id=.. viewBox=..><title>..</title>; closed by svg_end with a caption. */
CIP_INTERNAL void cipi_report_svg_begin(struct rpt *r, const char *id, const char *title, int w,
                                        int h);
CIP_INTERNAL void cipi_report_svg_end(struct rpt *r, const char *caption);
/* Grid, ticks, tick labels, axis titles; right_axis: second y axis (NULL = none). */
CIP_INTERNAL void cipi_report_axes(struct rpt *r, const struct cipi_plot *p, const char *xlabel,
                                   const char *ylabel);
CIP_INTERNAL void cipi_report_right_axis(struct rpt *r, const struct cipi_plot *p,
                                         const struct cipi_axis *a, const char *label,
                                         const char *colour);
/* Polyline of n points (NaN points skipped). */
CIP_INTERNAL void cipi_report_polyline(struct rpt *r, const struct cipi_plot *p, const double *x,
                                       const double *y, size_t n, const char *colour,
                                       const char *extra);
/* Legend (colour swatches + escaped names) inside the plot: where 0 =
 * top-left, 1 = top-right, 2 = bottom-right. */
CIP_INTERNAL void cipi_report_legend(struct rpt *r, const struct cipi_plot *p,
                                     const char *const *names, const char *const *colours, size_t n,
                                     int where);
/* Min and max of the finite values (NaN, NaN when none). */
CIP_INTERNAL void cipi_report_range(const double *v, size_t n, double *lo, double *hi);

/* --- charts.c: the chart kinds ------------------------------------------- */
/* Horizontal bars, sorted by value (largest at the top), at most 15 shown. */
CIP_INTERNAL void cipi_report_bars(struct rpt *r, const char *id, const char *title,
                                   const char *const *labels, const double *values, size_t n,
                                   const char *xlabel);
/* Scatter of (x, y); ref: 1 draws y = x, 2 draws y = 0. */
CIP_INTERNAL void cipi_report_scatter(struct rpt *r, const char *id, const char *title,
                                      const double *x, const double *y, size_t n,
                                      const char *xlabel, const char *ylabel, int ref);
/* One curve in [0,1]x[0,1] (ROC, PR) with an optional dashed reference line
 * from (0, ref_y0) to (1, ref_y1) (NaN = none) and a legend text. */
CIP_INTERNAL void cipi_report_curve(struct rpt *r, const char *id, const char *title,
                                    const double *x, const double *y, size_t n, const char *xlabel,
                                    const char *ylabel, const char *name, double ref_y0,
                                    double ref_y1, const char *ref_name);
/* Matrix of nr x nc cells coloured by colour[] (sequential 0..1 when
 * diverging is false, z-scores clipped to +-2 otherwise) with text[] printed. */
struct cipi_heat {
    size_t nr, nc;                 /* rows, columns */
    const char *const *row_labels; /* nr labels */
    const char *const *col_labels; /* nc labels */
    const double *colour;          /* nr*nc, row-major */
    const double *value;           /* nr*nc numbers printed in the cells */
    bool diverging;                /* z-score scale instead of 0..1 */
    const char *xlabel, *ylabel;   /* axis titles (may be NULL) */
};
CIP_INTERNAL void cipi_report_heatmap(struct rpt *r, const char *id, const char *title,
                                      const struct cipi_heat *h);
/* Scatter coloured by integer group with a legend ("Segment g"). */
CIP_INTERNAL void cipi_report_groups(struct rpt *r, const char *id, const char *title,
                                     const double *x, const double *y, const double *group,
                                     size_t n, const char *xlabel, const char *ylabel);
/* Lines y1(x) (left axis) and y2(x) (right axis), with x = mark highlighted. */
CIP_INTERNAL void cipi_report_dual(struct rpt *r, const char *id, const char *title,
                                   const double *x, const double *y1, const double *y2, size_t n,
                                   const char *xlabel, const char *name1, const char *name2,
                                   double mark);
/* Several lines on common axes (names/colours per series). */
CIP_INTERNAL void cipi_report_lines(struct rpt *r, const char *id, const char *title,
                                    const double *x, const double *const *ys,
                                    const char *const *names, size_t n_series, size_t n,
                                    const char *xlabel, const char *ylabel);

/* --- sections*.c: the page sections --------------------------------------- */
CIP_INTERNAL void cipi_report_summary_section(struct rpt *r, const json_t *doc);
CIP_INTERNAL void cipi_report_criteria_section(struct rpt *r, const json_t *doc);
CIP_INTERNAL void cipi_report_models_section(struct rpt *r, const json_t *doc);
/* Parts of a model section (sections_models.c), reused for segments. */
CIP_INTERNAL void cipi_report_importance(struct rpt *r, const json_t *m, const char *model,
                                         const char *id, const char *what);
CIP_INTERNAL void cipi_report_metrics_table(struct rpt *r, const json_t *m, const char *model);
/* The segments model's charts and tables (sections_segments.c). */
CIP_INTERNAL void cipi_report_segments(struct rpt *r, const json_t *m);
CIP_INTERNAL void cipi_report_audit_section(struct rpt *r, const json_t *doc);
CIP_INTERNAL void cipi_report_baseline_section(struct rpt *r, const json_t *doc);
CIP_INTERNAL void cipi_report_data_section(struct rpt *r, const json_t *doc);
CIP_INTERNAL void cipi_report_runs_section(struct rpt *r, const json_t *doc);
CIP_INTERNAL void cipi_report_tx_section(struct rpt *r, const json_t *doc);

#endif /* CIP_REPORT_INT_H */
