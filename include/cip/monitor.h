/* cip/monitor.h - data/prediction drift, performance decay and champion/challenger tests
 *
 * Reference statistics (cip_refstats) summarise a training table without
 * keeping its rows: per numeric column a 101-point quantile sketch (levels
 * 0, 0.01, .., 1) with the exact fraction of rows <= each sketch value, a
 * 20-bin histogram, mean/std, min/max and the missing rate; per categorical
 * (or bool) column the level frequencies; plus the distribution of the
 * model's predictions and the held-out metrics. They are written as
 * reference.json beside a model bundle (cip_monitor_save_reference) so that
 * monitoring needs no raw training data.
 *
 * Drift of a current table against the reference (cip_monitor_compare):
 *   numeric      PSI over the reference deciles (epsilon 1e-4 smoothing),
 *                two-sample Kolmogorov-Smirnov D evaluated at the sketch
 *                points (a lower bound of the exact D, within 1% of mass)
 *                with its asymptotic p-value, Wasserstein-1 distance from
 *                the CDFs interpolated linearly between sketch points (exact
 *                outside the reference range; within ~5% on integer data;
 *                normalised by the reference std as an effect size),
 *                out-of-range rate;
 *   categorical  PSI, two-sample chi-square (2 x K table of reference and
 *                current counts; p-value from the regularised incomplete gamma),
 *                Jensen-Shannon divergence (base 2, in [0, 1]), new-level rate;
 *   both         missing-rate change.
 * Verdicts use effect sizes, never raw p-values (with a million rows every
 * p-value is tiny): a column is ALERT when PSI >= psi_alert, WARNING when
 * PSI >= psi_warn, or KS D >= ks_warn (numeric), or JS >= js_warn
 * (categorical), or the missing rate grew by >= missing_warn, or the
 * out-of-range/new-level rate >= range_warn. The run's verdict is
 * "degraded" when performance decay is significant, else "drifting" when a
 * column or the prediction distribution is ALERT, else "stable".
 *
 * Threading: every function is re-entrant on distinct objects; const
 * objects may be shared. Live sketches (cip_drift_live) are thread-safe.
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_MONITOR_H
#define CIP_MONITOR_H

#include <stddef.h>
#include <stdint.h>

#include "cip/core.h"
#include "cip/data.h"
#include "cip/train.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Quantile levels in the sketch (0..CIP_REFSTATS_NQ-1 over [0, 1]). */
#define CIP_REFSTATS_NQ 101
/* Histogram bins of a numeric column. */
#define CIP_REFSTATS_NHIST 20
/* Categorical levels kept; rarer ones are pooled as "__other__". */
#define CIP_REFSTATS_MAX_LEVELS 256

/* --- reference statistics ---------------------------------------------------------------- */
typedef struct cip_refstats cip_refstats; /* opaque, immutable once built */

/* Statistics of every column of data except id columns (id, user_id,
 * customer_id). Numeric = int/float; bool and category are categorical.
 * Errors: INVALID (no rows), NOMEM. Allocates. */
CIP_API cip_status cip_refstats_compute(cip_ctx *ctx, const cip_frame *data, cip_refstats **out);
/* Attach the prediction distribution (name e.g. "prediction", "probability",
 * "segment"; categorical = 1 for cluster ids). NaN entries count as missing.
 * Replaces an earlier one. Errors: NOMEM. */
CIP_API cip_status cip_refstats_set_predictions(cip_ctx *ctx, cip_refstats *rs, const char *name,
                                                const double *pred, size_t n, int categorical);
/* Record a held-out metric (e.g. "test_r2"); same name again overwrites. Errors: NOMEM. */
CIP_API cip_status cip_refstats_set_metric(cip_ctx *ctx, cip_refstats *rs, const char *name,
                                           double value);
/* Model description copied into the JSON (any may be NULL): task name, target column,
 * label rule column and threshold (NaN = none). Errors: NOMEM. */
CIP_API cip_status cip_refstats_set_model(cip_ctx *ctx, cip_refstats *rs, const char *task,
                                          const char *target, const char *label_column,
                                          double label_threshold);
/* Write as JSON (format "cip-reference", version 1; see docs/MONITOR.md), atomically.
 * Errors: IO, NOMEM. */
