/* synth.c - the synthetic customer generator: parameters, the per-block
 * kernel, and the frame builder
 *
 * Each attribute is lo + (hi - lo) * v + noise * 0.3 * (hi - lo) * N(0, 1),
 * rounded to its grid (nearest, ties away from zero) and clamped; see
 * cip/synth.h for the table. All randomness of block b comes from RNG stream
 * (seed, b), consumed row by row in a fixed order, so a block's content does
 * not depend on which thread makes it.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "cip/rng.h"
#include "synth_int.h"

const char *const cipi_synth_regions[SYNTH_N_REGIONS] = {"North", "South", "West", "East"};

/* Noise sd at noise 1, as a share of an attribute's range. */
#define SIGMA_SHARE 0.3

/* One attribute: value range over v in [0, 1], grid step and clamp, all in
 * grid units (e.g. thousands for income). */
struct attr {
    double lo, hi;    /* value at v = 0 and v = 1 (grid units) */
    int32_t min, max; /* clamp after rounding (grid units) */
};

static const struct attr attr_age = {22.0, 55.0, 18, 100};
static const struct attr attr_income = {30.0, 75.0, 1, 1000000};  /* thousands */
static const struct attr attr_amount = {15.0, 64.0, 1, 10000000}; /* tens */
static const struct attr attr_loyalty = {30.0, 95.0, 0, 100};     /* tenths */
static const struct attr attr_freq = {10.0, 28.0, 1, 100000};

void cip_synth_params_default(cip_synth_params *p)
{
    p->n_customers = 238;
    p->seed = 2024;
    p->noise = 0.5;
    p->east_share = 0.025;
    p->duplicates = 0;
    p->duplicate_share = 0.75;
    p->levels = 48;
    p->drift = NULL;
}

static bool in_range(double x, double lo, double hi)
{
    return isfinite(x) && x >= lo && x <= hi;
}

cip_status cip_synth_params_check(cip_ctx *ctx, const cip_synth_params *p)
{
    if (p == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "synth: params are NULL");
    if (p->n_customers > CIP_SYNTH_MAX_ROWS)
        return cipi_fail(ctx, CIP_ERR_INVALID, "synth: n_customers %llu exceeds %llu",
                         (unsigned long long)p->n_customers,
                         (unsigned long long)CIP_SYNTH_MAX_ROWS);
    if (!in_range(p->noise, 0.0, 10.0))
        return cipi_fail(ctx, CIP_ERR_INVALID, "synth: noise %g is outside [0, 10]", p->noise);
    if (!in_range(p->east_share, 0.0, 1.0))
        return cipi_fail(ctx, CIP_ERR_INVALID, "synth: east_share %g is outside [0, 1]",
                         p->east_share);
    if (!in_range(p->duplicate_share, 0.0, 1.0))
        return cipi_fail(ctx, CIP_ERR_INVALID, "synth: duplicate_share %g is outside [0, 1]",
                         p->duplicate_share);
    if (p->levels < 2 || p->levels > 100000)
        return cipi_fail(ctx, CIP_ERR_INVALID, "synth: levels %u is outside [2, 100000]",
                         p->levels);
    return CIP_OK;
}

/* Attribute a at latent v with one noise draw, rounded and clamped. */
static int32_t attr_value(const struct attr *a, double v, double noise, cip_rng *r)
{
    double range = a->hi - a->lo;
    double x = a->lo + range * v;
    if (noise > 0.0)
        x += noise * SIGMA_SHARE * range * cip_rng_normal(r);
    x = floor(x + 0.5);
    if (x < (double)a->min)
        return a->min;
    if (x > (double)a->max)
        return a->max;
    return (int32_t)x;
}

