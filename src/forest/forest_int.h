/* forest_int.h - private structures of the forest module (src/forest only)
 *
 * Model: trees of 16-byte nodes. Every node has its left child index
 * `child` (right = child + 1; ~leaf_ref when < 0: a leaf) at byte 8 and its
 * training weight `cover` (TreeSHAP) at byte 12. An internal node keeps in
 * bytes 0..7 the threshold `thr` (a float: (float)x <= thr goes left, NaN
 * goes where FNODE_MISSING_LEFT says), `feature` and `flags`; a leaf keeps
 * there the prediction `value` of a regression leaf (0 for class leaves,
 * which are pure (ref < K: the class index) or index dists[(ref - K) * K ..]
 * (K floats)). Children always have larger indices than their parent, so
 * walks end. Thresholds are sklearn's: the midpoint (a double) between the
 * largest value left and the smallest value right of the split, where the
 * values are the float32 of the inputs as in sklearn; stored as the largest
 * float <= the midpoint, which sends every float input the same way.
 *
 * Training: x is binned once into uint8 codes (code 255 = missing; <= 255
 * value bins, one per distinct value when there are at most 255), each bin
 * remembering its smallest and largest value. Each tree partitions a
 * row-index array in place; a node is a range [begin, end) of it. Large
 * nodes search splits on histograms: building a histogram over any range
 * ("shard") of rows (hist.c) is separate from split finding over a summed
 * histogram (split.c), so the histograms of several processes holding
 * different rows can be all-reduced before split finding (planned MPI
 * work). Nodes of at most FOREST_SMALL_MAX rows switch to small mode
 * (small.c: exact values, rank bitmaps), which is local to one process:
 * with distributed rows, a small subtree's rows would be gathered first.
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_FOREST_INT_H
#define CIP_FOREST_INT_H

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cip/forest.h"
#include "cip/rng.h"
#include "cipi.h"

#define FOREST_MAGIC          0x46525354u /* "FRST": live-object check */
#define FOREST_MAX_VALUE_BINS 255         /* value bins per feature */
#define FOREST_MISSING_CODE   255         /* bin code of a missing value */
#define FOREST_HIST_BINS      256         /* histogram slots per feature (values + missing) */
#define FOREST_MAX_CLASSES    256         /* classes (uint8 class codes) */
#define FOREST_MAX_FEATURES   65535       /* uint16 feature ids */
#define FOREST_MAX_TREES      100000      /* n_estimators upper bound */
#define FOREST_EPSILON        2.220446049250313e-16 /* sklearn's EPSILON (DBL_EPSILON) */

enum { FNODE_MISSING_LEFT = 1u };

struct fnode {
    union {
        double value; /* leaf: the prediction of a regression leaf, 0 for class leaves */
        struct {
            float thr;        /* internal: (float)x <= thr goes left */
            uint16_t feature; /* split feature */
            uint8_t flags;    /* FNODE_MISSING_LEFT */
            uint8_t spare;    /* 0 */
        };
    };
    int32_t child; /* left child (right = child + 1), or ~leaf_ref when < 0 */
    float cover;   /* training weight of the node (0 when the tree has no covers) */
};
_Static_assert(sizeof(struct fnode) == 16, "16-byte nodes");

/* x as float32 with IEEE round-to-nearest (also beyond FLT_MAX, where a
 * plain conversion is undefined in ISO C): scikit-learn's view of inputs. */
static inline float cipi_forest_f32(double x)
{
    if (x > (double)FLT_MAX)
        return x >= 0x1.ffffffp127 ? (float)INFINITY : FLT_MAX;
    if (x < -(double)FLT_MAX)
        return x <= -0x1.ffffffp127 ? -(float)INFINITY : -FLT_MAX;
    return (float)x;
}

/* The largest float <= t (NaN for NaN): the threshold that sends every
 * float x the way the double threshold t does. */
static inline float cipi_forest_thr32(double t)
{
    if (t != t)
        return (float)NAN;
    if (t >= (double)FLT_MAX)
        return t == (double)INFINITY ? (float)INFINITY : FLT_MAX;
    if (t < -(double)FLT_MAX)
        return -(float)INFINITY;
    float f = (float)t;
    return (double)f > t ? nextafterf(f, -(float)INFINITY) : f;
}

