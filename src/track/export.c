/* export.c - writing runs as a legacy MLflow file store (mlruns/ layout)
 *
 * For people who read stores with MLFLOW_ALLOW_FILE_STORE=true. Follows the
 * checklist of MLflow's FileStore reader: every run folder gets meta.yaml,
 * params/, metrics/, tags/ and artifacts/ (MLflow >= 3.8 refuses runs lacking
 * one); ids are quoted strings in YAML, status is the integer enum, times
 * are epoch ms, metric lines are "ts value step" with Python-style floats and
 * never duplicated; every file is written atomically. New experiment folders
 * get random 18-digit ids (MLflow's _generate_unique_integer_id); an
 * experiment already exported (same name) reuses its folder. Artifact URIs
 * keep pointing at the SQL store's artifact locations.
 * SPDX-License-Identifier: MIT
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "track_int.h"

struct exp_map {
    int64_t sql_id;
    char folder[24];
};

struct exporter {
    cip_store *s;
    char *root;             /* absolute export directory */
    struct exp_map map[64]; /* experiments seen in this export */
    size_t n_map;
};

static cip_status yaml_str(cip_ctx *ctx, struct cipi_buf *b, const char *key, const char *v)
{
    if (v == NULL)
        return cipi_buf_printf(ctx, b, "%s: null\n", key);
    cip_status rc = cipi_buf_printf(ctx, b, "%s: '", key);
    for (const char *p = v; rc == CIP_OK && *p; p++)
        rc = *p == '\'' ? cipi_buf_append(ctx, b, "''", 2) : cipi_buf_putc(ctx, b, *p);
    return rc == CIP_OK ? cipi_buf_append(ctx, b, "'\n", 2) : rc;
}

/* Write b's text as <root>/<rel>. */
static cip_status put(cip_ctx *ctx, struct exporter *x, const char *rel, const struct cipi_buf *b)
{
    return cipi_track_put_file(ctx, x->root, rel, b->data ? b->data : "", b->len);
}

/* Random 18-digit decimal id without a leading zero. */
static cip_status new_exp_id(cip_ctx *ctx, char out[24])
{
    char hex[33];
    cip_status rc = cipi_track_uuid_hex(ctx, hex);
    if (rc != CIP_OK)
        return rc;
    uint64_t v = strtoull(hex + 16, NULL, 16);
    snprintf(out, 24, "%llu",
             (unsigned long long)(100000000000000000ULL + v % 900000000000000000ULL));
    return CIP_OK;
}

/* Folder of an experiment already in the export dir with this name, if any. */
static void find_exp_folder(cip_ctx *ctx, struct exporter *x, const char *name, char out[24])
{
    out[0] = '\0';
    DIR *d = opendir(x->root);
    struct dirent *e;
    char path[4096], want[1100];
    size_t w_len = (size_t)snprintf(want, sizeof want, "\nname: '");
    for (const char *p = name; *p && w_len + 4 < sizeof want; p++) {
        want[w_len++] = *p;
        if (*p == '\'')
            want[w_len++] = '\''; /* YAML doubles quotes inside '...' */
    }
    snprintf(want + w_len, sizeof want - w_len, "'\n");
    while (d != NULL && out[0] == '\0' && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strlen(e->d_name) > 20)
            continue;
        int w = snprintf(path, sizeof path, "%s/%s/meta.yaml", x->root, e->d_name);
        char *text = NULL;
        size_t len = 0;
        if (w > 0 && (size_t)w < sizeof path && access(path, F_OK) == 0 &&
            cipi_read_file(ctx, path, 1 << 20, &text, &len) == CIP_OK) {
            if (strstr(text, want) != NULL)
                memcpy(out, e->d_name, strlen(e->d_name) + 1); /* <= 20 chars, checked */
            cipi_free(ctx, text);
        }
    }
    cip_ctx_clear_error(ctx);
    if (d != NULL)
        closedir(d);
}

