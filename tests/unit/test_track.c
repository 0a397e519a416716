/* test_track.c - the MLflow-compatible tracking store: schema, runs, metrics,
 * search, bad stores, out of memory (artifacts, models, concurrency, crash
 * safety, import/export: test_track_files.c)
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
#include "track_fixture.h"

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
    cip_ctx *ctx = NULL;
    cip_store *s = fresh_store(dir, sizeof dir, &ctx);
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

static void test_track_run_records_params_metrics_tags(void **state)
{
    (void)state;
    char dir[64];
    cip_ctx *ctx = NULL;
    cip_store *s = fresh_store(dir, sizeof dir, &ctx);
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
    close_store(s, ctx, dir);
}

static void test_track_metric_batch_never_duplicates(void **state)
{
    (void)state;
    char dir[64];
    cip_ctx *ctx = NULL;
    cip_store *s = fresh_store(dir, sizeof dir, &ctx);
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
    close_store(s, ctx, dir);
}

/* --- bad stores ------------------------------------------------------------- */

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
    /* an unreachable tracking server: one message naming its URL */
    assert_int_equal(cip_store_open(ctx, "http://127.0.0.1:1", NULL, &s), CIP_ERR_IO);
    assert_non_null(strstr(cip_ctx_errmsg(ctx),
                           "cannot reach the MLflow tracking server at http://127.0.0.1:1"));
    assert_null(s);
    /* reading from a server is not supported yet: said before any request */
    cip_store_opts rdo;
    cip_store_opts_default(&rdo);
    rdo.read_only = 1;
    assert_int_equal(cip_store_open(ctx, "http://127.0.0.1:1", &rdo, &s), CIP_ERR_INVALID);
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
    cip_ctx *ctx = NULL;
    cip_store *s = fresh_store(dir, sizeof dir, &ctx);
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
    close_store(s, ctx, dir);
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
    cip_ctx *ctx = NULL;
    cip_store *s = fresh_store(dir, sizeof dir, &ctx);
    cip_run *r = NULL;
    assert_int_equal(cip_run_start(ctx, s, NULL, &r), CIP_OK);
    assert_int_equal(cip_run_log_param(ctx, r, "p", "v"), CIP_OK);
    assert_int_equal(cip_run_log_metric(ctx, r, "x", 2.0, 0), CIP_OK);
    snprintf(uri, sizeof uri, "sqlite:///%s/mlflow.db", dir);
    struct oom_arg a = {uri, cip_run_id(r)};
    assert_true(cipt_oom_sweep(oom_body, &a) > 10);
    cip_run_free(r);
    close_store(s, ctx, dir);
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
        cmocka_unit_test(test_track_search_oom_leaks_nothing),
        cmocka_unit_test(test_track_logging_oom_leaks_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
