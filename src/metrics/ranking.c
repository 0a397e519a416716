/* ranking.c - ROC and precision-recall curves, ROC AUC, average precision
 *
 * As scikit-learn 1.2's _binary_clf_curve: drop zero-weight samples, visit
 * the scores in decreasing order (the reverse of a stable ascending sort,
 * exactly numpy's argsort(kind="mergesort")[::-1]), accumulate true and
 * false positives sequentially (np.cumsum) and emit one point per distinct
 * score. ROC then drops collinear points (drop_intermediate) and the AUC is
 * the trapezoidal rule over the remaining points (np.trapz), which counts
 * tied scores as one half; average precision is -sum(diff(recall) *
 * precision[:-1]) over the precision-recall curve. The sort is the O(n)
 * radix argsort of cip_stats_argsort.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "metrics_int.h"

/* Curve points at the distinct thresholds, highest threshold first; slot 0
 * of each array is left free for ROC's extra starting point. */
struct clf_curve {
    size_t m;                /* points, in slots 1..m */
    double *fps, *tps, *thr; /* one block of 3 (n + 1) doubles */
};

static cip_status check_scores(cip_ctx *ctx, const char *what, const uint32_t *y_true,
                               const double *score, const double *weight, size_t n)
{
    cip_status rc = cipi_metrics_check_n(ctx, what, n);
    if (rc == CIP_OK)
        rc = cipi_metrics_check_labels(ctx, what, "y_true", y_true, n, 2);
    if (rc == CIP_OK)
        rc = cipi_metrics_check_finite(ctx, what, "score", score, n);
    if (rc == CIP_OK)
        rc = cipi_metrics_check_weight(ctx, what, weight, n);
    return rc;
}

/* Both classes must carry weight (roc_auc_score's "only one class present"). */
static cip_status check_two_classes(cip_ctx *ctx, const char *what, const uint32_t *y_true,
                                    const double *weight, size_t n)
{
    int seen[2] = {0, 0};
    for (size_t i = 0; i < n; i++)
        if (weight == NULL || weight[i] > 0.0)
            seen[y_true[i]] = 1;
    if (!seen[0] || !seen[1])
        return cipi_fail(ctx, CIP_ERR_INVALID,
                         "%s: y_true has no %s samples; ROC needs both classes", what,
                         seen[0] ? "positive" : "negative");
    return CIP_OK;
}

/* Walk idx (ascending order) backwards and emit the distinct thresholds. */
static void walk_thresholds(const uint32_t *y_true, const double *score, const double *weight,
                            const size_t *idx, size_t n, struct clf_curve *c)
{
    double tp = 0.0, fp = 0.0, cur = 0.0;
    size_t m = 0;
    int have = 0;
    for (size_t k = n; k-- > 0;) {
        size_t i = idx[k];
        double w = weight != NULL ? weight[i] : 1.0;
        if (w == 0.0)
            continue;
        if (have && score[i] != cur) {
            m++;
            c->fps[m] = fp;
            c->tps[m] = tp;
            c->thr[m] = cur;
        }
        if (y_true[i])
            tp += w;
        else
            fp += w;
        cur = score[i];
        have = 1;
    }
    m++;
    c->fps[m] = fp;
    c->tps[m] = tp;
    c->thr[m] = cur;
    c->m = m;
}

static cip_status clf_curve(cip_ctx *ctx, const uint32_t *y_true, const double *score,
                            const double *weight, size_t n, struct clf_curve *c)
{
    memset(c, 0, sizeof *c);
    double *block = NULL;
    size_t *idx = cipi_mallocarray(ctx, n, sizeof *idx);
    if (idx == NULL)
        return CIP_ERR_NOMEM;
    cip_status rc = cip_stats_argsort(ctx, score, n, idx);
    if (rc != CIP_OK)
        goto done;
    block = cipi_mallocarray(ctx, n + 1, 3 * sizeof *block);
    if (block == NULL) {
        rc = CIP_ERR_NOMEM;
        goto done;
    }
    c->fps = block;
    c->tps = block + (n + 1);
    c->thr = block + 2 * (n + 1);
    walk_thresholds(y_true, score, weight, idx, n, c);
done:
    cipi_free(ctx, idx);
    return rc;
}

