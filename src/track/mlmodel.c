/* mlmodel.c - MLflow 3 LoggedModels: the MLmodel file, signature, input
 * examples, and the logged_models / run-output rows
 *
 * Layout (MLflow's SQL store): <experiment artifact_location>/models/<m-id>/
 * artifacts/ holds MLmodel, input_example.json (pandas "split" orient, no
 * index), serving_input_example.json ({"dataframe_split": ...}) and the model
 * file. The signature's inputs/outputs are JSON strings inside the YAML.
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "track_int.h"

static const char *const type_names[] = {"boolean", "integer", "long",   "float",
                                         "double",  "string",  "binary", "datetime"};

static cip_status sig_json(cip_ctx *ctx, const cip_model_column *cols, size_t n, char **out)
{
    struct cipi_buf b;
    struct cipi_json j;
    cipi_buf_init(&b, ctx, 0);
    cipi_json_init(&j, &b);
    cip_status rc = cipi_json_begin(ctx, &j, '[');
    for (size_t i = 0; rc == CIP_OK && i < n; i++) {
        if ((unsigned)cols[i].type >= CIP_ARRAY_LEN(type_names)) {
            rc = cipi_fail(ctx, CIP_ERR_INVALID, "column %zu has an invalid type", i);
            break;
        }
        rc = cipi_json_begin(ctx, &j, '{');
        if (rc == CIP_OK)
            rc = cipi_json_key(ctx, &j, "type");
        if (rc == CIP_OK)
            rc = cipi_json_str(ctx, &j, type_names[cols[i].type]);
        if (rc == CIP_OK && cols[i].name != NULL) {
            rc = cipi_json_key(ctx, &j, "name");
            if (rc == CIP_OK)
                rc = cipi_json_str(ctx, &j, cols[i].name);
        }
        if (rc == CIP_OK)
            rc = cipi_json_key(ctx, &j, "required");
        if (rc == CIP_OK)
            rc = cipi_json_bool(ctx, &j, true);
        if (rc == CIP_OK)
            rc = cipi_json_end(ctx, &j, '}');
    }
    if (rc == CIP_OK)
        rc = cipi_json_end(ctx, &j, ']');
    if (rc != CIP_OK) {
        cipi_buf_release(&b);
        return rc;
    }
    *out = cipi_buf_detach(&b, NULL);
    return CIP_OK;
}

/* One example value, typed by the signature. */
static cip_status example_value(cip_ctx *ctx, struct cipi_json *j, const cip_model_column *c,
                                const char *v)
{
    if (v == NULL)
        return cipi_json_null(ctx, j);
    char *end = NULL;
    errno = 0;
    switch (c->type) {
    case CIP_ML_BOOLEAN:
        if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0 || strcmp(v, "True") == 0)
            return cipi_json_bool(ctx, j, true);
        if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0 || strcmp(v, "False") == 0)
            return cipi_json_bool(ctx, j, false);
        break;
    case CIP_ML_INTEGER:
    case CIP_ML_LONG: {
        long long x = strtoll(v, &end, 10);
        if (*v && errno == 0 && *end == '\0')
            return cipi_json_int(ctx, j, x);
        break;
    }
    case CIP_ML_FLOAT:
    case CIP_ML_DOUBLE: {
        double x = strtod(v, &end);
        if (*v && *end == '\0')
            return cipi_json_num(ctx, j, x);
        break;
    }
    default:
        return cipi_json_str(ctx, j, v);
    }
    return cipi_fail(ctx, CIP_ERR_INVALID, "example value '%s' of column '%s' is not a %s", v,
                     c->name ? c->name : "?", type_names[c->type]);
}

/* {"columns": [...], "data": [[...]]}, wrapped in {"dataframe_split": ...}
 * when serving is true. */
