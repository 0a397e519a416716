/* charts.c - the report's chart kinds as inline SVG
 *
 * Bars (feature importance), scatter (actual vs predicted, residuals),
 * curves in the unit square (ROC, precision-recall), heatmaps (confusion
 * matrix, segment profiles), grouped scatter (segment projection), two-axis
 * lines (silhouette and inertia versus k) and plain multi-line charts.
 * Every chart is one <svg> with a stable id and a <title>, drawn in a fixed
 * viewBox; labels are escaped; colours come from the Okabe-Ito palette.
 * Each function leaves the <svg> open: the caller closes it with
 * cipi_report_svg_end(r, caption).
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report_int.h"

enum { CW = 560, CH = 360, MAX_BARS = 15, LABEL_CHARS = 26 };

static struct cipi_plot plot_default(int w, int h)
{
    struct cipi_plot p = {
        72.0,           36.0, (double)w - 72.0 - 24.0, (double)h - 36.0 - 56.0, {0.0, 1.0, 0.2},
        {0.0, 1.0, 0.2}};
    return p;
}

/* Copy at most max bytes of s, not splitting a UTF-8 sequence; "…" when cut. */
static const char *shorten(char *buf, size_t size, const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max || size < max + 4) {
        snprintf(buf, size, "%s", s);
        return buf;
    }
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    memcpy(buf, s, max);
    memcpy(buf + max, "\xE2\x80\xA6", 4);
    return buf;
}

void cipi_report_bars(struct rpt *r, const char *id, const char *title, const char *const *labels,
                      const double *values, size_t n, const char *xlabel)
{
    size_t *order = cipi_mallocarray(r->ctx, n > 0 ? n : 1, sizeof *order);
    if (order == NULL) {
        cipi_report_fail(r, CIP_ERR_NOMEM);
        return;
    }
    for (size_t i = 0; i < n; i++) { /* insertion sort, descending; n is small */
        size_t j = i;
        while (j > 0 && (values[order[j - 1]] < values[i] || !isfinite(values[order[j - 1]])))
            order[j] = order[j - 1], j--;
        order[j] = i;
    }
    size_t nb = n < MAX_BARS ? n : MAX_BARS;
    int h = 36 + 24 * (int)nb + 56;
    struct cipi_plot p = {190.0,       36.0,     CW - 190.0 - 30.0, 24.0 * (double)nb,
                          {0, 1, 0.2}, {0, 1, 1}};
    double lo, hi;
    cipi_report_range(values, n, &lo, &hi);
    p.x = cipi_report_axis(fmin(0.0, isfinite(lo) ? lo : 0.0), isfinite(hi) ? hi : 1.0, 5);
    p.y = (struct cipi_axis){0.0, (double)nb, 1.0};
    cipi_report_svg_begin(r, id, title, CW, h);
    struct cipi_plot px = p;
    px.y = (struct cipi_axis){0.0, 1.0, 0.0}; /* step 0: x grid only */
    cipi_report_axes(r, &px, xlabel, NULL);
    char b[64], lb[128];
    for (size_t k = 0; k < nb; k++) {
        size_t i = order[k];
        double v = isfinite(values[i]) ? values[i] : 0.0;
        double x0 = cipi_report_px(&p, fmin(0.0, v)), x1 = cipi_report_px(&p, fmax(0.0, v));
        double y = p.top + 24.0 * (double)k;
        cipi_report_printf(r, "<g><title>");
        cipi_report_esc(r, labels[i]);
        cipi_report_printf(r,
                           ": %s</title><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"16\" "
                           "fill=\"%s\"/>",
                           cipi_report_fmt_num(b, sizeof b, values[i]), x0, y + 4, x1 - x0,
                           cipi_report_colour(0));
        cipi_report_printf(r, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" font-size=\"12\">",
                           p.left - 6, y + 16);
        cipi_report_esc(r, shorten(lb, sizeof lb, labels[i], LABEL_CHARS));
        cipi_report_printf(r, "</text><text class=\"tick\" x=\"%.1f\" y=\"%.1f\">%s</text></g>\n",
                           x1 + 4, y + 16, b);
    }
    cipi_free(r->ctx, order);
}

