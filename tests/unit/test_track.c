/* test_track.c - the MLflow-compatible tracking store: schema, runs, metrics,
 * search, artifacts, models, bad stores, concurrency and crash safety
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../src/track/cipi_track.h"
#include "cip/track.h"
#include "testutil.h"

/* A fresh temporary directory holding the store; removed by rmdir_all. */
static char *tmpdir(char *buf, size_t n)
{
    snprintf(buf, n, "/tmp/cip-track-XXXXXX");
    assert_non_null(mkdtemp(buf));
    return buf;
}

static void rmdir_all(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static cip_store *open_store(cip_ctx *ctx, const char *dir)
{
    char uri[600];
    snprintf(uri, sizeof uri, "sqlite:///%s/mlflow.db", dir);
    cip_store *s = NULL;
    cip_status rc = cip_store_open(ctx, uri, NULL, &s);
    if (rc != CIP_OK)
        fail_msg("open: %s", cip_ctx_errmsg(ctx));
    return s;
}

static int64_t q_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void q_text(sqlite3 *db, const char *sql, char *out, size_t n)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const unsigned char *t = sqlite3_column_text(st, 0);
    snprintf(out, n, "%s", t ? (const char *)t : "(null)");
    sqlite3_finalize(st);
}

/* --- schema --------------------------------------------------------------- */

/* Append every row of a query as "a|b|c\n". */
static void dump_rows(sqlite3 *db, const char *sql, const char *prefix, char **out, size_t *len)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    FILE *f = open_memstream(out, len);
    while (sqlite3_step(st) == SQLITE_ROW) {
        fputs(prefix, f);
        for (int c = 0; c < sqlite3_column_count(st); c++) {
            const unsigned char *t = sqlite3_column_text(st, c);
            fprintf(f, "%s%s", c ? "|" : "", t ? (const char *)t : "NULL");
        }
        fputc('\n', f);
    }
    fclose(f);
    sqlite3_finalize(st);
}

/* A canonical description of a schema: tables; per table its columns (with
 * generated ones), foreign keys and indexes (auto-index names dropped, as they
 * depend on constraint order), plus trigger names. */
static char *describe_schema(sqlite3 *db)
{
    char *all = NULL;
    size_t all_len = 0;
    FILE *f = open_memstream(&all, &all_len);
    sqlite3_stmt *t = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT name FROM sqlite_master WHERE type = 'table' "
                                        "AND name NOT LIKE 'sqlite_%' ORDER BY name",
                                        -1, &t, NULL),
                     SQLITE_OK);
    while (sqlite3_step(t) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(t, 0);
        char sql[1024], *part = NULL;
        size_t plen = 0;
        fprintf(f, "table %s\n", name);
        const char *queries[] = {
            "SELECT cid, name, upper(type), \"notnull\", dflt_value, pk, hidden FROM "
            "pragma_table_xinfo('%s')",
            "SELECT id, seq, \"table\", \"from\", \"to\", on_update, on_delete FROM "
            "pragma_foreign_key_list('%s') ORDER BY id, seq",
            "SELECT CASE WHEN l.origin = 'c' THEN l.name ELSE '(auto)' END, l.\"unique\", "
            "l.origin, l.partial, (SELECT group_concat(name, ',') FROM (SELECT name FROM "
            "pragma_index_info(l.name) ORDER BY seqno)) AS cols FROM pragma_index_list('%s') l "
            "WHERE l.name NOT LIKE 'cip\\_%%' ESCAPE '\\' ORDER BY 1, cols",
        };
        const char *pre[] = {"  col ", "  fk ", "  idx "};
        for (int k = 0; k < 3; k++) {
            snprintf(sql, sizeof sql, queries[k], name);
            dump_rows(db, sql, pre[k], &part, &plen);
            fputs(part, f);
            free(part);
            part = NULL;
        }
    }
    sqlite3_finalize(t);
    char *trig = NULL;
    size_t tl = 0;
    dump_rows(db, "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' ORDER BY 1",
              "trigger ", &trig, &tl);
    fputs(trig, f);
    free(trig);
    fclose(f);
    return all;
}