static cip_status example_json(cip_ctx *ctx, const cip_model_spec *m, bool serving, char **out)
{
    struct cipi_buf b;
    struct cipi_json j;
    cipi_buf_init(&b, ctx, 0);
    cipi_json_init(&j, &b);
    cip_status rc = cipi_json_begin(ctx, &j, '{');
    if (rc == CIP_OK && serving) {
        rc = cipi_json_key(ctx, &j, "dataframe_split");
        if (rc == CIP_OK)
            rc = cipi_json_begin(ctx, &j, '{');
    }
    if (rc == CIP_OK)
        rc = cipi_json_key(ctx, &j, "columns");
    if (rc == CIP_OK)
        rc = cipi_json_begin(ctx, &j, '[');
    for (size_t i = 0; rc == CIP_OK && i < m->n_inputs; i++)
        rc = cipi_json_str(ctx, &j, m->inputs[i].name ? m->inputs[i].name : "");
    if (rc == CIP_OK)
        rc = cipi_json_end(ctx, &j, ']');
    if (rc == CIP_OK)
        rc = cipi_json_key(ctx, &j, "data");
    if (rc == CIP_OK)
        rc = cipi_json_begin(ctx, &j, '[');
    if (rc == CIP_OK)
        rc = cipi_json_begin(ctx, &j, '[');
    for (size_t i = 0; rc == CIP_OK && i < m->n_inputs; i++)
        rc = example_value(ctx, &j, &m->inputs[i], m->example[i]);
    for (int k = 0; rc == CIP_OK && k < (serving ? 4 : 3); k++)
        rc = cipi_json_end(ctx, &j, k < 2 ? ']' : '}');
    if (rc == CIP_OK)
        rc = cipi_buf_putc(ctx, &b, '\n');
    if (rc != CIP_OK) {
        cipi_buf_release(&b);
        return rc;
    }
    *out = cipi_buf_detach(&b, NULL);
    return CIP_OK;
}

/* YAML single-quoted scalar: ' doubled. */
static cip_status yaml_quote(cip_ctx *ctx, struct cipi_buf *b, const char *s)
{
    cip_status rc = cipi_buf_putc(ctx, b, '\'');
    for (; rc == CIP_OK && *s; s++)
        rc = *s == '\'' ? cipi_buf_append(ctx, b, "''", 2) : cipi_buf_putc(ctx, b, *s);
    return rc == CIP_OK ? cipi_buf_putc(ctx, b, '\'') : rc;
}

struct model_ctx {
    const cip_model_spec *m;
    const char *model_id;
    const char *run_id;
    const char *artifact_uri; /* of the LoggedModel */
    const char *file_base;    /* basename of the model file, or NULL */
    char *sig_in, *sig_out;   /* JSON strings */
};

static cip_status mlmodel_yaml(cip_ctx *ctx, const struct model_ctx *mc, struct cipi_buf *b)
{
    struct timespec now;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    char when[64];
    snprintf(when, sizeof when, "%04d-%02d-%02d %02d:%02d:%02d.%06ld", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, now.tv_nsec / 1000);
    const cip_model_spec *m = mc->m;
    cip_status rc = cipi_buf_printf(ctx, b, "artifact_path: %s\nflavors:\n  %s:\n",
                                    mc->artifact_uri, m->flavor ? m->flavor : "cip");
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, b, "    cip_version: %s\n", cip_version());
    if (rc == CIP_OK && mc->file_base)
        rc = cipi_buf_printf(ctx, b, "    model_file: %s\n", mc->file_base);
    char uuid[33];
    if (rc == CIP_OK && mc->model_id == NULL) /* MLflow 2 style: no LoggedModel */
        rc = cipi_track_uuid_hex(ctx, uuid);
    if (rc == CIP_OK && mc->model_id != NULL)
        rc = cipi_buf_printf(ctx, b,
                             "is_signature_from_type_hint: false\nmodel_id: %s\n"
                             "model_uuid: %s\nrun_id: %s\n",
                             mc->model_id, mc->model_id, mc->run_id);
    else if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, b,
                             "is_signature_from_type_hint: false\nmodel_uuid: %s\nrun_id: %s\n",
                             uuid, mc->run_id);
    if (rc == CIP_OK && m->example != NULL)
        rc = cipi_buf_printf(ctx, b,
                             "saved_input_example_info:\n"
                             "  artifact_path: input_example.json\n"
                             "  pandas_orient: split\n"
                             "  serving_input_path: serving_input_example.json\n"
                             "  type: dataframe\n");
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, b, "signature:\n  inputs: ");
    if (rc == CIP_OK)
        rc = yaml_quote(ctx, b, mc->sig_in);
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, b, "\n  outputs: ");
    if (rc == CIP_OK)
        rc = mc->sig_out ? yaml_quote(ctx, b, mc->sig_out) : cipi_buf_printf(ctx, b, "null");
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, b,
                             "\n  params: null\ntype_hint_from_example: false\n"
                             "utc_time_created: '%s'\n",
                             when);
    return rc;
}

