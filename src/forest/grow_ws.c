/* grow_ws.c - allocating and freeing the tree grower's per-worker workspace
 *
 * A workspace is allocated once per worker through the ctx and reused for
 * every tree the worker grows: row arrays (index, weight, value and
 * bootstrap counts), the node buffer, feature-evaluation scratch, the
 * histogram-set pool, the small-subtree arrays, the one-pass histograms and
 * the node-ordered code copies. Growing (tree.c) never allocates from it.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "forest_int.h"
#include "grow_int.h"

void cipi_forest_ws_rows(struct fgrow_ws *ws, uint32_t **idx, double **w, double **v,
                         uint32_t **cnt)
{
    *idx = ws->idx;
    *w = ws->w;
    *v = ws->v;
    *cnt = ws->cnt;
}

void cipi_forest_ws_free(const struct cipi_alloc *a, struct fgrow_ws *ws)
{
    if (ws == NULL)
        return;
    void *blocks[] = {ws->cover,    ws->idx,       ws->cnt,         ws->w,         ws->v,
                      ws->nodes,    ws->dists,     ws->stack,       ws->perm,      ws->free_sets,
                      ws->fres,     ws->fconst,    ws->node_st,     ws->small.ord, ws->small.keys,
                      ws->small.rk, ws->small.pos, ws->small.codes, ws->small.raw, ws->small.miss0,
                      ws->small.w,  ws->small.v,   ws->small.y,     ws->small.tmp, ws->small.count,
                      ws->small.sb, ws->small.se,  ws->small.ncodes};
    for (size_t i = 0; i < CIP_ARRAY_LEN(blocks); i++)
        cipi_afree(a, blocks[i]);
    for (int i = 0; ws->ev != NULL && i < ws->n_ev; i++) {
        cipi_afree(a, ws->ev[i].h.cnt);
        cipi_afree(a, ws->ev[i].h.st);
        cipi_afree(a, ws->ev[i].cells);
        cipi_afree(a, ws->ev[i].g.code);
        cipi_afree(a, ws->ev[i].g.cnt);
        cipi_afree(a, ws->ev[i].g.st);
        cipi_afree(a, ws->ev[i].g.vlo);
        cipi_afree(a, ws->ev[i].g.vhi);
        cipi_afree(a, ws->ev[i].bits);
        cipi_afree(a, ws->ev[i].ids);
        cipi_afree(a, ws->ev[i].tmp);
    }
    cipi_afree(a, ws->ev);
    if (ws->sets != NULL) {
        cipi_afree(a, ws->sets[0].cnt);
        cipi_afree(a, ws->sets[0].st);
    }
    cipi_afree(a, ws->sets);
    if (ws->mh != NULL) {
        cipi_afree(a, ws->mh[0].cnt);
        cipi_afree(a, ws->mh[0].st);
    }
    cipi_afree(a, ws->mh);
    cipi_afree(a, ws->all_feats);
    cipi_afree(a, ws->crm);
    cipi_afree(a, ws);
}

static bool ev_new(cip_ctx *ctx, struct feval *ev, size_t ns)
{
    ev->h.cnt = cipi_mallocarray(ctx, FOREST_HIST_BINS, sizeof(uint32_t));
    ev->h.st = cipi_mallocarray(ctx, FOREST_HIST_BINS * ns, sizeof(double));
    ev->cells = cipi_calloc(ctx, FOREST_CODE_CELLS, sizeof(double));
    ev->g.code = cipi_malloc(ctx, FOREST_GROUPS_MAX);
    ev->g.cnt = cipi_mallocarray(ctx, FOREST_GROUPS_MAX, sizeof(uint32_t));
    ev->g.st = cipi_mallocarray(ctx, FOREST_GROUPS_MAX * ns, sizeof(double));
    ev->g.vlo = cipi_mallocarray(ctx, FOREST_GROUPS_MAX, sizeof(double));
    ev->g.vhi = cipi_mallocarray(ctx, FOREST_GROUPS_MAX, sizeof(double));
    ev->tmp = cipi_mallocarray(ctx, 2 * ns, sizeof(double));
    ev->bits = cipi_calloc(ctx, FOREST_SMALL_MAX / 64, sizeof(uint64_t));    /* zero between uses */
    ev->ids = cipi_mallocarray(ctx, FOREST_SMALL_MAX + 8, sizeof(uint16_t)); /* + 8: scan_small2 */
    return ev->h.cnt && ev->h.st && ev->cells && ev->g.code && ev->g.cnt && ev->g.st && ev->g.vlo &&
           ev->g.vhi && ev->tmp && ev->bits && ev->ids;
}

