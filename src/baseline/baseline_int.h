/* baseline_int.h - internals shared by the files of the baseline module
 *
 * The fitted model, design-matrix extraction with the type and missing-value
 * checks, and the Cholesky solver used by ridge and logistic regression.
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_BASELINE_INT_H
#define CIP_BASELINE_INT_H

#include "cip/baseline.h"
#include "cipi.h"

struct cip_baseline {
    struct cipi_alloc a;    /* allocator of this object */
    cip_baseline_kind kind; /* model kind */
    size_t n_classes;       /* classifiers: distinct labels */
    double *classes;        /* ascending labels; owned */
    double *proba;          /* MAJORITY/PRIOR: class probabilities; owned */
    size_t n_coef;          /* RIDGE/LOGISTIC: fitted columns */
    double *coef;           /* their coefficients (original scale); owned */
    char **names;           /* their column names; owned */
    double intercept;       /* intercept, or the constant of MEAN/MEDIAN */
    int n_iter;             /* LOGISTIC Newton iterations */
};

/* Dense column-major copy X[j * n + i] of the columns of x named names[0..p)
 * (NULL = every column of x, in order). Errors: NOT_FOUND/SCHEMA naming the
 * column (absent, categorical, missing or non-finite values), NOMEM. */
CIP_INTERNAL cip_status cipi_baseline_design(cip_ctx *ctx, const cip_frame *x,
                                             const char *const *names, size_t p, double **out);

/* In-place Cholesky factorisation of the symmetric positive definite a[n*n]
 * (row-major; the lower triangle is used and overwritten by L). Returns false
 * when a is not positive definite. */
CIP_INTERNAL bool cipi_baseline_cholesky(double *a, size_t n);
/* Solve L L' x = b in place (b becomes x). */
CIP_INTERNAL void cipi_baseline_chol_solve(const double *l, size_t n, double *b);

/* Column centring/scaling of StandardScaler: mean[j], scale[j] (population
 * std, 1 for constant columns); X is transformed in place. */
CIP_INTERNAL void cipi_baseline_standardize(double *x, size_t n, size_t p, double *mean,
                                            double *scale);

/* Fitters (linear.c, logistic.c): fill m->coef, m->intercept (and m->n_iter)
 * from the design X[n*p] (column-major), y[n], w[n] or NULL. */
CIP_INTERNAL cip_status cipi_baseline_fit_ridge(cip_ctx *ctx, double *x, size_t n, size_t p,
                                                const double *y, const double *w,
                                                const cip_baseline_params *prm, cip_baseline *m);
CIP_INTERNAL cip_status cipi_baseline_fit_logistic(cip_ctx *ctx, double *x, size_t n, size_t p,
                                                   const double *y, const double *w,
                                                   const cip_baseline_params *prm, cip_baseline *m);

/* Numerically stable logistic function. */
CIP_INTERNAL double cipi_baseline_sigmoid(double z);

/* P(y = 1) per row of x (PRIOR, LOGISTIC); out[n_rows]. Errors: as predict. */
CIP_INTERNAL cip_status cipi_baseline_p1(cip_ctx *ctx, const cip_baseline *m, const cip_frame *x,
                                         double *out);

#endif /* CIP_BASELINE_INT_H */
