/* test_runlog.c - logging a training as an MLflow run (contract C6): SHA-256
 * fingerprints, command-line quoting, the run's params/metrics/tags, the
 * LoggedModel with signature and example, registration with aliases, and
 * failures that leave the store untouched
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cip/registry.h"
#include "cip/runlog.h"
#include "testutil.h"
#include "track_fixture.h"

static void q_text_arg(sqlite3 *db, const char *sql, const char *arg, char *out, size_t n)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (arg != NULL)
        sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
    int r = sqlite3_step(st);
    if (r != SQLITE_ROW)
        fail_msg("no row for %s [%s]", sql, arg ? arg : "");
    const unsigned char *t = sqlite3_column_text(st, 0);
    snprintf(out, n, "%s", t ? (const char *)t : "(null)");
    sqlite3_finalize(st);
}

static int64_t q_int_arg(sqlite3 *db, const char *sql, const char *arg)
{
    char buf[64];
    q_text_arg(db, sql, arg, buf, sizeof buf);
    return strtoll(buf, NULL, 10);
}

/* --- SHA-256 ------------------------------------------------------------------ */

static void test_runlog_sha256_known_vectors(void **state)
{
    (void)state;
    char hex[65];
    cip_runlog_sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    cip_runlog_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    cip_runlog_sha256_hex(two, strlen(two), hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    char *mil = malloc(1000000);
    assert_non_null(mil);
    memset(mil, 'a', 1000000);
    cip_runlog_sha256_hex(mil, 1000000, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(mil);
}

static void test_runlog_fingerprint_file_matches_memory(void **state)
{
    (void)state;
    /* 40,000 + 7 bytes: crosses the 16 KiB read blocks and a 64-byte boundary */
    size_t n = 40007;
    unsigned char *data = malloc(n);
    assert_non_null(data);
    for (size_t i = 0; i < n; i++)
        data[i] = (unsigned char)(i * 131u + 7u);
    char path[256], hex[65], fp[CIP_RUNLOG_FINGERPRINT_LEN], want[80];
    cipt_write_temp(path, sizeof path, ".bin", data, n);
    cip_runlog_sha256_hex(data, n, hex);
    snprintf(want, sizeof want, "sha256:%s", hex);
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    assert_int_equal(cip_runlog_file_fingerprint(ctx, path, fp), CIP_OK);
    assert_string_equal(fp, want);
    unlink(path);
    assert_int_equal(cip_runlog_file_fingerprint(ctx, path, fp), CIP_ERR_IO);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), path));
    cip_ctx_free(ctx);
    free(data);
}

/* --- command lines ------------------------------------------------------------ */

static void test_runlog_command_roundtrip_quotes(void **state)
{
    (void)state;
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    const char *argv[] = {"cip",    "train", "clv",   "my data.csv",  "",
                          "it's",   "a\"b",  "$HOME", "--label-rule", "churn_risk_score > q75",
                          "x=1,y:2"};
    int argc = (int)(sizeof argv / sizeof argv[0]);
    char *cmd = NULL, **back = NULL;
    size_t n = 0;
    assert_int_equal(cip_runlog_join_argv(ctx, argc, argv, &cmd), CIP_OK);
    assert_string_equal(cmd, "cip train clv 'my data.csv' '' 'it'\\''s' 'a\"b' '$HOME' "
                             "--label-rule 'churn_risk_score > q75' x=1,y:2");
    assert_int_equal(cip_runlog_split_command(ctx, cmd, &back, &n), CIP_OK);
    assert_int_equal(n, (size_t)argc);
    for (int k = 0; k < argc; k++)
        assert_string_equal(back[k], argv[k]);
    assert_null(back[n]);
    cip_free(ctx, back);
    cip_free(ctx, cmd);
    /* shell forms a user might type */
    assert_int_equal(cip_runlog_split_command(ctx, "  a \"b \\\"c\\\" $d\" e\\ f  ", &back, &n),
                     CIP_OK);
    assert_int_equal(n, 3);
    assert_string_equal(back[0], "a");
    assert_string_equal(back[1], "b \"c\" $d");
    assert_string_equal(back[2], "e f");
    cip_free(ctx, back);
    assert_int_equal(cip_runlog_split_command(ctx, "a 'b", &back, &n), CIP_ERR_PARSE);
    assert_null(back);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "unterminated single quote at column 3"));
    assert_int_equal(cip_runlog_split_command(ctx, "a \"b", &back, &n), CIP_ERR_PARSE);
    cip_ctx_free(ctx);
}

