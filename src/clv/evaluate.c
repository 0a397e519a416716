/* evaluate.c - holdout evaluation: per-customer errors, correlation,
 * aggregate and cumulative forecast errors
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "clv_int.h"

double cipi_clv_pearson(const double *a, const double *b, size_t n)
{
    double ma = 0, mb = 0;
    for (size_t i = 0; i < n; i++)
        ma += a[i], mb += b[i];
    ma /= (double)n;
    mb /= (double)n;
    double sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < n; i++) {
        double da = a[i] - ma, db = b[i] - mb;
        sab += da * db;
        saa += da * da;
        sbb += db * db;
    }
    return saa > 0 && sbb > 0 ? sab / sqrt(saa * sbb) : CLV_NAN;
}

cip_status cip_clv_evaluate(cip_ctx *ctx, const cip_clv_summary *s, const cip_clv_model *m,
                            const double *pred, const char *method, cip_clv_eval *out)
{
    if (s == NULL || pred == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "NULL summary or predictions");
    if (!(s->holdout_length > 0) || s->n == 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "the summary has no holdout period");
    cip_clv_eval e;
    memset(&e, 0, sizeof e);
    e.method = method ? method : (m ? cip_clv_model_name(m->kind) : "predictions");
    double se = 0, ae = 0, nz = 0;
    for (size_t i = 0; i < s->n; i++) {
        double d = pred[i] - s->x_hold[i];
        if (!isfinite(pred[i]))
            return cipi_fail(ctx, CIP_ERR_INVALID, "%s: prediction %zu is not finite", e.method, i);
        ae += fabs(d);
        se += d * d;
        e.pred_total += pred[i];
        e.actual_total += s->x_hold[i];
        if (s->x[i] == 0) {
            nz += 1;
            e.zero_pred += pred[i];
            e.zero_actual += s->x_hold[i];
        }
    }
    double n = (double)s->n;
    e.mae = ae / n;
    e.rmse = sqrt(se / n);
    e.corr = cipi_clv_pearson(pred, s->x_hold, s->n);
    e.agg_error = e.actual_total > 0 ? (e.pred_total - e.actual_total) / e.actual_total : CLV_NAN;
    e.zero_pred = nz > 0 ? e.zero_pred / nz : CLV_NAN;
    e.zero_actual = nz > 0 ? e.zero_actual / nz : CLV_NAN;
    e.cum_pred = e.cum_actual = e.cum_error = CLV_NAN;
    if (m != NULL && m->kind != CIP_CLV_GAMMAGAMMA) {
        double cp = 0, ca = 0;
        for (size_t i = 0; i < s->n; i++) {
            cp += cip_clv_expected(m, s->T[i] + s->holdout_length);
            ca += s->x[i] + s->x_hold[i];
        }
        e.cum_pred = cp;
        e.cum_actual = ca;
        e.cum_error = ca > 0 ? (cp - ca) / ca : CLV_NAN;
    }
    *out = e;
    return CIP_OK;
}

cip_status cip_clv_histogram_chisq(cip_ctx *ctx, const cip_clv_model *m, const cip_clv_summary *s,
                                   int n_bins, double *observed, double *expected, double *chisq)
{
    if (m == NULL || s == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "NULL model or summary");
    if (m->kind != CIP_CLV_BGNBD)
        return cipi_fail(ctx, CIP_ERR_INVALID, "the histogram test needs a bgnbd model, not %s",
                         cip_clv_model_name(m->kind));
    if (n_bins < 2 || n_bins > 64)
        return cipi_fail(ctx, CIP_ERR_INVALID, "n_bins must be in 2..64, got %d", n_bins);
    double O[64] = {0}, E[64] = {0};
    const int last = n_bins - 1;
    for (size_t i = 0; i < s->n; i++) {
        O[s->x[i] >= last ? last : (int)s->x[i]] += 1;
        double tail = 1;
        for (int k = 0; k < last; k++) {
            double pk = cip_clv_pmf(m, k, s->T[i]);
            E[k] += pk;
            tail -= pk;
        }
        E[last] += tail;
    }
    double c = 0;
    for (int k = 0; k < n_bins; k++) {
        c += E[k] > 0 ? (O[k] - E[k]) * (O[k] - E[k]) / E[k] : CLV_INF;
        if (observed)
            observed[k] = O[k];
        if (expected)
            expected[k] = E[k];
    }
    *chisq = c;
    return CIP_OK;
}
