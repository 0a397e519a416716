/* test_registry.c - model registry: versions, aliases, tags, descriptions,
 * URI resolution, listings
 * SPDX-License-Identifier: MIT
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/track/cipi_track.h"
#include "cip/registry.h"
#include "cip/track.h"
#include "testutil.h"

struct fixture {
    char dir[64];
    cip_ctx *ctx;
    cip_store *s;
    char run_id[33];
    char model_dir[512]; /* files of the run's LoggedModel "model" */
    char model_id[40];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/cip-reg-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(cip_ctx_new(&f->ctx), CIP_OK);
    char uri[600];
    snprintf(uri, sizeof uri, "sqlite:///%s/mlflow.db", f->dir);
    assert_int_equal(cip_store_open(f->ctx, uri, NULL, &f->s), CIP_OK);
    cip_run *r = NULL;
    cip_run_params p;
    cip_run_params_default(&p);
    p.experiment = "clv";
    assert_int_equal(cip_run_start(f->ctx, f->s, &p, &r), CIP_OK);
    snprintf(f->run_id, sizeof f->run_id, "%s", cip_run_id(r));
    cip_model_column in[] = {{"x", CIP_ML_DOUBLE}};
    cip_model_spec spec = {.n_inputs = 1, .inputs = in};
    char *mid = NULL;
    assert_int_equal(cip_run_log_model(f->ctx, r, &spec, &mid), CIP_OK);
    snprintf(f->model_id, sizeof f->model_id, "%s", mid);
    snprintf(f->model_dir, sizeof f->model_dir, "%s/mlartifacts/1/models/%s/artifacts", f->dir,
             mid);
    cip_free(f->ctx, mid);
    assert_int_equal(cip_run_end(f->ctx, r, CIP_RUN_FINISHED), CIP_OK);
    cip_run_free(r);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    cip_store_close(f->s);
    cip_ctx_free(f->ctx);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static void expect_resolves(struct fixture *f, const char *uri, const char *want)
{
    char *path = NULL;
    cip_status rc = cip_registry_resolve(f->ctx, f->s, uri, &path);
    if (rc != CIP_OK)
        fail_msg("resolve '%s': %s", uri, cip_ctx_errmsg(f->ctx));
    assert_string_equal(path, want);
    cip_free(f->ctx, path);
}

static void test_registry_versions_and_aliases_resolve(void **state)
{
    struct fixture *f = *state;
    cip_ctx *ctx = f->ctx;
    char src[80];
    snprintf(src, sizeof src, "runs:/%s/model", f->run_id);
    int64_t v = 0;
    assert_int_equal(cip_registry_register(ctx, f->s, "clv-forest", src, "first", &v), CIP_OK);
    assert_int_equal(v, 1);
    snprintf(src, sizeof src, "models:/%s", f->model_id);
    assert_int_equal(cip_registry_register(ctx, f->s, "clv-forest", src, NULL, &v), CIP_OK);
    assert_int_equal(v, 2);
    assert_int_equal(cip_registry_set_alias(ctx, f->s, "clv-forest", "champion", 1), CIP_OK);
    assert_int_equal(cip_registry_set_alias(ctx, f->s, "clv-forest", "challenger", 2), CIP_OK);

    expect_resolves(f, "models:/clv-forest@champion", f->model_dir);
    expect_resolves(f, "models:/clv-forest/2", f->model_dir);
    expect_resolves(f, "models:/clv-forest/latest", f->model_dir);
    char uri[80];
    snprintf(uri, sizeof uri, "runs:/%s/model", f->run_id);
    expect_resolves(f, uri, f->model_dir);
    snprintf(uri, sizeof uri, "models:/%s", f->model_id);
    expect_resolves(f, uri, f->model_dir);

    /* rows as MLflow's SQL registry writes them */
    sqlite3 *db = cipi_track_db(f->s);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT source, storage_location, run_id, "
                                        "current_stage, status, description FROM model_versions "
                                        "WHERE name = 'clv-forest' AND version = 1",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    char want[600];
    snprintf(want, sizeof want, "models:/%s", f->model_id);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), want);
    snprintf(want, sizeof want, "file://%s", f->model_dir);
    assert_string_equal((const char *)sqlite3_column_text(st, 1), want);
    assert_string_equal((const char *)sqlite3_column_text(st, 2), f->run_id);
    assert_string_equal((const char *)sqlite3_column_text(st, 3), "None");
    assert_string_equal((const char *)sqlite3_column_text(st, 4), "READY");
    assert_string_equal((const char *)sqlite3_column_text(st, 5), "first");
    sqlite3_finalize(st);

    /* moving an alias; deleting it */
    assert_int_equal(cip_registry_set_alias(ctx, f->s, "clv-forest", "champion", 2), CIP_OK);
    char *list = NULL;
    assert_int_equal(cip_registry_list(ctx, f->s, 1, &list), CIP_OK);
    assert_non_null(strstr(list, "\"name\": \"clv-forest\""));
    assert_non_null(strstr(list, "\"latest_version\": 2"));
    assert_non_null(strstr(list, "\"aliases\": {\"challenger\": 2, \"champion\": 2}"));
    cip_free(ctx, list);
    assert_int_equal(cip_registry_delete_alias(ctx, f->s, "clv-forest", "champion"), CIP_OK);
    char *path = NULL;
    assert_int_equal(cip_registry_resolve(ctx, f->s, "models:/clv-forest@champion", &path),
                     CIP_ERR_NOT_FOUND);
    assert_null(path);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "has no alias 'champion'"));
    assert_int_equal(cip_registry_delete_alias(ctx, f->s, "clv-forest", "champion"),
                     CIP_ERR_NOT_FOUND);
}

