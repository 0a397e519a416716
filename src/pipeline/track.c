/* track.c - pipeline stage 8: experiment tracking
 *
 * A parent run for the pipeline (cip_run_start) and one child run per model
 * through cip_runlog_train (contract C6): registered as cip-clv, cip-churn and
 * cip-segments, alias champion when the model has none, else challenger. The
 * parent gets the audit verdict tag, the headline metrics and the output files
 * (summary.json, report.html, predictions.csv, the audit reports).
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cip/registry.h"
#include "cip/runlog.h"
#include "pipeline_int.h"

struct pl_track {
    cip_store *store;
    cip_run *parent;
};

static cip_status child(struct pl_state *s, struct pl_track *t, const cip_train_result *r,
                        const char *reg, const char *audit_path, char run_id[33], int64_t *version,
                        const char **alias)
{
    cip_runlog_params rp;
    cip_runlog_params_default(&rp);
    rp.experiment = s->p->experiment;
    rp.parent_run_id = s->parent_run_id;
    rp.command_line = s->p->command_line;
    rp.data_path = s->p->data_path;
    rp.audit_verdict = audit_path != NULL ? s->audit_tag : NULL;
    rp.audit_json_path = audit_path;
    rp.register_name = reg;
    rp.set_alias = 1;
    rp.source_name = "cip pipeline";
    int64_t before = 0;
    int had = cip_registry_get_alias(s->ctx, t->store, reg, "champion", &before) == CIP_OK;
    cip_ctx_clear_error(s->ctx);
    cip_status rc = cip_runlog_train(s->ctx, t->store, r, s->raw, &rp, run_id, version);
    *alias = had ? "challenger" : "champion";
    return rc;
}

/* Opens the store and the parent run, logs every model's child run. The
 * handles stay in s->track until cipi_pl_track_finish. */
cip_status cipi_pl_track(struct pl_state *s)
{
    if (!s->p->track)
        return CIP_OK;
    struct pl_track *t = cipi_calloc(s->ctx, 1, sizeof *t);
    if (t == NULL)
        return cipi_nomem(s->ctx);
    s->track = t;
    const char *uri = cip_store_resolve_uri(s->p->tracking_uri);
    s->tracking_uri = cipi_strdup(s->ctx, uri);
    if (s->tracking_uri == NULL)
        return cipi_nomem(s->ctx);
    cip_status rc = cip_store_open(s->ctx, uri, NULL, &t->store);
    cip_run_params rp;
    cip_run_params_default(&rp);
    rp.experiment = s->p->experiment;
    rp.run_name = "pipeline";
    rp.command_line = s->p->command_line;
    rp.source_name = "cip pipeline";
    rp.start_time_ms = s->t0_ms;
    if (rc == CIP_OK)
        rc = cip_run_start(s->ctx, t->store, &rp, &t->parent);
    if (rc != CIP_OK)
        return rc;
    snprintf(s->parent_run_id, sizeof s->parent_run_id, "%s", cip_run_id(t->parent));
    if (s->clv.present)
        rc = child(s, t, s->clv.honest, "cip-clv", s->clv.audit_path, s->clv.run_id,
                   &s->clv.version, &s->clv.alias);
    if (rc == CIP_OK && s->churn.present)
        rc = child(s, t, s->churn.honest, "cip-churn", s->churn.audit_path, s->churn.run_id,
                   &s->churn.version, &s->churn.alias);
    if (rc == CIP_OK && s->seg.present)
        rc = child(s, t, s->seg.r, "cip-segments", NULL, s->seg.run_id, &s->seg.version,
                   &s->seg.alias);
    return rc;
}

static cip_status log_parent(struct pl_state *s, struct pl_track *t)
{
    cip_ctx *ctx = s->ctx;
    cip_status rc = cip_run_set_tag(ctx, t->parent, "cip.audit", s->audit_tag);
    if (rc == CIP_OK && s->honesty != NULL)
        rc = cip_run_set_tag(ctx, t->parent, "cip.honesty", s->honesty);
    if (rc == CIP_OK && s->p->data_path != NULL)
        rc = cip_run_log_param(ctx, t->parent, "data_path", s->p->data_path);
    if (rc == CIP_OK && s->fingerprint[0] != '\0')
        rc = cip_run_log_param(ctx, t->parent, "data_fingerprint", s->fingerprint);
    if (rc == CIP_OK)
        rc = cip_run_log_param(ctx, t->parent, "split", s->group ? "group" : "stratified");
    const struct {
        const char *key;
        const cip_train_result *r;
        const char *name;
    } ms[] = {
        {"clv_test_r2", s->clv.honest, "test_r2"},
        {"clv_leaky_test_r2", s->clv.leaky, "test_r2"},
        {"churn_test_f1", s->churn.honest, "test_f1"},
        {"churn_roc_auc", s->churn.honest, "roc_auc"},
        {"churn_leaky_test_f1", s->churn.leaky, "test_f1"},
        {"segments_silhouette", s->seg.r, "silhouette_score"},
    };
    for (size_t k = 0; rc == CIP_OK && k < sizeof ms / sizeof ms[0]; k++) {
        double v = ms[k].r != NULL ? cip_train_result_metric(ms[k].r, ms[k].name) : (double)NAN;
        if (isfinite(v))
            rc = cip_run_log_metric(ctx, t->parent, ms[k].key, v, 0);
    }
    const char *files[] = {s->dir_predictions, s->p->report ? s->dir_report : NULL,
                           s->clv.audit_path, s->churn.audit_path};
    for (size_t k = 0; rc == CIP_OK && k < sizeof files / sizeof files[0]; k++) {
        FILE *f = files[k] != NULL ? fopen(files[k], "rb") : NULL;
        if (f == NULL)
            continue;
        fclose(f);
        rc = cip_run_log_artifact(ctx, t->parent, files[k], NULL);
    }
    /* the parent carries tag cip.audit too: give it the CLV audit as audit.json (C3) */
    if (rc == CIP_OK && s->clv.audit_path != NULL)
        rc = cip_run_log_artifact(ctx, t->parent, s->clv.audit_path, "audit.json");
    return rc;
}

cip_status cipi_pl_track_finish(struct pl_state *s, const char *summary_path, int ok)
{
    struct pl_track *t = s->track;
    if (t == NULL)
        return CIP_OK;
    cip_status rc = CIP_OK;
    if (t->parent != NULL && ok) {
        rc = log_parent(s, t);
        if (rc == CIP_OK && summary_path != NULL)
            rc = cip_run_log_artifact(s->ctx, t->parent, summary_path, "summary.json");
        if (rc == CIP_OK)
            rc = cip_run_end(s->ctx, t->parent, CIP_RUN_FINISHED);
    } else if (t->parent != NULL) {
        (void)cip_run_end(s->ctx, t->parent, CIP_RUN_FAILED);
    }
    cip_run_free(t->parent);
    cip_store_close(t->store);
    cipi_free(s->ctx, t);
    s->track = NULL;
    return rc;
}
