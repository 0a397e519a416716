/* search_run.c - cip_search_run: candidates, fold data, refit, result getters
 *
 * Setup is serial: candidates are drawn (random search: distinct grid points
 * from stream 0 of the seed, in draw order, as sklearn's ParameterSampler over
 * lists), every candidate's params are applied up front so a bad grid fails
 * before any fit, and each fold's train/test frames are cut once and shared
 * read-only by all tasks.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "validate_int.h"

static cip_status check_run(cip_ctx *ctx, const cip_estimator *est, const cip_param_grid *grid,
                            const cip_xy *data, const cip_folds *folds, const cip_search_params *p)
{
    if (est == NULL || grid == NULL || data == NULL || folds == NULL || p == NULL ||
        data->x == NULL || data->y == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "search: NULL argument");
    if (est->fit == NULL || est->predict == NULL || est->free_model == NULL ||
        (est->params_size > 0 && est->params == NULL))
        return cipi_fail(ctx, CIP_ERR_MISUSE, "search: estimator '%s' lacks a callback",
                         est->name ? est->name : "?");
    if (cip_folds_n_rows(folds) != cip_frame_n_rows(data->x))
        return cipi_fail(ctx, CIP_ERR_INVALID, "search: folds cover %zu rows but x has %zu",
                         cip_folds_n_rows(folds), cip_frame_n_rows(data->x));
    if (p->scorer == CIP_SCORE_CUSTOM)
        return p->score_fn != NULL
                   ? CIP_OK
                   : cipi_fail(ctx, CIP_ERR_MISUSE, "search: custom scoring without score_fn");
    return cipi_score_check(ctx, p->scorer, est->output);
}

/* Candidates: every point, or min(n_iter, size) distinct points in draw order. */
static cip_status pick_points(cip_ctx *ctx, const cip_param_grid *g, const cip_search_params *p,
                              size_t **out, size_t *n_out)
{
    size_t size = cip_param_grid_size(g);
    size_t n = p->n_iter == 0 || p->n_iter > size ? size : p->n_iter;
    size_t *pts = cipi_mallocarray(ctx, n, sizeof *pts);
    if (pts == NULL)
        return CIP_ERR_NOMEM;
    cip_rng rng;
    cip_rng_init(&rng, p->seed, 0);
    if (p->n_iter == 0) {
        for (size_t i = 0; i < n; i++)
            pts[i] = i;
    } else if (n * 2 >= size) {
        size_t *all = cipi_mallocarray(ctx, size, sizeof *all);
        if (all == NULL) {
            cipi_free(ctx, pts);
            return CIP_ERR_NOMEM;
        }
        for (size_t i = 0; i < size; i++)
            all[i] = i;
        for (size_t i = 0; i < n; i++) {
            size_t j = i + (size_t)cip_rng_below(&rng, size - i);
            size_t t = all[i];
            all[i] = all[j];
            all[j] = t;
            pts[i] = all[i];
        }
        cipi_free(ctx, all);
    } else {
        /* Sparse draw: rejection of repeats (fewer than half the points are taken). */
        for (size_t i = 0; i < n;) {
            size_t v = (size_t)cip_rng_below(&rng, size), j = 0;
            while (j < i && pts[j] != v)
                j++;
            if (j == i)
                pts[i++] = v;
        }
    }
    *out = pts;
    *n_out = n;
    return CIP_OK;
}

static void free_folds(cip_ctx *ctx, struct fold_data *fd, size_t n)
{
    for (size_t k = 0; fd != NULL && k < n; k++) {
        cip_frame_free(fd[k].x_train);
        cip_frame_free(fd[k].x_test);
        cipi_free(ctx, fd[k].y_train);
        cipi_free(ctx, fd[k].y_test);
        cipi_free(ctx, fd[k].w_train);
    }
    cipi_free(ctx, fd);
}

