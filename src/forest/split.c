/* split.c - best split of one feature from its code groups (CART criteria)
 *
 * A node's rows, grouped by bin code (from a histogram or from a sorted
 * scan), are swept left to right. Each boundary between consecutive groups
 * is tried with missing values sent right and, when the node has missing
 * values, sent left; "all present values left, missing right" is tried too
 * (sklearn >= 1.3 semantics for NaN). Candidates are ranked by the proxy
 * g(left) + g(right), which orders splits exactly as sklearn's impurity
 * improvement: for squared error g = s^2 / w (s = sum w y), for Gini
 * g = sum_k c_k^2 / w, for entropy g = sum_k c_k log2 c_k - w log2 w, and the
 * weighted impurity decrease is g(left) + g(right) - g(node) (Breiman et al.
 * 1984). min_samples_leaf counts distinct rows, as sklearn does.
 * In small mode (2 stats), an exact feature (one value per code) is swept
 * from a sparse histogram of the node's codes (two tables filled by
 * alternate rows, so repeated codes make shorter add chains; a register
 * bitmap of the codes present), an inexact one from its ranks; nodes of two
 * rows take a direct path. The rank sweep evaluates each row's boundary
 * without branching on whether the value changed (unpredictable) and
 * flattens the rank bitmap 8 ranks per step.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "forest_int.h"

/* sklearn's threshold between consecutive values a < b. */
static double midpoint(double a, double b)
{
    double t = a / 2.0 + b / 2.0;
    if (t == b || isinf(t))
        t = a;
    return t;
}

static double xlog2x(double c)
{
    return c > 0.0 ? c * log2(c) : 0.0;
}

/* g for 2-stat vectors (w, s): regression sums or binary classes (s = weight of class 1). */
static double g2(enum fcrit crit, double w, double s)
{
    if (!(w > 0.0))
        return 0.0;
    switch (crit) {
    case FCRIT_MSE:
        return s * s / w;
    case FCRIT_GINI:
        return ((w - s) * (w - s) + s * s) / w;
    default:
        return xlog2x(w - s) + xlog2x(s) - xlog2x(w);
    }
}

static double gk(enum fcrit crit, const double *c, int k)
{
    double w = 0.0, acc = 0.0;
    for (int i = 0; i < k; i++)
        w += c[i];
    if (!(w > 0.0))
        return 0.0;
    if (crit == FCRIT_GINI) {
        for (int i = 0; i < k; i++)
            acc += c[i] * c[i];
        return acc / w;
    }
    for (int i = 0; i < k; i++)
        acc += xlog2x(c[i]);
    return acc - xlog2x(w);
}

double cipi_forest_gterm(const struct fsplit_cfg *c, const double *st)
{
    if (c->n_stats == 2)
        return g2(c->crit, st[0], st[1]);
    return gk(c->crit, st, c->n_stats);
}

double cipi_forest_class_impurity(const struct fsplit_cfg *c, const double *st)
{
    double p1[2], w = 0.0, imp = 0.0;
    const double *cls = st;
    int k = c->n_stats;
    if (c->n_stats == 2) { /* (w, s) -> class weights */
        p1[0] = st[0] - st[1];
        p1[1] = st[1];
        cls = p1;
    }
    for (int i = 0; i < k; i++)
        w += cls[i];
    if (!(w > 0.0))
        return 0.0;
    for (int i = 0; i < k; i++) {
        double q = cls[i] / w;
        imp += c->crit == FCRIT_GINI ? q * q : -xlog2x(q);
    }
    return c->crit == FCRIT_GINI ? 1.0 - imp : imp;
}

void cipi_forest_groups_from_hist(struct fgroups *g, const struct fhist *h, const struct fbinfo *bi,
                                  int n_stats)
{
    size_t ns = (size_t)n_stats;
    int n = 0;
    for (unsigned b = 0; b < bi->n_bins; b++) {
        if (h->cnt[b] == 0)
            continue;
        g->code[n] = (uint8_t)b;
        g->vlo[n] = bi->lo[b];
        g->vhi[n] = bi->hi[b];
        g->cnt[n] = h->cnt[b];
        memcpy(g->st + (size_t)n * ns, h->st + b * ns, ns * sizeof(double));
        n++;
    }
    if (h->cnt[FOREST_MISSING_CODE] != 0) {
        g->code[n] = FOREST_MISSING_CODE;
        g->vlo[n] = g->vhi[n] = (double)NAN;
        g->cnt[n] = h->cnt[FOREST_MISSING_CODE];
        memcpy(g->st + (size_t)n * ns, h->st + FOREST_MISSING_CODE * ns, ns * sizeof(double));
        n++;
    }
    g->n = n;
}

