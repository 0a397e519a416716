/* svg.c - chart primitives: nice tick ranges, scales, frame, axes, legend
 *
 * Ticks follow Heckbert's "nice numbers for graph labels" (Graphics Gems,
 * 1990): the step is 1, 2 or 5 times a power of ten and the range is
 * extended outwards to whole steps. Coordinates are written with one
 * decimal, which is sub-pixel at any sensible zoom and keeps 2000-point
 * charts small.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report_int.h"

static const char *const palette[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                      "#56B4E9", "#D55E00", "#F0E442", "#000000"};

const char *cipi_report_colour(size_t i)
{
    return palette[i % CIP_ARRAY_LEN(palette)];
}

void cipi_report_range(const double *v, size_t n, double *lo, double *hi)
{
    *lo = RPT_NAN;
    *hi = RPT_NAN;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(v[i]))
            continue;
        if (!(v[i] >= *lo))
            *lo = v[i];
        if (!(v[i] <= *hi))
            *hi = v[i];
    }
}

static double nice_num(double x, bool round_it)
{
    double e = floor(log10(x));
    double f = x / pow(10.0, e);
    double nf;
    if (round_it)
        nf = f < 1.5 ? 1.0 : f < 3.0 ? 2.0 : f < 7.0 ? 5.0 : 10.0;
    else
        nf = f <= 1.0 ? 1.0 : f <= 2.0 ? 2.0 : f <= 5.0 ? 5.0 : 10.0;
    return nf * pow(10.0, e);
}

struct cipi_axis cipi_report_axis(double lo, double hi, int ticks)
{
    struct cipi_axis a = {0.0, 1.0, 0.2};
    if (!isfinite(lo) || !isfinite(hi))
        return a;
    if (hi < lo) {
        double t = lo;
        lo = hi;
        hi = t;
    }
    if (hi - lo <= 1e-12 * fmax(1.0, fabs(hi))) {
        double pad = fabs(lo) > 0.0 ? fabs(lo) * 0.1 : 1.0;
        lo -= pad;
        hi += pad;
    }
    double range = nice_num(hi - lo, false);
    a.step = nice_num(range / (ticks > 1 ? ticks - 1 : 1), true);
    a.lo = floor(lo / a.step) * a.step;
    a.hi = ceil(hi / a.step) * a.step;
    return a;
}

double cipi_report_px(const struct cipi_plot *p, double x)
{
    return p->left + (x - p->x.lo) / (p->x.hi - p->x.lo) * p->width;
}

double cipi_report_py(const struct cipi_plot *p, double y)
{
    return p->top + p->height - (y - p->y.lo) / (p->y.hi - p->y.lo) * p->height;
}

void cipi_report_svg_begin(struct rpt *r, const char *id, const char *title, int w, int h)
{
    r->n_charts++;
    cipi_report_raw(r, "<figure>\n<svg id=\"");
    cipi_report_esc(r, id);
    cipi_report_printf(r,
                       "\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" "
                       "height=\"%d\" role=\"img\" aria-labelledby=\"",
                       w, h, w, h);
    cipi_report_esc(r, id);
    cipi_report_raw(r, "-t\"><title id=\"");
    cipi_report_esc(r, id);
    cipi_report_raw(r, "-t\">");
    cipi_report_esc(r, title);
    cipi_report_printf(r, "</title>\n<text class=\"ttl\" x=\"%d\" y=\"20\" text-anchor=\"middle\">",
                       w / 2);
    cipi_report_esc(r, title);
    cipi_report_raw(r, "</text>\n");
}

void cipi_report_svg_end(struct rpt *r, const char *caption)
{
    cipi_report_raw(r, "</svg>\n");
    if (caption != NULL) {
        cipi_report_printf(r, "<figcaption>Figure %d. ", r->n_charts);
        cipi_report_esc(r, caption);
        cipi_report_raw(r, "</figcaption>\n");
    }
    cipi_report_raw(r, "</figure>\n");
}

/* Number of tick intervals; a step <= 0 means "no ticks" (0). */
static size_t n_ticks(const struct cipi_axis *a)
{
    if (!(a->step > 0.0))
        return 0;
    double n = floor((a->hi - a->lo) / a->step + 0.5);
    return n >= 0.0 && n < 100.0 ? (size_t)n : 0;
}

/* A tick value; exact zero instead of 1e-17 so labels read "0". */
static double tick_at(const struct cipi_axis *a, size_t i)
{
    double v = a->lo + (double)i * a->step;
    return fabs(v) < a->step * 1e-9 ? 0.0 : v;
}

