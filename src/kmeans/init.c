/* init.c - greedy k-means++ seeding (Arthur & Vassilvitskii 2007)
 *
 * As scikit-learn does it: the first centre is a row drawn with probability
 * proportional to its sample weight (uniform without weights); every later
 * centre is the best of 2 + floor(ln k) candidates drawn with probability
 * proportional to w * D^2 (D = distance to the nearest chosen centre), the
 * best being the one that leaves the smallest potential sum w * min(D^2, d^2).
 * One pass over the data scores all candidates of a step; their updated
 * distance arrays are kept so the winner's becomes D^2 without another pass.
 * Sums are per KM_BLOCK rows, combined in block order (thread-independent).
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "kmeans_int.h"

#ifdef _OPENMP
#include <omp.h>
#endif

int cipi_kmeans_n_trials(size_t k)
{
    return 2 + (int)floor(log((double)k));
}

static void gather_row(const struct km_data *x, size_t i, double *out)
{
    for (size_t j = 0; j < x->d; j++)
        out[j] = x->cols[j][i];
}

/* Sum of w_i * v[i] over [r0, r1) in four fixed interleaved lanes (a fixed
 * order, so still independent of threads; shorter dependency chains). */
static double block_wsum(const struct km_data *x, const double *v, size_t r0, size_t r1)
{
    double s[4] = {0.0, 0.0, 0.0, 0.0};
    size_t i = r0;
    for (; i + 4 <= r1; i += 4)
        for (int u = 0; u < 4; u++)
            s[u] += km_weight(x, i + (size_t)u) * v[i + (size_t)u];
    for (; i < r1; i++)
        s[0] += km_weight(x, i) * v[i];
    return (s[0] + s[1]) + (s[2] + s[3]);
}

/* For candidate rows cand[0..T): dist[t][i] = min(closest[i], d2(x_i, cand_t))
 * (closest NULL: no min) and bsum[b*T + t] = block sum of w * dist[t]. */
KM_CLONES static void score_block(const struct km_data *x, size_t b, const double *cand, int T,
                                  const double *closest, double *const *dist, double *bsum)
{
    size_t r0 = b * KM_BLOCK, r1 = r0 + KM_BLOCK < x->n ? r0 + KM_BLOCK : x->n;
    size_t d = x->d, i = r0;
    km_v4 acc[4];
    for (; i + KM_TILE <= r1; i += KM_TILE) {
        for (int t = 0; t < T; t++) {
            km_tile_d2(x->cols, i, cand + (size_t)t * d, d, acc);
            double *restrict out = dist[t] + i;
            for (int q = 0; q < 4; q++) {
                if (closest != NULL) {
                    km_v4 cl;
                    km_load4(&cl, closest + i + 4 * q);
                    km_v4i m = (km_v4i)(cl < acc[q]);
                    acc[q] = (km_v4)(((km_v4i)cl & m) | ((km_v4i)acc[q] & ~m));
                }
                km_store4(out + 4 * q, &acc[q]);
            }
        }
    }
    for (; i < r1; i++) {
        for (int t = 0; t < T; t++) {
            double v = km_row_d2(x->cols, i, cand + (size_t)t * d, d);
            if (closest != NULL && closest[i] < v)
                v = closest[i];
            dist[t][i] = v;
        }
    }
    for (int t = 0; t < T; t++)
        bsum[b * (size_t)T + (size_t)t] = block_wsum(x, dist[t], r0, r1);
}

static void score_all(const struct km_data *x, const double *cand, int T, const double *closest,
                      double *const *dist, double *bsum)
{
    long nb = (long)x->n_blocks;
#ifdef _OPENMP
#pragma omp parallel for num_threads(x->nt) schedule(static) if (x->nt > 1)
#endif
    for (long b = 0; b < nb; b++)
        score_block(x, (size_t)b, cand, T, closest, dist, bsum);
}

