/* cip/audit.h - leakage and data-quality audit of a modelling table
 *
 * cip_audit_run() looks at a frame, a target (a column, or a label defined by
 * a rule over a column) and a feature set, and returns findings. Every finding
 * has a kind, a severity (info / warning / high), the columns involved, a
 * one-line message with the numeric evidence, named numbers, example rows and
 * a recommended fix. The verdict is clean (no warning or high finding),
 * warnings, or leaks (at least one high finding).
 *
 * Checks (all by general methods; column names are only used to report):
 *   correlation      Pearson and Spearman of every feature with the target and
 *                    between features (|r| > corr_warning / corr_high)
 *   predictive       single-feature power: ROC AUC (max(AUC, 1-AUC)) for a
 *                    binary target, adjusted eta^2 of a binned lookup for a
 *                    numeric one
 *   reconstruction   target = a + b*g(x[,y]) with g in x, log x, exp x, x*y,
 *                    x/y, y/x, and a + b*x + c*y; exact rows after rounding to
 *                    the target's grid, maximum error
 *   funcdep          feature sets of size <= fd_max_size with zero conflicting
 *                    keys (each key value maps to one target value)
 *   lineage          label rules: the rule's inputs (from the pipeline's
 *                    lineage and from an exact linear fit of the rule column),
 *                    features derived from them, and threshold / linear
 *                    separability of the classes on those inputs
 *   separable        two features whose Fisher projection (refined by a
 *                    logistic fit) separates the classes perfectly
 *   duplicates       duplicate rows (features and target), duplicate feature
 *                    vectors, distinct profiles (ID-like columns left out)
 *   contamination    test rows whose feature vector and target also occur in
 *                    the training rows under the chosen split
 *   identical_columns / constant_column / near_constant / id_column
 *   multicollinearity  R^2 of each numeric feature on the others and the
 *                    condition number of the standardised design
 *   few_profiles     distinct profiles much fewer than rows
 *   schema           cip_validate_frame() violations on customer tables
 *
 * Large tables: the searches (reconstruction, funcdep, pair separability,
 * Spearman, the eta^2 screen) run on a deterministic systematic sample of
 * sample_rows rows; whatever is reported is verified on all rows. Results do
 * not depend on the thread count. Thresholds and the JSON format:
 * docs/AUDIT.md.
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_AUDIT_H
#define CIP_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "cip/core.h"
#include "cip/data.h"
#include "cip/features.h"
#include "cip/validate.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cip_audit_severity {
    CIP_AUDIT_INFO = 0,
    CIP_AUDIT_WARNING = 1,
    CIP_AUDIT_HIGH = 2
} cip_audit_severity;

typedef enum cip_audit_kind {
    CIP_AUDIT_CORRELATION = 0,
    CIP_AUDIT_PREDICTIVE = 1,
    CIP_AUDIT_RECONSTRUCTION = 2,
    CIP_AUDIT_FUNCDEP = 3,
    CIP_AUDIT_LINEAGE = 4,
    CIP_AUDIT_SEPARABLE = 5,
    CIP_AUDIT_DUPLICATES = 6,
    CIP_AUDIT_CONTAMINATION = 7,
    CIP_AUDIT_IDENTICAL_COLUMNS = 8,
    CIP_AUDIT_CONSTANT_COLUMN = 9,
    CIP_AUDIT_ID_COLUMN = 10,
    CIP_AUDIT_MULTICOLLINEARITY = 11,
    CIP_AUDIT_FEW_PROFILES = 12,
    CIP_AUDIT_SCHEMA = 13,
    CIP_AUDIT_N_KINDS = 14
} cip_audit_kind;

typedef enum cip_audit_task {
    CIP_AUDIT_TASK_AUTO = 0, /* classification for bool/category/label-rule/2-valued targets */
    CIP_AUDIT_TASK_REGRESSION = 1,
    CIP_AUDIT_TASK_CLASSIFICATION = 2
} cip_audit_task;

typedef enum cip_audit_verdict {
    CIP_AUDIT_CLEAN = 0,    /* no warning or high finding */
    CIP_AUDIT_WARNINGS = 1, /* warnings, no high finding */
    CIP_AUDIT_LEAKS = 2     /* at least one high finding */
} cip_audit_verdict;

