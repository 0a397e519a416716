/* cip/kmeans.h - k-means clustering, choosing k, and cluster-quality scores
 *
 * cip_kmeans_fit() runs scikit-learn's KMeans algorithm: greedy k-means++
 * seeding, n_init restarts keeping the lowest inertia, Lloyd or Elkan
 * iterations with sklearn's convergence rule (labels unchanged, or total
 * squared centre shift <= tol * mean feature variance), empty clusters moved
 * to the farthest points. Restart r draws from RNG stream (seed, r), and all
 * floating sums run over fixed row blocks combined in block order, so a fit
 * is bit-identical for any thread count. Parallel over rows (OpenMP).
 *
 * A fitted cip_kmeans is immutable: predict may run from many threads at
 * once. A model may carry a cip_scaler (params.standardize) and feature
 * names; predict then scales raw rows itself. Centres are stored in the
 * model (scaled) space. Ownership: getters borrow until cip_kmeans_free().
 *
 * Cluster quality (silhouette, Calinski-Harabasz, Davies-Bouldin) matches
 * sklearn.metrics on the same labels; cip_kmeans_sweep() fits k over a range
 * and picks k by one of them (silhouette by default; ties -> smaller k).
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_KMEANS_H
#define CIP_KMEANS_H

#include <stddef.h>
#include <stdint.h>

#include "cip/core.h"
#include "cip/data.h"
#include "cip/scale.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CIP_KMEANS_FORMAT_VERSION 1 /* major version of the model file */

typedef struct cip_kmeans cip_kmeans; /* opaque */

typedef enum cip_kmeans_algo {
    CIP_KMEANS_LLOYD = 0, /* assign every row to its nearest centre each iteration */
    CIP_KMEANS_ELKAN = 1  /* same result, skips distances with triangle-inequality bounds */
} cip_kmeans_algo;

/* Passed to the per-iteration callback (restart, iteration, progress). */
typedef struct cip_kmeans_iter_info {
    int restart;    /* 0 .. n_init-1 */
    int iter;       /* 0-based iteration within the restart */
    double inertia; /* sum of w*d^2 of the assignment made this iteration (before the update) */
    double center_shift; /* sum over centres of the squared move of the update */
} cip_kmeans_iter_info;
/* Called from the calling thread after every iteration of every restart. */
typedef void (*cip_kmeans_iter_fn)(void *ud, const cip_kmeans_iter_info *info);

typedef struct cip_kmeans_params {
    int n_clusters;              /* k >= 1, <= rows; default 8 */
    int n_init;                  /* restarts >= 1, best inertia kept; default 10 */
    int max_iter;                /* iterations per restart >= 1; default 300 */
    double tol;                  /* >= 0, relative to mean feature variance; default 1e-4 */
    cip_kmeans_algo algorithm;   /* default CIP_KMEANS_LLOYD (sklearn 1.2) */
    uint64_t seed;               /* restart r uses RNG stream (seed, r); default 42 */
    int standardize;             /* 1 = fit a standard scaler first and keep it; default 0 */
    const char *const *features; /* frame API: columns to use (NULL = every numeric
                                    column); matrix API: optional names to record */
    size_t n_features;           /* entries in features */
    const double *init;          /* optional [n_clusters][n_features] row-major starting
                                    centres (model space), used by every restart instead of
                                    k-means++ (sklearn's init=array); default NULL */
    cip_kmeans_iter_fn on_iter;  /* optional per-iteration callback; default NULL */
    void *on_iter_ud;            /* its user data */
} cip_kmeans_params;

CIP_API void cip_kmeans_params_default(cip_kmeans_params *p);
/* Errors: CIP_ERR_INVALID naming the bad field. */
CIP_API cip_status cip_kmeans_params_check(cip_ctx *ctx, const cip_kmeans_params *p);

/* Fit on x (all values finite; rows >= n_clusters). sample_weight: NULL or
 * n_rows weights >= 0 with a positive sum. On CIP_OK *out owns the model.
 * Errors: CIP_ERR_INVALID, CIP_ERR_NOMEM. Allocates: yes. Parallel: rows. */
CIP_API cip_status cip_kmeans_fit(cip_ctx *ctx, const cip_kmeans_params *p, const cip_colmat *x,
                                  const double *sample_weight, cip_kmeans **out);
