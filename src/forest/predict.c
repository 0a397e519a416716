/* predict.c - batch and single-row prediction, out-of-bag estimates
 *
 * Inputs are compared as float32, as scikit-learn does (thresholds are
 * floats, forest_int.h). Batch prediction gathers a large block of rows (up
 * to 32768, 4 MB of floats) into a row-major float buffer (model feature
 * order, columns matched by name) and walks each tree with all of them, 64
 * walks in flight with the next node of each prefetched: a tree is read from
 * memory once per block and then served from cache, which matters as a
 * forest of fully grown trees is far larger than the caches. When no input
 * of the block is NaN, the walks skip the missing-value test. On one thread
 * (never in a parallel region: the server predicts one row per request) the
 * trees run in order, each adding its leaves to the rows' sums. On several,
 * the threads share the block and split its trees: each stores the leaves of
 * its trees, which are then added in tree order (64 trees at a time). Each
 * row thus sums its trees in tree order on any number of threads, so outputs
 * do not depend on the thread count. The single-row path walks 32 trees in
 * lockstep, prefetching each one's next node so their cache misses overlap,
 * with no allocation; a one-row frame (a server request) takes the same walk.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "forest_int.h"

#define BLOCK_MAX       32768             /* rows per block: each tree is walked by many rows */
#define BLOCK_BYTES     ((size_t)4 << 20) /* cap of a block's float rows (and of its sums) */
#define TREE_CHUNK      64                /* threads: trees whose leaves are stored at a time */
#define MT_MIN_ROWS     64                /* threads only from this many rows */
#define OOB_BLOCK_MAX   16384             /* out-of-bag rows per block (per thread) */
#define OOB_BLOCK_BYTES ((size_t)2 << 20) /* cap of such a block's float rows */
#define LANES           64  /* walks in flight: their independent loads overlap in memory */
#define ROW_LANES       32  /* single row: trees walked in lockstep (16, 48, 64: slower) */
#define ROW_CHUNK       512 /* trees per walk_trees call of the single-row path */
#define ROW_STACK       256 /* single rows of up to this many features are converted to float first */

#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

#define DONE UINT32_MAX

/* cipi_forest_goes_right; with nonan (x is known not to be NaN) without its NaN test. */
static inline int goes_right(const struct fnode *n, float x, bool nonan)
{
    return nonan ? !(x <= n->thr) : cipi_forest_goes_right(n, x);
}

/* Leaves of trees[0..nt) for one row (float values rf, or else doubles rd)
 * into leaf[]: ROW_LANES trees walked in lockstep (the next node of each
 * prefetched, so the cache misses of different trees overlap); a finished
 * lane takes the next tree. nonan: rf holds no NaN (see tree_walk). */
static inline void walk_trees(const struct ftree *trees, size_t nt, const float *rf,
                              const double *rd, bool nonan, const struct fnode **leaf)
{
    const struct fnode *cur[ROW_LANES], *base[ROW_LANES];
    uint32_t tree[ROW_LANES];
    size_t next = 0, live = 0, used;
    for (used = 0; used < ROW_LANES && next < nt; used++, live++) {
        tree[used] = (uint32_t)next;
        base[used] = cur[used] = trees[next++].nodes;
    }
    while (live > 0) {
        for (size_t l = 0; l < used; l++) {
            const struct fnode *n = cur[l];
            if (n->child >= 0) {
                float v = rf != NULL ? rf[n->feature] : cipi_forest_f32(rd[n->feature]);
                n = base[l] + n->child + goes_right(n, v, nonan);
                PREFETCH(n);
                cur[l] = n;
            } else if (tree[l] != DONE) {
                leaf[tree[l]] = n;
                if (next < nt) {
                    tree[l] = (uint32_t)next;
                    base[l] = cur[l] = trees[next++].nodes;
                } else {
                    tree[l] = DONE;
                    live--;
                }
            }
        }
    }
}

/* Add the probabilities of class leaf reference ref of tree t to acc[K]. */
static inline void add_ref(const cip_forest *f, const struct ftree *t, size_t ref, double *acc)
{
    size_t k = f->n_classes;
    if (ref < k) {
        acc[ref] += 1.0;
        return;
    }
    const float *d = t->dists + (ref - k) * k;
    for (size_t i = 0; i < k; i++)
        acc[i] += (double)d[i];
}