/* Record a candidate when strictly better. */
static void consider(struct fsplit *best, double proxy, int feature, int bin, double thr,
                     int missing_left, uint32_t n_left)
{
    if (proxy > best->proxy) {
        best->proxy = proxy;
        best->feature = feature;
        best->bin = bin;
        best->thr = thr;
        best->missing_left = missing_left;
        best->n_left = n_left;
    }
}

/* Sweep for 2-stat groups (the regression / binary hot path). */
static void scan2(const struct fsplit_cfg *c, const struct fgroups *g, int n_val,
                  const double *node_st, uint32_t node_n, int feature, const struct fbinfo *bi,
                  struct fsplit *best)
{
    uint32_t mn = 0;
    double mw = 0.0, ms = 0.0;
    if (n_val < g->n) {
        mn = g->cnt[n_val];
        mw = g->st[2 * n_val];
        ms = g->st[2 * n_val + 1];
    }
    double tw = node_st[0], ts = node_st[1];
    uint32_t ln = 0, minl = c->min_leaf;
    double lw = 0.0, ls = 0.0;
    for (int i = 0; i + 1 < n_val; i++) {
        ln += g->cnt[i];
        lw += g->st[2 * i];
        ls += g->st[2 * i + 1];
        uint32_t rn = node_n - ln;
        if (ln >= minl && rn >= minl) { /* missing (if any) right */
            double proxy = g2(c->crit, lw, ls) + g2(c->crit, tw - lw, ts - ls);
            if (proxy > best->proxy)
                consider(best, proxy, feature, g->code[i], midpoint(g->vhi[i], g->vlo[i + 1]), 0,
                         ln);
        }
        if (mn > 0 && ln + mn >= minl && rn - mn >= minl) { /* missing left */
            double proxy = g2(c->crit, lw + mw, ls + ms) + g2(c->crit, tw - lw - mw, ts - ls - ms);
            if (proxy > best->proxy)
                consider(best, proxy, feature, g->code[i], midpoint(g->vhi[i], g->vlo[i + 1]), 1,
                         ln + mn);
        }
    }
    if (mn > 0 && n_val > 0 && node_n - mn >= minl && mn >= minl) {
        double proxy = g2(c->crit, tw - mw, ts - ms) + g2(c->crit, mw, ms);
        consider(best, proxy, feature, (int)bi->n_bins - 1, (double)INFINITY, 0, node_n - mn);
    }
}

/* Sweep for K-class groups; tmp holds 2K doubles. */
static void scank(const struct fsplit_cfg *c, const struct fgroups *g, int n_val,
                  const double *node_st, uint32_t node_n, int feature, const struct fbinfo *bi,
                  struct fsplit *best, double *tmp)
{
    int k = c->n_stats;
    size_t ns = (size_t)k;
    double *l = tmp, *r = tmp + k;
    const double *m = n_val < g->n ? g->st + (size_t)n_val * ns : NULL;
    uint32_t mn = m != NULL ? g->cnt[n_val] : 0, ln = 0, minl = c->min_leaf;
    memset(l, 0, ns * sizeof *l);
    for (int i = 0; i + 1 < n_val; i++) {
        ln += g->cnt[i];
        for (int q = 0; q < k; q++)
            l[q] += g->st[(size_t)i * ns + q];
        uint32_t rn = node_n - ln;
        double thr = midpoint(g->vhi[i], g->vlo[i + 1]);
        if (ln >= minl && rn >= minl) {
            for (int q = 0; q < k; q++)
                r[q] = node_st[q] - l[q];
            consider(best, gk(c->crit, l, k) + gk(c->crit, r, k), feature, g->code[i], thr, 0, ln);
        }
        if (mn > 0 && ln + mn >= minl && rn - mn >= minl) {
            double gl;
            for (int q = 0; q < k; q++) {
                r[q] = node_st[q] - l[q] - m[q];
                l[q] += m[q];
            }
            gl = gk(c->crit, l, k);
            for (int q = 0; q < k; q++)
                l[q] -= m[q];
            consider(best, gl + gk(c->crit, r, k), feature, g->code[i], thr, 1, ln + mn);
        }
    }
    if (mn > 0 && n_val > 0 && node_n - mn >= minl && mn >= minl) {
        for (int q = 0; q < k; q++)
            r[q] = node_st[q] - m[q];
        consider(best, gk(c->crit, r, k) + gk(c->crit, m, k), feature, (int)bi->n_bins - 1,
                 (double)INFINITY, 0, node_n - mn);
    }
}

