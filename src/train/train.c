/* train.c - the clv and churn training tasks: target, split, features, search, metrics
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cip/metrics.h"
#include "cip/stats.h"
#include "train_int.h"

/* The reference project's feature sets (original-results.json). */
static const char *const k_clv_production[] = {
    "age", "annual_income", "spend_to_income_ratio", "region_North", "region_South", "region_West"};
static const char *const k_clv_original[] = {"age",
                                             "annual_income",
                                             "spend_to_income_ratio",
                                             "region_North",
                                             "region_South",
                                             "region_West",
                                             "loyalty_score",
                                             "age_adjusted_percentile",
                                             "growth_potential_score"};
static const char *const k_churn_production[] = {
    "age",          "annual_income", "spend_to_income_ratio", "purchase_frequency", "region_North",
    "region_South", "region_West"};
static const char *const k_churn_original[] = {
    "age",         "annual_income",        "spend_to_income_ratio", "region_North", "region_South",
    "region_West", "customer_value_score", "purchase_frequency",    "is_loyal",     "is_frequent"};
static const char k_grid_original[] =
    "n_estimators=100,200;max_depth=10,15,none;min_samples_split=2,5;min_samples_leaf=1,2";
static const char k_grid_production[] = "n_estimators=50,100;max_depth=5,10;min_samples_split=10,"
                                        "20;min_samples_leaf=5,10;max_features=sqrt,0.5";

/* Everything one supervised run holds; freed by work_release. */
struct work {
    const cip_frame *data;
    double *y_all;     /* target per data row */
    double *w_all;     /* sample weight per data row, or NULL */
    double *w_train;   /* weights of the training rows, or NULL */
    const char **feat; /* feature names before one-hot (borrowed strings) */
    size_t n_feat;
    cip_split *split;
    size_t *all_rows; /* 0..n-1 when there is no split */
    const size_t *train, *test;
    size_t n_train, n_test;
    cip_frame *tr_full, *te_full, *x_train, *x_test;
    double *y_train, *y_test, *p_train, *p_test;
    cip_param_grid *grid;
    cip_folds *folds;
    cip_search_result *search;
};

static void work_release(cip_ctx *ctx, struct work *w)
{
    cipi_free(ctx, w->y_all);
    cipi_free(ctx, w->w_all);
    cipi_free(ctx, w->w_train);
    cipi_free(ctx, (void *)w->feat);
    cip_split_free(w->split);
    cipi_free(ctx, w->all_rows);
    cip_frame_free(w->tr_full);
    cip_frame_free(w->te_full);
    cip_frame_free(w->x_train);
    cip_frame_free(w->x_test);
    cipi_free(ctx, w->y_train);
    cipi_free(ctx, w->y_test);
    cipi_free(ctx, w->p_train);
    cipi_free(ctx, w->p_test);
    cip_param_grid_free(w->grid);
    cip_folds_free(w->folds);
    cip_search_result_free(w->search);
}

cip_status cipi_train_metric_add(cip_ctx *ctx, cip_train_result *r, const char *name, double value)
{
    cip_train_metric *m = cipi_realloc(ctx, r->metrics, (r->n_metrics + 1) * sizeof *m);
    if (m == NULL)
        return cipi_nomem(ctx);
    r->metrics = m;
    snprintf(m[r->n_metrics].name, sizeof m[r->n_metrics].name, "%s", name);
    m[r->n_metrics++].value = value;
    return CIP_OK;
}

/* A numeric column as doubles (no missing values). */
static cip_status numeric_col(cip_ctx *ctx, const cip_frame *f, const char *name, double *out)
{
    size_t j, n = cip_frame_n_rows(f);
    cip_status rc = cip_frame_find(ctx, f, name, &j);
    if (rc != CIP_OK)
        return rc;
    if (cip_frame_col_type(f, j) == CIP_TYPE_CAT)
        return cipi_fail(ctx, CIP_ERR_SCHEMA, "column '%s' is categorical, not numeric", name);
    cip_frame_get_col(f, j, out);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(out[i]))
            return cipi_fail(ctx, CIP_ERR_INVALID, "column '%s' has a missing value at row %zu",
                             name, i + 1);
    return CIP_OK;
}

/* Sample weights from column name: numeric, finite and >= 0 on every row, some positive. */
static cip_status sample_weights(cip_ctx *ctx, struct work *w, const char *name, const char *target)
{
    size_t n = cip_frame_n_rows(w->data);
    if (strcmp(name, target) == 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "weight column '%s' is the target", name);
    w->w_all = cipi_mallocarray(ctx, n ? n : 1, sizeof *w->w_all);
    if (w->w_all == NULL)
        return cipi_nomem(ctx);
    cip_status rc = numeric_col(ctx, w->data, name, w->w_all);
    if (rc != CIP_OK)
        return rc;
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (w->w_all[i] < 0.0)
            return cipi_fail(ctx, CIP_ERR_INVALID,
                             "weight column '%s' has a negative weight (%g) at row %zu", name,
                             w->w_all[i], i + 1);
        sum += w->w_all[i];
    }
    if (!(sum > 0.0))
        return cipi_fail(ctx, CIP_ERR_INVALID, "weight column '%s' has no positive weight", name);
    return CIP_OK;
}