static void test_track_schema_matches_mlflow_oracle(void **state)
{
    (void)state;
    char oracle_path[1024];
    if (cipt_shared_path(oracle_path, sizeof oracle_path,
                         "specs/mlflow-sqlite-schema-7d34483879f0.sql") == NULL) {
        skip(); /* ../shared is absent: nothing to compare with */
    }
    char *ddl = NULL;
    size_t ddl_len = 0;
    FILE *f = fopen(oracle_path, "rb");
    assert_non_null(f);
    FILE *m = open_memstream(&ddl, &ddl_len);
    int c;
    while ((c = fgetc(f)) != EOF)
        fputc(c, m);
    fclose(f);
    fclose(m);
    sqlite3 *oracle = NULL;
    assert_int_equal(sqlite3_open(":memory:", &oracle), SQLITE_OK);
    assert_int_equal(sqlite3_exec(oracle, ddl, NULL, NULL, NULL), SQLITE_OK);
    free(ddl);

    char dir[64];
    tmpdir(dir, sizeof dir);
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_store *s = open_store(ctx, dir);
    sqlite3 *db = cipi_track_db(s);
    assert_int_equal(q_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"), 48);
    assert_int_equal(q_int(oracle, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"), 48);
    char *want = describe_schema(oracle), *got = describe_schema(db);
    assert_true(strlen(want) > 10000);
    assert_string_equal(got, want);
    free(want);
    free(got);

    char txt[512];
    q_text(db, "SELECT version_num FROM alembic_version", txt, sizeof txt);
    assert_string_equal(txt, "7d34483879f0");
    assert_int_equal(q_int(db, "SELECT count(*) FROM alembic_version"), 1);
    /* cip's one extra index (for listing newest runs first) is the only difference */
    assert_int_equal(q_int(db, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'cip%'"), 1);
    assert_int_equal(q_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND "
                               "name = 'cip_index_runs_start_time'"),
                     1);
    q_text(db, "SELECT name FROM workspaces", txt, sizeof txt);
    assert_string_equal(txt, "default");
    q_text(db,
           "SELECT name || '|' || lifecycle_stage || '|' || workspace FROM experiments "
           "WHERE experiment_id = 0",
           txt, sizeof txt);
    assert_string_equal(txt, "Default|active|default");
    q_text(db, "SELECT artifact_location FROM experiments WHERE experiment_id = 0", txt,
           sizeof txt);
    char want_loc[256];
    snprintf(want_loc, sizeof want_loc, "file://%s/mlartifacts/0", dir);
    assert_string_equal(txt, want_loc);
    q_text(db, "PRAGMA journal_mode", txt, sizeof txt);
    assert_string_equal(txt, "wal");
    cip_store_close(s);

    /* reopening does not recreate or duplicate anything */
    s = open_store(ctx, dir);
    assert_int_equal(q_int(cipi_track_db(s), "SELECT count(*) FROM experiments"), 1);
    cip_store_close(s);
    sqlite3_close(oracle);
    cip_ctx_free(ctx);
    rmdir_all(dir);
}

/* --- runs ------------------------------------------------------------------- */

static const char *tag_of(const cip_run_record *r, const char *key)
{
    for (size_t i = 0; i < r->n_tags; i++)
        if (strcmp(r->tags[i].key, key) == 0)
            return r->tags[i].value;
    return NULL;
}

static const cip_metric_value *metric_of(const cip_run_record *r, const char *key)
{
    for (size_t i = 0; i < r->n_metrics; i++)
        if (strcmp(r->metrics[i].key, key) == 0)
            return &r->metrics[i];
    return NULL;
}

static void test_track_run_records_params_metrics_tags(void **state)
{
    (void)state;
    char dir[64];
    tmpdir(dir, sizeof dir);
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_store *s = open_store(ctx, dir);
    cip_run_params p;
    cip_run_params_default(&p);
    p.experiment = "churn";
    p.run_name = "rf-baseline";
    p.user = "alice";
    p.command_line = "cip train --model rf data.csv";
    p.note = "first **try**";
    cip_run *r = NULL;
    assert_int_equal(cip_run_start(ctx, s, &p, &r), CIP_OK);
    const char *id = cip_run_id(r);
    assert_int_equal(strlen(id), 32);
    assert_int_equal(strspn(id, "0123456789abcdef"), 32);
    assert_int_equal(id[12], '4'); /* uuid version 4 */
    assert_int_equal(cip_run_experiment_id(r), 1);

    assert_int_equal(cip_run_log_param(ctx, r, "n_trees", "100"), CIP_OK);
    assert_int_equal(cip_run_log_param(ctx, r, "n_trees", "100"), CIP_OK); /* same: no-op */
    assert_int_equal(cip_run_log_param(ctx, r, "n_trees", "200"), CIP_ERR_CONFLICT);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "params cannot be changed"));
    assert_int_equal(cip_run_log_param(ctx, r, "bad;key", "1"), CIP_ERR_INVALID);
    assert_int_equal(cip_run_log_param(ctx, r, "a/../b", "1"), CIP_ERR_INVALID);
    /* per-fold CV scores as steps; the latest is the largest step */
    double folds[] = {0.81, 0.79, 0.84, 0.80, 0.83};
    for (int k = 0; k < 5; k++)
        assert_int_equal(cip_run_log_metric(ctx, r, "cv_r2", folds[k], k), CIP_OK);
    assert_int_equal(cip_run_log_metric(ctx, r, "test_r2", 0.875, 0), CIP_OK);
    assert_int_equal(cip_run_log_metric(ctx, r, "bad", NAN, 0), CIP_OK);
    assert_int_equal(cip_run_set_tag(ctx, r, "team", "crm"), CIP_OK);
    assert_int_equal(cip_run_end(ctx, r, CIP_RUN_FINISHED), CIP_OK);

    cip_run_set *rs = NULL;
    assert_int_equal(cip_run_get(ctx, s, id, &rs), CIP_OK);
    assert_int_equal(cip_run_set_count(rs), 1);
    const cip_run_record *rec = cip_run_set_at(rs, 0);
    assert_string_equal(rec->run_name, "rf-baseline");
    assert_string_equal(rec->status, "FINISHED");
    assert_string_equal(rec->user_id, "alice");
    assert_true(rec->end_time >= rec->start_time);
    assert_int_equal(rec->n_params, 1);
    assert_string_equal(rec->params[0].value, "100");
    const cip_metric_value *cv = metric_of(rec, "cv_r2");
    assert_non_null(cv);
    assert_int_equal(cv->step, 4);
    assert_true(cv->value == 0.83);
    assert_true(isnan(metric_of(rec, "bad")->value));
    assert_string_equal(tag_of(rec, "mlflow.runName"), "rf-baseline");
    assert_string_equal(tag_of(rec, "mlflow.user"), "alice");
    assert_string_equal(tag_of(rec, "mlflow.source.type"), "LOCAL");
    assert_string_equal(tag_of(rec, "mlflow.source.name"), "cip");
    assert_string_equal(tag_of(rec, "mlflow.note.content"), "first **try**");
    assert_string_equal(tag_of(rec, "cip.command"), "cip train --model rf data.csv");
    assert_string_equal(tag_of(rec, "cip.version"), cip_version());
    assert_non_null(tag_of(rec, "cip.duration_ms"));
    assert_string_equal(tag_of(rec, "team"), "crm");
    char want_uri[256];
    snprintf(want_uri, sizeof want_uri, "file://%s/mlartifacts/1/%s/artifacts", dir, id);
    assert_string_equal(rec->artifact_uri, want_uri);
    /* a prefix of 8 chars finds the run too */
    char prefix[9];
    snprintf(prefix, sizeof prefix, "%.8s", id);
    cip_run_set *rs2 = NULL;
    assert_int_equal(cip_run_get(ctx, s, prefix, &rs2), CIP_OK);
    assert_string_equal(cip_run_set_at(rs2, 0)->run_id, id);
    cip_run_set_free(rs2);

    /* the raw rows are as MLflow's SQL store writes them */
    sqlite3 *db = cipi_track_db(s);
    assert_int_equal(q_int(db, "SELECT count(*) FROM metrics WHERE \"key\" = 'cv_r2'"), 5);
    assert_int_equal(q_int(db, "SELECT is_nan FROM metrics WHERE \"key\" = 'bad'"), 1);
    assert_int_equal(q_int(db, "SELECT value = 0 FROM latest_metrics WHERE \"key\" = 'bad'"), 1);
    char txt[128];
    q_text(db, "SELECT source_type || '|' || lifecycle_stage FROM runs", txt, sizeof txt);
    assert_string_equal(txt, "UNKNOWN|active");

    /* a child run */
    cip_run_params pc;
    cip_run_params_default(&pc);
    pc.experiment = "churn";
    pc.parent_run_id = id;
    cip_run *child = NULL;
    assert_int_equal(cip_run_start(ctx, s, &pc, &child), CIP_OK);
    cip_run_set *rc = NULL;
    assert_int_equal(cip_run_get(ctx, s, cip_run_id(child), &rc), CIP_OK);
    assert_string_equal(tag_of(cip_run_set_at(rc, 0), "mlflow.parentRunId"), id);
    cip_run_set_free(rc);
    cip_run_free(child);
    pc.parent_run_id = "00000000000000000000000000000000";
    assert_int_equal(cip_run_start(ctx, s, &pc, &child), CIP_ERR_NOT_FOUND);
    assert_null(child);

    cip_run_set_free(rs);
    cip_run_free(r);
    cip_store_close(s);
    cip_ctx_free(ctx);
    rmdir_all(dir);
}

static void test_track_metric_batch_never_duplicates(void **state)
{
    (void)state;
    char dir[64];
    tmpdir(dir, sizeof dir);
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_store *s = open_store(ctx, dir);
    cip_run *r = NULL;
    assert_int_equal(cip_run_start(ctx, s, NULL, &r), CIP_OK);
    assert_int_equal(cip_run_experiment_id(r), 0); /* Default */
    cip_metric m[4] = {{"loss", 0.5, 0, 1000},
                       {"loss", 0.5, 0, 1000}, /* identical */
                       {"loss", 0.4, 1, 1001},
                       {"loss", 0.45, 1, 900}};
    assert_int_equal(cip_run_log_metrics(ctx, r, m, 4), CIP_OK);
    assert_int_equal(cip_run_log_metrics(ctx, r, m, 4), CIP_OK); /* again: nothing new */
    sqlite3 *db = cipi_track_db(s);
    assert_int_equal(q_int(db, "SELECT count(*) FROM metrics"), 3);
    char txt[64];
    q_text(db, "SELECT value || '|' || step || '|' || timestamp FROM latest_metrics", txt,
           sizeof txt);
    assert_string_equal(txt, "0.4|1|1001"); /* largest (step, timestamp) */
    /* a bad key rejects the whole batch */
    cip_metric bad[2] = {{"ok", 1.0, 0, 5}, {"no\"quote", 1.0, 0, 5}};
    assert_int_equal(cip_run_log_metrics(ctx, r, bad, 2), CIP_ERR_INVALID);
    assert_int_equal(q_int(db, "SELECT count(*) FROM metrics WHERE \"key\" = 'ok'"), 0);
    cip_run_free(r);
    cip_store_close(s);
    cip_ctx_free(ctx);
    rmdir_all(dir);
}

/* --- bad stores ------------------------------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = NULL;
    FILE *m = open_memstream(&buf, len);
    int c;
    while ((c = fgetc(f)) != EOF)
        fputc(c, m);
    fclose(f);
    fclose(m);
    return buf;
}

/* Opening path must fail with code and a message containing needle, and
 * leave the file byte-identical with no -wal/-shm files created. */
static void expect_refused(cip_ctx *ctx, const char *path, cip_status code, const char *needle)
{
    size_t n0, n1;
    char *before = slurp(path, &n0);
    char uri[600], side[600];
    snprintf(uri, sizeof uri, "sqlite:///%s", path);
    cip_store *s = NULL;
    assert_int_equal(cip_store_open(ctx, uri, NULL, &s), code);
    assert_null(s);
    if (strstr(cip_ctx_errmsg(ctx), needle) == NULL)
        fail_msg("message '%s' lacks '%s'", cip_ctx_errmsg(ctx), needle);
    char *after = slurp(path, &n1);
    assert_int_equal(n0, n1);
    assert_memory_equal(before, after, n0);
    snprintf(side, sizeof side, "%s-wal", path);
    assert_int_not_equal(access(side, F_OK), 0);
    free(before);
    free(after);
}

static void make_db(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void test_track_bad_stores_are_refused_untouched(void **state)
{
    (void)state;
    char dir[64], path[256];
    tmpdir(dir, sizeof dir);
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_store *s = NULL;

    assert_int_equal(cip_store_open(ctx, "postgres://x/y", NULL, &s), CIP_ERR_INVALID);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "unknown tracking URI scheme 'postgres'"));
    assert_int_equal(cip_store_open(ctx, "http://127.0.0.1:1", NULL, &s), CIP_ERR_INVALID);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "not supported yet"));
    assert_int_equal(cip_store_open(ctx, "sqlite:///", NULL, &s), CIP_ERR_INVALID);

    snprintf(path, sizeof path, "%s/other.db", dir);
    make_db(path, "CREATE TABLE customers(id INTEGER); INSERT INTO customers VALUES (1);");
    expect_refused(ctx, path, CIP_ERR_SCHEMA, "is not an MLflow tracking database");

    snprintf(path, sizeof path, "%s/newer.db", dir);
    make_db(path, "CREATE TABLE alembic_version(version_num VARCHAR(32) NOT NULL);"
                  "INSERT INTO alembic_version VALUES ('ffff00001111');");
    expect_refused(ctx, path, CIP_ERR_SCHEMA, "revision 'ffff00001111'");
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "will not write to it"));

    snprintf(path, sizeof path, "%s/text.db", dir);
    FILE *f = fopen(path, "w");
    fputs("id,name\n1,this is a CSV file, not a database, but long enough to have a header\n", f);
    fclose(f);
    expect_refused(ctx, path, CIP_ERR_SCHEMA, "is not an SQLite database");

    /* read-only directory: /sys refuses file creation even to root */
    const char *ro = "/sys/cip-test.db";
    if (geteuid() != 0) {
        snprintf(path, sizeof path, "%s/ro", dir);
        assert_int_equal(mkdir(path, 0555), 0);
        snprintf(path, sizeof path, "%s/ro/mlflow.db", dir);
        ro = path;
    }
    char uri[300];
    snprintf(uri, sizeof uri, "sqlite:///%s", ro);
    assert_int_equal(cip_store_open(ctx, uri, NULL, &s), CIP_ERR_IO);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "cannot create tracking store"));
    assert_int_not_equal(access(ro, F_OK), 0);

    /* read-only open of a missing store */
    cip_store_opts o;
    cip_store_opts_default(&o);
    o.read_only = 1;
    snprintf(uri, sizeof uri, "sqlite:///%s/missing.db", dir);
    assert_int_equal(cip_store_open(ctx, uri, &o, &s), CIP_ERR_NOT_FOUND);
    snprintf(path, sizeof path, "%s/missing.db", dir);
    assert_int_not_equal(access(path, F_OK), 0);
    cip_ctx_free(ctx);
    rmdir_all(dir);
}