/* Row drawn with probability proportional to w_i * dist[i] (dist NULL: to
 * w_i); csum[b] holds the block sums of those masses. */
static size_t draw_row(const struct km_data *x, cip_rng *rng, const double *dist,
                       const double *csum)
{
    double total = 0.0;
    for (size_t b = 0; b < x->n_blocks; b++)
        total += csum[b];
    double r = cip_rng_uniform(rng) * total;
    if (!(total > 0.0))
        return 0; /* all mass zero (duplicates): sklearn's searchsorted gives 0 too */
    double acc = 0.0;
    size_t b = 0;
    for (; b + 1 < x->n_blocks; b++) {
        if (acc + csum[b] > r)
            break;
        acc += csum[b];
    }
    size_t r0 = b * KM_BLOCK, r1 = r0 + KM_BLOCK < x->n ? r0 + KM_BLOCK : x->n;
    size_t last = r0;
    for (size_t i = r0; i < r1; i++) {
        double m = km_weight(x, i) * (dist != NULL ? dist[i] : 1.0);
        if (m > 0.0) {
            last = i;
            acc += m;
            if (acc > r)
                return i;
        }
    }
    return last; /* rounding pushed r past the end: clip, as sklearn does */
}

/* Block sums of the weights (first-centre draw). */
static void weight_sums(const struct km_data *x, double *csum)
{
    for (size_t b = 0; b < x->n_blocks; b++) {
        size_t r0 = b * KM_BLOCK, r1 = r0 + KM_BLOCK < x->n ? r0 + KM_BLOCK : x->n;
        double s = 0.0;
        for (size_t i = r0; i < r1; i++)
            s += km_weight(x, i);
        csum[b] = s;
    }
}

size_t cipi_kmeans_pp_scratch(size_t n, size_t d, size_t k, size_t n_blocks)
{
    size_t T = (size_t)cipi_kmeans_n_trials(k);
    /* closest + T distance arrays, T staged candidates, block table + csum;
     * callers check the product for overflow via cipi_mallocarray. */
    return (T + 1) * n + T * d + (T + 1) * n_blocks;
}

void cipi_kmeans_plusplus(const struct km_data *x, size_t k, cip_rng *rng, double *centers,
                          double *scratch)
{
    size_t n = x->n, d = x->d, nb = x->n_blocks;
    int T = cipi_kmeans_n_trials(k);
    double *dist[64]; /* T = 2 + floor(ln k) < 64 for any size_t k */
    double *closest = scratch;
    for (int t = 0; t < T; t++)
        dist[t] = scratch + (size_t)(t + 1) * n;
    double *cand = scratch + (size_t)(T + 1) * n;
    double *table = cand + (size_t)T * d;  /* [nb][T] block sums per candidate */
    double *csum = table + nb * (size_t)T; /* [nb] block sums of w * closest */

    weight_sums(x, csum);
    gather_row(x, draw_row(x, rng, NULL, csum), centers);
    score_all(x, centers, 1, NULL, &closest, csum);

    for (size_t c = 1; c < k; c++) {
        for (int t = 0; t < T; t++)
            gather_row(x, draw_row(x, rng, closest, csum), cand + (size_t)t * d);
        score_all(x, cand, T, closest, dist, table);
        int best = 0;
        double best_pot = HUGE_VAL;
        for (int t = 0; t < T; t++) {
            double pot = 0.0;
            for (size_t b = 0; b < nb; b++)
                pot += table[b * (size_t)T + (size_t)t];
            if (pot < best_pot) { /* first minimum, like np.argmin */
                best_pot = pot;
                best = t;
            }
        }
        memcpy(centers + c * d, cand + (size_t)best * d, d * sizeof(double));
        double *tmp = closest;
        closest = dist[best];
        dist[best] = tmp;
        for (size_t b = 0; b < nb; b++)
            csum[b] = table[b * (size_t)T + (size_t)best];
    }
}