static cip_status write_files(cip_ctx *ctx, struct model_ctx *mc, const char *dir)
{
    const cip_model_spec *m = mc->m;
    char *ex = NULL, *serve = NULL, *data = NULL;
    size_t len = 0;
    struct cipi_buf y;
    cipi_buf_init(&y, ctx, 0);
    cip_status rc = cipi_track_mkdirs(ctx, dir);
    if (rc == CIP_OK && m->model_file) {
        rc = cipi_read_file(ctx, m->model_file, 0, &data, &len);
        if (rc == CIP_OK)
            rc = cipi_track_put_file(ctx, dir, mc->file_base, data, len);
    }
    for (size_t k = 0; rc == CIP_OK && k < m->n_files; k++) {
        const char *slash = strrchr(m->files[k], '/');
        cipi_free(ctx, data);
        data = NULL;
        rc = cipi_read_file(ctx, m->files[k], 0, &data, &len);
        if (rc == CIP_OK)
            rc = cipi_track_put_file(ctx, dir, slash ? slash + 1 : m->files[k], data, len);
    }
    if (rc == CIP_OK && m->example != NULL) {
        rc = example_json(ctx, m, false, &ex);
        if (rc == CIP_OK)
            rc = example_json(ctx, m, true, &serve);
        if (rc == CIP_OK)
            rc = cipi_track_put_file(ctx, dir, "input_example.json", ex, strlen(ex));
        if (rc == CIP_OK)
            rc = cipi_track_put_file(ctx, dir, "serving_input_example.json", serve, strlen(serve));
    }
    if (rc == CIP_OK)
        rc = mlmodel_yaml(ctx, mc, &y);
    if (rc == CIP_OK)
        rc = cipi_track_put_file(ctx, dir, "MLmodel", y.data, y.len);
    cipi_buf_release(&y);
    cipi_free(ctx, ex);
    cipi_free(ctx, serve);
    cipi_free(ctx, data);
    return rc;
}