int cipi_forest_split_scan(const struct fsplit_cfg *c, const struct fgroups *g,
                           const double *node_st, uint32_t node_n, int feature,
                           const struct fbinfo *bi, struct fsplit *best, double *tmp)
{
    int n_val = g->n;
    if (n_val > 0 && g->code[n_val - 1] == FOREST_MISSING_CODE)
        n_val--;
    int has_missing = n_val < g->n;
    if (n_val <= 1 && !(n_val == 1 && has_missing))
        return 1; /* constant: one value (or only missing values) */
    if (c->n_stats == 2)
        scan2(c, g, n_val, node_st, node_n, feature, bi, best);
    else
        scank(c, g, n_val, node_st, node_n, feature, bi, best, tmp);
    return 0;
}

/* --- fast sweeps for squared error and binary Gini -------------------------------------------
 * g = t(w, s) / w with t = s^2 (mse) or (w - s)^2 + s^2 (binary Gini), so a
 * candidate's proxy is (t_l w_r + t_r w_l) / (w_l w_r): compared with the
 * best by one multiplication, divided only when it wins. */
static inline double term2(int gini, double w, double s)
{
    return gini ? (w - s) * (w - s) + s * s : s * s;
}

static inline bool wins(int gini, double lw, double ls, double rw, double rs, double best,
                        double *proxy)
{
    double num = term2(gini, lw, ls) * rw + term2(gini, rw, rs) * lw, den = lw * rw;
    if (!(num > best * den))
        return false;
    *proxy = num / den;
    return *proxy > best;
}

/* Running state of one sweep. */
struct sweep {
    int gini, feature;
    uint32_t node_n, min_leaf, mn; /* rows, min rows per child, missing rows */
    double tw, ts, mw, ms;         /* node totals and missing totals */
    const struct fbinfo *bi;
    struct fsplit *best;
};

/* Try the boundary after code c, between values a < b, with left sums (ln, lw, ls). */
/* ml1: min_leaf is 1 and rows remain on both sides (every candidate is valid). */
static inline __attribute__((always_inline)) void boundary(const struct sweep *k, unsigned c,
                                                           double a, double b, uint32_t ln,
                                                           double lw, double ls, int gini, int ml1)
{
    double proxy;
    uint32_t rn = k->node_n - ln;
    if ((ml1 || (ln >= k->min_leaf && rn >= k->min_leaf)) &&
        wins(gini, lw, ls, k->tw - lw, k->ts - ls, k->best->proxy, &proxy))
        consider(k->best, proxy, k->feature, (int)c, midpoint(a, b), 0, ln);
    if (k->mn > 0 && (ml1 || (ln + k->mn >= k->min_leaf && rn - k->mn >= k->min_leaf)) &&
        wins(gini, lw + k->mw, ls + k->ms, k->tw - lw - k->mw, k->ts - ls - k->ms, k->best->proxy,
             &proxy))
        consider(k->best, proxy, k->feature, (int)c, midpoint(a, b), 1, ln + k->mn);
}

/* "All present values left, missing right". */
static void missing_split(const struct sweep *k)
{
    double proxy;
    if (k->mn > 0 && k->node_n - k->mn >= k->min_leaf && k->mn >= k->min_leaf &&
        wins(k->gini, k->tw - k->mw, k->ts - k->ms, k->mw, k->ms, k->best->proxy, &proxy))
        consider(k->best, proxy, k->feature, (int)k->bi->n_bins - 1, (double)INFINITY, 0,
                 k->node_n - k->mn);
}