static void test_registry_rejects_bad_input(void **state)
{
    struct fixture *f = *state;
    cip_ctx *ctx = f->ctx;
    char src[80];
    snprintf(src, sizeof src, "runs:/%s/model", f->run_id);
    int64_t v = 0;
    assert_int_equal(cip_registry_register(ctx, f->s, "a/b", src, NULL, &v), CIP_ERR_INVALID);
    assert_int_equal(cip_registry_register(ctx, f->s, "m", "s3://bucket/x", NULL, &v),
                     CIP_ERR_INVALID);
    snprintf(src, sizeof src, "runs:/%s/nomodel", f->run_id);
    assert_int_equal(cip_registry_register(ctx, f->s, "m", src, NULL, &v), CIP_ERR_NOT_FOUND);
    assert_int_equal(
        cip_registry_register(ctx, f->s, "m", "runs:/0123456789abcdef/model", NULL, &v),
        CIP_ERR_NOT_FOUND);
    snprintf(src, sizeof src, "runs:/%s/model", f->run_id);
    assert_int_equal(cip_registry_register(ctx, f->s, "m", src, NULL, &v), CIP_OK);
    assert_int_equal(cip_registry_set_alias(ctx, f->s, "m", "v3", 1), CIP_ERR_INVALID);
    assert_int_equal(cip_registry_set_alias(ctx, f->s, "m", "latest", 1), CIP_ERR_INVALID);
    assert_int_equal(cip_registry_set_alias(ctx, f->s, "m", "bad alias", 1), CIP_ERR_INVALID);
    assert_int_equal(cip_registry_set_alias(ctx, f->s, "m", "champion", 7), CIP_ERR_NOT_FOUND);
    assert_int_equal(cip_registry_set_alias(ctx, f->s, "nope", "champion", 1), CIP_ERR_NOT_FOUND);
    char *path = NULL;
    assert_int_equal(cip_registry_resolve(ctx, f->s, "models:/m/9", &path), CIP_ERR_NOT_FOUND);
    assert_int_equal(cip_registry_resolve(ctx, f->s, "models:/m/zero", &path), CIP_ERR_INVALID);
    assert_int_equal(cip_registry_resolve(ctx, f->s, "models:/m", &path), CIP_ERR_INVALID);
    assert_int_equal(cip_registry_resolve(ctx, f->s, "s3://x", &path), CIP_ERR_INVALID);
    assert_int_equal(cip_registry_resolve(ctx, f->s, "models:/zzz/1", &path), CIP_ERR_NOT_FOUND);
    /* the files vanished: a clear message, not a dangling path */
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->model_dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(cip_registry_resolve(ctx, f->s, "models:/m/1", &path), CIP_ERR_NOT_FOUND);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "are missing"));
    assert_null(path);
}

