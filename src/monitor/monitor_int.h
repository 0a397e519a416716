/* monitor_int.h - private declarations of the monitor module
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_MONITOR_INT_H
#define CIP_MONITOR_INT_H

#include <math.h>
#include <stdint.h>

#include "cip/monitor.h"
#include "cipi.h"

#define MON_NQ       CIP_REFSTATS_NQ
#define MON_NHIST    CIP_REFSTATS_NHIST
#define MON_EPS      1e-4
#define MON_OTHER    "__other__"
#define MON_NPSI     10    /* PSI bins: reference deciles */
#define MON_BOOT_MAX 20000 /* rows drawn per replicate of the decay CI (m-out-of-n beyond) */
#define MON_NAN      ((double)NAN)
#define MON_INF      ((double)INFINITY)

/* Numeric column summary. */
struct mon_num {
    double q[MON_NQ];   /* quantiles at k / (MON_NQ - 1) */
    double cdf[MON_NQ]; /* fraction of non-missing rows <= q[k] */
    uint64_t hist[MON_NHIST];
    double mean, std, min, max;
    int integer; /* values were integers: CDFs are step functions between grid points */
    /* derived (mon_col_derive): distinct grid values and their CDF */
    size_t ng;
    double g[MON_NQ], gcdf[MON_NQ];
    size_t n_edges;                /* PSI edges (distinct deciles) */
    size_t edge_idx[MON_NPSI - 1]; /* index in g of each edge */
};

/* Categorical column summary (levels in order of decreasing frequency). */
struct mon_cat {
    size_t k;     /* levels kept (may include MON_OTHER) */
    char **level; /* owned */
    double *freq; /* shares of the non-missing rows, sum 1 */
    int has_other;
};

struct mon_col {
    char *name;
    int categorical;
    uint64_t n;         /* non-missing rows */
    uint64_t n_missing; /* missing rows */
    struct mon_num num;
    struct mon_cat cat;
};

struct cip_refstats {
    struct cipi_alloc a;
    uint64_t n_rows;
    size_t n_cols;
    struct mon_col *cols;
    int has_pred;
    struct mon_col pred;
    size_t n_metrics;
    char **metric_name;
    double *metric_value;
    char *task, *target, *label_column;
    double label_threshold;
};

/* refstats.c */
CIP_INTERNAL cip_refstats *cipi_mon_refstats_new(cip_ctx *ctx);
CIP_INTERNAL void cipi_mon_col_release(const struct cipi_alloc *a, struct mon_col *c);
/* Fill c from column j of f (name copied). */
CIP_INTERNAL cip_status cipi_mon_col_compute(cip_ctx *ctx, const cip_frame *f, size_t j,
                                             struct mon_col *c);
/* Compute the derived grid and PSI edges of a numeric column. */
CIP_INTERNAL void cipi_mon_col_derive(struct mon_col *c);
CIP_INTERNAL cip_status cipi_mon_set_str(cip_ctx *ctx, const struct cipi_alloc *a, char **dst,
                                         const char *s);
/* One-column frame holding predictions (categorical: labels "0".."K-1" of integer ids). */
CIP_INTERNAL cip_status cipi_mon_pred_frame(cip_ctx *ctx, const char *name, const double *pred,
                                            size_t n, int categorical, cip_frame **out);

/* drift.c */
CIP_INTERNAL void cipi_mon_level(const cip_monitor_params *p, cip_drift_feature *d);

/* Current-side counts of a numeric column over the reference grid (shared with live.c). */
struct mon_numcount {
    uint64_t c[MON_NQ + 1];  /* c[j] = values in (g[j-1], g[j]]; c[ng] = above g[ng-1] */
    uint64_t below;          /* values < g[0] */
    double s_below, s_above; /* sums of distances outside the grid */
    uint64_t n, n_missing;
    double sum;
};
CIP_INTERNAL void cipi_mon_numcount_add(const struct mon_num *r, const cip_frame *f, size_t j,
                                        size_t lo, size_t hi, struct mon_numcount *c);
/* Per-row category -> bucket map of frame column j for reference r: map[code] in
 * 0..r->k-1 or r->k for a new level. *map_out owned (n_levels entries). */
CIP_INTERNAL cip_status cipi_mon_cat_map(cip_ctx *ctx, const struct mon_cat *r, const cip_frame *f,
                                         size_t j, uint32_t **map_out, size_t *n_map);
/* PSI of a numeric count against the reference. */
CIP_INTERNAL double cipi_mon_num_psi(const struct mon_num *r, const struct mon_numcount *c);

/* paired.c */
CIP_INTERNAL cip_status cipi_mon_metric_w(const char *metric, const double *y, const double *s,
                                          const uint32_t *w, const size_t *order, size_t n,
                                          double *out);
CIP_INTERNAL cip_status cipi_mon_perf(cip_ctx *ctx, const char *metric, const double *y,
                                      const double *s, size_t n, const cip_monitor_params *p,
                                      cip_monitor_perf *out);

#endif /* CIP_MONITOR_INT_H */
