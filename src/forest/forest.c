/* forest.c - forest parameters (defaults, checks, resolution), lifetime, accessors
 *
 * Defaults and checks follow scikit-learn 1.2's RandomForest* parameters;
 * AUTO values resolve per task (criterion mse / gini, max_features all /
 * sqrt). Fitting lives in fit.c, prediction in predict.c, files in
 * forest_io.c.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "forest_int.h"

void cip_forest_params_default(cip_forest_params *p)
{
    memset(p, 0, sizeof *p);
    p->task = CIP_FOREST_REGRESSION;
    p->n_estimators = 100;
    p->criterion = CIP_FOREST_CRIT_AUTO;
    p->max_depth = 0;
    p->min_samples_split = 2;
    p->min_samples_leaf = 1;
    p->max_features = CIP_FOREST_MAXF_AUTO;
    p->max_features_value = 0.0;
    p->min_impurity_decrease = 0.0;
    p->bootstrap = 1;
    p->max_samples = CIP_FOREST_SAMPLES_ALL;
    p->class_weight = CIP_FOREST_CW_NONE;
    p->seed = 0;
    p->oob_score = 0;
}

static bool is_count(double v)
{
    return isfinite(v) && v >= 1.0 && v == floor(v) && v <= 2147483647.0;
}

static cip_status check_sampling(cip_ctx *ctx, const cip_forest_params *p)
{
    if (p->max_features < CIP_FOREST_MAXF_AUTO || p->max_features > CIP_FOREST_MAXF_ALL)
        return cipi_fail(ctx, CIP_ERR_INVALID, "invalid max_features kind %d",
                         (int)p->max_features);
    if (p->max_features == CIP_FOREST_MAXF_FRACTION &&
        !(p->max_features_value > 0.0 && p->max_features_value <= 1.0))
        return cipi_fail(ctx, CIP_ERR_INVALID, "max_features fraction must be in (0, 1], got %g",
                         p->max_features_value);
    if (p->max_features == CIP_FOREST_MAXF_COUNT && !is_count(p->max_features_value))
        return cipi_fail(ctx, CIP_ERR_INVALID, "max_features count must be an integer >= 1, got %g",
                         p->max_features_value);
    if (p->bootstrap != 0 && p->bootstrap != 1)
        return cipi_fail(ctx, CIP_ERR_INVALID, "bootstrap must be 0 or 1, got %d", p->bootstrap);
    if (p->max_samples < CIP_FOREST_SAMPLES_ALL || p->max_samples > CIP_FOREST_SAMPLES_COUNT)
        return cipi_fail(ctx, CIP_ERR_INVALID, "invalid max_samples kind %d", (int)p->max_samples);
    if (p->max_samples != CIP_FOREST_SAMPLES_ALL && !p->bootstrap)
        return cipi_fail(ctx, CIP_ERR_INVALID, "max_samples needs bootstrap = 1");
    if (p->max_samples == CIP_FOREST_SAMPLES_FRACTION &&
        !(p->max_samples_value > 0.0 && p->max_samples_value <= 1.0))
        return cipi_fail(ctx, CIP_ERR_INVALID, "max_samples fraction must be in (0, 1], got %g",
                         p->max_samples_value);
    if (p->max_samples == CIP_FOREST_SAMPLES_COUNT && !is_count(p->max_samples_value))
        return cipi_fail(ctx, CIP_ERR_INVALID, "max_samples count must be an integer >= 1, got %g",
                         p->max_samples_value);
    if (p->oob_score != 0 && p->oob_score != 1)
        return cipi_fail(ctx, CIP_ERR_INVALID, "oob_score must be 0 or 1, got %d", p->oob_score);
    if (p->oob_score && !p->bootstrap)
        return cipi_fail(ctx, CIP_ERR_INVALID, "oob_score needs bootstrap = 1");
    return CIP_OK;
}

cip_status cip_forest_params_check(cip_ctx *ctx, const cip_forest_params *p)
{
    if (p == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "forest params are NULL");
    bool reg = p->task == CIP_FOREST_REGRESSION;
    if (p->task != CIP_FOREST_REGRESSION && p->task != CIP_FOREST_CLASSIFICATION)
        return cipi_fail(ctx, CIP_ERR_INVALID, "invalid forest task %d", (int)p->task);
    if (p->n_estimators < 1 || p->n_estimators > FOREST_MAX_TREES)
        return cipi_fail(ctx, CIP_ERR_INVALID, "n_estimators must be in [1, %d], got %d",
                         FOREST_MAX_TREES, p->n_estimators);
    if (p->criterion < CIP_FOREST_CRIT_AUTO || p->criterion > CIP_FOREST_CRIT_ENTROPY)
        return cipi_fail(ctx, CIP_ERR_INVALID, "invalid criterion %d", (int)p->criterion);
    if (reg && p->criterion > CIP_FOREST_CRIT_MSE)
        return cipi_fail(ctx, CIP_ERR_INVALID, "criterion '%s' needs a classification task",
                         p->criterion == CIP_FOREST_CRIT_GINI ? "gini" : "entropy");
    if (!reg && p->criterion == CIP_FOREST_CRIT_MSE)
        return cipi_fail(ctx, CIP_ERR_INVALID, "criterion 'mse' needs a regression task");
    if (p->max_depth < 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "max_depth must be >= 0 (0 = unlimited), got %d",
                         p->max_depth);
    if (p->min_samples_split < 2)
        return cipi_fail(ctx, CIP_ERR_INVALID, "min_samples_split must be >= 2, got %d",
                         p->min_samples_split);
    if (p->min_samples_leaf < 1)
        return cipi_fail(ctx, CIP_ERR_INVALID, "min_samples_leaf must be >= 1, got %d",
                         p->min_samples_leaf);
    if (!(p->min_impurity_decrease >= 0.0) || !isfinite(p->min_impurity_decrease))
        return cipi_fail(ctx, CIP_ERR_INVALID, "min_impurity_decrease must be >= 0, got %g",
                         p->min_impurity_decrease);
    if (p->class_weight < CIP_FOREST_CW_NONE || p->class_weight > CIP_FOREST_CW_BALANCED_SUBSAMPLE)
        return cipi_fail(ctx, CIP_ERR_INVALID, "invalid class_weight %d", (int)p->class_weight);
    if (reg && p->class_weight != CIP_FOREST_CW_NONE)
        return cipi_fail(ctx, CIP_ERR_INVALID, "class_weight needs a classification task");
    return check_sampling(ctx, p);
}

void cipi_forest_resolve(const cip_forest_params *p, cip_forest_params *out)
{
    *out = *p;
    bool reg = p->task == CIP_FOREST_REGRESSION;
    if (out->criterion == CIP_FOREST_CRIT_AUTO)
        out->criterion = reg ? CIP_FOREST_CRIT_MSE : CIP_FOREST_CRIT_GINI;
    if (out->max_features == CIP_FOREST_MAXF_AUTO)
        out->max_features = reg ? CIP_FOREST_MAXF_ALL : CIP_FOREST_MAXF_SQRT;
}

int cipi_forest_mtry(const cip_forest_params *p, size_t n_features)
{
    double d = (double)n_features;
    long m;
    switch (p->max_features) {
    case CIP_FOREST_MAXF_SQRT:
        m = (long)sqrt(d);
        break;
    case CIP_FOREST_MAXF_LOG2:
        m = (long)log2(d);
        break;
    case CIP_FOREST_MAXF_FRACTION:
        m = (long)(p->max_features_value * d);
        break;
    case CIP_FOREST_MAXF_COUNT:
        m = (long)p->max_features_value;
        break;
    default:
        m = (long)n_features;
    }
    return m < 1 ? 1 : (int)m;
}

cip_forest *cipi_forest_alloc(cip_ctx *ctx)
{
    cip_forest *f = cipi_calloc(ctx, 1, sizeof *f);
    if (f != NULL) {
        f->magic = FOREST_MAGIC;
        f->a = cipi_ctx_alloc(ctx);
        f->oob_score = (double)NAN;
    }
    return f;
}

void cip_forest_free(cip_forest *f)
{
    if (f == NULL)
        return;
    struct cipi_alloc a = f->a;
    for (size_t j = 0; f->names != NULL && j < f->n_features; j++)
        cipi_afree(&a, f->names[j]);
    for (size_t t = 0; f->trees != NULL && t < f->n_trees; t++)
        cipi_forest_tree_release(&a, &f->trees[t]);
    cipi_afree(&a, f->names);
    cipi_afree(&a, f->types);
    cipi_afree(&a, f->classes);
    cipi_afree(&a, f->trees);
    cipi_afree(&a, f->importances);
    cipi_afree(&a, f->oob_pred);
    f->magic = 0;
    cipi_afree(&a, f);
}

/* --- accessors -------------------------------------------------------------------------- */
size_t cip_forest_n_trees(const cip_forest *f)
{
    return f != NULL ? f->n_trees : 0;
}

