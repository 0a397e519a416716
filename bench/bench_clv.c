/* bench_clv.c - summary + BG/NBD fit benchmark on synthetic transactions
 *
 * bench_clv [CUSTOMERS] [THREADS] [SEED]      (defaults 1000000, 0 = all cores, 1)
 * Generates BG/NBD-like transactions in memory (first purchase uniform over
 * the first 90 days, lambda ~ Gamma(2, 0.0143/day), dropout p ~ Beta(1, 9),
 * two years of days; about 10 transactions per customer), builds the log,
 * then times the calibration summary (calibration end = day 365, weekly unit)
 * and the BG/NBD fit (wall time, and process CPU time summed over threads,
 * which is what to compare on a loaded machine). Then checks determinism:
 * the log-likelihood at the fitted parameters and a second fit, both with 1
 * and with 2 threads, must be bit-identical to the timed fit ("identical").
 * Prints one JSON line; exit 1 when not identical. Uses only the public API.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cip/cip.h"
#include "cip/clv.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int push(int64_t **c, int32_t **d, double **a, size_t *n, size_t *cap, int64_t id,
                int32_t day, double amt)
{
    if (*n == *cap) {
        size_t nc = *cap ? 2 * *cap : 1 << 20;
        int64_t *c2 = realloc(*c, nc * sizeof **c);
        if (c2)
            *c = c2;
        int32_t *d2 = realloc(*d, nc * sizeof **d);
        if (d2)
            *d = d2;
        double *a2 = realloc(*a, nc * sizeof **a);
        if (a2)
            *a = a2;
        if (!c2 || !d2 || !a2)
            return -1;
        *cap = nc;
    }
    (*c)[*n] = id, (*d)[*n] = day, (*a)[*n] = amt;
    (*n)++;
    return 0;
}

int main(int argc, char **argv)
{
    size_t ncust = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    int threads = argc > 2 ? atoi(argv[2]) : 0;
    uint64_t seed = argc > 3 ? strtoull(argv[3], NULL, 10) : 1;
    int64_t *cust = NULL;
    int32_t *day = NULL;
    double *amt = NULL;
    size_t n = 0, cap = 0;
    cip_rng g;
    cip_rng_init(&g, seed, 0);
    for (size_t i = 0; i < ncust; i++) {
        double lam = 0.0143 * (-log(1 - cip_rng_uniform(&g)) - log(1 - cip_rng_uniform(&g)));
        double p = 1 - pow(cip_rng_uniform(&g), 1.0 / 9);
        double spend = 10 + 40 * cip_rng_uniform(&g);
        double t = floor(90 * cip_rng_uniform(&g));
        if (push(&cust, &day, &amt, &n, &cap, (int64_t)i, (int32_t)t, spend) != 0)
            return 1;
        for (;;) {
            t += -log(1 - cip_rng_uniform(&g)) / lam;
            if (t >= 730)
                break;
            if (push(&cust, &day, &amt, &n, &cap, (int64_t)i, (int32_t)t,
                     spend * (0.5 + cip_rng_uniform(&g))) != 0)
                return 1;
            if (cip_rng_uniform(&g) < p)
                break;
        }
    }
    cip_ctx *ctx;
    if (cip_ctx_new(&ctx) != CIP_OK)
        return 1;
    if (threads > 0)
        cip_ctx_set_threads(ctx, threads);
    int threads_used = cip_ctx_threads(ctx);
    cip_clv_tx *tx = NULL;
    cip_clv_summary *s = NULL;
    cip_clv_model m;
    double t0 = now();
    if (cip_clv_tx_from_arrays(ctx, n, cust, day, amt, NULL, 1, &tx) != CIP_OK)
        goto fail;
    double t1 = now(), c1 = cpu();
    if (cip_clv_summary_new(ctx, tx, 365, 729, CIP_CLV_WEEKS, &s) != CIP_OK)
        goto fail;
    double t2 = now();
    if (cip_clv_fit(ctx, CIP_CLV_BGNBD, s, NULL, &m) != CIP_OK)
        goto fail;
    double t3 = now(), c3 = cpu();
    /* determinism: LL and fit with 1 and with 2 threads equal the timed fit bit for bit */
    int identical = 1;
    for (int nt = 1; nt <= 2; nt++) {
        cip_clv_model m2;
        double ll;
        cip_ctx_set_threads(ctx, nt);
        if (cip_clv_loglik(ctx, &m, s, &ll) != CIP_OK ||
            cip_clv_fit(ctx, CIP_CLV_BGNBD, s, NULL, &m2) != CIP_OK)
            goto fail;
        identical &= memcmp(&ll, &m.loglik, sizeof ll) == 0 &&
                     memcmp(m2.param, m.param, sizeof m.param) == 0 &&
                     memcmp(&m2.loglik, &m.loglik, sizeof ll) == 0;
    }
    printf("{\"bench\": \"clv\", \"customers\": %zu, \"generated\": %zu, \"transactions\": %zu, "
           "\"merged\": %zu, "
           "\"threads\": %d, \"build_s\": %.3f, \"summary_s\": %.3f, \"fit_s\": %.3f, "
           "\"summary_plus_fit_s\": %.3f, \"summary_plus_fit_cpu_s\": %.3f, \"r\": %.4f, "
           "\"alpha\": %.4f, \"a\": %.4f, \"b\": %.4f, "
           "\"loglik\": %.2f, \"iterations\": %d, \"identical_1_2_threads\": %s}\n",
           s->n, n, cip_clv_tx_count(tx), cip_clv_tx_merged(tx), threads_used, t1 - t0, t2 - t1,
           t3 - t2, t3 - t1, c3 - c1, m.param[0], m.param[1], m.param[2], m.param[3], m.loglik,
           m.iterations, identical ? "true" : "false");
    if (!identical)
        fprintf(stderr, "bench_clv: results differ between 1 and 2 threads\n");
    cip_clv_summary_free(s);
    cip_clv_tx_free(tx);
    cip_ctx_free(ctx);
    free(cust);
    free(day);
    free(amt);
    return identical ? 0 : 1;
fail:
    fprintf(stderr, "bench_clv: %s\n", cip_ctx_errmsg(ctx));
    return 1;
}