/* Churn label: column > quantile (rounded first). The column comes from data or, on a
 * raw customer table, from a pipeline fitted on every row (the label defines the target). */
static cip_status churn_label(cip_ctx *ctx, const cip_frame *data, const cip_train_params *p,
                              int raw, double *y, cip_train_result *r)
{
    size_t n = cip_frame_n_rows(data), j;
    cip_featpipe *fp = NULL;
    cip_frame *eng = NULL;
    const cip_frame *src = data;
    cip_status rc = CIP_OK;
    if (cip_frame_find(NULL, data, p->label_column, &j) != CIP_OK && raw) {
        rc = cipi_train_fit_featpipe(ctx, data, NULL, 0, &fp);
        if (rc == CIP_OK)
            rc = cip_featpipe_transform(ctx, fp, data, &eng);
        src = eng;
    }
    if (rc == CIP_OK)
        rc = numeric_col(ctx, src, p->label_column, y);
    if (rc != CIP_OK)
        goto done;
    if (p->label_decimals >= 0) {
        double s = pow(10.0, p->label_decimals);
        for (size_t i = 0; i < n; i++)
            y[i] = round(y[i] * s) / s;
    }
    double thr;
    rc = cip_stats_quantiles(ctx, y, n, &p->label_quantile, 1, &thr);
    if (rc != CIP_OK)
        goto done;
    for (size_t i = 0; i < n; i++)
        y[i] = y[i] > thr ? 1.0 : 0.0;
    r->label_threshold = thr;
    char buf[300];
    snprintf(buf, sizeof buf, "%s > q%g (%.17g)", p->label_column, p->label_quantile, thr);
    r->label_rule = cipi_strdup(ctx, buf);
    if (r->label_rule == NULL)
        rc = cipi_nomem(ctx);
done:
    cip_frame_free(eng);
    cip_featpipe_free(fp);
    return rc;
}

static int is_id_name(const char *s)
{
    return strcmp(s, "id") == 0 || strcmp(s, "user_id") == 0 || strcmp(s, "customer_id") == 0;
}

/* Target vector and the pre-one-hot feature list. */
static cip_status target_and_features(cip_ctx *ctx, struct work *w, const cip_train_params *p,
                                      int customer, int raw, cip_train_result *r)
{
    const cip_frame *d = w->data;
    size_t n = cip_frame_n_rows(d), nc = cip_frame_n_cols(d), j;
    int churn = p->task == CIP_TRAIN_CHURN;
    cip_status rc;
    w->y_all = cipi_mallocarray(ctx, n, sizeof *w->y_all);
    size_t cap = nc + (p->features != NULL ? p->n_features : 10) + 1; /* presets: <= 10 */
    w->feat = cipi_mallocarray(ctx, cap, sizeof *w->feat);
    if (w->y_all == NULL || w->feat == NULL)
        return cipi_nomem(ctx);
    const char *tname = p->target != NULL ? p->target : churn ? "churn" : "purchase_amount";
    if (churn && cip_frame_find(NULL, d, tname, &j) != CIP_OK)
        rc = churn_label(ctx, d, p, raw, w->y_all, r);
    else
        rc = numeric_col(ctx, d, tname, w->y_all);
    if (rc != CIP_OK)
        return rc;
    for (size_t i = 0; churn && i < n; i++)
        if (w->y_all[i] != 0.0 && w->y_all[i] != 1.0)
            return cipi_fail(ctx, CIP_ERR_INVALID, "churn target '%s' must be 0/1, found %g", tname,
                             w->y_all[i]);
    r->target = cipi_strdup(ctx, tname);
    if (r->target == NULL)
        return cipi_nomem(ctx);
    const char *wname = p->weight_column;
    if (wname != NULL && (rc = sample_weights(ctx, w, wname, tname)) != CIP_OK)
        return rc;
    if (p->features != NULL) {
        for (size_t k = 0; k < p->n_features; k++)
            w->feat[w->n_feat++] = p->features[k];
    } else if (customer) {
        size_t ns;
        const char *const *set = cip_train_preset_features(p->task, p->preset, &ns);
        for (size_t k = 0; k < ns; k++)
            w->feat[w->n_feat++] = set[k];
    } else {
        for (size_t k = 0; k < nc; k++) {
            const char *nm = cip_frame_col_name(d, k);
            if (strcmp(nm, tname) != 0 && !is_id_name(nm) &&
                !(churn && strcmp(nm, p->label_column) == 0) &&
                !(wname != NULL && strcmp(nm, wname) == 0))
                w->feat[w->n_feat++] = nm;
        }
    }
    if (w->n_feat == 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "no feature columns");
    for (size_t k = 0; wname != NULL && k < w->n_feat; k++)
        if (strcmp(w->feat[k], wname) == 0)
            return cipi_fail(ctx, CIP_ERR_INVALID, "weight column '%s' cannot also be a feature",
                             wname);
    return CIP_OK;
}

