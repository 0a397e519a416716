/* cip/features.h - the reference feature pipeline (fit on some rows, transform any rows)
 *
 * A cip_featpipe reproduces the original project's engineered customer table
 * byte for byte (see docs/FEATURES.md). cip_featpipe_fit() learns every piece
 * of state from the rows it is given (min/max of the scaled columns, the
 * quantile thresholds of the flags, the qcut edges of purchase_frequency, the
 * fitted values behind the percentile ranks, overall and per age group, the
 * range of the raw growth score, the region levels of the one-hot columns and
 * the churn-label threshold); cip_featpipe_transform() then applies that state
 * to any rows, down to a single customer, without refitting.
 * Input: a frame with the numeric (int or float) columns age, annual_income,
 * purchase_amount, loyalty_score and purchase_frequency and the category
 * column region, without missing or non-finite values. Output: every input
 * column in input order, then the engineered columns in the reference order.
 * Thread-safety: a fitted pipeline is immutable; transform, churn_label,
 * lineage and save may run concurrently on one pipeline (one ctx per thread).
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_FEATURES_H
#define CIP_FEATURES_H

#include <stddef.h>
#include <stdint.h>

#include "cip/core.h"
#include "cip/data.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cip_featpipe cip_featpipe; /* opaque fitted pipeline */

/* What qcut does when two of its quantile edges coincide. */
typedef enum cip_featpipe_ties {
    CIP_FEATPIPE_TIES_ERROR = 0, /* fit fails with CIP_ERR_INVALID (pandas raises) */
    CIP_FEATPIPE_TIES_LOWER = 1  /* keep the edges; a value goes to the lowest bin whose
                                    right edge is >= it, so some bins stay empty */
} cip_featpipe_ties;

/* Left-closed bins [edges[k], edges[k+1]) with labels (pandas cut(right=False)).
 * A value outside [edges[0], edges[n_bins]) gets a missing category. */
typedef struct cip_featpipe_bins {
    size_t n_bins;             /* 1..1000 */
    const double *edges;       /* n_bins + 1 strictly increasing, not NaN (+-inf allowed) */
    const char *const *labels; /* n_bins distinct non-empty labels */
} cip_featpipe_bins;

/* Configuration. cip_featpipe_params_default() gives the reference project.
 * The fit copies everything: pointers need only live during the call. */
typedef struct cip_featpipe_params {
    size_t n_region_map;                 /* rare-region replacements; default 1 */
    const char *const *region_from;      /* labels replaced, once (not chained, as pandas
                                            replace); default {"East"} */
    const char *const *region_to;        /* their replacements; default {"North"} */
    int allow_unknown_region;            /* 0 (default): transform fails with CIP_ERR_SCHEMA on a
                                            region_grouped label not seen by fit; 1: the row keeps
                                            its label in region_grouped and all one-hot columns
                                            are False */
    cip_featpipe_bins age_bins;          /* default [14,30,45,60,100): Young_Adult, Adult,
                                            Middle_Aged, Senior */
    cip_featpipe_bins income_bins;       /* default [0,45000,90000,150000): Low_Income,
                                            Medium_Income, High_Income */
    double flag_quantile;                /* [0,1]; is_* = value > this quantile; default 0.75 */
    double value_weights[3];             /* customer_value_score weights of the min-max scaled
                                            purchase_amount, purchase_frequency, loyalty_score;
                                            default {0.5, 0.25, 0.25} */
    double churn_weights[2];             /* churn_risk_score = w0*(1-L) + w1*(1-F) (L loyalty,
                                            F frequency, min-max scaled); default {0.5, 0.5} */
    size_t n_frequency_bins;             /* qcut quantile bins of purchase_frequency, 1..1000;
                                            default 4 */
    const char *const *frequency_labels; /* n_frequency_bins labels; default 0-25%, 25-50%,
                                            50-75%, 75-100% */
    cip_featpipe_ties frequency_ties;    /* default CIP_FEATPIPE_TIES_ERROR */
    double growth_range[2];              /* growth_potential_score scale; lo < hi, finite;
                                            default {0, 100} */
    double churn_label_quantile;         /* [0,1]; churn label threshold; default 0.75 */
    int churn_label_decimals;            /* -1..15: scores are rounded to this many decimals (as
                                            the %.4f CSV the original read back) before the
                                            threshold is fitted and applied; -1 = no rounding;
                                            default 4 */
} cip_featpipe_params;

/* Fitted state, for reports and tests. Pointers borrow from the pipeline. */
typedef struct cip_featpipe_info {
    size_t n_fit_rows;                         /* rows the pipeline was fitted on */
    double purchase_min, purchase_max;         /* min-max range of purchase_amount */
    double frequency_min, frequency_max;       /* ... of purchase_frequency */
    double loyalty_min, loyalty_max;           /* ... of loyalty_score */
    double q_purchase, q_loyalty, q_frequency; /* flag thresholds (e.g. 527.5, 8.275, 23) */
    size_t n_frequency_edges;                  /* n_frequency_bins + 1 */
    const double *frequency_edges;             /* qcut edges (e.g. 10, 17, 20, 23, 28) */
    double growth_min, growth_max; /* range of income_pct - spending_pct on the fit rows */
    double churn_threshold;        /* churn label threshold (e.g. 0.63405) */
    size_t n_regions;              /* one-hot levels, sorted (byte order) */
    const char *const *regions;    /* their labels */
} cip_featpipe_info;

