/* audit_int.h - private state of the leakage audit (src/audit only)
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_AUDIT_INT_H
#define CIP_AUDIT_INT_H

#include <stdarg.h>

#include "cip/audit.h"
#include "cipi.h"

struct audit_finding {
    cip_audit_kind kind;
    cip_audit_severity severity;
    size_t n_columns;
    char **columns;
    char *message;
    char *expression;
    char *fix;
    size_t n_values;
    const char **value_names; /* static strings */
    double *values;
    size_t n_rows;
    size_t *rows;
    size_t seq; /* insertion order, for a stable report order */
};

struct cip_audit {
    struct cipi_alloc a;
    struct audit_finding *f;
    size_t n, cap;
    size_t n_rows, n_features;
    cip_audit_task task;
    char *target;
};

/* Working state of one run. Feature j is frame column fcol[j]; x[j] holds its values as
 * doubles (NaN = missing; categories as codes). */
struct auditi {
    cip_ctx *ctx;
    const cip_audit_params *p;
    const cip_frame *f;   /* working frame (rows with a target) */
    const size_t *rowmap; /* working row -> input row, NULL = identity */
    size_t n;
    size_t nf;
    const char **fname;
    size_t *fcol;
    cip_type *ftype;
    double **x;
    uint8_t *fnan;     /* feature has a missing value */
    size_t *fdistinct; /* distinct non-missing values */
    size_t *ftop;      /* count of the most frequent value */
    uint8_t *idlike;   /* int/category, unique per row */
    double *power;     /* single-feature power (AUC or adjusted eta^2), NaN = not computed */
    const char *tname;
    double *y;        /* target */
    int cls;          /* classification */
    int binary;       /* two classes, y in {0, 1} */
    uint8_t *yb;      /* binary labels (binary only) */
    size_t ydistinct; /* capped at n/2 + 2 */
    double grid;      /* target grid step, 0 = none */
    long rule_feat;   /* feature index of the label rule's column, -1 = none */
    size_t *sample;   /* sample rows (ascending) */
    size_t ns;
    double *corr; /* (nf+1)^2 Pearson matrix, index nf = target; NaN = n/a */
    size_t n_profiles, n_vectors;
    struct cip_audit *out;
};

/* --- findings (audit.c) --- */
CIP_INTERNAL cip_status cipi_audit_add(struct auditi *w, cip_audit_kind kind,
                                       cip_audit_severity sev, const size_t *feats, size_t nfeats,
                                       struct audit_finding **out);
CIP_INTERNAL cip_status cipi_audit_add_col(struct auditi *w, struct audit_finding *fd,
                                           const char *name);
CIP_INTERNAL cip_status cipi_audit_msg(struct auditi *w, struct audit_finding *fd, const char *fmt,
                                       ...) CIPI_PRINTF(3, 4);
CIP_INTERNAL cip_status cipi_audit_expr(struct auditi *w, struct audit_finding *fd, const char *fmt,
                                        ...) CIPI_PRINTF(3, 4);
CIP_INTERNAL cip_status cipi_audit_fix(struct auditi *w, struct audit_finding *fd, const char *fmt,
                                       ...) CIPI_PRINTF(3, 4);
CIP_INTERNAL cip_status cipi_audit_val(struct auditi *w, struct audit_finding *fd, const char *name,
                                       double v);
/* Example rows given as working rows (mapped to input rows). */
CIP_INTERNAL cip_status cipi_audit_rows(struct auditi *w, struct audit_finding *fd,
                                        const size_t *rows, size_t n);

/* --- shared numerics (stat.c) --- */
CIP_INTERNAL uint64_t cipi_audit_hash_double(double v);
/* Pearson over rows where both are finite (idx NULL = all n rows, else idx[0..n)). NaN when
 * undefined. */
CIP_INTERNAL double cipi_audit_pearson(const double *x, const double *y, const size_t *idx,
                                       size_t n);
