/* cip/validate.h - train/test splits, cross-validation folds and parameter search
 *
 * Splits and folds are sets of row indices 0..n_rows-1 (ascending). Every random
 * choice comes from cip_rng streams of the given seed, so a seed gives the same
 * rows at any thread count. Sizes follow scikit-learn 1.2: a fractional
 * test_size gives ceil(test_size * n) test rows; stratified allocations keep each
 * class within one row of its exact share (StratifiedShuffleSplit,
 * StratifiedKFold); unshuffled KFold, StratifiedKFold and GroupKFold give
 * sklearn's exact folds.
 * A search fits a generic estimator (a table of callbacks) on every (candidate,
 * fold) pair of a parameter grid, scores the held-out rows and refits the best
 * candidate on all rows. Results do not depend on the thread count.
 * Ownership: splits, folds, grids and search results are immutable once made;
 * getters borrow until the object's _free. _free(NULL) is a no-op.
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_VALIDATE_H
#define CIP_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "cip/core.h"
#include "cip/data.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- what the splitters look at ---------------------------------------------------------- */
typedef struct cip_split_data {
    size_t n_rows;         /* rows to split (>= 2) */
    const double *y;       /* class label per row: stratified kinds (NULL otherwise) */
    const uint32_t *group; /* group id per row: group kinds; dense ids as from
                              cip_group_rows (memory grows with the largest id) */
    const double *order;   /* time/order key per row: CIP_SPLIT_TIME */
} cip_split_data;

/* Group ids: rows whose selected columns (and y, when y != NULL) are identical get
 * the same id; ids are dense, in order of first appearance. Values are compared
 * exactly by type: -0.0 equals 0.0, a float NaN counts as missing, a missing cell
 * equals only a missing cell, categories compare by code (one frame, one
 * dictionary). cols NULL = all columns. Writes group[n_rows] and *n_groups.
 * Errors: INVALID (column index), LIMIT (2^32 rows), NOMEM. Allocates scratch. */
CIP_API cip_status cip_group_rows(cip_ctx *ctx, const cip_frame *x, const size_t *cols,
                                  size_t n_cols, const double *y, uint32_t *group,
                                  size_t *n_groups);

/* --- one train/test split ---------------------------------------------------------------- */
typedef enum cip_split_kind {
    CIP_SPLIT_RANDOM = 0,     /* uniform over rows */
    CIP_SPLIT_STRATIFIED = 1, /* per-class counts as StratifiedShuffleSplit (needs y) */
    CIP_SPLIT_GROUP = 2,      /* whole groups to one side, test rows near the target (group) */
    CIP_SPLIT_TIME = 3        /* rows sorted by (order, row); the last ones are the test set */
} cip_split_kind;

typedef enum cip_split_rng {
    CIP_SPLIT_RNG_CIP = 0,  /* cip's counter-based stream (cip/rng.h), seed any uint64 */
    CIP_SPLIT_RNG_NUMPY = 1 /* numpy.random.RandomState(seed) as scikit-learn's
                               train_test_split(random_state=seed) uses it: the same
                               test rows as scikit-learn; seed must fit in 32 bits */
} cip_split_rng;

typedef struct cip_split_params {
    cip_split_kind kind; /* default CIP_SPLIT_RANDOM */
    double test_size;    /* (0,1): fraction, ceil(test_size*n) rows; >= 1: a row count
                            (integral). default 0.25 */
    uint64_t seed;       /* random stream seed; default 0 */
    int stratify;        /* CIP_SPLIT_GROUP: 1 = keep class shares using each group's
                            majority label in y; default 0 */
    cip_split_rng rng;   /* random and stratified kinds: whose random stream draws the
                            test rows; default CIP_SPLIT_RNG_CIP */
} cip_split_params;

typedef struct cip_split cip_split; /* opaque */

CIP_API void cip_split_params_default(cip_split_params *p);
/* Make a split. Errors: INVALID (sizes, fewer than 2 classes/groups, a class with
 * one row, NaN label or order), MISUSE (input the kind needs is NULL), NOMEM. */
