/* evalrun.c - the full holdout evaluation: BG/NBD and Pareto/NBD (+ Gamma-
 * Gamma) against period-shifted random forests and naive baselines, for
 * holdout spend, purchase counts and churn; plus the tracking-plot curve
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "cip/forest.h"
#include "cip/metrics.h"
#include "clv_int.h"

void cip_clv_eval_params_default(cip_clv_eval_params *p)
{
    memset(p, 0, sizeof *p);
    cip_clv_read_params_default(&p->read);
    p->unit = CIP_CLV_WEEKS;
    p->churn_days = 91;
    p->n_estimators = 200;
    p->min_samples_leaf = 5;
    p->seed = 42;
    p->forest = 1;
}

cip_status cip_clv_eval_params_check(cip_ctx *ctx, const cip_clv_eval_params *p)
{
    if (p == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "NULL evaluation parameters");
    if (p->tx == NULL && (p->path == NULL || p->path[0] == '\0'))
        return cipi_fail(ctx, CIP_ERR_INVALID, "'path' or 'tx' is required");
    if (p->cal_end == 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "'cal_end' is required");
    if (p->train_end != 0 && p->train_end >= p->cal_end)
        return cipi_fail(ctx, CIP_ERR_INVALID, "'train_end' must be before 'cal_end'");
    if (p->unit < CIP_CLV_DAYS || p->unit > CIP_CLV_MONTHS)
        return cipi_fail(ctx, CIP_ERR_INVALID, "'unit' %d is not a time unit", (int)p->unit);
    if (p->churn_days < 1)
        return cipi_fail(ctx, CIP_ERR_INVALID, "'churn_days' must be >= 1, got %d", p->churn_days);
    if (p->n_estimators < 1 || p->n_estimators > 10000)
        return cipi_fail(ctx, CIP_ERR_INVALID, "'n_estimators' must be in 1..10000, got %d",
                         p->n_estimators);
    if (p->min_samples_leaf < 1)
        return cipi_fail(ctx, CIP_ERR_INVALID, "'min_samples_leaf' must be >= 1, got %d",
                         p->min_samples_leaf);
    return p->tx ? CIP_OK : cip_clv_read_params_check(ctx, &p->read);
}

void cip_clv_eval_report_free(cip_clv_eval_report *r)
{
    if (r == NULL)
        return;
    struct cipi_alloc a = {r->alloc_fn_, r->alloc_ud_};
    cipi_afree(&a, r->cum_t);
    cipi_afree(&a, r->importance_spend);
    cipi_afree(&a, r);
}

/* --- scores --------------------------------------------------------------------------------- */

static void spend_score(const char *name, const double *pred, const double *act, size_t n,
                        cip_clv_spend_score *o)
{
    memset(o, 0, sizeof *o);
    o->name = name;
    double ae = 0, se = 0;
    for (size_t i = 0; i < n; i++) {
        double d = pred[i] - act[i];
        ae += fabs(d);
        se += d * d;
        o->pred_total += pred[i];
        o->actual_total += act[i];
    }
    o->mae = ae / (double)n;
    o->rmse = sqrt(se / (double)n);
    o->corr = cipi_clv_pearson(pred, act, n);
    o->agg_error =
        o->actual_total > 0 ? (o->pred_total - o->actual_total) / o->actual_total : CLV_NAN;
}

/* score: higher = more likely churned; label[i] = 1 when predicted churned. */
static cip_status churn_score(cip_ctx *ctx, const char *name, const double *score,
                              const uint32_t *label, const uint32_t *truth, size_t n,
                              cip_clv_churn_score *o)
{
    memset(o, 0, sizeof *o);
    o->name = name;
    size_t pos = 0, agree = 0, predicted = 0;
    for (size_t i = 0; i < n; i++) {
        pos += truth[i];
        agree += truth[i] == label[i];
        predicted += label[i];
    }
    o->accuracy = (double)agree / (double)n;
    o->predicted_rate = (double)predicted / (double)n;
    o->roc_auc = CLV_NAN;
    if (pos > 0 && pos < n) {
        cip_status rc = cip_metric_roc_auc(ctx, truth, score, NULL, n, &o->roc_auc);
        if (rc != CIP_OK)
            return rc;
    }
    cip_prf prf;
    cip_status rc = cip_metric_prf(ctx, truth, label, n, NULL, &prf);
    if (rc != CIP_OK)
        return rc;
    o->precision = prf.precision;
    o->recall = prf.recall;
    o->f1 = prf.f1;
    return CIP_OK;
}

