/* models.c - pipeline stage 4: train the honest and the leaky model of a task
 *
 * Honest: the task's features minus the leaks, trained by cip_train_run on the
 * training rows of the pipeline's split only (test_size 0: the feature pipeline
 * and, for churn, the label threshold are fitted on those rows; grid search
 * with CV, group folds after a group split). Leaky: what the reference project
 * trained, its original feature set on a random (stratified for churn) split
 * of all rows. On large tables the grid is searched on a deterministic sample
 * of search_rows training rows and the chosen point is refitted on all of them.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "pipeline_int.h"

static void base_params(const struct pl_state *s, const struct pl_model *m, cip_train_params *tp)
{
    cip_train_params_default(tp);
    tp->task = m->task;
    tp->grid = s->p->grid;
    tp->cv = s->p->cv;
    tp->seed = s->p->seed;
    tp->preset = CIP_TRAIN_PRESET_ORIGINAL;
    if (m->task == CIP_TRAIN_CHURN)
        tp->forest.class_weight = CIP_FOREST_CW_BALANCED;
}

/* Every k-th row of rows[0..n) so that at most cap remain. */
static cip_status sample_rows(cip_ctx *ctx, const size_t *rows, size_t n, size_t cap, size_t **out,
                              size_t *m)
{
    size_t step = (n + cap - 1) / cap;
    *m = (n + step - 1) / step;
    *out = cipi_mallocarray(ctx, *m, sizeof **out);
    if (*out == NULL)
        return cipi_nomem(ctx);
    for (size_t i = 0; i < *m; i++)
        (*out)[i] = rows != NULL ? rows[i * step] : i * step;
    return CIP_OK;
}

/* cip_train_run, with the search on a sample when the table is large. */
static cip_status train(struct pl_state *s, const cip_frame *data, const size_t *rows, size_t n,
                        cip_train_params *tp, cip_train_result **out)
{
    cip_ctx *ctx = s->ctx;
    size_t cap = s->p->search_rows, *idx = NULL, m = 0;
    int search = tp->grid != NULL && tp->grid[0] != '\0' && tp->cv > 0;
    cip_frame *sub = NULL, *small = NULL;
    cip_train_result *probe = NULL;
    cip_status rc = CIP_OK;
    if (rows != NULL)
        rc = cip_frame_take_rows(ctx, data, rows, n, &sub);
    const cip_frame *all = sub != NULL ? sub : data;
    if (rc != CIP_OK || !search || cap == 0 || n <= cap) {
        if (rc == CIP_OK)
            rc = cip_train_run(ctx, all, tp, out);
        goto done;
    }
    rc = sample_rows(ctx, NULL, n, cap, &idx, &m);
    if (rc == CIP_OK)
        rc = cip_frame_take_rows(ctx, all, idx, m, &small);
    if (rc == CIP_OK)
        rc = cip_train_run(ctx, small, tp, &probe);
    if (rc != CIP_OK)
        goto done;
    cip_train_params one = *tp;
    one.grid = probe->best_params; /* "a=1;b=2" is a one-point grid spec */
    one.cv = 0;
    rc = cip_train_run(ctx, all, &one, out);
    if (rc == CIP_OK) { /* keep the search's CV evidence */
        cip_train_result *r = *out;
        r->cv_mean = probe->cv_mean;
        r->cv_std = probe->cv_std;
        r->n_candidates = probe->n_candidates;
        int churn = tp->task == CIP_TRAIN_CHURN;
        rc = cipi_pl_set_metric(ctx, r, churn ? "cv_f1_mean" : "cv_r2_mean", probe->cv_mean);
        if (rc == CIP_OK)
            rc = cipi_pl_set_metric(ctx, r, churn ? "cv_f1_std" : "cv_r2_std", probe->cv_std);
        if (rc == CIP_OK)
            rc = cipi_pl_set_metric(ctx, r, "search_rows", (double)m);
    }
done:
    cip_train_result_free(probe);
    cip_frame_free(small);
    cip_frame_free(sub);
    cipi_free(ctx, idx);
    return rc;
}

/* The reference-style model: original features, random split of all rows. On a
 * large table (more rows than search_rows) it reuses the honest model's grid
 * point instead of searching again and trains on a sample of leaky_rows rows:
 * its held-out score only shows how optimistic the reference's protocol is. */
static cip_status train_leaky(struct pl_state *s, struct pl_model *m)
{
    cip_train_params tp;
    base_params(s, m, &tp);
    tp.features = m->base;
    tp.n_features = m->n_base;
    tp.test_size = s->p->test_size;
    size_t cap = s->p->search_rows;
    if (cap == 0 || s->n <= cap)
        return train(s, s->raw, NULL, s->n, &tp, &m->leaky);
    tp.grid = m->honest->best_params;
    tp.cv = 0;
    size_t *idx = NULL, n = s->n;
    cip_status rc = CIP_OK;
    if (s->p->leaky_rows > 0 && n > s->p->leaky_rows)
        rc = sample_rows(s->ctx, NULL, s->n, s->p->leaky_rows, &idx, &n);
    if (rc == CIP_OK)
        rc = train(s, s->raw, idx, n, &tp, &m->leaky);
    if (rc == CIP_OK)
        rc = cipi_pl_push(s->ctx, &s->notes,
                          "%s: the leaky model reuses the honest grid point (%s) and %zu rows",
                          m->name, m->honest->best_params, n);
    cipi_free(s->ctx, idx);
    return rc;
}

cip_status cipi_pl_train(struct pl_state *s, struct pl_model *m)
{
    cip_train_params tp;
    cip_status rc = CIP_OK;
    if (m->n_feats == 0) {
        m->present = false;
        return cipi_pl_push(s->ctx, &s->notes, "%s: not trained, every feature leaks", m->name);
    }
    base_params(s, m, &tp);
    tp.features = m->feats;
    tp.n_features = m->n_feats;
    tp.test_size = 0.0;
    tp.split = s->group ? CIP_SPLIT_GROUP : -1;
    rc = train(s, s->raw, s->train, s->n_train, &tp, &m->honest);
    if (rc == CIP_OK && s->p->leaky)
        rc = train_leaky(s, m);
    if (rc == CIP_OK)
        m->present = true;
    return rc;
}