static cip_status oom_cmdline(cip_ctx *ctx, void *arg)
{
    (void)arg;
    const char *argv[] = {"cip", "a b", "c'd"};
    char *cmd = NULL, **back = NULL;
    size_t n = 0;
    cip_status rc = cip_runlog_join_argv(ctx, 3, argv, &cmd);
    if (rc == CIP_OK)
        rc = cip_runlog_split_command(ctx, cmd, &back, &n);
    if (rc == CIP_OK && (n != 3 || strcmp(back[2], "c'd") != 0))
        rc = CIP_ERR_INVALID;
    cip_free(ctx, back);
    cip_free(ctx, cmd);
    return rc;
}

static void test_runlog_command_oom_sweep(void **state)
{
    (void)state;
    assert_true(cipt_oom_sweep(oom_cmdline, NULL) > 2);
}

/* --- logging a training -------------------------------------------------------- */

struct fixture {
    char dir[256];
    char data_path[512];
    char uri[600];
    cip_frame *raw;
    cip_train_result *r;
    cip_train_params tp;
};

/* A small regression table: y = 3a + b (+ region offset), 60 rows. */
static void make_fixture(cip_ctx *ctx, struct fixture *fx)
{
    tmpdir(fx->dir, sizeof fx->dir);
    snprintf(fx->data_path, sizeof fx->data_path, "%s/table.csv", fx->dir);
    snprintf(fx->uri, sizeof fx->uri, "sqlite:///%s/store/mlflow.db", fx->dir);
    char sub[600];
    snprintf(sub, sizeof sub, "%s/store", fx->dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    FILE *f = fopen(fx->data_path, "w");
    assert_non_null(f);
    fprintf(f, "a,b,region,y\n");
    for (int i = 0; i < 60; i++) {
        double a = (double)((i * 37) % 23) / 4.0;
        int b = (i * 11) % 7;
        const char *reg = i % 3 == 0 ? "North" : (i % 3 == 1 ? "South" : "West");
        fprintf(f, "%g,%d,%s,%g\n", a, b, reg, 3 * a + b + (i % 3) * 0.5);
    }
    fclose(f);
    assert_int_equal(cip_frame_read_csv(ctx, fx->data_path, NULL, &fx->raw), CIP_OK);
    cip_train_params_default(&fx->tp);
    fx->tp.task = CIP_TRAIN_CLV;
    fx->tp.target = "y";
    fx->tp.cv = 3;
    fx->tp.seed = 7;
    fx->tp.forest.n_estimators = 10;
    if (cip_train_run(ctx, fx->raw, &fx->tp, &fx->r) != CIP_OK)
        fail_msg("train: %s", cip_ctx_errmsg(ctx));
}

static void free_fixture(struct fixture *fx)
{
    cip_train_result_free(fx->r);
    cip_frame_free(fx->raw);
    rmdir_all(fx->dir);
}

static void test_runlog_train_records_everything(void **state)
{
    (void)state;
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    struct fixture fx;
    make_fixture(ctx, &fx);
    char audit[600];
    snprintf(audit, sizeof audit, "%s/audit-report.json", fx.dir);
    FILE *af = fopen(audit, "w");
    assert_non_null(af);
    fputs("{\"verdict\": \"clean\"}\n", af);
    fclose(af);

    cip_store *s = NULL;
    assert_int_equal(cip_store_open(ctx, fx.uri, NULL, &s), CIP_OK);
    cip_runlog_params p;
    cip_runlog_params_default(&p);
    p.command_line = "cip train clv 'table.csv' --target y --cv 3 --seed 7";
    p.data_path = fx.data_path;
    p.audit_verdict = "clean";
    p.audit_json_path = audit;
    p.register_name = "cip-clv";
    p.set_alias = 1;
    p.train = &fx.tp;
    char id[33];
    int64_t version = -1;
    if (cip_runlog_train(ctx, s, fx.r, fx.raw, &p, id, &version) != CIP_OK)
        fail_msg("runlog: %s", cip_ctx_errmsg(ctx));
    assert_int_equal(strlen(id), 32);
    assert_int_equal(version, 1);

    sqlite3 *db = NULL;
    char dbp[600], t[8192], fp[CIP_RUNLOG_FINGERPRINT_LEN], want[64];
    snprintf(dbp, sizeof dbp, "%s/store/mlflow.db", fx.dir);
    assert_int_equal(sqlite3_open_v2(dbp, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    q_text_arg(db, "SELECT status FROM runs WHERE run_uuid = ?", id, t, sizeof t);
    assert_string_equal(t, "FINISHED");
    q_text_arg(
        db, "SELECT e.name FROM runs r JOIN experiments e USING(experiment_id) WHERE run_uuid = ?",
        id, t, sizeof t);
    assert_string_equal(t, "cip");
    snprintf(want, sizeof want, "clv-%.8s", id);
    q_text_arg(db, "SELECT name FROM runs WHERE run_uuid = ?", id, t, sizeof t);
    assert_string_equal(t, want);
    q_text_arg(db, "SELECT value FROM tags WHERE key = 'mlflow.runName' AND run_uuid = ?", id, t,
               sizeof t);
    assert_string_equal(t, want);
    /* params: hyper-parameters, split, seed, folds, data */
    static const char *const expect[][2] = {
        {"task", "clv"},
        {"target", "y"},
        {"seed", "7"},
        {"cv", "3"},
        {"cv_folds", "3"},
        {"split", "random"},
        {"test_size", "0.2"},
        {"n_estimators", "10"},
        {"max_depth", "None"},
        {"random_state", "7"},
        {"features", "a,b,region=North,region=South,region=West"},
        {"n_rows", "60"}};
    char sql[200];
    for (size_t k = 0; k < sizeof expect / sizeof expect[0]; k++) {
        snprintf(sql, sizeof sql, "SELECT value FROM params WHERE key = '%s' AND run_uuid = ?",
                 expect[k][0]);
        q_text_arg(db, sql, id, t, sizeof t);
        if (strcmp(t, expect[k][1]) != 0)
            fail_msg("param %s = '%s', expected '%s'", expect[k][0], t, expect[k][1]);
    }
    q_text_arg(db, "SELECT value FROM params WHERE key = 'data_fingerprint' AND run_uuid = ?", id,
               t, sizeof t);
    assert_int_equal(cip_runlog_file_fingerprint(ctx, fx.data_path, fp), CIP_OK);
    assert_string_equal(t, fp);
    q_text_arg(db, "SELECT value FROM params WHERE key = 'data_path' AND run_uuid = ?", id, t,
               sizeof t);
    assert_string_equal(t, fx.data_path);
    /* metrics: every result metric, CV folds as steps of cv_r2 */
    assert_int_equal(
        q_int_arg(db, "SELECT count(*) FROM metrics WHERE key = 'cv_r2' AND run_uuid = ?", id), 3);
    for (size_t k = 0; k < 3; k++) {
        snprintf(sql, sizeof sql,
                 "SELECT value FROM metrics WHERE key = 'cv_r2' AND step = %zu AND run_uuid = ?",
                 k);
        q_text_arg(db, sql, id, t, sizeof t);
        assert_true(fabs(strtod(t, NULL) - fx.r->cv_scores[k]) <= 1e-12);
    }
    q_text_arg(db, "SELECT value FROM latest_metrics WHERE key = 'test_r2' AND run_uuid = ?", id, t,
               sizeof t);
    assert_true(fabs(strtod(t, NULL) - cip_train_result_metric(fx.r, "test_r2")) <= 1e-12);
    assert_int_equal(q_int_arg(db, "SELECT count(*) FROM latest_metrics WHERE run_uuid = ?", id),
                     (int64_t)fx.r->n_metrics + 1);
    /* tags */
    static const char *const tag_expect[][2] = {
        {"mlflow.source.type", "LOCAL"},
        {"cip.command", "cip train clv 'table.csv' --target y --cv 3 --seed 7"},
        {"cip.audit", "clean"},
        {"cip.task", "clv"}};
    for (size_t k = 0; k < sizeof tag_expect / sizeof tag_expect[0]; k++) {
        snprintf(sql, sizeof sql, "SELECT value FROM tags WHERE key = '%s' AND run_uuid = ?",
                 tag_expect[k][0]);
        q_text_arg(db, sql, id, t, sizeof t);
        assert_string_equal(t, tag_expect[k][1]);
    }
    q_text_arg(db, "SELECT value FROM tags WHERE key = 'mlflow.note.content' AND run_uuid = ?", id,
               t, sizeof t);
    assert_non_null(strstr(t, "| test_r2 |"));
    assert_non_null(strstr(t, "Leakage audit: **clean**"));
    q_text_arg(db, "SELECT value FROM tags WHERE key = 'cip.build' AND run_uuid = ?", id, t,
               sizeof t);
    assert_non_null(strstr(t, "compiler"));
    assert_non_null(strstr(t, "; threads "));
    assert_int_equal(q_int_arg(db,
                               "SELECT count(*) FROM tags WHERE key = 'cip.duration' AND "
                               "run_uuid = ?",
                               id),
                     1);
    /* artifacts: audit.json, the LoggedModel with the bundle files */
    char *model_dir = NULL, path[1200], runs_uri[64];
    snprintf(runs_uri, sizeof runs_uri, "runs:/%s/model", id);
    assert_int_equal(cip_registry_resolve(ctx, s, runs_uri, &model_dir), CIP_OK);
    static const char *const files[] = {"MLmodel", "manifest.json", "model.forest",
                                        "input_example.json", "serving_input_example.json"};
    struct stat st;
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        snprintf(path, sizeof path, "%s/%s", model_dir, files[k]);
        if (stat(path, &st) != 0)
            fail_msg("missing %s", path);
    }
    snprintf(path, sizeof path, "%s/input_example.json", model_dir);
    FILE *ex = fopen(path, "r");
    assert_non_null(ex);
    assert_non_null(fgets(t, sizeof t, ex));
    fclose(ex);
    /* raw input columns (one-hot mapped back to region), first raw row */
    assert_string_equal(t, "{\"columns\": [\"a\", \"b\", \"region\"], \"data\": [[0, 0, "
                           "\"North\"]]}\n");
    snprintf(path, sizeof path, "%s/MLmodel", model_dir);
    char *ml = NULL;
    size_t ml_len = 0;
    FILE *mf = fopen(path, "r");
    assert_non_null(mf);
    assert_int_equal(getdelim(&ml, &ml_len, '\0', mf) > 0, 1);
    fclose(mf);
    assert_non_null(strstr(ml, "{\"type\": \"double\", \"name\": \"a\", \"required\": true}"));
    assert_non_null(strstr(ml, "{\"type\": \"long\", \"name\": \"b\", \"required\": true}"));
    assert_non_null(strstr(ml, "{\"type\": \"string\", \"name\": \"region\""));
    assert_non_null(strstr(ml, "\"name\": \"prediction\""));
    assert_non_null(strstr(ml, "model_file: manifest.json"));
    free(ml);
    cip_free(ctx, model_dir);
    q_text_arg(db, "SELECT artifact_uri FROM runs WHERE run_uuid = ?", id, t, sizeof t);
    snprintf(path, sizeof path, "%s/audit.json", t + strlen("file://"));
    assert_int_equal(stat(path, &st), 0);
    /* registry: version 1 is champion; the next training becomes challenger */
    q_text_arg(db,
               "SELECT version FROM registered_model_aliases WHERE name = 'cip-clv' AND "
               "alias = ?",
               "champion", t, sizeof t);
    assert_string_equal(t, "1");
    char id2[33];
    p.data_path = NULL;
    p.audit_json_path = NULL;
    p.run_name = "second";
    assert_int_equal(cip_runlog_train(ctx, s, fx.r, NULL, &p, id2, &version), CIP_OK);
    assert_int_equal(version, 2);
    assert_string_not_equal(id, id2);
    q_text_arg(db,
               "SELECT version FROM registered_model_aliases WHERE name = 'cip-clv' AND "
               "alias = ?",
               "challenger", t, sizeof t);
    assert_string_equal(t, "2");
    q_text_arg(db, "SELECT name FROM runs WHERE run_uuid = ?", id2, t, sizeof t);
    assert_string_equal(t, "second");
    sqlite3_close(db);
    cip_store_close(s);
    free_fixture(&fx);
    cip_ctx_free(ctx);
}

static void test_runlog_train_missing_data_leaves_store_untouched(void **state)
{
    (void)state;
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    struct fixture fx;
    make_fixture(ctx, &fx);
    cip_store *s = NULL;
    assert_int_equal(cip_store_open(ctx, fx.uri, NULL, &s), CIP_OK);
    cip_runlog_params p;
    cip_runlog_params_default(&p);
    char gone[600];
    snprintf(gone, sizeof gone, "%s/no-such.csv", fx.dir);
    p.data_path = gone;
    char id[33] = "unchanged";
    int64_t version = 5;
    assert_int_equal(cip_runlog_train(ctx, s, fx.r, fx.raw, &p, id, &version), CIP_ERR_IO);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "no-such.csv"));
    assert_string_equal(id, "unchanged");
    assert_int_equal(version, 0);
    /* an unknown parent run is refused before anything is written */
    p.data_path = NULL;
    p.parent_run_id = "0123456789abcdef";
    assert_int_equal(cip_runlog_train(ctx, s, fx.r, fx.raw, &p, id, NULL), CIP_ERR_NOT_FOUND);
    cip_run_set *rs = NULL;
    assert_int_equal(cip_runs_search(ctx, s, NULL, &rs), CIP_OK);
    assert_int_equal(cip_run_set_count(rs), 0);
    cip_run_set_free(rs);
    cip_store_close(s);
    free_fixture(&fx);
    cip_ctx_free(ctx);
}