/* Region under a drift with region shares: one uniform draw over the 4 shares. */
static uint8_t drift_region(const cip_synth_params *p, cip_rng *r)
{
    double share[SYNTH_N_REGIONS], set = 0, base_unset = 0;
    for (int k = 0; k < SYNTH_N_REGIONS; k++) {
        double base = k == SYNTH_EAST ? p->east_share : (1 - p->east_share) / 3;
        share[k] = p->drift->region_share[k];
        if (isnan(share[k]))
            base_unset += base;
        else
            set += share[k];
    }
    for (int k = 0; k < SYNTH_N_REGIONS; k++) {
        double base = k == SYNTH_EAST ? p->east_share : (1 - p->east_share) / 3;
        if (isnan(share[k]))
            share[k] = base_unset > 0 ? (1 - set) * base / base_unset : 0;
    }
    double u = cip_rng_uniform(r), cum = 0;
    for (int k = 0; k < SYNTH_N_REGIONS - 1; k++) {
        cum += share[k];
        if (u < cum)
            return (uint8_t)k;
    }
    return SYNTH_N_REGIONS - 1;
}

/* Shift of attribute k (grid value x, `unit` natural units per grid step), re-rounded
 * and clamped to a. */
static int32_t drift_value(const cip_synth_drift *d, int k, const struct attr *a, double unit,
                           int32_t x)
{
    if (d->mul[k] == 1.0 && d->add[k] == 0.0)
        return x;
    double y = floor(((double)x * unit * d->mul[k] + d->add[k]) / unit + 0.5);
    if (!(y >= (double)a->min))
        return a->min;
    if (y > (double)a->max)
        return a->max;
    return (int32_t)y;
}

static bool has_region_drift(const cip_synth_drift *d)
{
    for (int k = 0; k < SYNTH_N_REGIONS; k++)
        if (!isnan(d->region_share[k]))
            return true;
    return false;
}

/* A fresh profile into row i of c: latent level, region, five attributes. */
static void fresh_row(const cip_synth_params *p, cip_rng *r, struct synth_cols *c, size_t i)
{
    double v = (double)cip_rng_below(r, p->levels) / (double)(p->levels - 1);
    if (p->drift != NULL && has_region_drift(p->drift))
        c->region[i] = drift_region(p, r);
    else if (cip_rng_uniform(r) < p->east_share)
        c->region[i] = SYNTH_EAST;
    else
        c->region[i] = (uint8_t)cip_rng_below(r, 3);
    c->age[i] = attr_value(&attr_age, v, p->noise, r);
    c->income_k[i] = attr_value(&attr_income, v, p->noise, r);
    c->amount_10[i] = attr_value(&attr_amount, v, p->noise, r);
    c->loyalty_10[i] = attr_value(&attr_loyalty, v, p->noise, r);
    c->freq[i] = attr_value(&attr_freq, v, p->noise, r);
    if (p->drift == NULL)
        return;
    const cip_synth_drift *d = p->drift;
    c->age[i] = drift_value(d, 0, &attr_age, 1, c->age[i]);
    c->income_k[i] = drift_value(d, 1, &attr_income, 1000, c->income_k[i]);
    c->amount_10[i] = drift_value(d, 2, &attr_amount, 10, c->amount_10[i]);
    c->loyalty_10[i] = drift_value(d, 3, &attr_loyalty, 0.1, c->loyalty_10[i]);
    c->freq[i] = drift_value(d, 4, &attr_freq, 1, c->freq[i]);
}

static void copy_row(const struct synth_cols *from, size_t k, struct synth_cols *to, size_t i)
{
    to->age[i] = from->age[k];
    to->income_k[i] = from->income_k[k];
    to->amount_10[i] = from->amount_10[k];
    to->loyalty_10[i] = from->loyalty_10[k];
    to->freq[i] = from->freq[k];
    to->region[i] = from->region[k];
}

/* With duplicates: row 0 and each later row with probability 1 - share is
 * fresh; the others show a profile drawn uniformly from ALL the block's
 * fresh profiles, so every profile has the same expected number of copies
 * and the marginals stay those of the fresh rows. A copy whose profile first
 * appears later simply becomes that profile's first occurrence: every
 * repeated row still repeats an earlier row. */
