/* tree.c - growing one CART tree depth-first on binned features
 *
 * A node is a range of the workspace's row arrays (row index, weight w,
 * value v = w*y or the class code), partitioned in place when the node
 * splits (partition.c), so no node allocates. Per node, features are drawn
 * without replacement with sklearn's rule: stop after max_features visited
 * features unless every visited one was constant. Large nodes evaluate a drawn
 * feature from its histogram; when all features are candidates
 * (max_features = all), they keep per-feature histogram sets so the larger
 * child's is derived as parent - smaller child. A node of at most
 * FOREST_SMALL_MAX rows switches its whole subtree to small mode (small.c):
 * exact values, per-node work proportional to the node's rows. The larger
 * child is grown first, so its subtree directly follows the children pair
 * in memory (prediction walks stay local) and the stack stays O(log n).
 * Tables of at most 64 features keep a copy of each row's codes in node
 * order (a fixed stride of 8..64 bytes) that partitions move along with
 * the row arrays, so one-pass histograms, partitions and the entry into
 * small mode read a node's codes sequentially instead of gathering rows
 * from the whole table.
 * Workspaces are allocated once per worker through the ctx; trees grown in
 * workers allocate only their final arrays, through the captured allocator.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "forest_int.h"
#include "grow_int.h"

#define SET_MIN_ROWS  1024 /* histogram sets / subtraction from this node size */
#define FPAR_MIN_ROWS 4096 /* parallel feature evaluation from this node size */
#define SET_SMALL     (-2) /* fentry.set of a node in small mode (local list range) */

/* Add the rows [b, e) of the workspace to the histograms hs of features
 * feats[0..k) in one pass: from the node-ordered copy (in order) when there
 * is one, else gathering the table's row-major codes by index. */
static void add_node_rows(const struct fgrow_cfg *cfg, const struct fgrow_ws *ws, struct fhist *hs,
                          const int *feats, int k, uint32_t b, uint32_t e)
{
    int ns = (int)ws->n_stats;
    if (ws->cps != 0)
        cipi_forest_hist_add_rows(hs, feats, k, ns, ws->crm + (size_t)b * ws->cps, ws->cps, NULL,
                                  ws->w + b, ws->v + b, e - b);
    else
        cipi_forest_hist_add_rows(hs, feats, k, ns, cfg->bins->codes_rm, ws->p, ws->idx + b,
                                  ws->w + b, ws->v + b, e - b);
}

/* Evaluate feature f for node [b, e) into *best; returns 1 when constant. */
static int eval_feature(const struct fgrow_cfg *cfg, struct fgrow_ws *ws, struct feval *ev,
                        const struct fentry *nd, const double *node_st, int f,
                        const struct fhist *pre, struct fsplit *best)
{
    const struct fbins *bins = cfg->bins;
    unsigned nb = bins->n_bins[f];
    uint32_t m = nd->e - nd->b;
    int ns = (int)ws->n_stats;
    bool fast = ns == 2 && cfg->sc.crit != FCRIT_ENTROPY;
    struct fbinfo bi = {nb, bins->lo + bins->off[f], bins->hi + bins->off[f]};
    const struct fhist *h = &ev->h;
    if (nd->set == SET_SMALL) {
        if (fast && m == 2)
            return cipi_forest_scan_pair2(&cfg->sc, &ws->small, nd->b, f, node_st, &bi, best);
        if (fast && bins->raw_col[f] < 0) /* exact feature: a sparse code histogram */
            return cipi_forest_scan_codes2(&cfg->sc, &ws->small, ev->cells, nd->b, nd->e, f,
                                           node_st, &bi, best);
        /* small mode runs on one thread; tiny nodes sort unranked features themselves */
        if (!fast || m > FOREST_SMALL_INSERTION)
            cipi_forest_small_need(&ws->small, nd->b, nd->e, (size_t)f);
        if (fast)
            return cipi_forest_scan_small2(&cfg->sc, &ws->small, ev->bits, ev->ids, nd->b, nd->e, f,
                                           node_st, &bi, best);
        uint32_t n =
            cipi_forest_small_order(&ws->small, ev->bits, nd->b, nd->e, (size_t)f, ev->ids);
        cipi_forest_small_groups(&ws->small, (size_t)f, ev->ids, n, &ev->g);
    } else {
        if (nd->set >= 0) {
            h = &ws->sets[(size_t)nd->set * ws->p + f];
        } else if (pre != NULL) {
            h = pre;
        } else {
            cipi_forest_hist_clear(&ev->h, nb, ns);
            if (ws->cps != 0) /* the node's rows in order: sequential */
                add_node_rows(cfg, ws, &ev->h, &f, 1, nd->b, nd->e);
            else
                cipi_forest_hist_add(&ev->h, ns, bins->codes + (size_t)f * bins->n_rows,
                                     ws->idx + nd->b, ws->w + nd->b, ws->v + nd->b, m);
        }
        if (fast)
            return cipi_forest_scan_hist2(&cfg->sc, h, node_st, m, f, &bi, best);
        cipi_forest_groups_from_hist(&ev->g, h, &bi, ns);
    }
    return cipi_forest_split_scan(&cfg->sc, &ev->g, node_st, m, f, &bi, best, ev->tmp);
}