static void test_track_uri_resolution_order(void **state)
{
    (void)state;
    unsetenv("MLFLOW_TRACKING_URI");
    assert_string_equal(cip_store_resolve_uri(NULL), "sqlite:///mlflow.db");
    setenv("MLFLOW_TRACKING_URI", "sqlite:///env.db", 1);
    assert_string_equal(cip_store_resolve_uri(NULL), "sqlite:///env.db");
    assert_string_equal(cip_store_resolve_uri("sqlite:///x.db"), "sqlite:///x.db");
    unsetenv("MLFLOW_TRACKING_URI");
}

/* --- search -------------------------------------------------------------- */

static void add_run(cip_ctx *ctx, cip_store *s, const char *name, const char *model, double r2,
                    int64_t start)
{
    cip_run_params p;
    cip_run_params_default(&p);
    p.experiment = "search";
    p.run_name = name;
    p.start_time_ms = start;
    cip_run *r = NULL;
    assert_int_equal(cip_run_start(ctx, s, &p, &r), CIP_OK);
    assert_int_equal(cip_run_log_param(ctx, r, "model", model), CIP_OK);
    assert_int_equal(cip_run_log_metric(ctx, r, "test_r2", r2, 0), CIP_OK);
    assert_int_equal(cip_run_end(ctx, r, r2 > 0.6 ? CIP_RUN_FINISHED : CIP_RUN_FAILED), CIP_OK);
    cip_run_free(r);
}

