/* bench_forest.c - random-forest fit / predict benchmark on a CSV table
 *
 * bench_forest --csv FILE --task reg|clf [--trees N] [--max-features F]
 *              [--threads T] [--seed S] [--holdout H] [--save PATH] [--load PATH]
 *              [--repeat R] [--pred-out PATH]
 * The target is the column "target"; the last H (default 0.2) of the rows
 * are the hold-out set. Prints one JSON line: fit seconds, hold-out R^2
 * (reg) or ROC AUC (clf), batch predict rows/s, single-row latency (mean
 * over the hold-out rows, microseconds), node counts, model bytes and mtry
 * (the features examined per split, to check that the settings match the
 * competitor's: --max-features 0.3333333333 gives 9 of 30, 1/3 exactly 10).
 * --load skips fitting (fit times are then load times). --repeat R times the
 * batch prediction and the single-row loop R times each and reports the
 * fastest; --pred-out writes the hold-out predictions (probability of class 1
 * for clf) one per line with %.17g. Memory: train_f32_mb is the training
 * matrix as float32; fit_rss_start_mb the RSS just before the fit (the
 * split copies of the input as doubles, after the full table is freed) and
 * fit_peak_rss_mb the peak RSS during the fit (VmHWM, reset before it).
 * Uses only the public API.
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cip/cip.h"
#include "cip/forest.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int die(cip_ctx *ctx, const char *what)
{
    fprintf(stderr, "bench_forest: %s: %s\n", what, ctx ? cip_ctx_errmsg(ctx) : "");
    return 1;
}

static double r2(const double *y, const double *p, size_t n)
{
    double m = 0, a = 0, b = 0;
    for (size_t i = 0; i < n; i++)
        m += y[i];
    m /= (double)n;
    for (size_t i = 0; i < n; i++) {
        a += (y[i] - p[i]) * (y[i] - p[i]);
        b += (y[i] - m) * (y[i] - m);
    }
    return 1.0 - a / b;
}

struct sp {
    double s;
    double y;
};

static int cmp_sp(const void *a, const void *b)
{
    double x = ((const struct sp *)a)->s, y = ((const struct sp *)b)->s;
    return (x > y) - (x < y);
}

/* ROC AUC with average ranks for ties (Mann-Whitney U). */
static double auc(const double *y, const double *score, size_t n)
{
    struct sp *v = malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = (struct sp){score[i], y[i]};
    qsort(v, n, sizeof *v, cmp_sp);
    double rank_pos = 0, n_pos = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && v[j].s == v[i].s)
            j++;
        double r = 0.5 * (double)(i + 1 + j); /* average 1-based rank */
        for (size_t k = i; k < j; k++)
            if (v[k].y > 0.5) {
                rank_pos += r;
                n_pos++;
            }
        i = j;
    }
    free(v);
    double n_neg = (double)n - n_pos;
    return (rank_pos - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg);
}

struct opts {
    const char *csv, *task, *save, *load, *pred_out;
    int trees, threads, repeat;
    double max_features, holdout;
    unsigned long long seed;
};

static int parse(int argc, char **argv, struct opts *o)
{
    static const struct option lo[] = {
        {"csv", 1, 0, 'c'},          {"task", 1, 0, 't'},     {"trees", 1, 0, 'n'},
        {"max-features", 1, 0, 'm'}, {"threads", 1, 0, 'j'},  {"seed", 1, 0, 's'},
        {"holdout", 1, 0, 'h'},      {"save", 1, 0, 'o'},     {"load", 1, 0, 'l'},
        {"repeat", 1, 0, 'r'},       {"pred-out", 1, 0, 'p'}, {0, 0, 0, 0}};
    *o = (struct opts){NULL, "reg", NULL, NULL, NULL, 100, 2, 1, 0.0, 0.2, 0};
    int c;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 'c':
            o->csv = optarg;
            break;
        case 't':
            o->task = optarg;
            break;
        case 'n':
            o->trees = atoi(optarg);
            break;
        case 'm':
            o->max_features = strtod(optarg, NULL);
            break;
        case 'j':
            o->threads = atoi(optarg);
            break;
        case 's':
            o->seed = strtoull(optarg, NULL, 10);
            break;
        case 'h':
            o->holdout = strtod(optarg, NULL);
            break;
        case 'o':
            o->save = optarg;
            break;
        case 'l':
            o->load = optarg;
            break;
        case 'r':
            o->repeat = atoi(optarg) < 1 ? 1 : atoi(optarg);
            break;
        case 'p':
            o->pred_out = optarg;
            break;
        default:
            return 2;
        }
    }
    if (o->csv == NULL) {
        fprintf(stderr, "usage: bench_forest --csv FILE --task reg|clf [--trees N] "
                        "[--max-features F] [--threads T] [--seed S] [--holdout H] [--save P] "
                        "[--load P] [--repeat R] [--pred-out P]\n");
        return 2;
    }
    return 0;
}

