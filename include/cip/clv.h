/* cip/clv.h - customer lifetime value from transaction logs
 *
 * Transactions (customer, date, amount[, quantity]) are read from CSV or the
 * CDNOW fixed-width text, optionally merging a customer's same-day purchases.
 * A calibration/holdout summary gives every customer's repeat frequency x,
 * recency t_x, age T and mean repeat spend zbar in an explicit time unit;
 * RFM quintile scores and segments are derived from it. BG/NBD, Pareto/NBD
 * and Gamma-Gamma are fitted by maximum likelihood (Nelder-Mead on log
 * parameters, BFGS polish, standard errors from the numerical Hessian); the
 * log-likelihood runs in parallel over customers (OpenMP) with block sums
 * combined in order, so fits are bit-identical for any thread count.
 *
 * Dates are day numbers: days since 1970-01-01 (proleptic Gregorian).
 * Ownership: cip_clv_tx and cip_clv_summary are owned by the caller and freed
 * with their _free functions; cip_clv_model is a plain value.
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_CLV_H
#define CIP_CLV_H

#include <stddef.h>
#include <stdint.h>

#include "cip/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- time ------------------------------------------------------------------------------ */

typedef enum cip_clv_unit {
    CIP_CLV_DAYS = 0,  /* 1 day */
    CIP_CLV_WEEKS = 1, /* 7 days */
    CIP_CLV_MONTHS = 2 /* 365.25 / 12 = 30.4375 days */
} cip_clv_unit;

/* Length of a unit in days. */
CIP_API double cip_clv_unit_days(cip_clv_unit u);
/* "days", "weeks", "months" (for output). */
CIP_API const char *cip_clv_unit_name(cip_clv_unit u);
/* Parse "day(s)", "week(s)", "month(s)". Errors: CIP_ERR_INVALID. */
CIP_API cip_status cip_clv_unit_parse(cip_ctx *ctx, const char *s, cip_clv_unit *out);

/* Parse a date of len bytes in format fmt into a day number:
 *   "yyyymmdd"   19970930
 *   "iso"        1997-09-30, optionally followed by 'T' or ' ' and a time (ignored)
 *   "mm/dd/yyyy", "dd/mm/yyyy"
 *   "auto"       yyyymmdd when 8 digits, iso when it has '-'
 * Returns false on a malformed or impossible date (1997-02-30). Never fails otherwise. */
CIP_API int cip_clv_date_parse(const char *s, size_t len, const char *fmt, int32_t *day);
/* true when fmt is one of the formats above. */
CIP_API int cip_clv_date_format_ok(const char *fmt);
/* Write day as "yyyy-mm-dd" (buf >= 11 bytes). */
CIP_API void cip_clv_date_str(int32_t day, char buf[11]);

/* --- transactions ---------------------------------------------------------------------- */

typedef struct cip_clv_tx cip_clv_tx; /* opaque, immutable once built */

typedef enum cip_clv_format {
    CIP_CLV_FORMAT_AUTO = 0, /* CDNOW when the first line is 5 blank-separated numbers */
    CIP_CLV_FORMAT_CSV = 1,  /* header row + delimited rows */
    CIP_CLV_FORMAT_CDNOW = 2 /* master id, sample id, yyyymmdd, cds, dollars; no header */
} cip_clv_format;

typedef struct cip_clv_read_params {
    cip_clv_format format;        /* default CIP_CLV_FORMAT_AUTO */
    const char *id_column;        /* CSV: default "customer_id" */
    const char *date_column;      /* CSV: default "date" */
    const char *amount_column;    /* CSV: default "amount" */
    const char *quantity_column;  /* CSV: default "quantity", used when present */
    const char *date_format;      /* see cip_clv_date_parse; default "auto" */
    char delimiter;               /* CSV: default ',' */
    int cdnow_master_id;          /* CDNOW: 1 = key on master id, 0 = sample id (default 0) */
    int merge_same_day;           /* 1 = sum a customer's same-day purchases (default 1) */
    const char *const *customers; /* optional list of known customer ids; NULL = any */
    size_t n_customers;           /* entries in customers */
} cip_clv_read_params;

CIP_API void cip_clv_read_params_default(cip_clv_read_params *p);
/* Errors: CIP_ERR_INVALID naming the bad field. */
CIP_API cip_status cip_clv_read_params_check(cip_ctx *ctx, const cip_clv_read_params *p);

/* Read a transaction log. Errors name file:line: CIP_ERR_IO, CIP_ERR_PARSE
 * (bad date, bad number, negative amount, wrong field count), CIP_ERR_SCHEMA
 * (missing column), CIP_ERR_NOT_FOUND (customer not in p->customers),
 * CIP_ERR_NOMEM. Allocates. On success *out owns the log. */