/* Draw the next candidate feature (Fisher-Yates step on ws->perm). */
static int draw_feature(struct fgrow_ws *ws, cip_rng *rng, size_t drawn)
{
    size_t j = drawn + (size_t)cipi_rng_below(rng, ws->p - drawn);
    int t = ws->perm[drawn];
    ws->perm[drawn] = ws->perm[j];
    ws->perm[j] = t;
    return ws->perm[drawn];
}

/* Evaluate the first k drawn features in parallel (same result as in order). */
static size_t eval_parallel(const struct fgrow_cfg *cfg, struct fgrow_ws *ws,
                            const struct fentry *nd, const double *node_st, size_t k,
                            struct fsplit *best)
{
    int nt = cfg->feat_threads < (int)k ? cfg->feat_threads : (int)k;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt) if (nt > 1)
#endif
    for (size_t i = 0; i < k; i++) {
        int tid = 0;
#ifdef _OPENMP
        tid = omp_get_thread_num();
#endif
        ws->fres[i] = (struct fsplit){-(double)INFINITY, 0.0, -1, 0, 0, 0};
        ws->fconst[i] = (uint8_t)eval_feature(cfg, ws, &ws->ev[tid], nd, node_st, ws->perm[i], NULL,
                                              &ws->fres[i]);
    }
    (void)nt;
    size_t n_const = 0;
    for (size_t i = 0; i < k; i++) {
        n_const += ws->fconst[i];
        if (ws->fres[i].feature >= 0 && ws->fres[i].proxy > best->proxy)
            *best = ws->fres[i];
    }
    return n_const;
}

/* Whether a node of m rows out of n builds the histograms of k features in
 * one pass over its rows rather than k passes over feature columns: always
 * with the node-ordered copy (its rows are sequential, and each column pass
 * would also reread the weights and values; fit.c may have dropped the
 * columns), else for a large node when gathering whole rows (one cache line
 * each) reads fewer lines. */
static bool rows_cheaper(const struct fgrow_ws *ws, size_t m, size_t n, size_t k)
{
    if (ws->cps != 0)
        return true;
    if (m <= FOREST_SMALL_MAX)
        return false;
    size_t col_lines = k * (m < n / 64 ? m : n / 64), row_lines = m * ((ws->p + 63) / 64);
    return row_lines < col_lines;
}

