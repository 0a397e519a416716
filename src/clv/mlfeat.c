/* mlfeat.c - per-customer features at a cutoff date and labels from the
 * window after it, for the period-shifted random-forest CLV / churn models
 *
 * Features use only purchases on or before the cutoff; labels only the
 * purchases in (cutoff, label_end]. Customers are those of the log whose
 * first purchase is on or before the cutoff, in log order.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "clv_int.h"

static const char *const feat_names[CIPI_CLV_N_FEAT] = {
    "frequency",       /* repeat purchases x */
    "recency",         /* t_x: last - first purchase */
    "age",             /* T: cutoff - first purchase */
    "since_last",      /* T - t_x */
    "transactions",    /* x + 1 */
    "monetary",        /* mean amount of all purchases */
    "total_spend",     /* sum of amounts */
    "first_amount",    /* amount of the first purchase */
    "last_amount",     /* amount of the last purchase */
    "ipt_mean",        /* mean inter-purchase time (NaN when x == 0) */
    "ipt_std",         /* population std of inter-purchase times (NaN when x < 2) */
    "trend",           /* purchases in the last third of [first, cutoff] - first third */
    "rate",            /* x / T (NaN when T == 0) */
    "repeat_monetary", /* zbar: mean amount of the repeat purchases (NaN when x == 0) */
};

const char *const *cipi_clv_feature_names(void)
{
    return feat_names;
}

/* Features of customer k from its transactions on or before cutoff; row into f[j][i]. */
static void customer_features(const cip_clv_tx *tx, size_t k, int32_t cutoff, double ud,
                              double *row)
{
    size_t b = tx->start[k], e = tx->start[k + 1];
    size_t m = b;
    while (m < e && tx->day[m] <= cutoff)
        m++;
    size_t cnt = m - b;
    int32_t first = tx->day[b], last = tx->day[m - 1];
    double total = 0, sum_ipt = 0, sum_ipt2 = 0;
    double span = (double)(cutoff - first), lo = first + span / 3.0, hi = cutoff - span / 3.0;
    double n_first = 0, n_last = 0;
    for (size_t i = b; i < m; i++) {
        total += tx->amount[i];
        if (i > b) {
            double g = (double)(tx->day[i] - tx->day[i - 1]) / ud;
            sum_ipt += g;
            sum_ipt2 += g * g;
        }
        if (span > 0 && tx->day[i] <= lo)
            n_first += 1;
        if (span > 0 && tx->day[i] >= hi)
            n_last += 1;
    }
    double x = (double)cnt - 1;
    double T = (double)(cutoff - first) / ud, t_x = (double)(last - first) / ud;
    row[0] = x;
    row[1] = t_x;
    row[2] = T;
    row[3] = T - t_x;
    row[4] = (double)cnt;
    row[5] = total / (double)cnt;
    row[6] = total;
    row[7] = tx->amount[b];
    row[8] = tx->amount[m - 1];
    row[9] = x > 0 ? sum_ipt / x : CLV_NAN;
    double var = x > 1 ? sum_ipt2 / x - row[9] * row[9] : CLV_NAN;
    row[10] = x > 1 ? sqrt(var > 0 ? var : 0) : CLV_NAN;
    row[11] = n_last - n_first;
    row[12] = T > 0 ? x / T : CLV_NAN;
    row[13] = x > 0 ? (total - tx->amount[b]) / x : CLV_NAN;
}

cip_status cipi_clv_ml_build(cip_ctx *ctx, const cip_clv_tx *tx, int32_t cutoff, int32_t label_end,
                             double ud, struct cipi_clv_ml *out)
{
    memset(out, 0, sizeof *out);
    size_t n = 0;
    while (n < tx->n_cust && tx->day[tx->start[n]] <= cutoff)
        n++; /* customers are ordered by first purchase day */
    if (n == 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "no customer bought on or before the cutoff");
    cip_status rc = CIP_OK;
    double *cols = cipi_mallocarray(ctx, n, sizeof(double) * CIPI_CLV_N_FEAT);
    double *spend = cipi_mallocarray(ctx, n, sizeof *spend);
    double *churn = cipi_mallocarray(ctx, n, sizeof *churn);
    cip_frame *f = NULL;
    if (cols == NULL || spend == NULL || churn == NULL) {
        rc = CIP_ERR_NOMEM;
        goto done;
    }
    double row[CIPI_CLV_N_FEAT];
    for (size_t k = 0; k < n; k++) {
        customer_features(tx, k, cutoff, ud, row);
        for (int j = 0; j < CIPI_CLV_N_FEAT; j++)
            cols[(size_t)j * n + k] = row[j];
        double s = 0, c = 0;
        for (size_t i = tx->start[k]; i < tx->start[k + 1]; i++)
            if (tx->day[i] > cutoff && tx->day[i] <= label_end)
                s += tx->amount[i], c += 1;
        spend[k] = s;
        churn[k] = c > 0 ? 0 : 1;
    }
    if ((rc = cip_frame_new(ctx, n, &f)) != CIP_OK)
        goto done;
    for (int j = 0; j < CIPI_CLV_N_FEAT && rc == CIP_OK; j++)
        rc = cip_frame_add_f64(ctx, f, feat_names[j], cols + (size_t)j * n, NULL);
    if (rc != CIP_OK)
        goto done;
    out->n = n;
    out->x = f;
    out->spend = spend;
    out->churn = churn;
    f = NULL, spend = churn = NULL;
done:
    cip_frame_free(f);
    cipi_free(ctx, cols);
    cipi_free(ctx, spend);
    cipi_free(ctx, churn);
    return rc;
}

void cipi_clv_ml_release(cip_ctx *ctx, struct cipi_clv_ml *m)
{
    cip_frame_free(m->x);
    cipi_free(ctx, m->spend);
    cipi_free(ctx, m->churn);
    memset(m, 0, sizeof *m);
}
