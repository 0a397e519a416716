/* classify.c - accuracy, precision/recall/F1, confusion matrix
 *
 * Follows scikit-learn 1.2's precision_recall_fscore_support: per-class
 * counts (sums of weights when weighted, accumulated in sample order like
 * np.bincount), the multilabel-confusion-matrix round trip
 * pred' = tp + (pred - tp), divisions with zero_division=0, and the
 * averages as np.average over the classes present in y_true or y_pred.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "metrics_int.h"

void cip_class_opts_default(cip_class_opts *o)
{
    o->n_classes = 2;
    o->average = CIP_AVERAGE_BINARY;
    o->pos_label = 1;
    o->weight = NULL;
}

static const cip_class_opts *opts_or_default(const cip_class_opts *o, cip_class_opts *tmp)
{
    if (o != NULL)
        return o;
    cip_class_opts_default(tmp);
    return tmp;
}

static void match_terms(const void *arg, size_t lo, size_t cnt, double *dst)
{
    const uint32_t *const *yy = arg;
    for (size_t i = 0; i < cnt; i++)
        dst[i] = yy[0][lo + i] == yy[1][lo + i] ? 1.0 : 0.0;
}

struct wmatch {
    const uint32_t *t, *p;
    const double *w;
};

static void wmatch_terms(const void *arg, size_t lo, size_t cnt, double *dst)
{
    const struct wmatch *m = arg;
    for (size_t i = 0; i < cnt; i++)
        dst[i] = (m->t[lo + i] == m->p[lo + i] ? 1.0 : 0.0) * m->w[lo + i];
}

cip_status cip_metric_accuracy(cip_ctx *ctx, const uint32_t *y_true, const uint32_t *y_pred,
                               const double *weight, size_t n, double *out)
{
    cip_status rc = cipi_metrics_check_n(ctx, "accuracy", n);
    if (rc == CIP_OK)
        rc = cipi_metrics_check_weight(ctx, "accuracy", weight, n);
    if (rc != CIP_OK)
        return rc;
    if (weight == NULL) {
        const uint32_t *yy[2] = {y_true, y_pred};
        *out = cip_stats_sum_terms(n, match_terms, yy) / (double)n;
    } else {
        struct wmatch m = {y_true, y_pred, weight};
        *out = cip_stats_sum_terms(n, wmatch_terms, &m) / cip_stats_sum(weight, n);
    }
    return CIP_OK;
}

static cip_status check_class_inputs(cip_ctx *ctx, const char *what, const uint32_t *y_true,
                                     const uint32_t *y_pred, size_t n, const cip_class_opts *o)
{
    cip_status rc = cipi_metrics_check_n(ctx, what, n);
    if (rc == CIP_OK && o->n_classes < 2)
        rc = cipi_fail(ctx, CIP_ERR_INVALID, "%s: n_classes is %u; at least 2 are needed", what,
                       o->n_classes);
    if (rc == CIP_OK)
        rc = cipi_metrics_check_labels(ctx, what, "y_true", y_true, n, o->n_classes);
    if (rc == CIP_OK)
        rc = cipi_metrics_check_labels(ctx, what, "y_pred", y_pred, n, o->n_classes);
    if (rc == CIP_OK)
        rc = cipi_metrics_check_weight(ctx, what, o->weight, n);
    return rc;
}

cip_status cipi_metrics_counts(cip_ctx *ctx, const char *what, const uint32_t *y_true,
                               const uint32_t *y_pred, size_t n, const cip_class_opts *o,
                               struct cipi_class_counts *c)
{
    memset(c, 0, sizeof *c);
    cip_status rc = check_class_inputs(ctx, what, y_true, y_pred, n, o);
    if (rc != CIP_OK)
        return rc;
    size_t k = o->n_classes;
    /* one block: 3k doubles, k labels, k flags */
    size_t bytes;
    if (!cipi_mul_ok(k, 3 * sizeof(double) + sizeof(uint32_t) + 1, &bytes))
        return cipi_fail(ctx, CIP_ERR_NOMEM, "%s: %zu classes are too many", what, k);
    double *block = cipi_calloc(ctx, 1, bytes);
    if (block == NULL)
        return CIP_ERR_NOMEM;
    c->k = o->n_classes;
    c->tp = block;
    c->pred = block + k;
    c->truth = block + 2 * k;
    c->labels = (uint32_t *)(block + 3 * k);
    c->present = (uint8_t *)(c->labels + k);
    const double *w = o->weight;
    for (size_t i = 0; i < n; i++) {
        double wi = w != NULL ? w[i] : 1.0;
        uint32_t t = y_true[i], p = y_pred[i];
        if (t == p)
            c->tp[t] += wi;
        c->pred[p] += wi;
        c->truth[t] += wi;
        c->present[t] = c->present[p] = 1;
    }
    for (size_t j = 0; j < k; j++) {
        double tp = c->tp[j];
        c->pred[j] = tp + (c->pred[j] - tp);
        c->truth[j] = tp + (c->truth[j] - tp);
        if (c->present[j])
            c->labels[c->n_present++] = (uint32_t)j;
    }
    return CIP_OK;
}

