/* rng.c - splitmix64 counter-based streams
 *
 * A stream's state is mix(seed) ^ mix(stream + golden): each (seed, stream)
 * gets its own starting counter, so parallel workers never share state and
 * results are the same for any thread count.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>

#include "cip/rng.h"
#include "cipi.h"

#define GOLDEN 0x9E3779B97F4A7C15ULL

uint64_t cip_mix64(uint64_t z)
{
    return cipi_mix64(z);
}

void cip_rng_init(cip_rng *r, uint64_t seed, uint64_t stream)
{
    r->state = cip_mix64(seed + GOLDEN) ^ cip_mix64((stream + 1) * GOLDEN + 0x632BE59BD9B4E019ULL);
    r->spare = 0.0;
    r->has_spare = 0;
}

uint64_t cip_rng_u64(cip_rng *r)
{
    return cipi_rng_u64(r);
}

double cip_rng_uniform(cip_rng *r)
{
    return (double)(cip_rng_u64(r) >> 11) * 0x1.0p-53;
}

uint64_t cip_rng_below(cip_rng *r, uint64_t n)
{
    return cipi_rng_below(r, n);
}

double cip_rng_normal(cip_rng *r)
{
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    double u, v, s;
    do {
        u = 2.0 * cip_rng_uniform(r) - 1.0;
        v = 2.0 * cip_rng_uniform(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    double f = sqrt(-2.0 * log(s) / s);
    r->spare = v * f;
    r->has_spare = 1;
    return u * f;
}