static void clf_curve_release(cip_ctx *ctx, struct clf_curve *c)
{
    cipi_free(ctx, c->fps);
    memset(c, 0, sizeof *c);
}

/* np.diff(v, 2)[j - 1] != 0: v[j] is not on the line through its neighbours. */
static int bends(double prev, double cur, double next)
{
    return (next - cur) - (cur - prev) != 0.0;
}

/* ROC points in slots 0..m of c (rates, thresholds); returns the count. */
static size_t roc_points(struct clf_curve *c)
{
    size_t m = c->m;
    if (m > 2) {
        /* drop_intermediate: keep the ends and every point where either
         * count bends; compare against the original neighbours */
        double pf = c->fps[1], pt = c->tps[1];
        size_t out = 1;
        for (size_t j = 2; j < m; j++) {
            double f = c->fps[j], t = c->tps[j];
            if (bends(pf, f, c->fps[j + 1]) || bends(pt, t, c->tps[j + 1])) {
                out++;
                c->fps[out] = f;
                c->tps[out] = t;
                c->thr[out] = c->thr[j];
            }
            pf = f;
            pt = t;
        }
        out++;
        c->fps[out] = c->fps[m];
        c->tps[out] = c->tps[m];
        c->thr[out] = c->thr[m];
        m = out;
    }
    c->fps[0] = c->tps[0] = 0.0;
    c->thr[0] = c->thr[1] + 1.0;
    double fl = c->fps[m], tl = c->tps[m];
    for (size_t j = 0; j <= m; j++) {
        c->fps[j] /= fl;
        c->tps[j] /= tl;
    }
    return m + 1;
}

/* Terms of np.trapz(y, x): (x[i+1] - x[i]) * (y[i+1] + y[i]) / 2. */
static void trapz_terms(const void *arg, size_t lo, size_t cnt, double *dst)
{
    const struct clf_curve *c = arg;
    for (size_t i = lo; i < lo + cnt; i++)
        dst[i - lo] = (c->fps[i + 1] - c->fps[i]) * (c->tps[i + 1] + c->tps[i]) / 2.0;
}

cip_status cip_metric_roc_auc(cip_ctx *ctx, const uint32_t *y_true, const double *score,
                              const double *weight, size_t n, double *out)
{
    cip_status rc = check_scores(ctx, "roc_auc", y_true, score, weight, n);
    if (rc == CIP_OK)
        rc = check_two_classes(ctx, "roc_auc", y_true, weight, n);
    struct clf_curve c;
    if (rc == CIP_OK)
        rc = clf_curve(ctx, y_true, score, weight, n, &c);
    if (rc != CIP_OK)
        return rc;
    size_t np = roc_points(&c);
    *out = cip_stats_sum_terms(np - 1, trapz_terms, &c);
    clf_curve_release(ctx, &c);
    return CIP_OK;
}

static void swap(double *v, size_t a, size_t b)
{
    double t = v[a];
    v[a] = v[b];
    v[b] = t;
}

/* Precision-recall points, increasing threshold, in slots 0..m of c:
 * fps := recall, tps := precision, thr shifted down; the final point
 * (recall 0, precision 1) goes in slot m. */
static void pr_points(struct clf_curve *c)
{
    size_t m = c->m;
    double tl = c->tps[m];
    for (size_t j = 1; j <= m; j++) {
        double tp = c->tps[j], ps = tp + c->fps[j];
        c->tps[j] = ps != 0.0 ? tp / ps : 0.0;
        c->fps[j] = tl == 0.0 ? 1.0 : tp / tl; /* no positives: recall 1 */
    }
    /* reverse slots 1..m into 0..m-1 */
    for (size_t a = 1, b = m; a < b; a++, b--) {
        swap(c->fps, a, b);
        swap(c->tps, a, b);
        swap(c->thr, a, b);
    }
    memmove(c->fps, c->fps + 1, m * sizeof *c->fps);
    memmove(c->tps, c->tps + 1, m * sizeof *c->tps);
    memmove(c->thr, c->thr + 1, m * sizeof *c->thr);
    c->fps[m] = 0.0;
    c->tps[m] = 1.0;
}

