/* test_track_files.c - the tracking store's files (split from test_track.c): artifacts and
 * logged models, the JSON writer, concurrent writers and crash safety, file-store
 * import and export
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

/* --- artifacts and models --------------------------------------------------- */

static void test_track_artifacts_and_logged_model(void **state)
{
    (void)state;
    char dir[64], path[512];
    cip_ctx *ctx = NULL;
    cip_store *s = fresh_store(dir, sizeof dir, &ctx);
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
    close_store(s, ctx, dir);
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
    cip_ctx *ctx = NULL;
    cip_store *s = fresh_store(dir, sizeof dir, &ctx);
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
    close_store(s, ctx, dir);
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
    close_store(s, ctx, dir);
}

/* --- file store import ---------------------------------------------------------- */

static void test_track_import_filestore(void **state)
{
    (void)state;
    char dir[64], src[512];
    cip_ctx *ctx = NULL;
    cip_store *s = fresh_store(dir, sizeof dir, &ctx);
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
    close_store(s, ctx, dir);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_track_artifacts_and_logged_model),
        cmocka_unit_test(test_track_json_writer_escapes_and_nan),
        cmocka_unit_test(test_track_eight_processes_lose_nothing),
        cmocka_unit_test(test_track_killed_run_stays_running_until_gc),
        cmocka_unit_test(test_track_import_filestore),
        cmocka_unit_test(test_track_export_then_import_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
