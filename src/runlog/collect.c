/* collect.c - what a training run records: params, metric points, and the
 * signature + input example of the model's raw inputs
 *
 * Params use scikit-learn's names and spellings (max_depth None, bootstrap
 * True, criterion squared_error) so runs compare with the original project's
 * MLflow runs. Values longer than MLflow's 6000-character limit (a very long
 * feature list) are cut with a note of how many items were left out.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "runlog_int.h"

void cipi_kvlist_free(cip_ctx *ctx, struct cipi_kvlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        cipi_free(ctx, (char *)l->v[i].key);
        cipi_free(ctx, (char *)l->v[i].value);
    }
    cipi_free(ctx, l->v);
    memset(l, 0, sizeof *l);
}

cip_status cipi_kvlist_set(cip_ctx *ctx, struct cipi_kvlist *l, const char *key, const char *fmt,
                           ...)
{
    struct cipi_buf b;
    cipi_buf_init(&b, ctx, 0);
    va_list ap;
    va_start(ap, fmt);
    char small[2];
    int len = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    cip_status rc = len < 0 ? cipi_fail(ctx, CIP_ERR_INVALID, "bad format") : CIP_OK;
    if (rc == CIP_OK)
        rc = cipi_buf_reserve(ctx, &b, (size_t)len + 1);
    if (rc == CIP_OK) {
        va_start(ap, fmt);
        vsnprintf(b.data, (size_t)len + 1, fmt, ap);
        va_end(ap);
        b.len = (size_t)len;
    }
    char *value = rc == CIP_OK ? cipi_buf_detach(&b, NULL) : NULL;
    cipi_buf_release(&b);
    if (rc == CIP_OK && value == NULL)
        value = cipi_strdup(ctx, "");
    if (value == NULL)
        return rc != CIP_OK ? rc : CIP_ERR_NOMEM;
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->v[i].key, key) == 0) {
            cipi_free(ctx, (char *)l->v[i].value);
            l->v[i].value = value;
            return CIP_OK;
        }
    }
    char *k = cipi_strdup(ctx, key);
    if (k != NULL && l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 32;
        cip_param *v = cipi_realloc(ctx, l->v, cap * sizeof *v);
        if (v == NULL) {
            cipi_free(ctx, k);
            k = NULL;
        } else {
            l->v = v;
            l->cap = cap;
        }
    }
    if (k == NULL) {
        cipi_free(ctx, value);
        return CIP_ERR_NOMEM;
    }
    l->v[l->n].key = k;
    l->v[l->n].value = value;
    l->n++;
    return CIP_OK;
}

static const char *split_name(int kind, cip_train_task task)
{
    static const char *const names[] = {"random", "stratified", "group", "time"};
    if (kind < 0)
        return task == CIP_TRAIN_CHURN ? "stratified" : "random";
    return kind < 4 ? names[kind] : "unknown";
}

/* The model feature list joined by ",", cut to fit MLflow's param limit. */
static cip_status feature_list(cip_ctx *ctx, const cip_train_result *r, struct cipi_kvlist *l)
{
    struct cipi_buf b;
    cipi_buf_init(&b, ctx, 0);
    cip_status rc = cipi_buf_append(ctx, &b, "", 0);
    size_t k = 0;
    for (; rc == CIP_OK && k < r->n_features; k++) {
        size_t add = strlen(r->features[k]) + (k > 0);
        if (b.len + add > 5900)
            break;
        rc = cipi_buf_printf(ctx, &b, "%s%s", k > 0 ? "," : "", r->features[k]);
    }
    if (rc == CIP_OK && k < r->n_features)
        rc = cipi_buf_printf(ctx, &b, ",... (%zu more)", r->n_features - k);
    if (rc == CIP_OK)
        rc = cipi_kvlist_set(ctx, l, "features", "%s", b.data);
    cipi_buf_release(&b);
    return rc;
}

