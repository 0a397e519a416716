/* bagging.c - bootstrap samples and class weights (Breiman 2001)
 *
 * A bootstrap sample is stored as per-row integer counts drawn from the
 * tree's own RNG stream, so it depends only on (seed, tree index). sklearn
 * passes the same counts as sample weights: a row drawn k times weighs k,
 * while min_samples_* count distinct rows.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "forest_int.h"

void cipi_forest_bootstrap(cip_rng *r, uint32_t *cnt, size_t n, size_t n_draws)
{
    memset(cnt, 0, n * sizeof *cnt);
    for (size_t k = 0; k < n_draws; k++)
        cnt[cipi_rng_below(r, n)]++;
}

size_t cipi_forest_n_draws(const cip_forest_params *p, size_t n)
{
    switch (p->max_samples) {
    case CIP_FOREST_SAMPLES_FRACTION: {
        /* sklearn: max(round(n * fraction), 1), round half to even */
        double d = nearbyint((double)n * p->max_samples_value);
        return d < 1.0 ? 1 : (size_t)d;
    }
    case CIP_FOREST_SAMPLES_COUNT:
        return (size_t)p->max_samples_value;
    default:
        return n;
    }
}

void cipi_forest_balanced(const double *count, size_t k, double *out)
{
    double total = 0.0;
    size_t present = 0;
    for (size_t i = 0; i < k; i++) {
        total += count[i];
        present += count[i] > 0.0;
    }
    for (size_t i = 0; i < k; i++)
        out[i] = count[i] > 0.0 ? total / ((double)present * count[i]) : 0.0;
}