/* Add a class leaf's probabilities to acc[K]. */
static inline void add_leaf(const cip_forest *f, const struct ftree *t, const struct fnode *leaf,
                            double *acc)
{
    add_ref(f, t, (size_t)~leaf->child, acc);
}

cip_status cipi_forest_match(cip_ctx *ctx, const cip_forest *f, const cip_frame *x, size_t *cols)
{
    for (size_t j = 0; j < f->n_features; j++) {
        size_t c;
        if (cip_frame_find(NULL, x, f->names[j], &c) != CIP_OK)
            return cipi_fail(ctx, CIP_ERR_SCHEMA, "column '%s' used by the forest is missing",
                             f->names[j]);
        if (cip_frame_col_type(x, c) == CIP_TYPE_CAT)
            return cipi_fail(ctx, CIP_ERR_SCHEMA,
                             "column '%s' is categorical but the forest needs it numeric",
                             f->names[j]);
        cols[j] = c;
    }
    return CIP_OK;
}

/* One model column of x: its storage, read cell by cell as a double (NaN = missing). */
struct gcol {
    const uint8_t *miss;
    const int64_t *iv;
    const double *dv;
    const uint8_t *bv;
};

static struct gcol gcol_of(const cip_frame *x, size_t c)
{
    struct gcol g = {cip_frame_missing(x, c), cip_frame_i64(x, c), cip_frame_f64(x, c),
                     cip_frame_bool(x, c)};
    return g;
}

static inline double gcol_get(const struct gcol *g, size_t i)
{
    if (g->miss != NULL && (g->miss[i >> 3] >> (i & 7) & 1))
        return (double)NAN;
    if (g->dv != NULL)
        return g->dv[i];
    if (g->iv != NULL)
        return (double)g->iv[i];
    return g->bv != NULL ? (double)g->bv[i] : (double)NAN;
}

void cipi_forest_gather(const cip_frame *x, const size_t *cols, size_t p, size_t r0, size_t nr,
                        double *buf)
{
    for (size_t j = 0; j < p; j++) {
        struct gcol g = gcol_of(x, cols[j]);
        for (size_t r = 0; r < nr; r++)
            buf[r * p + j] = gcol_get(&g, r0 + r);
    }
}

/* Rows [r0, r0+nr) of x as row-major float32 values (what the thresholds compare). */
static void gather32(const cip_frame *x, const size_t *cols, size_t p, size_t r0, size_t nr,
                     float *buf)
{
    for (size_t j = 0; j < p; j++) {
        struct gcol g = gcol_of(x, cols[j]);
        for (size_t r = 0; r < nr; r++)
            buf[r * p + j] = cipi_forest_f32(gcol_get(&g, r0 + r));
    }
}

/* Index of the largest value (first on ties), as numpy's argmax. */
static size_t argmax(const double *v, size_t k)
{
    size_t best = 0;
    for (size_t i = 1; i < k; i++)
        if (v[i] > v[best])
            best = i;
    return best;
}

/* Where tree_rows puts the leaf of each row: added to acc[row * width ..]
 * (a regression value or class probabilities), or stored as the leaf's value
 * (val[row]) or class reference (ref[row]) for a later sum in tree order. */
enum sink_mode { SINK_ADD, SINK_VALUE, SINK_REF };
struct sink {
    enum sink_mode mode;
    double *acc;   /* SINK_ADD */
    double *val;   /* SINK_VALUE */
    uint32_t *ref; /* SINK_REF */
};

static inline void sink_put(const cip_forest *f, const struct ftree *t, const struct sink *s,
                            size_t row, const struct fnode *n)
{
    switch (s->mode) {
    case SINK_ADD:
        if (f->n_classes == 0)
            s->acc[row] += n->value;
        else
            add_leaf(f, t, n, s->acc + row * f->n_classes);
        break;
    case SINK_VALUE:
        s->val[row] = n->value;
        break;
    case SINK_REF:
        s->ref[row] = (uint32_t)~n->child;
        break;
    }
}