void cipi_metrics_counts_release(cip_ctx *ctx, struct cipi_class_counts *c)
{
    cipi_free(ctx, c->tp);
    memset(c, 0, sizeof *c);
}

static double ratio0(double num, double den)
{
    return den == 0.0 ? 0.0 : num / den;
}

static cip_prf prf_from(double tp, double pred, double truth)
{
    cip_prf r;
    r.precision = ratio0(tp, pred);
    r.recall = ratio0(tp, truth);
    double den = r.precision + r.recall;
    r.f1 = 2.0 * r.precision * r.recall / (den == 0.0 ? 1.0 : den);
    return r;
}

cip_prf cipi_metrics_class_prf(const struct cipi_class_counts *cc, uint32_t c)
{
    return prf_from(cc->tp[c], cc->pred[c], cc->truth[c]);
}

/* Terms over the present classes for the averages' pairwise sums. */
enum class_term { CT_TP, CT_PRED, CT_TRUTH, CT_P, CT_R, CT_F, CT_WP, CT_WR, CT_WF };

struct class_terms {
    const struct cipi_class_counts *cc;
    const uint32_t *labels; /* present classes, increasing */
    enum class_term kind;
};

static double class_term(const struct class_terms *t, uint32_t c)
{
    const struct cipi_class_counts *cc = t->cc;
    cip_prf r;
    switch (t->kind) {
    case CT_TP:
        return cc->tp[c];
    case CT_PRED:
        return cc->pred[c];
    case CT_TRUTH:
        return cc->truth[c];
    default:
        break;
    }
    r = cipi_metrics_class_prf(cc, c);
    double v = t->kind == CT_P || t->kind == CT_WP   ? r.precision
               : t->kind == CT_R || t->kind == CT_WR ? r.recall
                                                     : r.f1;
    return t->kind >= CT_WP ? v * cc->truth[c] : v;
}

static void class_fill(const void *arg, size_t lo, size_t cnt, double *dst)
{
    const struct class_terms *t = arg;
    for (size_t i = 0; i < cnt; i++)
        dst[i] = class_term(t, t->labels[lo + i]);
}

static double present_sum(const struct cipi_class_counts *cc, enum class_term kind)
{
    struct class_terms t = {cc, cc->labels, kind};
    return cip_stats_sum_terms(cc->n_present, class_fill, &t);
}

cip_prf cipi_metrics_avg_prf(const struct cipi_class_counts *cc, cip_average avg)
{
    cip_prf r = {0.0, 0.0, 0.0};
    if (avg == CIP_AVERAGE_MICRO)
        return prf_from(present_sum(cc, CT_TP), present_sum(cc, CT_PRED),
                        present_sum(cc, CT_TRUTH));
    if (avg == CIP_AVERAGE_MACRO) {
        double m = (double)cc->n_present;
        r.precision = present_sum(cc, CT_P) / m;
        r.recall = present_sum(cc, CT_R) / m;
        r.f1 = present_sum(cc, CT_F) / m;
        return r;
    }
    double wsum = present_sum(cc, CT_TRUTH);
    if (wsum == 0.0)
        return r; /* zero_division=0 */
    r.precision = present_sum(cc, CT_WP) / wsum;
    r.recall = present_sum(cc, CT_WR) / wsum;
    r.f1 = present_sum(cc, CT_WF) / wsum;
    return r;
}

