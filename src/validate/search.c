/* search.c - grid and random search with cross-validation
 *
 * Work is a list of tasks, candidate-major (task t = candidate t / K, fold
 * t % K, as sklearn's product(candidates, splits)). Each task fits on the
 * fold's training rows, scores the held-out rows and, optionally, the training
 * rows. Tasks are independent and write only their own result slots, so the
 * outcome is the same whether they run one at a time (the estimator then gets
 * the ctx's threads) or in parallel (one worker ctx per thread, 1 thread each).
 * Parallel tasks run in chunks so progress is reported from the calling thread;
 * on failure the lowest failing task is reported, which is what a serial run
 * reports too. Aggregation follows GridSearchCV: mean, population std, ranks
 * with ties sharing the lowest rank and NaN last, best = first of rank 1.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "validate_int.h"

void cip_search_params_default(cip_search_params *p)
{
    memset(p, 0, sizeof *p);
    p->scorer = CIP_SCORE_R2;
    p->n_iter = 0;
    p->seed = 0;
    p->train_scores = 1;
    p->refit = 1;
    p->parallel_tasks = 1;
}

static cip_status score_of(cip_ctx *ctx, const struct search *s, const double *y,
                           const double *pred, size_t n, double *out)
{
    if (s->p->scorer == CIP_SCORE_CUSTOM) {
        *out = s->p->score_fn(s->p->score_ud, y, pred, n);
        return CIP_OK;
    }
    return cip_score(ctx, s->p->scorer, s->est->output, y, pred, n, out);
}

/* One (candidate, fold) fit. Touches only ctx, pred and the task's slots. */
static cip_status run_task(cip_ctx *ctx, const struct search *s, size_t t, double *pred)
{
    const cip_estimator *e = s->est;
    const struct fold_data *fd = &s->fd[t % s->n_folds];
    const void *params = s->params + (t / s->n_folds) * s->params_stride;
    void *model = NULL;
    cip_status rc = e->fit(ctx, e->ud, fd->x_train, fd->y_train, fd->w_train, params, &model);
    if (rc == CIP_OK)
        rc = e->predict(ctx, e->ud, model, fd->x_test, pred);
    if (rc == CIP_OK)
        rc = score_of(ctx, s, fd->y_test, pred, fd->n_test, &s->test[t]);
    if (rc == CIP_OK && s->p->train_scores) {
        rc = e->predict(ctx, e->ud, model, fd->x_train, pred);
        if (rc == CIP_OK)
            rc = score_of(ctx, s, fd->y_train, pred, fd->n_train, &s->train[t]);
    }
    if (model != NULL)
        e->free_model(e->ud, model);
    return rc;
}

/* Record a task failure on the caller's ctx with its candidate and fold. */
static cip_status task_failed(cip_ctx *ctx, const struct search *s, size_t t, cip_status rc,
                              const char *msg)
{
    char point[160];
    cip_param_grid_format(s->grid, s->points[t / s->n_folds], point, sizeof point);
    if (msg != NULL)
        cipi_fail(ctx, rc, "%s", msg);
    return cipi_fail_prefix(ctx, rc, "%s: candidate %zu {%s}, fold %zu",
                            s->est->name ? s->est->name : "estimator", t / s->n_folds, point,
                            t % s->n_folds);
}

static cip_status run_serial(cip_ctx *ctx, const struct search *s, double *pred)
{
    for (size_t t = 0; t < s->n_tasks; t++) {
        cip_status rc = run_task(ctx, s, t, pred);
        if (rc != CIP_OK)
            return task_failed(ctx, s, t, rc, NULL);
        cipi_progress(ctx, "search", t + 1, s->n_tasks);
    }
    return CIP_OK;
}

#ifdef _OPENMP
struct worker {
    cip_ctx *ctx;     /* own ctx: 1 thread, the caller's allocator */
    double *pred;     /* prediction buffer */
    size_t fail_task; /* first failing task, SIZE_MAX if none */
    cip_status fail;  /* its status */
    char msg[256];    /* its message */
};

static cip_status make_workers(cip_ctx *ctx, int nt, size_t max_rows, struct worker *w)
{
    struct cipi_alloc a = cipi_ctx_alloc(ctx);
    for (int i = 0; i < nt; i++) {
        w[i].fail_task = SIZE_MAX;
        w[i].pred = cipi_mallocarray(ctx, max_rows, sizeof *w[i].pred);
        if (w[i].pred == NULL)
            return CIP_ERR_NOMEM;
        if (cip_ctx_new_with_alloc(a.fn, a.ud, &w[i].ctx) != CIP_OK)
            return cipi_nomem(ctx);
        cip_ctx_set_threads(w[i].ctx, 1);
    }
    return CIP_OK;
}