/* The leaves of tree t for rows sel[0..nr) of buf (row r at buf + r * p;
 * sel NULL = rows 0..nr-1) into s: LANES walks in flight, a finished lane
 * takes the next row, so the cache misses of different rows overlap. With
 * nonan (no NaN among the rows), a walk goes right when !(x <= thr), which
 * is cipi_forest_goes_right for every non-NaN x, without its NaN test. */
static inline void tree_walk(const cip_forest *f, const struct ftree *t, const float *buf,
                             const uint32_t *sel, size_t nr, bool nonan, const struct sink *s)
{
    const struct fnode *nd = t->nodes, *cur[LANES];
    const float *rp[LANES]; /* the lane's row */
    uint32_t row[LANES];
    size_t p = f->n_features, next = 0, live = 0, used;
    for (used = 0; used < LANES && next < nr; used++, live++) {
        row[used] = sel ? sel[next++] : (uint32_t)next++;
        rp[used] = buf + (size_t)row[used] * p;
        cur[used] = nd;
    }
    while (live > 0) {
        for (size_t l = 0; l < used; l++) {
            const struct fnode *n = cur[l];
            if (n->child >= 0) {
                float x = rp[l][n->feature];
                int right = goes_right(n, x, nonan);
                n = nd + n->child + right;
                PREFETCH(n);
                cur[l] = n;
                continue;
            }
            if (row[l] == DONE)
                continue;
            sink_put(f, t, s, row[l], n);
            if (next < nr) {
                row[l] = sel ? sel[next++] : (uint32_t)next++;
                rp[l] = buf + (size_t)row[l] * p;
                cur[l] = nd;
            } else {
                row[l] = DONE;
                live--;
            }
        }
    }
}

/* tree_walk with the NaN test decided once, so each loop is compiled for it. */
static void tree_rows(const cip_forest *f, const struct ftree *t, const float *buf,
                      const uint32_t *sel, size_t nr, bool nonan, const struct sink *s)
{
    if (nonan)
        tree_walk(f, t, buf, sel, nr, true, s);
    else
        tree_walk(f, t, buf, sel, nr, false, s);
}

/* Rows [r0, r0+nr) of x gathered as float32 into buf; returns 1 when one is NaN. */
static int gather_block(const cip_frame *x, const size_t *cols, size_t p, size_t r0, size_t nr,
                        float *buf)
{
    gather32(x, cols, p, r0, nr, buf);
    int any = 0;
    for (size_t i = 0; i < nr * p; i++)
        any |= buf[i] != buf[i];
    return any;
}

struct pred_job {
    const cip_forest *f;
    const cip_frame *x;
    const size_t *cols;
    double *out;
    int proba; /* 1: probabilities, 0: predictions */
};

/* Outputs of the block's rows [r_lo, r_hi) (rows r0 + r of x) from their
 * tree sums acc[r * width ..]. */
static void block_out(const struct pred_job *j, size_t r0, size_t r_lo, size_t r_hi,
                      const double *acc)
{
    const cip_forest *f = j->f;
    size_t k = f->n_classes, width = k ? k : 1;
    double inv = 1.0 / (double)f->n_trees;
    for (size_t r = r_lo; r < r_hi; r++) {
        const double *a = acc + r * width;
        if (k == 0)
            j->out[r0 + r] = a[0] / (double)f->n_trees;
        else if (j->proba)
            for (size_t c = 0; c < k; c++)
                j->out[(r0 + r) * k + c] = a[c] * inv;
        else
            j->out[r0 + r] = f->classes[argmax(a, k)];
    }
}

/* Leaves of trees [t0, t0 + g) for one row; rf: the row as floats or NULL. */
static void row_leaves(const cip_forest *f, const float *rf, bool nonan, const double *row,
                       size_t t0, size_t g, const struct fnode **leaf)
{
    if (rf != NULL && nonan)
        walk_trees(f->trees + t0, g, rf, NULL, true, leaf);
    else if (rf != NULL)
        walk_trees(f->trees + t0, g, rf, NULL, false, leaf);
    else
        walk_trees(f->trees + t0, g, NULL, row, false, leaf);
}

/* The tree sums of one row (floats rf, or the doubles row when rf is NULL) into
 * acc[width] (zeroed here), tree after tree: the sums of the batch path. */