/* Evaluate the first k drawn features from histograms built in one row pass. */
static size_t eval_rows(const struct fgrow_cfg *cfg, struct fgrow_ws *ws, const struct fentry *nd,
                        const double *node_st, size_t k, struct fsplit *best)
{
    const struct fbins *bins = cfg->bins;
    int ns = (int)ws->n_stats;
    for (size_t i = 0; i < k; i++)
        cipi_forest_hist_clear(&ws->mh[i], bins->n_bins[ws->perm[i]], ns);
    add_node_rows(cfg, ws, ws->mh, ws->perm, (int)k, nd->b, nd->e);
    size_t n_const = 0;
    for (size_t i = 0; i < k; i++)
        n_const +=
            (size_t)eval_feature(cfg, ws, &ws->ev[0], nd, node_st, ws->perm[i], &ws->mh[i], best);
    return n_const;
}

/* sklearn's feature loop: visit max_features features, more while all were constant. */
static void find_split(const struct fgrow_cfg *cfg, struct fgrow_ws *ws, cip_rng *rng,
                       const struct fentry *nd, const double *node_st, struct fsplit *best)
{
    size_t p = ws->p, mtry = (size_t)cfg->mtry, visited = 0, n_const = 0;
    *best = (struct fsplit){-(double)INFINITY, 0.0, -1, 0, 0, 0};
    if (cfg->feat_threads > 1 && nd->e - nd->b >= FPAR_MIN_ROWS && mtry > 1) {
        for (visited = 0; visited < mtry; visited++)
            draw_feature(ws, rng, visited);
        n_const = eval_parallel(cfg, ws, nd, node_st, mtry, best);
    } else if (nd->set == -1 && ws->mh != NULL &&
               rows_cheaper(ws, nd->e - nd->b, cfg->bins->n_rows, mtry)) {
        for (visited = 0; visited < mtry; visited++)
            draw_feature(ws, rng, visited);
        n_const = eval_rows(cfg, ws, nd, node_st, mtry, best);
    }
    /* With two rows every valid split has the same children, so the first
     * one found wins (strict >): later draws are taken but not evaluated.
     * So too once a split reaches the best any split can do: pure children
     * for binary Gini (proxy = the node's weight), the best partition by
     * target for squared error in nodes of up to FOREST_BOUND_MAX rows. */
    uint32_t m = nd->e - nd->b;
    bool settled = false, pair = m == 2;
    double bound = (double)INFINITY;
    if (ws->n_stats == 2 && cfg->sc.min_leaf == 1 && !pair) {
        if (cfg->sc.crit == FCRIT_GINI)
            bound = node_st[0];
        else if (cfg->sc.crit == FCRIT_MSE && nd->set == SET_SMALL && m <= FOREST_BOUND_MAX)
            bound = cipi_forest_small_bound(&ws->small, nd->b, nd->e, node_st);
    }
    while (visited < p && (visited < mtry || visited <= n_const)) {
        int f = draw_feature(ws, rng, visited);
        visited++;
        if (!settled)
            n_const += (size_t)eval_feature(cfg, ws, &ws->ev[0], nd, node_st, f, NULL, best);
        settled = (pair && best->feature >= 0) || best->proxy >= bound;
    }
}

/* Variance test of a regression node: two passes over its rows. */
static bool mse_pure(const struct fgrow_ws *ws, const struct fentry *nd, const double *st)
{
    const uint16_t *ids = nd->set == SET_SMALL ? ws->small.ord : NULL;
    const double *w = ids ? ws->small.w : ws->w, *v = ids ? ws->small.v : ws->v;
    double mean = st[1] / st[0], var = 0.0;
    if (ids == NULL && nd->e - nd->b >= 2) {
        /* var >= min(w_a, w_b) (y_a - y_b)^2 / 2 for any two rows a, b: when the
         * first and last rows already exceed the threshold (with a margin for
         * rounding), the exact pass cannot find the node pure */
        uint32_t a = nd->b, b = nd->e - 1;
        double d = v[a] / w[a] - v[b] / w[b], wm = w[a] < w[b] ? w[a] : w[b];
        if (wm * d * d / (2.0 * st[0]) > 4.0 * FOREST_EPSILON)
            return false;
    }
    for (uint32_t r = nd->b; r < nd->e; r++) {
        size_t i = ids ? ids[r] : r;
        double d = v[i] / w[i] - mean;
        var += w[i] * d * d;
    }
    return var / st[0] <= FOREST_EPSILON;
}