struct audit_vi {
    double v;
    size_t i;
};
/* Sort by v ascending (NaN last), ties by i. */
CIP_INTERNAL void cipi_audit_sort_vi(struct audit_vi *a, size_t n);
/* Average ranks of v[0..n) into r (ties share the mean rank; NaN stays NaN). Scratch s[n]. */
CIP_INTERNAL void cipi_audit_rank(const double *v, size_t n, struct audit_vi *s, double *r);
/* ROC AUC of score[idx[k]] for labels lab[idx[k]] (0/1), k < n (idx NULL = rows 0..n);
 * rows with a NaN score are skipped; scratch s[n]. NaN if a class is absent. */
CIP_INTERNAL double cipi_audit_auc(const double *score, const uint8_t *lab, const size_t *idx,
                                   size_t n, struct audit_vi *s);
/* Linear-interpolated quantile of the finite values of v (pandas default). */
CIP_INTERNAL cip_status cipi_audit_quantile(cip_ctx *ctx, const double *v, size_t n, double q,
                                            double *out);
/* Least squares y ~ a + b*g (+ c*h when h != NULL) over rows idx (NULL = all). Returns R^2
 * (NaN when undefined); writes coef[3]. Rows with a non-finite value are skipped; *used =
 * rows used. */
CIP_INTERNAL double cipi_audit_ols(const double *y, const double *g, const double *h,
                                   const size_t *idx, size_t n, double coef[3], size_t *used);

/* The target over the input frame's rows (NaN = missing); label rules are evaluated here. */
struct target_src {
    double *y;
    int is_label;
    int categorical;
    char rule_col[256];
    char op[3];
    double thr;
    double *rule_vals; /* rule column over the input rows (owned) */
};

/* Load the target of p over f's rows (label rules evaluated); t owns its arrays (the caller
 * frees t->y and t->rule_vals, also on error). */
CIP_INTERNAL cip_status cipi_audit_load_target(cip_ctx *ctx, const cip_frame *f,
                                               const cip_audit_params *p, struct target_src *t);
/* Target grid: the largest step k * 10^e (k = 1, 2, 2.5, 5; e = -6..6) dividing every finite
 * value; 0 when none. */
CIP_INTERNAL double cipi_audit_grid(const double *y, size_t n);

/* "c0 + c1 * a - c2 * b" (signs folded; intercept 0 = no constant) into buf. */
CIP_INTERNAL void cipi_audit_fmt_lin(char *buf, size_t size, int intercept, double c0,
                                     const double *coef, const char *const *names, size_t k);

/* --- checks --- */
CIP_INTERNAL cip_status cipi_audit_columns(struct auditi *w);
CIP_INTERNAL cip_status cipi_audit_corr(struct auditi *w);
CIP_INTERNAL cip_status cipi_audit_univariate(struct auditi *w);
CIP_INTERNAL cip_status cipi_audit_reconstruct(struct auditi *w);
/* Search expressions of features (except skip) giving t; best R^2 candidate in *best_*. */
CIP_INTERNAL cip_status cipi_audit_recon_best(struct auditi *w, const double *t, long skip,
                                              double min_r2, size_t best_feats[2], size_t *n_best,
                                              double coef[3], double *r2);
CIP_INTERNAL cip_status cipi_audit_fdep(struct auditi *w);
CIP_INTERNAL cip_status cipi_audit_lineage(struct auditi *w, const double *rule_vals,
                                           const char *rule_col, double thr, const char *op);
CIP_INTERNAL cip_status cipi_audit_separable(struct auditi *w);
CIP_INTERNAL cip_status cipi_audit_dupes(struct auditi *w);
CIP_INTERNAL cip_status cipi_audit_synthetic(struct auditi *w);
CIP_INTERNAL cip_status cipi_audit_schema(struct auditi *w);

#endif /* CIP_AUDIT_INT_H */
