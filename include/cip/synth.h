/* cip/synth.h - synthetic customer tables with the reference table's shape
 *
 * Writes the customer schema of cip/schema.h (user_id, age, annual_income,
 * purchase_amount, loyalty_score, region, purchase_frequency) driven by one
 * latent "value" dimension v in [0, 1]: v is drawn from `levels` equally
 * spaced values, and each attribute is a rising linear function of v plus
 * noise * sigma_attr * N(0, 1), rounded to its grid and clamped:
 *
 *   attribute          at v = 0 .. 1     grid    sigma (noise 1)  clamp
 *   age                22 .. 55          1       9.9              [18, 100]
 *   annual_income      30000 .. 75000    1000    13500            >= 1000
 *   purchase_amount    150 .. 640        10      147              >= 10
 *   loyalty_score      3.0 .. 9.5        0.1     1.95             [0, 10]
 *   purchase_frequency 10 .. 28          1       5.4              >= 1
 *
 * (sigma = 0.3 x the attribute's range.) region is independent of v: East
 * with probability east_share, else North, South, West with equal chances.
 * With noise 0 the attributes are functions of the discrete v, so there are
 * at most 4 x levels distinct profiles, like the reference's 60 in 238 rows.
 * With duplicates on, each row after the first of its block is, with
 * probability duplicate_share, a copy (every attribute but user_id) of one of
 * the block's fresh profiles chosen uniformly; the others are fresh. Every
 * repeated profile therefore repeats an earlier row, and the marginals stay
 * those of the fresh rows (about 60 distinct profiles in 238 rows at the
 * default share, like the reference).
 *
 * Determinism: rows are made in blocks of CIP_SYNTH_BLOCK_ROWS; block b uses
 * RNG stream (seed, b) of cip/rng.h only, so the output is byte-identical for
 * any thread count. Blocks are generated in parallel (OpenMP).
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_SYNTH_H
#define CIP_SYNTH_H

#include <stdint.h>

#include "cip/core.h"
#include "cip/data.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Rows per RNG block (part of the output's definition: changing it changes
 * the data). */
#define CIP_SYNTH_BLOCK_ROWS 65536
/* Upper bound of n_customers (user_id is printed as an integer). */
#define CIP_SYNTH_MAX_ROWS (UINT64_C(1) << 40)

/* Population shift applied to every generated profile (cip generate --drift):
 * numeric attributes become x * mul + add in natural units, then are rounded
 * to their grid and clamped as usual; region shares set in region_share (NaN =
 * not set) replace the base shares, the unset regions sharing the remainder in
 * proportion to their base shares. Numeric-only drift keeps the random draws,
 * so the rows are the undrifted rows, shifted; a region shift draws the region
 * with one uniform number instead. */
/* Numeric attributes: age, annual_income, purchase_amount, loyalty_score,
 * purchase_frequency (in this order). */
enum { CIP_SYNTH_N_ATTRS = 5 };
typedef struct cip_synth_drift {
    double mul[CIP_SYNTH_N_ATTRS]; /* default 1 */
    double add[CIP_SYNTH_N_ATTRS]; /* default 0 */
    double region_share[4];        /* North, South, West, East; NaN = unchanged */
} cip_synth_drift;

/* No shift (mul 1, add 0, shares NaN). */
CIP_API void cip_synth_drift_default(cip_synth_drift *d);
/* Parse "age+5,annual_income*1.2,loyalty_score-0.5,region=East:0.3": comma-separated
 * COLUMN+X, COLUMN-X, COLUMN*X (several on one column compose left to right) and
 * region=LEVEL:SHARE with SHARE in [0, 1] (set shares must sum to <= 1).
 * Errors: CIP_ERR_INVALID naming the bad item (ctx may be NULL). */
CIP_API cip_status cip_synth_drift_parse(cip_ctx *ctx, const char *spec, cip_synth_drift *out);

typedef struct cip_synth_params {
    uint64_t n_customers;   /* rows, 0..CIP_SYNTH_MAX_ROWS; default 238 */
    uint64_t seed;          /* RNG seed; default 2024 */
    double noise;           /* noise scale, 0..10 (0 = exact functions of v); default 0.5 */
    double east_share;      /* probability of region East, 0..1; default 0.025 */
    int duplicates;         /* 1 = re-emit earlier profiles under new ids; default 0 */
    double duplicate_share; /* with duplicates: probability a row is a copy, 0..1; default 0.75 */
    unsigned levels;        /* distinct values of the latent v, 2..100000; default 48 */
    const cip_synth_drift *drift; /* borrowed; NULL = no shift (default) */
} cip_synth_params;

CIP_API void cip_synth_params_default(cip_synth_params *p);
/* Errors: CIP_ERR_INVALID naming the field. ctx may be NULL. */
CIP_API cip_status cip_synth_params_check(cip_ctx *ctx, const cip_synth_params *p);

/* Generate the table as a frame: user_id, age, annual_income,
 * purchase_amount and purchase_frequency as int columns, loyalty_score as a
 * float column (tenths, exactly as the CSV's 1-decimal text reads back),
 * region as a category with levels North, South, West, East in that order.
 * out: *out, a new frame owned by the caller. Errors: CIP_ERR_INVALID,
 * CIP_ERR_NOMEM. Allocates. Parallel over blocks; thread-count independent. */
CIP_API cip_status cip_synth_customers(cip_ctx *ctx, const cip_synth_params *p, cip_frame **out);

/* Generate the table straight to CSV (header, "\n" line ends, a final
 * newline, loyalty with 1 decimal): the same text cip_frame_write_csv() of
 * cip_synth_customers()' frame would give with float format "%.1f", but
 * streamed block by block (memory O(threads x block)). path "-" writes to
 * standard output; otherwise the file appears atomically (temporary name +
 * rename). Errors: CIP_ERR_INVALID, CIP_ERR_IO, CIP_ERR_NOMEM. Allocates.
 * Parallel over blocks; byte-identical output for any thread count. */
CIP_API cip_status cip_synth_write_csv(cip_ctx *ctx, const cip_synth_params *p, const char *path);

#ifdef __cplusplus
}
#endif
#endif /* CIP_SYNTH_H */
