/* runlog.c - cip_runlog_train: one finished training as one MLflow run
 *
 * Order: fingerprint the data and write the bundle to a temporary directory
 * (nothing touches the store if either fails), start the run, log params,
 * metrics and tags in one batch, the artifacts, the LoggedModel "model", end
 * the run FINISHED, then register and alias. A failure after the run exists
 * ends it FAILED and returns the first error.
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cip/monitor.h"
#include "runlog_int.h"

void cip_runlog_params_default(cip_runlog_params *p)
{
    memset(p, 0, sizeof *p);
}

/* The bundle in a fresh temporary directory; files[] lists its files. */
struct bundle_tmp {
    char dir[4096];
    char files[5][4160];
    size_t n;
};

static cip_status bundle_write(cip_ctx *ctx, const cip_train_result *r, const cip_frame *raw,
                               struct bundle_tmp *b)
{
    const char *tmp = getenv("TMPDIR");
    if (tmp == NULL || tmp[0] == '\0')
        tmp = "/tmp";
    if ((size_t)snprintf(b->dir, sizeof b->dir, "%s/cip-runlog-XXXXXX", tmp) >= sizeof b->dir)
        return cipi_fail(ctx, CIP_ERR_IO, "TMPDIR is too long");
    if (mkdtemp(b->dir) == NULL) {
        int e = errno;
        b->dir[0] = '\0';
        return cipi_fail_errno(ctx, CIP_ERR_IO, e, "cannot create a temporary directory in '%s'",
                               tmp);
    }
    cip_status rc = cip_train_save_bundle(ctx, r, b->dir);
    /* reference statistics for monitoring (docs/MONITOR.md), from the raw table */
    if (rc == CIP_OK && raw != NULL)
        rc = cip_monitor_save_reference(ctx, r, raw, b->dir);
    static const char *const names[] = {"manifest.json", "model.forest", "model.kmeans",
                                        "featpipe.txt", "reference.json"};
    for (size_t k = 0; k < CIP_ARRAY_LEN(names) && b->n < CIP_ARRAY_LEN(b->files); k++) {
        struct stat st;
        char path[sizeof b->files[0]];
        snprintf(path, sizeof path, "%s/%s", b->dir, names[k]);
        if (stat(path, &st) == 0)
            memcpy(b->files[b->n++], path, sizeof path);
    }
    return rc;
}

static void bundle_remove(struct bundle_tmp *b)
{
    if (b->dir[0] == '\0')
        return;
    for (size_t k = 0; k < b->n; k++)
        (void)unlink(b->files[k]);
    (void)rmdir(b->dir);
}

static cip_status note_metric(cip_ctx *ctx, struct cipi_buf *b, const cip_train_result *r,
                              const char *name)
{
    double v = cip_train_result_metric(r, name);
    if (isnan(v))
        return CIP_OK;
    return cipi_buf_printf(ctx, b, "| %s | %.6g |\n", name, v);
}

/* The run description (mlflow.note.content), markdown. */
static cip_status make_note(cip_ctx *ctx, const cip_train_result *r, const cip_runlog_params *p,
                            char **out)
{
    static const char *const keys[] = {
        "test_r2",          "test_rmse",          "test_mae", "cv_r2_mean",    "test_f1",
        "roc_auc",          "precision",          "recall",   "test_accuracy", "cv_f1_mean",
        "silhouette_score", "optimal_n_clusters", "inertia"};
    struct cipi_buf b;
    cipi_buf_init(&b, ctx, 0);
    cip_status rc = cipi_buf_printf(ctx, &b, "**cip train %s**", cip_train_task_name(r->task));
    if (rc == CIP_OK && p->data_path != NULL)
        rc = cipi_buf_printf(ctx, &b, " on `%s`", p->data_path);
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, &b, ": %zu rows (train %zu, test %zu), %zu model features",
                             r->n_rows, r->n_train, r->n_test, r->n_features);
    if (rc == CIP_OK && r->target != NULL)
        rc = cipi_buf_printf(ctx, &b, ", target `%s`%s%s", r->target, r->label_rule ? " = " : "",
                             r->label_rule ? r->label_rule : "");
    if (rc == CIP_OK && r->best_params != NULL && r->best_params[0] != '\0')
        rc = cipi_buf_printf(ctx, &b, ".\n\nChosen parameters: `%s`", r->best_params);
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, &b, ".\n\n| metric | value |\n|---|---|\n");
    for (size_t k = 0; rc == CIP_OK && k < CIP_ARRAY_LEN(keys); k++)
        rc = note_metric(ctx, &b, r, keys[k]);
    if (rc == CIP_OK && p->audit_verdict != NULL)
        rc = cipi_buf_printf(ctx, &b, "\nLeakage audit: **%s**.\n", p->audit_verdict);
    if (rc == CIP_OK && p->note != NULL)
        rc = cipi_buf_printf(ctx, &b, "\n%s\n", p->note);
    if (rc == CIP_OK && b.len > 7900) /* MLflow's tag limit is 8000 */
        b.len = 7900, b.data[b.len] = '\0';
    if (rc != CIP_OK) {
        cipi_buf_release(&b);
        return rc;
    }
    *out = cipi_buf_detach(&b, NULL);
    return CIP_OK;
}

