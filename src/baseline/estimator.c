/* estimator.c - the baselines seen through validate's generic estimator table
 *
 * The params struct is cip_baseline_params; models are cip_baseline pointers.
 * For probability output (prior, logistic) the target must be coded 0/1 so that
 * P(y = 1) means the same thing in every fold.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "baseline_int.h"

static cip_status need_number(cip_ctx *ctx, const char *name, const cip_param_value *v)
{
    if (v->kind != CIP_PARAM_NUM)
        return cipi_fail(ctx, CIP_ERR_INVALID, "baseline parameter '%s' needs a number", name);
    return CIP_OK;
}

static cip_status set_param(cip_ctx *ctx, void *ud, void *params, const char *name,
                            const cip_param_value *v)
{
    (void)ud;
    cip_baseline_params *p = params;
    cip_status rc = CIP_OK;
    if (strcmp(name, "standardize") == 0 && v->kind == CIP_PARAM_STR &&
        (strcmp(v->str, "true") == 0 || strcmp(v->str, "false") == 0)) {
        p->standardize = strcmp(v->str, "true") == 0;
        return CIP_OK;
    }
    if (strcmp(name, "alpha") == 0 || strcmp(name, "C") == 0 || strcmp(name, "tol") == 0 ||
        strcmp(name, "max_iter") == 0 || strcmp(name, "standardize") == 0) {
        rc = need_number(ctx, name, v);
        if (rc != CIP_OK)
            return rc;
    } else if (strcmp(name, "kind") == 0) {
        return cipi_fail(ctx, CIP_ERR_INVALID,
                         "baseline parameter 'kind' cannot be searched: run one search per kind");
    } else {
        return cipi_fail(ctx, CIP_ERR_INVALID,
                         "unknown baseline parameter '%s' (known: alpha, C, standardize, "
                         "max_iter, tol)",
                         name);
    }
    if (strcmp(name, "alpha") == 0)
        p->alpha = v->num;
    else if (strcmp(name, "C") == 0)
        p->C = v->num;
    else if (strcmp(name, "tol") == 0)
        p->tol = v->num;
    else if (strcmp(name, "standardize") == 0)
        p->standardize = v->num != 0.0;
    else if (v->num != floor(v->num) || v->num < 1.0 || v->num > 1e9)
        return cipi_fail(ctx, CIP_ERR_INVALID,
                         "baseline parameter 'max_iter' must be a whole "
                         "number >= 1, got %g",
                         v->num);
    else
        p->max_iter = (int)v->num;
    return cip_baseline_params_check(ctx, p);
}

static cip_status est_fit(cip_ctx *ctx, void *ud, const cip_frame *x, const double *y,
                          const double *w, const void *params, void **model)
{
    (void)ud;
    const cip_baseline_params *p = params;
    if (p->kind == CIP_BASELINE_PRIOR || p->kind == CIP_BASELINE_LOGISTIC) {
        size_t n = cip_frame_n_rows(x);
        for (size_t i = 0; i < n; i++)
            if (y[i] != 0.0 && y[i] != 1.0)
                return cipi_fail(ctx, CIP_ERR_INVALID,
                                 "%s baseline: probability output needs a 0/1 target, found %g "
                                 "at row %zu",
                                 cip_baseline_kind_name(p->kind), y[i], i);
    }
    cip_baseline *m = NULL;
    cip_status rc = cip_baseline_fit(ctx, x, y, w, p, &m);
    *model = m;
    return rc;
}

static cip_status est_predict(cip_ctx *ctx, void *ud, const void *model, const cip_frame *x,
                              double *out)
{
    (void)ud;
    const cip_baseline *m = model;
    if (m->kind == CIP_BASELINE_PRIOR || m->kind == CIP_BASELINE_LOGISTIC)
        return cipi_baseline_p1(ctx, m, x, out);
    return cip_baseline_predict(ctx, m, x, out);
}

static void est_free(void *ud, void *model)
{
    (void)ud;
    cip_baseline_free(model);
}

void cip_baseline_estimator(const cip_baseline_params *p, cip_estimator *est)
{
    memset(est, 0, sizeof *est);
    est->name = cip_baseline_kind_name(p->kind);
    est->ud = NULL;
    switch (p->kind) {
    case CIP_BASELINE_MAJORITY:
        est->output = CIP_OUTPUT_LABEL;
        break;
    case CIP_BASELINE_PRIOR:
    case CIP_BASELINE_LOGISTIC:
        est->output = CIP_OUTPUT_PROBA;
        break;
    default:
        est->output = CIP_OUTPUT_VALUE;
        break;
    }
    est->params_size = sizeof *p;
    est->params = p;
    est->thread_safe = 1;
    est->set_param = set_param;
    est->fit = est_fit;
    est->predict = est_predict;
    est->free_model = est_free;
}