static void names_of(cip_ctx *ctx, cip_store *s, const char *filter, const char *order, char *out,
                     size_t n)
{
    cip_run_query q = {.experiment = "search", .filter = filter, .order_by = order};
    cip_run_set *rs = NULL;
    cip_status rc = cip_runs_search(ctx, s, &q, &rs);
    if (rc != CIP_OK)
        fail_msg("search '%s': %s", filter ? filter : "", cip_ctx_errmsg(ctx));
    out[0] = '\0';
    for (size_t i = 0; i < cip_run_set_count(rs); i++) {
        strncat(out, cip_run_set_at(rs, i)->run_name, n - strlen(out) - 2);
        strncat(out, " ", n - strlen(out) - 1);
    }
    cip_run_set_free(rs);
}

static void test_track_search_filters_and_orders(void **state)
{
    (void)state;
    char dir[64], got[256];
    tmpdir(dir, sizeof dir);
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_store *s = open_store(ctx, dir);
    add_run(ctx, s, "a", "rf", 0.91, 1000);
    add_run(ctx, s, "b", "linear", 0.55, 2000);
    add_run(ctx, s, "c", "rf", 0.85, 3000);
    add_run(ctx, s, "d", "gbm", 0.70, 4000);

    names_of(ctx, s, NULL, NULL, got, sizeof got);
    assert_string_equal(got, "d c b a "); /* start_time DESC */
    names_of(ctx, s, "metrics.test_r2 > 0.8", NULL, got, sizeof got);
    assert_string_equal(got, "c a ");
    names_of(ctx, s, "metrics.test_r2 >= 0.7 AND params.model != 'rf'", NULL, got, sizeof got);
    assert_string_equal(got, "d ");
    names_of(ctx, s, "params.model = 'rf' and attributes.status = 'FINISHED'",
             "metrics.test_r2 DESC", got, sizeof got);
    assert_string_equal(got, "a c ");
    names_of(ctx, s, "attributes.status = 'FAILED'", NULL, got, sizeof got);
    assert_string_equal(got, "b ");
    names_of(ctx, s, "tags.`mlflow.runName` = 'c'", NULL, got, sizeof got);
    assert_string_equal(got, "c ");
    names_of(ctx, s, "params.model LIKE 'r%'", "attributes.start_time ASC", got, sizeof got);
    assert_string_equal(got, "a c ");
    names_of(ctx, s, "attributes.start_time < 2500", NULL, got, sizeof got);
    assert_string_equal(got, "b a ");
    names_of(ctx, s, NULL, "metrics.test_r2", got, sizeof got);
    assert_string_equal(got, "b d c a ");

    /* user text never becomes SQL: an injection attempt is just a value */
    names_of(ctx, s, "params.`model' OR '1'='1` = 'rf'", NULL, got, sizeof got);
    assert_string_equal(got, "");
    names_of(ctx, s, "params.model = \"x' OR 1=1; DROP TABLE runs; --\"", NULL, got, sizeof got);
    assert_string_equal(got, "");
    cip_run_query q = {.filter = "params.model = 'x'' OR 1=1; DROP TABLE runs; --'"};
    cip_run_set *rs = NULL;
    assert_int_equal(cip_runs_search(ctx, s, &q, &rs), CIP_ERR_PARSE);
    q.filter = "metrics.test_r2 > 'high'";
    assert_int_equal(cip_runs_search(ctx, s, &q, &rs), CIP_ERR_PARSE);
    q.filter = "metrics.test_r2 > 0.5 or params.model = 'rf'";
    assert_int_equal(cip_runs_search(ctx, s, &q, &rs), CIP_ERR_PARSE);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "expected AND"));
    q.filter = "bogus.x = 1";
    assert_int_equal(cip_runs_search(ctx, s, &q, &rs), CIP_ERR_PARSE);
    q.filter = NULL;
    q.experiment = "nope";
    assert_int_equal(cip_runs_search(ctx, s, &q, &rs), CIP_ERR_NOT_FOUND);
    assert_null(rs);
    assert_int_equal(q_int(cipi_track_db(s), "SELECT count(*) FROM runs"), 4);

    /* delete / restore */
    cip_run_query all = {.experiment = "search", .filter = "attributes.run_name = 'a'"};
    assert_int_equal(cip_runs_search(ctx, s, &all, &rs), CIP_OK);
    char id[33];
    snprintf(id, sizeof id, "%s", cip_run_set_at(rs, 0)->run_id);
    cip_run_set_free(rs);
    assert_int_equal(cip_run_delete(ctx, s, id), CIP_OK);
    names_of(ctx, s, NULL, NULL, got, sizeof got);
    assert_string_equal(got, "d c b ");
    assert_int_equal(cip_run_restore(ctx, s, id), CIP_OK);
    names_of(ctx, s, NULL, NULL, got, sizeof got);
    assert_string_equal(got, "d c b a ");

    /* JSON uses MLflow's names; NaN would be null */
    assert_int_equal(cip_run_get(ctx, s, id, &rs), CIP_OK);
    char *json = NULL;
    assert_int_equal(cip_run_set_json(ctx, rs, &json), CIP_OK);
    assert_non_null(strstr(json, "\"run_name\": \"a\""));
    assert_non_null(strstr(json, "\"metrics\": {\"test_r2\": 0.91000000000000003}"));
    assert_non_null(strstr(json, "\"params\": {\"model\": \"rf\"}"));
    assert_non_null(strstr(json, "\"start_time\": 1000"));
    cip_free(ctx, json);
    cip_run_set_free(rs);
    cip_store_close(s);
    cip_ctx_free(ctx);
    rmdir_all(dir);
}

/* --- artifacts and models --------------------------------------------------- */