static void row_sums(const cip_forest *f, const float *rf, bool nonan, const double *row,
                     double *acc)
{
    const struct fnode *leaf[ROW_CHUNK];
    memset(acc, 0, (f->n_classes ? f->n_classes : 1) * sizeof *acc);
    for (size_t t0 = 0; t0 < f->n_trees; t0 += ROW_CHUNK) {
        size_t g = f->n_trees - t0 < ROW_CHUNK ? f->n_trees - t0 : ROW_CHUNK;
        row_leaves(f, rf, nonan, row, t0, g, leaf);
        for (size_t i = 0; i < g; i++) {
            if (f->n_classes == 0)
                acc[0] += leaf[i]->value;
            else
                add_leaf(f, &f->trees[t0 + i], leaf[i], acc);
        }
    }
}

/* One thread: every tree in order over the block, summing into acc. */
static void predict_block(const struct pred_job *j, size_t r0, size_t nr, float *buf, double *acc)
{
    const cip_forest *f = j->f;
    size_t width = f->n_classes ? f->n_classes : 1;
    bool nonan = !gather_block(j->x, j->cols, f->n_features, r0, nr, buf);
    if (nr == 1) { /* one row (a server request): the trees in lockstep, same sums in order */
        row_sums(f, buf, nonan, NULL, acc);
        block_out(j, r0, 0, 1, acc);
        return;
    }
    struct sink s = {SINK_ADD, acc, NULL, NULL};
    memset(acc, 0, nr * width * sizeof *acc);
    for (size_t t = 0; t < f->n_trees; t++)
        tree_rows(f, &f->trees[t], buf, NULL, nr, nonan, &s);
    block_out(j, r0, 0, nr, acc);
}

/* Add the stored leaves of trees [t0, t0 + nt) (leaf table lt: tree-major,
 * br rows per tree) of rows [r_lo, r_hi) to acc, tree after tree. */
static void add_stored(const cip_forest *f, const void *lt, size_t br, size_t t0, size_t nt,
                       size_t r_lo, size_t r_hi, double *acc)
{
    size_t k = f->n_classes;
    for (size_t i = 0; i < nt; i++) {
        if (k == 0) {
            const double *v = (const double *)lt + i * br;
            for (size_t r = r_lo; r < r_hi; r++)
                acc[r] += v[r];
            continue;
        }
        const struct ftree *t = &f->trees[t0 + i];
        const uint32_t *ref = (const uint32_t *)lt + i * br;
        for (size_t r = r_lo; r < r_hi; r++)
            add_ref(f, t, ref[r], acc + r * k);
    }
}

/* Scratch of the threaded path: one block's rows, sums and leaf table. */
struct pred_ws {
    float *buf;   /* br * p */
    double *acc;  /* br * width */
    void *leaves; /* TREE_CHUNK * br doubles (regression) or uint32 refs */
    size_t br;
};

/* Row range q of n_parts ranges of nr rows. */
static void part_range(size_t q, size_t n_parts, size_t nr, size_t *lo, size_t *hi)
{
    *lo = nr * q / n_parts;
    *hi = nr * (q + 1) / n_parts;
}

/* Rows [r0, r0+nr) on nt threads: the threads share the rows and split the
 * trees (TREE_CHUNK at a time; with few trees, also row ranges), each
 * walking a tree over the rows and storing the leaves; the leaves are then
 * added in tree order, row ranges split over the threads. A tree is thus
 * read from memory once per block, not once per thread's block, the load
 * balances over many items, and the sums are those of predict_block. */