void cipi_report_scatter(struct rpt *r, const char *id, const char *title, const double *x,
                         const double *y, size_t n, const char *xlabel, const char *ylabel, int ref)
{
    struct cipi_plot p = plot_default(CW, CH);
    double xl, xh, yl, yh;
    cipi_report_range(x, n, &xl, &xh);
    cipi_report_range(y, n, &yl, &yh);
    if (ref == 1) { /* same scale on both axes so y = x is the diagonal */
        xl = yl = fmin(xl, yl);
        xh = yh = fmax(xh, yh);
    }
    if (ref == 2) {
        double m = fmax(fabs(yl), fabs(yh));
        yl = -m;
        yh = m;
    }
    p.x = cipi_report_axis(xl, xh, 6);
    p.y = cipi_report_axis(yl, yh, 6);
    cipi_report_svg_begin(r, id, title, CW, CH);
    cipi_report_axes(r, &p, xlabel, ylabel);
    if (ref == 1) {
        double a = fmax(p.x.lo, p.y.lo), b = fmin(p.x.hi, p.y.hi);
        cipi_report_printf(r,
                           "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#555\" "
                           "stroke-dasharray=\"5 4\"><title>perfect prediction (y = x)</title>"
                           "</line>\n",
                           cipi_report_px(&p, a), cipi_report_py(&p, a), cipi_report_px(&p, b),
                           cipi_report_py(&p, b));
    } else if (ref == 2) {
        cipi_report_printf(r,
                           "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#555\" "
                           "stroke-dasharray=\"5 4\"/>\n",
                           p.left, cipi_report_py(&p, 0.0), p.left + p.width,
                           cipi_report_py(&p, 0.0));
    }
    cipi_report_printf(r, "<g fill=\"%s\" fill-opacity=\"0.55\">\n", cipi_report_colour(0));
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]) && isfinite(y[i]))
            cipi_report_printf(r, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\"/>\n",
                               cipi_report_px(&p, x[i]), cipi_report_py(&p, y[i]));
    cipi_report_raw(r, "</g>\n");
}

void cipi_report_curve(struct rpt *r, const char *id, const char *title, const double *x,
                       const double *y, size_t n, const char *xlabel, const char *ylabel,
                       const char *name, double ref_y0, double ref_y1, const char *ref_name)
{
    struct cipi_plot p = plot_default(CW, CH);
    p.x = (struct cipi_axis){0.0, 1.0, 0.2};
    p.y = (struct cipi_axis){0.0, 1.0, 0.2};
    cipi_report_svg_begin(r, id, title, CW, CH);
    cipi_report_axes(r, &p, xlabel, ylabel);
    const char *names[2] = {name, ref_name != NULL ? ref_name : ""};
    const char *colours[2] = {cipi_report_colour(0), "#777777"};
    size_t n_leg = 1;
    if (isfinite(ref_y0) && isfinite(ref_y1)) {
        double rx[2] = {0.0, 1.0}, ry[2] = {ref_y0, ref_y1};
        cipi_report_polyline(r, &p, rx, ry, 2, "#777777", "stroke-dasharray=\"6 4\"");
        n_leg = ref_name != NULL ? 2 : 1;
    }
    cipi_report_polyline(r, &p, x, y, n, cipi_report_colour(0), NULL);
    cipi_report_legend(r, &p, names, colours, n_leg, ref_y0 < ref_y1 ? 2 : 1);
}

/* Cell colour: sequential white -> blue for t in [0,1]; diverging blue
 * (low) - white - orange (high) for z clipped to [-2, 2]. */
static void heat_colour(char out[8], double v, bool diverging, bool *dark)
{
    static const double lo_rgb[3] = {0x21, 0x66, 0xAC}, hi_rgb[3] = {0xB3, 0x58, 0x06};
    double t;
    const double *to;
    if (!isfinite(v))
        v = 0.0;
    if (diverging) {
        double z = fmax(-2.0, fmin(2.0, v));
        t = fabs(z) / 2.0;
        to = z < 0 ? lo_rgb : hi_rgb;
    } else {
        t = fmax(0.0, fmin(1.0, v));
        to = lo_rgb;
    }
    int c[3];
    for (int k = 0; k < 3; k++)
        c[k] = (int)lround(255.0 + (to[k] - 255.0) * t);
    snprintf(out, 8, "#%02X%02X%02X", (unsigned)c[0] & 0xFF, (unsigned)c[1] & 0xFF,
             (unsigned)c[2] & 0xFF);
    *dark = t > 0.55;
}

