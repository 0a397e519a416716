/* cip/train.h - the product's training tasks: CLV regression, churn classification, segments
 *
 * Composes the feature pipeline, random forest, k-means, validation (splits,
 * folds, grid search), baselines and metrics into the three training tasks of
 * the reference project:
 *   clv       forest regressor on purchase_amount;
 *   churn     forest classifier on the churn label (churn_risk_score above its
 *             75th percentile, rounded to 4 decimals; the rule is a parameter);
 *   segments  k-means on standardised features, k chosen by silhouette.
 * Order of work for clv/churn: target (the label rule is fitted on all rows:
 * it defines the target), train/test split, feature pipeline fitted on the
 * training rows only (raw customer tables), one-hot encoding of categorical
 * features (levels of the training rows), grid search with k-fold CV on the
 * training rows, refit of the best candidate on all training rows, held-out
 * metrics, baselines fitted on the same training rows.
 * Ownership: a cip_train_result owns everything it points to; free it with
 * cip_train_result_free(). Results do not depend on the thread count.
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_TRAIN_H
#define CIP_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "cip/core.h"
#include "cip/data.h"
#include "cip/features.h"
#include "cip/forest.h"
#include "cip/kmeans.h"
#include "cip/validate.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- the forest seen as a generic estimator ----------------------------------------------- */
/* Fill *est for params p (borrowed: must outlive *est). output: VALUE for regression,
 * PROBA (P(y == 1), targets coded 0/1) for classification. Searchable names:
 * n_estimators, max_depth (none = unlimited), min_samples_split, min_samples_leaf,
 * max_features (sqrt, log2, none = all, a number < 1 = fraction, >= 1 = count),
 * class_weight (balanced, balanced_subsample, none), criterion (gini, entropy, mse,
 * squared_error), bootstrap and oob_score (true/false or 1/0), max_samples (none, a
 * fraction in (0, 1] with 1 = every row, or a count > 1), min_impurity_decrease, seed.
 * Models are cip_forest
 * pointers. Thread-safe: yes. Allocates: no. */
CIP_API void cip_forest_estimator(const cip_forest_params *p, cip_estimator *est);

/* --- tasks ---------------------------------------------------------------------------------- */
typedef enum cip_train_task {
    CIP_TRAIN_CLV = 0,     /* regression */
    CIP_TRAIN_CHURN = 1,   /* binary classification */
    CIP_TRAIN_SEGMENTS = 2 /* k-means */
} cip_train_task;

/* "clv", "churn", "segments". */
CIP_API const char *cip_train_task_name(cip_train_task t);

/* Which reference feature set / grid to use on the customer schema. */
typedef enum cip_train_preset {
    CIP_TRAIN_PRESET_PRODUCTION = 0, /* clv_production / churn_production features */
    CIP_TRAIN_PRESET_ORIGINAL = 1    /* clv_original / churn_original features */
} cip_train_preset;

/* The reference feature set of `preset` for task CLV or CHURN on the customer schema: a static
 * array of *n_out column names (NULL, *n_out = 0 for SEGMENTS). Never allocates or fails. */
CIP_API const char *const *cip_train_preset_features(cip_train_task task, cip_train_preset preset,
                                                     size_t *n_out);

typedef struct cip_train_params {
    cip_train_task task;         /* default CIP_TRAIN_CLV */
    const char *target;          /* target column; NULL = purchase_amount (clv), the churn
                                    label (churn; a 0/1 or bool column when given) */
    const char *const *features; /* feature columns; NULL = the reference set of `preset` on
                                    the customer schema, else every column but the target
                                    and id columns (id, user_id, customer_id) */
    size_t n_features;
    cip_train_preset preset;        /* default PRODUCTION */
    const char *grid;               /* NULL or "" = no search (forest params as given);
                                       "original", "production" (the reference grids; their
                                       class_weight only for churn) or a spec as
                                       cip_param_grid_parse. default NULL */
    size_t cv;                      /* folds (>= 2) or 0 = no cross-validation; default 5 */
    size_t cv_repeats;              /* >= 1; > 1: repeated k-fold, rows shuffled anew for
                                       each repeat (sklearn's RepeatedKFold / Repeated-
                                       StratifiedKFold); default 1 (unshuffled, as
                                       GridSearchCV's default folds) */
    size_t n_iter;                  /* 0 = grid search; k > 0 = random search over
                                       min(k, grid size) distinct points; default 0 */
    double test_size;               /* as cip_split_params; 0 = train on all rows; default 0.2 */
    int split;                      /* cip_split_kind, or -1 = auto: stratified for churn,
                                       random otherwise. GROUP groups identical feature rows;
                                       TIME orders by row position. default -1 */
    uint64_t seed;                  /* split, folds and forest seed; default 42 */
    int split_rng;                  /* cip_split_rng of random/stratified splits:
                                       CIP_SPLIT_RNG_NUMPY draws the test rows as
                                       scikit-learn's train_test_split(random_state=
                                       seed) does; default CIP_SPLIT_RNG_NUMPY */
    const char *label_column;       /* churn label rule column; default "churn_risk_score" */
    double label_quantile;          /* label = column > this quantile; default 0.75 */
    int label_decimals;             /* round the column first (-1 = no); default 4 */
    const char *weight_column;      /* per-row sample weights (numeric, finite, >= 0) used to
                                       fit every forest (CV folds and the refit); never a
                                       feature; metrics stay unweighted, as scikit-learn's
                                       scorers without sample_weight. default NULL */
    int permutation_repeats;        /* > 0: permutation importance of the final forest on the
                                       held-out rows (training rows without them), this many
                                       shuffles per feature; default 0 = none */
    cip_forest_params forest;       /* base forest params (task set by the trainer); with
                                       oob_score the metric "oob_score" (R^2 or accuracy) */
    cip_kmeans_sweep_params kmeans; /* segments: sweep (standardize=1, k 2..8, n_init 10) */
} cip_train_params;