/* Columns that define a group for CIP_SPLIT_GROUP: the features present in the data (rows
 * with identical features go to one side), else every non-id column (raw tables). */
static cip_status group_columns(cip_ctx *ctx, const struct work *w, size_t **cols, size_t *n)
{
    size_t nc = cip_frame_n_cols(w->data), j;
    *cols = cipi_mallocarray(ctx, nc + 1, sizeof **cols);
    if (*cols == NULL)
        return cipi_nomem(ctx);
    *n = 0;
    for (size_t k = 0; k < w->n_feat && *n < nc; k++)
        if (cip_frame_find(NULL, w->data, w->feat[k], &j) == CIP_OK)
            (*cols)[(*n)++] = j;
    if (*n < w->n_feat) { /* some features are engineered later: use the raw columns */
        *n = 0;
        for (size_t k = 0; k < nc; k++)
            if (!is_id_name(cip_frame_col_name(w->data, k)))
                (*cols)[(*n)++] = k;
    }
    return CIP_OK;
}

static cip_status make_split(cip_ctx *ctx, struct work *w, const cip_train_params *p)
{
    size_t n = cip_frame_n_rows(w->data);
    cip_status rc = CIP_OK;
    if (p->test_size == 0.0) {
        w->all_rows = cipi_mallocarray(ctx, n, sizeof *w->all_rows);
        if (w->all_rows == NULL)
            return cipi_nomem(ctx);
        for (size_t i = 0; i < n; i++)
            w->all_rows[i] = i;
        w->train = w->all_rows;
        w->n_train = n;
        return CIP_OK;
    }
    cip_split_params sp;
    cip_split_params_default(&sp);
    sp.kind = p->split >= 0
                  ? (cip_split_kind)p->split
                  : (p->task == CIP_TRAIN_CHURN ? CIP_SPLIT_STRATIFIED : CIP_SPLIT_RANDOM);
    sp.test_size = p->test_size;
    sp.seed = p->seed;
    sp.rng = (cip_split_rng)p->split_rng;
    cip_split_data sd = {.n_rows = n, .y = w->y_all};
    uint32_t *group = NULL;
    double *order = NULL;
    size_t *cols = NULL, ncols = 0;
    if (sp.kind == CIP_SPLIT_GROUP) {
        size_t ng;
        group = cipi_mallocarray(ctx, n, sizeof *group);
        rc = group == NULL ? cipi_nomem(ctx) : group_columns(ctx, w, &cols, &ncols);
        if (rc == CIP_OK)
            rc = cip_group_rows(ctx, w->data, cols, ncols, NULL, group, &ng);
        sd.group = group;
    } else if (sp.kind == CIP_SPLIT_TIME) {
        order = cipi_mallocarray(ctx, n, sizeof *order);
        if (order == NULL)
            rc = cipi_nomem(ctx);
        for (size_t i = 0; order != NULL && i < n; i++)
            order[i] = (double)i;
        sd.order = order;
    }
    if (rc == CIP_OK)
        rc = cip_split_make(ctx, &sd, &sp, &w->split);
    cipi_free(ctx, group);
    cipi_free(ctx, order);
    cipi_free(ctx, cols);
    if (rc != CIP_OK)
        return rc;
    w->train = cip_split_train(w->split, &w->n_train);
    w->test = cip_split_test(w->split, &w->n_test);
    return CIP_OK;
}

/* Model column names: features, categorical ones expanded to "col=level" over the levels
 * present in the training rows. */
static cip_status model_columns(cip_ctx *ctx, struct work *w, cip_train_result *r)
{
    const cip_frame *f = w->tr_full;
    size_t n = cip_frame_n_rows(f), j, cap = 0;
    cip_status rc;
    for (size_t k = 0; k < w->n_feat; k++) {
        rc = cip_frame_find(ctx, f, w->feat[k], &j);
        if (rc != CIP_OK)
            return rc;
        cap += cip_frame_col_type(f, j) == CIP_TYPE_CAT ? cip_frame_n_levels(f, j) : 1;
    }
    r->features = cipi_calloc(ctx, cap ? cap : 1, sizeof *r->features);
    if (r->features == NULL)
        return cipi_nomem(ctx);
    for (size_t k = 0; k < w->n_feat; k++) {
        cip_frame_find(NULL, f, w->feat[k], &j);
        if (cip_frame_col_type(f, j) != CIP_TYPE_CAT) {
            r->features[r->n_features] = cipi_strdup(ctx, w->feat[k]);
            if (r->features[r->n_features++] == NULL)
                return cipi_nomem(ctx);
            continue;
        }
        const uint32_t *codes = cip_frame_codes(f, j);
        for (size_t l = 0; l < cip_frame_n_levels(f, j); l++) {
            size_t i = 0;
            while (i < n && (codes[i] != l || cip_frame_is_missing(f, j, i)))
                i++;
            if (i == n)
                continue;
            const char *lv = cip_frame_level(f, j, (uint32_t)l);
            size_t len = strlen(w->feat[k]) + strlen(lv) + 2;
            char *s = cipi_malloc(ctx, len);
            if (s == NULL)
                return cipi_nomem(ctx);
            snprintf(s, len, "%s=%s", w->feat[k], lv);
            r->features[r->n_features++] = s;
        }
    }
    return CIP_OK;
}