/* --- cumulative tracking curve ---------------------------------------------------------------- */

static cip_status cumulative(cip_ctx *ctx, const cip_clv_tx *tx, const cip_clv_summary *s,
                             cip_clv_eval_report *r)
{
    double ud = cip_clv_unit_days(s->unit);
    double span = (double)(s->hold_end - tx->first + 1);
    size_t K = (size_t)ceil(span / ud - 1e-9), step = (K + 1999) / 2000, n = (K + step - 1) / step;
    double *v = cipi_calloc(ctx, n, 4 * sizeof(double));
    if (v == NULL)
        return CIP_ERR_NOMEM;
    r->n_cum = n;
    r->cum_t = v, r->cum_actual = v + n, r->cum_bgnbd = v + 2 * n, r->cum_pareto = v + 3 * n;
    for (size_t j = 0; j < n; j++) {
        size_t t = j + 1 == n ? K : (j + 1) * step;
        double cd = floor((double)tx->first + (double)t * ud + 1e-9) - 1;
        int32_t cut = cd < (double)s->hold_end ? (int32_t)cd : s->hold_end;
        r->cum_t[j] = (double)t;
        for (size_t i = 0; i < s->n;) {
            size_t k = s->customer[i];
            int32_t f = tx->day[tx->start[k]];
            size_t same = 0;
            while (i + same < s->n && tx->day[tx->start[s->customer[i + same]]] == f) {
                size_t kk = s->customer[i + same];
                for (size_t q = tx->start[kk] + 1; q < tx->start[kk + 1] && tx->day[q] <= cut; q++)
                    r->cum_actual[j] += 1;
                same++;
            }
            if (f < cut) {
                double age = (double)(cut - f) / ud;
                r->cum_bgnbd[j] += (double)same * cip_clv_expected(&r->bgnbd, age);
                r->cum_pareto[j] += (double)same * cip_clv_expected(&r->pareto, age);
            }
            i += same;
        }
    }
    return CIP_OK;
}

/* --- random forests ------------------------------------------------------------------------------
 */

struct preds {
    double *rf_spend; /* per customer */
    double *rf_churn; /* probability of churned */
};