/* Two doubles added lane by lane (a GCC/Clang vector extension: SSE2 on
 * x86-64, NEON on arm64): a (weight, value) pair of a histogram bin updated
 * with one load, add and store; each lane rounds as the scalar add would. */
typedef double cipi_v2d __attribute__((vector_size(16)));
static inline void cipi_v2d_add(double *p, cipi_v2d a)
{
    cipi_v2d x;
    memcpy(&x, p, sizeof x);
    x += a;
    memcpy(p, &x, sizeof x);
}

/* An unsigned key ordered as the float x (-0 and +0 equal; x is not NaN). */
static inline uint32_t cipi_forest_float_key(float x)
{
    uint32_t u;
    if (x == 0.0f)
        x = 0.0f;
    memcpy(&u, &x, sizeof u);
    return u & 0x80000000u ? ~u : u | 0x80000000u;
}

/* Insertion sort of n 64-bit keys, ascending (short or nearly sorted runs). */
static inline void cipi_forest_sort_keys(uint64_t *keys, uint32_t n)
{
    for (uint32_t i = 1; i < n; i++) {
        uint64_t k = keys[i];
        uint32_t j = i;
        for (; j > 0 && keys[j - 1] > k; j--)
            keys[j] = keys[j - 1];
        keys[j] = k;
    }
}

/* 1 when float input x goes to the right child of internal node n. */
static inline int cipi_forest_goes_right(const struct fnode *n, float x)
{
    return x != x ? !(n->flags & FNODE_MISSING_LEFT) : !(x <= n->thr);
}

struct ftree {
    struct fnode *nodes; /* n_nodes, root = 0; owned */
    float *dists;        /* impure class leaves, K floats each; owned */
    bool has_cover;      /* node covers known (false for trees read from version-1 files) */
    uint32_t n_nodes;
    uint32_t n_dists; /* classification: impure leaves */
    uint32_t n_leaves;
    int depth; /* deepest leaf (root = 0) */
};

struct cip_forest {
    uint32_t magic;
    struct cipi_alloc a;
    cip_forest_params params; /* resolved: no AUTO values */
    int mtry;                 /* features examined per node */
    size_t n_features;
    char **names;     /* n_features owned strings */
    cip_type *types;  /* feature types at fit */
    size_t n_classes; /* 0 for regression */
    double *classes;  /* sorted class values */
    size_t n_trees;
    struct ftree *trees;
    double *importances; /* n_features */
    double oob_score;    /* NaN when absent */
    double *oob_pred;    /* fit-time only; oob_len values */
    size_t oob_len;
    size_t n_train_rows;
    uint64_t fingerprint;
};

/* --- bin.c: feature binning -------------------------------------------------------------- */
struct fbins {
    size_t n_rows;
    size_t n_features;
    uint8_t *codes;       /* column-major n_features * n_rows, or NULL once dropped; owned */
    uint8_t *codes_rm;    /* the same, row-major (small subtrees read whole rows); owned */
    uint16_t *n_bins;     /* value bins per feature (1..255); owned */
    uint32_t *off;        /* n_features + 1 offsets into lo / hi; owned */
    double *lo, *hi;      /* smallest / largest training value of each bin; owned */
    uint8_t *exact;       /* per feature: one bin per distinct value (<= 255 values) */
    int32_t *raw_col;     /* per feature: column of raw, or -1 for exact features */
    size_t n_raw;         /* inexact features */
    float *raw;           /* values of inexact features (NaN = missing), row-major
                           * n_rows * n_raw; float as scikit-learn's own X; owned */
    uint8_t *has_missing; /* per feature: any missing value at fit; owned */
    uint64_t fingerprint; /* hash of the names, types and values of x */
};
/* Bin every column of x (all numeric). Parallel over features. */
CIP_INTERNAL cip_status cipi_forest_bin(cip_ctx *ctx, const cip_frame *x, struct fbins *out);
CIP_INTERNAL void cipi_forest_bins_release(cip_ctx *ctx, struct fbins *b);
/* Tables of at most this many features: each grower keeps its rows' codes in
 * node order (tree.c), and when features are evaluated on one thread per
 * tree nothing reads the column-major codes, which fit.c then drops. */