static struct sweep sweep_init(const struct fsplit_cfg *c, const double *node_st, uint32_t node_n,
                               int feature, const struct fbinfo *bi, struct fsplit *best)
{
    struct sweep k = {c->crit == FCRIT_GINI,
                      feature,
                      node_n,
                      c->min_leaf,
                      0,
                      node_st[0],
                      node_st[1],
                      0.0,
                      0.0,
                      bi,
                      best};
    return k;
}

int cipi_forest_scan_hist2(const struct fsplit_cfg *c, const struct fhist *h, const double *node_st,
                           uint32_t node_n, int feature, const struct fbinfo *bi,
                           struct fsplit *best)
{
    struct sweep k = sweep_init(c, node_st, node_n, feature, bi, best);
    k.mn = h->cnt[FOREST_MISSING_CODE];
    k.mw = h->st[2 * FOREST_MISSING_CODE];
    k.ms = h->st[2 * FOREST_MISSING_CODE + 1];
    uint32_t ln = 0, present = 0;
    double lw = 0.0, ls = 0.0;
    int prev = -1;
    for (unsigned b = 0; b < bi->n_bins; b++) {
        if (h->cnt[b] == 0)
            continue;
        if (prev >= 0)
            boundary(&k, (unsigned)prev, bi->hi[prev], bi->lo[b], ln, lw, ls, k.gini, 0);
        ln += h->cnt[b];
        lw += h->st[2 * b];
        ls += h->st[2 * b + 1];
        prev = (int)b;
        present++;
    }
    if (present == 0 || (present == 1 && k.mn == 0))
        return 1;
    missing_split(&k);
    return 0;
}

/* Running left side of a sweep over a small node's rows in value order. */
struct run {
    uint32_t ln;
    uint32_t changes; /* value changes seen (the first row is one: cur starts as NaN) */
    double lw, ls;    /* left weight and sum */
    double cur;       /* value of the last row added (NaN before the first) */
};

/* Add row id of value v (rows come in increasing (value, id) order); first
 * try the boundary before it. Whether the value changes is unpredictable,
 * so the candidate is computed for every row and one rarely taken branch
 * tests "changed and better" (the first row never wins: its left weight
 * is 0). */
static inline __attribute__((always_inline)) void feed_v(const struct sweep *k, struct run *u,
                                                         const struct fsmall *s, double v,
                                                         unsigned id, int gini, int ml1)
{
    double lw = u->lw, ls = u->ls, rw = k->tw - lw, rs = k->ts - ls;
    double num = term2(gini, lw, ls) * rw + term2(gini, rw, rs) * lw, den = lw * rw;
    uint32_t ln = u->ln, rn = k->node_n - ln;
    int change = v != u->cur;
    int ok = change & (num > k->best->proxy * den);
    if (!ml1)
        ok &= (ln >= k->min_leaf) & (rn >= k->min_leaf);
    if (__builtin_expect(ok, 0)) {
        double proxy = num / den;
        if (proxy > k->best->proxy)
            consider(k->best, proxy, k->feature, 0, midpoint(u->cur, v), 0, ln);
    }
    double proxy;
    if (k->mn > 0 && change && ln > 0 &&
        (ml1 || (ln + k->mn >= k->min_leaf && rn - k->mn >= k->min_leaf)) &&
        wins(gini, lw + k->mw, ls + k->ms, rw - k->mw, rs - k->ms, k->best->proxy, &proxy))
        consider(k->best, proxy, k->feature, 0, midpoint(u->cur, v), 1, ln + k->mn);
    u->changes += (uint32_t)change;
    u->ln = ln + 1;
    u->lw = lw + s->w[id];
    u->ls = ls + s->v[id];
    u->cur = v;
}

/* Add the row of rank q (ranks come in increasing order). */
static inline __attribute__((always_inline)) void feed(const struct sweep *k, struct run *u,
                                                       const struct fsmall *s,
                                                       const struct frank *rk, unsigned q, int gini,
                                                       int ml1)
{
    feed_v(k, u, s, (double)rk[q].val, rk[q].id, gini, ml1);
}

/* below[i] += the number of keys[0..nv) smaller than keys[i], for the lanes
 * i < nv (keys distinct, padded with INT16_MAX to FOREST_SMALL_INSERTION):
 * each key's place in sorted order, counted for all at once (vectorised over
 * 8 or FOREST_SMALL_INSERTION lanes, no data-dependent branches). */