/* Stat totals of node [b, e) and sklearn's pure-node test (impurity <= EPSILON). */
static bool node_totals(const struct fgrow_cfg *cfg, const struct fgrow_ws *ws,
                        const struct fentry *nd, double *st)
{
    size_t ns = ws->n_stats;
    memset(st, 0, ns * sizeof *st);
    if (nd->set != SET_SMALL) {
        if (ns == 2) { /* sums in registers (st may alias the row arrays for the compiler) */
            double s0 = 0.0, s1 = 0.0;
            for (uint32_t r = nd->b; r < nd->e; r++) {
                s0 += ws->w[r];
                s1 += ws->v[r];
            }
            st[0] = s0;
            st[1] = s1;
        } else {
            for (uint32_t r = nd->b; r < nd->e; r++)
                st[(size_t)ws->v[r]] += ws->w[r];
        }
        if (cfg->sc.crit != FCRIT_MSE)
            return cipi_forest_class_impurity(&cfg->sc, st) <= FOREST_EPSILON;
        return mse_pure(ws, nd, st);
    }
    const struct fsmall *s = &ws->small;
    double ymin = (double)INFINITY, ymax = -(double)INFINITY, wmin = (double)INFINITY;
    if (ns == 2) {
        double s0 = 0.0, s1 = 0.0;
        for (uint32_t r = nd->b; r < nd->e; r++) {
            unsigned id = s->ord[r];
            double wi = s->w[id], yi = s->y[id];
            s0 += wi;
            s1 += s->v[id];
            ymin = yi < ymin ? yi : ymin;
            ymax = yi > ymax ? yi : ymax;
            wmin = wi < wmin ? wi : wmin;
        }
        st[0] = s0;
        st[1] = s1;
    } else {
        for (uint32_t r = nd->b; r < nd->e; r++) {
            unsigned id = s->ord[r];
            st[(size_t)s->v[id]] += s->w[id];
        }
    }
    if (cfg->sc.crit != FCRIT_MSE)
        return cipi_forest_class_impurity(&cfg->sc, st) <= FOREST_EPSILON;
    /* variance >= wmin (ymax - ymin)^2 / (2 W): the exact pass is rarely needed */
    double d = ymax - ymin;
    if (d == 0.0)
        return true;
    if (wmin * d * d / (2.0 * st[0]) > FOREST_EPSILON)
        return false;
    return mse_pure(ws, nd, st);
}

static cip_status make_leaf(const struct fgrow_cfg *cfg, struct fgrow_ws *ws, int32_t id,
                            const double *st)
{
    struct fnode *n = &ws->nodes[id];
    memset(n, 0, sizeof *n);
    if (cfg->sc.crit == FCRIT_MSE) {
        n->value = st[1] / st[0];
        n->child = ~0;
        return CIP_OK;
    }
    size_t k = (size_t)cfg->n_classes;
    double two[2] = {st[0] - st[1], st[1]}, w = 0.0;
    const double *c = ws->n_stats == 2 ? two : st;
    size_t n_pos = 0, last = 0;
    for (size_t i = 0; i < k; i++) {
        w += c[i];
        if (c[i] > 0.0) {
            n_pos++;
            last = i;
        }
    }
    if (n_pos <= 1) {
        n->child = ~(int32_t)last;
        return CIP_OK;
    }
    if (ws->n_dists == ws->cap_dists) {
        size_t cap = ws->cap_dists ? 2 * ws->cap_dists : 64;
        float *d = ws->a.fn(ws->a.ud, ws->dists, cap * k * sizeof(float));
        if (d == NULL)
            return CIP_ERR_NOMEM;
        ws->dists = d;
        ws->cap_dists = cap;
    }
    for (size_t i = 0; i < k; i++)
        ws->dists[ws->n_dists * k + i] = (float)(c[i] / w);
    n->child = ~(int32_t)(k + ws->n_dists++);
    return CIP_OK;
}