CIP_API cip_status cip_clv_tx_read(cip_ctx *ctx, const char *path, const cip_clv_read_params *p,
                                   cip_clv_tx **out);
/* Build a log from arrays (customer ids are integers, printed in decimal).
 * qty may be NULL. Errors: CIP_ERR_INVALID (negative or non-finite amount). */
CIP_API cip_status cip_clv_tx_from_arrays(cip_ctx *ctx, size_t n, const int64_t *customer,
                                          const int32_t *day, const double *amount,
                                          const double *qty, int merge_same_day, cip_clv_tx **out);
CIP_API void cip_clv_tx_free(cip_clv_tx *tx); /* NULL is a no-op */
/* Transactions after merging, and distinct customers. */
CIP_API size_t cip_clv_tx_count(const cip_clv_tx *tx);
CIP_API size_t cip_clv_tx_customers(const cip_clv_tx *tx);
/* Id of customer k (0 .. customers-1, ordered by first purchase day, then
 * order of first appearance); borrowed until cip_clv_tx_free. */
CIP_API const char *cip_clv_tx_customer_id(const cip_clv_tx *tx, size_t k);
/* First and last transaction day (0, 0 when empty). */
CIP_API void cip_clv_tx_range(const cip_clv_tx *tx, int32_t *first, int32_t *last);
/* Lines merged into earlier same-day transactions while reading. */
CIP_API size_t cip_clv_tx_merged(const cip_clv_tx *tx);

/* --- calibration / holdout summary ------------------------------------------------------ */

/* One row per customer whose first purchase is on or before calibration end.
 * All times are in `unit`; day differences are divided by the unit's days. */
typedef struct cip_clv_summary {
    size_t n;               /* customers */
    cip_clv_unit unit;      /* time unit of t_x, T, first, holdout_length */
    int32_t cal_end;        /* last calibration day (inclusive) */
    int32_t hold_end;       /* last holdout day (inclusive); == cal_end when no holdout */
    double holdout_length;  /* (hold_end - cal_end) in units */
    size_t *customer;       /* index into the cip_clv_tx it was built from (ids) */
    double *x;              /* repeat purchases (purchase days - 1) in calibration */
    double *t_x;            /* last - first purchase day, in units */
    double *T;              /* cal_end - first purchase day, in units */
    double *zbar;           /* mean amount of the x repeat purchases (0 when x == 0) */
    double *monetary;       /* mean amount of all calibration purchases */
    double *first;          /* first purchase, units after the first day of the log */
    double *x_hold;         /* purchases in (cal_end, hold_end] */
    double *spend_hold;     /* amount in (cal_end, hold_end] */
    size_t n_later;         /* customers first buying after cal_end (not included) */
    cip_alloc_fn alloc_fn_; /* private */
    void *alloc_ud_;        /* private */
} cip_clv_summary;

/* Build the summary. hold_end < cal_end means "no holdout" (hold_end = cal_end).
 * Errors: CIP_ERR_INVALID (no customer before cal_end), CIP_ERR_NOMEM. */
CIP_API cip_status cip_clv_summary_new(cip_ctx *ctx, const cip_clv_tx *tx, int32_t cal_end,
                                       int32_t hold_end, cip_clv_unit unit, cip_clv_summary **out);
/* A summary from arrays (no holdout; zbar may be NULL = 0). For tests/benchmarks. */
CIP_API cip_status cip_clv_summary_from_arrays(cip_ctx *ctx, size_t n, const double *x,
                                               const double *t_x, const double *T,
                                               const double *zbar, cip_clv_unit unit,
                                               cip_clv_summary **out);
CIP_API void cip_clv_summary_free(cip_clv_summary *s); /* NULL is a no-op */

/* Totals of a summary. */
typedef struct cip_clv_totals {
    size_t customers, repeaters, zero_class; /* x > 0, x == 0 */
    double repeat_tx, hold_tx;               /* sum x, sum x_hold */
    double mean_zbar;                        /* mean zbar over repeaters */
} cip_clv_totals;
CIP_API void cip_clv_summary_totals(const cip_clv_summary *s, cip_clv_totals *t);

/* --- RFM --------------------------------------------------------------------------------- */

/* Quintile scores 1..5 per customer: recency from T - t_x (more recent = 5),
 * frequency from x, monetary from `monetary`. A customer's score is
 * 1 + floor(5 (r - 1) / n) where r is the smallest 1-based rank among its
 * ties, so equal values always share a score. seg[i] is a segment index. */