void cipi_report_heatmap(struct rpt *r, const char *id, const char *title,
                         const struct cipi_heat *h)
{
    double left = 170.0, top = 78.0;
    double cw = fmin(150.0, (CW - left - 16.0) / (double)(h->nc > 0 ? h->nc : 1));
    double ch = h->nr > 6 ? 26.0 : h->nr > 3 ? 40.0 : 60.0;
    size_t col_chars = (size_t)(cw / 7.0);
    int height = (int)(top + ch * (double)h->nr + 40.0);
    char b[64], lb[128], col[8];
    cipi_report_svg_begin(r, id, title, CW, height);
    for (size_t j = 0; j < h->nc; j++) {
        cipi_report_printf(r,
                           "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"12\">",
                           left + cw * ((double)j + 0.5), top - 8);
        cipi_report_esc(r, shorten(lb, sizeof lb, h->col_labels[j], col_chars));
        cipi_report_raw(r, "</text>\n");
    }
    for (size_t i = 0; i < h->nr; i++) {
        double y = top + ch * (double)i;
        cipi_report_printf(r, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" font-size=\"12\">",
                           left - 6, y + ch / 2 + 4);
        cipi_report_esc(r, shorten(lb, sizeof lb, h->row_labels[i], LABEL_CHARS));
        cipi_report_raw(r, "</text>\n");
        for (size_t j = 0; j < h->nc; j++) {
            bool dark;
            heat_colour(col, h->colour[i * h->nc + j], h->diverging, &dark);
            cipi_report_printf(r,
                               "<g><title>%s</title><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                               "height=\"%.1f\" fill=\"%s\" stroke=\"#fff\"/>",
                               cipi_report_fmt_num(b, sizeof b, h->value[i * h->nc + j]),
                               left + cw * (double)j, y, cw, ch, col);
            cipi_report_printf(r,
                               "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                               "font-size=\"12\" style=\"fill:%s\">%s</text></g>\n",
                               left + cw * ((double)j + 0.5), y + ch / 2 + 4,
                               dark ? "#fff" : "#1b1b1b", b);
        }
    }
    if (h->xlabel != NULL) {
        cipi_report_printf(r, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
                           left + cw * (double)h->nc / 2, top - 34);
        cipi_report_esc(r, h->xlabel);
        cipi_report_raw(r, "</text>\n");
    }
    if (h->ylabel != NULL) {
        cipi_report_printf(r, "<text x=\"8\" y=\"%.1f\" font-size=\"12\">", top - 8);
        cipi_report_esc(r, h->ylabel);
        cipi_report_raw(r, "</text>\n");
    }
}

void cipi_report_groups(struct rpt *r, const char *id, const char *title, const double *x,
                        const double *y, const double *group, size_t n, const char *xlabel,
                        const char *ylabel)
{
    enum { MAX_GROUPS = 32 };
    size_t count[MAX_GROUPS] = {0}, n_groups = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(group[i]) && group[i] >= 0 && group[i] < MAX_GROUPS) {
            size_t g = (size_t)group[i];
            count[g]++;
            n_groups = g + 1 > n_groups ? g + 1 : n_groups;
        }
    struct cipi_plot p = plot_default(CW, CH);
    p.width -= 120.0; /* legend column on the right */
    double l, h;
    cipi_report_range(x, n, &l, &h);
    p.x = cipi_report_axis(l, h, 6);
    cipi_report_range(y, n, &l, &h);
    p.y = cipi_report_axis(l, h, 6);
    cipi_report_svg_begin(r, id, title, CW, CH);
    cipi_report_axes(r, &p, xlabel, ylabel);
    for (size_t g = 0; g < n_groups; g++) {
        cipi_report_printf(r, "<g fill=\"%s\" fill-opacity=\"0.7\"><title>Segment %zu</title>\n",
                           cipi_report_colour(g), g);
        for (size_t i = 0; i < n; i++)
            if (group[i] == (double)g && isfinite(x[i]) && isfinite(y[i]))
                cipi_report_printf(r, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\"/>\n",
                                   cipi_report_px(&p, x[i]), cipi_report_py(&p, y[i]));
        cipi_report_raw(r, "</g>\n");
    }
    for (size_t g = 0; g < n_groups; g++) {
        double yy = p.top + 4 + 20.0 * (double)g, xx = p.left + p.width + 16;
        cipi_report_printf(
            r,
            "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"6\" fill=\"%s\"/>"
            "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\">Segment %zu (%zu)</text>\n",
            xx + 6, yy + 6, cipi_report_colour(g), xx + 16, yy + 10, g, count[g]);
    }
}