#define FOREST_ROWS_MAX_FEATURES 64
CIP_INTERNAL void cipi_forest_bins_drop_columns(cip_ctx *ctx, struct fbins *b);

/* --- hist.c: histograms over row shards ------------------------------------------------ */
/* A histogram holds, for each of FOREST_HIST_BINS codes, a row count and
 * n_stats sums: (weight, weight * y) for regression and binary
 * classification, per-class weights for K > 2 classes. */
struct fhist {
    uint32_t *cnt; /* FOREST_HIST_BINS */
    double *st;    /* FOREST_HIST_BINS * n_stats */
};
/* Zero the value bins 0..n_bins-1 and the missing bin. */
CIP_INTERNAL void cipi_forest_hist_clear(struct fhist *h, unsigned n_bins, int n_stats);
/* Add rows [0, n) of a shard: codes of the feature col[idx[r]], weights
 * w[r] and values v[r] (w*y, or the class code when n_stats > 2). */
CIP_INTERNAL void cipi_forest_hist_add(struct fhist *h, int n_stats, const uint8_t *col,
                                       const uint32_t *idx, const double *w, const double *v,
                                       size_t n);
/* The histograms hs[0..k) of features feats[0..k) in one pass over rows
 * idx[0..n) of the row-major codes (rows of p bytes): one cache line per row
 * instead of one per row and feature, which pays off when a node's rows are
 * sparse. idx NULL: rows 0..n-1 in order (a node's own copy of its rows). */
CIP_INTERNAL void cipi_forest_hist_add_rows(struct fhist *hs, const int *feats, int k, int n_stats,
                                            const uint8_t *codes_rm, size_t p, const uint32_t *idx,
                                            const double *w, const double *v, size_t n);
/* dst = parent - child over bins 0..n_bins-1 and the missing bin (in place on dst
 * = parent allowed). */
CIP_INTERNAL void cipi_forest_hist_sub(struct fhist *dst, const struct fhist *parent,
                                       const struct fhist *child, unsigned n_bins, int n_stats);

/* --- split.c: split search ------------------------------------------------------------- */
enum fcrit { FCRIT_MSE = 0, FCRIT_GINI = 1, FCRIT_ENTROPY = 2 };

/* Compact list of non-empty code groups in increasing code order; the
 * missing group (code 255) last if present. */
struct fgroups {
    uint8_t *code; /* capacity FOREST_GROUPS_MAX */
    uint32_t *cnt;
    double *st;  /* n_stats per group */
    double *vlo; /* smallest value of the group */
    double *vhi; /* largest value of the group */
    int n;
};
struct fsplit {
    double proxy;     /* g(left) + g(right): larger = better */
    double thr;       /* threshold for the model */
    int feature;      /* -1 = none */
    int bin;          /* go left when code <= bin */
    int missing_left; /* 1 when missing values go left */
    uint32_t n_left;  /* rows going left */
};
struct fsplit_cfg {
    enum fcrit crit;
    int n_stats;       /* 2 or K */
    int n_classes;     /* K (0 for regression) */
    uint32_t min_leaf; /* min rows per child */
};
struct fbinfo;
/* Groups from a histogram of a feature. */
CIP_INTERNAL void cipi_forest_groups_from_hist(struct fgroups *g, const struct fhist *h,
                                               const struct fbinfo *bi, int n_stats);
/* Bins of the feature being scanned: count and smallest / largest values. */
struct fbinfo {
    unsigned n_bins;
    const double *lo, *hi;
};
/* Best split of one feature given its groups; node_st = the node's stat
 * totals and node_n its rows. Updates *best when better (strict >, so the
 * first best wins). Returns 1 when the feature is constant in the node.
 * tmp: scratch of 2 * n_stats doubles. */
CIP_INTERNAL int cipi_forest_split_scan(const struct fsplit_cfg *c, const struct fgroups *g,
                                        const double *node_st, uint32_t node_n, int feature,
                                        const struct fbinfo *bi, struct fsplit *best, double *tmp);
