/* cip/forest.h - random-forest regressor and classifier (CART + bagging)
 *
 * A cip_forest is fitted from a numeric cip_frame (int, float and bool
 * columns; NaN / missing values allowed and routed natively) and is
 * immutable afterwards: every predict function may run concurrently on one
 * shared forest. Semantics follow scikit-learn 1.2's RandomForest* (same
 * parameters and defaults, thresholds at midpoints between values, NaN
 * routing as sklearn >= 1.3, same importance normalisation). Large nodes
 * search splits on histograms of features binned to at most 255 value bins
 * (one per value when a feature has at most 255 distinct values) + 1
 * missing bin; nodes of at most 1,024 rows use exact values. Fitting is
 * parallel over trees and deterministic: the same params and seed give a
 * byte-identical model file for any thread count.
 * Predict matches columns by name; extra columns are ignored.
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_FOREST_H
#define CIP_FOREST_H

#include <stddef.h>
#include <stdint.h>

#include "cip/core.h"
#include "cip/data.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cip_forest cip_forest; /* opaque */

typedef enum cip_forest_task {
    CIP_FOREST_REGRESSION = 0,
    CIP_FOREST_CLASSIFICATION = 1
} cip_forest_task;

typedef enum cip_forest_criterion {
    CIP_FOREST_CRIT_AUTO = 0,   /* mse for regression, gini for classification */
    CIP_FOREST_CRIT_MSE = 1,    /* squared error (regression) */
    CIP_FOREST_CRIT_GINI = 2,   /* Gini impurity (classification) */
    CIP_FOREST_CRIT_ENTROPY = 3 /* Shannon entropy, log2 (classification) */
} cip_forest_criterion;

typedef enum cip_forest_max_features {
    CIP_FOREST_MAXF_AUTO = 0,     /* sklearn 1.2: all for regression, sqrt for classification */
    CIP_FOREST_MAXF_SQRT = 1,     /* max(1, floor(sqrt(p))) */
    CIP_FOREST_MAXF_LOG2 = 2,     /* max(1, floor(log2(p))) */
    CIP_FOREST_MAXF_FRACTION = 3, /* max(1, floor(value * p)), value in (0, 1] */
    CIP_FOREST_MAXF_COUNT = 4,    /* value features, 1 <= value <= p */
    CIP_FOREST_MAXF_ALL = 5       /* p */
} cip_forest_max_features;

typedef enum cip_forest_max_samples {
    CIP_FOREST_SAMPLES_ALL = 0,      /* bootstrap sample of n rows */
    CIP_FOREST_SAMPLES_FRACTION = 1, /* max(1, round(value * n)), value in (0, 1] */
    CIP_FOREST_SAMPLES_COUNT = 2     /* value rows, 1 <= value <= n */
} cip_forest_max_samples;

typedef enum cip_forest_class_weight {
    CIP_FOREST_CW_NONE = 0,
    CIP_FOREST_CW_BALANCED = 1,          /* n / (K * count_k) over the full y */
    CIP_FOREST_CW_BALANCED_SUBSAMPLE = 2 /* the same on each tree's bootstrap sample */
} cip_forest_class_weight;

typedef struct cip_forest_params {
    cip_forest_task task;                 /* default CIP_FOREST_REGRESSION */
    int n_estimators;                     /* trees, 1..100000; default 100 */
    cip_forest_criterion criterion;       /* default AUTO */
    int max_depth;                        /* 0 = unlimited (default); else >= 1 */
    int min_samples_split;                /* >= 2; default 2 (distinct rows in a node) */
    int min_samples_leaf;                 /* >= 1; default 1 */
    cip_forest_max_features max_features; /* default AUTO */
    double max_features_value;            /* fraction or count for FRACTION / COUNT */
    double min_impurity_decrease;         /* >= 0, sklearn's weighted formula; default 0 */
    int bootstrap;                        /* 1 = bootstrap rows per tree (default), 0 = all */
    cip_forest_max_samples max_samples;   /* default ALL; needs bootstrap */
    double max_samples_value;             /* fraction or count for FRACTION / COUNT */
    cip_forest_class_weight class_weight; /* default NONE; classification only */
    uint64_t seed;                        /* tree t uses RNG stream (seed, t); default 0 */
    int oob_score;                        /* 1 = compute OOB predictions + score; default 0 */
} cip_forest_params;