static void predict_block_mt(const struct pred_job *j, size_t r0, size_t nr, int nt,
                             const struct pred_ws *w)
{
    const cip_forest *f = j->f;
    size_t p = f->n_features, width = f->n_classes ? f->n_classes : 1, br = w->br;
    size_t n_parts = (size_t)nt * 8;
    int has_nan = 0;
#ifdef _OPENMP
#pragma omp parallel num_threads(nt)
#endif
    {
        size_t lo, hi;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1) reduction(| : has_nan)
#endif
        for (size_t q = 0; q < n_parts; q++) {
            part_range(q, n_parts, nr, &lo, &hi);
            has_nan |= gather_block(j->x, j->cols, p, r0 + lo, hi - lo, w->buf + lo * p);
            memset(w->acc + lo * width, 0, (hi - lo) * width * sizeof *w->acc);
        }
        for (size_t t0 = 0; t0 < f->n_trees; t0 += TREE_CHUNK) {
            size_t tn = f->n_trees - t0 < TREE_CHUNK ? f->n_trees - t0 : TREE_CHUNK;
            size_t rp = (n_parts + tn - 1) / tn; /* row ranges per tree */
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
            for (size_t it = 0; it < tn * rp; it++) {
                size_t i = it / rp;
                part_range(it % rp, rp, nr, &lo, &hi);
                struct sink s = {f->n_classes ? SINK_REF : SINK_VALUE, NULL,
                                 (double *)w->leaves + i * br + lo,
                                 (uint32_t *)w->leaves + i * br + lo};
                tree_rows(f, &f->trees[t0 + i], w->buf + lo * p, NULL, hi - lo, !has_nan, &s);
            }
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
            for (size_t q = 0; q < n_parts; q++) {
                part_range(q, n_parts, nr, &lo, &hi);
                add_stored(f, w->leaves, br, t0, tn, lo, hi, w->acc);
                if (t0 + tn == f->n_trees) /* the last trees: the outputs */
                    block_out(j, r0, lo, hi, w->acc);
            }
        }
    }
}

/* Rows per block for n rows of p features and width sums per row: as many
 * as fit BLOCK_BYTES (at most BLOCK_MAX), in blocks of equal size. */
static size_t block_rows(size_t n, size_t p, size_t width)
{
    size_t per_row =
        p * sizeof(float) > width * sizeof(double) ? p * sizeof(float) : width * sizeof(double);
    size_t cap = BLOCK_BYTES / per_row;
    cap = cap < 256 ? 256 : cap > BLOCK_MAX ? BLOCK_MAX : cap;
    size_t nb = n == 0 ? 1 : (n + cap - 1) / cap;
    return n == 0 ? 1 : (n + nb - 1) / nb;
}

static cip_status predict_frame(cip_ctx *ctx, const cip_forest *f, const cip_frame *x, double *out,
                                size_t out_len, int proba)
{
    if (ctx == NULL)
        return CIP_ERR_MISUSE;
    if (f == NULL || f->magic != FOREST_MAGIC || x == NULL || (out == NULL && out_len > 0))
        return cipi_fail(ctx, CIP_ERR_MISUSE, "forest predict: NULL or invalid argument");
    size_t n = cip_frame_n_rows(x), k = f->n_classes, width = k ? k : 1;
    if (proba && k == 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "predict_proba needs a classification forest");
    size_t want = proba ? n * k : n;
    if (out_len != want)
        return cipi_fail(ctx, CIP_ERR_INVALID, "output length %zu does not match %zu rows (%zu)",
                         out_len, n, want);
    size_t br = block_rows(n, f->n_features, width), n_blocks = (n + br - 1) / br;
    size_t chunk = f->n_trees < TREE_CHUNK ? f->n_trees : TREE_CHUNK;
    int nt = n >= MT_MIN_ROWS ? cipi_threads_for(ctx, n / (MT_MIN_ROWS / 2)) : 1;
    size_t *cols = cipi_mallocarray(ctx, f->n_features, sizeof *cols);
    struct pred_ws w = {cipi_mallocarray(ctx, br, f->n_features * sizeof *w.buf),
                        cipi_mallocarray(ctx, br, width * sizeof *w.acc),
                        nt > 1 ? cipi_mallocarray(ctx, br, chunk * sizeof(double)) : NULL, br};
    cip_status rc = CIP_ERR_NOMEM;
    if (cols == NULL || w.buf == NULL || w.acc == NULL || (nt > 1 && w.leaves == NULL))
        goto done;
    if ((rc = cipi_forest_match(ctx, f, x, cols)) != CIP_OK)
        goto done;
    struct pred_job job = {f, x, cols, out, proba};
    for (size_t b = 0; b < n_blocks; b++) {
        size_t r0 = b * br, nr = n - r0 < br ? n - r0 : br;
        if (nt > 1) /* no parallel region for one thread: it costs measurable time for one row */
            predict_block_mt(&job, r0, nr, nt, &w);
        else
            predict_block(&job, r0, nr, w.buf, w.acc);
    }
    rc = CIP_OK;
done:
    cipi_free(ctx, cols);
    cipi_free(ctx, w.buf);
    cipi_free(ctx, w.acc);
    cipi_free(ctx, w.leaves);
    return rc;
}

