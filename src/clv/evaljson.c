/* evaljson.c - the evaluation report as JSON (contract C5: `cip clv evaluate
 * --json`, cip_clv_evaluate_json), written with the tracking module's
 * streaming JSON writer
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "clv_int.h"

#define TRY(e)                                                                                     \
    do {                                                                                           \
        if ((rc = (e)) != CIP_OK)                                                                  \
            goto done;                                                                             \
    } while (0)

static cip_status num(cip_ctx *ctx, struct cipi_json *j, const char *k, double v)
{
    cip_status rc = cipi_json_key(ctx, j, k);
    return rc == CIP_OK ? cipi_json_num(ctx, j, v) : rc;
}

static cip_status str(cip_ctx *ctx, struct cipi_json *j, const char *k, const char *v)
{
    cip_status rc = cipi_json_key(ctx, j, k);
    return rc == CIP_OK ? cipi_json_str(ctx, j, v) : rc;
}

static cip_status date(cip_ctx *ctx, struct cipi_json *j, const char *k, int32_t day)
{
    char d[11];
    cip_clv_date_str(day, d);
    return str(ctx, j, k, d);
}

static cip_status array(cip_ctx *ctx, struct cipi_json *j, const char *k, const double *v, size_t n)
{
    cip_status rc;
    TRY(cipi_json_key(ctx, j, k));
    TRY(cipi_json_begin(ctx, j, '['));
    for (size_t i = 0; i < n; i++)
        TRY(cipi_json_num(ctx, j, v[i]));
    rc = cipi_json_end(ctx, j, ']');
done:
    return rc;
}

static cip_status model(cip_ctx *ctx, struct cipi_json *j, const char *k, const cip_clv_model *m)
{
    cip_status rc;
    TRY(cipi_json_key(ctx, j, k));
    TRY(cipi_json_begin(ctx, j, '{'));
    for (int i = 0; i < m->n_params; i++)
        TRY(num(ctx, j, cip_clv_param_name(m->kind, i), m->param[i]));
    TRY(num(ctx, j, "loglik", m->loglik));
    TRY(cipi_json_key(ctx, j, "se"));
    TRY(cipi_json_begin(ctx, j, '{'));
    for (int i = 0; i < m->n_params; i++)
        TRY(num(ctx, j, cip_clv_param_name(m->kind, i), m->se[i]));
    TRY(cipi_json_end(ctx, j, '}'));
    TRY(num(ctx, j, "customers", (double)m->n_obs));
    TRY(cipi_json_key(ctx, j, "converged"));
    TRY(cipi_json_bool(ctx, j, m->converged != 0));
    rc = cipi_json_end(ctx, j, '}');
done:
    return rc;
}

struct field {
    const char *key;
    double v;
};

#define NFIELDS(f) (sizeof(f) / sizeof((f)[0]))
/* The per-customer error scores of a spend or purchase prediction method. */
/* clang-format off */
#define ERROR_FIELDS(e)                                                                            \
    {"mae", (e)->mae},                                                                             \
    {"rmse", (e)->rmse},                                                                           \
    {"corr", (e)->corr},                                                                           \
    {"aggregate_error", (e)->agg_error},                                                           \
    {"predicted_total", (e)->pred_total},                                                          \
    {"actual_total", (e)->actual_total}
/* clang-format on */

/* one method's scores: {"name": name, f[0].key: f[0].v, ...} */
static cip_status scores(cip_ctx *ctx, struct cipi_json *j, const char *name, const struct field *f,
                         size_t n)
{
    cip_status rc;
    TRY(cipi_json_begin(ctx, j, '{'));
    TRY(str(ctx, j, "name", name));
    for (size_t i = 0; i < n; i++)
        TRY(num(ctx, j, f[i].key, f[i].v));
    rc = cipi_json_end(ctx, j, '}');
done:
    return rc;
}

static cip_status spend_methods(cip_ctx *ctx, struct cipi_json *j, const cip_clv_eval_report *r)
{
    cip_status rc;
    TRY(cipi_json_key(ctx, j, "methods"));
    TRY(cipi_json_begin(ctx, j, '['));
    for (size_t k = 0; k < r->n_spend; k++) {
        const cip_clv_spend_score *e = &r->spend[k];
        const struct field f[] = {ERROR_FIELDS(e)};
        TRY(scores(ctx, j, e->name, f, NFIELDS(f)));
    }
    rc = cipi_json_end(ctx, j, ']');
done:
    return rc;
}

static cip_status purchase_methods(cip_ctx *ctx, struct cipi_json *j, const cip_clv_eval_report *r)
{
    cip_status rc;
    TRY(cipi_json_key(ctx, j, "purchases"));
    TRY(cipi_json_begin(ctx, j, '['));
    for (size_t k = 0; k < r->n_purchases; k++) {
        const cip_clv_eval *e = &r->purchases[k];
        const struct field f[] = {
            ERROR_FIELDS(e),
            {"cumulative_predicted", e->cum_pred},
            {"cumulative_actual", e->cum_actual},
            {"cumulative_error", e->cum_error},
            {"zero_class_predicted", e->zero_pred},
            {"zero_class_actual", e->zero_actual},
        };
        TRY(scores(ctx, j, e->method, f, NFIELDS(f)));
    }
    rc = cipi_json_end(ctx, j, ']');
done:
    return rc;
}