/* {"feature": importance, ...} */
static cip_status importances_json(cip_ctx *ctx, const cip_train_result *r, struct cipi_buf *b)
{
    cip_status rc = cipi_buf_putc(ctx, b, '{');
    for (size_t k = 0; rc == CIP_OK && k < r->n_features; k++) {
        char num[40];
        cipi_fmt_double(num, sizeof num, r->importances[k]);
        rc = cipi_buf_printf(ctx, b, "%s\n  \"", k ? "," : "");
        for (const char *c = r->features[k]; rc == CIP_OK && *c; c++)
            rc = (*c == '"' || *c == '\\')  ? cipi_buf_printf(ctx, b, "\\%c", *c)
                 : (unsigned char)*c < 0x20 ? cipi_buf_printf(ctx, b, "\\u%04x", *c)
                                            : cipi_buf_putc(ctx, b, *c);
        if (rc == CIP_OK)
            rc = cipi_buf_printf(ctx, b, "\": %s", isfinite(r->importances[k]) ? num : "null");
    }
    return rc == CIP_OK ? cipi_buf_printf(ctx, b, "\n}\n") : rc;
}

struct logstate {
    const cip_train_result *r;
    const cip_runlog_params *p;
    const char *fingerprint;
    struct bundle_tmp *bundle;
    struct cipi_runlog_sig *sig;
};

/* Params, metrics, tags (one batch), then the artifacts and the model. */
static cip_status log_contents(cip_ctx *ctx, cip_run *run, const struct logstate *ls)
{
    const cip_train_result *r = ls->r;
    const cip_runlog_params *p = ls->p;
    struct cipi_kvlist params = {0}, tags = {0};
    cip_metric *m = NULL;
    size_t n_m = 0;
    char cwd[4096];
    struct cipi_buf b;
    cipi_buf_init(&b, ctx, 0);
    cip_status rc = cipi_runlog_params(ctx, r, p, &params);
    if (rc == CIP_OK && p->data_path != NULL) {
        rc = cipi_kvlist_set(ctx, &params, "data_path", "%s", p->data_path);
        if (rc == CIP_OK)
            rc = cipi_kvlist_set(ctx, &params, "data_fingerprint", "%s", ls->fingerprint);
    }
    if (rc == CIP_OK)
        rc = cipi_runlog_metrics(ctx, r, &m, &n_m);
    if (rc == CIP_OK)
        rc = cipi_kvlist_set(ctx, &tags, "cip.task", "%s", cip_train_task_name(r->task));
    if (rc == CIP_OK && p->audit_verdict != NULL)
        rc = cipi_kvlist_set(ctx, &tags, "cip.audit", "%s", p->audit_verdict);
    if (rc == CIP_OK) /* cip_run_start wrote cip_build_info(); add the thread count */
        rc = cipi_kvlist_set(ctx, &tags, "cip.build", "%s; threads %d", cip_build_info(),
                             cip_ctx_threads(ctx));
    if (rc == CIP_OK && getcwd(cwd, sizeof cwd) != NULL)
        rc = cipi_kvlist_set(ctx, &tags, "cip.cwd", "%s", cwd);
    if (rc == CIP_OK)
        rc = cip_run_log_batch(ctx, run, params.v, params.n, tags.v, tags.n, m, n_m);
    if (rc == CIP_OK && p->audit_json_path != NULL)
        rc = cip_run_log_artifact(ctx, run, p->audit_json_path, "audit.json");
    for (size_t k = 0; rc == CIP_OK && k < p->n_extra_artifacts; k++)
        rc = cip_run_log_artifact(ctx, run, p->extra_artifacts[k], NULL);
    if (rc == CIP_OK && r->importances != NULL) {
        rc = importances_json(ctx, r, &b);
        if (rc == CIP_OK)
            rc = cip_run_log_text(ctx, run, "feature_importances.json", b.data, b.len);
    }
    /* manifest.json is the flavor's model_file; the rest are copied beside it */
    const char *files[4];
    for (size_t k = 1; k < ls->bundle->n; k++)
        files[k - 1] = ls->bundle->files[k];
    static const cip_model_column outs[3][2] = {
        {{"prediction", CIP_ML_DOUBLE}},
        {{"probability", CIP_ML_DOUBLE}, {"label", CIP_ML_LONG}},
        {{"segment", CIP_ML_LONG}}};
    size_t t = (size_t)r->task < 3 ? (size_t)r->task : 0;
    cip_model_spec spec = {.name = "model",
                           .flavor = "cip",
                           .model_file = ls->bundle->files[0],
                           .n_inputs = ls->sig->n,
                           .inputs = ls->sig->cols,
                           .n_outputs = t == 1 ? 2 : 1,
                           .outputs = outs[t],
                           .example = (const char *const *)ls->sig->example,
                           .n_files = ls->bundle->n > 0 ? ls->bundle->n - 1 : 0,
                           .files = files};
    if (rc == CIP_OK)
        rc = cip_run_log_model(ctx, run, &spec, NULL);
    cipi_buf_release(&b);
    cipi_free(ctx, m);
    cipi_kvlist_free(ctx, &params);
    cipi_kvlist_free(ctx, &tags);
    return rc;
}

