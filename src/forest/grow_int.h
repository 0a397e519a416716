/* grow_int.h - the tree grower's workspace, shared by tree.c (growing) and
 * grow_ws.c (allocating and freeing it); private to src/forest
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_FOREST_GROW_INT_H
#define CIP_FOREST_GROW_INT_H

#include "forest_int.h"

#define SET_POOL_BYTES (48u << 20) /* histogram-set pool and one-pass histograms, at most */
#define SET_POOL_MAX   64          /* histogram sets in the pool, at most */

struct feval { /* per-thread feature-evaluation scratch */
    struct fhist h;
    double *cells; /* small mode: sparse code histograms, zero between uses */
    struct fgroups g;
    uint64_t *bits; /* small mode: rank bitmap */
    uint16_t *ids;  /* small mode: a node's ids in value order */
    double *tmp;    /* 2 * n_stats */
};

struct fentry { /* a pending node */
    uint32_t b, e;
    int32_t node;
    int32_t depth;
    int32_t set; /* histogram set index, -1, or SET_SMALL */
};

struct fgrow_ws {
    struct cipi_alloc a;
    size_t p, n_stats;
    uint32_t *idx, *cnt;
    double *w, *v;
    struct fnode *nodes;
    float *cover; /* training weight per node */
    float *dists;
    size_t cap_dists, n_dists; /* in leaves */
    struct fentry *stack;
    size_t cap_stack;
    int *perm;
    struct feval *ev;
    int n_ev;
    struct fhist *sets; /* n_sets * p */
    int *free_sets;
    int n_sets, n_free;
    struct fsplit *fres; /* per drawn feature (parallel evaluation) */
    uint8_t *fconst;
    double *node_st;
    struct fsmall small; /* small-subtree mode */
    struct fhist *mh;    /* p histograms for one-pass (row-major) building, or NULL */
    uint8_t *crm;        /* the rows' codes in node order (moved by partitions), stride cps */
    size_t cps;          /* 8, 16, 32 or 64 bytes; 0: no such copy (wide tables) */
    int *all_feats;      /* 0..p-1 (one-pass building of histogram sets) */
};

/* Partition the large node [b, e) of ws's row arrays (and its node-ordered
 * codes) in place by split s; returns the left count, or 0 when the rows do
 * not match the split's left count (an internal error for the caller). */
CIP_INTERNAL uint32_t cipi_forest_partition(const struct fgrow_cfg *cfg, struct fgrow_ws *ws,
                                            uint32_t b, uint32_t e, const struct fsplit *s);

#endif