/* scikit-learn's rules for average="binary". */
static cip_status check_binary(cip_ctx *ctx, const char *what, const struct cipi_class_counts *cc,
                               uint32_t pos)
{
    if (cc->n_present > 2)
        return cipi_fail(ctx, CIP_ERR_INVALID,
                         "%s: %zu classes occur but average is binary; use micro, macro or "
                         "weighted",
                         what, cc->n_present);
    if (pos >= cc->k)
        return cipi_fail(ctx, CIP_ERR_INVALID, "%s: pos_label %u is not below n_classes %u", what,
                         pos, cc->k);
    if (cc->n_present == 2 && !cc->present[pos])
        return cipi_fail(ctx, CIP_ERR_INVALID,
                         "%s: pos_label %u is not one of the two labels that occur", what, pos);
    return CIP_OK;
}

cip_status cip_metric_prf(cip_ctx *ctx, const uint32_t *y_true, const uint32_t *y_pred, size_t n,
                          const cip_class_opts *opts, cip_prf *out)
{
    cip_class_opts tmp;
    const cip_class_opts *o = opts_or_default(opts, &tmp);
    const char *what = "precision_recall_f1";
    if ((unsigned)o->average > CIP_AVERAGE_WEIGHTED)
        return cipi_fail(ctx, CIP_ERR_INVALID, "%s: unknown average %d", what, (int)o->average);
    struct cipi_class_counts cc;
    cip_status rc = cipi_metrics_counts(ctx, what, y_true, y_pred, n, o, &cc);
    if (rc != CIP_OK)
        return rc;
    if (o->average == CIP_AVERAGE_BINARY) {
        rc = check_binary(ctx, what, &cc, o->pos_label);
        if (rc == CIP_OK)
            *out = cipi_metrics_class_prf(&cc, o->pos_label);
    } else {
        *out = cipi_metrics_avg_prf(&cc, o->average);
    }
    cipi_metrics_counts_release(ctx, &cc);
    return rc;
}

cip_status cip_metric_precision(cip_ctx *ctx, const uint32_t *y_true, const uint32_t *y_pred,
                                size_t n, const cip_class_opts *opts, double *out)
{
    cip_prf r = {0.0, 0.0, 0.0};
    cip_status rc = cip_metric_prf(ctx, y_true, y_pred, n, opts, &r);
    if (rc == CIP_OK)
        *out = r.precision;
    return rc;
}

cip_status cip_metric_recall(cip_ctx *ctx, const uint32_t *y_true, const uint32_t *y_pred, size_t n,
                             const cip_class_opts *opts, double *out)
{
    cip_prf r = {0.0, 0.0, 0.0};
    cip_status rc = cip_metric_prf(ctx, y_true, y_pred, n, opts, &r);
    if (rc == CIP_OK)
        *out = r.recall;
    return rc;
}

cip_status cip_metric_f1(cip_ctx *ctx, const uint32_t *y_true, const uint32_t *y_pred, size_t n,
                         const cip_class_opts *opts, double *out)
{
    cip_prf r = {0.0, 0.0, 0.0};
    cip_status rc = cip_metric_prf(ctx, y_true, y_pred, n, opts, &r);
    if (rc == CIP_OK)
        *out = r.f1;
    return rc;
}

cip_status cip_metric_confusion_matrix(cip_ctx *ctx, const uint32_t *y_true, const uint32_t *y_pred,
                                       size_t n, const cip_class_opts *opts, double *out)
{
    cip_class_opts tmp;
    const cip_class_opts *o = opts_or_default(opts, &tmp);
    cip_status rc = check_class_inputs(ctx, "confusion_matrix", y_true, y_pred, n, o);
    if (rc != CIP_OK)
        return rc;
    size_t k = o->n_classes, cells;
    if (!cipi_mul_ok(k, k, &cells))
        return cipi_fail(ctx, CIP_ERR_INVALID, "confusion_matrix: %zu classes are too many", k);
    for (size_t j = 0; j < cells; j++)
        out[j] = 0.0;
    for (size_t i = 0; i < n; i++)
        out[(size_t)y_true[i] * k + y_pred[i]] += o->weight != NULL ? o->weight[i] : 1.0;
    return CIP_OK;
}
