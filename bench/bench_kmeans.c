/* bench_kmeans.c - k-means fit benchmark (compare with bench/kmeans_bench.sh)
 *
 * bench_kmeans [--data FILE --rows N --cols D] [--k K] [--algo lloyd|elkan]
 *              [--n-init R] [--max-iter M] [--tol T] [--seed S] [--threads T]
 *              [--init FILE] [--repeat N] [--save PATH]
 * FILE holds N*D little-endian doubles, row-major (numpy's tofile()); it is
 * read and transposed to columns before timing starts. Without --data a
 * fixed-seed blob data set of N x D (default 200000 x 16, 8 centres) is
 * generated. --init FILE: K*D row-major doubles used as the starting centres
 * of every restart (instead of k-means++), to compare with a run of another
 * implementation from the same start. Prints one JSON line per repeat: fit
 * seconds, iterations,
 * seconds per iteration, inertia, threads. Uses only the public API.
 * SPDX-License-Identifier: MIT
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cip/cip.h"
#include "cip/kmeans.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

struct opts {
    const char *data, *save, *init;
    size_t rows, cols;
    int k, n_init, max_iter, threads, repeat;
    double tol;
    unsigned long long seed;
    cip_kmeans_algo algo;
};

static int parse(int argc, char **argv, struct opts *o)
{
    static const struct option lo[] = {
        {"data", required_argument, 0, 'f'},     {"rows", required_argument, 0, 'n'},
        {"cols", required_argument, 0, 'd'},     {"k", required_argument, 0, 'k'},
        {"algo", required_argument, 0, 'a'},     {"n-init", required_argument, 0, 'i'},
        {"max-iter", required_argument, 0, 'm'}, {"tol", required_argument, 0, 't'},
        {"seed", required_argument, 0, 's'},     {"threads", required_argument, 0, 'T'},
        {"repeat", required_argument, 0, 'r'},   {"save", required_argument, 0, 'o'},
        {"init", required_argument, 0, 'I'},     {0, 0, 0, 0}};
    *o = (struct opts){NULL, NULL, NULL, 200000, 16, 8, 1, 300, 0, 1, 1e-4, 0, CIP_KMEANS_LLOYD};
    int c;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 'f':
            o->data = optarg;
            break;
        case 'n':
            o->rows = strtoull(optarg, NULL, 10);
            break;
        case 'd':
            o->cols = strtoull(optarg, NULL, 10);
            break;
        case 'k':
            o->k = atoi(optarg);
            break;
        case 'a':
            o->algo = strcmp(optarg, "elkan") == 0 ? CIP_KMEANS_ELKAN : CIP_KMEANS_LLOYD;
            break;
        case 'i':
            o->n_init = atoi(optarg);
            break;
        case 'm':
            o->max_iter = atoi(optarg);
            break;
        case 't':
            o->tol = strtod(optarg, NULL);
            break;
        case 's':
            o->seed = strtoull(optarg, NULL, 10);
            break;
        case 'T':
            o->threads = atoi(optarg);
            break;
        case 'r':
            o->repeat = atoi(optarg);
            break;
        case 'o':
            o->save = optarg;
            break;
        case 'I':
            o->init = optarg;
            break;
        default:
            return -1;
        }
    }
    return o->rows > 0 && o->cols > 0 && o->k > 0 ? 0 : -1;
}

/* Column-major data: from the file (row-major doubles) or generated. */
static double *load(const struct opts *o)
{
    size_t n = o->rows, d = o->cols;
    double *cm = malloc(n * d * sizeof(double));
    if (cm == NULL)
        return NULL;
    if (o->data == NULL) {
        cip_rng r;
        cip_rng_init(&r, 12345, 0);
        double cen[64 * 64];
        for (size_t q = 0; q < 8 * d && q < 64 * 64; q++)
            cen[q] = 8.0 * cip_rng_uniform(&r) - 4.0;
        for (size_t i = 0; i < n; i++) {
            size_t g = cip_rng_below(&r, 8);
            for (size_t j = 0; j < d; j++)
                cm[j * n + i] = cen[(g * d + j) % (64 * 64)] + cip_rng_normal(&r);
        }
        return cm;
    }
    FILE *f = fopen(o->data, "rb");
    double *row = malloc(d * 4096 * sizeof(double));
    if (f == NULL || row == NULL) {
        free(cm);
        free(row);
        if (f != NULL)
            fclose(f);
        return NULL;
    }
    for (size_t i0 = 0; i0 < n; i0 += 4096) {
        size_t m = n - i0 < 4096 ? n - i0 : 4096;
        if (fread(row, sizeof(double) * d, m, f) != m) {
            fclose(f);
            free(cm);
            free(row);
            return NULL;
        }
        for (size_t t = 0; t < m; t++)
            for (size_t j = 0; j < d; j++)
                cm[j * n + i0 + t] = row[t * d + j];
    }
    fclose(f);
    free(row);
    return cm;
}