/* A "Name:  N kB" line of /proc/self/status, in kB (-1 when unreadable). */
static long mem_kb(const char *name)
{
    FILE *fp = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    size_t len = strlen(name);
    while (fp != NULL && fgets(line, sizeof line, fp) != NULL)
        if (strncmp(line, name, len) == 0)
            kb = strtol(line + len, NULL, 10);
    if (fp != NULL)
        fclose(fp);
    return kb;
}

/* Reset VmHWM to the current RSS (Linux: "5" to clear_refs), so the peak read after the
 * fit is the fit's own, not the CSV reading's. */
static void reset_peak(void)
{
    FILE *fp = fopen("/proc/self/clear_refs", "w");
    if (fp != NULL) {
        fputs("5", fp);
        fclose(fp);
    }
}

/* x = all columns but "target" of rows [r0, r0+n); y = target. */
static int split(cip_ctx *ctx, const cip_frame *df, size_t r0, size_t n, cip_frame **x, double **y)
{
    size_t *idx = malloc(n * sizeof *idx), p = cip_frame_n_cols(df), t, k = 0;
    const char **names = malloc(p * sizeof *names);
    for (size_t i = 0; i < n; i++)
        idx[i] = r0 + i;
    if (cip_frame_find(ctx, df, "target", &t) != CIP_OK)
        return 1;
    for (size_t j = 0; j < p; j++)
        if (j != t)
            names[k++] = cip_frame_col_name(df, j);
    cip_frame *rows = NULL;
    int bad = cip_frame_take_rows(ctx, df, idx, n, &rows) != CIP_OK ||
              cip_frame_select(ctx, rows, names, k, x) != CIP_OK;
    *y = malloc(n * sizeof **y);
    if (!bad)
        cip_frame_get_col(rows, t, *y);
    cip_frame_free(rows);
    free(idx);
    free(names);
    return bad;
}

static void row_latency(const cip_forest *f, const cip_frame *x, double *us, double *cpu_us)
{
    size_t n = cip_frame_n_rows(x), p = cip_forest_n_features(f), m = n < 2000 ? n : 2000;
    double *rows = malloc(m * p * sizeof *rows), out, sink = 0;
    for (size_t j = 0; j < p; j++) {
        size_t c;
        cip_frame_find(NULL, x, cip_forest_feature_name(f, j), &c);
        for (size_t i = 0; i < m; i++)
            rows[i * p + j] = cip_frame_get(x, c, i);
    }
    double t0 = now(), c0 = cpu_now();
    for (size_t i = 0; i < m; i++) {
        cip_forest_predict_row(f, rows + i * p, &out);
        sink += out;
    }
    *us = (now() - t0) / (double)m * 1e6 + 0.0 * sink;
    *cpu_us = (cpu_now() - c0) / (double)m * 1e6;
    free(rows);
}

