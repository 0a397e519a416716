/* estimator.c - the random forest seen through validate's generic estimator table
 *
 * The params struct is cip_forest_params; models are cip_forest pointers. For
 * classification predict writes P(y = 1) (targets coded 0/1), so every fold means
 * the same thing even when a fold's training rows lack one class.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "train_int.h"

static cip_status need_int(cip_ctx *ctx, const char *name, const cip_param_value *v, double lo,
                           int *out)
{
    if (v->kind != CIP_PARAM_NUM || v->num != floor(v->num) || v->num < lo || v->num > 1e9)
        return cipi_fail(ctx, CIP_ERR_INVALID, "forest parameter '%s' needs a whole number >= %g",
                         name, lo);
    *out = (int)v->num;
    return CIP_OK;
}

static cip_status set_max_features(cip_ctx *ctx, cip_forest_params *p, const cip_param_value *v)
{
    if (v->kind == CIP_PARAM_NONE) {
        p->max_features = CIP_FOREST_MAXF_ALL;
    } else if (v->kind == CIP_PARAM_STR && strcmp(v->str, "sqrt") == 0) {
        p->max_features = CIP_FOREST_MAXF_SQRT;
    } else if (v->kind == CIP_PARAM_STR && strcmp(v->str, "log2") == 0) {
        p->max_features = CIP_FOREST_MAXF_LOG2;
    } else if (v->kind == CIP_PARAM_STR && strcmp(v->str, "auto") == 0) {
        p->max_features = CIP_FOREST_MAXF_AUTO;
    } else if (v->kind == CIP_PARAM_NUM && v->num > 0.0 && v->num < 1.0) {
        p->max_features = CIP_FOREST_MAXF_FRACTION;
        p->max_features_value = v->num;
    } else if (v->kind == CIP_PARAM_NUM && v->num >= 1.0 && v->num == floor(v->num)) {
        p->max_features = CIP_FOREST_MAXF_COUNT;
        p->max_features_value = v->num;
    } else {
        return cipi_fail(ctx, CIP_ERR_INVALID,
                         "forest parameter 'max_features' must be sqrt, log2, none, a fraction "
                         "in (0, 1) or a whole count >= 1");
    }
    return CIP_OK;
}

static cip_status set_class_weight(cip_ctx *ctx, cip_forest_params *p, const cip_param_value *v)
{
    if (v->kind == CIP_PARAM_NONE)
        p->class_weight = CIP_FOREST_CW_NONE;
    else if (v->kind == CIP_PARAM_STR && strcmp(v->str, "balanced") == 0)
        p->class_weight = CIP_FOREST_CW_BALANCED;
    else if (v->kind == CIP_PARAM_STR && strcmp(v->str, "balanced_subsample") == 0)
        p->class_weight = CIP_FOREST_CW_BALANCED_SUBSAMPLE;
    else
        return cipi_fail(ctx, CIP_ERR_INVALID,
                         "forest parameter 'class_weight' must be balanced, balanced_subsample "
                         "or none");
    return CIP_OK;
}

/* A yes/no parameter: true/false (any case of True/False), or 1/0. */
static cip_status set_flag(cip_ctx *ctx, const char *name, const cip_param_value *v, int *out)
{
    if (v->kind == CIP_PARAM_NUM && (v->num == 0.0 || v->num == 1.0))
        return (*out = v->num == 1.0, CIP_OK);
    if (v->kind == CIP_PARAM_STR && (strcmp(v->str, "true") == 0 || strcmp(v->str, "True") == 0))
        return (*out = 1, CIP_OK);
    if (v->kind == CIP_PARAM_STR && (strcmp(v->str, "false") == 0 || strcmp(v->str, "False") == 0))
        return (*out = 0, CIP_OK);
    return cipi_fail(ctx, CIP_ERR_INVALID, "forest parameter '%s' must be true or false (or 1/0)",
                     name);
}