typedef enum cip_clv_segment {
    CIP_RFM_CHAMPIONS = 0, /* R >= 4, F >= 4 */
    CIP_RFM_LOYAL,         /* R >= 3, F >= 3 */
    CIP_RFM_NEW,           /* R >= 4, F <= 2 */
    CIP_RFM_PROMISING,     /* R == 3, F <= 2 */
    CIP_RFM_AT_RISK,       /* R <= 2, F >= 3 */
    CIP_RFM_HIBERNATING,   /* R == 2, F <= 2 */
    CIP_RFM_LOST,          /* R == 1, F <= 2 */
    CIP_RFM_N_SEGMENTS
} cip_clv_segment;
CIP_API const char *cip_clv_segment_name(int seg);
/* r, f, m, seg: arrays of s->n (any may be NULL). Allocates scratch.
 * Errors: CIP_ERR_NOMEM. */
CIP_API cip_status cip_clv_rfm(cip_ctx *ctx, const cip_clv_summary *s, uint8_t *r, uint8_t *f,
                               uint8_t *m, uint8_t *seg);

/* --- models ------------------------------------------------------------------------------ */

typedef enum cip_clv_model_kind {
    CIP_CLV_BGNBD = 0,     /* r, alpha, a, b */
    CIP_CLV_PARETO = 1,    /* r, alpha, s, beta */
    CIP_CLV_GAMMAGAMMA = 2 /* p, q, gamma (repeaters only, on zbar) */
} cip_clv_model_kind;

CIP_API const char *cip_clv_model_name(cip_clv_model_kind k); /* "bgnbd", ... */
CIP_API cip_status cip_clv_model_parse(cip_ctx *ctx, const char *s, cip_clv_model_kind *out);

typedef struct cip_clv_model {
    cip_clv_model_kind kind;
    int n_params;      /* 4 or 3 */
    double param[4];   /* natural parameters in the order above */
    double se[4];      /* standard errors (NaN when the Hessian is singular) */
    double loglik;     /* maximised log-likelihood */
    size_t n_obs;      /* customers used */
    int iterations;    /* optimiser iterations (Nelder-Mead + BFGS) */
    int converged;     /* 1 when the gradient test passed */
    cip_clv_unit unit; /* unit of the data it was fitted on */
} cip_clv_model;

/* Parameter names of a kind ("r", "alpha", ...); i < n_params. */
CIP_API const char *cip_clv_param_name(cip_clv_model_kind k, int i);

typedef struct cip_clv_fit_params {
    int max_iter;      /* Nelder-Mead iterations; default 2000 */
    double tol;        /* relative LL tolerance; default 1e-12 */
    size_t warm_start; /* fit a deterministic subsample of this many customers
                          first when n is larger (0 = never); default 50000 */
    double penalty;    /* L2 penalty on the log parameters (0 = plain MLE); default 0 */
} cip_clv_fit_params;

CIP_API void cip_clv_fit_params_default(cip_clv_fit_params *p);
CIP_API cip_status cip_clv_fit_params_check(cip_ctx *ctx, const cip_clv_fit_params *p);

/* Fit by maximum likelihood. p may be NULL (defaults). Errors: CIP_ERR_INVALID
 * (no customers, Gamma-Gamma without repeaters or with zbar <= 0),
 * CIP_ERR_NOMEM. Parallel over customers. */
CIP_API cip_status cip_clv_fit(cip_ctx *ctx, cip_clv_model_kind kind, const cip_clv_summary *s,
                               const cip_clv_fit_params *p, cip_clv_model *out);
/* Log-likelihood of a model's parameters on s (sum over customers). */
CIP_API cip_status cip_clv_loglik(cip_ctx *ctx, const cip_clv_model *m, const cip_clv_summary *s,
                                  double *out);
/* A model from given parameters (se = NaN, loglik = NaN). Errors: CIP_ERR_INVALID
 * (non-positive or non-finite parameter). */
CIP_API cip_status cip_clv_model_from_params(cip_ctx *ctx, cip_clv_model_kind kind,
                                             const double *param, int n, cip_clv_unit unit,
                                             cip_clv_model *out);

/* --- predictions (BG/NBD and Pareto/NBD; NaN for other kinds or bad input) ------------- */

/* E[X(t)]: expected purchases of a new customer in (0, t]. */
CIP_API double cip_clv_expected(const cip_clv_model *m, double t);
/* E[Y(t) | x, t_x, T]: expected purchases in the next t periods. */
CIP_API double cip_clv_conditional(const cip_clv_model *m, double t, double x, double t_x,
                                   double T);