static void test_track_artifacts_and_logged_model(void **state)
{
    (void)state;
    char dir[64], path[512];
    tmpdir(dir, sizeof dir);
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_store *s = open_store(ctx, dir);
    cip_run *r = NULL;
    assert_int_equal(cip_run_start(ctx, s, NULL, &r), CIP_OK);
    assert_int_equal(cip_run_log_text(ctx, r, "reports/summary.json", "{\"ok\": true}\n", 13),
                     CIP_OK);
    snprintf(path, sizeof path, "%s/reports/summary.json", cip_run_artifact_dir(r));
    size_t n;
    char *got = slurp(path, &n);
    assert_string_equal(got, "{\"ok\": true}\n");
    free(got);
    assert_int_equal(cip_run_log_text(ctx, r, "../escape.txt", "x", 1), CIP_ERR_INVALID);
    assert_int_equal(cip_run_log_text(ctx, r, "/abs.txt", "x", 1), CIP_ERR_INVALID);
    assert_int_equal(cip_run_log_artifact(ctx, r, path, "copy/summary.json"), CIP_OK);

    char model_file[512];
    snprintf(model_file, sizeof model_file, "%s/model.cipf", dir);
    FILE *f = fopen(model_file, "w");
    fputs("CIPF-model-bytes", f);
    fclose(f);
    cip_model_column in[] = {{"age", CIP_ML_LONG},
                             {"spend", CIP_ML_DOUBLE},
                             {"region", CIP_ML_STRING},
                             {"vip", CIP_ML_BOOLEAN}};
    cip_model_column out[] = {{NULL, CIP_ML_DOUBLE}};
    const char *row[] = {"42", "1234.5", "north \"east\"", "true"};
    cip_model_spec spec = {.name = "model",
                           .flavor = "cip_forest",
                           .model_file = model_file,
                           .n_inputs = 4,
                           .inputs = in,
                           .n_outputs = 1,
                           .outputs = out,
                           .example = row};
    char *model_id = NULL;
    assert_int_equal(cip_run_log_model(ctx, r, &spec, &model_id), CIP_OK);
    assert_int_equal(strlen(model_id), 34);
    assert_memory_equal(model_id, "m-", 2);

    char mdir[512];
    snprintf(mdir, sizeof mdir, "%s/mlartifacts/0/models/%s/artifacts", dir, model_id);
    snprintf(path, sizeof path, "%s/input_example.json", mdir);
    got = slurp(path, &n);
    assert_string_equal(got, "{\"columns\": [\"age\", \"spend\", \"region\", \"vip\"], "
                             "\"data\": [[42, 1234.5, \"north \\\"east\\\"\", true]]}\n");
    free(got);
    snprintf(path, sizeof path, "%s/serving_input_example.json", mdir);
    got = slurp(path, &n);
    assert_string_equal(got, "{\"dataframe_split\": {\"columns\": [\"age\", \"spend\", "
                             "\"region\", \"vip\"], \"data\": [[42, 1234.5, "
                             "\"north \\\"east\\\"\", true]]}}\n");
    free(got);
    snprintf(path, sizeof path, "%s/model.cipf", mdir);
    got = slurp(path, &n);
    assert_string_equal(got, "CIPF-model-bytes");
    free(got);
    snprintf(path, sizeof path, "%s/MLmodel", mdir);
    got = slurp(path, &n);
    char line[256];
    snprintf(line, sizeof line, "\nmodel_id: %s\n", model_id);
    assert_non_null(strstr(got, line));
    snprintf(line, sizeof line, "\nrun_id: %s\n", cip_run_id(r));
    assert_non_null(strstr(got, line));
    assert_non_null(strstr(got, "  cip_forest:\n"));
    assert_non_null(strstr(got, "  inputs: '[{\"type\": \"long\", \"name\": \"age\", "
                                "\"required\": true}, {\"type\": \"double\", \"name\": "
                                "\"spend\", \"required\": true}"));
    assert_non_null(strstr(got, "  outputs: '[{\"type\": \"double\", \"required\": true}]'\n"));
    assert_non_null(strstr(got, "  serving_input_path: serving_input_example.json\n"));
    assert_non_null(strstr(got, "  pandas_orient: split\n"));
    free(got);

    sqlite3 *db = cipi_track_db(s);
    char sql[512], txt[600];
    snprintf(sql, sizeof sql,
             "SELECT status || '|' || name || '|' || source_run_id || '|' || artifact_location "
             "FROM logged_models WHERE model_id = '%s'",
             model_id);
    q_text(db, sql, txt, sizeof txt);
    char want[600];
    snprintf(want, sizeof want, "2|model|%s|file://%s", cip_run_id(r), mdir);
    assert_string_equal(txt, want);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM inputs WHERE source_type = 'RUN_OUTPUT' AND source_id = '%s' "
             "AND destination_type = 'MODEL_OUTPUT' AND destination_id = '%s'",
             cip_run_id(r), model_id);
    assert_int_equal(q_int(db, sql), 1);
    /* a bad example value fails before anything is recorded */
    const char *bad_row[] = {"forty-two", "1", "x", "true"};
    spec.example = bad_row;
    char *id2 = NULL;
    assert_int_equal(cip_run_log_model(ctx, r, &spec, &id2), CIP_ERR_INVALID);
    assert_null(id2);
    assert_int_equal(q_int(db, "SELECT count(*) FROM logged_models"), 1);
    cip_free(ctx, model_id);
    cip_run_free(r);
    cip_store_close(s);
    cip_ctx_free(ctx);
    rmdir_all(dir);
}

static void test_track_json_writer_escapes_and_nan(void **state)
{
    (void)state;
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    struct cipi_buf b;
    struct cipi_json j;
    cipi_buf_init(&b, ctx, 0);
    cipi_json_init(&j, &b);
    assert_int_equal(cipi_json_begin(ctx, &j, '{'), CIP_OK);
    assert_int_equal(cipi_json_key(ctx, &j, "s"), CIP_OK);
    assert_int_equal(cipi_json_str(ctx, &j, "a\"b\\c\n\x01 \xc3\xa9t\xc3\xa9"), CIP_OK);
    assert_int_equal(cipi_json_key(ctx, &j, "n"), CIP_OK);
    assert_int_equal(cipi_json_begin(ctx, &j, '['), CIP_OK);
    assert_int_equal(cipi_json_num(ctx, &j, 0.1), CIP_OK);
    assert_int_equal(cipi_json_num(ctx, &j, NAN), CIP_OK);
    assert_int_equal(cipi_json_num(ctx, &j, -INFINITY), CIP_OK);
    assert_int_equal(cipi_json_int(ctx, &j, -7), CIP_OK);
    assert_int_equal(cipi_json_end(ctx, &j, ']'), CIP_OK);
    assert_int_equal(cipi_json_key(ctx, &j, "e"), CIP_OK);
    assert_int_equal(cipi_json_begin(ctx, &j, '{'), CIP_OK);
    assert_int_equal(cipi_json_end(ctx, &j, '}'), CIP_OK);
    assert_int_equal(cipi_json_end(ctx, &j, '}'), CIP_OK);
    assert_string_equal(b.data, "{\"s\": \"a\\\"b\\\\c\\n\\u0001 \xc3\xa9t\xc3\xa9\", "
                                "\"n\": [0.10000000000000001, null, null, -7], \"e\": {}}");
    cipi_buf_release(&b);
    cip_ctx_free(ctx);
}