static cip_status run_forests(cip_ctx *ctx, const cip_clv_eval_params *p, const cip_clv_tx *tx,
                              cip_clv_eval_report *r, struct preds *pr)
{
    double ud = cip_clv_unit_days(r->unit);
    struct cipi_clv_ml tr, ev;
    cip_forest *reg = NULL, *clf = NULL;
    double *proba = NULL;
    cip_status rc = cipi_clv_ml_build(ctx, tx, r->train_end, r->cal_end, ud, &tr);
    if (rc != CIP_OK)
        return cipi_fail_prefix(ctx, rc, "forest training set at the training cutoff");
    if ((rc = cipi_clv_ml_build(ctx, tx, r->cal_end, r->hold_end, ud, &ev)) != CIP_OK)
        goto done;
    if (ev.n != r->customers) {
        rc = cipi_fail(ctx, CIP_ERR_INTERNAL, "feature rows %zu != summary rows %zu", ev.n,
                       r->customers);
        goto done;
    }
    r->train_customers = tr.n;
    double churned = 0;
    for (size_t i = 0; i < tr.n; i++) {
        tr.spend[i] /= r->train_label_length; /* spend per unit of time */
        churned += tr.churn[i];
    }
    r->train_churn_rate = churned / (double)tr.n;
    cip_forest_params fp;
    cip_forest_params_default(&fp);
    fp.n_estimators = p->n_estimators;
    fp.min_samples_leaf = p->min_samples_leaf;
    fp.seed = p->seed;
    if ((rc = cip_forest_fit(ctx, tr.x, tr.spend, NULL, &fp, &reg)) != CIP_OK)
        goto done;
    fp.task = CIP_FOREST_CLASSIFICATION;
    if (churned > 0 && churned < (double)tr.n &&
        (rc = cip_forest_fit(ctx, tr.x, tr.churn, NULL, &fp, &clf)) != CIP_OK)
        goto done;
    if ((rc = cip_forest_predict(ctx, reg, ev.x, pr->rf_spend, ev.n)) != CIP_OK)
        goto done;
    for (size_t i = 0; i < ev.n; i++)
        pr->rf_spend[i] *= r->holdout_length;
    if (clf != NULL) {
        if ((proba = cipi_mallocarray(ctx, ev.n, 2 * sizeof *proba)) == NULL) {
            rc = CIP_ERR_NOMEM;
            goto done;
        }
        if ((rc = cip_forest_predict_proba(ctx, clf, ev.x, proba, 2 * ev.n)) != CIP_OK)
            goto done;
        for (size_t i = 0; i < ev.n; i++)
            pr->rf_churn[i] = proba[2 * i + 1];
    } else {
        for (size_t i = 0; i < ev.n; i++)
            pr->rf_churn[i] = churned > 0 ? 1 : 0;
    }
    r->n_features = CIPI_CLV_N_FEAT;
    r->feature_names = cipi_clv_feature_names();
    double *imp = cipi_calloc(ctx, 2 * CIPI_CLV_N_FEAT, sizeof *imp);
    if (imp == NULL) {
        rc = CIP_ERR_NOMEM;
        goto done;
    }
    r->importance_spend = imp, r->importance_churn = imp + CIPI_CLV_N_FEAT;
    memcpy(imp, cip_forest_importances(reg), CIPI_CLV_N_FEAT * sizeof *imp);
    if (clf != NULL)
        memcpy(imp + CIPI_CLV_N_FEAT, cip_forest_importances(clf), CIPI_CLV_N_FEAT * sizeof *imp);
done:
    cipi_free(ctx, proba);
    cip_forest_free(reg);
    cip_forest_free(clf);
    cipi_clv_ml_release(ctx, &tr);
    cipi_clv_ml_release(ctx, &ev);
    return rc;
}

/* --- orchestration -----------------------------------------------------------------------------
 */

/* "Same as last period": spend in the last min(holdout, calibration) days before cal_end, scaled
   to the holdout length. */
static void last_period(const cip_clv_tx *tx, const cip_clv_summary *s, double *out)
{
    int32_t len = s->hold_end - s->cal_end, avail = s->cal_end - tx->first + 1;
    int32_t win = len < avail ? len : avail, from = s->cal_end - win;
    for (size_t i = 0; i < s->n; i++) {
        size_t k = s->customer[i];
        double sum = 0;
        for (size_t q = tx->start[k]; q < tx->start[k + 1] && tx->day[q] <= s->cal_end; q++)
            if (tx->day[q] > from)
                sum += tx->amount[q];
        out[i] = sum * (double)len / (double)win;
    }
}

static cip_status fit_models(cip_ctx *ctx, const cip_clv_fit_params *fp, const cip_clv_summary *s,
                             cip_clv_eval_report *r)
{
    cip_status rc = cip_clv_fit(ctx, CIP_CLV_BGNBD, s, fp, &r->bgnbd);
    if (rc == CIP_OK)
        rc = cip_clv_fit(ctx, CIP_CLV_PARETO, s, fp, &r->pareto);
    if (rc == CIP_OK)
        rc = cip_clv_fit(ctx, CIP_CLV_GAMMAGAMMA, s, fp, &r->gamma_gamma);
    if (rc == CIP_OK)
        rc = cip_clv_histogram_chisq(ctx, &r->bgnbd, s, 8, NULL, NULL, &r->chisq);
    return rc;
}

