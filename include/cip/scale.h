/* cip/scale.h - standard scaler (z-scores) and the borrowed column matrix
 *
 * A cip_colmat is a borrowed, column-major view of numeric data: column j is
 * the array cols[j][0..n_rows). Frame columns of type float can be used
 * directly (cip_frame_f64), so no copy is needed to scale or cluster them.
 *
 * A cip_scaler stores per-feature mean and scale and maps x -> (x - mean) /
 * scale, like scikit-learn's StandardScaler with its defaults: the variance
 * is the population variance (ddof = 0) and a constant column (variance zero
 * up to rounding) gets scale 1. A fitted scaler is immutable: transform may
 * run from many threads at once. It is persisted as part of a k-means model
 * file (cip_kmeans_save); cip_scaler_state()/cip_scaler_new() expose and
 * rebuild its state for other containers.
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_SCALE_H
#define CIP_SCALE_H

#include <stddef.h>
#include <stdint.h>

#include "cip/core.h"
#include "cip/data.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Borrowed column-major matrix of doubles. */
typedef struct cip_colmat {
    const double *const *cols; /* n_cols pointers, each to n_rows doubles */
    size_t n_rows;             /* rows (samples) */
    size_t n_cols;             /* columns (features) */
} cip_colmat;

typedef struct cip_scaler cip_scaler; /* opaque */

/* The whole state of a scaler (all arrays have n_features entries). When
 * filled by cip_scaler_state() the pointers borrow from the scaler. */
typedef struct cip_scaler_state {
    size_t n_features;        /* >= 1 */
    const double *mean;       /* per-feature mean */
    const double *var;        /* per-feature population variance (>= 0) */
    const double *scale;      /* per-feature divisor (> 0, finite) */
    const char *const *names; /* feature names, or NULL when unnamed */
    uint64_t n_samples;       /* rows seen by fit (0 when unknown) */
} cip_scaler_state;

/* Fit on the columns of x (n_rows >= 1, n_cols >= 1, all values finite).
 * On CIP_OK *out owns a new scaler (no feature names).
 * Errors: CIP_ERR_INVALID (empty, non-finite value), CIP_ERR_NOMEM.
 * Allocates: yes. Parallel: no. */
CIP_API cip_status cip_scaler_fit(cip_ctx *ctx, const cip_colmat *x, cip_scaler **out);

/* Fit on the named columns of f (int, float or bool), keeping the names.
 * Errors: CIP_ERR_NOT_FOUND (unknown column), CIP_ERR_SCHEMA (categorical
 * column), CIP_ERR_INVALID (missing or non-finite value, no names),
 * CIP_ERR_NOMEM. Allocates: yes. */
CIP_API cip_status cip_scaler_fit_frame(cip_ctx *ctx, const cip_frame *f, const char *const *names,
                                        size_t n_names, cip_scaler **out);

/* Rebuild a scaler from a state (copies everything). Errors: CIP_ERR_INVALID
 * (n_features 0, NULL array, non-finite value, scale <= 0, var < 0),
 * CIP_ERR_NOMEM. Allocates: yes. */
CIP_API cip_status cip_scaler_new(cip_ctx *ctx, const cip_scaler_state *st, cip_scaler **out);

/* Copy of a scaler. Errors: CIP_ERR_NOMEM. Allocates: yes. */
CIP_API cip_status cip_scaler_clone(cip_ctx *ctx, const cip_scaler *s, cip_scaler **out);

/* Fill *st with borrowed pointers into s (valid until cip_scaler_free(s)). */
CIP_API void cip_scaler_state_get(const cip_scaler *s, cip_scaler_state *st);
CIP_API size_t cip_scaler_n_features(const cip_scaler *s);
/* Name of feature j, or NULL when the scaler is unnamed or j is out of range. */
CIP_API const char *cip_scaler_feature_name(const cip_scaler *s, size_t j);

/* out_cols[j][i] = (x->cols[j][i] - mean[j]) / scale[j]. out_cols holds
 * n_cols pointers to n_rows writable doubles each; out_cols[j] may equal
 * x->cols[j] (in place). Errors: CIP_ERR_SCHEMA (n_cols differs).
 * Allocates: no. Thread-safe for a shared scaler. */
CIP_API cip_status cip_scaler_transform(cip_ctx *ctx, const cip_scaler *s, const cip_colmat *x,
                                        double *const *out_cols);
/* The inverse: out = x * scale + mean. Same contract as transform. */
CIP_API cip_status cip_scaler_inverse(cip_ctx *ctx, const cip_scaler *s, const cip_colmat *x,
                                      double *const *out_cols);
/* One row: out[j] = (in[j] - mean[j]) / scale[j], j < n_features; in and out
 * may be the same array. Cannot fail. */
CIP_API void cip_scaler_transform_row(const cip_scaler *s, const double *in, double *out);
CIP_API void cip_scaler_inverse_row(const cip_scaler *s, const double *in, double *out);

CIP_API void cip_scaler_free(cip_scaler *s); /* NULL is a no-op */

#ifdef __cplusplus
}
#endif
#endif /* CIP_SCALE_H */
