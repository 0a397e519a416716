/* predict.c - model names, models from given parameters, and predictions:
 * expected purchases, conditional expectations, P(alive), discounted CLV
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "clv_int.h"

const char *cip_clv_model_name(cip_clv_model_kind k)
{
    switch (k) {
    case CIP_CLV_BGNBD:
        return "bgnbd";
    case CIP_CLV_PARETO:
        return "pareto";
    case CIP_CLV_GAMMAGAMMA:
        return "gamma-gamma";
    default:
        return "unknown";
    }
}

cip_status cip_clv_model_parse(cip_ctx *ctx, const char *s, cip_clv_model_kind *out)
{
    static const struct {
        const char *name;
        cip_clv_model_kind k;
    } tab[] = {{"bgnbd", CIP_CLV_BGNBD},           {"bg/nbd", CIP_CLV_BGNBD},
               {"pareto", CIP_CLV_PARETO},         {"pareto/nbd", CIP_CLV_PARETO},
               {"paretonbd", CIP_CLV_PARETO},      {"gamma-gamma", CIP_CLV_GAMMAGAMMA},
               {"gammagamma", CIP_CLV_GAMMAGAMMA}, {"gg", CIP_CLV_GAMMAGAMMA}};
    for (size_t k = 0; s != NULL && k < CIP_ARRAY_LEN(tab); k++)
        if (strcmp(s, tab[k].name) == 0) {
            *out = tab[k].k;
            return CIP_OK;
        }
    return cipi_fail(ctx, CIP_ERR_INVALID, "unknown model '%s' (bgnbd, pareto, gamma-gamma)",
                     s ? s : "(null)");
}

const char *cip_clv_param_name(cip_clv_model_kind k, int i)
{
    static const char *const names[3][4] = {
        {"r", "alpha", "a", "b"}, {"r", "alpha", "s", "beta"}, {"p", "q", "gamma", NULL}};
    if (k < CIP_CLV_BGNBD || k > CIP_CLV_GAMMAGAMMA || i < 0 || i > 3)
        return NULL;
    return names[k][i];
}

cip_status cip_clv_model_from_params(cip_ctx *ctx, cip_clv_model_kind kind, const double *param,
                                     int n, cip_clv_unit unit, cip_clv_model *out)
{
    int k = kind == CIP_CLV_GAMMAGAMMA ? 3 : 4;
    if (kind < CIP_CLV_BGNBD || kind > CIP_CLV_GAMMAGAMMA)
        return cipi_fail(ctx, CIP_ERR_INVALID, "unknown model kind %d", (int)kind);
    if (n != k)
        return cipi_fail(ctx, CIP_ERR_INVALID, "%s needs %d parameters, got %d",
                         cip_clv_model_name(kind), k, n);
    for (int i = 0; i < k; i++)
        if (!(param[i] > 0) || !isfinite(param[i]))
            return cipi_fail(ctx, CIP_ERR_INVALID, "parameter %s must be positive and finite",
                             cip_clv_param_name(kind, i));
    memset(out, 0, sizeof *out);
    out->kind = kind;
    out->n_params = k;
    out->unit = unit;
    for (int i = 0; i < 4; i++) {
        out->param[i] = i < k ? param[i] : 0.0;
        out->se[i] = CLV_NAN;
    }
    out->loglik = CLV_NAN;
    return CIP_OK;
}

double cip_clv_expected(const cip_clv_model *m, double t)
{
    if (m == NULL)
        return CLV_NAN;
    if (m->kind == CIP_CLV_BGNBD)
        return cipi_clv_bgnbd_expected(m->param, t);
    if (m->kind == CIP_CLV_PARETO)
        return cipi_clv_pareto_expected(m->param, t);
    return CLV_NAN;
}

double cip_clv_conditional(const cip_clv_model *m, double t, double x, double t_x, double T)
{
    if (m == NULL)
        return CLV_NAN;
    if (m->kind == CIP_CLV_BGNBD)
        return cipi_clv_bgnbd_conditional(m->param, t, x, t_x, T);
    if (m->kind == CIP_CLV_PARETO)
        return cipi_clv_pareto_conditional(m->param, t, x, t_x, T);
    return CLV_NAN;
}

double cip_clv_pmf(const cip_clv_model *m, double x, double t)
{
    if (m == NULL || m->kind != CIP_CLV_BGNBD)
        return CLV_NAN;
    return cipi_clv_bgnbd_pmf(m->param, x, t);
}

double cip_clv_p_alive(const cip_clv_model *m, double x, double t_x, double T)
{
    if (m == NULL || !(x >= 0) || !(T >= t_x))
        return CLV_NAN;
    if (m->kind == CIP_CLV_BGNBD)
        return cipi_clv_bgnbd_p_alive(m->param, x, t_x, T);
    if (m->kind == CIP_CLV_PARETO)
        return cipi_clv_pareto_p_alive(m->param, x, t_x, T);
    return CLV_NAN;
}

void cip_clv_value_params_default(cip_clv_value_params *p)
{
    p->horizon = 52.0;
    p->step = 365.25 / 12.0 / 7.0;
    p->rate = 0.01;
    p->margin = 1.0;
}

double cip_clv_value(const cip_clv_model *m, const cip_clv_value_params *p, double spend, double x,
                     double t_x, double T)
{
    if (p == NULL || !(p->horizon > 0) || !(p->step > 0) || !(p->rate >= 0) || !(p->margin > 0) ||
        !(spend >= 0))
        return CLV_NAN;
    double clv = 0, prev = 0;
    int steps = (int)ceil(p->horizon / p->step - 1e-9);
    for (int k = 1; k <= steps && k <= 100000; k++) {
        double t = fmin(k * p->step, p->horizon);
        double e = cip_clv_conditional(m, t, x, t_x, T);
        clv += p->margin * spend * (e - prev) / pow(1 + p->rate, k);
        prev = e;
    }
    return clv;
}