/* The pool of histogram sets used for subtraction (only when every feature
 * is a candidate at every node); none when a set would be too large. */
static bool sets_new(cip_ctx *ctx, struct fgrow_ws *ws, const struct fgrow_cfg *cfg)
{
    size_t per_hist = FOREST_HIST_BINS * (sizeof(uint32_t) + ws->n_stats * sizeof(double));
    size_t set_bytes = per_hist * ws->p;
    size_t n_sets = set_bytes > 0 ? SET_POOL_BYTES / set_bytes : 0;
    if (n_sets > SET_POOL_MAX)
        n_sets = SET_POOL_MAX;
    if ((size_t)cfg->mtry != ws->p || n_sets < 4)
        return true;
    size_t n_hists = n_sets * ws->p;
    ws->sets = cipi_calloc(ctx, n_hists, sizeof *ws->sets);
    ws->free_sets = cipi_mallocarray(ctx, n_sets, sizeof *ws->free_sets);
    if (ws->sets == NULL || ws->free_sets == NULL)
        return false;
    uint32_t *cnt = cipi_mallocarray(ctx, n_hists * FOREST_HIST_BINS, sizeof *cnt);
    double *st = cipi_mallocarray(ctx, n_hists * FOREST_HIST_BINS * ws->n_stats, sizeof *st);
    if (cnt == NULL || st == NULL) {
        cipi_free(ctx, cnt);
        cipi_free(ctx, st);
        return false;
    }
    for (size_t i = 0; i < n_hists; i++) {
        ws->sets[i].cnt = cnt + i * FOREST_HIST_BINS;
        ws->sets[i].st = st + i * FOREST_HIST_BINS * ws->n_stats;
    }
    ws->n_sets = (int)n_sets;
    return true;
}

static bool small_new(cip_ctx *ctx, struct fgrow_ws *ws, const struct fgrow_cfg *cfg)
{
    struct fsmall *s = &ws->small;
    size_t per_f = FOREST_SMALL_MAX * ws->p;
    s->p = ws->p;
    s->ns = ws->n_stats;
    s->ord = cipi_mallocarray(ctx, FOREST_SMALL_MAX, sizeof *s->ord);
    s->keys = cipi_mallocarray(ctx, 2 * FOREST_SMALL_MAX, sizeof *s->keys);
    s->pos = cipi_mallocarray(ctx, per_f, sizeof *s->pos);
    s->codes = cipi_malloc(ctx, per_f);
    s->raw = cipi_mallocarray(ctx, FOREST_SMALL_MAX,
                              (cfg->bins->n_raw ? cfg->bins->n_raw : 1) * sizeof *s->raw);
    s->miss0 = cipi_mallocarray(ctx, ws->p, sizeof *s->miss0);
    s->rk = cipi_mallocarray(ctx, per_f, sizeof *s->rk);
    s->w = cipi_mallocarray(ctx, FOREST_SMALL_MAX, sizeof *s->w);
    s->v = cipi_mallocarray(ctx, FOREST_SMALL_MAX, sizeof *s->v);
    s->y = cipi_mallocarray(ctx, FOREST_SMALL_MAX, sizeof *s->y);
    s->tmp = cipi_mallocarray(ctx, FOREST_SMALL_MAX, sizeof *s->tmp);
    s->count = cipi_mallocarray(ctx, FOREST_HIST_BINS + 1, sizeof *s->count);
    s->sb = cipi_mallocarray(ctx, ws->p, sizeof *s->sb);
    s->se = cipi_mallocarray(ctx, ws->p, sizeof *s->se);
    s->ncodes = cipi_malloc(ctx, FOREST_SMALL_MAX);
    return s->ord && s->keys && s->pos && s->codes && s->raw && s->miss0 && s->rk && s->w && s->v &&
           s->y && s->tmp && s->count && s->sb && s->se && s->ncodes;
}

