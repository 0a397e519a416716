/* cip/rng.h - counter-based random streams (splitmix64)
 *
 * Every random stream in cip is derived from (seed, stream index), never from
 * a shared generator, so results do not depend on the thread count: tree t of
 * a forest uses stream t, row block b of a generator uses stream b, and so on.
 * The state is a plain value in caller storage; copying it forks the stream.
 * splitmix64 (Steele, Lea & Flood 2014) passes BigCrush and is fast.
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_RNG_H
#define CIP_RNG_H

#include <stdint.h>
#include "cip/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cip_rng {
    uint64_t state; /* counter; advanced by the golden-ratio increment */
    double spare;   /* cached second normal deviate */
    int has_spare;  /* 1 when spare is valid */
} cip_rng;

/* Initialise stream `stream` of `seed`. Distinct (seed, stream) pairs give
 * independent-looking streams. Allocates: no. */
CIP_API void cip_rng_init(cip_rng *r, uint64_t seed, uint64_t stream);
/* Next 64 uniformly distributed bits. */
CIP_API uint64_t cip_rng_u64(cip_rng *r);
/* Uniform double in [0, 1) with 53 random bits. */
CIP_API double cip_rng_uniform(cip_rng *r);
/* Uniform integer in [0, n), n >= 1, without modulo bias (Lemire 2019). */
CIP_API uint64_t cip_rng_below(cip_rng *r, uint64_t n);
/* Standard normal deviate (Marsaglia polar method). */
CIP_API double cip_rng_normal(cip_rng *r);
/* The splitmix64 finaliser: a bijective 64-bit mix, usable as a hash. */
CIP_API uint64_t cip_mix64(uint64_t x);

#ifdef __cplusplus
}
#endif
#endif /* CIP_RNG_H */