static void test_registry_tags_and_descriptions(void **state)
{
    struct fixture *f = *state;
    cip_ctx *ctx = f->ctx;
    char src[80];
    snprintf(src, sizeof src, "runs:/%s/model", f->run_id);
    int64_t v = 0;
    assert_int_equal(cip_registry_register(ctx, f->s, "churn", src, NULL, &v), CIP_OK);
    assert_int_equal(cip_registry_set_tag(ctx, f->s, "churn", 0, "team", "crm"), CIP_OK);
    assert_int_equal(cip_registry_set_tag(ctx, f->s, "churn", 1, "validated", "yes"), CIP_OK);
    assert_int_equal(cip_registry_set_tag(ctx, f->s, "churn", 2, "validated", "yes"),
                     CIP_ERR_NOT_FOUND);
    assert_int_equal(cip_registry_set_tag(ctx, f->s, "nope", 0, "team", "crm"), CIP_ERR_NOT_FOUND);
    assert_int_equal(cip_registry_set_description(ctx, f->s, "churn", 0, "churn model"), CIP_OK);
    assert_int_equal(cip_registry_set_description(ctx, f->s, "churn", 1, "v1 notes"), CIP_OK);
    assert_int_equal(cip_registry_set_description(ctx, f->s, "churn", 3, "x"), CIP_ERR_NOT_FOUND);
    char *out = NULL;
    assert_int_equal(cip_registry_show(ctx, f->s, "churn", 1, &out), CIP_OK);
    assert_non_null(strstr(out, "\"description\": \"churn model\""));
    assert_non_null(strstr(out, "\"description\": \"v1 notes\""));
    assert_non_null(strstr(out, "\"tags\": {\"validated\": \"yes\"}"));
    cip_free(ctx, out);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(cipi_track_db(f->s),
                                        "SELECT value FROM registered_model_tags WHERE name = "
                                        "'churn' AND \"key\" = 'team'",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "crm");
    sqlite3_finalize(st);
    assert_int_equal(cip_registry_set_tag(ctx, f->s, "churn", 0, "team", NULL), CIP_OK);
    assert_int_equal(cip_registry_set_tag(ctx, f->s, "churn", 0, "team", NULL), CIP_ERR_NOT_FOUND);
    assert_int_equal(cip_registry_show(ctx, f->s, "ghost", 0, &out), CIP_ERR_NOT_FOUND);
    assert_null(out);
}

struct oom_arg {
    const char *uri;
    const char *source;
};

static cip_status oom_body(cip_ctx *ctx, void *arg)
{
    const struct oom_arg *a = arg;
    cip_store *s = NULL;
    char *path = NULL, *list = NULL, *show = NULL;
    int64_t v = 0;
    cip_status rc = cip_store_open(ctx, a->uri, NULL, &s);
    if (rc == CIP_OK)
        rc = cip_registry_register(ctx, s, "oom", a->source, "d", &v);
    if (rc == CIP_OK)
        rc = cip_registry_set_alias(ctx, s, "oom", "champion", v);
    if (rc == CIP_OK)
        rc = cip_registry_resolve(ctx, s, "models:/oom@champion", &path);
    if (rc == CIP_OK)
        rc = cip_registry_list(ctx, s, 1, &list);
    if (rc == CIP_OK)
        rc = cip_registry_show(ctx, s, "oom", 1, &show);
    cip_free(ctx, path);
    cip_free(ctx, list);
    cip_free(ctx, show);
    cip_store_close(s);
    return rc;
}

static void test_registry_oom_leaks_nothing(void **state)
{
    struct fixture *f = *state;
    char uri[600], src[80];
    snprintf(uri, sizeof uri, "sqlite:///%s/mlflow.db", f->dir);
    snprintf(src, sizeof src, "runs:/%s/model", f->run_id);
    struct oom_arg a = {uri, src};
    assert_true(cipt_oom_sweep(oom_body, &a) > 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_registry_versions_and_aliases_resolve, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_registry_rejects_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registry_tags_and_descriptions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registry_oom_leaks_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