static cip_status insert_rows(cip_ctx *ctx, cip_run *r, const struct model_ctx *mc)
{
    char link_id[33];
    sqlite3_stmt *st = NULL;
    int64_t now = cipi_now_ms();
    cip_status rc = cipi_track_uuid_hex(ctx, link_id);
    if (rc == CIP_OK)
        rc = cipi_track_begin(ctx, r->s);
    if (rc != CIP_OK)
        return rc;
    rc = cipi_track_prepare(
        ctx, r->s,
        "INSERT INTO logged_models(model_id, experiment_id, name, artifact_location, "
        "creation_timestamp_ms, last_updated_timestamp_ms, status, lifecycle_stage, model_type, "
        "source_run_id, status_message) VALUES (?1, ?2, ?3, ?4, ?5, ?5, 2, 'active', NULL, ?6, "
        "NULL)",
        &st);
    if (rc == CIP_OK) {
        cipi_track_bind_text(st, 1, mc->model_id);
        sqlite3_bind_int64(st, 2, r->exp_id);
        cipi_track_bind_text(st, 3, mc->m->name ? mc->m->name : "model");
        cipi_track_bind_text(st, 4, mc->artifact_uri);
        sqlite3_bind_int64(st, 5, now);
        cipi_track_bind_text(st, 6, r->id);
        rc = cipi_track_step_done(ctx, r->s, st, "cannot record the logged model");
    }
    sqlite3_finalize(st);
    st = NULL;
    if (rc == CIP_OK)
        rc = cipi_track_prepare(ctx, r->s,
                                "INSERT INTO inputs(input_uuid, source_type, source_id, "
                                "destination_type, destination_id, step) VALUES "
                                "(?1, 'RUN_OUTPUT', ?2, 'MODEL_OUTPUT', ?3, 0)",
                                &st);
    if (rc == CIP_OK) {
        cipi_track_bind_text(st, 1, link_id);
        cipi_track_bind_text(st, 2, r->id);
        cipi_track_bind_text(st, 3, mc->model_id);
        rc = cipi_track_step_done(ctx, r->s, st, "cannot link the model to its run");
    }
    sqlite3_finalize(st);
    if (rc != CIP_OK) {
        cipi_track_rollback(r->s);
        return rc;
    }
    return cipi_track_commit(ctx, r->s);
}

cip_status cipi_track_model_files(cip_ctx *ctx, const cip_model_spec *spec, const char *model_id,
                                  const char *run_id, const char *artifact_uri, const char *dir)
{
    struct model_ctx mc = {
        .m = spec, .model_id = model_id, .run_id = run_id, .artifact_uri = artifact_uri};
    if (spec->model_file) {
        const char *slash = strrchr(spec->model_file, '/');
        mc.file_base = slash ? slash + 1 : spec->model_file;
    }
    cip_status rc = sig_json(ctx, spec->inputs, spec->n_inputs, &mc.sig_in);
    if (rc == CIP_OK && spec->n_outputs > 0)
        rc = sig_json(ctx, spec->outputs, spec->n_outputs, &mc.sig_out);
    if (rc == CIP_OK)
        rc = write_files(ctx, &mc, dir);
    cipi_free(ctx, mc.sig_in);
    cipi_free(ctx, mc.sig_out);
    return rc;
}

cip_status cipi_sql_log_model(cip_ctx *ctx, cip_run *r, const cip_model_spec *spec,
                              char **model_id_out)
{
    char hex[33], model_id[40];
    char *loc = NULL, *uri = NULL, *dir = NULL;
    struct model_ctx mc = {.m = spec, .model_id = model_id, .run_id = r->id};
    cip_status rc = cipi_track_uuid_hex(ctx, hex);
    if (rc == CIP_OK)
        rc = cipi_track_exp_location(ctx, r->s, r->exp_id, &loc);
    if (rc != CIP_OK)
        return rc;
    snprintf(model_id, sizeof model_id, "m-%s", hex);
    struct cipi_buf b;
    cipi_buf_init(&b, ctx, 0);
    rc = cipi_buf_printf(ctx, &b, "%s/models/%s/artifacts", loc, model_id);
    uri = cipi_buf_detach(&b, NULL);
    mc.artifact_uri = uri;
    if (rc == CIP_OK)
        rc = cipi_track_uri_to_path(ctx, uri, &dir);
    if (rc == CIP_OK)
        rc = cipi_track_model_files(ctx, spec, model_id, r->id, uri, dir);
    if (rc == CIP_OK)
        rc = insert_rows(ctx, r, &mc);
    if (rc == CIP_OK && model_id_out) {
        *model_id_out = cipi_strdup(ctx, model_id);
        if (*model_id_out == NULL)
            rc = CIP_ERR_NOMEM;
    }
    cipi_free(ctx, loc);
    cipi_free(ctx, uri);
    cipi_free(ctx, dir);
    return rc;
}