/* Summary of a fitted forest (cip_forest_get_info). */
typedef struct cip_forest_info {
    cip_forest_params params; /* as fitted, AUTO values resolved */
    size_t n_trees;           /* == params.n_estimators */
    size_t n_features;        /* columns used at fit */
    size_t n_classes;         /* 0 for regression */
    size_t n_train_rows;      /* rows of the training frame */
    uint64_t n_nodes;         /* nodes over all trees */
    uint64_t n_leaves;        /* leaves over all trees */
    int max_depth;            /* deepest leaf over all trees (root = depth 0) */
    double mean_depth;        /* mean over trees of each tree's max depth */
    double oob_score;         /* R^2 or accuracy; NaN when not computed */
    uint64_t fingerprint;     /* hash of the training x and y */
    size_t model_bytes;       /* memory held by the tree arrays */
    size_t mtry;              /* features examined per split (max_features resolved) */
} cip_forest_info;

/* --- configuration ---------------------------------------------------------- */
CIP_API void cip_forest_params_default(cip_forest_params *p);
/* Validate p (ranges, criterion vs task, class_weight / oob_score vs
 * bootstrap). Errors: CIP_ERR_INVALID naming the field. ctx may not be NULL. */
CIP_API cip_status cip_forest_params_check(cip_ctx *ctx, const cip_forest_params *p);

/* --- fitting ------------------------------------------------------------------ */
/* Fit a forest on x (every column is a feature; int/float/bool only) and
 * target y[n_rows] (class labels as any finite values for classification:
 * they are sorted and kept as the model's classes). sample_weight[n_rows]
 * (>= 0, finite) may be NULL. On CIP_OK *out owns the forest (free with
 * cip_forest_free); on error *out is NULL.
 * Errors: CIP_ERR_INVALID (params, NaN in y or weights, empty frame),
 * CIP_ERR_SCHEMA (a categorical column: one-hot encode it first),
 * CIP_ERR_LIMIT (> 65535 features, > 256 classes, > 2^31 rows), CIP_ERR_NOMEM.
 * Allocates. Parallel: over trees (or over features of large nodes when
 * there are fewer trees than threads); the ctx allocator must be thread-safe
 * when the ctx has more than one thread. */
CIP_API cip_status cip_forest_fit(cip_ctx *ctx, const cip_frame *x, const double *y,
                                  const double *sample_weight, const cip_forest_params *p,
                                  cip_forest **out);

/* --- prediction (read-only on f; thread-safe) ------------------------------------ */
/* out[n_rows]: mean of the trees (regression) or the class value with the
 * highest mean probability (classification; first class on ties).
 * Errors: CIP_ERR_SCHEMA (a model column is missing or categorical; the
 * message names it), CIP_ERR_INVALID (out_len != n_rows), CIP_ERR_NOMEM.
 * Allocates: small per-thread buffers. Parallel: over row blocks. */
CIP_API cip_status cip_forest_predict(cip_ctx *ctx, const cip_forest *f, const cip_frame *x,
                                      double *out, size_t out_len);
/* out[n_rows * n_classes], row-major: mean over trees of the leaf class
 * fractions. Errors: as cip_forest_predict; CIP_ERR_INVALID for regression. */
CIP_API cip_status cip_forest_predict_proba(cip_ctx *ctx, const cip_forest *f, const cip_frame *x,
                                            double *out, size_t out_len);
/* One row given as doubles in model feature order (NaN = missing) into
 * out[0] (as cip_forest_predict). No ctx, no allocation. Errors:
 * CIP_ERR_MISUSE (NULL argument). */
CIP_API cip_status cip_forest_predict_row(const cip_forest *f, const double *row, double *out);
/* As cip_forest_predict_row, class probabilities into out[n_classes];
 * CIP_ERR_MISUSE for a regression forest. */
CIP_API cip_status cip_forest_predict_proba_row(const cip_forest *f, const double *row,
                                                double *out);

/* --- explanations (read-only on f; thread-safe) ------------------------------------ */
/* Exact path-dependent TreeSHAP (Lundberg et al. 2018, Algorithm 2) of one
 * row x (cip_forest_n_features values in model feature order, NaN = missing:
 * it follows each split's learned missing side), averaged over the trees.
 * Regression: contributions to the predicted value; classification: to the
 * mean probability of class index cls (0-based, as cip_forest_classes).
 * out[n_features + 1]: out[j] is feature j's contribution and
 * out[n_features] the expected value (bias: the training-cover-weighted mean
 * leaf value), so sum(out) equals the prediction up to rounding; a feature
 * no tree splits on gets exactly 0. Cost O(leaves * depth^2) per tree.
 * Errors: CIP_ERR_MISUSE (NULL), CIP_ERR_INVALID (cls >= n_classes; a model
 * read from a version-1 file, which has no node covers), CIP_ERR_LIMIT (a
 * tree deeper than 1000), CIP_ERR_NOMEM. Allocates O(depth^2) scratch. */