/* Fast sweeps (2 stats, mse or gini only): from a feature histogram, or from
 * a small-mode node's sorted list. Same contract as cipi_forest_split_scan. */
CIP_INTERNAL int cipi_forest_scan_hist2(const struct fsplit_cfg *c, const struct fhist *h,
                                        const double *node_st, uint32_t node_n, int feature,
                                        const struct fbinfo *bi, struct fsplit *best);
struct fsmall;
/* Small-mode sweep of feature at node [lb, le): bits and tmp are scratch
 * (FOREST_SMALL_MAX / 64 words, zero between uses, and FOREST_SMALL_MAX + 8 ids).
 * The feature must be ranked for the node (cipi_forest_small_need) unless the
 * node has at most FOREST_SMALL_INSERTION rows. */
CIP_INTERNAL int cipi_forest_scan_small2(const struct fsplit_cfg *c, const struct fsmall *s,
                                         uint64_t *bits, uint16_t *tmp, uint32_t lb, uint32_t le,
                                         int feature, const double *node_st,
                                         const struct fbinfo *bi, struct fsplit *best);
/* Small-mode sweep of an exact feature (one value per code) at node [lb, le)
 * from a sparse histogram of its codes, no ranking needed. cells: scratch of
 * FOREST_CODE_CELLS doubles, zero between uses (left zero on return). */
#define FOREST_CODE_CELLS (2 * 3 * FOREST_HIST_BINS)
CIP_INTERNAL int cipi_forest_scan_codes2(const struct fsplit_cfg *c, const struct fsmall *s,
                                         double *cells, uint32_t lb, uint32_t le, int feature,
                                         const double *node_st, const struct fbinfo *bi,
                                         struct fsplit *best);
/* Small-mode sweep of feature at a node of the two rows ord[lb], ord[lb + 1]:
 * the same result as the general sweeps, without their set-up. */
CIP_INTERNAL int cipi_forest_scan_pair2(const struct fsplit_cfg *c, const struct fsmall *s,
                                        uint32_t lb, int feature, const double *node_st,
                                        const struct fbinfo *bi, struct fsplit *best);
/* An upper bound of the squared-error proxy of any split of small-mode node
 * [lb, le) of 3..FOREST_BOUND_MAX rows, with min_samples_leaf 1: the proxy of
 * the best partition of its rows by target. */
#define FOREST_BOUND_MAX 8
CIP_INTERNAL double cipi_forest_small_bound(const struct fsmall *s, uint32_t lb, uint32_t le,
                                            const double *node_st);
/* The criterion term g(stats) with impurity decrease D = g(L) + g(R) - g(node):
 * s^2/w (mse), sum c^2 / w (gini), sum c log2 c - w log2 w (entropy). */
CIP_INTERNAL double cipi_forest_gterm(const struct fsplit_cfg *c, const double *st);
/* Impurity of class stats (gini or entropy); used for the pure-node test. */
CIP_INTERNAL double cipi_forest_class_impurity(const struct fsplit_cfg *c, const double *st);