static inline __attribute__((always_inline)) void count_below(const int16_t *keys, uint32_t nv,
                                                              int16_t *below)
{
    if (nv <= 8) { /* one vector of lanes */
        for (uint32_t j = 0; j < nv; j++)
            for (uint32_t i = 0; i < 8; i++)
                below[i] = (int16_t)(below[i] + (keys[j] < keys[i]));
        return;
    }
    if (nv <= 16) { /* two */
        for (uint32_t j = 0; j < nv; j++)
            for (uint32_t i = 0; i < 16; i++)
                below[i] = (int16_t)(below[i] + (keys[j] < keys[i]));
        return;
    }
    for (uint32_t j = 0; j < nv; j++)
        for (uint32_t i = 0; i < FOREST_SMALL_INSERTION; i++)
            below[i] = (int16_t)(below[i] + (keys[j] < keys[i]));
}

/* A tiny node on a feature not ranked in this subtree: sort the node's rows
 * by (code, value, id) directly, as a ranking would (ids are increasing in
 * ord), and feed them. Returns the number of rows with a value. */
static inline __attribute__((always_inline)) uint32_t
tiny_unranked(struct sweep *k, struct run *u, const struct fsmall *s, uint16_t *tmp, uint32_t lb,
              uint32_t le, int feature, int gini, int ml1)
{
    const struct fbins *bins = s->bins;
    size_t off = (size_t)feature * FOREST_SMALL_MAX;
    const uint8_t *codes = s->codes + off;
    int32_t rc = bins->raw_col[feature];
    const float *raw = rc >= 0 ? s->raw + (size_t)rc * FOREST_SMALL_MAX : NULL;
    const double *lo = bins->lo + bins->off[feature];
    int16_t ck[FOREST_SMALL_INSERTION], below[FOREST_SMALL_INSERTION];
    uint16_t ids[FOREST_SMALL_INSERTION];
    uint32_t nv = 0;
    for (uint32_t i = 0; i < FOREST_SMALL_INSERTION; i++) {
        ck[i] = INT16_MAX; /* padding */
        below[i] = 0;
    }
    for (uint32_t r = lb; r < le; r++) {
        unsigned id = s->ord[r], c = codes[id];
        if (c == FOREST_MISSING_CODE) {
            k->mn++;
            k->mw += s->w[id];
            k->ms += s->v[id];
            continue;
        }
        ck[nv] = (int16_t)(c << 5 | nv); /* distinct, in (code, id) order */
        ids[nv++] = (uint16_t)id;
    }
    count_below(ck, nv, below); /* order by (code, id) */
    for (uint32_t i = 0; i < nv; i++)
        tmp[below[i]] = ids[i];
    if (raw != NULL) { /* then by value within each code: nearly sorted already */
        uint64_t key[FOREST_SMALL_INSERTION];
        for (uint32_t i = 0; i < nv; i++) {
            unsigned id = tmp[i];
            key[i] =
                (uint64_t)codes[id] << 48 | (uint64_t)cipi_forest_float_key(raw[id]) << 16 | id;
        }
        cipi_forest_sort_keys(key, nv);
        for (uint32_t i = 0; i < nv; i++)
            feed_v(k, u, s, (double)raw[key[i] & 0xFFFFu], (unsigned)(key[i] & 0xFFFFu), gini, ml1);
    } else {
        for (uint32_t i = 0; i < nv; i++)
            feed_v(k, u, s, lo[codes[tmp[i]]], tmp[i], gini, ml1);
    }
    return nv;
}