typedef struct cip_audit_params {
    const char *target;             /* target column; with label_rule the label's display name
                                       (a column of that name is then excluded from the
                                       features). Required without label_rule; default NULL */
    cip_audit_task task;            /* default CIP_AUDIT_TASK_AUTO */
    const char *const *features;    /* feature columns (borrowed); NULL = every column but the
                                       target */
    size_t n_features;              /* entries in features */
    const char *label_rule;         /* "COL > q75", "COL >= 3.5", "COL < q0.25", operators
                                       > >= < <= ==; qNN = the NN-th percentile (linear
                                       interpolation), q0.x = a fraction; "churn" = the
                                       pipeline's churn label (needs pipeline). Default NULL */
    const cip_featpipe *pipeline;   /* lineage source (borrowed); default NULL */
    cip_split_kind split;           /* split for the contamination check; default RANDOM */
    double test_size;               /* (0, 1); default 0.2 */
    uint64_t seed;                  /* split seed; default 42 */
    double corr_warning, corr_high; /* |r| thresholds; default 0.7, 0.9 */
    double power_warning;           /* AUC / eta^2 warning threshold; default 0.95 */
    double power_high;              /* ... high; default 0.99 */
    double recon_r2;                /* candidate R^2 for a reconstruction; default 0.999 */
    size_t sample_rows;             /* rows for the searches, >= 100; default 20000 */
    size_t fd_max_size;             /* 1..3; default 3 */
    int check_schema;               /* 1 = run the customer schema when its columns exist */
    size_t max_examples;            /* example rows per finding, 0..100; default 5 */
} cip_audit_params;

CIP_API void cip_audit_params_default(cip_audit_params *p);
/* Errors: CIP_ERR_INVALID naming the field. ctx may be NULL. */
CIP_API cip_status cip_audit_params_check(cip_ctx *ctx, const cip_audit_params *p);

/* One finding, borrowed from its audit. */
typedef struct cip_audit_finding {
    cip_audit_kind kind;
    cip_audit_severity severity;
    size_t n_columns;
    const char *const *columns;     /* the columns involved */
    const char *message;            /* one line with the evidence */
    const char *expression;         /* formula or rule (reconstruction, lineage), else NULL */
    const char *fix;                /* recommended fix */
    size_t n_values;                /* named numbers of the evidence */
    const char *const *value_names; /* e.g. "pearson", "rows_exact", "max_error" */
    const double *values;
    size_t n_rows;      /* example rows */
    const size_t *rows; /* 0-based data rows of the input frame */
} cip_audit_finding;

typedef struct cip_audit cip_audit; /* opaque, immutable once built */

/* Audit frame f (borrowed; not modified). On CIP_OK *out owns a new audit
 * (cip_audit_free); on error *out is NULL. Rows with a missing target are
 * left out (example rows still refer to f's rows). Reports progress as stage
 * "audit" (one step per check).
 * Errors: CIP_ERR_INVALID (params; fewer than 2 rows with a target; bad rule;
 * a feature listed twice), CIP_ERR_NOT_FOUND (a named column), CIP_ERR_SCHEMA
 * (categorical target for regression, text rule column), CIP_ERR_LIMIT (2^32
 * rows), CIP_ERR_MISUSE (NULL frame or params), CIP_ERR_NOMEM. Allocates.
 * Parallel: OpenMP inside; results do not depend on the thread count. */
CIP_API cip_status cip_audit_run(cip_ctx *ctx, const cip_frame *f, const cip_audit_params *p,
                                 cip_audit **out);
CIP_API void cip_audit_free(cip_audit *a); /* NULL is a no-op */

CIP_API size_t cip_audit_count(const cip_audit *a);
/* Finding k (0 <= k < count) in report order (severity descending, then kind). */
CIP_API void cip_audit_get(const cip_audit *a, size_t k, cip_audit_finding *out);
CIP_API cip_audit_verdict cip_audit_get_verdict(const cip_audit *a);
CIP_API size_t cip_audit_n_severity(const cip_audit *a, cip_audit_severity s);
/* Rows audited, feature count, task used, target name (borrowed). */
CIP_API size_t cip_audit_n_rows(const cip_audit *a);
CIP_API size_t cip_audit_n_features(const cip_audit *a);
CIP_API cip_audit_task cip_audit_get_task(const cip_audit *a);
CIP_API const char *cip_audit_target(const cip_audit *a);
/* Index of the first finding of kind involving column (NULL = any), or -1. */
CIP_API long cip_audit_find(const cip_audit *a, cip_audit_kind kind, const char *column);

