/* clv_int.h - private declarations of the clv module
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_CLV_INT_H
#define CIP_CLV_INT_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cip/clv.h"
#include "cip/data.h"
#include "cipi.h"

#define CLV_NAN ((double)NAN)
#define CLV_INF ((double)INFINITY)

/* A transaction log: transactions sorted by customer (customers ordered by
 * first purchase day, then first appearance) and by day within a customer. */
struct cip_clv_tx {
    struct cipi_alloc a;
    size_t n;       /* transactions */
    size_t n_cust;  /* customers */
    size_t merged;  /* records merged into same-day transactions */
    size_t *start;  /* n_cust + 1 offsets into day/amount/qty */
    int32_t *day;   /* day numbers */
    double *amount; /* amounts */
    double *qty;    /* quantities (0 when not given) */
    char **ids;     /* n_cust pointers into id_blob */
    char *id_blob;  /* NUL-separated ids */
    int32_t first, last;
};

/* One raw record while reading. */
struct cipi_clv_rec {
    uint32_t cust; /* dense raw customer id (order of first appearance) */
    int32_t day;
    double amount;
    double qty;
};

/* Growable record array. */
struct cipi_clv_recs {
    struct cipi_clv_rec *v;
    size_t n, cap;
};
CIP_INTERNAL cip_status cipi_clv_recs_push(cip_ctx *ctx, struct cipi_clv_recs *r,
                                           const struct cipi_clv_rec *rec);

/* Build a log from raw records and n_cust ids (ids[k] for raw id k, NUL
 * terminated, lens given). Consumes nothing: the caller frees recs and ids. */
CIP_INTERNAL cip_status cipi_clv_tx_build(cip_ctx *ctx, const struct cipi_clv_recs *recs,
                                          size_t n_cust, char *const *ids, const size_t *id_lens,
                                          int merge, cip_clv_tx **out);

/* Days since 1970-01-01 of a civil date (no validation). */
CIP_INTERNAL int32_t cipi_clv_days_from_civil(int y, int m, int d);

/* --- special functions (special.c) ------------------------------------------------------ */
CIP_INTERNAL double cipi_clv_lbeta(double a, double b);
/* log(exp(u) + exp(v)) */
CIP_INTERNAL double cipi_clv_logaddexp(double u, double v);
/* log(exp(u) - exp(v)), u >= v; -inf when equal */
CIP_INTERNAL double cipi_clv_logsubexp(double u, double v);
/* log 2F1(a, b; c; z) for a, b, c > 0 and 0 <= z < 1 (positive series, with
 * Euler's transformation when it converges faster). NaN when out of domain. */
CIP_INTERNAL double cipi_clv_log_hyp2f1(double a, double b, double c, double z);

/* --- per-customer log-likelihoods (bgnbd.c, paretonbd.c, gammagamma.c) ------------------- */
CIP_INTERNAL double cipi_clv_bgnbd_ll1(const double *p, double x, double t_x, double T);
CIP_INTERNAL double cipi_clv_pareto_ll1(const double *p, double x, double t_x, double T);
CIP_INTERNAL double cipi_clv_gg_ll1(const double *p, double x, double zbar);
CIP_INTERNAL double cipi_clv_bgnbd_expected(const double *p, double t);
CIP_INTERNAL double cipi_clv_bgnbd_p_alive(const double *p, double x, double t_x, double T);
CIP_INTERNAL double cipi_clv_bgnbd_conditional(const double *p, double t, double x, double t_x,
                                               double T);
CIP_INTERNAL double cipi_clv_bgnbd_pmf(const double *p, double x, double t);
CIP_INTERNAL double cipi_clv_pareto_expected(const double *p, double t);
CIP_INTERNAL double cipi_clv_pareto_p_alive(const double *p, double x, double t_x, double T);
CIP_INTERNAL double cipi_clv_pareto_conditional(const double *p, double t, double x, double t_x,
                                                double T);

/* --- optimiser (optim.c) ----------------------------------------------------------------- */
typedef double (*cipi_clv_objfn)(void *ud, const double *theta);
struct cipi_clv_opt {
    int max_iter;
    double tol;
    int iterations;   /* out */
    int converged;    /* out */
    const double *h0; /* initial inverse Hessian for BFGS (k x k), NULL = identity */
};
/* Minimise f over theta[0..k) (k <= 4) in place: Nelder-Mead, then BFGS. */
CIP_INTERNAL double cipi_clv_minimize(cipi_clv_objfn f, void *ud, int k, double *theta,
                                      struct cipi_clv_opt *o);
/* Hessian of f at theta by central differences (k x k row-major). */
CIP_INTERNAL void cipi_clv_hessian(cipi_clv_objfn f, void *ud, int k, const double *theta,
                                   double *h);
/* Invert a k x k symmetric matrix in place; false when singular. */
CIP_INTERNAL bool cipi_clv_invert(int k, double *m);

/* --- machine-learning features (mlfeat.c) ------------------------------------------------ */
#define CIPI_CLV_N_FEAT 14
/* Features of the customers first buying on or before cutoff (the first n of
 * the log) and their labels from (cutoff, label_end]. */
struct cipi_clv_ml {
    size_t n;      /* customers */
    cip_frame *x;  /* CIPI_CLV_N_FEAT double columns */
    double *spend; /* amount bought in the label window */
    double *churn; /* 1 = no purchase in the label window */
};
CIP_INTERNAL const char *const *cipi_clv_feature_names(void);
/* Pearson correlation (NaN when a side is constant). */
CIP_INTERNAL double cipi_clv_pearson(const double *a, const double *b, size_t n);
CIP_INTERNAL cip_status cipi_clv_ml_build(cip_ctx *ctx, const cip_clv_tx *tx, int32_t cutoff,
                                          int32_t label_end, double unit_days,
                                          struct cipi_clv_ml *out);
CIP_INTERNAL void cipi_clv_ml_release(cip_ctx *ctx, struct cipi_clv_ml *m);

#endif /* CIP_CLV_INT_H */