/* --- concurrency and crash safety ------------------------------------------ */

static void test_track_eight_processes_lose_nothing(void **state)
{
    (void)state;
    char dir[64];
    tmpdir(dir, sizeof dir);
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_store *s = open_store(ctx, dir);
    cip_run *r = NULL;
    assert_int_equal(cip_run_start(ctx, s, NULL, &r), CIP_OK);
    char id[33];
    snprintf(id, sizeof id, "%s", cip_run_id(r));
    cip_run_free(r);
    cip_store_close(s);
    enum { N_PROC = 8, N_METRICS = 1000 };
    pid_t pids[N_PROC];
    for (int k = 0; k < N_PROC; k++) {
        pids[k] = fork();
        assert_true(pids[k] >= 0);
        if (pids[k] > 0)
            continue;
        /* child: its own connection, one transaction per metric point */
        cip_ctx *c = NULL;
        int ok = cip_ctx_new(&c) == CIP_OK;
        char uri[600], key[32];
        snprintf(uri, sizeof uri, "sqlite:///%s/mlflow.db", dir);
        snprintf(key, sizeof key, "worker_%d", k);
        cip_store *cs = NULL;
        cip_run *cr = NULL;
        ok = ok && cip_store_open(c, uri, NULL, &cs) == CIP_OK;
        ok = ok && cip_run_attach(c, cs, id, &cr) == CIP_OK;
        for (int i = 0; ok && i < N_METRICS; i++)
            ok = cip_run_log_metric(c, cr, key, (double)i * 0.5, i) == CIP_OK;
        if (!ok)
            fprintf(stderr, "worker %d: %s\n", k, c ? cip_ctx_errmsg(c) : "no ctx");
        cip_run_free(cr);
        cip_store_close(cs);
        cip_ctx_free(c);
        _exit(ok ? 0 : 1);
    }
    for (int k = 0; k < N_PROC; k++) {
        int st = 0;
        assert_int_equal(waitpid(pids[k], &st, 0), pids[k]);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
    }
    s = open_store(ctx, dir);
    sqlite3 *db = cipi_track_db(s);
    assert_int_equal(q_int(db, "SELECT count(*) FROM metrics"), N_PROC * N_METRICS);
    assert_int_equal(q_int(db, "SELECT count(DISTINCT \"key\") FROM metrics"), N_PROC);
    assert_int_equal(q_int(db, "SELECT count(*) FROM latest_metrics WHERE step = 999 AND "
                               "value = 499.5"),
                     N_PROC);
    cip_store_close(s);
    cip_ctx_free(ctx);
    rmdir_all(dir);
}

static void test_track_killed_run_stays_running_until_gc(void **state)
{
    (void)state;
    char dir[64];
    tmpdir(dir, sizeof dir);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* child: start two runs (one with a fake start 2 h ago), log, then die */
        cip_ctx *c = NULL;
        cip_store *cs = NULL;
        cip_run *r1 = NULL, *r2 = NULL;
        char uri[600];
        snprintf(uri, sizeof uri, "sqlite:///%s/mlflow.db", dir);
        int ok = cip_ctx_new(&c) == CIP_OK && cip_store_open(c, uri, NULL, &cs) == CIP_OK;
        cip_run_params p;
        cip_run_params_default(&p);
        p.run_name = "old";
        p.start_time_ms = (int64_t)time(NULL) * 1000 - 2 * 3600 * 1000;
        ok = ok && cip_run_start(c, cs, &p, &r1) == CIP_OK;
        p.run_name = "fresh";
        p.start_time_ms = 0;
        ok = ok && cip_run_start(c, cs, &p, &r2) == CIP_OK;
        ok = ok && cip_run_log_metric(c, r1, "m", 1.0, 0) == CIP_OK;
        char c1 = ok ? 'y' : 'n';
        if (write(fds[1], &c1, 1) != 1)
            _exit(3);
        for (;;)
            pause(); /* killed here, mid-run */
    }
    char c1 = 0;
    assert_int_equal(read(fds[0], &c1, 1), 1);
    assert_int_equal(c1, 'y');
    assert_int_equal(kill(pid, SIGKILL), 0);
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFSIGNALED(st));
    close(fds[0]);
    close(fds[1]);

    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_store *s = open_store(ctx, dir);
    cip_run_query q = {.order_by = "attributes.run_name"};
    cip_run_set *rs = NULL;
    assert_int_equal(cip_runs_search(ctx, s, &q, &rs), CIP_OK);
    assert_int_equal(cip_run_set_count(rs), 2);
    assert_string_equal(cip_run_set_at(rs, 0)->run_name, "fresh");
    assert_string_equal(cip_run_set_at(rs, 0)->status, "RUNNING");
    assert_string_equal(cip_run_set_at(rs, 1)->status, "RUNNING");
    assert_int_equal(cip_run_set_at(rs, 1)->n_metrics, 1);
    cip_run_set_free(rs);
    size_t n = 99;
    assert_int_equal(cip_runs_mark_stale_failed(ctx, s, 3600 * 1000, &n), CIP_OK);
    assert_int_equal(n, 1);
    assert_int_equal(cip_runs_search(ctx, s, &q, &rs), CIP_OK);
    assert_string_equal(cip_run_set_at(rs, 0)->status, "RUNNING");
    assert_string_equal(cip_run_set_at(rs, 1)->status, "FAILED");
    assert_true(cip_run_set_at(rs, 1)->end_time > 0);
    cip_run_set_free(rs);
    cip_store_close(s);
    cip_ctx_free(ctx);
    rmdir_all(dir);
}

/* --- file store import ---------------------------------------------------------- */

