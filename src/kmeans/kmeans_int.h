/* kmeans_int.h - k-means internals shared by the files of src/kmeans
 *
 * Data is read in place through a cip_colmat (column-major). Rows are
 * processed in fixed blocks of KM_BLOCK rows: every floating sum is first
 * taken within a block (rows in order) and the block partials are then added
 * in block order, which makes results independent of the thread count.
 * Distances are computed directly, sum_j (x_j - c_j)^2, on tiles of KM_TILE
 * rows so the compiler vectorises across rows.
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_KMEANS_INT_H
#define CIP_KMEANS_INT_H

#include <string.h>

#include "cip/kmeans.h"
#include "cip/rng.h"
#include "cipi.h"

#define KM_BLOCK 4096 /* rows per summation block (fixed: never depends on threads) */
#define KM_TILE  16   /* rows per vectorised distance tile (4 x 4 doubles) */
#define KM_MAGIC 0x4b4d4e53u

/* Hot loops are compiled twice on x86-64, for AVX2 and for the baseline, and
 * picked at load time. The ISO C mode we build in keeps -ffp-contract=off,
 * so neither clone fuses multiply-adds and both give identical bits. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(CIP_NO_CLONES)
#define KM_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define KM_CLONES
#endif

/* Four doubles (GCC/Clang vector extension; lowered to SSE2 pairs without
 * AVX). Vectors never cross a function boundary by value: an out-of-line
 * baseline copy would pass them in memory while an AVX2 caller expects
 * registers (the psABI difference GCC and Clang warn about; at -O0 it
 * silently corrupted values), so the helpers take pointers. */
typedef double km_v4 __attribute__((vector_size(32)));
typedef long long km_v4i __attribute__((vector_size(32)));

static inline void km_load4(km_v4 *v, const double *p)
{
    memcpy(v, p, sizeof *v);
}

static inline void km_store4(double *p, const km_v4 *v)
{
    memcpy(p, v, sizeof *v);
}

/* The data a fit runs on (all borrowed). */
struct km_data {
    const double *const *cols; /* d columns of n rows */
    size_t n;                  /* rows */
    size_t d;                  /* features */
    const double *w;           /* n weights, or NULL for unit weights */
    size_t n_blocks;           /* ceil(n / KM_BLOCK) */
    int nt;                    /* threads for row-parallel loops */
};

/* Scratch and state of one restart (owned by the fit, reused across restarts). */
struct km_work {
    size_t k;            /* clusters */
    double *centers;     /* [k*d] current centres */
    double *centers_new; /* [k*d] updated centres */
    double *weight_in;   /* [k] weight per cluster after the update */
    double *shift;       /* [k] euclidean move of each centre */
    size_t *reloc;       /* [k] rows chosen for empty clusters */
    double *partial;     /* [n_blocks * stride] per-block sums, weights, inertia, changes */
    size_t stride;       /* k*d + k + 2 */
    int32_t *labels;     /* [n] current labels (-1 before the first assignment) */
    double *upper;       /* Elkan: [n] upper bounds */
    double *lower;       /* Elkan: [n*k] lower bounds */
    double *half;        /* Elkan: [k*k] half distances between centres */
    double *next;        /* Elkan: [k] half distance to the nearest other centre */
};

struct cip_kmeans {
    uint32_t magic;           /* KM_MAGIC while alive */
    struct cipi_alloc a;      /* allocator of everything below */
    size_t k;                 /* clusters */
    size_t d;                 /* features */
    double *centers;          /* owned [k*d] */
    int32_t *labels;          /* owned [n_train] or NULL (loaded model) */
    uint64_t *sizes;          /* owned [k] training rows per cluster */
    size_t n_train;           /* training rows */
    double inertia;           /* of the kept restart */
    int n_iter;               /* iterations of the kept restart */
    cip_kmeans_params params; /* copy; features/on_iter cleared */
    char **names;             /* owned [d] or NULL */
    cip_scaler *scaler;       /* owned or NULL */
};

/* --- distance kernels ------------------------------------------------------ */
/* acc[0..4) = squared distances of rows i0 .. i0+KM_TILE to centre c[0..d);
 * each lane sums its features in order j = 0, 1, ..., like km_row_d2. */