void cipi_report_axes(struct rpt *r, const struct cipi_plot *p, const char *xlabel,
                      const char *ylabel)
{
    char b[64];
    double bottom = p->top + p->height, right = p->left + p->width;
    for (size_t i = 0, n = n_ticks(&p->y); p->y.step > 0.0 && i <= n; i++) {
        double v = tick_at(&p->y, i), y = cipi_report_py(p, v);
        cipi_report_printf(
            r,
            "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
            "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
            p->left, y, right, y, p->left - 6, y + 4, cipi_report_fmt_num(b, sizeof b, v));
    }
    for (size_t i = 0, n = n_ticks(&p->x); i <= n; i++) {
        double v = tick_at(&p->x, i), x = cipi_report_px(p, v);
        cipi_report_printf(
            r,
            "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
            "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
            x, p->top, x, bottom, x, bottom + 16, cipi_report_fmt_num(b, sizeof b, v));
    }
    cipi_report_printf(r, "<path class=\"ax\" fill=\"none\" d=\"M%.1f %.1fV%.1fH%.1f\"/>\n",
                       p->left, p->top, bottom, right);
    if (xlabel != NULL) {
        cipi_report_printf(r, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
                           p->left + p->width / 2, bottom + 36);
        cipi_report_esc(r, xlabel);
        cipi_report_raw(r, "</text>\n");
    }
    if (ylabel != NULL) {
        double cy = p->top + p->height / 2;
        cipi_report_printf(r,
                           "<text transform=\"translate(%.1f %.1f) rotate(-90)\" "
                           "text-anchor=\"middle\">",
                           p->left - 52, cy);
        cipi_report_esc(r, ylabel);
        cipi_report_raw(r, "</text>\n");
    }
}

void cipi_report_right_axis(struct rpt *r, const struct cipi_plot *p, const struct cipi_axis *a,
                            const char *label, const char *colour)
{
    char b[64];
    double right = p->left + p->width;
    struct cipi_plot q = *p;
    q.y = *a;
    for (size_t i = 0, n = n_ticks(a); i <= n; i++) {
        double v = tick_at(a, i), y = cipi_report_py(&q, v);
        cipi_report_printf(r,
                           "<line class=\"ax\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                           "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\">%s</text>\n",
                           right, y, right + 4, y, right + 7, y + 4,
                           cipi_report_fmt_num(b, sizeof b, v));
    }
    cipi_report_printf(r, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n",
                       right, p->top, right, p->top + p->height, colour);
    cipi_report_printf(r,
                       "<text transform=\"translate(%.1f %.1f) rotate(90)\" "
                       "text-anchor=\"middle\">",
                       right + 56, p->top + p->height / 2);
    cipi_report_esc(r, label);
    cipi_report_raw(r, "</text>\n");
}

void cipi_report_polyline(struct rpt *r, const struct cipi_plot *p, const double *x,
                          const double *y, size_t n, const char *colour, const char *extra)
{
    cipi_report_printf(r, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" %s points=\"",
                       colour, extra != NULL ? extra : "");
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i]))
            continue;
        cipi_report_printf(r, "%s%.1f,%.1f", i > 0 ? " " : "", cipi_report_px(p, x[i]),
                           cipi_report_py(p, y[i]));
    }
    cipi_report_raw(r, "\"/>\n");
}

void cipi_report_legend(struct rpt *r, const struct cipi_plot *p, const char *const *names,
                        const char *const *colours, size_t n, int where)
{
    size_t longest = 0;
    for (size_t i = 0; i < n; i++)
        longest = strlen(names[i]) > longest ? strlen(names[i]) : longest;
    double w = 28.0 + 6.5 * (double)(longest > 40 ? 40 : longest);
    double x = where != 0 ? p->left + p->width - w - 6 : p->left + 8;
    double y = where == 2 ? p->top + p->height - 16.0 - 18.0 * (double)n : p->top + 8;
    cipi_report_printf(r,
                       "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#fff\" "
                       "fill-opacity=\"0.85\" stroke=\"#d6d6d6\"/>\n",
                       x, y, w, 8.0 + 18.0 * (double)n);
    for (size_t i = 0; i < n; i++) {
        double yy = y + 6 + 18.0 * (double)i;
        cipi_report_printf(r,
                           "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                           "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\">",
                           x + 6, yy, colours[i], x + 22, yy + 10.5);
        cipi_report_esc(r, names[i]);
        cipi_report_raw(r, "</text>\n");
    }
}