/* Scores of every method; w holds 8 arrays of s->n doubles. */
/* Purchase-count and spend scores; fills pr when the forests run. w: 5 arrays of s->n. */
static cip_status score_spend(cip_ctx *ctx, const cip_clv_eval_params *p, const cip_clv_tx *tx,
                              const cip_clv_summary *s, cip_clv_eval_report *r, double *w,
                              struct preds *pr)
{
    size_t n = s->n;
    double H = r->holdout_length;
    double *ebg = w, *epn = w + n, *msp = w + 2 * n, *a = w + 3 * n, *b = w + 4 * n;
    cip_status rc = CIP_OK;
    for (size_t i = 0; i < n; i++) {
        ebg[i] = cip_clv_conditional(&r->bgnbd, H, s->x[i], s->t_x[i], s->T[i]);
        epn[i] = cip_clv_conditional(&r->pareto, H, s->x[i], s->t_x[i], s->T[i]);
        msp[i] = cip_clv_expected_spend(&r->gamma_gamma, s->x[i], s->zbar[i]);
        b[i] = s->x[i] / (s->T[i] > 0 ? s->T[i] : 1) * H;
    }
    const double *cnt[3] = {ebg, epn, b};
    const cip_clv_model *cm[3] = {&r->bgnbd, &r->pareto, NULL};
    for (int k = 0; k < 3 && rc == CIP_OK; k++)
        rc = cip_clv_evaluate(ctx, s, cm[k], cnt[k], k == 2 ? "naive-rate" : NULL,
                              &r->purchases[r->n_purchases++]);
    if (rc != CIP_OK)
        return rc;
    for (size_t i = 0; i < n; i++)
        a[i] = ebg[i] * msp[i];
    spend_score("BG/NBD", a, s->spend_hold, n, &r->spend[r->n_spend++]);
    for (size_t i = 0; i < n; i++)
        a[i] = epn[i] * msp[i];
    spend_score("Pareto/NBD", a, s->spend_hold, n, &r->spend[r->n_spend++]);
    if (p->forest) {
        if ((rc = run_forests(ctx, p, tx, r, pr)) != CIP_OK)
            return rc;
        spend_score("Random forest", pr->rf_spend, s->spend_hold, n, &r->spend[r->n_spend++]);
    }
    last_period(tx, s, a);
    spend_score("Same as last period", a, s->spend_hold, n, &r->spend[r->n_spend++]);
    return CIP_OK;
}

/* Churn (positive class = no purchase in the holdout) scores. w: 4 arrays of s->n. */
static cip_status score_churn(cip_ctx *ctx, const cip_clv_eval_params *p, const cip_clv_summary *s,
                              cip_clv_eval_report *r, double *w, const struct preds *pr)
{
    size_t n = s->n;
    double H = r->holdout_length, *a = w, *b = w + n;
    uint32_t *truth = (uint32_t *)(void *)(w + 2 * n), *lab = truth + n;
    cip_status rc;
    double churned = 0;
    for (size_t i = 0; i < n; i++) {
        truth[i] = s->x_hold[i] == 0;
        churned += truth[i];
    }
    r->churn_rate = churned / (double)n;
    const double *bg = r->bgnbd.param;
    for (size_t i = 0; i < n; i++) {
        double pa = cip_clv_p_alive(&r->bgnbd, s->x[i], s->t_x[i], s->T[i]);
        a[i] = 1 - pa;
        lab[i] = pa < 0.5;
        /* P(no purchase in (T, T+H]) = 1 - P(alive) + P(alive) ((alpha+T)/(alpha+T+H))^(r+x) */
        b[i] =
            1 - pa + pa * exp((bg[0] + s->x[i]) * log((bg[1] + s->T[i]) / (bg[1] + s->T[i] + H)));
    }
    if ((rc = churn_score(ctx, "P(alive) < 0.5", a, lab, truth, n, &r->churn[r->n_churn++])) !=
        CIP_OK)
        return rc;
    for (size_t i = 0; i < n; i++)
        lab[i] = b[i] > 0.5;
    rc = churn_score(ctx, "BG/NBD P(no purchase) > 0.5", b, lab, truth, n, &r->churn[r->n_churn++]);
    if (rc == CIP_OK && p->forest) {
        for (size_t i = 0; i < n; i++)
            lab[i] = pr->rf_churn[i] > 0.5;
        rc =
            churn_score(ctx, "Random forest", pr->rf_churn, lab, truth, n, &r->churn[r->n_churn++]);
    }
    if (rc != CIP_OK)
        return rc;
    double ud = cip_clv_unit_days(s->unit);
    for (size_t i = 0; i < n; i++) {
        a[i] = floor((s->T[i] - s->t_x[i]) * ud + 0.5); /* days since the last purchase */
        lab[i] = a[i] >= (double)p->churn_days;
    }
    return churn_score(ctx, "No purchase in the last N", a, lab, truth, n, &r->churn[r->n_churn++]);
}