static cip_status forest_params(cip_ctx *ctx, const cip_forest *f, struct cipi_kvlist *l)
{
    cip_forest_info info;
    cip_forest_get_info(f, &info);
    const cip_forest_params *fp = &info.params;
    char num[40];
    cip_status rc = cipi_kvlist_set(ctx, l, "n_estimators", "%d", fp->n_estimators);
    if (rc == CIP_OK)
        rc = fp->max_depth > 0 ? cipi_kvlist_set(ctx, l, "max_depth", "%d", fp->max_depth)
                               : cipi_kvlist_set(ctx, l, "max_depth", "None");
    if (rc == CIP_OK)
        rc = cipi_kvlist_set(ctx, l, "min_samples_split", "%d", fp->min_samples_split);
    if (rc == CIP_OK)
        rc = cipi_kvlist_set(ctx, l, "min_samples_leaf", "%d", fp->min_samples_leaf);
    if (rc == CIP_OK) {
        switch (fp->max_features) {
        case CIP_FOREST_MAXF_SQRT:
            rc = cipi_kvlist_set(ctx, l, "max_features", "sqrt");
            break;
        case CIP_FOREST_MAXF_LOG2:
            rc = cipi_kvlist_set(ctx, l, "max_features", "log2");
            break;
        case CIP_FOREST_MAXF_FRACTION:
        case CIP_FOREST_MAXF_COUNT:
            cipi_fmt_double(num, sizeof num, fp->max_features_value);
            rc = cipi_kvlist_set(ctx, l, "max_features", "%s", num);
            break;
        default:
            rc = cipi_kvlist_set(ctx, l, "max_features", "None");
        }
    }
    static const char *const crit[] = {"auto", "squared_error", "gini", "entropy"};
    static const char *const cw[] = {"None", "balanced", "balanced_subsample"};
    if (rc == CIP_OK && (unsigned)fp->criterion < 4)
        rc = cipi_kvlist_set(ctx, l, "criterion", "%s", crit[fp->criterion]);
    if (rc == CIP_OK && (unsigned)fp->class_weight < 3 && fp->task == CIP_FOREST_CLASSIFICATION)
        rc = cipi_kvlist_set(ctx, l, "class_weight", "%s", cw[fp->class_weight]);
    if (rc == CIP_OK)
        rc = cipi_kvlist_set(ctx, l, "bootstrap", "%s", fp->bootstrap ? "True" : "False");
    if (rc == CIP_OK && fp->max_samples != CIP_FOREST_SAMPLES_ALL) {
        cipi_fmt_double(num, sizeof num, fp->max_samples_value);
        rc = cipi_kvlist_set(ctx, l, "max_samples", "%s", num);
    }
    if (rc == CIP_OK && fp->oob_score)
        rc = cipi_kvlist_set(ctx, l, "oob_score", "True");
    cipi_fmt_double(num, sizeof num, fp->min_impurity_decrease);
    if (rc == CIP_OK)
        rc = cipi_kvlist_set(ctx, l, "min_impurity_decrease", "%s", num);
    if (rc == CIP_OK)
        rc = cipi_kvlist_set(ctx, l, "random_state", "%llu", (unsigned long long)fp->seed);
    return rc;
}

static cip_status train_params(cip_ctx *ctx, const cip_train_result *r, const cip_train_params *t,
                               struct cipi_kvlist *l)
{
    char num[40];
    cip_status rc = CIP_OK;
    if (r->task != CIP_TRAIN_SEGMENTS) {
        rc = cipi_kvlist_set(ctx, l, "split", "%s", split_name(t->split, r->task));
        if (rc == CIP_OK)
            rc = cipi_kvlist_set(ctx, l, "split_rng", "%s",
                                 t->split_rng == CIP_SPLIT_RNG_NUMPY ? "numpy" : "cip");
        cipi_fmt_double(num, sizeof num, t->test_size);
        if (rc == CIP_OK)
            rc = cipi_kvlist_set(ctx, l, "test_size", "%s", num);
        if (rc == CIP_OK)
            rc = cipi_kvlist_set(ctx, l, "cv", "%zu", t->cv);
        if (rc == CIP_OK)
            rc = cipi_kvlist_set(ctx, l, "grid", "%s",
                                 t->grid != NULL && t->grid[0] != '\0' ? t->grid : "none");
        if (rc == CIP_OK && t->features == NULL)
            rc =
                cipi_kvlist_set(ctx, l, "preset", "%s",
                                t->preset == CIP_TRAIN_PRESET_ORIGINAL ? "original" : "production");
        if (rc == CIP_OK)
            rc = cipi_kvlist_set(ctx, l, "seed", "%llu", (unsigned long long)t->seed);
        if (rc == CIP_OK && t->cv_repeats > 1)
            rc = cipi_kvlist_set(ctx, l, "cv_repeats", "%zu", t->cv_repeats);
        if (rc == CIP_OK && t->n_iter > 0)
            rc = cipi_kvlist_set(ctx, l, "n_iter", "%zu", t->n_iter);
        if (rc == CIP_OK && t->weight_column != NULL)
            rc = cipi_kvlist_set(ctx, l, "sample_weight", "%s", t->weight_column);
        if (rc == CIP_OK && t->permutation_repeats > 0)
            rc = cipi_kvlist_set(ctx, l, "permutation_repeats", "%d", t->permutation_repeats);
        return rc;
    }
    const cip_kmeans_sweep_params *k = &t->kmeans;
    rc = cipi_kvlist_set(ctx, l, "k_range", "%d..%d", k->k_min, k->k_max);
    if (rc == CIP_OK)
        rc = cipi_kvlist_set(ctx, l, "n_init", "%d", k->km.n_init);
    if (rc == CIP_OK)
        rc = cipi_kvlist_set(ctx, l, "max_iter", "%d", k->km.max_iter);
    cipi_fmt_double(num, sizeof num, k->km.tol);
    if (rc == CIP_OK)
        rc = cipi_kvlist_set(ctx, l, "tol", "%s", num);
    if (rc == CIP_OK)
        rc = cipi_kvlist_set(ctx, l, "algorithm", "%s",
                             k->km.algorithm == CIP_KMEANS_LLOYD ? "lloyd" : "elkan");
    if (rc == CIP_OK)
        rc = cipi_kvlist_set(ctx, l, "standardize", "%s", k->km.standardize ? "True" : "False");
    if (rc == CIP_OK)
        rc = cipi_kvlist_set(ctx, l, "silhouette_sample", "%zu", k->silhouette_sample);
    if (rc == CIP_OK)
        rc = cipi_kvlist_set(ctx, l, "seed", "%llu", (unsigned long long)k->km.seed);
    return rc;
}

