/* bench_track.c - tracking-store speed: metric logging in batches, and run
 * search over a store with many runs
 *
 * usage: bench_track DIR [N_RUNS]   (DIR must not hold a store yet)
 * Prints one JSON line per measurement. The runs for the search benchmark
 * are inserted directly with SQL in one transaction (this measures reading,
 * not run creation); each gets 2 params, 2 metrics and 5 tags.
 * SPDX-License-Identifier: MIT
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cip/track.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int die(cip_ctx *ctx, const char *what)
{
    fprintf(stderr, "bench_track: %s: %s\n", what, cip_ctx_errmsg(ctx));
    return 1;
}

static int fill_runs(const char *db_path, long n)
{
    sqlite3 *db = NULL;
    if (sqlite3_open(db_path, &db) != SQLITE_OK)
        return 1;
    sqlite3_busy_timeout(db, 10000);
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    sqlite3_stmt *r = NULL, *p = NULL, *m = NULL, *t = NULL;
    sqlite3_prepare_v2(db,
                       "INSERT INTO runs(run_uuid, name, source_type, source_name, "
                       "entry_point_name, user_id, status, start_time, end_time, "
                       "source_version, lifecycle_stage, artifact_uri, experiment_id) VALUES "
                       "(printf('%032x', ?1), 'run-' || ?1, 'UNKNOWN', '', '', 'bench', "
                       "'FINISHED', ?2, ?2 + 1000, '', 'active', 'file:///tmp/x', 0)",
                       -1, &r, NULL);
    sqlite3_prepare_v2(db, "INSERT INTO params VALUES (?2, ?3, printf('%032x', ?1))", -1, &p, NULL);
    sqlite3_prepare_v2(db,
                       "INSERT INTO latest_metrics VALUES (?2, ?3, 0, 0, 0, printf('%032x', ?1))",
                       -1, &m, NULL);
    sqlite3_prepare_v2(db, "INSERT INTO tags VALUES (?2, ?3, printf('%032x', ?1))", -1, &t, NULL);
    for (long i = 0; i < n; i++) {
        sqlite3_reset(r);
        sqlite3_bind_int64(r, 1, i);
        sqlite3_bind_int64(r, 2, 1700000000000LL + i);
        sqlite3_step(r);
        const char *pk[] = {"model", "n_trees"},
                   *tk[] = {"mlflow.runName", "mlflow.user", "mlflow.source.type",
                            "mlflow.source.name", "cip.version"};
        for (int k = 0; k < 2; k++) {
            sqlite3_reset(p);
            sqlite3_bind_int64(p, 1, i);
            sqlite3_bind_text(p, 2, pk[k], -1, SQLITE_STATIC);
            sqlite3_bind_text(p, 3, k ? "100" : (i % 3 ? "rf" : "gbm"), -1, SQLITE_STATIC);
            sqlite3_step(p);
            sqlite3_reset(m);
            sqlite3_bind_int64(m, 1, i);
            sqlite3_bind_text(m, 2, k ? "test_r2" : "cv_r2", -1, SQLITE_STATIC);
            sqlite3_bind_double(m, 3, (double)(i % 1000) / 1000.0);
            sqlite3_step(m);
        }
        for (int k = 0; k < 5; k++) {
            sqlite3_reset(t);
            sqlite3_bind_int64(t, 1, i);
            sqlite3_bind_text(t, 2, tk[k], -1, SQLITE_STATIC);
            sqlite3_bind_text(t, 3, "value", -1, SQLITE_STATIC);
            sqlite3_step(t);
        }
    }
    sqlite3_finalize(r);
    sqlite3_finalize(p);
    sqlite3_finalize(m);
    sqlite3_finalize(t);
    int rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : 1;
    sqlite3_close(db);
    return rc;
}

static int time_search(cip_ctx *ctx, cip_store *s, const char *filter, const char *order)
{
    cip_run_query q = {.filter = filter, .order_by = order};
    cip_run_set *rs = NULL;
    double t0 = now_s();
    clock_t c0 = clock();
    if (cip_runs_search(ctx, s, &q, &rs) != CIP_OK)
        return die(ctx, "search");
    double dt = now_s() - t0;
    printf("{\"bench\": \"runs_search\", \"filter\": \"%s\", \"order_by\": \"%s\", "
           "\"returned\": %zu, \"seconds\": %.4f, \"cpu_seconds\": %.4f}\n",
           filter ? filter : "", order ? order : "", cip_run_set_count(rs), dt,
           (double)(clock() - c0) / CLOCKS_PER_SEC);
    cip_run_set_free(rs);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_track DIR [N_RUNS]\n");
        return 2;
    }
    long n_runs = argc > 2 ? strtol(argv[2], NULL, 10) : 100000;
    char uri[4096];
    snprintf(uri, sizeof uri, "sqlite:///%s/mlflow.db", argv[1]);
    cip_ctx *ctx = NULL;
    cip_store *s = NULL;
    cip_run *run = NULL;
    if (cip_ctx_new(&ctx) != CIP_OK)
        return 1;
    if (cip_store_open(ctx, uri, NULL, &s) != CIP_OK)
        return die(ctx, "open");
    if (cip_run_start(ctx, s, NULL, &run) != CIP_OK)
        return die(ctx, "start");
    enum { BATCH = 1000, POINTS = 100000 };
    cip_metric *m = calloc(BATCH, sizeof *m);
    double t0 = now_s();
    clock_t c0 = clock();
    for (int b = 0; b < POINTS / BATCH; b++) {
        for (int i = 0; i < BATCH; i++)
            m[i] = (cip_metric){"loss", 1.0 / (1 + b * BATCH + i), b * BATCH + i, 0};
        if (cip_run_log_metrics(ctx, run, m, BATCH) != CIP_OK)
            return die(ctx, "log");
    }
    printf("{\"bench\": \"log_metrics\", \"points\": %d, \"batch\": %d, \"seconds\": %.4f, "
           "\"cpu_seconds\": %.4f}\n",
           POINTS, BATCH, now_s() - t0, (double)(clock() - c0) / CLOCKS_PER_SEC);
    free(m);
    cip_run_end(ctx, run, CIP_RUN_FINISHED);
    cip_run_free(run);
    t0 = now_s();
    if (fill_runs(cip_store_db_path(s), n_runs) != 0)
        return die(ctx, "fill");
    printf("{\"bench\": \"fill_runs_sql\", \"runs\": %ld, \"seconds\": %.3f}\n", n_runs,
           now_s() - t0);
    int rc = time_search(ctx, s, NULL, NULL);
    rc |= time_search(ctx, s, "metrics.test_r2 > 0.8 and params.model = 'rf'", NULL);
    rc |= time_search(ctx, s, NULL, "metrics.test_r2 DESC");
    cip_store_close(s);
    cip_ctx_free(ctx);
    return rc;
}
