/* summary.c - per-customer calibration/holdout summary (x, t_x, T, zbar)
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "clv_int.h"

enum { N_ARRAYS = 8 };

static double **arrays(cip_clv_summary *s, double **v)
{
    v[0] = s->x, v[1] = s->t_x, v[2] = s->T, v[3] = s->zbar;
    v[4] = s->monetary, v[5] = s->first, v[6] = s->x_hold, v[7] = s->spend_hold;
    return v;
}

void cip_clv_summary_free(cip_clv_summary *s)
{
    if (s == NULL)
        return;
    struct cipi_alloc a = {s->alloc_fn_, s->alloc_ud_};
    double *v[N_ARRAYS];
    arrays(s, v);
    for (int k = 0; k < N_ARRAYS; k++)
        cipi_afree(&a, v[k]);
    cipi_afree(&a, s->customer);
    cipi_afree(&a, s);
}

static cip_status alloc_summary(cip_ctx *ctx, size_t n, cip_clv_unit unit, cip_clv_summary **out)
{
    cip_clv_summary *s = cipi_calloc(ctx, 1, sizeof *s);
    if (s == NULL)
        return CIP_ERR_NOMEM;
    struct cipi_alloc a = cipi_ctx_alloc(ctx);
    s->alloc_fn_ = a.fn;
    s->alloc_ud_ = a.ud;
    s->unit = unit;
    size_t m = n ? n : 1;
    s->x = cipi_calloc(ctx, m, sizeof(double));
    s->t_x = cipi_calloc(ctx, m, sizeof(double));
    s->T = cipi_calloc(ctx, m, sizeof(double));
    s->zbar = cipi_calloc(ctx, m, sizeof(double));
    s->monetary = cipi_calloc(ctx, m, sizeof(double));
    s->first = cipi_calloc(ctx, m, sizeof(double));
    s->x_hold = cipi_calloc(ctx, m, sizeof(double));
    s->spend_hold = cipi_calloc(ctx, m, sizeof(double));
    s->customer = cipi_calloc(ctx, m, sizeof(size_t));
    double *v[N_ARRAYS];
    arrays(s, v);
    bool ok = s->customer != NULL;
    for (int k = 0; k < N_ARRAYS; k++)
        ok = ok && v[k] != NULL;
    if (!ok) {
        cip_clv_summary_free(s);
        return CIP_ERR_NOMEM;
    }
    s->n = n;
    *out = s;
    return CIP_OK;
}

/* Fill row i from customer k's transactions. */
static void summarise_one(const cip_clv_tx *tx, size_t k, cip_clv_summary *s, size_t i, double ud)
{
    size_t b = tx->start[k], e = tx->start[k + 1];
    int32_t f = tx->day[b], last = f;
    double total = 0, nc = 0, nh = 0, sh = 0;
    for (size_t j = b; j < e; j++) {
        if (tx->day[j] <= s->cal_end) {
            nc += 1;
            total += tx->amount[j];
            last = tx->day[j];
        } else if (tx->day[j] <= s->hold_end) {
            nh += 1;
            sh += tx->amount[j];
        }
    }
    s->customer[i] = k;
    s->x[i] = nc - 1;
    s->t_x[i] = (double)(last - f) / ud;
    s->T[i] = (double)(s->cal_end - f) / ud;
    s->zbar[i] = nc > 1 ? (total - tx->amount[b]) / (nc - 1) : 0.0;
    s->monetary[i] = total / nc;
    s->first[i] = (double)(f - tx->first) / ud;
    s->x_hold[i] = nh;
    s->spend_hold[i] = sh;
}

cip_status cip_clv_summary_new(cip_ctx *ctx, const cip_clv_tx *tx, int32_t cal_end,
                               int32_t hold_end, cip_clv_unit unit, cip_clv_summary **out)
{
    *out = NULL;
    if (tx == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "NULL transaction log");
    if (unit < CIP_CLV_DAYS || unit > CIP_CLV_MONTHS)
        return cipi_fail(ctx, CIP_ERR_INVALID, "unknown time unit %d", (int)unit);
    if (hold_end < cal_end)
        hold_end = cal_end;
    size_t n = 0;
    for (size_t k = 0; k < tx->n_cust; k++)
        n += tx->start[k + 1] > tx->start[k] && tx->day[tx->start[k]] <= cal_end;
    if (n == 0) {
        char d[11];
        cip_clv_date_str(cal_end, d);
        return cipi_fail(ctx, CIP_ERR_INVALID, "no customer has a purchase on or before %s", d);
    }
    cip_clv_summary *s;
    cip_status rc = alloc_summary(ctx, n, unit, &s);
    if (rc != CIP_OK)
        return rc;
    s->cal_end = cal_end;
    s->hold_end = hold_end;
    double ud = cip_clv_unit_days(unit);
    s->holdout_length = (double)(hold_end - cal_end) / ud;
    size_t i = 0;
    for (size_t k = 0; k < tx->n_cust; k++) {
        if (tx->start[k + 1] == tx->start[k] || tx->day[tx->start[k]] > cal_end) {
            s->n_later += tx->start[k + 1] > tx->start[k];
            continue;
        }
        summarise_one(tx, k, s, i++, ud);
    }
    *out = s;
    return CIP_OK;
}

cip_status cip_clv_summary_from_arrays(cip_ctx *ctx, size_t n, const double *x, const double *t_x,
                                       const double *T, const double *zbar, cip_clv_unit unit,
                                       cip_clv_summary **out)
{
    *out = NULL;
    for (size_t i = 0; i < n; i++)
        if (!(x[i] >= 0) || !(t_x[i] >= 0) || !(T[i] >= t_x[i]) || !isfinite(T[i]) ||
            (zbar && !(zbar[i] >= 0)))
            return cipi_fail(ctx, CIP_ERR_INVALID,
                             "row %zu: need x >= 0, 0 <= t_x <= T and zbar >= 0", i);
    cip_clv_summary *s;
    cip_status rc = alloc_summary(ctx, n, unit, &s);
    if (rc != CIP_OK)
        return rc;
    for (size_t i = 0; i < n; i++) {
        s->customer[i] = i;
        s->x[i] = x[i];
        s->t_x[i] = t_x[i];
        s->T[i] = T[i];
        s->zbar[i] = zbar ? zbar[i] : 0.0;
        s->monetary[i] = s->zbar[i];
    }
    *out = s;
    return CIP_OK;
}

void cip_clv_summary_totals(const cip_clv_summary *s, cip_clv_totals *t)
{
    memset(t, 0, sizeof *t);
    double zsum = 0;
    for (size_t i = 0; i < s->n; i++) {
        t->repeat_tx += s->x[i];
        t->hold_tx += s->x_hold[i];
        if (s->x[i] > 0) {
            t->repeaters++;
            zsum += s->zbar[i];
        }
    }
    t->customers = s->n;
    t->zero_class = s->n - t->repeaters;
    t->mean_zbar = t->repeaters ? zsum / (double)t->repeaters : 0.0;
}