static cip_status design(cip_ctx *ctx, const cip_frame *full, const cip_train_result *r,
                         cip_frame **out)
{
    cip_frame *tmp = NULL;
    cip_status rc =
        cip_train_prepare(ctx, full, NULL, (const char *const *)r->features, r->n_features, &tmp);
    if (rc == CIP_OK)
        rc = cip_frame_select(ctx, tmp, (const char *const *)r->features, r->n_features, out);
    cip_frame_free(tmp);
    return rc;
}

static cip_status gather(cip_ctx *ctx, const double *y, const size_t *rows, size_t n, double **out)
{
    *out = cipi_mallocarray(ctx, n ? n : 1, sizeof **out);
    if (*out == NULL)
        return cipi_nomem(ctx);
    for (size_t i = 0; i < n; i++)
        (*out)[i] = y[rows[i]];
    return CIP_OK;
}

/* Split rows, fit the pipeline on the training rows, build both design matrices. */
static cip_status build_frames(cip_ctx *ctx, struct work *w, int raw, cip_train_result *r)
{
    cip_frame *tr = NULL, *te = NULL;
    cip_status rc = cip_frame_take_rows(ctx, w->data, w->train, w->n_train, &tr);
    if (rc == CIP_OK && w->n_test > 0)
        rc = cip_frame_take_rows(ctx, w->data, w->test, w->n_test, &te);
    if (rc == CIP_OK && raw) {
        rc = cip_featpipe_fit(ctx, tr, NULL, &r->featpipe);
        if (rc == CIP_OK)
            rc = cip_featpipe_transform(ctx, r->featpipe, tr, &w->tr_full);
        if (rc == CIP_OK && te != NULL)
            rc = cip_featpipe_transform(ctx, r->featpipe, te, &w->te_full);
        cip_frame_free(tr);
        cip_frame_free(te);
    } else {
        w->tr_full = tr;
        w->te_full = te;
    }
    if (rc == CIP_OK)
        rc = model_columns(ctx, w, r);
    if (rc == CIP_OK)
        rc = design(ctx, w->tr_full, r, &w->x_train);
    if (rc == CIP_OK && w->te_full != NULL)
        rc = design(ctx, w->te_full, r, &w->x_test);
    if (rc == CIP_OK)
        rc = gather(ctx, w->y_all, w->train, w->n_train, &w->y_train);
    if (rc == CIP_OK)
        rc = gather(ctx, w->y_all, w->test, w->n_test, &w->y_test);
    if (rc == CIP_OK && w->w_all != NULL)
        rc = gather(ctx, w->w_all, w->train, w->n_train, &w->w_train);
    return rc;
}

static cip_status make_grid(cip_ctx *ctx, const cip_train_params *p, cip_param_grid **out)
{
    const char *g = p->grid;
    char buf[512];
    if (g == NULL || g[0] == '\0')
        return cip_param_grid_new(ctx, out);
    int churn = p->task == CIP_TRAIN_CHURN;
    if (strcmp(g, "original") == 0) {
        snprintf(buf, sizeof buf, "%s%s", k_grid_original,
                 churn ? ";class_weight=balanced,none" : "");
        g = buf;
    } else if (strcmp(g, "production") == 0) {
        snprintf(buf, sizeof buf, "%s%s", k_grid_production, churn ? ";class_weight=balanced" : "");
        g = buf;
    }
    return cip_param_grid_parse(ctx, g, out);
}