static cip_status churn_methods(cip_ctx *ctx, struct cipi_json *j, const cip_clv_eval_report *r)
{
    cip_status rc;
    TRY(cipi_json_key(ctx, j, "churn"));
    TRY(cipi_json_begin(ctx, j, '{'));
    TRY(str(ctx, j, "definition", "no purchase in the holdout period"));
    TRY(num(ctx, j, "rate", r->churn_rate));
    TRY(num(ctx, j, "recency_threshold", r->churn_recency));
    TRY(cipi_json_key(ctx, j, "methods"));
    TRY(cipi_json_begin(ctx, j, '['));
    for (size_t k = 0; k < r->n_churn; k++) {
        const cip_clv_churn_score *e = &r->churn[k];
        const struct field f[] = {
            {"roc_auc", e->roc_auc},     {"f1", e->f1},
            {"precision", e->precision}, {"recall", e->recall},
            {"accuracy", e->accuracy},   {"predicted_rate", e->predicted_rate},
        };
        TRY(scores(ctx, j, e->name, f, NFIELDS(f)));
    }
    TRY(cipi_json_end(ctx, j, ']'));
    rc = cipi_json_end(ctx, j, '}');
done:
    return rc;
}

static cip_status forest(cip_ctx *ctx, struct cipi_json *j, const cip_clv_eval_report *r)
{
    cip_status rc;
    TRY(cipi_json_key(ctx, j, "forest"));
    if (r->importance_spend == NULL)
        return cipi_json_null(ctx, j);
    TRY(cipi_json_begin(ctx, j, '{'));
    TRY(str(ctx, j, "scheme", "period-shifted"));
    TRY(date(ctx, j, "train_feature_end", r->train_end));
    TRY(date(ctx, j, "train_label_end", r->cal_end));
    TRY(num(ctx, j, "train_label_length", r->train_label_length));
    TRY(num(ctx, j, "train_customers", (double)r->train_customers));
    TRY(num(ctx, j, "train_churn_rate", r->train_churn_rate));
    TRY(date(ctx, j, "predict_feature_end", r->cal_end));
    TRY(cipi_json_key(ctx, j, "features"));
    TRY(cipi_json_begin(ctx, j, '['));
    for (size_t k = 0; k < r->n_features; k++)
        TRY(cipi_json_str(ctx, j, r->feature_names[k]));
    TRY(cipi_json_end(ctx, j, ']'));
    TRY(array(ctx, j, "importance_spend", r->importance_spend, r->n_features));
    TRY(array(ctx, j, "importance_churn", r->importance_churn, r->n_features));
    rc = cipi_json_end(ctx, j, '}');
done:
    return rc;
}

static cip_status write_all(cip_ctx *ctx, struct cipi_json *j, const cip_clv_eval_report *r)
{
    cip_status rc;
    TRY(cipi_json_begin(ctx, j, '{'));
    TRY(date(ctx, j, "first_date", r->first_day));
    TRY(date(ctx, j, "calibration_end", r->cal_end));
    TRY(date(ctx, j, "holdout_end", r->hold_end));
    TRY(str(ctx, j, "unit",
            r->unit == CIP_CLV_DAYS    ? "day"
            : r->unit == CIP_CLV_WEEKS ? "week"
                                       : "month"));
    TRY(num(ctx, j, "holdout_length", r->holdout_length));
    TRY(num(ctx, j, "customers", (double)r->customers));
    TRY(str(ctx, j, "target", "holdout spend per customer"));
    TRY(spend_methods(ctx, j, r));
    TRY(purchase_methods(ctx, j, r));
    TRY(churn_methods(ctx, j, r));
    TRY(cipi_json_key(ctx, j, "cumulative"));
    TRY(cipi_json_begin(ctx, j, '{'));
    TRY(array(ctx, j, "t", r->cum_t, r->n_cum));
    TRY(array(ctx, j, "actual", r->cum_actual, r->n_cum));
    TRY(array(ctx, j, "bgnbd", r->cum_bgnbd, r->n_cum));
    TRY(array(ctx, j, "pareto", r->cum_pareto, r->n_cum));
    TRY(cipi_json_end(ctx, j, '}'));
    TRY(cipi_json_key(ctx, j, "fits"));
    TRY(cipi_json_begin(ctx, j, '{'));
    TRY(model(ctx, j, "bgnbd", &r->bgnbd));
    TRY(model(ctx, j, "pareto", &r->pareto));
    TRY(model(ctx, j, "gamma_gamma", &r->gamma_gamma));
    TRY(num(ctx, j, "bgnbd_histogram_chisq", r->chisq));
    TRY(cipi_json_end(ctx, j, '}'));
    TRY(forest(ctx, j, r));
    rc = cipi_json_end(ctx, j, '}');
done:
    return rc;
}

cip_status cip_clv_eval_report_json(cip_ctx *ctx, const cip_clv_eval_report *r, char **json_out)
{
    *json_out = NULL;
    if (r == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "NULL evaluation report");
    struct cipi_buf b;
    cipi_buf_init(&b, ctx, 0);
    struct cipi_json j;
    cipi_json_init(&j, &b);
    cip_status rc = write_all(ctx, &j, r);
    if (rc == CIP_OK)
        rc = cipi_buf_putc(ctx, &b, '\n');
    if (rc != CIP_OK) {
        cipi_buf_release(&b);
        return rc;
    }
    *json_out = cipi_buf_detach(&b, NULL);
    return *json_out ? CIP_OK : cipi_nomem(ctx);
}

cip_status cip_clv_evaluate_json(cip_ctx *ctx, const cip_clv_eval_params *p, char **json_out)
{
    *json_out = NULL;
    cip_clv_eval_report *r = NULL;
    cip_status rc = cip_clv_eval_run(ctx, p, &r);
    if (rc == CIP_OK)
        rc = cip_clv_eval_report_json(ctx, r, json_out);
    cip_clv_eval_report_free(r);
    return rc;
}