cip_status cip_forest_predict(cip_ctx *ctx, const cip_forest *f, const cip_frame *x, double *out,
                              size_t out_len)
{
    return predict_frame(ctx, f, x, out, out_len, 0);
}

cip_status cip_forest_predict_proba(cip_ctx *ctx, const cip_forest *f, const cip_frame *x,
                                    double *out, size_t out_len)
{
    return predict_frame(ctx, f, x, out, out_len, 1);
}

/* The row as floats in buf when it is small enough, else NULL; *nonan: no
 * value is NaN. */
static const float *row_f32(const cip_forest *f, const double *row, float *buf, bool *nonan)
{
    *nonan = false;
    if (f->n_features > ROW_STACK)
        return NULL;
    int any = 0;
    for (size_t j = 0; j < f->n_features; j++) {
        buf[j] = cipi_forest_f32(row[j]);
        any |= buf[j] != buf[j];
    }
    *nonan = !any;
    return buf;
}

cip_status cip_forest_predict_proba_row(const cip_forest *f, const double *row, double *out)
{
    if (f == NULL || f->magic != FOREST_MAGIC || row == NULL || out == NULL || f->n_classes == 0)
        return CIP_ERR_MISUSE;
    size_t k = f->n_classes;
    float buf[ROW_STACK];
    bool nonan;
    const float *rf = row_f32(f, row, buf, &nonan);
    row_sums(f, rf, nonan, row, out);
    double inv = 1.0 / (double)f->n_trees;
    for (size_t c = 0; c < k; c++)
        out[c] *= inv;
    return CIP_OK;
}

cip_status cip_forest_predict_row(const cip_forest *f, const double *row, double *out)
{
    if (f == NULL || f->magic != FOREST_MAGIC || row == NULL || out == NULL)
        return CIP_ERR_MISUSE;
    if (f->n_classes == 0) {
        float buf[ROW_STACK];
        bool nonan;
        double s;
        const float *rf = row_f32(f, row, buf, &nonan); /* sets nonan: before the call */
        row_sums(f, rf, nonan, row, &s);
        *out = s / (double)f->n_trees;
        return CIP_OK;
    }
    double acc[FOREST_MAX_CLASSES];
    cip_forest_predict_proba_row(f, row, acc);
    *out = f->classes[argmax(acc, f->n_classes)];
    return CIP_OK;
}

double cipi_forest_r2(const double *y, const double *pred, size_t n)
{
    double mean = 0.0, ss_res = 0.0, ss_tot = 0.0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (pred[i] == pred[i]) {
            mean += y[i];
            m++;
        }
    if (m == 0)
        return (double)NAN;
    mean /= (double)m;
    for (size_t i = 0; i < n; i++) {
        if (pred[i] != pred[i])
            continue;
        ss_res += (y[i] - pred[i]) * (y[i] - pred[i]);
        ss_tot += (y[i] - mean) * (y[i] - mean);
    }
    if (ss_tot == 0.0)
        return ss_res == 0.0 ? 1.0 : 0.0;
    return 1.0 - ss_res / ss_tot;
}

/* OOB rows per block for n rows of p features on nt threads: large, but at
 * least two blocks per thread (when there are enough rows) to balance the load. */
static size_t oob_block_rows(size_t n, size_t p, int nt)
{
    size_t parts = nt > 1 ? 2 * (size_t)nt : 1;
    size_t cap = OOB_BLOCK_BYTES / (p * sizeof(float)), b = (n + parts - 1) / parts;
    cap = cap < 256 ? 256 : cap > OOB_BLOCK_MAX ? OOB_BLOCK_MAX : cap;
    return b < 1 ? 1 : b > cap ? cap : b;
}

/* Per-thread OOB scratch. */
struct oob_ws {
    float *buf;    /* rows, row-major float32 */
    double *acc;   /* sums, width per row */
    uint32_t *cnt; /* trees that missed each row */
    uint32_t *sel; /* rows a tree missed */
};

