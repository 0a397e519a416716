/* synth_int.h - the block generator shared by the frame and CSV writers
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_SYNTH_INT_H
#define CIP_SYNTH_INT_H

#include "cip/synth.h"
#include "cipi.h"

/* Region codes, in the order of the frame's category levels. */
enum { SYNTH_NORTH = 0, SYNTH_SOUTH = 1, SYNTH_WEST = 2, SYNTH_EAST = 3, SYNTH_N_REGIONS = 4 };

/* Rows in grid units (struct of arrays, CIP_SYNTH_BLOCK_ROWS each). */
struct synth_cols {
    int32_t *age;        /* years */
    int32_t *income_k;   /* annual_income / 1000 */
    int32_t *amount_10;  /* purchase_amount / 10 */
    int32_t *loyalty_10; /* loyalty_score * 10 (tenths), 0..100 */
    int32_t *freq;       /* purchase_frequency */
    uint8_t *region;     /* SYNTH_* code */
};

/* Scratch for one block: the rows, and (with duplicates) the block's fresh
 * profiles and which profile each row shows. */
struct synth_block {
    struct synth_cols rows; /* the block's rows */
    struct synth_cols prof; /* fresh profiles (duplicates only) */
    uint32_t *src;          /* row -> profile index (duplicates only) */
};

/* Region labels indexed by code. */
CIP_INTERNAL extern const char *const cipi_synth_regions[SYNTH_N_REGIONS];

/* Allocate / free the scratch of one block (profiles and src only with
 * p->duplicates). Errors: CIP_ERR_NOMEM. */
CIP_INTERNAL cip_status cipi_synth_block_alloc(cip_ctx *ctx, const cip_synth_params *p,
                                               struct synth_block *b);
CIP_INTERNAL void cipi_synth_block_free(cip_ctx *ctx, struct synth_block *b);

/* Fill rows 0..n-1 of b with block `index` of the table (n <= block size).
 * Pure: depends only on p, index and n; safe to call from worker threads. */
CIP_INTERNAL void cipi_synth_fill(const cip_synth_params *p, uint64_t index, size_t n,
                                  struct synth_block *b);

/* Number of blocks for n rows. */
static inline uint64_t cipi_synth_n_blocks(uint64_t n)
{
    return (n + CIP_SYNTH_BLOCK_ROWS - 1) / CIP_SYNTH_BLOCK_ROWS;
}

/* Rows in block `index` of an n-row table. */
static inline size_t cipi_synth_block_len(uint64_t n, uint64_t index)
{
    uint64_t start = index * CIP_SYNTH_BLOCK_ROWS;
    uint64_t left = n - start;
    return (size_t)(left < CIP_SYNTH_BLOCK_ROWS ? left : CIP_SYNTH_BLOCK_ROWS);
}

#endif /* CIP_SYNTH_INT_H */