/* --- small.c: small subtrees with exact values and rank bitmaps ---------------------------- */
#define FOREST_SMALL_MAX       1024 /* nodes with at most this many rows enter small mode */
#define FOREST_SMALL_INSERTION 32   /* small nodes up to this size sort ranks directly */
#define FOREST_GROUPS_MAX      FOREST_SMALL_MAX /* >= FOREST_HIST_BINS: groups of a feature */
_Static_assert(FOREST_GROUPS_MAX >= FOREST_HIST_BINS, "groups must hold a histogram");
_Static_assert(FOREST_SMALL_MAX <= 65536 && FOREST_SMALL_MAX % 64 == 0, "uint16 ids, bitmap");
_Static_assert(FOREST_SMALL_MAX <= 32 * 64, "a 32-bit summary of the bitmap words, int16 ranks");
struct frank {   /* one rank of a feature's sorted order in a small subtree */
    float val;   /* exact value (training values are floats; NaN = missing) */
    uint32_t id; /* local id */
};
struct fsmall {
    size_t p, ns;
    const struct fbins *bins;
    uint32_t m, words; /* rows of the subtree root (local ids 0..m-1), bitmap words */
    uint16_t *ord;     /* local ids; a node is a range of it (increasing within a node) */
    struct frank *rk;  /* per feature (stride FOREST_SMALL_MAX): ids and values by rank */
    uint16_t *pos;     /* per feature: rank of each id */
    uint8_t *codes;    /* per feature: code of each id */
    float *raw;        /* per inexact feature: value of each id */
    uint64_t *keys;    /* scratch for the sorts: 2 * FOREST_SMALL_MAX sort keys */
    uint8_t *ncodes;   /* scratch for the sorts: FOREST_SMALL_MAX codes */
    uint32_t *miss0;   /* per feature: first rank of a missing value (in the sorted range) */
    uint32_t *sb, *se; /* per feature: the ord range [sb, se) whose ids are ranked (sorted
                        * lazily, at the first node of the subtree that scans the feature;
                        * its ranks are sb..se-1) */
    double *w, *v;     /* weight and value of each id */
    double *y;         /* v / w of each id (the target, for 2-stat criteria) */
    uint16_t *tmp;     /* scratch for partitions */
    uint32_t *count;   /* scratch for the initial sort: 257 counts */
};
/* Enter small mode for rows idx/w/v[0..m), m <= FOREST_SMALL_MAX; crows: their
 * codes in order (rows of stride cps), or NULL to read them by idx. */
CIP_INTERNAL void cipi_forest_small_init(struct fsmall *s, const struct fbins *bins,
                                         const uint32_t *idx, const uint8_t *crows, size_t cps,
                                         const double *w, const double *v, uint32_t m);
/* Make feature f ranked for node [lb, le): sorts the node's rows unless
 * an ancestor (or the node) already did in this subtree. */
CIP_INTERNAL void cipi_forest_small_rank(struct fsmall *s, uint32_t lb, uint32_t le, size_t f);
static inline void cipi_forest_small_need(struct fsmall *s, uint32_t lb, uint32_t le, size_t f)
{
    if (!(s->sb[f] <= lb && le <= s->se[f]))
        cipi_forest_small_rank(s, lb, le, f);
}
/* Ranks of the rows of node [lb, le) in feature f's value order (missing
 * last) into out[le - lb]; bits: scratch of FOREST_SMALL_MAX / 64 words, zero
 * between uses. */
CIP_INTERNAL uint32_t cipi_forest_small_order(const struct fsmall *s, uint64_t *bits, uint32_t lb,
                                              uint32_t le, size_t f, uint16_t *out);
/* Value groups of feature f from a node's ordered ranks. */
CIP_INTERNAL void cipi_forest_small_groups(const struct fsmall *s, size_t f, const uint16_t *ranks,
                                           uint32_t n, struct fgroups *g);
/* Partition node [lb, le) of ord by the split's threshold; returns the left count. */
CIP_INTERNAL uint32_t cipi_forest_small_partition(struct fsmall *s, uint32_t lb, uint32_t le,
                                                  const struct fsplit *sp);

/* --- bagging.c: bootstrap and class weights ------------------------------------------- */
/* Bootstrap counts of tree t: cnt[n] zeroed then n_draws uniform draws. */
CIP_INTERNAL void cipi_forest_bootstrap(cip_rng *r, uint32_t *cnt, size_t n, size_t n_draws);
/* Number of bootstrap draws for n rows under p (after params_check). */
CIP_INTERNAL size_t cipi_forest_n_draws(const cip_forest_params *p, size_t n);
/* Balanced class weights: n_total / (K_present * count_k) from integer counts
 * (count 0 gives weight 0). */
CIP_INTERNAL void cipi_forest_balanced(const double *count, size_t k, double *out);