CIP_API cip_status cip_refstats_save(cip_ctx *ctx, const cip_refstats *rs, const char *path);
/* Read a reference.json. Errors: IO, PARSE (line:column or the bad field), NOMEM. */
CIP_API cip_status cip_refstats_load(cip_ctx *ctx, const char *path, cip_refstats **out);
CIP_API void cip_refstats_free(cip_refstats *rs); /* NULL is a no-op */
CIP_API size_t cip_refstats_n_rows(const cip_refstats *rs);
CIP_API size_t cip_refstats_n_columns(const cip_refstats *rs);
CIP_API const char *cip_refstats_column_name(const cip_refstats *rs, size_t j);
CIP_API int cip_refstats_column_is_categorical(const cip_refstats *rs, size_t j);
/* Metric by name, NaN when absent. */
CIP_API double cip_refstats_metric(const cip_refstats *rs, const char *name);

/* --- models (bundle directories) ----------------------------------------------------------- */
/* Score raw rows with the bundle in dir (as `cip predict`): *score_out[i] = CLV
 * prediction, churn probability of class 1, or segment id; *y_out[i] = the true target
 * when derivable from the row (CLV: the target column; churn: the label rule applied to
 * the engineered label column, or a 0/1 target column), else NaN (y_out may be NULL).
 * *task_out (optional). Arrays have cip_frame_n_rows(raw) entries, owned (cip_free).
 * Errors: NOT_FOUND (not a bundle), SCHEMA (missing columns), IO, PARSE, NOMEM. */
CIP_API cip_status cip_monitor_score(cip_ctx *ctx, const char *dir, const cip_frame *raw,
                                     cip_train_task *task_out, double **score_out, double **y_out);

/* What a bundle's manifest and model say (for retraining with the same configuration). */
typedef struct cip_model_info {
    cip_train_task task;
    char target[128];       /* "" when none */
    char label_column[128]; /* churn label rule column, "" when none */
    double label_threshold; /* NaN when no rule */
    char best_params[1024]; /* "a=1;b=2" ("" = defaults) */
    char features[4096];    /* model columns joined by ',' */
} cip_model_info;
/* Errors: NOT_FOUND (not a bundle), IO, PARSE, NOMEM. */
CIP_API cip_status cip_monitor_model_info(cip_ctx *ctx, const char *dir, cip_model_info *out);

/* Reference statistics of `data` (the training table) for result r: the columns of data,
 * r's predictions on every row of data, r's held-out metrics. */
CIP_API cip_status cip_monitor_reference_of(cip_ctx *ctx, const cip_train_result *r,
                                            const cip_frame *data, cip_refstats **out);
/* cip_monitor_reference_of + save as <dir>/reference.json (dir: a bundle written by
 * cip_train_save_bundle). Errors: those of the two. */
CIP_API cip_status cip_monitor_save_reference(cip_ctx *ctx, const cip_train_result *r,
                                              const cip_frame *data, const char *dir);
/* Reference statistics of a bundle: <dir>/reference.json when present, else computed
 * from `reference` (raw rows scored by the bundle; metrics from manifest.json) when not
 * NULL, else NOT_FOUND. Allocates. */
CIP_API cip_status cip_monitor_reference_load(cip_ctx *ctx, const char *dir,
                                              const cip_frame *reference, cip_refstats **out);

/* --- drift report ------------------------------------------------------------------------- */
typedef enum cip_drift_level {
    CIP_DRIFT_OK = 0,
    CIP_DRIFT_WARNING = 1,
    CIP_DRIFT_ALERT = 2
} cip_drift_level;

typedef enum cip_monitor_verdict {
    CIP_VERDICT_STABLE = 0,
    CIP_VERDICT_DRIFTING = 1,
    CIP_VERDICT_DEGRADED = 2
} cip_monitor_verdict;

CIP_API const char *cip_drift_level_name(cip_drift_level l);         /* "ok", "warning", "alert" */
CIP_API const char *cip_monitor_verdict_name(cip_monitor_verdict v); /* "stable", ... */

typedef struct cip_monitor_params {
    double psi_warn;     /* default 0.1 */
    double psi_alert;    /* default 0.25 */
    double ks_warn;      /* KS D for a warning; default 0.1 */
    double js_warn;      /* Jensen-Shannon divergence for a warning; default 0.05 */
    double missing_warn; /* absolute growth of the missing rate; default 0.05 */
    double range_warn;   /* out-of-range / new-level rate; default 0.05 */
    double max_decay;    /* performance decay (absolute, in metric units) tolerated before
                            "degraded"; default 0.05 */
    double alpha;        /* CI level 1 - alpha for the decay; default 0.05 */
    size_t bootstrap;    /* bootstrap replicates of the current metric; default 200 */
    uint64_t seed;       /* bootstrap seed; default 42 */
} cip_monitor_params;

CIP_API void cip_monitor_params_default(cip_monitor_params *p);
/* Errors: INVALID naming the field (ctx may be NULL). */
CIP_API cip_status cip_monitor_params_check(cip_ctx *ctx, const cip_monitor_params *p);