/* max_samples as scikit-learn: none (all rows), a fraction in (0, 1], or a whole count > 1.
 * A value is a number here, so 1 and 1.0 cannot be told apart: 1 is read as sklearn's 1.0
 * (every row), not as its int 1 (one row per tree, which no one means). */
static cip_status set_max_samples(cip_ctx *ctx, cip_forest_params *p, const cip_param_value *v)
{
    if (v->kind == CIP_PARAM_NONE) {
        p->max_samples = CIP_FOREST_SAMPLES_ALL;
    } else if (v->kind == CIP_PARAM_NUM && v->num > 0.0 && v->num <= 1.0) {
        p->max_samples = CIP_FOREST_SAMPLES_FRACTION;
        p->max_samples_value = v->num;
    } else if (v->kind == CIP_PARAM_NUM && v->num > 1.0 && v->num == floor(v->num) &&
               v->num <= 1e15) {
        p->max_samples = CIP_FOREST_SAMPLES_COUNT;
        p->max_samples_value = v->num;
    } else {
        return cipi_fail(ctx, CIP_ERR_INVALID,
                         "forest parameter 'max_samples' must be none, a fraction in (0, 1] or a "
                         "whole count > 1");
    }
    return CIP_OK;
}

static cip_status set_criterion(cip_ctx *ctx, cip_forest_params *p, const cip_param_value *v)
{
    const char *s = v->kind == CIP_PARAM_STR ? v->str : "";
    if (strcmp(s, "gini") == 0)
        p->criterion = CIP_FOREST_CRIT_GINI;
    else if (strcmp(s, "entropy") == 0)
        p->criterion = CIP_FOREST_CRIT_ENTROPY;
    else if (strcmp(s, "mse") == 0 || strcmp(s, "squared_error") == 0)
        p->criterion = CIP_FOREST_CRIT_MSE;
    else if (v->kind == CIP_PARAM_NONE)
        p->criterion = CIP_FOREST_CRIT_AUTO;
    else
        return cipi_fail(ctx, CIP_ERR_INVALID,
                         "forest parameter 'criterion' must be gini, entropy or squared_error");
    return CIP_OK;
}

static cip_status set_param(cip_ctx *ctx, void *ud, void *params, const char *name,
                            const cip_param_value *v)
{
    (void)ud;
    cip_forest_params *p = params;
    cip_status rc;
    if (strcmp(name, "n_estimators") == 0)
        rc = need_int(ctx, name, v, 1, &p->n_estimators);
    else if (strcmp(name, "max_depth") == 0 && v->kind == CIP_PARAM_NONE)
        rc = (p->max_depth = 0, CIP_OK);
    else if (strcmp(name, "max_depth") == 0)
        rc = need_int(ctx, name, v, 1, &p->max_depth);
    else if (strcmp(name, "min_samples_split") == 0)
        rc = need_int(ctx, name, v, 2, &p->min_samples_split);
    else if (strcmp(name, "min_samples_leaf") == 0)
        rc = need_int(ctx, name, v, 1, &p->min_samples_leaf);
    else if (strcmp(name, "bootstrap") == 0)
        rc = set_flag(ctx, name, v, &p->bootstrap);
    else if (strcmp(name, "oob_score") == 0)
        rc = set_flag(ctx, name, v, &p->oob_score);
    else if (strcmp(name, "max_samples") == 0)
        rc = set_max_samples(ctx, p, v);
    else if (strcmp(name, "max_features") == 0)
        rc = set_max_features(ctx, p, v);
    else if (strcmp(name, "class_weight") == 0)
        rc = set_class_weight(ctx, p, v);
    else if (strcmp(name, "criterion") == 0)
        rc = set_criterion(ctx, p, v);
    else if (strcmp(name, "min_impurity_decrease") == 0 && v->kind == CIP_PARAM_NUM)
        rc = (p->min_impurity_decrease = v->num, CIP_OK);
    else if (strcmp(name, "seed") == 0 && v->kind == CIP_PARAM_NUM && v->num >= 0 &&
             v->num == floor(v->num) && v->num < 1.8e19)
        rc = (p->seed = (uint64_t)v->num, CIP_OK);
    else
        return cipi_fail(ctx, CIP_ERR_INVALID,
                         "unknown forest parameter '%s' or bad value (known: n_estimators, "
                         "max_depth, min_samples_split, min_samples_leaf, max_features, "
                         "class_weight, criterion, bootstrap, max_samples, oob_score, "
                         "min_impurity_decrease, seed)",
                         name);
    if (rc != CIP_OK)
        return rc;
    return cip_forest_params_check(ctx, p);
}