CIP_API cip_status cip_split_make(cip_ctx *ctx, const cip_split_data *d, const cip_split_params *p,
                                  cip_split **out);
/* Ascending row indices (borrowed) and their count. */
CIP_API const size_t *cip_split_train(const cip_split *s, size_t *n);
CIP_API const size_t *cip_split_test(const cip_split *s, size_t *n);
CIP_API void cip_split_free(cip_split *s);

/* --- cross-validation folds -------------------------------------------------------------- */
typedef enum cip_fold_kind {
    CIP_FOLD_KFOLD = 0,      /* sklearn KFold: first n % k folds have one row more */
    CIP_FOLD_STRATIFIED = 1, /* sklearn StratifiedKFold allocation (needs y) */
    CIP_FOLD_GROUP = 2       /* sklearn GroupKFold: largest groups first, to the lightest
                                fold (needs group); shuffle randomises equal-size ties */
} cip_fold_kind;

typedef struct cip_fold_params {
    cip_fold_kind kind; /* default CIP_FOLD_KFOLD */
    size_t n_splits;    /* k >= 2; default 5 */
    size_t n_repeats;   /* >= 1; repeat r reshuffles with stream r (needs shuffle); default 1 */
    int shuffle;        /* 1 = shuffle rows before assigning folds; default 0 (as sklearn) */
    uint64_t seed;      /* default 0 */
} cip_fold_params;

typedef struct cip_folds cip_folds; /* opaque */

CIP_API void cip_fold_params_default(cip_fold_params *p);
/* Assign folds. Split i (0 <= i < n_splits*n_repeats) is fold i % k of repeat i / k.
 * Errors: INVALID (k > rows, k > groups, k above every class count, NaN label),
 * MISUSE, NOMEM. */
CIP_API cip_status cip_folds_make(cip_ctx *ctx, const cip_split_data *d, const cip_fold_params *p,
                                  cip_folds **out);
CIP_API size_t cip_folds_count(const cip_folds *f);  /* n_splits * n_repeats */
CIP_API size_t cip_folds_n_rows(const cip_folds *f); /* rows covered */
/* Fold of each row in `repeat` (borrowed, n_rows entries). */
CIP_API const uint32_t *cip_folds_assignment(const cip_folds *f, size_t repeat);
/* Rows held out by split i. */
CIP_API size_t cip_folds_n_test(const cip_folds *f, size_t i);
/* Write split i's ascending train rows (n_rows - n_test of them) and test rows into
 * caller buffers; either may be NULL. Errors: INVALID (i out of range). */
CIP_API cip_status cip_folds_get(cip_ctx *ctx, const cip_folds *f, size_t i, size_t *train,
                                 size_t *test);
CIP_API void cip_folds_free(cip_folds *f);

/* --- estimators, parameters and scores ------------------------------------------------------ */
typedef enum cip_param_kind {
    CIP_PARAM_NUM = 0,
    CIP_PARAM_STR = 1,
    CIP_PARAM_NONE = 2
} cip_param_kind;

typedef struct cip_param_value {
    cip_param_kind kind; /* number, string or none (Python None, "use the default") */
    double num;          /* CIP_PARAM_NUM */
    const char *str;     /* CIP_PARAM_STR; borrowed from the grid */
} cip_param_value;

/* What predict writes per row. */
typedef enum cip_output {
    CIP_OUTPUT_VALUE = 0, /* a regression value */
    CIP_OUTPUT_PROBA = 1, /* P(y = 1) for a 0/1 target */
    CIP_OUTPUT_LABEL = 2  /* a class label */
} cip_output;

/* A model family seen through callbacks. `ud` is passed back unchanged. The ctx a
 * callback gets is the only one it may touch; in a parallel search each worker has
 * its own ctx (1 thread, the caller's allocator). */