static void fill_with_duplicates(const cip_synth_params *p, cip_rng *r, size_t n,
                                 struct synth_block *b)
{
    uint32_t n_fresh = 0;
    for (size_t i = 0; i < n; i++)
        b->src[i] = (i == 0 || cip_rng_uniform(r) >= p->duplicate_share) ? n_fresh++ : UINT32_MAX;
    for (uint32_t k = 0; k < n_fresh; k++)
        fresh_row(p, r, &b->prof, k);
    for (size_t i = 0; i < n; i++) {
        uint32_t k = b->src[i] != UINT32_MAX ? b->src[i] : (uint32_t)cip_rng_below(r, n_fresh);
        copy_row(&b->prof, k, &b->rows, i);
    }
}

void cipi_synth_fill(const cip_synth_params *p, uint64_t index, size_t n, struct synth_block *b)
{
    cip_rng r;
    cip_rng_init(&r, p->seed, index);
    if (p->duplicates) {
        fill_with_duplicates(p, &r, n, b);
        return;
    }
    for (size_t i = 0; i < n; i++)
        fresh_row(p, &r, &b->rows, i);
}

static cip_status cols_alloc(cip_ctx *ctx, struct synth_cols *c)
{
    const size_t n = CIP_SYNTH_BLOCK_ROWS;
    c->age = cipi_mallocarray(ctx, n, sizeof(int32_t));
    c->income_k = cipi_mallocarray(ctx, n, sizeof(int32_t));
    c->amount_10 = cipi_mallocarray(ctx, n, sizeof(int32_t));
    c->loyalty_10 = cipi_mallocarray(ctx, n, sizeof(int32_t));
    c->freq = cipi_mallocarray(ctx, n, sizeof(int32_t));
    c->region = cipi_mallocarray(ctx, n, 1);
    if (c->age && c->income_k && c->amount_10 && c->loyalty_10 && c->freq && c->region)
        return CIP_OK;
    return CIP_ERR_NOMEM;
}

static void cols_free(cip_ctx *ctx, struct synth_cols *c)
{
    cipi_free(ctx, c->age);
    cipi_free(ctx, c->income_k);
    cipi_free(ctx, c->amount_10);
    cipi_free(ctx, c->loyalty_10);
    cipi_free(ctx, c->freq);
    cipi_free(ctx, c->region);
    memset(c, 0, sizeof *c);
}

cip_status cipi_synth_block_alloc(cip_ctx *ctx, const cip_synth_params *p, struct synth_block *b)
{
    memset(b, 0, sizeof *b);
    cip_status rc = cols_alloc(ctx, &b->rows);
    if (rc == CIP_OK && p->duplicates) {
        rc = cols_alloc(ctx, &b->prof);
        if (rc == CIP_OK &&
            (b->src = cipi_mallocarray(ctx, CIP_SYNTH_BLOCK_ROWS, sizeof *b->src)) == NULL)
            rc = CIP_ERR_NOMEM;
    }
    if (rc != CIP_OK)
        cipi_synth_block_free(ctx, b);
    return rc;
}

void cipi_synth_block_free(cip_ctx *ctx, struct synth_block *b)
{
    cols_free(ctx, &b->rows);
    cols_free(ctx, &b->prof);
    cipi_free(ctx, b->src);
    b->src = NULL;
}

/* The frame's columns while they are filled. */
struct cols {
    int64_t *id, *age, *income, *amount, *freq;
    double *loyalty;
    uint32_t *region;
};

static void block_to_cols(const struct synth_cols *b, uint64_t start, size_t n, struct cols *c)
{
    for (size_t i = 0; i < n; i++) {
        size_t k = (size_t)start + i;
        c->id[k] = (int64_t)(start + i + 1);
        c->age[k] = b->age[i];
        c->income[k] = (int64_t)b->income_k[i] * 1000;
        c->amount[k] = (int64_t)b->amount_10[i] * 10;
        c->loyalty[k] = (double)b->loyalty_10[i] / 10.0;
        c->freq[k] = b->freq[i];
        c->region[k] = b->region[i];
    }
}