/* --- tree.c: growing one tree --------------------------------------------------------- */
struct fgrow_cfg {
    const struct fbins *bins;
    struct fsplit_cfg sc;
    int max_depth; /* 0 = unlimited */
    uint32_t min_split;
    double min_dec; /* min_impurity_decrease */
    int mtry;
    int n_classes;
    int feat_threads; /* > 1: parallel over features of large nodes */
};
struct fgrow_ws; /* per-worker scratch (tree.c) */
CIP_INTERNAL cip_status cipi_forest_ws_new(cip_ctx *ctx, const struct fgrow_cfg *cfg, size_t n_rows,
                                           struct fgrow_ws **out);
CIP_INTERNAL void cipi_forest_ws_free(const struct cipi_alloc *a, struct fgrow_ws *ws);
/* Grow one tree on rows idx[0..n) with weights w and values v (moved
 * around in place). imp[p] accumulates weighted impurity decreases.
 * Allocates the tree arrays through a (worker-safe, no ctx). */
CIP_INTERNAL cip_status cipi_forest_grow(const struct cipi_alloc *a, const struct fgrow_cfg *cfg,
                                         struct fgrow_ws *ws, cip_rng *rng, size_t n,
                                         struct ftree *out, double *imp);
/* Row arrays of the workspace, filled by the caller before cipi_forest_grow. */
CIP_INTERNAL void cipi_forest_ws_rows(struct fgrow_ws *ws, uint32_t **idx, double **w, double **v,
                                      uint32_t **cnt);
CIP_INTERNAL void cipi_forest_tree_release(const struct cipi_alloc *a, struct ftree *t);

/* --- predict.c ----------------------------------------------------------------------- */
/* Map the model's features to columns of x. cols[p]. Errors: SCHEMA. */
CIP_INTERNAL cip_status cipi_forest_match(cip_ctx *ctx, const cip_forest *f, const cip_frame *x,
                                          size_t *cols);
/* Rows [r0, r0+nr) of x as row-major doubles (model order) into buf. */
CIP_INTERNAL void cipi_forest_gather(const cip_frame *x, const size_t *cols, size_t p, size_t r0,
                                     size_t nr, double *buf);
/* OOB predictions and score of a fitted forest from in-bag bitmaps
 * (n_trees * ceil(n/8) bytes, tree-major). */
CIP_INTERNAL cip_status cipi_forest_oob(cip_ctx *ctx, cip_forest *f, const cip_frame *x,
                                        const double *y, const uint8_t *inbag);
/* R^2 of pred vs y (n rows). */
CIP_INTERNAL double cipi_forest_r2(const double *y, const double *pred, size_t n);

/* --- importance.c ---------------------------------------------------------------------- */
/* sklearn's feature_importances_ from per-tree raw decreases imp[t*p + j]. */
CIP_INTERNAL void cipi_forest_importances(const double *imp, size_t n_trees, size_t p,
                                          const struct ftree *trees, double *out);

/* --- forest_io.c / forest_load.c: model files ------------------------------------------- */
#define FOREST_FORMAT_VERSION     2  /* written; version 1 (no node covers) is still read */
#define FOREST_NODE_FILE_BYTES    19 /* f64 value + i32 child + u16 feature + u8 flags + f32 cover */
#define FOREST_NODE_FILE_BYTES_V1 15
extern const char *const cipi_forest_task_names[2];
extern const char *const cipi_forest_crit_names[4];
extern const char *const cipi_forest_maxf_names[6];
extern const char *const cipi_forest_samples_names[3];
extern const char *const cipi_forest_cw_names[3];
CIP_INTERNAL uint32_t cipi_forest_crc(const void *data, size_t len);
CIP_INTERNAL size_t cipi_forest_payload_size(const cip_forest *f);

/* --- forest.c --------------------------------------------------------------------------- */
CIP_INTERNAL cip_forest *cipi_forest_alloc(cip_ctx *ctx);
/* Resolve AUTO values of p for task into *out. */
CIP_INTERNAL void cipi_forest_resolve(const cip_forest_params *p, cip_forest_params *out);
/* Number of features examined per node for p features. */
CIP_INTERNAL int cipi_forest_mtry(const cip_forest_params *p, size_t n_features);
/* Recompute n_leaves and depth of a tree (also validates structure). */
CIP_INTERNAL int cipi_forest_tree_stats(struct ftree *t);

#endif /* CIP_FOREST_INT_H */