static cip_status write_exp_meta(cip_ctx *ctx, struct exporter *x, int64_t id, const char *folder)
{
    sqlite3_stmt *st = NULL;
    struct cipi_buf b;
    cipi_buf_init(&b, ctx, 0);
    cip_status rc = cipi_track_prepare(ctx, x->s,
                                       "SELECT name, artifact_location, lifecycle_stage, "
                                       "creation_time, last_update_time FROM experiments "
                                       "WHERE experiment_id = ?",
                                       &st);
    if (rc != CIP_OK)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return cipi_fail(ctx, CIP_ERR_NOT_FOUND, "experiment %lld not found", (long long)id);
    }
    const char *name = (const char *)sqlite3_column_text(st, 0);
    const char *stage = (const char *)sqlite3_column_text(st, 2);
    rc = yaml_str(ctx, &b, "artifact_location", (const char *)sqlite3_column_text(st, 1));
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, &b, "creation_time: %lld\nexperiment_id: '%s'\n",
                             (long long)sqlite3_column_int64(st, 3), folder);
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, &b, "last_update_time: %lld\nlifecycle_stage: %s\n",
                             (long long)sqlite3_column_int64(st, 4), stage ? stage : "active");
    if (rc == CIP_OK)
        rc = yaml_str(ctx, &b, "name", name ? name : "");
    sqlite3_finalize(st);
    char rel[64];
    snprintf(rel, sizeof rel, "%s/meta.yaml", folder);
    if (rc == CIP_OK)
        rc = put(ctx, x, rel, &b);
    cipi_buf_release(&b);
    return rc;
}

/* The export folder of SQL experiment id (creating its meta.yaml). */
static cip_status exp_folder(cip_ctx *ctx, struct exporter *x, int64_t id, const char **folder)
{
    for (size_t i = 0; i < x->n_map; i++)
        if (x->map[i].sql_id == id) {
            *folder = x->map[i].folder;
            return CIP_OK;
        }
    if (x->n_map == CIP_ARRAY_LEN(x->map))
        return cipi_fail(ctx, CIP_ERR_LIMIT, "export covers more than %zu experiments",
                         CIP_ARRAY_LEN(x->map));
    struct exp_map *m = &x->map[x->n_map];
    m->sql_id = id;
    cip_status rc = CIP_OK;
    if (id == 0) {
        snprintf(m->folder, sizeof m->folder, "0");
    } else {
        char name[512] = "";
        sqlite3_stmt *st = NULL;
        rc = cipi_track_prepare(ctx, x->s, "SELECT name FROM experiments WHERE experiment_id = ?",
                                &st);
        if (rc != CIP_OK)
            return rc;
        sqlite3_bind_int64(st, 1, id);
        if (sqlite3_step(st) == SQLITE_ROW)
            snprintf(name, sizeof name, "%s", (const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
        find_exp_folder(ctx, x, name, m->folder);
        if (m->folder[0] == '\0')
            rc = new_exp_id(ctx, m->folder);
    }
    if (rc == CIP_OK)
        rc = write_exp_meta(ctx, x, id, m->folder);
    if (rc == CIP_OK) {
        x->n_map++;
        *folder = m->folder;
    }
    return rc;
}

static int status_code(const char *s)
{
    static const char *const names[] = {"RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"};
    for (int k = 0; k < 5; k++)
        if (s != NULL && strcmp(s, names[k]) == 0)
            return k + 1;
    return 3;
}

static cip_status write_run_meta(cip_ctx *ctx, struct exporter *x, const cip_run_record *r,
                                 const char *folder)
{
    struct cipi_buf b;
    cipi_buf_init(&b, ctx, 0);
    cip_status rc = yaml_str(ctx, &b, "artifact_uri", r->artifact_uri);
    if (rc == CIP_OK && r->end_time >= 0)
        rc = cipi_buf_printf(ctx, &b, "end_time: %lld\n", (long long)r->end_time);
    else if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, &b, "end_time: null\n");
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, &b,
                             "entry_point_name: ''\nexperiment_id: '%s'\nlifecycle_stage: %s\n"
                             "run_id: %s\n",
                             folder, r->lifecycle_stage, r->run_id);
    if (rc == CIP_OK)
        rc = yaml_str(ctx, &b, "run_name", r->run_name);
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, &b,
                             "source_name: ''\nsource_type: 4\nsource_version: ''\n"
                             "start_time: %lld\nstatus: %d\ntags: []\n",
                             (long long)r->start_time, status_code(r->status));
    if (rc == CIP_OK)
        rc = yaml_str(ctx, &b, "user_id", r->user_id ? r->user_id : "");
    char rel[128];
    snprintf(rel, sizeof rel, "%s/%s/meta.yaml", folder, r->run_id);
    if (rc == CIP_OK)
        rc = put(ctx, x, rel, &b);
    cipi_buf_release(&b);
    return rc;
}

