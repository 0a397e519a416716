/* features_int.h - feature-pipeline internals shared by the files of src/features
 *
 * The fitted pipeline owns copies of its params (struct feat_cfg) and its
 * fitted state. Numeric helpers reproduce numpy/pandas exactly: linear
 * quantiles with numpy's two-sided lerp, average-rank percentiles through a
 * sorted (value, count) table, sklearn's MinMaxScaler arithmetic.
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_FEATURES_INT_H
#define CIP_FEATURES_INT_H

#include "cip/features.h"
#include "cipi.h"

#define FEAT_MAGIC          0x46504950u /* "FPIP": live pipeline */
#define FEAT_MAX_BINS       1000
#define FEAT_MAX_REGION_MAP 10000
#define FEAT_FILE_MAGIC     "cip-featpipe"    /* first token of a pipeline file */
#define FEAT_FILE_VERSION   1                 /* major format version written and read */
#define FEAT_FILE_LIMIT     ((size_t)1 << 30) /* largest pipeline file loaded */

/* Indexes of the three min-max scaled inputs and of the three flags. */
enum { FEAT_P = 0, FEAT_F = 1, FEAT_L = 2 };

/* Owned bins: n edges + 1, n labels. */
struct feat_bins {
    size_t n;
    double *edges;
    char **labels;
};

/* Owned copy of cip_featpipe_params. */
struct feat_cfg {
    size_t n_region_map;
    char **region_from;
    char **region_to;
    int allow_unknown_region;
    struct feat_bins age;
    struct feat_bins income;
    double flag_quantile;
    double value_w[3];
    double churn_w[2];
    size_t n_freq;
    char **freq_labels;
    int freq_ties;
    double growth_lo, growth_hi;
    double churn_q;
    int churn_decimals;
};

/* Sorted distinct fitted values with their counts; `less[k]` = number of
 * fitted values below vals[k]. n = total count (0 for an empty group). */
struct feat_ecdf {
    size_t n_uniq;
    double *vals;
    uint64_t *cnt;
    uint64_t *less;
    uint64_t n;
};

struct cip_featpipe {
    uint32_t magic;
    struct cipi_alloc alloc;
    struct feat_cfg cfg;
    /* fitted state */
    size_t n_fit;
    size_t n_inputs; /* columns of the fit frame (passed through) */
    char **input_names;
    double mm_min[3], mm_max[3]; /* FEAT_P, FEAT_F, FEAT_L */
    double q_flag[3];            /* same order */
    double *freq_edges;          /* cfg.n_freq + 1 */
    double g_min, g_max;
    size_t n_regions;
    char **regions; /* sorted */
    double churn_thr;
    struct feat_ecdf income_ecdf, spend_ecdf;
    size_t n_age_ecdf;          /* = cfg.age.n once fitted */
    struct feat_ecdf *age_ecdf; /* per age group: fitted purchase_frequency */
    /* derived: engineered output names */
    size_t n_feat;
    char **feat_names;
};

/* The raw inputs, as doubles (region as per-row labels borrowed from raw). */
struct feat_raw {
    size_t n;
    double *age, *income, *purchase, *loyalty, *freq; /* one owned block, 5*n */
    const char **region;                              /* owned array, borrowed labels */
};

/* --- featstats.c ---------------------------------------------------------- */
/* numpy/pandas linear quantile of sorted v[0..n), n >= 1, q in [0,1]. */
CIP_INTERNAL double cipi_feat_quantile(const double *v, size_t n, double q);
/* Sort doubles ascending (no NaN). */
CIP_INTERNAL void cipi_feat_sort(double *v, size_t n);
/* Build an ecdf from sorted v[0..n) (n may be 0). */
CIP_INTERNAL cip_status cipi_feat_ecdf_build(cip_ctx *ctx, const double *sorted, size_t n,
                                             struct feat_ecdf *e);
/* Fill e->less from e->cnt and set e->n; false when counts overflow. */
CIP_INTERNAL bool cipi_feat_ecdf_finish(struct feat_ecdf *e);
CIP_INTERNAL void cipi_feat_ecdf_release(const struct cipi_alloc *a, struct feat_ecdf *e);
/* Mid-rank percentile (less + (eq + 1)/2) / n, clipped to <= 1; e->n > 0. */
CIP_INTERNAL double cipi_feat_ecdf_pct(const struct feat_ecdf *e, double v);
/* sklearn MinMaxScaler to [lo, hi] fitted on [mn, mx], applied to x. */
CIP_INTERNAL double cipi_feat_minmax(double x, double mn, double mx, double lo, double hi);
/* Bin k of left-closed bins, or -1 outside. */
CIP_INTERNAL long cipi_feat_cut_left(const struct feat_bins *b, double v);
/* qcut bin of v (right-closed, lowest bin includes the first edge, values
 * beyond the ends go to the end bins). */
CIP_INTERNAL size_t cipi_feat_qcut(const double *edges, size_t n_bins, double v);
/* Round v to d decimals as printf("%.*f") + strtod would (d < 0: unchanged). */
CIP_INTERNAL double cipi_feat_round(double v, int d);

/* --- featpipe.c ----------------------------------------------------------- */
CIP_INTERNAL cip_status cipi_feat_cfg_copy(cip_ctx *ctx, const cip_featpipe_params *p,
                                           struct feat_cfg *c);
CIP_INTERNAL void cipi_feat_cfg_view(const struct feat_cfg *c, cip_featpipe_params *p);
CIP_INTERNAL void cipi_feat_cfg_release(const struct cipi_alloc *a, struct feat_cfg *c);
/* New zeroed pipeline with the ctx allocator (magic unset until complete). */
CIP_INTERNAL cip_status cipi_feat_new(cip_ctx *ctx, cip_featpipe **out);
/* Build the engineered-name list from cfg and regions. Errors: CIP_ERR_INVALID when
 * a one-hot name (region_<label>) clashes with another engineered name. */
CIP_INTERNAL cip_status cipi_feat_names_build(cip_ctx *ctx, cip_featpipe *p);
CIP_INTERNAL void cipi_feat_strv_free(const struct cipi_alloc *a, char **v, size_t n);

/* --- transform.c ---------------------------------------------------------- */
/* Extract and check the required columns of raw. */
CIP_INTERNAL cip_status cipi_feat_raw_get(cip_ctx *ctx, const cip_frame *raw, struct feat_raw *r);
CIP_INTERNAL void cipi_feat_raw_release(cip_ctx *ctx, struct feat_raw *r);
/* region -> region_grouped through the map (borrowed label). */
CIP_INTERNAL const char *cipi_feat_group_region(const struct feat_cfg *c, const char *region);
/* CIP_ERR_SCHEMA when a column of raw has the name of an engineered column. */
CIP_INTERNAL cip_status cipi_feat_check_clash(cip_ctx *ctx, const cip_featpipe *p,
                                              const cip_frame *raw);
/* Scores of one row from raw values and the fitted ranges. */
CIP_INTERNAL double cipi_feat_churn_score(const cip_featpipe *p, double loyalty, double freq);

#endif /* CIP_FEATURES_INT_H */