void cipi_report_dual(struct rpt *r, const char *id, const char *title, const double *x,
                      const double *y1, const double *y2, size_t n, const char *xlabel,
                      const char *name1, const char *name2, double mark)
{
    struct cipi_plot p = plot_default(CW, CH);
    p.width -= 48.0; /* room for the right axis */
    double l, h;
    cipi_report_range(x, n, &l, &h);
    p.x = cipi_report_axis(l, h, 7);
    cipi_report_range(y1, n, &l, &h);
    p.y = cipi_report_axis(l, h, 6);
    struct cipi_plot q = p;
    cipi_report_range(y2, n, &l, &h);
    q.y = cipi_report_axis(l, h, 6);
    cipi_report_svg_begin(r, id, title, CW, CH);
    cipi_report_axes(r, &p, xlabel, name1);
    cipi_report_right_axis(r, &p, &q.y, name2, cipi_report_colour(1));
    if (isfinite(mark)) {
        double mx = cipi_report_px(&p, mark);
        cipi_report_printf(r,
                           "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\" "
                           "stroke-dasharray=\"3 3\"/><text x=\"%.1f\" y=\"%.1f\" "
                           "font-size=\"12\">chosen k = %g</text>\n",
                           mx, p.top, mx, p.top + p.height, mx + 4, p.top + p.height - 8, mark);
    }
    cipi_report_polyline(r, &p, x, y1, n, cipi_report_colour(0), NULL);
    cipi_report_polyline(r, &q, x, y2, n, cipi_report_colour(1), "stroke-dasharray=\"7 3\"");
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]))
            continue;
        bool chosen = x[i] == mark;
        if (isfinite(y1[i]))
            cipi_report_printf(r, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%d\" fill=\"%s\"/>\n",
                               cipi_report_px(&p, x[i]), cipi_report_py(&p, y1[i]), chosen ? 6 : 3,
                               cipi_report_colour(0));
        if (isfinite(y2[i]))
            cipi_report_printf(
                r, "<rect x=\"%.1f\" y=\"%.1f\" width=\"6\" height=\"6\" fill=\"%s\"/>\n",
                cipi_report_px(&q, x[i]) - 3, cipi_report_py(&q, y2[i]) - 3, cipi_report_colour(1));
    }
    const char *names[2] = {name1, name2};
    const char *colours[2] = {cipi_report_colour(0), cipi_report_colour(1)};
    cipi_report_legend(r, &p, names, colours, 2, 1);
}

void cipi_report_lines(struct rpt *r, const char *id, const char *title, const double *x,
                       const double *const *ys, const char *const *names, size_t n_series, size_t n,
                       const char *xlabel, const char *ylabel)
{
    struct cipi_plot p = plot_default(CW, CH);
    double l, h, lo = RPT_NAN, hi = RPT_NAN;
    cipi_report_range(x, n, &l, &h);
    p.x = cipi_report_axis(l, h, 7);
    for (size_t s = 0; s < n_series; s++) {
        cipi_report_range(ys[s], n, &l, &h);
        lo = isfinite(lo) ? fmin(lo, l) : l;
        hi = isfinite(hi) ? fmax(hi, h) : h;
    }
    p.y = cipi_report_axis(fmin(0.0, lo), hi, 6);
    cipi_report_svg_begin(r, id, title, CW, CH);
    cipi_report_axes(r, &p, xlabel, ylabel);
    const char *colours[8];
    for (size_t s = 0; s < n_series && s < 8; s++) {
        colours[s] = cipi_report_colour(s);
        cipi_report_polyline(r, &p, x, ys[s], n, colours[s],
                             s > 0 ? "stroke-dasharray=\"7 3\"" : NULL);
    }
    cipi_report_legend(r, &p, names, colours, n_series < 8 ? n_series : 8, 0);
}
