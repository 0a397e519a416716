/* validate_int.h - internals shared by the files of the validate module
 *
 * Split and fold objects, class encoding, scikit-learn's test-size rule and its
 * "approximate mode" allocation, and random permutations from cip_rng streams.
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_VALIDATE_INT_H
#define CIP_VALIDATE_INT_H

#include "cip/rng.h"
#include "cip/validate.h"
#include "cipi.h"

struct cip_split {
    struct cipi_alloc a; /* allocator of this object */
    size_t n_train;      /* rows in idx[0..n_train) */
    size_t n_test;       /* rows in idx[n_train..n_train+n_test) */
    size_t *idx;         /* ascending train rows, then ascending test rows */
};

struct cip_folds {
    struct cipi_alloc a; /* allocator of this object */
    size_t n_rows;       /* rows covered */
    size_t k;            /* folds per repeat */
    size_t repeats;      /* repeats */
    uint32_t *fold;      /* fold of each row, repeat-major: fold[r * n_rows + i] */
    size_t *n_test;      /* rows of each split (k * repeats) */
};

/* Labels encoded as dense class indices. */
struct vclasses {
    size_t n_classes; /* distinct labels */
    uint32_t *of_row; /* class of each row; owned */
    size_t *count;    /* rows per class; owned */
    double *value;    /* label of each class; owned */
};

/* Encode y[n] (finite labels) as classes sorted by value, or by first appearance
 * when by_first is true (StratifiedKFold). Errors: INVALID (NaN/inf), NOMEM. */
CIP_INTERNAL cip_status cipi_vclasses_make(cip_ctx *ctx, const double *y, size_t n, bool by_first,
                                           struct vclasses *out);
CIP_INTERNAL void cipi_vclasses_release(cip_ctx *ctx, struct vclasses *c);

/* Test rows for test_size on n rows (sklearn's _validate_shuffle_split).
 * Errors: INVALID (size out of range, empty train or test side). */
CIP_INTERNAL cip_status cipi_validate_n_test(cip_ctx *ctx, double test_size, size_t n,
                                             size_t *n_test);

/* A class's share in _approximate_mode: the remainder of its continuous share,
 * a position that orders equal remainders, and the class index. */
struct vranked {
    double rem;
    size_t pos;
    size_t cls;
};
/* The floors of counts[j] / sum * n_draws into out[k], r[k] sorted by larger
 * remainder first, then pos[j] (NULL: the class index); returns the draws
 * still to allocate. */
CIP_INTERNAL size_t cipi_validate_floors(const size_t *counts, size_t k, size_t n_draws,
                                         const size_t *pos, struct vranked *r, size_t *out);
/* sklearn's _approximate_mode: split n_draws over k classes in proportion to
 * counts, floors first, then the largest remainders, ties broken at random.
 * Writes out[k]. Errors: NOMEM. */
CIP_INTERNAL cip_status cipi_validate_approx_mode(cip_ctx *ctx, const size_t *counts, size_t k,
                                                  size_t n_draws, cip_rng *rng, size_t *out);

/* Fisher-Yates shuffle of v[n]. */
CIP_INTERNAL void cipi_validate_shuffle(size_t *v, size_t n, cip_rng *rng);
CIP_INTERNAL void cipi_validate_shuffle_u32(uint32_t *v, size_t n, cip_rng *rng);

/* numpy's legacy RandomState stream (numpy_rng.c): MT19937 seeded as
 * RandomState(seed), permutations and _approximate_mode exactly as numpy and
 * scikit-learn draw them, for splits identical to train_test_split's. */
struct cipi_np_rng {
    uint32_t mt[624];
    int pos;
};
CIP_INTERNAL void cipi_np_seed(struct cipi_np_rng *r, uint32_t seed);
CIP_INTERNAL uint32_t cipi_np_next32(struct cipi_np_rng *r);
/* RandomState.shuffle of v[n] / v = RandomState.permutation(n). */
CIP_INTERNAL void cipi_np_shuffle(struct cipi_np_rng *r, size_t *v, size_t n);
CIP_INTERNAL void cipi_np_permutation(struct cipi_np_rng *r, size_t *v, size_t n);
/* sklearn's _approximate_mode with numpy's tie draws. Errors: NOMEM. */
CIP_INTERNAL cip_status cipi_np_approx_mode(cip_ctx *ctx, const size_t *counts, size_t k,
                                            size_t n_draws, struct cipi_np_rng *r, size_t *out);

/* New split from a test mask (mask[i] != 0 = test). Errors: NOMEM. */
CIP_INTERNAL cip_status cipi_split_from_mask(cip_ctx *ctx, const uint8_t *mask, size_t n,
                                             cip_split **out);

/* Group split (split_group.c). */
CIP_INTERNAL cip_status cipi_split_group(cip_ctx *ctx, const cip_split_data *d,
                                         const cip_split_params *p, size_t n_test, cip_rng *rng,
                                         uint8_t *mask);

/* Check that scorer s can score predictions of this kind (score.c). Errors: INVALID. */
CIP_INTERNAL cip_status cipi_score_check(cip_ctx *ctx, cip_scorer s, cip_output kind);

/* --- search (search.c, search_run.c) ----------------------------------------------------- */
struct fold_data {
    cip_frame *x_train; /* training rows of the fold */
    cip_frame *x_test;  /* held-out rows */
    double *y_train;    /* their targets */
    double *y_test;
    double *w_train; /* training weights, NULL without weights */
    size_t n_train;  /* rows */
    size_t n_test;
};

struct search {
    const cip_estimator *est;        /* the estimator */
    const cip_search_params *p;      /* search params */
    const cip_param_grid *grid;      /* the grid */
    const size_t *points;            /* grid point of each candidate */
    unsigned char *params;           /* params of each candidate, params_stride apart */
    size_t params_stride;            /* bytes between candidates' params */
    const struct fold_data *fd;      /* n_folds entries */
    size_t n_cand, n_folds, n_tasks; /* counts; n_tasks = n_cand * n_folds */
    size_t max_rows;                 /* largest fold side */
    double *test;                    /* score slots, candidate-major */
    double *train;                   /* NaN-filled unless train_scores */
};

struct cip_search_result {
    struct cipi_alloc a;        /* allocator */
    size_t n_cand;              /* candidates */
    size_t n_folds;             /* splits */
    cip_search_candidate *cand; /* summaries */
    double *test;               /* fold scores, n_cand * n_folds */
    double *train;
    size_t best;                               /* best candidate */
    void *model;                               /* refit model or NULL */
    void (*free_model)(void *ud, void *model); /* frees model */
    void *ud;                                  /* its user data */
};

/* Run every task of s, filling s->test and s->train. Errors: from the estimator,
 * prefixed with the candidate and fold of the lowest failing task. */
CIP_INTERNAL cip_status cipi_search_run_tasks(cip_ctx *ctx, const struct search *s);
/* Means, stds, gaps, ranks and the best candidate of r from its fold scores. */
CIP_INTERNAL void cipi_search_aggregate(struct cip_search_result *r, int train_scores);

#endif /* CIP_VALIDATE_INT_H */