/* The sweep with the criterion (gini or mse) known at compile time. */
static inline __attribute__((always_inline)) int
scan_small2(const struct fsplit_cfg *c, const struct fsmall *s, uint64_t *bits, uint16_t *tmp,
            uint32_t lb, uint32_t le, int feature, const double *node_st, const struct fbinfo *bi,
            struct fsplit *best, int gini, int ml1)
{
    size_t off = (size_t)feature * FOREST_SMALL_MAX;
    const struct frank *rk = s->rk + off;
    const uint16_t *pos = s->pos + off;
    uint32_t miss0 = s->miss0[feature], nv = 0;
    struct sweep k = sweep_init(c, node_st, le - lb, feature, bi, best);
    struct run u = {0, 0, 0.0, 0.0, (double)NAN};
    bool ranked = s->sb[feature] <= lb && le <= s->se[feature];
    if (!ranked && le - lb <= FOREST_SMALL_INSERTION) {
        nv = tiny_unranked(&k, &u, s, tmp, lb, le, feature, gini, ml1);
    } else if (le - lb <= FOREST_SMALL_INSERTION) { /* tiny node: sort its ranks directly */
        int16_t q_in[FOREST_SMALL_INSERTION], below[FOREST_SMALL_INSERTION];
        for (uint32_t i = 0; i < FOREST_SMALL_INSERTION; i++) {
            q_in[i] = INT16_MAX; /* padding: never below a rank (ranks < FOREST_SMALL_MAX) */
            below[i] = 0;
        }
        for (uint32_t r = lb; r < le; r++) {
            unsigned id = s->ord[r];
            uint16_t q = pos[id];
            if (q >= miss0) {
                k.mn++;
                k.mw += s->w[id];
                k.ms += s->v[id];
                continue;
            }
            q_in[nv++] = (int16_t)q;
        }
        /* ranks are distinct: place each by the count of smaller ones (counted
         * for all at once: vectorised, no data-dependent branches) */
        count_below(q_in, nv, below);
        for (uint32_t i = 0; i < nv; i++)
            tmp[below[i]] = (uint16_t)q_in[i];
        for (uint32_t i = 0; i < nv; i++)
            feed(&k, &u, s, rk, tmp[i], gini, ml1);
    } else { /* rank bitmap (zero between uses): set, then read back in order and clear */
        uint32_t used = 0; /* one bit per non-empty bitmap word */
        for (uint32_t r = lb; r < le; r++) {
            unsigned id = s->ord[r], q = pos[id];
            if (q >= miss0) {
                k.mn++;
                k.mw += s->w[id];
                k.ms += s->v[id];
                continue;
            }
            bits[q >> 6] |= 1ULL << (q & 63);
            used |= 1u << (q >> 6);
            nv++;
        }
        /* ranks in order into tmp, 8 per step whatever a word holds (the loop
         * rarely depends on the bit count: few mispredicted exits), then fed */
        uint32_t n_out = 0;
        for (; used != 0; used &= used - 1) {
            unsigned wi = (unsigned)__builtin_ctz(used), base = wi * 64;
            uint64_t b = bits[wi];
            bits[wi] = 0;
            do {
                for (uint32_t t = 0; t < 8; t++) { /* past the last bit: rewrites slot n_out */
                    tmp[n_out] = (uint16_t)(base + (unsigned)__builtin_ctzll(b | 1ULL << 63));
                    n_out += b != 0;
                    b &= b - 1;
                }
            } while (b != 0);
        }
        for (uint32_t i = 0; i < n_out; i++)
            feed(&k, &u, s, rk, tmp[i], gini, ml1);
    }
    if (nv == 0 || (u.changes < 2 && k.mn == 0))
        return 1;
    missing_split(&k);
    return 0;
}

int cipi_forest_scan_small2(const struct fsplit_cfg *c, const struct fsmall *s, uint64_t *bits,
                            uint16_t *tmp, uint32_t lb, uint32_t le, int feature,
                            const double *node_st, const struct fbinfo *bi, struct fsplit *best)
{
    /* A boundary of the sweep has at least one row on each side (the rows
     * before it, the row being added), so min_leaf 1 needs no test. */
    bool gini = c->crit == FCRIT_GINI, ml1 = c->min_leaf == 1;
    if (gini)
        return ml1 ? scan_small2(c, s, bits, tmp, lb, le, feature, node_st, bi, best, 1, 1)
                   : scan_small2(c, s, bits, tmp, lb, le, feature, node_st, bi, best, 1, 0);
    return ml1 ? scan_small2(c, s, bits, tmp, lb, le, feature, node_st, bi, best, 0, 1)
               : scan_small2(c, s, bits, tmp, lb, le, feature, node_st, bi, best, 0, 0);
}

/* Set bit c of the 4-word code bitmap held in registers (no store-to-load
 * chain through memory). */
#define CODE_BIT(b0, b1, b2, b3, c)                                                                \
    do {                                                                                           \
        uint64_t m_ = 1ULL << ((c)&63);                                                            \
        unsigned h_ = (c) >> 6;                                                                    \
        b0 |= h_ == 0 ? m_ : 0;                                                                    \
        b1 |= h_ == 1 ? m_ : 0;                                                                    \
        b2 |= h_ == 2 ? m_ : 0;                                                                    \
        b3 |= h_ == 3 ? m_ : 0;                                                                    \
    } while (0)