/* Grid search with CV on the training rows, or a single fit without CV. */
static cip_status fit_model(cip_ctx *ctx, struct work *w, const cip_train_params *p,
                            const cip_estimator *est, cip_train_result *r)
{
    cip_status rc = make_grid(ctx, p, &w->grid);
    if (rc != CIP_OK)
        return rc;
    char buf[512];
    if (p->cv == 0) {
        if (cip_param_grid_size(w->grid) > 1)
            return cipi_fail(ctx, CIP_ERR_INVALID,
                             "a grid of %zu points needs cross-validation (cv >= 2)",
                             cip_param_grid_size(w->grid));
        cip_forest_params fp;
        rc = cip_param_grid_apply(ctx, w->grid, 0, est, &fp);
        if (rc == CIP_OK)
            rc = cip_forest_fit(ctx, w->x_train, w->y_train, w->w_train, &fp, &r->forest);
        cip_param_grid_format(w->grid, 0, buf, sizeof buf);
        r->best_params = cipi_strdup(ctx, buf);
        return rc != CIP_OK ? rc : r->best_params == NULL ? cipi_nomem(ctx) : CIP_OK;
    }
    cip_fold_params fo;
    cip_fold_params_default(&fo);
    fo.n_splits = p->cv;
    fo.n_repeats = p->cv_repeats > 1 ? p->cv_repeats : 1;
    fo.shuffle = fo.n_repeats > 1;
    fo.seed = p->seed;
    fo.kind = p->task == CIP_TRAIN_CHURN ? CIP_FOLD_STRATIFIED : CIP_FOLD_KFOLD;
    cip_split_data sd = {.n_rows = w->n_train, .y = w->y_train};
    uint32_t *group = NULL;
    if (p->split == CIP_SPLIT_GROUP) {
        size_t ng;
        fo.kind = CIP_FOLD_GROUP;
        group = cipi_mallocarray(ctx, w->n_train, sizeof *group);
        rc = group == NULL ? cipi_nomem(ctx)
                           : cip_group_rows(ctx, w->x_train, NULL, 0, NULL, group, &ng);
        sd.group = group;
    }
    if (rc == CIP_OK)
        rc = cip_folds_make(ctx, &sd, &fo, &w->folds);
    cipi_free(ctx, group);
    if (rc != CIP_OK)
        return rc;
    cip_search_params sp;
    cip_search_params_default(&sp);
    sp.scorer = p->task == CIP_TRAIN_CHURN ? CIP_SCORE_F1 : CIP_SCORE_R2;
    sp.n_iter = p->n_iter;
    sp.seed = p->seed;
    sp.parallel_tasks = cip_ctx_threads(ctx) > 1;
    cip_xy xy = {.x = w->x_train, .y = w->y_train, .w = w->w_train};
    rc = cip_search_run(ctx, est, w->grid, &xy, w->folds, &sp, &w->search);
    if (rc != CIP_OK)
        return rc;
    size_t best = cip_search_result_best(w->search);
    const cip_search_candidate *c = cip_search_result_candidate(w->search, best);
    r->n_candidates = cip_search_result_n_candidates(w->search);
    r->n_folds = cip_search_result_n_folds(w->search);
    r->cv_mean = c->mean_test;
    r->cv_std = c->std_test;
    r->cv_train_mean = c->mean_train;
    r->cv_scores = cipi_mallocarray(ctx, r->n_folds, sizeof *r->cv_scores);
    cip_param_grid_format(w->grid, c->point, buf, sizeof buf);
    r->best_params = cipi_strdup(ctx, buf);
    if (r->cv_scores == NULL || r->best_params == NULL)
        return cipi_nomem(ctx);
    memcpy(r->cv_scores, cip_search_result_fold_scores(w->search, best, 0),
           r->n_folds * sizeof *r->cv_scores);
    r->forest = cip_search_result_take_model(w->search);
    return CIP_OK;
}

#define ADD(name, v)                                                                               \
    do {                                                                                           \
        if ((rc = cipi_train_metric_add(ctx, r, (name), (v))) != CIP_OK)                           \
            return rc;                                                                             \
    } while (0)

static cip_status labels_u32(cip_ctx *ctx, const double *v, size_t n, double thr, uint32_t **out)
{
    *out = cipi_mallocarray(ctx, n ? n : 1, sizeof **out);
    if (*out == NULL)
        return cipi_nomem(ctx);
    for (size_t i = 0; i < n; i++)
        (*out)[i] = v[i] > thr;
    return CIP_OK;
}