typedef struct cip_estimator {
    const char *name;   /* for messages, e.g. "forest" */
    void *ud;           /* user data for every callback */
    cip_output output;  /* what predict writes */
    size_t params_size; /* bytes of the params struct */
    const void *params; /* base params (borrowed), copied per candidate, then set_param */
    int thread_safe;    /* 1 = fit/predict may run concurrently with separate ctxs */
    /* Set one named parameter in *params. Unknown name or kind: CIP_ERR_INVALID. */
    cip_status (*set_param)(cip_ctx *ctx, void *ud, void *params, const char *name,
                            const cip_param_value *v);
    /* Fit on x (rows), y[n_rows], w[n_rows] (NULL = unit weights); *model on success. */
    cip_status (*fit)(cip_ctx *ctx, void *ud, const cip_frame *x, const double *y, const double *w,
                      const void *params, void **model);
    /* Write one prediction per row of x into out[n_rows]. */
    cip_status (*predict)(cip_ctx *ctx, void *ud, const void *model, const cip_frame *x,
                          double *out);
    void (*free_model)(void *ud, void *model); /* NULL model is a no-op */
} cip_estimator;

/* Built-in scores; greater is better (errors are negated, as sklearn's neg_*). */
typedef enum cip_scorer {
    CIP_SCORE_R2 = 0,
    CIP_SCORE_NEG_RMSE = 1,
    CIP_SCORE_NEG_MAE = 2,
    CIP_SCORE_ACCURACY = 3,     /* PROBA thresholded at p > 0.5; LABEL compared exactly */
    CIP_SCORE_F1 = 4,           /* binary, positive class 1; 0 when undefined */
    CIP_SCORE_ROC_AUC = 5,      /* binary; NaN when a fold has one class */
    CIP_SCORE_NEG_LOG_LOSS = 6, /* binary PROBA, clipped to [eps, 1-eps] */
    CIP_SCORE_CUSTOM = 7        /* cip_search_params.score_fn */
} cip_scorer;

typedef double (*cip_score_fn)(void *ud, const double *y, const double *pred, size_t n);

/* sklearn names: "r2", "neg_root_mean_squared_error" (or "neg_rmse"),
 * "neg_mean_absolute_error" ("neg_mae"), "accuracy", "f1", "roc_auc", "neg_log_loss".
 * Errors: INVALID (the message lists the names). */
CIP_API cip_status cip_scorer_parse(cip_ctx *ctx, const char *name, cip_scorer *out);
CIP_API const char *cip_scorer_name(cip_scorer s);
/* *out = score of pred[n] against y[n] (not CUSTOM); NaN when undefined (one class
 * for roc_auc, n == 0). Errors: INVALID (f1/roc_auc/log loss need a 0/1 y; accuracy
 * and f1 need PROBA or LABEL, log loss PROBA). Allocates: roc_auc only. */
CIP_API cip_status cip_score(cip_ctx *ctx, cip_scorer s, cip_output kind, const double *y,
                             const double *pred, size_t n, double *out);

/* --- parameter grids ------------------------------------------------------------------------ */
/* Named parameters, each with a list of values. Points are the cartesian product
 * with names sorted (strcmp) and the last name varying fastest: sklearn's
 * ParameterGrid order. A grid without parameters has one empty point. */
typedef struct cip_param_grid cip_param_grid; /* opaque */

CIP_API cip_status cip_param_grid_new(cip_ctx *ctx, cip_param_grid **out);
/* Add a parameter with n >= 1 values (strings copied). Errors: CONFLICT (name
 * present), INVALID (empty name, n == 0, non-finite number), LIMIT (2^32 points). */
CIP_API cip_status cip_param_grid_add(cip_ctx *ctx, cip_param_grid *g, const char *name,
                                      const cip_param_value *vals, size_t n);
/* Parse "n_estimators=50,100;max_depth=5,10,none;max_features=sqrt,0.5": ';' between
 * parameters, ',' between values; a value is a number, none/null (any case), or a
 * string. Errors: PARSE naming the bad token and its column; as _add. */
CIP_API cip_status cip_param_grid_parse(cip_ctx *ctx, const char *text, cip_param_grid **out);
CIP_API size_t cip_param_grid_size(const cip_param_grid *g);                /* points */
CIP_API size_t cip_param_grid_n_params(const cip_param_grid *g);            /* names */
CIP_API const char *cip_param_grid_name(const cip_param_grid *g, size_t k); /* k-th sorted */
/* Value of parameter k at point `point` (its str borrowed from g). */
CIP_API cip_param_value cip_param_grid_value(const cip_param_grid *g, size_t point, size_t k);
/* Copy est->params into params (est->params_size bytes) and apply the point's values
 * with est->set_param in name order. Errors: INVALID (from set_param, prefixed). */