/* P(alive | x, t_x, T). */
CIP_API double cip_clv_p_alive(const cip_clv_model *m, double x, double t_x, double T);
/* BG/NBD P(X(t) = x), x a non-negative integer (FHL 2005 eq. 8); NaN for
 * other kinds. */
CIP_API double cip_clv_pmf(const cip_clv_model *m, double x, double t);
/* Gamma-Gamma: E[M | x, zbar] = (gamma + x zbar) p / (p x + q - 1); the
 * population mean gamma p / (q - 1) when x == 0. NaN when q <= 1. */
CIP_API double cip_clv_expected_spend(const cip_clv_model *gg, double x, double zbar);

/* Discounted CLV over `horizon` units in steps of `step` units:
 * sum_k spend * (E[Y(k step)] - E[Y((k-1) step)]) / (1 + rate)^k. */
typedef struct cip_clv_value_params {
    double horizon; /* units, > 0; default 52 (a year in weeks) */
    double step;    /* units per discount period, > 0; default 4.348 (a month in weeks) */
    double rate;    /* discount rate per step, >= 0; default 0.01 */
    double margin;  /* profit margin applied to spend, (0, 1]; default 1 */
} cip_clv_value_params;
CIP_API void cip_clv_value_params_default(cip_clv_value_params *p);
CIP_API double cip_clv_value(const cip_clv_model *m, const cip_clv_value_params *p, double spend,
                             double x, double t_x, double T);

/* --- evaluation on the holdout ----------------------------------------------------------- */

typedef struct cip_clv_eval {
    const char *method;              /* "bgnbd", "pareto", "naive-rate" */
    double mae, rmse, corr;          /* per customer: prediction vs x_hold */
    double pred_total, actual_total; /* holdout sums */
    double agg_error;                /* (pred_total - actual_total) / actual_total */
    double cum_pred, cum_actual;     /* cumulative repeat purchases to hold_end (calib + holdout) */
    double cum_error;                /* (cum_pred - cum_actual) / cum_actual (NaN for naive) */
    double zero_pred, zero_actual;   /* mean prediction / actual of the x == 0 class */
} cip_clv_eval;

/* Score one method's holdout predictions pred[0..n) against s->x_hold. When
 * m is given, also the cumulative forecast to hold_end: sum over customers of
 * E[X(hold_end - first purchase)] against sum of x + x_hold (else NaN).
 * Errors: CIP_ERR_INVALID (no holdout). */
CIP_API cip_status cip_clv_evaluate(cip_ctx *ctx, const cip_clv_summary *s, const cip_clv_model *m,
                                    const double *pred, const char *method, cip_clv_eval *out);

/* Calibration histogram test (FHL 2005): observed counts of customers with
 * x = 0 .. n_bins-2 and >= n_bins-1 repeat purchases against the expected
 * sum_i P(X(T_i) = x); chi-square = sum (O - E)^2 / E. observed/expected may
 * be NULL or hold n_bins values. n_bins in 2..64. BG/NBD only.
 * Errors: CIP_ERR_INVALID. */
CIP_API cip_status cip_clv_histogram_chisq(cip_ctx *ctx, const cip_clv_model *m,
                                           const cip_clv_summary *s, int n_bins, double *observed,
                                           double *expected, double *chisq);

/* --- full evaluation: probabilistic models vs random forest vs baselines (evaluate_ml.c) --- */

/* Period-shifted machine-learning scheme (docs/CLV.md "Machine learning"):
 * with calibration end c2, holdout end c3 and a training cutoff c1 < c2, the
 * random forests are TRAINED on features computed from purchases up to c1
 * with labels from (c1, c2] (spend per unit of time; churned = no purchase
 * in (c1, c2]) and EVALUATED on features computed up to c2 against the
 * holdout (c2, c3]: the spend forecast is the predicted rate times the
 * holdout length, churn the predicted probability of no purchase. Nothing
 * after c2 is ever seen by a model. The probabilistic models are fitted on
 * the calibration period up to c2. */
typedef struct cip_clv_eval_params {
    const char *path;              /* transaction file read with `read` (unused when tx is set) */
    const cip_clv_tx *tx;          /* an already-read log (borrowed), or NULL */
    cip_clv_read_params read;      /* defaults of cip_clv_read_params_default */
    int32_t cal_end;               /* c2, last calibration day (required; default 0 = unset) */
    int32_t hold_end;              /* c3; <= cal_end = the last day of the log (default 0) */
    int32_t train_end;             /* c1; 0 = cal_end - min(holdout, (cal_end - first day + 1) / 3)
                                      days (default 0) */
    cip_clv_unit unit;             /* default CIP_CLV_WEEKS */
    int churn_days;                /* baseline: churned when no purchase in the last churn_days
                                      days; >= 1; default 91 (13 weeks) */
    int n_estimators;              /* trees per forest, 1..10000; default 200 */
    int min_samples_leaf;          /* forest leaves, >= 1; default 5 */
    uint64_t seed;                 /* forest seed; default 42 */
    int forest;                    /* 1 = run the random forests (default), 0 = skip them */
    const cip_clv_fit_params *fit; /* BG/NBD, Pareto/NBD, Gamma-Gamma fits; NULL = defaults */
} cip_clv_eval_params;