static void test_runlog_train_parent_and_segments(void **state)
{
    (void)state;
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    struct fixture fx;
    make_fixture(ctx, &fx);
    cip_train_params kp;
    cip_train_params_default(&kp);
    kp.task = CIP_TRAIN_SEGMENTS;
    const char *feats[] = {"a", "b"};
    kp.features = feats;
    kp.n_features = 2;
    kp.kmeans.k_min = 2;
    kp.kmeans.k_max = 4;
    kp.kmeans.km.n_init = 2;
    cip_train_result *kr = NULL;
    if (cip_train_run(ctx, fx.raw, &kp, &kr) != CIP_OK)
        fail_msg("segments: %s", cip_ctx_errmsg(ctx));
    cip_store *s = NULL;
    assert_int_equal(cip_store_open(ctx, fx.uri, NULL, &s), CIP_OK);
    cip_run_params rp;
    cip_run_params_default(&rp);
    rp.experiment = "pipe";
    cip_run *parent = NULL;
    assert_int_equal(cip_run_start(ctx, s, &rp, &parent), CIP_OK);
    cip_runlog_params p;
    cip_runlog_params_default(&p);
    p.experiment = "pipe";
    p.parent_run_id = cip_run_id(parent);
    p.train = &kp;
    char id[33];
    assert_int_equal(cip_runlog_train(ctx, s, kr, fx.raw, &p, id, NULL), CIP_OK);
    cip_run_set *rs = NULL;
    assert_int_equal(cip_run_get(ctx, s, id, &rs), CIP_OK);
    const cip_run_record *rec = cip_run_set_at(rs, 0);
    bool parent_tag = false, sweep = false, kparam = false;
    for (size_t k = 0; k < rec->n_tags; k++)
        parent_tag |= strcmp(rec->tags[k].key, "mlflow.parentRunId") == 0 &&
                      strcmp(rec->tags[k].value, cip_run_id(parent)) == 0;
    for (size_t k = 0; k < rec->n_metrics; k++)
        sweep |= strcmp(rec->metrics[k].key, "sweep_silhouette") == 0 && rec->metrics[k].step == 4;
    for (size_t k = 0; k < rec->n_params; k++)
        kparam |=
            strcmp(rec->params[k].key, "k_range") == 0 && strcmp(rec->params[k].value, "2..4") == 0;
    assert_true(parent_tag);
    assert_true(sweep);
    assert_true(kparam);
    cip_run_set_free(rs);
    char *dir = NULL, path[1200], runs_uri[64];
    snprintf(runs_uri, sizeof runs_uri, "runs:/%s/model", id);
    assert_int_equal(cip_registry_resolve(ctx, s, runs_uri, &dir), CIP_OK);
    snprintf(path, sizeof path, "%s/model.kmeans", dir);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    cip_free(ctx, dir);
    cip_run_free(parent);
    cip_store_close(s);
    cip_train_result_free(kr);
    free_fixture(&fx);
    cip_ctx_free(ctx);
}