CIP_API cip_status cip_param_grid_apply(cip_ctx *ctx, const cip_param_grid *g, size_t point,
                                        const cip_estimator *est, void *params);
/* "max_depth=5;n_estimators=50" into buf (truncated to size); returns the full length. */
CIP_API size_t cip_param_grid_format(const cip_param_grid *g, size_t point, char *buf, size_t size);
CIP_API void cip_param_grid_free(cip_param_grid *g);

/* --- search ------------------------------------------------------------------------------------
 */
typedef struct cip_search_params {
    cip_scorer scorer;     /* default CIP_SCORE_R2 */
    cip_score_fn score_fn; /* CIP_SCORE_CUSTOM: called from worker threads */
    void *score_ud;        /* its user data */
    size_t n_iter;         /* 0 = every grid point (grid search); k > 0 = random search over
                              min(k, size) distinct points, in draw order. default 0 */
    uint64_t seed;         /* random search draw; default 0 */
    int train_scores;      /* 1 = also score the training rows; default 1 */
    int refit;             /* 1 = fit the best candidate on all rows; default 1 */
    int parallel_tasks;    /* 1 = run (candidate, fold) fits in parallel, 1 thread each
                              (needs est->thread_safe and a thread-safe allocator);
                              0 = one fit at a time with the ctx's threads. default 1 */
} cip_search_params;

typedef struct cip_xy {
    const cip_frame *x; /* features; every column is passed to the estimator */
    const double *y;    /* target[n_rows] */
    const double *w;    /* sample weights[n_rows] or NULL */
} cip_xy;

typedef struct cip_search_candidate {
    size_t point;      /* grid point index */
    double mean_test;  /* mean fold score on held-out rows */
    double std_test;   /* population std (ddof 0) of those, as sklearn */
    double mean_train; /* on training rows; NaN unless train_scores */
    double std_train;
    double gap;  /* mean_train - mean_test: an overfitting signal */
    size_t rank; /* 1 = best; ties share the lowest rank; NaN means rank last */
} cip_search_candidate;

typedef struct cip_search_result cip_search_result; /* opaque */

CIP_API void cip_search_params_default(cip_search_params *p);
/* Cross-validate every candidate on `folds` (made for data->x's rows) and refit the
 * best (the first of the lowest rank). Cross-validating one configuration is a
 * search over an empty grid. Errors: from the estimator (prefixed with the
 * candidate and fold), INVALID, MISUSE, NOMEM. Allocates. Parallel: see
 * parallel_tasks; progress stage "search" counts fits. */
CIP_API cip_status cip_search_run(cip_ctx *ctx, const cip_estimator *est,
                                  const cip_param_grid *grid, const cip_xy *data,
                                  const cip_folds *folds, const cip_search_params *p,
                                  cip_search_result **out);
CIP_API size_t cip_search_result_n_candidates(const cip_search_result *r);
CIP_API size_t cip_search_result_n_folds(const cip_search_result *r);
CIP_API const cip_search_candidate *cip_search_result_candidate(const cip_search_result *r,
                                                                size_t i);
/* Per-fold scores of candidate i (n_folds; train ones NaN unless train_scores). */
CIP_API const double *cip_search_result_fold_scores(const cip_search_result *r, size_t i,
                                                    int train);
CIP_API size_t cip_search_result_best(const cip_search_result *r); /* candidate index */
/* The refit model (NULL without refit). take_model moves it to the caller, who frees
 * it with est->free_model; later calls return NULL. */
CIP_API const void *cip_search_result_model(const cip_search_result *r);
CIP_API void *cip_search_result_take_model(cip_search_result *r);
CIP_API void cip_search_result_free(cip_search_result *r);

#ifdef __cplusplus
}
#endif
#endif /* CIP_VALIDATE_H */