static cip_status run_on(cip_ctx *ctx, const cip_clv_eval_params *p, const cip_clv_tx *tx,
                         cip_clv_eval_report *r)
{
    double ud = cip_clv_unit_days(p->unit);
    r->unit = p->unit;
    r->first_day = tx->first;
    r->cal_end = p->cal_end;
    r->hold_end = p->hold_end > p->cal_end ? p->hold_end : tx->last;
    if (r->hold_end <= r->cal_end)
        return cipi_fail(ctx, CIP_ERR_INVALID, "no holdout: the log ends on the calibration end");
    if (r->cal_end < tx->first)
        return cipi_fail(ctx, CIP_ERR_INVALID, "the calibration end is before the first purchase");
    int32_t len = r->hold_end - r->cal_end, third = (r->cal_end - tx->first + 1) / 3;
    r->train_end = p->train_end ? p->train_end : r->cal_end - (len < third ? len : third);
    r->holdout_length = (double)len / ud;
    r->train_label_length = (double)(r->cal_end - r->train_end) / ud;
    r->churn_recency = (double)p->churn_days / ud;
    cip_clv_summary *s = NULL;
    double *w = NULL;
    cip_status rc = cip_clv_summary_new(ctx, tx, r->cal_end, r->hold_end, p->unit, &s);
    if (rc != CIP_OK)
        return rc;
    r->customers = s->n;
    /* scratch: 5 spend arrays, then the forest predictions (struct preds) */
    if ((w = cipi_calloc(ctx, s->n, 7 * sizeof(double))) == NULL)
        rc = CIP_ERR_NOMEM;
    if (rc == CIP_OK)
        rc = fit_models(ctx, p->fit, s, r);
    struct preds pr = {NULL, NULL};
    if (rc == CIP_OK) {
        pr.rf_spend = w + 5 * s->n;
        pr.rf_churn = w + 6 * s->n;
        rc = score_spend(ctx, p, tx, s, r, w, &pr);
    }
    if (rc == CIP_OK)
        rc = score_churn(ctx, p, s, r, w, &pr); /* reuses w[0 .. 3n) */
    if (rc == CIP_OK)
        rc = cumulative(ctx, tx, s, r);
    cipi_free(ctx, w);
    cip_clv_summary_free(s);
    return rc;
}

cip_status cip_clv_eval_run(cip_ctx *ctx, const cip_clv_eval_params *p, cip_clv_eval_report **out)
{
    *out = NULL;
    cip_status rc = cip_clv_eval_params_check(ctx, p);
    if (rc != CIP_OK)
        return rc;
    cip_clv_tx *own = NULL;
    const cip_clv_tx *tx = p->tx;
    if (tx == NULL) {
        if ((rc = cip_clv_tx_read(ctx, p->path, &p->read, &own)) != CIP_OK)
            return rc;
        tx = own;
    }
    cip_clv_eval_report *r = cipi_calloc(ctx, 1, sizeof *r);
    if (r == NULL) {
        cip_clv_tx_free(own);
        return CIP_ERR_NOMEM;
    }
    struct cipi_alloc a = cipi_ctx_alloc(ctx);
    r->alloc_fn_ = a.fn, r->alloc_ud_ = a.ud;
    rc = run_on(ctx, p, tx, r);
    cip_clv_tx_free(own);
    if (rc != CIP_OK) {
        cip_clv_eval_report_free(r);
        return rc;
    }
    *out = r;
    return CIP_OK;
}