static inline void km_tile_d2(const double *const *cols, size_t i0, const double *c, size_t d,
                              km_v4 acc[4])
{
    km_v4 a0 = {0.0, 0.0, 0.0, 0.0}, a1 = a0, a2 = a0, a3 = a0;
    for (size_t j = 0; j < d; j++) {
        const double *xj = cols[j] + i0;
        km_v4 cj = {c[j], c[j], c[j], c[j]}, d0, d1, d2, d3;
        km_load4(&d0, xj);
        km_load4(&d1, xj + 4);
        km_load4(&d2, xj + 8);
        km_load4(&d3, xj + 12);
        d0 -= cj;
        d1 -= cj;
        d2 -= cj;
        d3 -= cj;
        a0 += d0 * d0;
        a1 += d1 * d1;
        a2 += d2 * d2;
        a3 += d3 * d3;
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}

/* Squared distance of row i to centre c[0..d). */
static inline double km_row_d2(const double *const *cols, size_t i, const double *c, size_t d)
{
    double s = 0.0;
    for (size_t j = 0; j < d; j++) {
        double diff = cols[j][i] - c[j];
        s += diff * diff;
    }
    return s;
}

static inline double km_weight(const struct km_data *x, size_t i)
{
    return x->w != NULL ? x->w[i] : 1.0;
}

/* --- init.c ----------------------------------------------------------------- */
/* Greedy k-means++ (Arthur & Vassilvitskii 2007, sklearn's variant) into
 * centers[k*d]. scratch: cipi_kmeans_pp_scratch(n, d, k, n_blocks) doubles.
 * Cannot fail. Parallel: rows (x->nt). */
CIP_INTERNAL int cipi_kmeans_n_trials(size_t k);
CIP_INTERNAL size_t cipi_kmeans_pp_scratch(size_t n, size_t d, size_t k, size_t n_blocks);
CIP_INTERNAL void cipi_kmeans_plusplus(const struct km_data *x, size_t k, cip_rng *rng,
                                       double *centers, double *scratch);

/* --- lloyd.c ------------------------------------------------------------------ */
/* Assign rows to the nearest of w->centers (labels, partial sums per block).
 * When update is set, fold the partials into centers_new/weight_in/shift
 * (with empty-cluster relocation). *inertia = E-step inertia, *changed =
 * rows whose label changed. */
CIP_INTERNAL void cipi_kmeans_lloyd_step(const struct km_data *x, struct km_work *w, int update,
                                         double *inertia, size_t *changed);
/* Fold the per-block partials (stride w->stride, labels already set) into
 * centers_new, relocate empty clusters, average, compute shift. */
CIP_INTERNAL void cipi_kmeans_finish_update(const struct km_data *x, struct km_work *w);
/* sum_i w_i ||x_i - centers[labels_i]||^2 in block order. */
CIP_INTERNAL double cipi_kmeans_inertia(const struct km_data *x, const double *centers, size_t k,
                                        const int32_t *labels, double *partial);

/* --- elkan.c ------------------------------------------------------------------ */
CIP_INTERNAL void cipi_kmeans_elkan_init(const struct km_data *x, struct km_work *w);
CIP_INTERNAL void cipi_kmeans_elkan_step(const struct km_data *x, struct km_work *w, int update,
                                         size_t *changed);
CIP_INTERNAL void cipi_kmeans_center_half_distances(struct km_work *w, size_t d,
                                                    const double *centers);

/* --- kmeans.c ------------------------------------------------------------------ */
/* Fit on prepared data (already scaled); names (may be NULL) and scaler
 * (may be NULL, taken on success and on failure) are attached to the model. */
CIP_INTERNAL cip_status cipi_kmeans_fit_data(cip_ctx *ctx, const cip_kmeans_params *p,
                                             const cip_colmat *x, const double *sample_weight,
                                             cip_kmeans **out);
CIP_INTERNAL cip_status cipi_kmeans_attach(cip_ctx *ctx, cip_kmeans *km, const char *const *names,
                                           const cip_scaler *scaler);
/* Validate a matrix (+ weights) against p: sizes, finiteness, weights. */
CIP_INTERNAL cip_status cipi_kmeans_check_input(cip_ctx *ctx, const cip_kmeans_params *p,
                                                const cip_colmat *x, const double *w);
/* Allocate a model shell with k*d centres and k sizes. */
CIP_INTERNAL cip_status cipi_kmeans_alloc(cip_ctx *ctx, size_t k, size_t d, cip_kmeans **out);
/* Numeric columns of f as an owned column-major block [d][n] (missing ->
 * error). names NULL: every non-categorical column (*names_out lists them,
 * borrowed from f). */
CIP_INTERNAL cip_status cipi_kmeans_frame_block(cip_ctx *ctx, const cip_frame *f,
                                                const char *const *names, size_t n_names,
                                                double **block, const char ***names_out,
                                                size_t *d_out);
/* Prepare scaled data for a fit/sweep: fills cols[d] (pointing into x or into
 * *owned), *scaler when standardize. */
CIP_INTERNAL cip_status cipi_kmeans_prepare(cip_ctx *ctx, int standardize, const cip_colmat *x,
                                            const char *const *names, double **owned,
                                            const double ***cols, cip_scaler **scaler);

#endif /* CIP_KMEANS_INT_H */