/* params/<key>, tags/<key>: the value as is. */
static cip_status write_kvs(cip_ctx *ctx, const char *dir, const cip_kv *kv, size_t n)
{
    cip_status rc = cipi_track_mkdirs(ctx, dir);
    for (size_t i = 0; rc == CIP_OK && i < n; i++) {
        const char *v = kv[i].value ? kv[i].value : "";
        rc = cipi_track_put_file(ctx, dir, kv[i].key, v, strlen(v));
    }
    return rc;
}

/* metrics/<key>: every stored point, "ts value step" per line. */
static cip_status write_metrics(cip_ctx *ctx, struct exporter *x, const char *dir,
                                const char *run_id)
{
    sqlite3_stmt *st = NULL;
    struct cipi_buf b;
    cipi_buf_init(&b, ctx, 0);
    char key[256] = "";
    cip_status rc = cipi_track_mkdirs(ctx, dir);
    if (rc == CIP_OK)
        rc = cipi_track_prepare(ctx, x->s,
                                "SELECT \"key\", value, timestamp, step, is_nan FROM metrics "
                                "WHERE run_uuid = ? ORDER BY \"key\", timestamp, step, value",
                                &st);
    if (rc == CIP_OK)
        cipi_track_bind_text(st, 1, run_id);
    int r = SQLITE_DONE;
    while (rc == CIP_OK && (r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(st, 0);
        if (strcmp(k, key) != 0) {
            if (key[0] != '\0')
                rc = cipi_track_put_file(ctx, dir, key, b.data, b.len);
            b.len = 0;
            snprintf(key, sizeof key, "%s", k);
        }
        char num[40];
        cipi_fmt_double(num, sizeof num,
                        sqlite3_column_int(st, 4) ? (double)NAN : sqlite3_column_double(st, 1));
        if (rc == CIP_OK)
            rc = cipi_buf_printf(ctx, &b, "%lld %s %lld\n", (long long)sqlite3_column_int64(st, 2),
                                 num, (long long)sqlite3_column_int64(st, 3));
    }
    if (rc == CIP_OK && key[0] != '\0')
        rc = cipi_track_put_file(ctx, dir, key, b.data, b.len);
    sqlite3_finalize(st);
    cipi_buf_release(&b);
    return rc;
}

/* LoggedModels of the run: <exp>/models/<id>/meta.yaml and the run output link. */
static cip_status write_models(cip_ctx *ctx, struct exporter *x, const char *folder,
                               const char *run_id)
{
    sqlite3_stmt *st = NULL;
    cip_status rc = cipi_track_prepare(
        ctx, x->s,
        "SELECT model_id, name, artifact_location, creation_timestamp_ms, "
        "last_updated_timestamp_ms, status FROM logged_models WHERE source_run_id = ?",
        &st);
    if (rc != CIP_OK)
        return rc;
    cipi_track_bind_text(st, 1, run_id);
    struct cipi_buf b;
    cipi_buf_init(&b, ctx, 0);
    while (rc == CIP_OK && sqlite3_step(st) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        char rel[256];
        b.len = 0;
        rc = yaml_str(ctx, &b, "artifact_location", (const char *)sqlite3_column_text(st, 2));
        if (rc == CIP_OK)
            rc = cipi_buf_printf(ctx, &b,
                                 "creation_timestamp: %lld\nexperiment_id: '%s'\n"
                                 "last_updated_timestamp: %lld\nmodel_id: %s\nmodel_type: null\n",
                                 (long long)sqlite3_column_int64(st, 3), folder,
                                 (long long)sqlite3_column_int64(st, 4), id);
        if (rc == CIP_OK)
            rc = yaml_str(ctx, &b, "name", (const char *)sqlite3_column_text(st, 1));
        if (rc == CIP_OK)
            rc = cipi_buf_printf(ctx, &b, "source_run_id: %s\nstatus: %d\nstatus_message: null\n",
                                 run_id, sqlite3_column_int(st, 5));
        snprintf(rel, sizeof rel, "%s/models/%s/meta.yaml", folder, id);
        if (rc == CIP_OK)
            rc = put(ctx, x, rel, &b);
        b.len = 0;
        if (rc == CIP_OK) /* the file store writes the model id in both fields */
            rc = cipi_buf_printf(ctx, &b,
                                 "destination_id: %s\ndestination_type: MODEL_OUTPUT\n"
                                 "source_id: %s\nsource_type: RUN_OUTPUT\nstep: 0\ntags: {}\n",
                                 id, id);
        snprintf(rel, sizeof rel, "%s/%s/outputs/%s/meta.yaml", folder, run_id, id);
        if (rc == CIP_OK)
            rc = put(ctx, x, rel, &b);
    }
    sqlite3_finalize(st);
    cipi_buf_release(&b);
    return rc;
}

static cip_status export_run(cip_ctx *ctx, struct exporter *x, const cip_run_record *r)
{
    const char *folder = NULL;
    cip_status rc = exp_folder(ctx, x, r->experiment_id, &folder);
    if (rc == CIP_OK)
        rc = write_run_meta(ctx, x, r, folder);
    static const char *const subs[] = {"params", "tags", "metrics", "artifacts"};
    char dirs[4][4096];
    for (int k = 0; k < 4; k++) {
        int w = snprintf(dirs[k], sizeof dirs[k], "%s/%s/%s/%s", x->root, folder ? folder : "",
                         r->run_id, subs[k]);
        if (w < 0 || (size_t)w >= sizeof dirs[k])
            return cipi_fail(ctx, CIP_ERR_LIMIT, "export path is too long");
    }
    if (rc == CIP_OK)
        rc = write_kvs(ctx, dirs[0], r->params, r->n_params);
    if (rc == CIP_OK)
        rc = write_kvs(ctx, dirs[1], r->tags, r->n_tags);
    if (rc == CIP_OK)
        rc = write_metrics(ctx, x, dirs[2], r->run_id);
    if (rc == CIP_OK)
        rc = cipi_track_mkdirs(ctx, dirs[3]);
    if (rc == CIP_OK)
        rc = write_models(ctx, x, folder, r->run_id);
    return rc;
}

cip_status cip_store_export_filestore(cip_ctx *ctx, cip_store *s, const char *dir,
                                      const cip_run_query *q, size_t *n_runs)
{
    struct exporter *x = cipi_calloc(ctx, 1, sizeof *x);
    if (x == NULL)
        return CIP_ERR_NOMEM;
    x->s = s;
    cip_run_set *rs = NULL;
    cip_run_query all = {.max_results = INT64_MAX / 2};
    if (q != NULL) {
        all = *q;
        if (all.max_results <= 0)
            all.max_results = INT64_MAX / 2;
    }
    cip_status rc = cipi_track_abspath(ctx, dir, &x->root);
    const char *fixed[] = {".trash", "models"};
    for (int k = 0; rc == CIP_OK && k < 2; k++) {
        char path[4096];
        int w = snprintf(path, sizeof path, "%s/%s", x->root, fixed[k]);
        rc = w > 0 && (size_t)w < sizeof path ? cipi_track_mkdirs(ctx, path)
                                              : cipi_fail(ctx, CIP_ERR_LIMIT, "path too long");
    }
    const char *zero = NULL;
    if (rc == CIP_OK) /* MLflow expects the Default experiment folder */
        rc = exp_folder(ctx, x, 0, &zero);
    if (rc == CIP_OK)
        rc = cip_runs_search(ctx, s, &all, &rs);
    size_t i = 0;
    for (; rc == CIP_OK && i < cip_run_set_count(rs); i++)
        rc = export_run(ctx, x, cip_run_set_at(rs, i));
    if (rc == CIP_OK && n_runs != NULL)
        *n_runs = i;
    cip_run_set_free(rs);
    cipi_free(ctx, x->root);
    cipi_free(ctx, x);
    return rc;
}