/* Fill the columns block by block, nt blocks at a time in parallel. */
static void fill_cols(cip_ctx *ctx, const cip_synth_params *p, struct synth_block *blk, int nt,
                      struct cols *c)
{
    uint64_t n_blocks = cipi_synth_n_blocks(p->n_customers);
    for (uint64_t first = 0; first < n_blocks; first += (uint64_t)nt) {
        uint64_t round = n_blocks - first < (uint64_t)nt ? n_blocks - first : (uint64_t)nt;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static, 1)
#endif
        for (int64_t t = 0; t < (int64_t)round; t++) {
            uint64_t index = first + (uint64_t)t;
            size_t n = cipi_synth_block_len(p->n_customers, index);
            cipi_synth_fill(p, index, n, &blk[t]);
            block_to_cols(&blk[t].rows, index * CIP_SYNTH_BLOCK_ROWS, n, c);
        }
        cipi_progress(ctx, "generating customers", first + round, n_blocks);
    }
}

static cip_status build_frame(cip_ctx *ctx, const struct cols *c, size_t n, cip_frame **out)
{
    cip_frame *f = NULL;
    cip_status rc = cip_frame_new(ctx, n, &f);
    if (rc == CIP_OK)
        rc = cip_frame_add_i64(ctx, f, "user_id", c->id, NULL);
    if (rc == CIP_OK)
        rc = cip_frame_add_i64(ctx, f, "age", c->age, NULL);
    if (rc == CIP_OK)
        rc = cip_frame_add_i64(ctx, f, "annual_income", c->income, NULL);
    if (rc == CIP_OK)
        rc = cip_frame_add_i64(ctx, f, "purchase_amount", c->amount, NULL);
    if (rc == CIP_OK)
        rc = cip_frame_add_f64(ctx, f, "loyalty_score", c->loyalty, NULL);
    if (rc == CIP_OK)
        rc = cip_frame_add_cat(ctx, f, "region", c->region, cipi_synth_regions, SYNTH_N_REGIONS,
                               NULL);
    if (rc == CIP_OK)
        rc = cip_frame_add_i64(ctx, f, "purchase_frequency", c->freq, NULL);
    if (rc != CIP_OK) {
        cip_frame_free(f);
        return rc;
    }
    *out = f;
    return CIP_OK;
}

cip_status cip_synth_customers(cip_ctx *ctx, const cip_synth_params *p, cip_frame **out)
{
    *out = NULL;
    cip_status rc = cip_synth_params_check(ctx, p);
    if (rc != CIP_OK)
        return rc;
    size_t n = (size_t)p->n_customers;
    uint64_t n_blocks = cipi_synth_n_blocks(p->n_customers);
    int nt = cipi_threads_for(ctx, (size_t)n_blocks);
    struct cols c = {0};
    struct synth_block *blk = cipi_calloc(ctx, (size_t)nt, sizeof *blk);
    c.id = cipi_mallocarray(ctx, n, sizeof *c.id);
    c.age = cipi_mallocarray(ctx, n, sizeof *c.age);
    c.income = cipi_mallocarray(ctx, n, sizeof *c.income);
    c.amount = cipi_mallocarray(ctx, n, sizeof *c.amount);
    c.freq = cipi_mallocarray(ctx, n, sizeof *c.freq);
    c.loyalty = cipi_mallocarray(ctx, n, sizeof *c.loyalty);
    c.region = cipi_mallocarray(ctx, n, sizeof *c.region);
    if (!blk || !c.id || !c.age || !c.income || !c.amount || !c.freq || !c.loyalty || !c.region) {
        rc = CIP_ERR_NOMEM;
        goto done;
    }
    for (int t = 0; t < nt && rc == CIP_OK; t++)
        rc = cipi_synth_block_alloc(ctx, p, &blk[t]);
    if (rc != CIP_OK)
        goto done;
    fill_cols(ctx, p, blk, nt, &c);
    rc = build_frame(ctx, &c, n, out);
done:
    for (int t = 0; blk != NULL && t < nt; t++)
        cipi_synth_block_free(ctx, &blk[t]);
    cipi_free(ctx, blk);
    cipi_free(ctx, c.id);
    cipi_free(ctx, c.age);
    cipi_free(ctx, c.income);
    cipi_free(ctx, c.amount);
    cipi_free(ctx, c.freq);
    cipi_free(ctx, c.loyalty);
    cipi_free(ctx, c.region);
    return rc;
}