typedef struct cip_drift_feature {
    char *name;
    int categorical;     /* 1: chi2/js are set, ks/wasserstein are NaN */
    int absent;          /* 1: the column is missing from the current table (ALERT) */
    size_t n_ref, n_cur; /* non-missing rows */
    double psi;
    double ks, ks_pvalue;
    double wasserstein, wasserstein_effect; /* raw units; divided by the reference std */
    double chi2, chi2_pvalue;
    size_t chi2_df;
    double js;
    double missing_ref, missing_cur; /* rates */
    double out_of_range;             /* numeric: share outside [min, max]; categorical: share
                                        of levels unseen in the reference */
    double mean_ref, mean_cur;
    cip_drift_level level;
    char reason[96]; /* what triggered the level ("" when ok) */
} cip_drift_feature;

typedef struct cip_monitor_perf {
    int available;       /* 1 when the current table has the target */
    char metric[32];     /* "test_r2" (clv) or "roc_auc" (churn) */
    double reference;    /* logged held-out value */
    double current;      /* on the current rows */
    double ci_lo, ci_hi; /* 1 - alpha CI of the current value (bootstrap; DeLong for AUC) */
    double decay;        /* reference - current (positive = worse) */
    int degraded;        /* 1: ci_hi < reference - max_decay */
    size_t n;            /* labelled rows */
} cip_monitor_perf;

typedef struct cip_monitor_report {
    cip_monitor_verdict verdict;
    size_t n_ref, n_cur; /* rows */
    size_t n_features;
    cip_drift_feature *features; /* reference column order */
    int has_prediction;
    cip_drift_feature prediction; /* drift of the model output */
    cip_monitor_perf perf;
    size_t n_warning, n_alert; /* columns (prediction included) at each level */
    cip_monitor_params params;
} cip_monitor_report;

/* Compare the current table with the reference. pred: the model's output on the current
 * rows (n = rows of current) or NULL; y: true targets (NaN = unknown) or NULL for the
 * performance check. Errors: INVALID (params, lengths), NOMEM. Allocates. Parallel over
 * columns; results do not depend on the thread count. */
CIP_API cip_status cip_monitor_compare(cip_ctx *ctx, const cip_refstats *ref,
                                       const cip_frame *current, const double *pred,
                                       const double *y, size_t n, const cip_monitor_params *p,
                                       cip_monitor_report **out);
/* Load the bundle in dir, its reference (cip_monitor_reference_load), score the current
 * rows and compare. */
CIP_API cip_status cip_monitor_run(cip_ctx *ctx, const char *dir, const cip_frame *current,
                                   const cip_frame *reference, const cip_monitor_params *p,
                                   cip_monitor_report **out);
CIP_API void cip_monitor_report_free(cip_monitor_report *r); /* NULL is a no-op */
/* Render as a text table or JSON (schema in docs/MONITOR.md). Owned; free with cip_free. */
CIP_API cip_status cip_monitor_report_text(cip_ctx *ctx, const cip_monitor_report *r, char **out);
CIP_API cip_status cip_monitor_report_json(cip_ctx *ctx, const cip_monitor_report *r, char **out);

/* --- statistics (exposed for tests and other modules) ------------------------------------------
 */
/* Population stability index sum (c - r) ln(c / r) of two distributions over k bins,
 * each proportion smoothed as (x + eps) / (1 + k eps). */
CIP_API double cip_psi(const double *ref, const double *cur, size_t k, double eps);
/* Kolmogorov distribution tail Q(lambda) = 2 sum (-1)^(j-1) exp(-2 j^2 lambda^2). */
CIP_API double cip_kolmogorov_q(double lambda);
/* Asymptotic two-sample KS p-value for statistic d and sizes n, m (Stephens' correction). */
CIP_API double cip_ks_pvalue(double d, double n, double m);
/* Regularised upper incomplete gamma Q(a, x); chi-square p-value = Q(df / 2, x / 2). */
CIP_API double cip_gamma_q(double a, double x);
/* Jensen-Shannon divergence (base 2) of two distributions over k bins. */
CIP_API double cip_js_divergence(const double *p, const double *q, size_t k);

/* --- champion / challenger ---------------------------------------------------------------- */
typedef struct cip_paired_result {
    char metric[32];
    double champion, challenger; /* metric on all rows */
    double diff;                 /* challenger - champion, in "better" direction (>0 = better) */
    double ci_lo, ci_hi;         /* percentile bootstrap CI (1 - alpha) of diff */
    double p_value;              /* one-sided bootstrap: share of replicates with diff <= 0 */
    size_t bootstrap;
    double delong_z, delong_p; /* roc_auc only (else NaN): one-sided p of AUC_chal > AUC_champ */
} cip_paired_result;