static cip_status est_fit(cip_ctx *ctx, void *ud, const cip_frame *x, const double *y,
                          const double *w, const void *params, void **model)
{
    (void)ud;
    const cip_forest_params *p = params;
    *model = NULL;
    if (p->task == CIP_FOREST_CLASSIFICATION) {
        size_t n = cip_frame_n_rows(x);
        for (size_t i = 0; i < n; i++)
            if (y[i] != 0.0 && y[i] != 1.0)
                return cipi_fail(ctx, CIP_ERR_INVALID,
                                 "forest classifier: probability output needs a 0/1 target, "
                                 "found %g at row %zu",
                                 y[i], i);
    }
    cip_forest *f = NULL;
    cip_status rc = cip_forest_fit(ctx, x, y, w, p, &f);
    if (rc == CIP_OK)
        *model = f;
    return rc;
}

cip_status cipi_train_forest_p1(cip_ctx *ctx, const cip_forest *f, const cip_frame *x, double *out)
{
    size_t n = cip_frame_n_rows(x), nc = 0;
    const double *cls = cip_forest_classes(f, &nc);
    size_t pos = nc;
    for (size_t k = 0; k < nc; k++)
        if (cls[k] == 1.0)
            pos = k;
    if (nc == 1) { /* one class seen at fit: P(1) is 0 or 1 */
        for (size_t i = 0; i < n; i++)
            out[i] = pos == 0 ? 1.0 : 0.0;
        return CIP_OK;
    }
    size_t len;
    if (!cipi_mul_ok(n, nc, &len))
        return cipi_fail(ctx, CIP_ERR_LIMIT, "too many rows");
    double *proba = cipi_mallocarray(ctx, len ? len : 1, sizeof *proba);
    if (proba == NULL)
        return cipi_nomem(ctx);
    cip_status rc = cip_forest_predict_proba(ctx, f, x, proba, len);
    if (rc == CIP_OK)
        for (size_t i = 0; i < n; i++)
            out[i] = pos < nc ? proba[i * nc + pos] : 0.0;
    cipi_free(ctx, proba);
    return rc;
}

static cip_status est_predict(cip_ctx *ctx, void *ud, const void *model, const cip_frame *x,
                              double *out)
{
    (void)ud;
    const cip_forest *f = model;
    size_t nc = 0;
    if (cip_forest_classes(f, &nc) != NULL && nc > 0)
        return cipi_train_forest_p1(ctx, f, x, out);
    return cip_forest_predict(ctx, f, x, out, cip_frame_n_rows(x));
}

static void est_free(void *ud, void *model)
{
    (void)ud;
    cip_forest_free(model);
}

void cip_forest_estimator(const cip_forest_params *p, cip_estimator *est)
{
    memset(est, 0, sizeof *est);
    est->name = "forest";
    est->ud = NULL;
    est->output = p->task == CIP_FOREST_CLASSIFICATION ? CIP_OUTPUT_PROBA : CIP_OUTPUT_VALUE;
    est->params_size = sizeof *p;
    est->params = p;
    est->thread_safe = 1;
    est->set_param = set_param;
    est->fit = est_fit;
    est->predict = est_predict;
    est->free_model = est_free;
}