/* Terms of average precision: (recall[j+1] - recall[j]) * precision[j]. */
static void ap_terms(const void *arg, size_t lo, size_t cnt, double *dst)
{
    const struct clf_curve *c = arg;
    for (size_t j = lo; j < lo + cnt; j++)
        dst[j - lo] = (c->fps[j + 1] - c->fps[j]) * c->tps[j];
}

cip_status cip_metric_average_precision(cip_ctx *ctx, const uint32_t *y_true, const double *score,
                                        const double *weight, size_t n, double *out)
{
    cip_status rc = check_scores(ctx, "average_precision", y_true, score, weight, n);
    struct clf_curve c;
    if (rc == CIP_OK)
        rc = clf_curve(ctx, y_true, score, weight, n, &c);
    if (rc != CIP_OK)
        return rc;
    pr_points(&c);
    /* + 0.0 turns scikit-learn's -0.0 (no positives) into 0.0 */
    *out = -cip_stats_sum_terms(c.m, ap_terms, &c) + 0.0;
    clf_curve_release(ctx, &c);
    return CIP_OK;
}

/* --- owned curves ----------------------------------------------------------- */

struct curve_impl {
    cip_curve pub; /* first member */
    struct cipi_alloc a;
    double data[]; /* x, y, thresholds */
};

static cip_status curve_new(cip_ctx *ctx, const struct clf_curve *c, size_t np, size_t nt,
                            cip_curve **out)
{
    size_t bytes;
    struct curve_impl *k = NULL;
    if (!cipi_mul_ok(2 * np + nt, sizeof(double), &bytes) || bytes > SIZE_MAX - sizeof *k)
        return cipi_fail(ctx, CIP_ERR_NOMEM, "curve of %zu points is too large", np);
    k = cipi_malloc(ctx, sizeof *k + bytes);
    if (k == NULL)
        return CIP_ERR_NOMEM;
    k->a = cipi_ctx_alloc(ctx);
    memcpy(k->data, c->fps, np * sizeof(double));
    memcpy(k->data + np, c->tps, np * sizeof(double));
    memcpy(k->data + 2 * np, c->thr, nt * sizeof(double));
    k->pub.n = np;
    k->pub.x = k->data;
    k->pub.y = k->data + np;
    k->pub.thresholds = k->data + 2 * np;
    k->pub.n_thresholds = nt;
    *out = &k->pub;
    return CIP_OK;
}

void cip_curve_free(cip_curve *c)
{
    if (c == NULL)
        return;
    struct curve_impl *k = (struct curve_impl *)c;
    struct cipi_alloc a = k->a;
    cipi_afree(&a, k);
}

cip_status cip_metric_roc_curve(cip_ctx *ctx, const uint32_t *y_true, const double *score,
                                const double *weight, size_t n, cip_curve **out)
{
    *out = NULL;
    cip_status rc = check_scores(ctx, "roc_curve", y_true, score, weight, n);
    if (rc == CIP_OK)
        rc = check_two_classes(ctx, "roc_curve", y_true, weight, n);
    struct clf_curve c;
    if (rc == CIP_OK)
        rc = clf_curve(ctx, y_true, score, weight, n, &c);
    if (rc != CIP_OK)
        return rc;
    size_t np = roc_points(&c);
    rc = curve_new(ctx, &c, np, np, out);
    clf_curve_release(ctx, &c);
    return rc;
}

cip_status cip_metric_pr_curve(cip_ctx *ctx, const uint32_t *y_true, const double *score,
                               const double *weight, size_t n, cip_curve **out)
{
    *out = NULL;
    cip_status rc = check_scores(ctx, "pr_curve", y_true, score, weight, n);
    struct clf_curve c;
    if (rc == CIP_OK)
        rc = clf_curve(ctx, y_true, score, weight, n, &c);
    if (rc != CIP_OK)
        return rc;
    pr_points(&c);
    rc = curve_new(ctx, &c, c.m + 1, c.m, out);
    clf_curve_release(ctx, &c);
    return rc;
}