/* Fill *p with the reference defaults (pointers to static tables). */
CIP_API void cip_featpipe_params_default(cip_featpipe_params *p);
/* Check ranges, counts, edge order and label uniqueness.
 * Errors: CIP_ERR_INVALID (message names the field). Allocates: no. */
CIP_API cip_status cip_featpipe_params_check(cip_ctx *ctx, const cip_featpipe_params *p);

/* Fit on the rows of raw (params NULL = defaults). On CIP_OK *out owns a new
 * pipeline (free with cip_featpipe_free); on error *out is NULL.
 * Errors: CIP_ERR_INVALID (params; no rows; duplicate qcut edges under
 * CIP_FEATPIPE_TIES_ERROR; missing or non-finite inputs), CIP_ERR_SCHEMA
 * (a required column is absent or has the wrong type), CIP_ERR_NOMEM.
 * Allocates: yes. Parallel: no. in: raw, params. out: *out. */
CIP_API cip_status cip_featpipe_fit(cip_ctx *ctx, const cip_frame *raw,
                                    const cip_featpipe_params *params, cip_featpipe **out);

/* Apply a fitted pipeline to the rows of raw. On CIP_OK *out owns a new frame
 * (all columns of raw in their order, then the engineered ones); the pipeline
 * is not modified. Rows the pipeline was fitted on reproduce the fit-time
 * (pandas) values exactly; for unseen values: percentiles are the mid-rank
 * empirical CDF (#fitted < v + (#fitted == v + 1)/2) / n_fitted clipped to
 * <= 1, min-max scores are not clipped, growth_potential_score is clipped to
 * the growth range before truncation, qcut bins extend to +-inf at the ends,
 * age_adjusted_percentile is missing when the age group is missing or had no
 * fitted rows.
 * Errors: CIP_ERR_SCHEMA (columns/types; unknown region unless allowed;
 * an input column named like an engineered one), CIP_ERR_INVALID (missing or
 * non-finite input value), CIP_ERR_MISUSE (p NULL), CIP_ERR_NOMEM.
 * Allocates: yes. Parallel: no. */
CIP_API cip_status cip_featpipe_transform(cip_ctx *ctx, const cip_featpipe *p, const cip_frame *raw,
                                          cip_frame **out);

/* The churn label of the reference project: score > churn threshold, where
 * score is the frame's churn_risk_score column when it has one (an engineered
 * frame, e.g. read back from CSV), else computed from its loyalty_score and
 * purchase_frequency (a raw frame); rounded to churn_label_decimals first.
 * out[i] = 1 for churners, 0 otherwise; out_len must equal the row count.
 * Errors: CIP_ERR_INVALID (out_len, missing score), CIP_ERR_SCHEMA, CIP_ERR_MISUSE.
 * Allocates: no. */
CIP_API cip_status cip_featpipe_churn_label(cip_ctx *ctx, const cip_featpipe *p,
                                            const cip_frame *frame, uint8_t *out, size_t out_len);

/* Fitted state and the params in force (pointers borrow from p, valid until
 * cip_featpipe_free(p)). */
CIP_API void cip_featpipe_get_info(const cip_featpipe *p, cip_featpipe_info *out);
CIP_API void cip_featpipe_get_params(const cip_featpipe *p, cip_featpipe_params *out);

/* Engineered output columns, in output order (22 on the reference data).
 * Names borrow from p. */
CIP_API size_t cip_featpipe_n_features(const cip_featpipe *p);
CIP_API const char *cip_featpipe_feature_name(const cip_featpipe *p, size_t k);

/* Lineage: the raw input columns an output column derives from (e.g.
 * growth_potential_score <- annual_income, purchase_amount). A column passed
 * through from the fit frame derives from itself. *inputs borrows (static
 * strings or strings owned by p). Errors: CIP_ERR_NOT_FOUND (not an output
 * column; no message, there is no ctx), CIP_ERR_MISUSE. Allocates: no. */
CIP_API cip_status cip_featpipe_lineage(const cip_featpipe *p, const char *column,
                                        const char *const **inputs, size_t *n);

/* Persist: a versioned text file ("cip-featpipe 1", doubles as %.17g, CRC-32
 * trailer; docs/FEATURES.md). save writes atomically; save_mem returns an owned
 * buffer (free with cip_featpipe_buf_free). load rejects wrong magic, unknown
 * version, truncation, corruption and inconsistent state with CIP_ERR_PARSE.
 * Errors: CIP_ERR_IO, CIP_ERR_PARSE, CIP_ERR_LIMIT (file over 1 GiB),
 * CIP_ERR_MISUSE, CIP_ERR_NOMEM. Allocates: yes. */
CIP_API cip_status cip_featpipe_save(cip_ctx *ctx, const cip_featpipe *p, const char *path);
CIP_API cip_status cip_featpipe_save_mem(cip_ctx *ctx, const cip_featpipe *p, char **out,
                                         size_t *out_len);
CIP_API void cip_featpipe_buf_free(cip_ctx *ctx, char *buf); /* NULL is a no-op */
CIP_API cip_status cip_featpipe_load(cip_ctx *ctx, const char *path, cip_featpipe **out);
CIP_API cip_status cip_featpipe_load_mem(cip_ctx *ctx, const char *data, size_t len,
                                         cip_featpipe **out);

CIP_API void cip_featpipe_free(cip_featpipe *p); /* NULL is a no-op */

#ifdef __cplusplus
}
#endif
#endif /* CIP_FEATURES_H */