static cip_status run_parallel(cip_ctx *ctx, const struct search *s, int nt, struct worker *w)
{
    size_t chunk = (size_t)nt * 4;
    for (size_t base = 0; base < s->n_tasks; base += chunk) {
        long end = (long)(base + chunk < s->n_tasks ? base + chunk : s->n_tasks);
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1)
        for (long t = (long)base; t < end; t++) {
            struct worker *me = &w[omp_get_thread_num()];
            cip_status rc = run_task(me->ctx, s, (size_t)t, me->pred);
            /* Each thread sees its tasks in increasing order: keep the first. */
            if (rc != CIP_OK && me->fail_task == SIZE_MAX) {
                me->fail_task = (size_t)t;
                me->fail = rc;
                snprintf(me->msg, sizeof me->msg, "%s", cip_ctx_errmsg(me->ctx));
            }
        }
        const struct worker *first = NULL;
        for (int i = 0; i < nt; i++)
            if (w[i].fail_task != SIZE_MAX && (first == NULL || w[i].fail_task < first->fail_task))
                first = &w[i];
        if (first != NULL)
            return task_failed(ctx, s, first->fail_task, first->fail, first->msg);
        cipi_progress(ctx, "search", (uint64_t)end, s->n_tasks);
    }
    return CIP_OK;
}
#endif

cip_status cipi_search_run_tasks(cip_ctx *ctx, const struct search *s)
{
    double *pred = cipi_mallocarray(ctx, s->max_rows, sizeof *pred);
    if (pred == NULL)
        return CIP_ERR_NOMEM;
    int nt = cipi_threads_for(ctx, s->n_tasks);
    cip_status rc;
#ifdef _OPENMP
    if (nt > 1 && s->p->parallel_tasks && s->est->thread_safe) {
        struct worker *w = cipi_calloc(ctx, (size_t)nt, sizeof *w);
        if (w == NULL) {
            cipi_free(ctx, pred);
            return CIP_ERR_NOMEM;
        }
        rc = make_workers(ctx, nt, s->max_rows, w);
        if (rc == CIP_OK)
            rc = run_parallel(ctx, s, nt, w);
        for (int i = 0; i < nt; i++) {
            cipi_free(ctx, w[i].pred);
            cip_ctx_free(w[i].ctx);
        }
        cipi_free(ctx, w);
        cipi_free(ctx, pred);
        return rc;
    }
#endif
    (void)nt;
    rc = run_serial(ctx, s, pred);
    cipi_free(ctx, pred);
    return rc;
}

/* Mean and population std of v[n] (NaN propagates). */
static void mean_std(const double *v, size_t n, double *mean, double *std)
{
    double m = 0.0, ss = 0.0;
    for (size_t i = 0; i < n; i++)
        m += v[i];
    m /= (double)n;
    for (size_t i = 0; i < n; i++)
        ss += (v[i] - m) * (v[i] - m);
    *mean = m;
    *std = sqrt(ss / (double)n);
}

void cipi_search_aggregate(struct cip_search_result *r, int train_scores)
{
    size_t k = r->n_folds;
    for (size_t c = 0; c < r->n_cand; c++) {
        cip_search_candidate *cd = &r->cand[c];
        mean_std(r->test + c * k, k, &cd->mean_test, &cd->std_test);
        cd->mean_train = cd->std_train = (double)NAN;
        if (train_scores)
            mean_std(r->train + c * k, k, &cd->mean_train, &cd->std_train);
        cd->gap = cd->mean_train - cd->mean_test;
    }
    for (size_t c = 0; c < r->n_cand; c++) {
        double key = isnan(r->cand[c].mean_test) ? -HUGE_VAL : r->cand[c].mean_test;
        size_t better = 0;
        for (size_t j = 0; j < r->n_cand; j++) {
            double kj = isnan(r->cand[j].mean_test) ? -HUGE_VAL : r->cand[j].mean_test;
            better += kj > key;
        }
        r->cand[c].rank = better + 1;
    }
    r->best = 0;
    for (size_t c = 0; c < r->n_cand; c++)
        if (r->cand[c].rank == 1) {
            r->best = c;
            break;
        }
}