/* Classification metrics of P(1) pred against 0/1 y, named prefix + name. */
static cip_status class_metrics(cip_ctx *ctx, cip_train_result *r, const char *prefix,
                                const double *y, const double *pred, size_t n, int full)
{
    uint32_t *yt = NULL, *yp = NULL;
    cip_status rc = labels_u32(ctx, y, n, 0.5, &yt);
    if (rc == CIP_OK)
        rc = labels_u32(ctx, pred, n, 0.5, &yp);
    cip_prf prf = {0, 0, 0};
    double acc = NAN, auc = NAN;
    if (rc == CIP_OK)
        rc = cip_metric_prf(ctx, yt, yp, n, NULL, &prf);
    if (rc == CIP_OK)
        rc = cip_metric_accuracy(ctx, yt, yp, NULL, n, &acc);
    if (rc == CIP_OK && full && cip_metric_roc_auc(ctx, yt, pred, NULL, n, &auc) != CIP_OK)
        auc = NAN; /* one class only */
    cipi_free(ctx, yt);
    cipi_free(ctx, yp);
    if (rc != CIP_OK)
        return rc;
    char nm[48];
    snprintf(nm, sizeof nm, "%sf1", prefix);
    ADD(nm, prf.f1);
    if (full) {
        /* the reference logged precision/recall/roc_auc of the test set without a prefix */
        int test = strcmp(prefix, "test_") == 0;
        snprintf(nm, sizeof nm, "%sprecision", test ? "" : prefix);
        ADD(nm, prf.precision);
        snprintf(nm, sizeof nm, "%srecall", test ? "" : prefix);
        ADD(nm, prf.recall);
        snprintf(nm, sizeof nm, "%saccuracy", prefix);
        ADD(nm, acc);
        snprintf(nm, sizeof nm, "%sroc_auc", test ? "" : prefix);
        ADD(nm, auc);
    }
    return CIP_OK;
}

static cip_status reg_metrics(cip_ctx *ctx, cip_train_result *r, const char *prefix,
                              const double *y, const double *pred, size_t n)
{
    cip_regression_metrics m;
    cip_status rc = cip_metric_regression(ctx, y, pred, NULL, n, &m);
    if (rc != CIP_OK)
        return rc;
    char nm[48];
    snprintf(nm, sizeof nm, "%sr2", prefix);
    ADD(nm, m.r2);
    snprintf(nm, sizeof nm, "%srmse", prefix);
    ADD(nm, m.rmse);
    snprintf(nm, sizeof nm, "%smae", prefix);
    ADD(nm, m.mae);
    return CIP_OK;
}

/* Baselines fitted on the training rows, scored on the evaluation rows. */
static cip_status baselines(cip_ctx *ctx, struct work *w, cip_train_result *r, const cip_frame *xe,
                            const double *ye, size_t ne)
{
    int churn = r->task == CIP_TRAIN_CHURN;
    static const cip_baseline_kind reg_kinds[] = {CIP_BASELINE_MEAN, CIP_BASELINE_RIDGE};
    static const cip_baseline_kind cls_kinds[] = {CIP_BASELINE_MAJORITY, CIP_BASELINE_LOGISTIC};
    double *pred = cipi_mallocarray(ctx, ne ? ne : 1, sizeof *pred);
    if (pred == NULL)
        return cipi_nomem(ctx);
    cip_status rc = CIP_OK;
    for (size_t k = 0; rc == CIP_OK && k < 2; k++) {
        cip_baseline_params bp;
        cip_baseline_params_default(&bp);
        bp.kind = churn ? cls_kinds[k] : reg_kinds[k];
        bp.standardize = 1;
        cip_estimator be;
        cip_baseline_estimator(&bp, &be);
        void *m = NULL;
        cip_status frc = be.fit(ctx, be.ud, w->x_train, w->y_train, NULL, &bp, &m);
        if (frc == CIP_OK)
            frc = be.predict(ctx, be.ud, m, xe, pred);
        be.free_model(be.ud, m);
        if (frc == CIP_ERR_NOMEM) {
            rc = frc;
            break;
        }
        char pre[48];
        snprintf(pre, sizeof pre, "baseline_%s_", cip_baseline_kind_name(bp.kind));
        if (frc != CIP_OK) { /* e.g. missing values: the baseline is not applicable */
            cipi_log(ctx, CIP_LOG_WARN, "%s baseline skipped: %s", be.name, cip_ctx_errmsg(ctx));
            cip_ctx_clear_error(ctx);
            continue;
        }
        if (churn)
            rc = class_metrics(ctx, r, pre, ye, pred, ne, 1);
        else
            rc = reg_metrics(ctx, r, pre, ye, pred, ne);
    }
    cipi_free(ctx, pred);
    return rc;
}

