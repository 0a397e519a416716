/* numpy_rng.c - numpy's legacy RandomState stream, for splits identical to scikit-learn's
 *
 * scikit-learn's train_test_split(random_state=S) draws from
 * numpy.random.RandomState(S): Mersenne Twister MT19937 (Matsumoto and
 * Nishimura 1998) seeded with init_genrand(S), permutations by a backward
 * Fisher-Yates shuffle whose index for position i is a masked rejection draw
 * ("random_interval": next 32-bit output & (smallest all-ones mask >= i),
 * redrawn while > i). Reproducing that stream (facts, not code, carried over)
 * gives the very rows scikit-learn holds out, so cip's scores on the reference
 * data compare with the original project's on the same test set. Hand-written:
 * no Debian library exposes numpy's legacy stream to C.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "validate_int.h"

#define MT_N 624
#define MT_M 397

void cipi_np_seed(struct cipi_np_rng *r, uint32_t seed)
{
    r->mt[0] = seed;
    for (uint32_t i = 1; i < MT_N; i++)
        r->mt[i] = 1812433253u * (r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) + i;
    r->pos = MT_N;
}

static void mt_refill(struct cipi_np_rng *r)
{
    for (int i = 0; i < MT_N; i++) {
        uint32_t y = (r->mt[i] & 0x80000000u) | (r->mt[(i + 1) % MT_N] & 0x7fffffffu);
        r->mt[i] = r->mt[(i + MT_M) % MT_N] ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
    }
    r->pos = 0;
}

uint32_t cipi_np_next32(struct cipi_np_rng *r)
{
    if (r->pos >= MT_N)
        mt_refill(r);
    uint32_t y = r->mt[r->pos++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

/* numpy's random_interval: uniform on [0, max] by masked rejection. */
static uint64_t np_interval(struct cipi_np_rng *r, uint64_t max)
{
    if (max == 0)
        return 0;
    uint64_t mask = max;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    mask |= mask >> 32;
    uint64_t v;
    if (max <= 0xffffffffu) {
        do
            v = cipi_np_next32(r) & mask;
        while (v > max);
    } else {
        do {
            uint64_t hi = cipi_np_next32(r);
            v = ((hi << 32) | cipi_np_next32(r)) & mask;
        } while (v > max);
    }
    return v;
}

void cipi_np_shuffle(struct cipi_np_rng *r, size_t *v, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)np_interval(r, i - 1);
        size_t t = v[i - 1];
        v[i - 1] = v[j];
        v[j] = t;
    }
}

void cipi_np_permutation(struct cipi_np_rng *r, size_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        v[i] = i;
    cipi_np_shuffle(r, v, n);
}

cip_status cipi_np_approx_mode(cip_ctx *ctx, const size_t *counts, size_t k, size_t n_draws,
                               struct cipi_np_rng *r, size_t *out)
{
    struct vranked *rem = cipi_mallocarray(ctx, k, sizeof *rem);
    size_t *perm = cipi_mallocarray(ctx, k, sizeof *perm);
    cip_status rc = CIP_ERR_NOMEM;
    if (rem == NULL || perm == NULL)
        goto done;
    /* equal remainders in class order: np.unique's values reversed, np.where's order */
    size_t need = cipi_validate_floors(counts, k, n_draws, NULL, rem, out);
    /* Per distinct remainder, largest first: rng.choice(inds, add_now, replace=False),
     * which is inds[permutation(len(inds))[:add_now]], drawn even when all are taken. */
    for (size_t a = 0; a < k && need > 0;) {
        size_t e = a + 1;
        while (e < k && rem[e].rem == rem[a].rem)
            e++;
        size_t len = e - a, add = len < need ? len : need;
        cipi_np_permutation(r, perm, len);
        for (size_t q = 0; q < add; q++)
            out[rem[a + perm[q]].cls]++;
        need -= add;
        a = e;
    }
    rc = CIP_OK;
done:
    cipi_free(ctx, rem);
    cipi_free(ctx, perm);
    return rc;
}