/* Histograms of all features for node rows [b, e) into set s. */
static void build_set(const struct fgrow_cfg *cfg, struct fgrow_ws *ws, int s, uint32_t b,
                      uint32_t e)
{
    const struct fbins *bins = cfg->bins;
    int ns = (int)ws->n_stats;
    int nt = cfg->feat_threads > 1 && e - b >= FPAR_MIN_ROWS ? cfg->feat_threads : 1;
    if (nt == 1 && ws->all_feats != NULL && rows_cheaper(ws, e - b, bins->n_rows, ws->p)) {
        for (size_t f = 0; f < ws->p; f++)
            cipi_forest_hist_clear(&ws->sets[(size_t)s * ws->p + f], bins->n_bins[f], ns);
        add_node_rows(cfg, ws, &ws->sets[(size_t)s * ws->p], ws->all_feats, (int)ws->p, b, e);
        return;
    }
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt) if (nt > 1)
#endif
    for (size_t f = 0; f < ws->p; f++) {
        struct fhist *h = &ws->sets[(size_t)s * ws->p + f];
        cipi_forest_hist_clear(h, bins->n_bins[f], ns);
        cipi_forest_hist_add(h, ns, bins->codes + f * bins->n_rows, ws->idx + b, ws->w + b,
                             ws->v + b, e - b);
    }
    (void)nt;
}

/* Give children histogram sets: the smaller child's built, the larger's by
 * subtraction from the parent's set, when worthwhile and sets are free. */
static void child_sets(const struct fgrow_cfg *cfg, struct fgrow_ws *ws, const struct fentry *pa,
                       struct fentry *l, struct fentry *r)
{
    if (pa->set == SET_SMALL) {
        l->set = r->set = SET_SMALL;
        return;
    }
    l->set = r->set = -1;
    struct fentry *sm = (l->e - l->b) <= (r->e - r->b) ? l : r, *lg = sm == l ? r : l;
    if (pa->set < 0)
        return;
    if (lg->e - lg->b < SET_MIN_ROWS || ws->n_free == 0) {
        ws->free_sets[ws->n_free++] = pa->set;
        return;
    }
    int s = ws->free_sets[--ws->n_free];
    build_set(cfg, ws, s, sm->b, sm->e);
    for (size_t f = 0; f < ws->p; f++)
        cipi_forest_hist_sub(
            &ws->sets[(size_t)pa->set * ws->p + f], &ws->sets[(size_t)pa->set * ws->p + f],
            &ws->sets[(size_t)s * ws->p + f], cfg->bins->n_bins[f], (int)ws->n_stats);
    sm->set = s;
    lg->set = pa->set;
}

static cip_status push(struct fgrow_ws *ws, size_t *top, struct fentry e)
{
    if (*top == ws->cap_stack) {
        size_t cap = 2 * ws->cap_stack;
        struct fentry *s = ws->a.fn(ws->a.ud, ws->stack, cap * sizeof *s);
        if (s == NULL)
            return CIP_ERR_NOMEM;
        ws->stack = s;
        ws->cap_stack = cap;
    }
    ws->stack[(*top)++] = e;
    return CIP_OK;
}

static double stats_weight(const struct fgrow_ws *ws, const double *st)
{
    if (ws->n_stats == 2)
        return st[0];
    double w = 0.0;
    for (size_t i = 0; i < ws->n_stats; i++)
        w += st[i];
    return w;
}

