/* forest_fixtures.h - small data builders shared by the forest unit tests
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_FOREST_FIXTURES_H
#define CIP_FOREST_FIXTURES_H

#include <math.h>
#include <stdio.h>

#include "cip/forest.h"
#include "testutil.h"

static inline cip_ctx *new_ctx(int threads)
{
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_ctx_set_threads(ctx, threads);
    return ctx;
}

/* Frame of p float columns "x0".. from column-major data (NaN = missing). */
static inline cip_frame *frame_of(cip_ctx *ctx, const double *cols, size_t n, size_t p)
{
    cip_frame *x;
    assert_int_equal(cip_frame_new(ctx, n, &x), CIP_OK);
    for (size_t j = 0; j < p; j++) {
        char name[16];
        snprintf(name, sizeof name, "x%zu", j);
        assert_int_equal(cip_frame_add_f64(ctx, x, name, cols + j * n, NULL), CIP_OK);
    }
    return x;
}

static inline cip_forest_params params(cip_forest_task task, int trees, uint64_t seed)
{
    cip_forest_params p;
    cip_forest_params_default(&p);
    p.task = task;
    p.n_estimators = trees;
    p.seed = seed;
    return p;
}

/* One deterministic tree on all rows and all features. */
static inline cip_forest_params one_tree(cip_forest_task task)
{
    cip_forest_params p = params(task, 1, 1);
    p.bootstrap = 0;
    p.max_features = CIP_FOREST_MAXF_ALL;
    return p;
}

static inline double predict1(const cip_forest *f, const double *row)
{
    double out;
    assert_int_equal(cip_forest_predict_row(f, row, &out), CIP_OK);
    return out;
}

/* Random data: x uniform in [0, 10), y = 3*x0 + sin(x1) + noise; y_cls = x0 + 0.3 noise > 5. */
static inline void make_data(size_t n, size_t p, uint64_t seed, double *x, double *y, double *ycls)
{
    cip_rng r;
    cip_rng_init(&r, seed, 0);
    for (size_t i = 0; i < n * p; i++)
        x[i] = floor(cip_rng_uniform(&r) * 1000.0) / 100.0;
    for (size_t i = 0; i < n; i++) {
        double e = cip_rng_normal(&r);
        if (y != NULL)
            y[i] = 3.0 * x[i] + sin(x[n + i]) + 0.5 * e;
        if (ycls != NULL)
            ycls[i] = x[i] + 0.3 * e > 5.0;
    }
}

static inline double r2_of(const double *y, const double *p, size_t n)
{
    double m = 0, a = 0, b = 0;
    for (size_t i = 0; i < n; i++)
        m += y[i] / (double)n;
    for (size_t i = 0; i < n; i++) {
        a += (y[i] - p[i]) * (y[i] - p[i]);
        b += (y[i] - m) * (y[i] - m);
    }
    return 1 - a / b;
}

#endif /* CIP_FOREST_FIXTURES_H */