static void test_track_import_filestore(void **state)
{
    (void)state;
    char dir[64], src[512];
    tmpdir(dir, sizeof dir);
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_store *s = open_store(ctx, dir);
    cipt_data_path(src, sizeof src, "track/mlruns");
    cip_import_stats st;
    cip_status rc = cip_store_import_filestore(ctx, s, src, &st);
    if (rc != CIP_OK)
        fail_msg("import: %s", cip_ctx_errmsg(ctx));
    assert_int_equal(st.experiments, 2); /* Default and clv-original */
    assert_int_equal(st.runs, 2);
    assert_int_equal(st.skipped, 0);
    assert_int_equal(st.models, 1);

    const char *r1 = "baa8dc69e1f34c0b9a2d7e5f60718293", *r2 = "0c1d2e3f405162738495a6b7c8d9e0f1";
    cip_run_set *rs = NULL;
    assert_int_equal(cip_run_get(ctx, s, r1, &rs), CIP_OK);
    const cip_run_record *r = cip_run_set_at(rs, 0);
    assert_string_equal(r->run_name, "rf-original");
    assert_string_equal(r->status, "FINISHED");
    assert_int_equal(r->start_time, 1753538660000LL);
    assert_int_equal(r->end_time, 1753538665000LL);
    assert_string_equal(r->user_id, "labber");
    assert_int_equal(r->experiment_id, 1);
    assert_int_equal(r->n_params, 2);
    assert_string_equal(r->params[0].key, "model");
    assert_string_equal(r->params[1].value, "200");
    const cip_metric_value *cv = metric_of(r, "cv/r2");
    assert_non_null(cv);
    assert_int_equal(cv->step, 2);
    assert_true(cv->value == 0.93);
    assert_true(metric_of(r, "test_r2")->value == 0.9896907216494846);
    assert_string_equal(tag_of(r, "mlflow.user"), "labber");
    /* artifact URIs point at the imported folder, not the writer's machine */
    char want[1024];
    snprintf(want, sizeof want, "file://%s/123456789012345678/%s/artifacts", src, r1);
    assert_string_equal(r->artifact_uri, want);
    cip_run_set_free(rs);

    assert_int_equal(cip_run_get(ctx, s, r2, &rs), CIP_OK);
    r = cip_run_set_at(rs, 0);
    assert_string_equal(r->run_name, "it's \"quoted\""); /* from the mlflow.runName tag */
    assert_string_equal(r->status, "FAILED");
    assert_int_equal(r->end_time, -1);
    assert_int_equal(metric_of(r, "loss")->step, 0); /* two-field line */
    cip_run_set_free(rs);

    sqlite3 *db = cipi_track_db(s);
    /* the writer's duplicate lines are stored once */
    assert_int_equal(q_int(db, "SELECT count(*) FROM metrics WHERE \"key\" = 'test_r2'"), 1);
    assert_int_equal(q_int(db, "SELECT count(*) FROM metrics WHERE \"key\" = 'cv/r2'"), 3);
    assert_int_equal(q_int(db, "SELECT is_nan FROM metrics WHERE \"key\" = 'cv/r2' AND step = 1"),
                     1);
    assert_int_equal(q_int(db, "SELECT count(*) FROM logged_models WHERE model_id = "
                               "'m-5cc6acf8a1b2c3d4e5f60718293a4b5c' AND status = 2 AND "
                               "source_run_id = 'baa8dc69e1f34c0b9a2d7e5f60718293'"),
                     1);
    assert_int_equal(q_int(db, "SELECT count(*) FROM inputs WHERE source_type = 'RUN_OUTPUT' AND "
                               "destination_id = 'm-5cc6acf8a1b2c3d4e5f60718293a4b5c'"),
                     1);
    assert_int_equal(q_int(db, "SELECT count(*) FROM experiments"), 2);

    /* importing again changes nothing */
    assert_int_equal(cip_store_import_filestore(ctx, s, src, &st), CIP_OK);
    assert_int_equal(st.runs, 0);
    assert_int_equal(st.skipped, 2);
    assert_int_equal(q_int(db, "SELECT count(*) FROM runs"), 2);

    /* a malformed metric line names file and line; that run is not imported */
    char bad[128], cmd[1200];
    snprintf(bad, sizeof bad, "%s/bad", dir);
    snprintf(cmd, sizeof cmd,
             "cp -r '%s' '%s' && printf '1 2 3\\nnot a number\\n' > "
             "'%s/123456789012345678/0c1d2e3f405162738495a6b7c8d9e0f1/metrics/loss' && "
             "sed -i s/0c1d2e3f/0c1d2e3e/ "
             "'%s/123456789012345678/0c1d2e3f405162738495a6b7c8d9e0f1/meta.yaml'",
             src, bad, bad, bad);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(cip_store_import_filestore(ctx, s, bad, &st), CIP_ERR_PARSE);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "metrics/loss:2: expected"));
    assert_int_equal(q_int(db, "SELECT count(*) FROM runs"), 2);
    assert_int_equal(cip_store_import_filestore(ctx, s, "/nonexistent/mlruns", &st), CIP_ERR_IO);
    cip_store_close(s);
    cip_ctx_free(ctx);
    rmdir_all(dir);
}

static void test_track_export_then_import_roundtrip(void **state)
{
    (void)state;
    char dir[64], uri[600], out[600], path[1024];
    tmpdir(dir, sizeof dir);
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_store *a = open_store(ctx, dir);
    cip_run_params p;
    cip_run_params_default(&p);
    p.experiment = "it's churn";
    p.run_name = "exported";
    cip_run *r = NULL;
    assert_int_equal(cip_run_start(ctx, a, &p, &r), CIP_OK);
    char id[33];
    snprintf(id, sizeof id, "%s", cip_run_id(r));
    assert_int_equal(cip_run_log_param(ctx, r, "depth/max", "8"), CIP_OK);
    cip_metric m[3] = {{"auc", 0.8, 0, 1000}, {"auc", NAN, 1, 1001}, {"loss", 0.1, 0, 1002}};
    assert_int_equal(cip_run_log_metrics(ctx, r, m, 3), CIP_OK);
    cip_model_column in[] = {{"x", CIP_ML_DOUBLE}};
    cip_model_spec spec = {.n_inputs = 1, .inputs = in};
    char *mid = NULL;
    assert_int_equal(cip_run_log_model(ctx, r, &spec, &mid), CIP_OK);
    assert_int_equal(cip_run_end(ctx, r, CIP_RUN_KILLED), CIP_OK);
    cip_run_free(r);

    snprintf(out, sizeof out, "%s/mlruns", dir);
    size_t n = 0;
    assert_int_equal(cip_store_export_filestore(ctx, a, out, NULL, &n), CIP_OK);
    assert_int_equal(n, 1);
    assert_int_equal(cip_store_export_filestore(ctx, a, out, NULL, &n), CIP_OK); /* same folder */
    char cmd[1400];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && test -f 0/meta.yaml && test -d .trash && test -d models && "
             "test $(ls -d [1-9]* | wc -l) = 1 && e=$(ls -d [1-9]*) && test ${#e} = 18 && "
             "grep -qx \"experiment_id: '$e'\" $e/meta.yaml && "
             "grep -qx \"name: 'it''s churn'\" $e/meta.yaml && "
             "test -d $e/%s/artifacts && grep -qx 'status: 5' $e/%s/meta.yaml && "
             "test \"$(cat $e/%s/params/depth/max)\" = 8 && "
             "test \"$(cat $e/%s/metrics/auc)\" = \"$(printf '1000 0.8 0\\n1001 nan 1')\" && "
             "test -f $e/models/%s/meta.yaml && test -f $e/%s/outputs/%s/meta.yaml",
             out, id, id, id, id, mid, id, mid);
    if (system(cmd) != 0)
        fail_msg("export layout check failed: %s", cmd);

    /* import into a second store: the run comes back the same */
    snprintf(uri, sizeof uri, "sqlite:///%s/b.db", dir);
    cip_store *b = NULL;
    assert_int_equal(cip_store_open(ctx, uri, NULL, &b), CIP_OK);
    cip_import_stats st;
    assert_int_equal(cip_store_import_filestore(ctx, b, out, &st), CIP_OK);
    assert_int_equal(st.runs, 1);
    assert_int_equal(st.models, 1);
    cip_run_set *ra = NULL, *rb = NULL;
    assert_int_equal(cip_run_get(ctx, a, id, &ra), CIP_OK);
    assert_int_equal(cip_run_get(ctx, b, id, &rb), CIP_OK);
    const cip_run_record *x = cip_run_set_at(ra, 0), *y = cip_run_set_at(rb, 0);
    assert_string_equal(y->run_name, x->run_name);
    assert_string_equal(y->status, "KILLED");
    assert_int_equal(y->start_time, x->start_time);
    assert_int_equal(y->end_time, x->end_time);
    assert_int_equal(y->n_params, x->n_params);
    assert_int_equal(y->n_tags, x->n_tags);
    for (size_t i = 0; i < x->n_tags; i++) {
        assert_string_equal(y->tags[i].key, x->tags[i].key);
        assert_string_equal(y->tags[i].value, x->tags[i].value);
    }
    assert_int_equal(y->n_metrics, 2);
    assert_true(isnan(metric_of(y, "auc")->value));
    assert_int_equal(metric_of(y, "auc")->step, 1);
    assert_true(metric_of(y, "loss")->value == 0.1);
    assert_int_equal(q_int(cipi_track_db(b), "SELECT count(*) FROM metrics"), 3);
    cip_run_set_free(ra);
    cip_run_set_free(rb);
    cip_free(ctx, mid);
    cip_store_close(a);
    cip_store_close(b);
    cip_ctx_free(ctx);
    rmdir_all(dir);
}