cip_status cipi_runlog_params(cip_ctx *ctx, const cip_train_result *r, const cip_runlog_params *p,
                              struct cipi_kvlist *l)
{
    char num[40];
    cip_status rc = cipi_kvlist_set(ctx, l, "task", "%s", cip_train_task_name(r->task));
    if (rc == CIP_OK && r->target != NULL)
        rc = cipi_kvlist_set(ctx, l, "target", "%s", r->target);
    if (rc == CIP_OK && r->label_rule != NULL) {
        rc = cipi_kvlist_set(ctx, l, "label_rule", "%s", r->label_rule);
        cipi_fmt_double(num, sizeof num, r->label_threshold);
        if (rc == CIP_OK)
            rc = cipi_kvlist_set(ctx, l, "label_threshold", "%s", num);
    }
    if (rc == CIP_OK)
        rc = cipi_kvlist_set(ctx, l, "feature_pipeline", "%s", r->raw_input ? "True" : "False");
    if (rc == CIP_OK)
        rc = feature_list(ctx, r, l);
    if (rc == CIP_OK)
        rc = cipi_kvlist_set(ctx, l, "n_features", "%zu", r->n_features);
    if (rc == CIP_OK)
        rc = cipi_kvlist_set(ctx, l, "n_rows", "%zu", r->n_rows);
    if (rc == CIP_OK)
        rc = cipi_kvlist_set(ctx, l, "n_train", "%zu", r->n_train);
    if (rc == CIP_OK)
        rc = cipi_kvlist_set(ctx, l, "n_test", "%zu", r->n_test);
    if (rc == CIP_OK && r->task != CIP_TRAIN_SEGMENTS) {
        rc = cipi_kvlist_set(ctx, l, "cv_folds", "%zu", r->n_folds);
        if (rc == CIP_OK)
            rc = cipi_kvlist_set(ctx, l, "n_candidates", "%zu", r->n_candidates);
        if (rc == CIP_OK && r->best_params != NULL && r->best_params[0] != '\0')
            rc = cipi_kvlist_set(ctx, l, "best_params", "%s", r->best_params);
    }
    if (rc == CIP_OK && r->forest != NULL)
        rc = forest_params(ctx, r->forest, l);
    if (rc == CIP_OK && r->kmeans != NULL)
        rc = cipi_kvlist_set(ctx, l, "n_clusters", "%zu", cip_kmeans_n_clusters(r->kmeans));
    if (rc == CIP_OK && p->train != NULL)
        rc = train_params(ctx, r, p->train, l);
    return rc;
}

cip_status cipi_runlog_metrics(cip_ctx *ctx, const cip_train_result *r, cip_metric **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t total = r->n_metrics + r->n_folds + 2 * r->n_k;
    cip_metric *m = cipi_calloc(ctx, total ? total : 1, sizeof *m);
    if (m == NULL)
        return CIP_ERR_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < r->n_metrics; i++)
        m[k++] = (cip_metric){r->metrics[i].name, r->metrics[i].value, 0, 0};
    const char *cv = r->task == CIP_TRAIN_CHURN ? "cv_f1" : "cv_r2";
    for (size_t i = 0; i < r->n_folds; i++)
        m[k++] = (cip_metric){cv, r->cv_scores[i], (int64_t)i, 0};
    for (size_t i = 0; i < r->n_k; i++) {
        m[k++] = (cip_metric){"sweep_silhouette", r->sweep[i].silhouette, r->sweep[i].k, 0};
        m[k++] = (cip_metric){"sweep_inertia", r->sweep[i].inertia, r->sweep[i].k, 0};
    }
    *out = m;
    *n = k;
    return CIP_OK;
}