static cip_status cut_fold(cip_ctx *ctx, const cip_xy *data, const size_t *tr, const size_t *te,
                           struct fold_data *f)
{
    f->y_train = cipi_mallocarray(ctx, f->n_train, sizeof *f->y_train);
    f->y_test = cipi_mallocarray(ctx, f->n_test, sizeof *f->y_test);
    if (data->w != NULL)
        f->w_train = cipi_mallocarray(ctx, f->n_train, sizeof *f->w_train);
    if (f->y_train == NULL || f->y_test == NULL || (data->w != NULL && f->w_train == NULL))
        return CIP_ERR_NOMEM;
    for (size_t i = 0; i < f->n_train; i++) {
        f->y_train[i] = data->y[tr[i]];
        if (data->w != NULL)
            f->w_train[i] = data->w[tr[i]];
    }
    for (size_t i = 0; i < f->n_test; i++)
        f->y_test[i] = data->y[te[i]];
    cip_status rc = cip_frame_take_rows(ctx, data->x, tr, f->n_train, &f->x_train);
    if (rc == CIP_OK)
        rc = cip_frame_take_rows(ctx, data->x, te, f->n_test, &f->x_test);
    return rc;
}

static cip_status build_folds(cip_ctx *ctx, const cip_xy *data, const cip_folds *folds,
                              struct fold_data **out, size_t *max_rows)
{
    size_t n = cip_folds_n_rows(folds), k = cip_folds_count(folds);
    struct fold_data *fd = cipi_calloc(ctx, k, sizeof *fd);
    size_t *tr = cipi_mallocarray(ctx, n, sizeof *tr);
    size_t *te = cipi_mallocarray(ctx, n, sizeof *te);
    cip_status rc = CIP_ERR_NOMEM;
    *max_rows = 1;
    if (fd == NULL || tr == NULL || te == NULL)
        goto done;
    rc = CIP_OK;
    for (size_t f = 0; rc == CIP_OK && f < k; f++) {
        fd[f].n_test = cip_folds_n_test(folds, f);
        fd[f].n_train = n - fd[f].n_test;
        rc = cip_folds_get(ctx, folds, f, tr, te);
        if (rc == CIP_OK)
            rc = cut_fold(ctx, data, tr, te, &fd[f]);
        *max_rows = fd[f].n_train > *max_rows ? fd[f].n_train : *max_rows;
        *max_rows = fd[f].n_test > *max_rows ? fd[f].n_test : *max_rows;
    }
done:
    cipi_free(ctx, tr);
    cipi_free(ctx, te);
    if (rc != CIP_OK) {
        free_folds(ctx, fd, k);
        fd = NULL;
    }
    *out = fd;
    return rc;
}

/* Apply every candidate's point to its own copy of the base params. */
static cip_status make_params(cip_ctx *ctx, struct search *s)
{
    size_t align = _Alignof(max_align_t), sz = s->est->params_size, bytes;
    s->params_stride = (sz + align - 1) / align * align;
    if (!cipi_mul_ok(s->params_stride, s->n_cand, &bytes))
        return cipi_fail(ctx, CIP_ERR_LIMIT, "search: params too large");
    s->params = cipi_malloc(ctx, bytes);
    if (s->params == NULL)
        return CIP_ERR_NOMEM;
    for (size_t c = 0; c < s->n_cand; c++) {
        cip_status rc = cip_param_grid_apply(ctx, s->grid, s->points[c], s->est,
                                             s->params + c * s->params_stride);
        if (rc != CIP_OK)
            return rc;
    }
    return CIP_OK;
}

static cip_status new_result(cip_ctx *ctx, const struct search *s, cip_search_result **out)
{
    cip_search_result *r = cipi_calloc(ctx, 1, sizeof *r);
    if (r == NULL)
        return CIP_ERR_NOMEM;
    r->a = cipi_ctx_alloc(ctx);
    r->n_cand = s->n_cand;
    r->n_folds = s->n_folds;
    r->free_model = s->est->free_model;
    r->ud = s->est->ud;
    r->cand = cipi_calloc(ctx, s->n_cand, sizeof *r->cand);
    r->test = cipi_mallocarray(ctx, s->n_tasks, sizeof *r->test);
    r->train = cipi_mallocarray(ctx, s->n_tasks, sizeof *r->train);
    *out = r;
    if (r->cand == NULL || r->test == NULL || r->train == NULL)
        return CIP_ERR_NOMEM;
    for (size_t t = 0; t < s->n_tasks; t++)
        r->test[t] = r->train[t] = (double)NAN;
    for (size_t c = 0; c < s->n_cand; c++)
        r->cand[c].point = s->points[c];
    return CIP_OK;
}