int main(int argc, char **argv)
{
    struct opts o;
    int rc = parse(argc, argv, &o);
    if (rc != 0)
        return rc;
    cip_ctx *ctx;
    cip_ctx_new(&ctx);
    cip_ctx_set_threads(ctx, o.threads);
    cip_frame *df = NULL, *xtr = NULL, *xte = NULL;
    double *ytr = NULL, *yte = NULL;
    double t0 = now();
    if (cip_frame_read_csv(ctx, o.csv, NULL, &df) != CIP_OK)
        return die(ctx, "read");
    double t_read = now() - t0;
    size_t n = cip_frame_n_rows(df), n_te = (size_t)((double)n * o.holdout), n_tr = n - n_te;
    if (split(ctx, df, 0, n_tr, &xtr, &ytr) || split(ctx, df, n_tr, n_te, &xte, &yte))
        return die(ctx, "split");
    cip_frame_free(df); /* the split copies are all that is used from here */
    df = NULL;
    cip_forest_params p;
    cip_forest_params_default(&p);
    int clf = strcmp(o.task, "clf") == 0;
    p.task = clf ? CIP_FOREST_CLASSIFICATION : CIP_FOREST_REGRESSION;
    p.n_estimators = o.trees;
    p.seed = o.seed;
    if (o.max_features > 0) {
        p.max_features = CIP_FOREST_MAXF_FRACTION;
        p.max_features_value = o.max_features;
    }
    cip_forest *f = NULL;
    long rss0 = mem_kb("VmRSS:");
    reset_peak();
    t0 = now();
    double c0 = cpu_now();
    if (o.load != NULL ? cip_forest_load(ctx, o.load, &f) != CIP_OK
                       : cip_forest_fit(ctx, xtr, ytr, NULL, &p, &f) != CIP_OK)
        return die(ctx, o.load != NULL ? "load" : "fit");
    double t_fit = now() - t0, c_fit = cpu_now() - c0;
    long hwm = mem_kb("VmHWM:"); /* peak since the reset: the fit's own high-water mark */
    size_t w = clf ? 2 : 1;
    double *pred = malloc(n_te * w * sizeof *pred), *score = malloc(n_te * sizeof *score);
    double t_pred = INFINITY, c_pred = INFINITY;
    for (int rep = 0; rep < o.repeat; rep++) {
        t0 = now();
        c0 = cpu_now();
        rc = clf ? cip_forest_predict_proba(ctx, f, xte, pred, n_te * 2)
                 : cip_forest_predict(ctx, f, xte, pred, n_te);
        double dt = now() - t0, dc = cpu_now() - c0;
        if (rc != CIP_OK)
            return die(ctx, "predict");
        t_pred = dt < t_pred ? dt : t_pred;
        c_pred = dc < c_pred ? dc : c_pred;
    }
    for (size_t i = 0; i < n_te; i++)
        score[i] = clf ? pred[2 * i + 1] : pred[i];
    if (o.pred_out != NULL) {
        FILE *fp = fopen(o.pred_out, "w");
        for (size_t i = 0; fp != NULL && i < n_te; i++)
            fprintf(fp, "%.17g\n", score[i]);
        if (fp == NULL || fclose(fp) != 0)
            return die(NULL, "cannot write --pred-out");
    }
    double metric = clf ? auc(yte, score, n_te) : r2(yte, score, n_te), us = INFINITY,
           cpu_us = INFINITY;
    for (int rep = 0; rep < o.repeat; rep++) {
        double u, cu;
        row_latency(f, xte, &u, &cu);
        us = u < us ? u : us;
        cpu_us = cu < cpu_us ? cu : cpu_us;
    }
    cip_forest_info info;
    cip_forest_get_info(f, &info);
    if (o.save != NULL && cip_forest_save(ctx, f, o.save) != CIP_OK)
        return die(ctx, "save");
    printf("{\"bench\":\"forest\",\"impl\":\"cip\",\"task\":\"%s\",\"rows\":%zu,\"features\":%zu,"
           "\"trees\":%d,\"mtry\":%zu,\"threads\":%d,\"read_s\":%.3f,\"fit_s\":%.3f,"
           "\"fit_cpu_s\":%.3f,\"%s\":%.6f,"
           "\"predict_rows_per_s\":%.0f,\"predict_cpu_s\":%.3f,\"row_latency_us\":%.2f,"
           "\"row_latency_cpu_us\":%.2f,\"nodes\":%llu,"
           "\"max_depth\":%d,\"model_bytes\":%zu,\"train_f32_mb\":%.1f,\"fit_rss_start_mb\":%.1f,"
           "\"fit_peak_rss_mb\":%.1f}\n",
           o.task, n, cip_frame_n_cols(xtr), o.trees, info.mtry, cip_ctx_threads(ctx), t_read,
           t_fit, c_fit, clf ? "auc" : "r2", metric, (double)n_te / t_pred, c_pred, us, cpu_us,
           (unsigned long long)info.n_nodes, info.max_depth, info.model_bytes,
           (double)n_tr * (double)cip_frame_n_cols(xtr) * 4.0 / 1048576.0, (double)rss0 / 1024.0,
           (double)hwm / 1024.0);
    cip_forest_free(f);
    cip_frame_free(xtr);
    cip_frame_free(xte);
    free(ytr);
    free(yte);
    free(pred);
    free(score);
    cip_ctx_free(ctx);
    return 0;
}