CIP_API void cip_clv_eval_params_default(cip_clv_eval_params *p);
/* Errors: CIP_ERR_INVALID naming the field (also train_end >= cal_end). */
CIP_API cip_status cip_clv_eval_params_check(cip_ctx *ctx, const cip_clv_eval_params *p);

/* Holdout SPEND forecast scores of one method (per customer, in money). */
typedef struct cip_clv_spend_score {
    const char *name;                /* static: "BG/NBD", "Random forest", ... */
    double mae, rmse, corr;          /* per customer: predicted vs actual holdout spend */
    double pred_total, actual_total; /* sums over customers */
    double agg_error;                /* (pred_total - actual_total) / actual_total */
} cip_clv_spend_score;

/* Churn (no purchase in the holdout, positive class = churned) scores. */
typedef struct cip_clv_churn_score {
    const char *name; /* static */
    double roc_auc;   /* of the method's churn score */
    double f1;        /* churned class, at the method's decision rule */
    double precision, recall, accuracy;
    double predicted_rate; /* fraction predicted churned */
} cip_clv_churn_score;

#define CIP_CLV_EVAL_MAX 8

typedef struct cip_clv_eval_report {
    int32_t first_day, train_end, cal_end, hold_end; /* day numbers */
    cip_clv_unit unit;
    double holdout_length;     /* (hold_end - cal_end) in units */
    double train_label_length; /* (cal_end - train_end) in units */
    double churn_recency;      /* churn_days in units */
    size_t customers;          /* evaluated customers (first purchase <= cal_end) */
    size_t train_customers;    /* forest training rows (first purchase <= train_end) */
    double churn_rate;         /* fraction of customers without a holdout purchase */
    double train_churn_rate;   /* the same for the training label window */
    size_t n_spend;
    cip_clv_spend_score spend[CIP_CLV_EVAL_MAX];
    size_t n_purchases;
    cip_clv_eval purchases[CIP_CLV_EVAL_MAX]; /* holdout purchase counts (cip_clv_evaluate) */
    size_t n_churn;
    cip_clv_churn_score churn[CIP_CLV_EVAL_MAX];
    cip_clv_model bgnbd, pareto, gamma_gamma;
    double chisq; /* BG/NBD calibration histogram chi-square (x = 0..6, 7+) */
    /* Tracking plot: cumulative repeat purchases of the customers at unit
       boundaries t = 1..n_cum (the last point is the holdout end). */
    size_t n_cum;
    double *cum_t, *cum_actual, *cum_bgnbd, *cum_pareto;
    /* Forest feature names and impurity importances (NULL when forest = 0). */
    size_t n_features;
    const char *const *feature_names; /* static */
    double *importance_spend, *importance_churn;
    cip_alloc_fn alloc_fn_; /* private */
    void *alloc_ud_;        /* private */
} cip_clv_eval_report;

/* Run the whole evaluation. p NULL is invalid (cal_end is required).
 * Errors: those of cip_clv_tx_read, CIP_ERR_INVALID (bad params, no holdout,
 * no customer before train_end), CIP_ERR_NOMEM. Allocates; parallel inside
 * the fits and forests; deterministic for any thread count. */
CIP_API cip_status cip_clv_eval_run(cip_ctx *ctx, const cip_clv_eval_params *p,
                                    cip_clv_eval_report **out);
CIP_API void cip_clv_eval_report_free(cip_clv_eval_report *r); /* NULL is a no-op */
/* The report as the JSON document of contract C5 (`cip clv evaluate --json`);
 * NaN is written as null. *json_out owned by the caller: free with cip_free. */
CIP_API cip_status cip_clv_eval_report_json(cip_ctx *ctx, const cip_clv_eval_report *r,
                                            char **json_out);
/* cip_clv_eval_run + cip_clv_eval_report_json. */
CIP_API cip_status cip_clv_evaluate_json(cip_ctx *ctx, const cip_clv_eval_params *p,
                                         char **json_out);

#ifdef __cplusplus
}
#endif

#endif /* CIP_CLV_H */