static cip_status refit(cip_ctx *ctx, const struct search *s, const cip_xy *data,
                        cip_search_result *r)
{
    const void *params = s->params + r->best * s->params_stride;
    cip_status rc = s->est->fit(ctx, s->est->ud, data->x, data->y, data->w, params, &r->model);
    if (rc != CIP_OK) {
        r->model = NULL;
        return cipi_fail_prefix(ctx, rc, "refitting the best candidate %zu", r->best);
    }
    return CIP_OK;
}

cip_status cip_search_run(cip_ctx *ctx, const cip_estimator *est, const cip_param_grid *grid,
                          const cip_xy *data, const cip_folds *folds, const cip_search_params *p,
                          cip_search_result **out)
{
    *out = NULL;
    cip_status rc = check_run(ctx, est, grid, data, folds, p);
    if (rc != CIP_OK)
        return rc;
    struct search s;
    memset(&s, 0, sizeof s);
    s.est = est;
    s.p = p;
    s.grid = grid;
    s.n_folds = cip_folds_count(folds);
    size_t *points = NULL;
    struct fold_data *fd = NULL;
    cip_search_result *r = NULL;
    rc = pick_points(ctx, grid, p, &points, &s.n_cand);
    if (rc != CIP_OK)
        goto done;
    s.points = points;
    s.n_tasks = s.n_cand * s.n_folds; /* both bounded by allocations already made */
    rc = make_params(ctx, &s);
    if (rc == CIP_OK)
        rc = build_folds(ctx, data, folds, &fd, &s.max_rows);
    if (rc == CIP_OK)
        rc = new_result(ctx, &s, &r);
    if (rc != CIP_OK)
        goto done;
    s.fd = fd;
    s.test = r->test;
    s.train = r->train;
    rc = cipi_search_run_tasks(ctx, &s);
    if (rc != CIP_OK)
        goto done;
    cipi_search_aggregate(r, p->train_scores);
    if (p->refit)
        rc = refit(ctx, &s, data, r);
done:
    free_folds(ctx, fd, s.n_folds);
    cipi_free(ctx, points);
    cipi_free(ctx, s.params);
    if (rc != CIP_OK) {
        cip_search_result_free(r);
        return rc;
    }
    *out = r;
    return CIP_OK;
}

size_t cip_search_result_n_candidates(const cip_search_result *r)
{
    return r->n_cand;
}

size_t cip_search_result_n_folds(const cip_search_result *r)
{
    return r->n_folds;
}

const cip_search_candidate *cip_search_result_candidate(const cip_search_result *r, size_t i)
{
    return i < r->n_cand ? &r->cand[i] : NULL;
}

const double *cip_search_result_fold_scores(const cip_search_result *r, size_t i, int train)
{
    if (i >= r->n_cand)
        return NULL;
    return (train ? r->train : r->test) + i * r->n_folds;
}

size_t cip_search_result_best(const cip_search_result *r)
{
    return r->best;
}

const void *cip_search_result_model(const cip_search_result *r)
{
    return r->model;
}

void *cip_search_result_take_model(cip_search_result *r)
{
    void *m = r->model;
    r->model = NULL;
    return m;
}

void cip_search_result_free(cip_search_result *r)
{
    if (r == NULL)
        return;
    struct cipi_alloc a = r->a;
    if (r->model != NULL && r->free_model != NULL)
        r->free_model(r->ud, r->model);
    cipi_afree(&a, r->cand);
    cipi_afree(&a, r->test);
    cipi_afree(&a, r->train);
    cipi_afree(&a, r);
}