/* Histograms for one-pass building over whole rows (skipped when too large). */
static bool rows_new(cip_ctx *ctx, struct fgrow_ws *ws)
{
    size_t per_hist = FOREST_HIST_BINS * (sizeof(uint32_t) + ws->n_stats * sizeof(double));
    ws->all_feats = cipi_mallocarray(ctx, ws->p, sizeof *ws->all_feats);
    if (ws->all_feats == NULL)
        return false;
    for (size_t j = 0; j < ws->p; j++)
        ws->all_feats[j] = (int)j;
    if (per_hist * ws->p > SET_POOL_BYTES)
        return true;
    ws->mh = cipi_calloc(ctx, ws->p, sizeof *ws->mh);
    if (ws->mh == NULL)
        return false;
    uint32_t *cnt = cipi_mallocarray(ctx, ws->p * FOREST_HIST_BINS, sizeof *cnt);
    double *st = cipi_mallocarray(ctx, ws->p * FOREST_HIST_BINS * ws->n_stats, sizeof *st);
    if (cnt == NULL || st == NULL) {
        cipi_free(ctx, cnt);
        cipi_free(ctx, st);
        return false;
    }
    for (size_t i = 0; i < ws->p; i++) {
        ws->mh[i].cnt = cnt + i * FOREST_HIST_BINS;
        ws->mh[i].st = st + i * FOREST_HIST_BINS * ws->n_stats;
    }
    return true;
}

/* The node-ordered copy of the rows' codes, for tables of at most 64 features
 * (wider rows would make partitions move too many bytes). */
static bool crm_new(cip_ctx *ctx, struct fgrow_ws *ws, size_t n)
{
    if (ws->p > FOREST_ROWS_MAX_FEATURES)
        return true;
    ws->cps = ws->p <= 8 ? 8 : ws->p <= 16 ? 16 : ws->p <= 32 ? 32 : 64;
    ws->crm = cipi_mallocarray(ctx, n, ws->cps);
    return ws->crm != NULL;
}

cip_status cipi_forest_ws_new(cip_ctx *ctx, const struct fgrow_cfg *cfg, size_t n_rows,
                              struct fgrow_ws **out)
{
    struct fgrow_ws *ws = cipi_calloc(ctx, 1, sizeof *ws);
    if (ws == NULL)
        return CIP_ERR_NOMEM;
    ws->a = cipi_ctx_alloc(ctx);
    ws->p = cfg->bins->n_features;
    ws->n_stats = (size_t)cfg->sc.n_stats;
    size_t n = n_rows ? n_rows : 1;
    ws->idx = cipi_mallocarray(ctx, n, sizeof *ws->idx);
    ws->cnt = cipi_mallocarray(ctx, n, sizeof *ws->cnt);
    ws->w = cipi_mallocarray(ctx, n, sizeof *ws->w);
    ws->v = cipi_mallocarray(ctx, n, sizeof *ws->v);
    ws->nodes = cipi_mallocarray(ctx, 2 * n, sizeof *ws->nodes);
    ws->cover = cipi_mallocarray(ctx, 2 * n, sizeof *ws->cover);
    ws->cap_stack = 64;
    ws->stack = cipi_mallocarray(ctx, ws->cap_stack, sizeof *ws->stack);
    ws->perm = cipi_mallocarray(ctx, ws->p, sizeof *ws->perm);
    ws->fres = cipi_mallocarray(ctx, ws->p, sizeof *ws->fres);
    ws->fconst = cipi_malloc(ctx, ws->p);
    ws->node_st = cipi_mallocarray(ctx, ws->n_stats, sizeof *ws->node_st);
    ws->n_ev = cfg->feat_threads > 1 ? cfg->feat_threads : 1;
    ws->ev = cipi_calloc(ctx, (size_t)ws->n_ev, sizeof *ws->ev);
    bool ok = ws->cover && ws->idx && ws->cnt && ws->w && ws->v && ws->nodes && ws->stack &&
              ws->perm && ws->fres && ws->fconst && ws->node_st && ws->ev;
    for (int i = 0; ok && i < ws->n_ev; i++)
        ok = ev_new(ctx, &ws->ev[i], ws->n_stats);
    ok = ok && sets_new(ctx, ws, cfg) && small_new(ctx, ws, cfg) && rows_new(ctx, ws) &&
         crm_new(ctx, ws, n);
    if (!ok) {
        struct cipi_alloc a = ws->a;
        cipi_forest_ws_free(&a, ws);
        return CIP_ERR_NOMEM;
    }
    for (size_t j = 0; j < ws->p; j++)
        ws->perm[j] = (int)j;
    *out = ws;
    return CIP_OK;
}