/* Metric on (y, score): "r2", "rmse", "mae" (regression; rmse/mae are negated in diff so
 * that > 0 is better), "roc_auc", "f1", "accuracy" (y 0/1; score = P(1), threshold 0.5).
 * Paired bootstrap: B replicates of the same resampled rows for both models, RNG stream
 * (seed, replicate), deterministic for any thread count. Rows with NaN y are skipped.
 * Errors: INVALID (metric name, < 2 rows, one class for AUC), NOMEM. */
CIP_API cip_status cip_paired_compare(cip_ctx *ctx, const char *metric, const double *y,
                                      const double *s_champion, const double *s_challenger,
                                      size_t n, size_t B, uint64_t seed, double alpha,
                                      cip_paired_result *out);
/* DeLong (1988) test of two correlated ROC AUCs on the same rows: auc1, auc2, z of
 * (auc2 - auc1) / se, its variance-based se. Errors: INVALID (one class), NOMEM. */
CIP_API cip_status cip_delong(cip_ctx *ctx, const double *y, const double *s1, const double *s2,
                              size_t n, double *auc1, double *auc2, double *z, double *se);
/* Value of a metric as above (not negated). Errors: INVALID. */
CIP_API cip_status cip_monitor_metric(cip_ctx *ctx, const char *metric, const double *y,
                                      const double *score, size_t n, double *out);

/* Retraining policy: `key = value` lines ('#' comments) or a flat JSON object. */
typedef enum cip_retrain_trigger {
    CIP_TRIGGER_DRIFT = 0,
    CIP_TRIGGER_DECAY = 1,
    CIP_TRIGGER_ALWAYS = 2
} cip_retrain_trigger;

typedef struct cip_retrain_policy {
    cip_retrain_trigger trigger; /* default drift */
    double psi_alert;            /* default 0.25 */
    double min_improvement;      /* challenger must beat the champion by more; default 0 */
    double alpha;                /* significance; default 0.05 */
    char metric[32];             /* "" = r2 (clv) / roc_auc (churn) */
    size_t bootstrap;            /* default 1000 */
    uint64_t seed;               /* default 42 */
    double test_size;            /* held-out share of the new data; default 0.2 */
} cip_retrain_policy;

CIP_API void cip_retrain_policy_default(cip_retrain_policy *p);
CIP_API const char *cip_retrain_trigger_name(cip_retrain_trigger t);
/* Parse policy text (name used in messages). Errors: PARSE (file:line), INVALID. */
CIP_API cip_status cip_retrain_policy_parse(cip_ctx *ctx, const char *name, const char *text,
                                            size_t len, cip_retrain_policy *out);

/* --- live monitoring (serving) --------------------------------------------------------------- */
typedef struct cip_drift_live cip_drift_live; /* thread-safe rolling sketch */

/* Sketch of the reference's columns over the most recent rows (window rows, 0 = all rows
 * since the last reset; when a window fills, the counts are halved: exponential decay).
 * rs is borrowed and must outlive the sketch. Errors: NOMEM. */
CIP_API cip_status cip_drift_live_new(cip_ctx *ctx, const cip_refstats *rs, size_t window,
                                      cip_drift_live **out);
CIP_API void cip_drift_live_free(cip_drift_live *d);
/* Add the rows of a raw frame (columns matched by name; others ignored) and optional
 * predictions pred[n_rows] (NULL = none). Thread-safe (mutex). Errors: NOMEM. */
CIP_API cip_status cip_drift_live_add_frame(cip_ctx *ctx, cip_drift_live *d, const cip_frame *f,
                                            const double *pred);
typedef struct cip_drift_gauge {
    const char *name; /* borrowed from the refstats; "__prediction__" for the output */
    double psi;       /* NaN until the column has rows */
    double missing_rate;
    uint64_t n; /* rows in the sketch (after decay) */
} cip_drift_gauge;
/* Snapshot of per-column PSI: fills at most cap gauges and returns the number available
 * (columns + 1 when predictions are tracked). Thread-safe. */
CIP_API size_t cip_drift_live_gauges(cip_drift_live *d, cip_drift_gauge *out, size_t cap);
/* Prometheus text (gauges cip_drift_psi{feature="..."} and cip_drift_rows) appended by the
 * caller: returns an owned string (cip_free). Errors: NOMEM. */
CIP_API cip_status cip_drift_live_prometheus(cip_ctx *ctx, cip_drift_live *d, const char *model,
                                             char **out);

#ifdef __cplusplus
}
#endif
#endif /* CIP_MONITOR_H */
