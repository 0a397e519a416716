/* train_track.c - `cip train`: leakage audit of too-good-to-be-true held-out scores, and
 * logging of the trained model to the tracking store
 * SPDX-License-Identifier: MIT
 */
#include "train_track.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cip/audit.h"
#include "cip/registry.h"
#include "cip/runlog.h"

/* --- too good to be true ------------------------------------------------------------------ */
/* Held-out scores checked against --suspicious-above, with audit's metric names. */
static const char *const k_scores[][2] = {
    {"test_r2", "r2"}, {"test_f1", "f1"}, {"test_accuracy", "accuracy"}, {"roc_auc", "roc_auc"}};

/* Audit the modelling table of r (engineered + one-hot columns, as trained). */
static cip_status audit_table(cip_ctx *ctx, const struct train_opts *o, const cip_frame *f,
                              const cip_train_result *r, cip_audit **out)
{
    cip_frame *prep = NULL;
    char rule[300];
    cip_status st = cip_train_prepare(ctx, f, r->featpipe, (const char *const *)r->features,
                                      r->n_features, &prep);
    if (st != CIP_OK)
        return st;
    cip_audit_params ap;
    cip_audit_params_default(&ap);
    ap.target = r->target;
    ap.features = (const char *const *)r->features;
    ap.n_features = r->n_features;
    ap.pipeline = r->featpipe;
    if (r->label_rule != NULL) {
        snprintf(rule, sizeof rule, "%s > q%.17g",
                 o->p.label_column ? o->p.label_column : "churn_risk_score",
                 o->p.label_quantile * 100.0);
        ap.label_rule = rule;
    }
    ap.task =
        r->task == CIP_TRAIN_CHURN ? CIP_AUDIT_TASK_CLASSIFICATION : CIP_AUDIT_TASK_REGRESSION;
    ap.split = o->p.split >= 0              ? (cip_split_kind)o->p.split
               : r->task == CIP_TRAIN_CHURN ? CIP_SPLIT_STRATIFIED
                                            : CIP_SPLIT_RANDOM;
    if (o->p.test_size > 0 && o->p.test_size < 1)
        ap.test_size = o->p.test_size;
    ap.seed = o->p.seed;
    st = cip_audit_run(ctx, prep, &ap, out);
    cip_frame_free(prep);
    return st;
}

/* When a held-out score exceeds the threshold: audit, warn with the findings that explain
 * it, and write the audit JSON to a temporary file (json_path, for the run's audit.json).
 * *verdict = the audit verdict (NULL when not audited). Never fails the training. */
void train_suspicious_check(cip_ctx *ctx, const struct train_opts *o, const cip_frame *f,
                            const cip_train_result *r, const char **verdict, char *json_path,
                            size_t jp_size)
{
    *verdict = NULL;
    json_path[0] = '\0';
    bool any = false;
    for (size_t k = 0; k < sizeof k_scores / sizeof k_scores[0] && r->n_test > 0; k++)
        any = any || cip_train_result_metric(r, k_scores[k][0]) > o->suspicious_above;
    if (!any || r->task == CIP_TRAIN_SEGMENTS)
        return;
    cip_audit *a = NULL;
    if (audit_table(ctx, o, f, r, &a) != CIP_OK) {
        fprintf(stderr,
                "cip train: warning: held-out scores above %g look too good to be true, "
                "but the leakage audit failed: %s\n",
                o->suspicious_above, cip_ctx_errmsg(ctx));
        cip_ctx_clear_error(ctx);
        return;
    }
    *verdict = cip_audit_verdict_name(cip_audit_get_verdict(a));
    for (size_t k = 0; k < sizeof k_scores / sizeof k_scores[0]; k++) {
        double v = cip_train_result_metric(r, k_scores[k][0]);
        int susp = 0;
        char *text = NULL;
        if (!(v > o->suspicious_above))
            continue;
        if (cip_audit_explain_score(ctx, a, k_scores[k][1], v, &susp, &text) != CIP_OK) {
            cip_ctx_clear_error(ctx);
            continue;
        }
        fprintf(stderr,
                "cip train: warning: %s = %.4f (above %g) %s too good to be true; leakage "
                "audit verdict: %s\n  %s",
                k_scores[k][0], v, o->suspicious_above, susp ? "looks" : "may be", *verdict, text);
        cip_audit_free_string(ctx, text);
    }
    char *json = NULL;
    const char *tmp = getenv("TMPDIR");
    snprintf(json_path, jp_size, "%s/cip-audit-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    int fd = cip_audit_to_json(ctx, a, o->data, &json) == CIP_OK ? mkstemp(json_path) : -1;
    if (fd >= 0) {
        FILE *fp = fdopen(fd, "w");
        bool ok = fp != NULL && fputs(json, fp) >= 0;
        if (fp != NULL)
            ok = fclose(fp) == 0 && ok;
        else
            close(fd);
        if (!ok) {
            unlink(json_path);
            json_path[0] = '\0';
        }
    } else {
        json_path[0] = '\0';
        cip_ctx_clear_error(ctx);
    }
    cip_audit_free_string(ctx, json);
    cip_audit_free(a);
}

/* --- tracking ------------------------------------------------------------------------------ */
int train_track(cip_ctx *ctx, const struct train_opts *o, cip_store *s, const cip_frame *f,
                const cip_train_result *r, int64_t t0, const char *verdict, const char *audit_json)
{
    const char *uri = cip_store_resolve_uri(o->tracking_uri);
    char id[33];
    int64_t version = 0, champ = 0;
    cip_status st = CIP_OK;
    cip_runlog_params rp;
    cip_runlog_params_default(&rp);
    rp.experiment = o->experiment;
    rp.run_name = o->run_name;
    rp.command_line = o->cmdline;
    rp.data_path = strcmp(o->data, "-") == 0 ? NULL : o->data;
    rp.audit_verdict = verdict;
    rp.audit_json_path = audit_json && audit_json[0] ? audit_json : NULL;
    rp.register_name = o->register_name;
    rp.set_alias = o->register_name != NULL;
    rp.train = &o->p;
    rp.start_time_ms = t0;
    rp.source_name = "cip train";
    if (st == CIP_OK)
        st = cip_runlog_train(ctx, s, r, f, &rp, id, &version);
    int rc = CLI_OK;
    if (st != CIP_OK) {
        fprintf(stderr, "cip train: the model was trained but not logged (use --no-track to "
                        "skip tracking)\n");
        rc = cli_fail(ctx, st);
    } else {
        fprintf(stderr, "run %s logged to %s\n", id, uri);
        if (o->register_name != NULL) {
            if (cip_registry_get_alias(ctx, s, o->register_name, "champion", &champ) != CIP_OK)
                cip_ctx_clear_error(ctx);
            fprintf(stderr, "registered %s version %lld (alias %s)\n", o->register_name,
                    (long long)version, champ == version ? "champion" : "challenger");
        }
    }
    return rc;
}