static cip_status register_model(cip_ctx *ctx, cip_store *s, const char *run_id,
                                 const cip_runlog_params *p, int64_t *version)
{
    char source[64];
    snprintf(source, sizeof source, "runs:/%s/model", run_id);
    cip_status rc = cip_registry_register(ctx, s, p->register_name, source, NULL, version);
    if (rc != CIP_OK || !p->set_alias)
        return rc;
    int64_t cur = 0;
    const char *alias = "challenger";
    rc = cip_registry_get_alias(ctx, s, p->register_name, "champion", &cur);
    if (rc == CIP_ERR_NOT_FOUND) {
        cip_ctx_clear_error(ctx);
        alias = "champion";
    } else if (rc != CIP_OK) {
        return rc;
    }
    return cip_registry_set_alias(ctx, s, p->register_name, alias, *version);
}

/* End the run FAILED, keeping the first error's message. */
static cip_status fail_run(cip_ctx *ctx, cip_run *run, cip_status rc)
{
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", cip_ctx_errmsg(ctx));
    (void)cip_run_end(ctx, run, CIP_RUN_FAILED);
    return cipi_fail(ctx, rc, "%s", msg);
}

cip_status cip_runlog_train(cip_ctx *ctx, cip_store *s, const cip_train_result *r,
                            const cip_frame *raw_example, const cip_runlog_params *p,
                            char run_id_out[33], int64_t *version_out)
{
    if (version_out)
        *version_out = 0;
    cip_runlog_params def;
    if (p == NULL) {
        cip_runlog_params_default(&def);
        p = &def;
    }
    if (s == NULL || r == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "cip_runlog_train: store or result is NULL");
    if (p->n_extra_artifacts > 0 && p->extra_artifacts == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "cip_runlog_train: extra_artifacts is NULL");
    char fp[CIP_RUNLOG_FINGERPRINT_LEN] = "";
    char *note = NULL;
    struct bundle_tmp bundle = {.n = 0};
    struct cipi_runlog_sig sig = {0};
    cip_run *run = NULL;
    int64_t version = 0, t0 = p->start_time_ms > 0 ? p->start_time_ms : cipi_now_ms();
    cip_status rc = CIP_OK;
    if (p->data_path != NULL)
        rc = cip_runlog_file_fingerprint(ctx, p->data_path, fp);
    if (rc == CIP_OK)
        rc = bundle_write(ctx, r, raw_example, &bundle);
    if (rc == CIP_OK)
        rc = cipi_runlog_signature(ctx, r, raw_example, &sig);
    if (rc == CIP_OK)
        rc = make_note(ctx, r, p, &note);
    if (rc != CIP_OK)
        goto done;
    cip_run_params rp;
    cip_run_params_default(&rp);
    rp.experiment = p->experiment ? p->experiment : "cip";
    rp.run_name = p->run_name;
    rp.parent_run_id = p->parent_run_id;
    rp.source_name = p->source_name;
    rp.command_line = p->command_line;
    rp.note = note;
    rp.start_time_ms = t0;
    rc = cip_run_start(ctx, s, &rp, &run);
    if (rc != CIP_OK)
        goto done;
    char name[64];
    snprintf(name, sizeof name, "%s-%.8s", cip_train_task_name(r->task), cip_run_id(run));
    if (p->run_name == NULL)
        rc = cip_run_set_tag(ctx, run, "mlflow.runName", name);
    struct logstate ls = {r, p, fp, &bundle, &sig};
    if (rc == CIP_OK)
        rc = log_contents(ctx, run, &ls);
    if (rc == CIP_OK) {
        char dur[32];
        snprintf(dur, sizeof dur, "%.3f s", (double)(cipi_now_ms() - t0) / 1000.0);
        rc = cip_run_set_tag(ctx, run, "cip.duration", dur);
    }
    if (rc == CIP_OK)
        rc = cip_run_end(ctx, run, CIP_RUN_FINISHED);
    if (rc != CIP_OK) {
        rc = fail_run(ctx, run, rc);
        goto done;
    }
    if (p->register_name != NULL)
        rc = register_model(ctx, s, cip_run_id(run), p, &version);
    if (rc == CIP_OK && run_id_out != NULL)
        snprintf(run_id_out, 33, "%s", cip_run_id(run));
    if (rc == CIP_OK && version_out != NULL)
        *version_out = version;
done:
    bundle_remove(&bundle);
    cipi_runlog_sig_free(ctx, &sig);
    cipi_free(ctx, note);
    cip_run_free(run);
    return rc;
}
