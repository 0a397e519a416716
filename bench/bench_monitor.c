/* bench_monitor.c - time the drift statistics alone (no CSV parsing, no model)
 *
 *   bench_monitor REFERENCE.csv CURRENT.csv [THREADS]
 *
 * Reads both tables (untimed), computes the reference statistics (timed
 * separately) and times cip_monitor_compare over every column, best of 5.
 * Prints one JSON line. Used by bench/monitor_bench.sh when built
 * (-DCIP_BUILD_BENCH=ON).
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cip/monitor.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_monitor REFERENCE.csv CURRENT.csv [THREADS]\n");
        return 2;
    }
    cip_ctx *ctx = NULL;
    cip_frame *ref = NULL, *cur = NULL;
    cip_refstats *rs = NULL;
    if (cip_ctx_new(&ctx) != CIP_OK)
        return 1;
    if (argc > 3)
        cip_ctx_set_threads(ctx, atoi(argv[3]));
    if (cip_frame_read_csv(ctx, argv[1], NULL, &ref) != CIP_OK ||
        cip_frame_read_csv(ctx, argv[2], NULL, &cur) != CIP_OK) {
        fprintf(stderr, "bench_monitor: %s\n", cip_ctx_errmsg(ctx));
        return 1;
    }
    double t0 = now();
    if (cip_refstats_compute(ctx, ref, &rs) != CIP_OK) {
        fprintf(stderr, "bench_monitor: %s\n", cip_ctx_errmsg(ctx));
        return 1;
    }
    double t_ref = now() - t0, best = 1e300;
    size_t alerts = 0;
    for (int rep = 0; rep < 5; rep++) {
        cip_monitor_report *r = NULL;
        t0 = now();
        if (cip_monitor_compare(ctx, rs, cur, NULL, NULL, 0, NULL, &r) != CIP_OK) {
            fprintf(stderr, "bench_monitor: %s\n", cip_ctx_errmsg(ctx));
            return 1;
        }
        double dt = now() - t0;
        best = dt < best ? dt : best;
        alerts = r->n_alert + r->n_warning;
        cip_monitor_report_free(r);
    }
    printf("{\"bench\":\"monitor_compare\",\"ref_rows\":%zu,\"rows\":%zu,\"columns\":%zu,"
           "\"refstats_s\":%.3f,\"compare_s\":%.3f,\"flagged\":%zu}\n",
           cip_frame_n_rows(ref), cip_frame_n_rows(cur), cip_refstats_n_columns(rs), t_ref, best,
           alerts);
    cip_refstats_free(rs);
    cip_frame_free(ref);
    cip_frame_free(cur);
    cip_ctx_free(ctx);
    return 0;
}