CIP_API const char *cip_audit_kind_name(cip_audit_kind k);         /* "correlation", ... */
CIP_API const char *cip_audit_severity_name(cip_audit_severity s); /* "info", ... */
CIP_API const char *cip_audit_verdict_name(cip_audit_verdict v);   /* "clean", ... */
CIP_API const char *cip_audit_task_name(cip_audit_task t);

/* Reports as owned NUL-terminated strings (free with cip_audit_free_string).
 * JSON is documented in docs/AUDIT.md. source = the file name shown (may be NULL). */
CIP_API cip_status cip_audit_to_json(cip_ctx *ctx, const cip_audit *a, const char *source,
                                     char **out);
CIP_API cip_status cip_audit_to_text(cip_ctx *ctx, const cip_audit *a, const char *source,
                                     char **out);
/* Too-good-to-be-true scores: given a held-out score (metric name such as
 * "r2", "roc_auc", "f1", "accuracy"; higher is better, 1 = perfect) explain
 * it with the audit's findings. *suspicious = 1 when the score is >= 0.98
 * (or >= 0.95 with high findings). Writes an owned text (free with
 * cip_audit_free_string). Errors: CIP_ERR_MISUSE, CIP_ERR_NOMEM. */
CIP_API cip_status cip_audit_explain_score(cip_ctx *ctx, const cip_audit *a, const char *metric,
                                           double score, int *suspicious, char **out);
CIP_API void cip_audit_free_string(cip_ctx *ctx, char *s); /* NULL is a no-op */

/* --- choosing the features that leak (src/audit/leaks.c) ------------------------------------ */
/* Which features of an audit are proven leaks, so that a training pipeline can
 * exclude them. A feature is chosen, first reason wins, when it is:
 *   1. a copy of the target (identical_columns, high);
 *   2. named by a high lineage finding (an input of the label's rule, or
 *      derived from one through the pipeline's lineage);
 *   3. derived from the target column through `pipeline`'s lineage
 *      (cip_featpipe_lineage; e.g. a ratio computed from the target);
 *   4. part of a high reconstruction: the member derived from the target when
 *      one is, else the member listed last in `features` (the other is kept);
 *   5. alone a functional dependency of the target (high funcdep of one
 *      feature: a lookup table on it reproduces the target);
 *   6. alone (near) perfect: a high predictive finding with power
 *      >= perfect_power, or a high correlation with |pearson| >= perfect_power.
 * Multi-feature funcdep, separable pairs, contamination and duplicates are not
 * feature leaks (they call for a group split and honest reporting instead). */
typedef struct cip_audit_leak_params {
    const char *const *features; /* the audited feature list (borrowed); required */
    size_t n_features;
    const cip_featpipe *pipeline; /* lineage source for rule 3 and 4 (borrowed); may be NULL */
    const char *target_column;    /* raw column the target is (rule 3); NULL = the audit's
                                     target name */
    double perfect_power;         /* rule 6 threshold; default 0.99999 */
} cip_audit_leak_params;

typedef struct cip_audit_leaks cip_audit_leaks; /* opaque: the chosen features */

CIP_API void cip_audit_leak_params_default(cip_audit_leak_params *p);
/* Choose the leaking features of audit a. On CIP_OK *out owns the choice
 * (cip_audit_leaks_free); features are reported in the order of p->features.
 * Errors: CIP_ERR_MISUSE (NULL audit, params or features), CIP_ERR_INVALID
 * (perfect_power not in (0, 1]), CIP_ERR_NOMEM. Allocates. Sequential. */
CIP_API cip_status cip_audit_choose_leaks(cip_ctx *ctx, const cip_audit *a,
                                          const cip_audit_leak_params *p, cip_audit_leaks **out);
CIP_API size_t cip_audit_leaks_count(const cip_audit_leaks *l);
/* Feature k and the one-line reason it was chosen (borrowed; NULL when k is out of range). */
CIP_API const char *cip_audit_leaks_feature(const cip_audit_leaks *l, size_t k);
CIP_API const char *cip_audit_leaks_reason(const cip_audit_leaks *l, size_t k);
/* 1 when name is among the chosen features. */
CIP_API int cip_audit_leaks_has(const cip_audit_leaks *l, const char *name);
CIP_API void cip_audit_leaks_free(cip_audit_leaks *l); /* NULL is a no-op */

#ifdef __cplusplus
}
#endif
#endif /* CIP_AUDIT_H */
