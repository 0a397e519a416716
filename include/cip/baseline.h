/* cip/baseline.h - the simple models every model is compared against
 *
 * Mean and median regressors and majority and prior classifiers (scikit-learn's
 * DummyRegressor / DummyClassifier: they ignore the features), ridge regression
 * (sklearn Ridge: sum w_i (y_i - b - x_i.c)^2 + alpha |c|^2, intercept not
 * penalised, solved exactly by Cholesky on the centred normal equations) and
 * binary L2 logistic regression (sklearn LogisticRegression(penalty="l2"):
 * 0.5 |c|^2 + C sum w_i logloss_i, intercept not penalised, solved by Newton's
 * method with a line search to a tight tolerance).
 * Ridge and logistic use every column of x: int, float and bool columns are
 * used as numbers; categorical columns and missing values are rejected (one-hot
 * encode and impute first). At predict time columns are matched by name.
 * A fitted model is immutable: predict may run concurrently.
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_BASELINE_H
#define CIP_BASELINE_H

#include <stddef.h>

#include "cip/core.h"
#include "cip/data.h"
#include "cip/validate.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cip_baseline_kind {
    CIP_BASELINE_MEAN = 0,     /* regression: (weighted) mean of y */
    CIP_BASELINE_MEDIAN = 1,   /* regression: numpy median; weighted: sklearn's
                                  _weighted_percentile(50) */
    CIP_BASELINE_MAJORITY = 2, /* classification: most frequent class (ties: smallest) */
    CIP_BASELINE_PRIOR = 3,    /* classification: predict_proba = (weighted) class priors */
    CIP_BASELINE_RIDGE = 4,    /* regression: L2-penalised least squares */
    CIP_BASELINE_LOGISTIC = 5  /* binary classification: L2 logistic regression */
} cip_baseline_kind;

typedef struct cip_baseline_params {
    cip_baseline_kind kind; /* default CIP_BASELINE_MEAN */
    double alpha;           /* RIDGE penalty, >= 0 (0 = least squares); default 1.0 */
    double C;               /* LOGISTIC inverse penalty, > 0; default 1.0 */
    int standardize;        /* RIDGE/LOGISTIC: 1 = centre and scale each column to unit
                               population std first (sklearn StandardScaler; constant
                               columns unscaled); coefficients are reported on the
                               original scale. default 0 (plain sklearn Ridge/Logistic) */
    int max_iter;           /* LOGISTIC Newton iterations, >= 1; default 100 */
    double tol;             /* LOGISTIC: stop when max |gradient| <= tol * (1 + C sum w);
                               > 0; default 1e-12 */
} cip_baseline_params;

typedef struct cip_baseline cip_baseline; /* opaque */

CIP_API void cip_baseline_params_default(cip_baseline_params *p);
CIP_API cip_status cip_baseline_params_check(cip_ctx *ctx, const cip_baseline_params *p);
/* "mean", "median", "majority" (or "most_frequent"), "prior", "ridge", "logistic". */
CIP_API cip_status cip_baseline_kind_parse(cip_ctx *ctx, const char *name, cip_baseline_kind *out);
CIP_API const char *cip_baseline_kind_name(cip_baseline_kind k);

/* Fit on x (n rows), y[n] and optional weights w[n] (finite, >= 0, positive sum).
 * Classifiers take any finite labels; classes are the sorted distinct values;
 * LOGISTIC needs exactly two (the larger is the positive class).
 * Errors: INVALID (params, non-finite y or w, one class for LOGISTIC, a singular
 * system when alpha == 0), SCHEMA (categorical column, missing values; the
 * message names the column), NOMEM. On CIP_OK *out owns a model. Allocates.
 * Parallel: no. Logs a warning when Newton stops at max_iter. */
CIP_API cip_status cip_baseline_fit(cip_ctx *ctx, const cip_frame *x, const double *y,
                                    const double *w, const cip_baseline_params *p,
                                    cip_baseline **out);
/* One prediction per row of x into out[n_rows]: the value for regressors, the
 * class label for classifiers (the most probable class; ties: the smaller).
 * Errors: SCHEMA (a fitted column is absent, categorical or has missing values). */
CIP_API cip_status cip_baseline_predict(cip_ctx *ctx, const cip_baseline *m, const cip_frame *x,
                                        double *out);
/* Class probabilities, row-major: out[i * n_classes + k] for class k (ascending
 * labels); out_len must be n_rows * n_classes. Errors: INVALID (regressor or
 * out_len), SCHEMA. */
CIP_API cip_status cip_baseline_predict_proba(cip_ctx *ctx, const cip_baseline *m,
                                              const cip_frame *x, double *out, size_t out_len);
CIP_API cip_baseline_kind cip_baseline_get_kind(const cip_baseline *m);
/* Classes (borrowed, ascending; 0 of them for regressors). */
CIP_API const double *cip_baseline_classes(const cip_baseline *m, size_t *n);
/* Coefficients per fitted column (borrowed; original scale; 0 of them for the
 * dummies), in the order of fitted column names. */
CIP_API const double *cip_baseline_coef(const cip_baseline *m, size_t *n);
CIP_API const char *cip_baseline_coef_name(const cip_baseline *m, size_t j);
/* Intercept (ridge, logistic) or the constant prediction (mean, median). */
CIP_API double cip_baseline_intercept(const cip_baseline *m);
/* Newton iterations used by LOGISTIC (0 otherwise). */
CIP_API int cip_baseline_n_iter(const cip_baseline *m);
CIP_API void cip_baseline_free(cip_baseline *m);

/* Fill *est with the generic estimator view of the baselines (validate.h) for
 * params p (borrowed: it must outlive *est). Output: VALUE for mean, median and
 * ridge; LABEL for majority; PROBA (P(y = 1), targets coded 0/1) for prior and
 * logistic. Searchable names: alpha, C, standardize, max_iter, tol. Models are
 * cip_baseline pointers. Thread-safe: yes. Allocates: no. */
CIP_API void cip_baseline_estimator(const cip_baseline_params *p, cip_estimator *est);

#ifdef __cplusplus
}
#endif
#endif /* CIP_BASELINE_H */