static cip_status all_metrics(cip_ctx *ctx, struct work *w, const cip_estimator *est,
                              cip_train_result *r)
{
    int churn = r->task == CIP_TRAIN_CHURN;
    size_t n = cip_frame_n_rows(w->data);
    cip_status rc;
    w->p_train = cipi_mallocarray(ctx, w->n_train, sizeof *w->p_train);
    w->p_test = cipi_mallocarray(ctx, w->n_test ? w->n_test : 1, sizeof *w->p_test);
    if (w->p_train == NULL || w->p_test == NULL)
        return cipi_nomem(ctx);
    rc = est->predict(ctx, est->ud, r->forest, w->x_train, w->p_train);
    if (rc == CIP_OK && w->n_test > 0)
        rc = est->predict(ctx, est->ud, r->forest, w->x_test, w->p_test);
    if (rc != CIP_OK)
        return rc;
    int has_test = w->n_test > 0;
    if (churn) {
        rc = class_metrics(ctx, r, "train_", w->y_train, w->p_train, w->n_train, !has_test);
        if (rc == CIP_OK && has_test)
            rc = class_metrics(ctx, r, "test_", w->y_test, w->p_test, w->n_test, 1);
    } else {
        rc = reg_metrics(ctx, r, "train_", w->y_train, w->p_train, w->n_train);
        if (rc == CIP_OK && has_test)
            rc = reg_metrics(ctx, r, "test_", w->y_test, w->p_test, w->n_test);
        double sd = NAN;
        if (rc == CIP_OK && n > 1)
            rc = cip_stats_std(ctx, w->y_all, n, 1, &sd);
        if (rc == CIP_OK && has_test)
            ADD("rmse_to_std_ratio", cip_train_result_metric(r, "test_rmse") / sd);
        if (rc == CIP_OK)
            ADD("target_std", sd);
    }
    if (rc == CIP_OK && r->n_folds > 0) {
        ADD(churn ? "cv_f1_mean" : "cv_r2_mean", r->cv_mean);
        ADD(churn ? "cv_f1_std" : "cv_r2_std", r->cv_std);
        ADD(churn ? "cv_train_f1_mean" : "cv_train_r2_mean", r->cv_train_mean);
        ADD("train_cv_gap", r->cv_train_mean - r->cv_mean);
    }
    if (rc != CIP_OK)
        return rc;
    if (has_test)
        return baselines(ctx, w, r, w->x_test, w->y_test, w->n_test);
    return baselines(ctx, w, r, w->x_train, w->y_train, w->n_train);
}

/* Permutation importance of the final forest on the held-out rows (else the training rows). */
static cip_status permutation(cip_ctx *ctx, const struct work *w, const cip_train_params *p,
                              cip_train_result *r)
{
    int test = w->n_test > 0;
    size_t nf = cip_forest_n_features(r->forest);
    r->perm_mean = cipi_mallocarray(ctx, nf ? nf : 1, sizeof *r->perm_mean);
    r->perm_std = cipi_mallocarray(ctx, nf ? nf : 1, sizeof *r->perm_std);
    if (r->perm_mean == NULL || r->perm_std == NULL)
        return cipi_nomem(ctx);
    cip_status rc = cip_forest_permutation_importance(
        ctx, r->forest, test ? w->x_test : w->x_train, test ? w->y_test : w->y_train,
        p->permutation_repeats, p->seed, r->perm_mean, r->perm_std);
    r->perm_repeats = rc == CIP_OK ? p->permutation_repeats : 0;
    r->perm_on_test = test;
    return rc;
}

static cip_status train_supervised(cip_ctx *ctx, const cip_frame *data, const cip_train_params *p,
                                   cip_train_result *r)
{
    struct work w;
    memset(&w, 0, sizeof w);
    w.data = data;
    int engineered = 0, customer = cipi_train_is_customer(data, &engineered);
    int raw = customer && !engineered;
    r->raw_input = raw;
    cip_forest_params fp = p->forest;
    fp.seed = p->seed; /* one seed for split, folds and trees */
    fp.task = p->task == CIP_TRAIN_CHURN ? CIP_FOREST_CLASSIFICATION : CIP_FOREST_REGRESSION;
    if (fp.task == CIP_FOREST_REGRESSION)
        fp.class_weight = CIP_FOREST_CW_NONE;
    cip_estimator est;
    cip_forest_estimator(&fp, &est);
    cip_status rc = cip_forest_params_check(ctx, &fp);
    if (rc == CIP_OK)
        rc = target_and_features(ctx, &w, p, customer, raw, r);
    if (rc == CIP_OK)
        rc = make_split(ctx, &w, p);
    if (rc == CIP_OK)
        rc = build_frames(ctx, &w, raw, r);
    if (rc == CIP_OK)
        rc = fit_model(ctx, &w, p, &est, r);
    if (rc == CIP_OK)
        rc = all_metrics(ctx, &w, &est, r);
    if (rc == CIP_OK && fp.oob_score)
        rc = cipi_train_metric_add(ctx, r, "oob_score", cip_forest_oob_score(r->forest));
    if (rc == CIP_OK && p->permutation_repeats > 0)
        rc = permutation(ctx, &w, p, r);
    if (rc == CIP_OK) {
        r->n_rows = cip_frame_n_rows(data);
        r->n_train = w.n_train;
        r->n_test = w.n_test;
        r->importances = cipi_mallocarray(ctx, r->n_features, sizeof *r->importances);
        if (r->importances == NULL)
            rc = cipi_nomem(ctx);
        else
            memcpy(r->importances, cip_forest_importances(r->forest),
                   r->n_features * sizeof *r->importances);
    }
    work_release(ctx, &w);
    return rc;
}