struct oom_arg {
    struct fixture *fx;
    int iter;
};

static cip_status oom_runlog(cip_ctx *ctx, void *arg)
{
    struct oom_arg *a = arg;
    char uri[700];
    /* a fresh store each time: a failed open must not block the next run */
    snprintf(uri, sizeof uri, "sqlite:///%s/store/oom-%d.db", a->fx->dir, a->iter++);
    cip_store *s = NULL;
    cip_status rc = cip_store_open(ctx, uri, NULL, &s);
    if (rc != CIP_OK)
        return rc;
    cip_runlog_params p;
    cip_runlog_params_default(&p);
    p.data_path = a->fx->data_path;
    p.register_name = "m";
    p.set_alias = 1;
    p.train = &a->fx->tp;
    rc = cip_runlog_train(ctx, s, a->fx->r, a->fx->raw, &p, NULL, NULL);
    cip_store_close(s);
    return rc;
}

static void test_runlog_train_oom_sweep(void **state)
{
    (void)state;
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    struct fixture fx;
    make_fixture(ctx, &fx);
    struct oom_arg a = {&fx, 0};
    assert_true(cipt_oom_sweep(oom_runlog, &a) > 10);
    free_fixture(&fx);
    cip_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runlog_sha256_known_vectors),
        cmocka_unit_test(test_runlog_fingerprint_file_matches_memory),
        cmocka_unit_test(test_runlog_command_roundtrip_quotes),
        cmocka_unit_test(test_runlog_command_oom_sweep),
        cmocka_unit_test(test_runlog_train_records_everything),
        cmocka_unit_test(test_runlog_train_missing_data_leaves_store_untouched),
        cmocka_unit_test(test_runlog_train_parent_and_segments),
        cmocka_unit_test(test_runlog_train_oom_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
