/* sections_segments.c - the customer-segments section of the report
 *
 * Silhouette and inertia versus k (chosen k marked), segment profiles as a
 * features x segments heatmap and the 2-D projection coloured by segment.
 * Profile cells are coloured by the z-score of a segment's mean among the
 * segments' means of that feature, so each row reads "which segments are
 * high or low on this feature"; the printed value is the mean itself in
 * original units.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report_int.h"

enum { MAX_SEGMENTS = 32, MAX_FEATURES = 256, MAX_SWEEP = 256, SEG_LABEL = 32 };

static void sweep_chart(struct rpt *r, const json_t *m)
{
    const json_t *sw = cipi_report_get(m, "sweep");
    size_t n = json_is_array(sw) ? json_array_size(sw) : 0;
    if (n == 0 || n > MAX_SWEEP) {
        cipi_report_na(r, "silhouette and inertia versus k (no k sweep in the summary)");
        return;
    }
    double k[MAX_SWEEP], sil[MAX_SWEEP], inertia[MAX_SWEEP];
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(sw, i);
        k[i] = cipi_report_getnum(e, "k");
        sil[i] = cipi_report_getnum(e, "silhouette");
        inertia[i] = cipi_report_getnum(e, "inertia");
    }
    double chosen = cipi_report_getnum(m, "metrics.optimal_n_clusters");
    cipi_report_dual(r, "chart-segments-sweep", "Segments: silhouette and inertia versus k", k, sil,
                     inertia, n, "number of segments k", "silhouette", "inertia", chosen);
    cipi_report_svg_end(r, "Silhouette (higher = better separated, solid) and inertia (lower = "
                           "tighter, dashed) for each k tried; the dotted line marks the k "
                           "chosen.");
}

/* z-scores of each feature's segment means (row-major features x segments). */
static void profile_z(const double *val, size_t nf, size_t ns, double *z)
{
    for (size_t j = 0; j < nf; j++) {
        double mean = 0.0, ss = 0.0;
        size_t cnt = 0;
        for (size_t s = 0; s < ns; s++)
            if (isfinite(val[j * ns + s])) {
                mean += val[j * ns + s];
                cnt++;
            }
        mean = cnt > 0 ? mean / (double)cnt : 0.0;
        for (size_t s = 0; s < ns; s++)
            if (isfinite(val[j * ns + s]))
                ss += (val[j * ns + s] - mean) * (val[j * ns + s] - mean);
        double sd = cnt > 1 ? sqrt(ss / (double)cnt) : 0.0;
        for (size_t s = 0; s < ns; s++)
            z[j * ns + s] = sd > 0.0 ? (val[j * ns + s] - mean) / sd : 0.0;
    }
}

static void profiles_chart(struct rpt *r, const json_t *m)
{
    const json_t *prof = cipi_report_get(m, "profiles"), *feats = cipi_report_get(m, "features");
    size_t ns = json_is_array(prof) ? json_array_size(prof) : 0;
    size_t nf = json_is_array(feats) ? json_array_size(feats) : 0;
    if (ns == 0 || nf == 0 || ns > MAX_SEGMENTS || nf > MAX_FEATURES) {
        cipi_report_na(r, "segment profiles (not in the summary)");
        return;
    }
    const json_t *sizes = cipi_report_get(m, "sizes");
    double *val = cipi_mallocarray(r->ctx, nf * ns, 2 * sizeof *val);
    const char **rows = cipi_mallocarray(r->ctx, nf, sizeof *rows);
    const char *cols[MAX_SEGMENTS];
    char labels[MAX_SEGMENTS][SEG_LABEL];
    if (val == NULL || rows == NULL) {
        cipi_report_fail(r, CIP_ERR_NOMEM);
        goto done;
    }
    for (size_t j = 0; j < nf; j++) {
        rows[j] = json_string_value(json_array_get(feats, j));
        rows[j] = rows[j] != NULL ? rows[j] : "?";
        for (size_t s = 0; s < ns; s++) {
            const json_t *c = json_array_get(json_array_get(prof, s), j);
            val[j * ns + s] = json_is_number(c) ? json_number_value(c) : RPT_NAN;
        }
    }
    for (size_t s = 0; s < ns; s++) {
        const json_t *sz = json_array_get(sizes, s);
        if (json_is_number(sz))
            snprintf(labels[s], SEG_LABEL, "S%zu (n=%.0f)", s, json_number_value(sz));
        else
            snprintf(labels[s], SEG_LABEL, "Segment %zu", s);
        cols[s] = labels[s];
    }
    profile_z(val, nf, ns, val + nf * ns);
    struct cipi_heat h = {nf, ns, rows, cols, val + nf * ns, val, true, NULL, "feature (mean)"};
    cipi_report_heatmap(r, "chart-segments-profiles", "Segment profiles (mean of each feature)",
                        &h);
    cipi_report_svg_end(r, "Each cell is the segment's mean; orange = high and blue = low "
                           "compared with the other segments (z-score of the means).");
done:
    cipi_free(r->ctx, val);
    cipi_free(r->ctx, rows);
}

static void projection_chart(struct rpt *r, const json_t *m)
{
    size_t nx, ny, ng, nv;
    double *x = cipi_report_nums(r, m, "projection.x", &nx);
    double *y = cipi_report_nums(r, m, "projection.y", &ny);
    double *g = cipi_report_nums(r, m, "projection.segment", &ng);
    double *ev = cipi_report_nums(r, m, "projection.explained_variance", &nv);
    char xl[64], yl[64], b[32];
    snprintf(xl, sizeof xl, "component 1 (%s of variance)",
             cipi_report_fmt_pct(b, sizeof b, nv > 0 ? ev[0] : RPT_NAN));
    snprintf(yl, sizeof yl, "component 2 (%s)",
             cipi_report_fmt_pct(b, sizeof b, nv > 1 ? ev[1] : RPT_NAN));
    if (x == NULL || y == NULL || g == NULL || nx != ny || nx != ng) {
        cipi_report_na(r, "2-D projection of the segments (not in the summary)");
    } else {
        cipi_report_groups(r, "chart-segments-projection",
                           "Segments: customers on the first two principal components", x, y, g, nx,
                           xl, yl);
        cipi_report_svg_end(r, "Each dot is a customer, coloured by segment; nearby dots have "
                               "similar (scaled) features.");
    }
    cipi_free(r->ctx, x);
    cipi_free(r->ctx, y);
    cipi_free(r->ctx, g);
    cipi_free(r->ctx, ev);
}

void cipi_report_segments(struct rpt *r, const json_t *m)
{
    cipi_report_raw(r, "<div class=\"charts\">\n");
    sweep_chart(r, m);
    profiles_chart(r, m);
    projection_chart(r, m);
    cipi_report_importance(r, m, "segments", "chart-segments-importance", "segments");
    cipi_report_raw(r, "</div>\n");
    cipi_report_metrics_table(r, m, "segments");
}