/* OOB means of rows [r0, r0+nr) over the trees whose bootstrap missed them. */
static void oob_block(const cip_forest *f, const uint8_t *inbag, size_t nb8, size_t r0, size_t nr,
                      bool nonan, const struct oob_ws *w, double *out)
{
    size_t width = f->n_classes ? f->n_classes : 1;
    struct sink s = {SINK_ADD, w->acc, NULL, NULL};
    memset(w->acc, 0, nr * width * sizeof *w->acc);
    memset(w->cnt, 0, nr * sizeof *w->cnt);
    for (size_t t = 0; t < f->n_trees; t++) {
        size_t ns = 0;
        for (size_t r = 0; r < nr; r++) {
            size_t i = r0 + r;
            if (!(inbag[t * nb8 + (i >> 3)] >> (i & 7) & 1)) {
                w->sel[ns++] = (uint32_t)r;
                w->cnt[r]++;
            }
        }
        tree_rows(f, &f->trees[t], w->buf, w->sel, ns, nonan, &s);
    }
    for (size_t r = 0; r < nr; r++)
        for (size_t c = 0; c < width; c++)
            out[(r0 + r) * width + c] =
                w->cnt[r] ? w->acc[r * width + c] / (double)w->cnt[r] : (double)NAN;
}

static double oob_accuracy(const cip_forest *f, const double *y, const double *proba, size_t n)
{
    size_t k = f->n_classes, m = 0, hit = 0;
    for (size_t i = 0; i < n; i++) {
        if (proba[i * k] != proba[i * k])
            continue;
        m++;
        hit += f->classes[argmax(proba + i * k, k)] == y[i];
    }
    return m ? (double)hit / (double)m : (double)NAN;
}

cip_status cipi_forest_oob(cip_ctx *ctx, cip_forest *f, const cip_frame *x, const double *y,
                           const uint8_t *inbag)
{
    size_t n = cip_frame_n_rows(x), p = f->n_features, k = f->n_classes, width = k ? k : 1;
    size_t br = oob_block_rows(n, p, cipi_threads_for(ctx, n)), n_blocks = (n + br - 1) / br;
    size_t nb8 = (n + 7) / 8;
    int nt = cipi_threads_for(ctx, n_blocks);
    cip_status rc = CIP_ERR_NOMEM;
    size_t *cols = cipi_mallocarray(ctx, p, sizeof *cols);
    struct oob_ws *ws = cipi_calloc(ctx, (size_t)nt, sizeof *ws);
    f->oob_pred = cipi_mallocarray(ctx, n, width * sizeof *f->oob_pred);
    if (cols == NULL || ws == NULL || f->oob_pred == NULL)
        goto done;
    for (int t = 0; t < nt; t++) {
        ws[t].buf = cipi_mallocarray(ctx, br, p * sizeof *ws[t].buf);
        ws[t].acc = cipi_mallocarray(ctx, br, width * sizeof *ws[t].acc);
        ws[t].cnt = cipi_mallocarray(ctx, br, sizeof *ws[t].cnt);
        ws[t].sel = cipi_mallocarray(ctx, br, sizeof *ws[t].sel);
        if (!ws[t].buf || !ws[t].acc || !ws[t].cnt || !ws[t].sel)
            goto done;
    }
    for (size_t j = 0; j < p; j++)
        cols[j] = j;
    f->oob_len = n * width;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt)
#endif
    for (size_t b = 0; b < n_blocks; b++) {
        int tid = 0;
#ifdef _OPENMP
        tid = omp_get_thread_num();
#endif
        size_t r0 = b * br, nr = n - r0 < br ? n - r0 : br;
        bool nonan = !gather_block(x, cols, p, r0, nr, ws[tid].buf);
        oob_block(f, inbag, nb8, r0, nr, nonan, &ws[tid], f->oob_pred);
    }
    f->oob_score = k == 0 ? cipi_forest_r2(y, f->oob_pred, n) : oob_accuracy(f, y, f->oob_pred, n);
    rc = CIP_OK;
done:
    for (int t = 0; ws != NULL && t < nt; t++) {
        cipi_free(ctx, ws[t].buf);
        cipi_free(ctx, ws[t].acc);
        cipi_free(ctx, ws[t].cnt);
        cipi_free(ctx, ws[t].sel);
    }
    cipi_free(ctx, ws);
    cipi_free(ctx, cols);
    return rc;
}