int main(int argc, char **argv)
{
    struct opts o;
    if (parse(argc, argv, &o) != 0) {
        fprintf(stderr, "usage: bench_kmeans [--data FILE --rows N --cols D] [--k K] "
                        "[--algo lloyd|elkan] [--n-init R] [--max-iter M] [--tol T] [--seed S] "
                        "[--threads T] [--init FILE] [--repeat N] [--save PATH]\n");
        return 2;
    }
    double t0 = now();
    double *cm = load(&o);
    if (cm == NULL) {
        fprintf(stderr, "bench_kmeans: cannot load data\n");
        return 1;
    }
    double t_load = now() - t0;
    const double **cols = malloc(o.cols * sizeof(double *));
    for (size_t j = 0; j < o.cols; j++)
        cols[j] = cm + j * o.rows;
    cip_colmat x = {cols, o.rows, o.cols};
    cip_ctx *ctx = NULL;
    if (cip_ctx_new(&ctx) != CIP_OK)
        return 1;
    cip_ctx_set_threads(ctx, o.threads);
    cip_kmeans_params p;
    cip_kmeans_params_default(&p);
    p.n_clusters = o.k;
    p.n_init = o.n_init;
    p.max_iter = o.max_iter;
    p.tol = o.tol;
    p.seed = o.seed;
    p.algorithm = o.algo;
    double *init = NULL;
    if (o.init != NULL) {
        size_t kd = (size_t)o.k * o.cols;
        FILE *f = fopen(o.init, "rb");
        init = malloc(kd * sizeof(double));
        if (f == NULL || init == NULL || fread(init, sizeof(double), kd, f) != kd) {
            fprintf(stderr, "bench_kmeans: cannot read %zu doubles from '%s'\n", kd, o.init);
            return 1;
        }
        fclose(f);
        p.init = init;
    }
    int rc = 0;
    for (int r = 0; r < o.repeat && rc == 0; r++) {
        cip_kmeans *km = NULL;
        double t1 = now();
        if (cip_kmeans_fit(ctx, &p, &x, NULL, &km) != CIP_OK) {
            fprintf(stderr, "bench_kmeans: %s\n", cip_ctx_errmsg(ctx));
            rc = 1;
            break;
        }
        double t_fit = now() - t1;
        printf("{\"bench\":\"kmeans\",\"impl\":\"cip\",\"rows\":%zu,\"cols\":%zu,\"k\":%d,"
               "\"algo\":\"%s\",\"n_init\":%d,\"threads\":%d,\"load_s\":%.3f,\"fit_s\":%.4f,"
               "\"init\":\"%s\",\"n_iter\":%d,\"s_per_iter\":%.5f,\"inertia\":%.10g}\n",
               o.rows, o.cols, o.k, o.algo == CIP_KMEANS_ELKAN ? "elkan" : "lloyd", o.n_init,
               cip_ctx_threads(ctx), t_load, t_fit, o.init != NULL ? "given" : "k-means++",
               cip_kmeans_n_iter(km), t_fit / (double)(cip_kmeans_n_iter(km) * o.n_init),
               cip_kmeans_inertia(km));
        fflush(stdout);
        if (o.save != NULL && cip_kmeans_save(ctx, km, o.save) != CIP_OK)
            fprintf(stderr, "bench_kmeans: %s\n", cip_ctx_errmsg(ctx));
        cip_kmeans_free(km);
    }
    cip_ctx_free(ctx);
    free(init);
    free(cols);
    free(cm);
    return rc;
}