/* Fit on the columns p->features of f (int, float or bool, no missing).
 * Errors: as cip_kmeans_fit, plus CIP_ERR_NOT_FOUND, CIP_ERR_SCHEMA. */
CIP_API cip_status cip_kmeans_fit_frame(cip_ctx *ctx, const cip_kmeans_params *p,
                                        const cip_frame *f, cip_kmeans **out);

/* Nearest centre of each row of x (raw features; scaled by the model's
 * scaler if it has one) into labels[labels_len >= n_rows]; ties -> lower
 * index. dist2: NULL or n_rows squared distances (model space).
 * Errors: CIP_ERR_SCHEMA (columns), CIP_ERR_INVALID (length, non-finite).
 * Allocates: no. Parallel: rows. Thread-safe for a shared model. */
CIP_API cip_status cip_kmeans_predict(cip_ctx *ctx, const cip_kmeans *km, const cip_colmat *x,
                                      int32_t *labels, size_t labels_len, double *dist2);
/* As predict, taking the model's feature names from f (named models only).
 * Allocates: yes (a converted copy of the columns). */
CIP_API cip_status cip_kmeans_predict_frame(cip_ctx *ctx, const cip_kmeans *km, const cip_frame *f,
                                            int32_t *labels, size_t labels_len);
/* One raw row of n_features values. Cannot allocate. */
CIP_API cip_status cip_kmeans_predict_row(cip_ctx *ctx, const cip_kmeans *km, const double *row,
                                          int32_t *label, double *dist2);

/* --- fitted state (borrowed) ---------------------------------------------- */
CIP_API size_t cip_kmeans_n_clusters(const cip_kmeans *km);
CIP_API size_t cip_kmeans_n_features(const cip_kmeans *km);
/* Centres, row-major [n_clusters][n_features], in model (scaled) space. */
CIP_API const double *cip_kmeans_centers(const cip_kmeans *km);
/* Training labels [n_train_rows]; NULL for a loaded model. */
CIP_API const int32_t *cip_kmeans_labels(const cip_kmeans *km);
CIP_API size_t cip_kmeans_n_train_rows(const cip_kmeans *km);
/* Training rows per cluster [n_clusters]. */
CIP_API const uint64_t *cip_kmeans_cluster_sizes(const cip_kmeans *km);
CIP_API double cip_kmeans_inertia(const cip_kmeans *km); /* of the kept restart */
CIP_API int cip_kmeans_n_iter(const cip_kmeans *km);     /* iterations of the kept restart */
/* Feature name j, or NULL for an unnamed model. */
CIP_API const char *cip_kmeans_feature_name(const cip_kmeans *km, size_t j);
/* The scaler applied before clustering, or NULL. */
CIP_API const cip_scaler *cip_kmeans_scaler(const cip_kmeans *km);
/* The parameters used (features/init/on_iter fields are NULL). */
CIP_API void cip_kmeans_get_params(const cip_kmeans *km, cip_kmeans_params *p);

/* --- persistence: text, versioned, CRC-32 checked (docs/FORMATS.md) -------- */
/* Errors: CIP_ERR_IO, CIP_ERR_INVALID (a name with a control char), NOMEM. */
CIP_API cip_status cip_kmeans_save(cip_ctx *ctx, const cip_kmeans *km, const char *path);
/* Errors: CIP_ERR_IO, CIP_ERR_PARSE (bad magic, version, truncation,
 * checksum, any malformed line; the message names path:line), NOMEM. */
CIP_API cip_status cip_kmeans_load(cip_ctx *ctx, const char *path, cip_kmeans **out);
/* The file image in memory; *out owned by the caller, free with cip_kmeans_buf_free(). */
CIP_API cip_status cip_kmeans_save_mem(cip_ctx *ctx, const cip_kmeans *km, char **out,
                                       size_t *out_len);
CIP_API cip_status cip_kmeans_load_mem(cip_ctx *ctx, const char *name, const char *data, size_t len,
                                       cip_kmeans **out);
CIP_API void cip_kmeans_buf_free(cip_ctx *ctx, char *buf);
CIP_API void cip_kmeans_free(cip_kmeans *km); /* NULL is a no-op */