CIP_API void cip_train_params_default(cip_train_params *p);

typedef struct cip_train_metric {
    char name[48]; /* MLflow-style name, e.g. "test_r2" */
    double value;
} cip_train_metric;

typedef struct cip_train_result {
    cip_train_task task;
    char *target;           /* target / label name */
    char *label_rule;       /* "churn_risk_score > q0.75" or NULL */
    double label_threshold; /* NaN unless a label rule was applied */
    int raw_input;          /* 1 = the feature pipeline was fitted (raw customer table) */
    size_t n_rows, n_train, n_test;
    size_t n_features;      /* model columns (after one-hot) */
    char **features;        /* their names; one-hot columns are "col=level" */
    double *importances;    /* forest importances [n_features] or NULL */
    double *perm_mean;      /* permutation importances [n_features] (mean score drop) or NULL */
    double *perm_std;       /* their standard deviations over the repeats, or NULL */
    int perm_repeats;       /* repeats behind perm_mean (0 = not computed) */
    int perm_on_test;       /* 1: computed on the held-out rows, 0: on the training rows */
    char *best_params;      /* chosen grid point "a=1;b=2" ("" without a grid) */
    size_t n_candidates;    /* grid points searched (0 without CV) */
    size_t n_folds;         /* CV folds (0 without CV) */
    double *cv_scores;      /* best candidate's fold scores [n_folds] */
    double cv_mean, cv_std; /* NaN without CV */
    double cv_train_mean;   /* mean train-fold score of the best candidate */
    size_t n_metrics;
    cip_train_metric *metrics;
    /* segments */
    size_t n_k;
    cip_kmeans_sweep_point *sweep; /* [n_k] */
    /* fitted models (owned; NULL when not used) */
    cip_forest *forest;
    cip_featpipe *featpipe;
    cip_kmeans *kmeans;
} cip_train_result;

/* Run the task of p on data. Errors: SCHEMA / NOT_FOUND (columns), INVALID (params,
 * too few rows or classes), and those of the modules used; NOMEM. On CIP_OK *out owns a
 * result. Allocates. Parallel: ctx threads (search, forest, k-means); progress is
 * reported by those modules (e.g. validate's "search" stage). */
CIP_API cip_status cip_train_run(cip_ctx *ctx, const cip_frame *data, const cip_train_params *p,
                                 cip_train_result **out);
/* Value of the metric called name, or NaN. */
CIP_API double cip_train_result_metric(const cip_train_result *r, const char *name);
CIP_API void cip_train_result_free(cip_train_result *r); /* NULL is a no-op */

/* --- preparing rows for a trained model -------------------------------------------------- */
/* Build the model input for `data`: when fp is non-NULL and data lacks the engineered
 * columns, transform it with fp; then add any "col=level" one-hot column of names[] from
 * the categorical column col. The result has every column of the input plus the added
 * ones. Errors: SCHEMA (a name can be neither found nor built), NOMEM. Allocates. */
CIP_API cip_status cip_train_prepare(cip_ctx *ctx, const cip_frame *data, const cip_featpipe *fp,
                                     const char *const *names, size_t n_names, cip_frame **out);

/* Model bundle: directory with manifest.json, model.forest or model.kmeans and
 * featpipe.txt when a pipeline was fitted. Errors: IO, NOMEM. */
CIP_API cip_status cip_train_save_bundle(cip_ctx *ctx, const cip_train_result *r, const char *dir);

#ifdef __cplusplus
}
#endif
#endif /* CIP_TRAIN_H */