static void free_set(struct fgrow_ws *ws, int32_t set)
{
    if (set >= 0)
        ws->free_sets[ws->n_free++] = set;
}

/* Copy the grown tree out of the workspace into exact-size arrays. */
static cip_status tree_out(const struct cipi_alloc *a, const struct fgrow_cfg *cfg,
                           const struct fgrow_ws *ws, uint32_t n_nodes, struct ftree *out)
{
    memset(out, 0, sizeof *out);
    out->nodes = cipi_amalloc(a, n_nodes * sizeof *out->nodes);
    if (out->nodes == NULL)
        return CIP_ERR_NOMEM;
    memcpy(out->nodes, ws->nodes, n_nodes * sizeof *out->nodes);
    for (uint32_t i = 0; i < n_nodes; i++)
        out->nodes[i].cover = ws->cover[i];
    out->n_nodes = n_nodes;
    out->has_cover = true;
    if (ws->n_dists > 0) {
        size_t len = ws->n_dists * (size_t)cfg->n_classes * sizeof(float);
        out->dists = cipi_amalloc(a, len);
        if (out->dists == NULL) {
            cipi_afree(a, out->nodes);
            out->nodes = NULL;
            return CIP_ERR_NOMEM;
        }
        memcpy(out->dists, ws->dists, len);
        out->n_dists = (uint32_t)ws->n_dists;
    }
    return CIP_OK;
}

/* Split node nd (already known not to be a leaf) or return false for a leaf. */
static bool try_split(const struct fgrow_cfg *cfg, struct fgrow_ws *ws, cip_rng *rng,
                      struct fentry *nd, const double *st, double w_total, struct fsplit *best,
                      double *dec)
{
    uint32_t m = nd->e - nd->b;
    if (nd->set == -1 && (size_t)cfg->mtry == ws->p && m >= SET_MIN_ROWS && ws->n_free > 0) {
        nd->set = ws->free_sets[--ws->n_free];
        build_set(cfg, ws, nd->set, nd->b, nd->e);
    }
    find_split(cfg, ws, rng, nd, st, best);
    if (best->feature < 0)
        return false;
    *dec = best->proxy - cipi_forest_gterm(&cfg->sc, st);
    return !(*dec / w_total + FOREST_EPSILON < cfg->min_dec);
}

/* Copy the codes of rows idx[0..n) into the node-ordered copy (whole
 * strides where the table has the bytes: a constant-size copy). */
static inline __attribute__((always_inline)) void
crm_fill_k(const struct fbins *bins, struct fgrow_ws *ws, size_t n, size_t cps)
{
    size_t p = ws->p, end = bins->n_rows * p;
    for (size_t r = 0; r < n; r++) {
        if (r + 16 < n)
            __builtin_prefetch(bins->codes_rm + (size_t)ws->idx[r + 16] * p);
        size_t at = (size_t)ws->idx[r] * p;
        if (at + cps <= end)
            memcpy(ws->crm + r * cps, bins->codes_rm + at, cps);
        else
            memcpy(ws->crm + r * cps, bins->codes_rm + at, p);
    }
}

static void crm_fill(const struct fbins *bins, struct fgrow_ws *ws, size_t n)
{
    if (ws->cps == 8)
        crm_fill_k(bins, ws, n, 8);
    else if (ws->cps == 16)
        crm_fill_k(bins, ws, n, 16);
    else if (ws->cps == 32)
        crm_fill_k(bins, ws, n, 32);
    else
        crm_fill_k(bins, ws, n, 64);
}