size_t cip_forest_n_features(const cip_forest *f)
{
    return f != NULL ? f->n_features : 0;
}

const char *cip_forest_feature_name(const cip_forest *f, size_t j)
{
    return f != NULL && j < f->n_features ? f->names[j] : NULL;
}

cip_type cip_forest_feature_type(const cip_forest *f, size_t j)
{
    return f != NULL && j < f->n_features ? f->types[j] : CIP_TYPE_FLOAT;
}

const double *cip_forest_classes(const cip_forest *f, size_t *n_classes)
{
    if (n_classes != NULL)
        *n_classes = f != NULL ? f->n_classes : 0;
    return f != NULL && f->n_classes > 0 ? f->classes : NULL;
}

const double *cip_forest_importances(const cip_forest *f)
{
    return f != NULL ? f->importances : NULL;
}

double cip_forest_oob_score(const cip_forest *f)
{
    return f != NULL ? f->oob_score : (double)NAN;
}

const double *cip_forest_oob_prediction(const cip_forest *f, size_t *len)
{
    if (len != NULL)
        *len = f != NULL && f->oob_pred != NULL ? f->oob_len : 0;
    return f != NULL ? f->oob_pred : NULL;
}

void cip_forest_get_info(const cip_forest *f, cip_forest_info *info)
{
    memset(info, 0, sizeof *info);
    info->oob_score = (double)NAN;
    if (f == NULL)
        return;
    info->params = f->params;
    info->n_trees = f->n_trees;
    info->n_features = f->n_features;
    info->n_classes = f->n_classes;
    info->n_train_rows = f->n_train_rows;
    info->oob_score = f->oob_score;
    info->fingerprint = f->fingerprint;
    info->mtry = (size_t)f->mtry;
    double depth_sum = 0.0;
    for (size_t t = 0; t < f->n_trees; t++) {
        const struct ftree *tr = &f->trees[t];
        info->n_nodes += tr->n_nodes;
        info->n_leaves += tr->n_leaves;
        info->max_depth = tr->depth > info->max_depth ? tr->depth : info->max_depth;
        depth_sum += tr->depth;
        info->model_bytes +=
            tr->n_nodes * sizeof(struct fnode) + (size_t)tr->n_dists * f->n_classes * sizeof(float);
    }
    info->mean_depth = f->n_trees > 0 ? depth_sum / (double)f->n_trees : 0.0;
}