/* Sweep of the code groups of an exact feature marked in words[0..nw):
 * group c sums cells c of both tables (then zeroed). */
static inline __attribute__((always_inline)) uint32_t codes_sweep(struct sweep *k, double *cells,
                                                                  const uint64_t *words,
                                                                  unsigned nw, const double *lo,
                                                                  int gini, int ml1)
{
    double *other = cells + 3 * FOREST_HIST_BINS;
    uint32_t ln = 0, n = 0;
    double lw = 0.0, ls = 0.0;
    int prev = -1;
    for (unsigned wi = 0; wi < nw; wi++) {
        for (uint64_t b = words[wi]; b != 0; b &= b - 1) {
            unsigned c = wi * 64 + (unsigned)__builtin_ctzll(b);
            double *x = cells + 3 * c, *y = other + 3 * c;
            if (prev >= 0)
                boundary(k, (unsigned)prev, lo[prev], lo[c], ln, lw, ls, gini, ml1);
            ln += (uint32_t)(x[0] + y[0]);
            lw += x[1] + y[1];
            ls += x[2] + y[2];
            x[0] = x[1] = x[2] = y[0] = y[1] = y[2] = 0.0;
            prev = (int)c;
            n++;
        }
    }
    return n;
}

/* Add row id of code cd to cell cd of table t (count, weight, value as doubles). */
#define CELL_ADD(t, cd, id)                                                                        \
    do {                                                                                           \
        double *x_ = (t) + 3 * (cd);                                                               \
        x_[0] += 1.0;                                                                              \
        cipi_v2d_add(x_ + 1, (cipi_v2d){s->w[id], s->v[id]});                                      \
    } while (0)

static inline __attribute__((always_inline)) int
scan_codes2(const struct fsplit_cfg *c, const struct fsmall *s, double *cells, uint32_t lb,
            uint32_t le, int feature, const double *node_st, const struct fbinfo *bi,
            struct fsplit *best, int gini, int ml1)
{
    const uint8_t *codes = s->codes + (size_t)feature * FOREST_SMALL_MAX;
    const uint16_t *ord = s->ord;
    double *t0 = cells, *t1 = cells + 3 * FOREST_HIST_BINS; /* two tables: shorter add chains */
    uint64_t w[4] = {0, 0, 0, 0};
    uint32_t r = lb;
    if (bi->n_bins < 64) { /* one word; a missing code (255) lands on bit 63, unused */
        uint64_t b0 = 0;
        for (; r + 1 < le; r += 2) {
            unsigned i0 = ord[r], i1 = ord[r + 1], c0 = codes[i0], c1 = codes[i1];
            b0 |= 1ULL << (c0 & 63) | 1ULL << (c1 & 63);
            CELL_ADD(t0, c0, i0);
            CELL_ADD(t1, c1, i1);
        }
        if (r < le) {
            unsigned i0 = ord[r], c0 = codes[i0];
            b0 |= 1ULL << (c0 & 63);
            CELL_ADD(t0, c0, i0);
        }
        w[0] = b0 & ~(1ULL << 63);
    } else {
        uint64_t b0 = 0, b1 = 0, b2 = 0, b3 = 0;
        for (; r < le; r++) {
            unsigned i0 = ord[r], c0 = codes[i0];
            CODE_BIT(b0, b1, b2, b3, c0);
            CELL_ADD((r & 1) ? t1 : t0, c0, i0);
        }
        w[0] = b0;
        w[1] = b1;
        w[2] = b2;
        w[3] = b3 & ~(1ULL << 63); /* the missing code */
    }
    struct sweep k = sweep_init(c, node_st, le - lb, feature, bi, best);
    double *m0 = t0 + 3 * FOREST_MISSING_CODE, *m1 = t1 + 3 * FOREST_MISSING_CODE;
    k.mn = (uint32_t)(m0[0] + m1[0]);
    k.mw = m0[1] + m1[1];
    k.ms = m0[2] + m1[2];
    m0[0] = m0[1] = m0[2] = m1[0] = m1[1] = m1[2] = 0.0;
    uint32_t present = codes_sweep(&k, cells, w, bi->n_bins < 64 ? 1 : 4, bi->lo, gini, ml1);
    if (present == 0 || (present == 1 && k.mn == 0))
        return 1;
    missing_split(&k);
    return 0;
}