/* --- cluster quality (labels in [0, n_rows); label values may be unused) ------ */
typedef struct cip_silhouette_info {
    double score;  /* mean silhouette coefficient in [-1, 1] */
    size_t n_used; /* rows it was computed on (= n_rows when exact) */
    int sampled;   /* 1 when computed on a random sample of n_used rows */
} cip_silhouette_info;
/* Silhouette (euclidean, as sklearn's silhouette_score). sample_size 0 or
 * >= n_rows: exact over all rows, O(n^2 d), blocked and parallel; otherwise
 * on sample_size rows drawn without replacement from stream (seed, 0).
 * Needs 2 <= distinct labels <= used rows - 1.
 * Errors: CIP_ERR_INVALID, CIP_ERR_NOMEM. Allocates: yes. Parallel: rows. */
CIP_API cip_status cip_cluster_silhouette(cip_ctx *ctx, const cip_colmat *x, const int32_t *labels,
                                          size_t sample_size, uint64_t seed,
                                          cip_silhouette_info *out);
/* sklearn calinski_harabasz_score; 1.0 when within-dispersion is 0. */
CIP_API cip_status cip_cluster_calinski_harabasz(cip_ctx *ctx, const cip_colmat *x,
                                                 const int32_t *labels, double *out);
/* sklearn davies_bouldin_score (lower is better). */
CIP_API cip_status cip_cluster_davies_bouldin(cip_ctx *ctx, const cip_colmat *x,
                                              const int32_t *labels, double *out);

/* --- choosing k ------------------------------------------------------------------ */
typedef enum cip_kmeans_criterion {
    CIP_KMEANS_BY_SILHOUETTE = 0, /* highest silhouette (default) */
    CIP_KMEANS_BY_CALINSKI = 1,   /* highest Calinski-Harabasz */
    CIP_KMEANS_BY_DAVIES = 2      /* lowest Davies-Bouldin */
} cip_kmeans_criterion;

typedef struct cip_kmeans_sweep_params {
    cip_kmeans_params km;           /* fit parameters; km.n_clusters and km.init ignored */
    int k_min;                      /* >= 2; default 2 */
    int k_max;                      /* >= k_min; default 8 */
    cip_kmeans_criterion criterion; /* default CIP_KMEANS_BY_SILHOUETTE */
    size_t silhouette_sample;       /* exact silhouette up to this many rows, else a sample
                                       of this size; 0 = always exact; default 10000 */
} cip_kmeans_sweep_params;

typedef struct cip_kmeans_sweep_point {
    int k;               /* number of clusters */
    double inertia;      /* of the fit with k clusters */
    double silhouette;   /* silhouette of its labels */
    size_t silhouette_n; /* rows the silhouette used (< rows when sampled) */
    double calinski;     /* Calinski-Harabasz score */
    double davies;       /* Davies-Bouldin score */
    int n_iter;          /* iterations of the kept restart */
} cip_kmeans_sweep_point;

typedef struct cip_kmeans_sweep cip_kmeans_sweep; /* opaque result */

CIP_API void cip_kmeans_sweep_params_default(cip_kmeans_sweep_params *p);
/* Fit k = k_min..k_max and keep the whole curve plus the model of the
 * chosen k. Errors: as cip_kmeans_fit. Allocates: yes. Parallel: rows. */
CIP_API cip_status cip_kmeans_sweep_run(cip_ctx *ctx, const cip_kmeans_sweep_params *p,
                                        const cip_colmat *x, const double *sample_weight,
                                        cip_kmeans_sweep **out);
CIP_API cip_status cip_kmeans_sweep_run_frame(cip_ctx *ctx, const cip_kmeans_sweep_params *p,
                                              const cip_frame *f, cip_kmeans_sweep **out);
CIP_API size_t cip_kmeans_sweep_n_points(const cip_kmeans_sweep *s);
CIP_API const cip_kmeans_sweep_point *cip_kmeans_sweep_points(const cip_kmeans_sweep *s);
CIP_API int cip_kmeans_sweep_chosen_k(const cip_kmeans_sweep *s);
/* The model of the chosen k (borrowed), or take ownership of it (the sweep
 * then returns NULL for it). */
CIP_API const cip_kmeans *cip_kmeans_sweep_best(const cip_kmeans_sweep *s);
CIP_API cip_kmeans *cip_kmeans_sweep_take_best(cip_kmeans_sweep *s);
CIP_API void cip_kmeans_sweep_free(cip_kmeans_sweep *s); /* NULL is a no-op */

#ifdef __cplusplus
}
#endif
#endif /* CIP_KMEANS_H */