cip_status cipi_forest_grow(const struct cipi_alloc *a, const struct fgrow_cfg *cfg,
                            struct fgrow_ws *ws, cip_rng *rng, size_t n, struct ftree *out,
                            double *imp)
{
    size_t top = 0;
    uint32_t n_nodes = 1, n_leaves = 0;
    int depth = 0;
    double w_total = 1.0, *st = ws->node_st;
    cip_status rc = CIP_OK;
    ws->n_dists = 0;
    for (size_t j = 0; j < ws->p; j++) /* feature draws depend on this tree's stream only */
        ws->perm[j] = (int)j;
    ws->n_free = ws->n_sets;
    for (int i = 0; i < ws->n_sets; i++)
        ws->free_sets[i] = i;
    if (ws->cps != 0)
        crm_fill(cfg->bins, ws, n);
    /* the child grown next is carried in `next`, not pushed and popped */
    struct fentry next = {0, (uint32_t)n, 0, 0, -1};
    bool have_next = true;
    while (rc == CIP_OK && (have_next || top > 0)) {
        struct fentry nd = have_next ? next : ws->stack[--top];
        have_next = false;
        uint32_t m = nd.e - nd.b;
        if (nd.set != SET_SMALL && m <= FOREST_SMALL_MAX) {
            free_set(ws, nd.set);
            cipi_forest_small_init(&ws->small, cfg->bins, ws->idx + nd.b,
                                   ws->cps ? ws->crm + (size_t)nd.b * ws->cps : NULL, ws->cps,
                                   ws->w + nd.b, ws->v + nd.b, m);
            nd.b = 0;
            nd.e = m;
            nd.set = SET_SMALL;
        }
        bool leaf = node_totals(cfg, ws, &nd, st);
        ws->cover[nd.node] = (float)stats_weight(ws, st);
        if (nd.node == 0)
            w_total = stats_weight(ws, st);
        leaf = leaf || (cfg->max_depth > 0 && nd.depth >= cfg->max_depth) || m < cfg->min_split ||
               m < 2 * cfg->sc.min_leaf;
        struct fsplit best;
        double dec = 0.0;
        if (leaf || !try_split(cfg, ws, rng, &nd, st, w_total, &best, &dec)) {
            free_set(ws, nd.set);
            rc = make_leaf(cfg, ws, nd.node, st);
            n_leaves++;
            depth = nd.depth > depth ? nd.depth : depth;
            continue;
        }
        imp[best.feature] += dec;
        uint32_t nl = nd.set == SET_SMALL
                          ? cipi_forest_small_partition(&ws->small, nd.b, nd.e, &best)
                          : cipi_forest_partition(cfg, ws, nd.b, nd.e, &best);
        if (nl != best.n_left || nl == 0 || nl == m) {
            rc = CIP_ERR_INTERNAL;
            break;
        }
        int32_t c = (int32_t)n_nodes;
        n_nodes += 2;
        struct fnode *sn = &ws->nodes[nd.node];
        memset(sn, 0, sizeof *sn);
        sn->thr = cipi_forest_thr32(best.thr); /* exact: training values are floats (bin.c) */
        sn->child = c;
        sn->feature = (uint16_t)best.feature;
        sn->flags = (uint8_t)(best.missing_left ? FNODE_MISSING_LEFT : 0);
        struct fentry l = {nd.b, nd.b + nl, c, nd.depth + 1, -1};
        struct fentry r = {nd.b + nl, nd.e, c + 1, nd.depth + 1, -1};
        child_sets(cfg, ws, &nd, &l, &r);
        /* The larger child is grown next, so its subtree directly follows the
         * pair in memory: the likelier path of a prediction walk stays local. */
        bool r_first = r.e - r.b > l.e - l.b;
        rc = push(ws, &top, r_first ? l : r);
        next = r_first ? r : l;
        have_next = true;
    }
    if (rc == CIP_OK)
        rc = tree_out(a, cfg, ws, n_nodes, out);
    if (rc == CIP_OK) {
        out->n_leaves = n_leaves;
        out->depth = depth;
    }
    return rc;
}

void cipi_forest_tree_release(const struct cipi_alloc *a, struct ftree *t)
{
    cipi_afree(a, t->nodes);
    cipi_afree(a, t->dists);
    memset(t, 0, sizeof *t);
}