int cipi_forest_scan_codes2(const struct fsplit_cfg *c, const struct fsmall *s, double *cells,
                            uint32_t lb, uint32_t le, int feature, const double *node_st,
                            const struct fbinfo *bi, struct fsplit *best)
{
    /* boundaries between code groups have rows on both sides: min_leaf 1 needs no test */
    bool gini = c->crit == FCRIT_GINI, ml1 = c->min_leaf == 1;
    if (gini)
        return ml1 ? scan_codes2(c, s, cells, lb, le, feature, node_st, bi, best, 1, 1)
                   : scan_codes2(c, s, cells, lb, le, feature, node_st, bi, best, 1, 0);
    return ml1 ? scan_codes2(c, s, cells, lb, le, feature, node_st, bi, best, 0, 1)
               : scan_codes2(c, s, cells, lb, le, feature, node_st, bi, best, 0, 0);
}

int cipi_forest_scan_pair2(const struct fsplit_cfg *c, const struct fsmall *s, uint32_t lb,
                           int feature, const double *node_st, const struct fbinfo *bi,
                           struct fsplit *best)
{
    const struct fbins *bins = s->bins;
    const uint8_t *codes = s->codes + (size_t)feature * FOREST_SMALL_MAX;
    unsigned a = s->ord[lb], b = s->ord[lb + 1], ca = codes[a], cb = codes[b];
    bool ma = ca == FOREST_MISSING_CODE, mb = cb == FOREST_MISSING_CODE;
    if (ma && mb)
        return 1;
    struct sweep k = sweep_init(c, node_st, 2, feature, bi, best);
    if (ma || mb) { /* one value: only "present left, missing right" */
        unsigned m = ma ? a : b;
        k.mn = 1;
        k.mw = 0.0 + s->w[m];
        k.ms = 0.0 + s->v[m];
        missing_split(&k);
        return 0;
    }
    int32_t rc = bins->raw_col[feature];
    double va, vb;
    if (rc >= 0) {
        const float *raw = s->raw + (size_t)rc * FOREST_SMALL_MAX;
        va = (double)raw[a];
        vb = (double)raw[b];
    } else {
        va = bi->lo[ca];
        vb = bi->lo[cb];
    }
    if (!(va != vb))
        return 1;
    bool a_low = va < vb;
    unsigned lo_id = a_low ? a : b, lo_code = a_low ? ca : cb;
    double vlo = a_low ? va : vb, vhi = a_low ? vb : va;
    boundary(&k, rc >= 0 ? 0 : lo_code, vlo, vhi, 1, 0.0 + s->w[lo_id], 0.0 + s->v[lo_id], k.gini,
             0);
    return 0;
}

/* The largest squared-error proxy of any split of a small node of
 * 3..FOREST_BOUND_MAX rows (min_samples_leaf 1): the best two-way partition
 * of weighted targets on a line is contiguous in target order, so a sweep
 * over the rows sorted by target gives it. A feature whose split reaches it
 * cannot be beaten (candidates must be strictly better). */
double cipi_forest_small_bound(const struct fsmall *s, uint32_t lb, uint32_t le,
                               const double *node_st)
{
    uint32_t m = le - lb;
    uint16_t id[FOREST_BOUND_MAX];
    for (uint32_t i = 0; i < m; i++) { /* insertion sort by target: m is tiny */
        uint16_t x = s->ord[lb + i];
        uint32_t j = i;
        for (; j > 0 && s->y[id[j - 1]] > s->y[x]; j--)
            id[j] = id[j - 1];
        id[j] = x;
    }
    double tw = node_st[0], ts = node_st[1], lw = 0.0, ls = 0.0, bound = -(double)INFINITY;
    for (uint32_t i = 0; i + 1 < m; i++) {
        lw += s->w[id[i]];
        ls += s->v[id[i]];
        if (!(s->y[id[i]] < s->y[id[i + 1]]))
            continue;
        double rw = tw - lw, rs = ts - ls;
        double proxy = (term2(0, lw, ls) * rw + term2(0, rw, rs) * lw) / (lw * rw);
        bound = proxy > bound ? proxy : bound;
    }
    return bound;
}