CIP_API cip_status cip_forest_shap_row(cip_ctx *ctx, const cip_forest *f, const double *x,
                                       size_t cls, double *out);
/* Regression only: the q and 1 - q quantiles (linear interpolation between
 * order statistics, as numpy's default) of the per-tree predictions of row x
 * (as cip_forest_shap_row), e.g. q = 0.1 for a central 80% band, into *lo
 * and *hi. Errors: CIP_ERR_MISUSE (NULL), CIP_ERR_INVALID (classification
 * forest, q outside [0, 0.5]), CIP_ERR_NOMEM. Allocates n_trees doubles. */
CIP_API cip_status cip_forest_interval_row(cip_ctx *ctx, const cip_forest *f, const double *x,
                                           double q, double *lo, double *hi);

/* --- inspection (borrowed results valid until cip_forest_free(f)) ------------------ */
CIP_API void cip_forest_get_info(const cip_forest *f, cip_forest_info *info);
CIP_API size_t cip_forest_n_trees(const cip_forest *f);
CIP_API size_t cip_forest_n_features(const cip_forest *f);
CIP_API const char *cip_forest_feature_name(const cip_forest *f, size_t j); /* NULL if j >= p */
CIP_API cip_type cip_forest_feature_type(const cip_forest *f, size_t j);
/* Class values in sorted order (n_classes of them); NULL for regression. */
CIP_API const double *cip_forest_classes(const cip_forest *f, size_t *n_classes);
/* Impurity importances (sklearn feature_importances_): per tree normalised
 * to sum 1, averaged over trees with a split, normalised again. p values. */
CIP_API const double *cip_forest_importances(const cip_forest *f);
/* OOB score (R^2 / accuracy) or NaN when oob_score was 0 or never computed. */
CIP_API double cip_forest_oob_score(const cip_forest *f);
/* OOB predictions from the fit (not saved in model files): n_rows values
 * (regression) or n_rows * n_classes probabilities (classification); rows
 * that were never out of bag are NaN. NULL when unavailable. */
CIP_API const double *cip_forest_oob_prediction(const cip_forest *f, size_t *len);

/* Permutation importance on a held-out set: for each feature, the mean and
 * (population) standard deviation over n_repeats of (score - score with that
 * column shuffled); score is R^2 or accuracy. Row permutation (j, r) uses
 * RNG stream (seed, j * n_repeats + r), so results do not depend on threads.
 * mean and std are p values each (std may be NULL).
 * Errors: as cip_forest_predict; CIP_ERR_INVALID (n_repeats < 1, NaN in y).
 * Allocates. Parallel: over (feature, repeat) pairs. */
CIP_API cip_status cip_forest_permutation_importance(cip_ctx *ctx, const cip_forest *f,
                                                     const cip_frame *x, const double *y,
                                                     int n_repeats, uint64_t seed, double *mean,
                                                     double *std);

/* --- persistence (format: docs/FORMATS.md "forest model") ------------------------- */
/* Write f to path atomically. Errors: CIP_ERR_IO, CIP_ERR_NOMEM. */
CIP_API cip_status cip_forest_save(cip_ctx *ctx, const cip_forest *f, const char *path);
/* Serialise f into a new buffer *out (len bytes) owned by the caller and
 * freed with cip_forest_buf_free(ctx, *out). Errors: CIP_ERR_NOMEM. */
CIP_API cip_status cip_forest_save_mem(cip_ctx *ctx, const cip_forest *f, char **out, size_t *len);
CIP_API void cip_forest_buf_free(cip_ctx *ctx, char *buf);
/* Read a model file. Errors: CIP_ERR_IO, CIP_ERR_PARSE (wrong magic,
 * unsupported version, truncated, checksum mismatch, inconsistent trees:
 * the message says which), CIP_ERR_NOMEM. Allocates. */
CIP_API cip_status cip_forest_load(cip_ctx *ctx, const char *path, cip_forest **out);
/* As cip_forest_load from len bytes at data; `name` is used in messages. */
CIP_API cip_status cip_forest_load_mem(cip_ctx *ctx, const char *name, const void *data, size_t len,
                                       cip_forest **out);
CIP_API void cip_forest_free(cip_forest *f); /* NULL is a no-op */

#ifdef __cplusplus
}
#endif
#endif /* CIP_FOREST_H */