/* --- out of memory ------------------------------------------------------------ */

struct oom_arg {
    const char *uri;
    const char *run_id;
};

static cip_status oom_body(cip_ctx *ctx, void *arg)
{
    const struct oom_arg *a = arg;
    cip_store *s = NULL;
    cip_run_set *rs = NULL;
    char *json = NULL;
    cip_status rc = cip_store_open(ctx, a->uri, NULL, &s);
    cip_run_query q = {.filter = "metrics.x > 0 and params.p = 'v'", .order_by = "metrics.x"};
    if (rc == CIP_OK)
        rc = cip_runs_search(ctx, s, &q, &rs);
    if (rc == CIP_OK)
        rc = cip_run_set_json(ctx, rs, &json);
    cip_free(ctx, json);
    cip_run_set_free(rs);
    cip_store_close(s);
    return rc;
}

static void test_track_search_oom_leaks_nothing(void **state)
{
    (void)state;
    char dir[64], uri[600];
    tmpdir(dir, sizeof dir);
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_store *s = open_store(ctx, dir);
    cip_run *r = NULL;
    assert_int_equal(cip_run_start(ctx, s, NULL, &r), CIP_OK);
    assert_int_equal(cip_run_log_param(ctx, r, "p", "v"), CIP_OK);
    assert_int_equal(cip_run_log_metric(ctx, r, "x", 2.0, 0), CIP_OK);
    snprintf(uri, sizeof uri, "sqlite:///%s/mlflow.db", dir);
    struct oom_arg a = {uri, cip_run_id(r)};
    assert_true(cipt_oom_sweep(oom_body, &a) > 10);
    cip_run_free(r);
    cip_store_close(s);
    cip_ctx_free(ctx);
    rmdir_all(dir);
}

/* The whole logging path with every allocation failing in turn. */
static cip_status oom_log_body(cip_ctx *ctx, void *arg)
{
    const struct oom_arg *a = arg;
    cip_store *s = NULL;
    cip_run *r = NULL;
    char *mid = NULL;
    cip_run_params p;
    cip_run_params_default(&p);
    p.experiment = "oom";
    p.note = "n";
    cip_status rc = cip_store_open(ctx, a->uri, NULL, &s);
    if (rc == CIP_OK)
        rc = cip_run_start(ctx, s, &p, &r);
    cip_metric m[2] = {{"a", 1.0, 0, 0}, {"b", 2.0, 1, 0}};
    if (rc == CIP_OK)
        rc = cip_run_log_metrics(ctx, r, m, 2);
    if (rc == CIP_OK)
        rc = cip_run_log_text(ctx, r, "notes/x.txt", "hello", 5);
    cip_model_column in[] = {{"x", CIP_ML_LONG}};
    const char *row[] = {"1"};
    cip_model_spec spec = {
        .n_inputs = 1, .inputs = in, .n_outputs = 1, .outputs = in, .example = row};
    if (rc == CIP_OK)
        rc = cip_run_log_model(ctx, r, &spec, &mid);
    if (rc == CIP_OK)
        rc = cip_run_end(ctx, r, CIP_RUN_FINISHED);
    cip_free(ctx, mid);
    cip_run_free(r);
    cip_store_close(s);
    return rc;
}

static void test_track_logging_oom_leaks_nothing(void **state)
{
    (void)state;
    char dir[64], uri[600];
    tmpdir(dir, sizeof dir);
    snprintf(uri, sizeof uri, "sqlite:///%s/mlflow.db", dir);
    struct oom_arg a = {uri, NULL};
    assert_true(cipt_oom_sweep(oom_log_body, &a) > 10);
    rmdir_all(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_track_schema_matches_mlflow_oracle),
        cmocka_unit_test(test_track_run_records_params_metrics_tags),
        cmocka_unit_test(test_track_metric_batch_never_duplicates),
        cmocka_unit_test(test_track_bad_stores_are_refused_untouched),
        cmocka_unit_test(test_track_uri_resolution_order),
        cmocka_unit_test(test_track_search_filters_and_orders),
        cmocka_unit_test(test_track_artifacts_and_logged_model),
        cmocka_unit_test(test_track_json_writer_escapes_and_nan),
        cmocka_unit_test(test_track_eight_processes_lose_nothing),
        cmocka_unit_test(test_track_killed_run_stays_running_until_gc),
        cmocka_unit_test(test_track_import_filestore),
        cmocka_unit_test(test_track_export_then_import_roundtrip),
        cmocka_unit_test(test_track_search_oom_leaks_nothing),
        cmocka_unit_test(test_track_logging_oom_leaks_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