const char *const *cip_train_preset_features(cip_train_task task, cip_train_preset preset,
                                             size_t *n_out)
{
    int orig = preset == CIP_TRAIN_PRESET_ORIGINAL;
    const char *const *set = NULL;
    size_t n = 0;
    if (task == CIP_TRAIN_CHURN) {
        set = orig ? k_churn_original : k_churn_production;
        n = orig ? CIP_ARRAY_LEN(k_churn_original) : CIP_ARRAY_LEN(k_churn_production);
    } else if (task == CIP_TRAIN_CLV) {
        set = orig ? k_clv_original : k_clv_production;
        n = orig ? CIP_ARRAY_LEN(k_clv_original) : CIP_ARRAY_LEN(k_clv_production);
    }
    *n_out = n;
    return set;
}

const char *cip_train_task_name(cip_train_task t)
{
    switch (t) {
    case CIP_TRAIN_CLV:
        return "clv";
    case CIP_TRAIN_CHURN:
        return "churn";
    case CIP_TRAIN_SEGMENTS:
        return "segments";
    }
    return "unknown";
}

void cip_train_params_default(cip_train_params *p)
{
    memset(p, 0, sizeof *p);
    p->task = CIP_TRAIN_CLV;
    p->preset = CIP_TRAIN_PRESET_PRODUCTION;
    p->cv = 5;
    p->cv_repeats = 1;
    p->test_size = 0.2;
    p->split = -1;
    p->seed = 42;
    p->split_rng = CIP_SPLIT_RNG_NUMPY;
    p->label_column = "churn_risk_score";
    p->label_quantile = 0.75;
    p->label_decimals = 4;
    cip_forest_params_default(&p->forest);
    cip_kmeans_sweep_params_default(&p->kmeans);
    p->kmeans.km.standardize = 1;
    p->kmeans.km.n_init = 10;
    p->kmeans.km.seed = 42;
    p->kmeans.k_min = 2;
    p->kmeans.k_max = 8;
}

static cip_status params_check(cip_ctx *ctx, const cip_train_params *p)
{
    if (p->task != CIP_TRAIN_CLV && p->task != CIP_TRAIN_CHURN && p->task != CIP_TRAIN_SEGMENTS)
        return cipi_fail(ctx, CIP_ERR_INVALID, "unknown training task %d", (int)p->task);
    if (p->cv == 1)
        return cipi_fail(ctx, CIP_ERR_INVALID, "cv must be 0 (none) or >= 2, got 1");
    if (!(p->test_size >= 0.0) || !isfinite(p->test_size))
        return cipi_fail(ctx, CIP_ERR_INVALID, "test_size must be >= 0");
    if (p->split_rng != CIP_SPLIT_RNG_CIP && p->split_rng != CIP_SPLIT_RNG_NUMPY)
        return cipi_fail(ctx, CIP_ERR_INVALID, "unknown split random stream %d", p->split_rng);
    if (p->split_rng == CIP_SPLIT_RNG_NUMPY && p->seed > UINT32_MAX)
        return cipi_fail(ctx, CIP_ERR_INVALID,
                         "--split-rng numpy (the default) takes seeds 0..4294967295, as numpy's "
                         "RandomState; use --split-rng cip for larger seeds");
    if (p->split < -1 || p->split > CIP_SPLIT_TIME)
        return cipi_fail(ctx, CIP_ERR_INVALID, "unknown split kind %d", p->split);
    if (p->label_column == NULL || !(p->label_quantile >= 0.0 && p->label_quantile <= 1.0) ||
        p->label_decimals < -1 || p->label_decimals > 15)
        return cipi_fail(ctx, CIP_ERR_INVALID, "bad churn label rule");
    if (p->features != NULL && p->n_features == 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "empty feature list");
    return CIP_OK;
}

cip_status cip_train_run(cip_ctx *ctx, const cip_frame *data, const cip_train_params *p,
                         cip_train_result **out)
{
    *out = NULL;
    cip_status rc = params_check(ctx, p);
    if (rc != CIP_OK)
        return rc;
    if (cip_frame_n_rows(data) == 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "the table has no data rows (only a header)");
    cip_train_result *r = cipi_train_result_new(ctx);
    if (r == NULL)
        return cipi_nomem(ctx);
    r->task = p->task;
    r->label_threshold = NAN;
    r->cv_mean = r->cv_std = r->cv_train_mean = NAN;
    if (p->task == CIP_TRAIN_SEGMENTS)
        rc = cipi_train_segments(ctx, data, p, r);
    else
        rc = train_supervised(ctx, data, p, r);
    if (rc != CIP_OK) {
        cip_train_result_free(r);
        return rc;
    }
    *out = r;
    return CIP_OK;
}

double cip_train_result_metric(const cip_train_result *r, const char *name)
{
    for (size_t k = 0; k < r->n_metrics; k++)
        if (strcmp(r->metrics[k].name, name) == 0)
            return r->metrics[k].value;
    return NAN;
}
