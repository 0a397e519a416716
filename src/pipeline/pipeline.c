/* pipeline.c - cip_pipeline_run: the stages in order, params and the result object
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cip/report.h"
#include "cip/runlog.h"
#include "pipeline_int.h"

enum { STAGES = 9 };

struct cip_pipeline_result {
    struct cipi_alloc a;
    int refused;
    const char *honesty;
    char *json, *text;
};

void cip_pipeline_params_default(cip_pipeline_params *p)
{
    memset(p, 0, sizeof *p);
    p->out_dir = "out";
    p->grid = "production";
    p->cv = 5;
    p->test_size = 0.2;
    p->seed = 42;
    p->leaky = 1;
    p->track = 1;
    p->experiment = "cip";
    p->report = 1;
    p->search_rows = 5000;
    p->leaky_rows = 100000;
}

static cip_status bad(cip_ctx *ctx, const char *msg)
{
    return ctx != NULL ? cipi_fail(ctx, CIP_ERR_INVALID, "%s", msg) : CIP_ERR_INVALID;
}

cip_status cip_pipeline_params_check(cip_ctx *ctx, const cip_pipeline_params *p)
{
    if (p == NULL)
        return ctx != NULL ? cipi_fail(ctx, CIP_ERR_MISUSE, "pipeline params are NULL")
                           : CIP_ERR_MISUSE;
    if (p->out_dir == NULL || p->out_dir[0] == '\0')
        return bad(ctx, "out_dir is required");
    if (p->cv == 1)
        return bad(ctx, "cv must be 0 (none) or >= 2, got 1");
    if (!(p->test_size > 0.0 && p->test_size < 1.0))
        return bad(ctx, "test_size must be in (0, 1)");
    if (p->search_rows > 0 && p->search_rows < 100)
        return bad(ctx, "search_rows must be 0 or >= 100");
    return CIP_OK;
}

static void stage(struct pl_state *s, uint64_t k)
{
    cipi_progress(s->ctx, "pipeline", k, STAGES);
}

static void model_release(cip_ctx *ctx, struct pl_model *m)
{
    cip_audit_free(m->audit);
    cip_audit_leaks_free(m->leaks);
    cipi_free(ctx, m->audit_path);
    cipi_free(ctx, (void *)m->feats);
    cip_train_result_free(m->honest);
    cip_train_result_free(m->leaky);
    cipi_free(ctx, m->actual);
    cipi_free(ctx, m->pred);
    cipi_free(ctx, m->pred_all);
    cip_curve_free(m->roc);
    cip_curve_free(m->pr);
    cip_audit_free_string(ctx, m->explain_leaky);
    cip_audit_free_string(ctx, m->explain_honest);
}

static void state_release(struct pl_state *s)
{
    cip_ctx *ctx = s->ctx;
    (void)cipi_pl_track_finish(s, NULL, 0);
    model_release(ctx, &s->clv);
    model_release(ctx, &s->churn);
    struct pl_segments *g = &s->seg;
    cip_train_result_free(g->r);
    void *segp[] = {g->labels, g->sizes, g->profiles, g->importance, g->px, g->py, g->pseg};
    for (size_t k = 0; k < sizeof segp / sizeof segp[0]; k++)
        cipi_free(ctx, segp[k]);
    cip_featpipe_free(s->fp_all);
    cip_frame_free(s->eng_all);
    cip_split_free(s->split);
    struct pl_strs *l[] = {&s->messages, &s->actions, &s->reasons, &s->excluded, &s->notes};
    for (size_t k = 0; k < sizeof l / sizeof l[0]; k++)
        cipi_pl_strs_release(ctx, l[k]);
    cipi_free(ctx, s->dir_predictions);
    cipi_free(ctx, s->dir_summary);
    cipi_free(ctx, s->dir_report);
    cipi_free(ctx, s->tracking_uri);
}

static cip_status init(struct pl_state *s)
{
    const cip_pipeline_params *p = s->p;
    s->t0_ms = cipi_now_ms();
    time_t now = (time_t)(s->t0_ms / 1000);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(s->started, sizeof s->started, "%Y-%m-%dT%H:%M:%SZ", &tm);
    /* the reference project's original feature sets (what it trained) */
    s->clv = (struct pl_model){.task = CIP_TRAIN_CLV, .name = "clv"};
    s->clv.base =
        cip_train_preset_features(CIP_TRAIN_CLV, CIP_TRAIN_PRESET_ORIGINAL, &s->clv.n_base);
    s->churn = (struct pl_model){.task = CIP_TRAIN_CHURN, .name = "churn"};
    s->churn.base =
        cip_train_preset_features(CIP_TRAIN_CHURN, CIP_TRAIN_PRESET_ORIGINAL, &s->churn.n_base);
    if (mkdir(p->out_dir, 0755) != 0 && errno != EEXIST)
        return cipi_fail_errno(s->ctx, CIP_ERR_IO, errno, "cannot create '%s'", p->out_dir);
    s->dir_predictions = cipi_pl_path(s->ctx, p->out_dir, "predictions.csv");
    s->dir_summary = cipi_pl_path(s->ctx, p->out_dir, "summary.json");
    s->dir_report = cipi_pl_path(s->ctx, p->out_dir, "report.html");
    if (!s->dir_predictions || !s->dir_summary || !s->dir_report)
        return cipi_nomem(s->ctx);
    if (p->data_path != NULL &&
        cip_runlog_file_fingerprint(s->ctx, p->data_path, s->fingerprint) != CIP_OK) {
        cip_ctx_clear_error(s->ctx); /* e.g. stdin: no fingerprint */
        s->fingerprint[0] = '\0';
    }
    s->audit_tag = "clean";
    return CIP_OK;
}

/* Training, evaluation, segments, tracking and predictions. */
static cip_status models(struct pl_state *s)
{
    cip_status rc = cipi_pl_split(s);
    stage(s, 3);
    if (rc == CIP_OK)
        rc = cipi_pl_train(s, &s->clv);
    if (rc == CIP_OK && s->clv.present)
        rc = cipi_pl_evaluate(s, &s->clv);
    stage(s, 4);
    if (rc == CIP_OK)
        rc = cipi_pl_train(s, &s->churn);
    if (rc == CIP_OK && s->churn.present)
        rc = cipi_pl_evaluate(s, &s->churn);
    stage(s, 5);
    if (rc == CIP_OK)
        rc = cipi_pl_segments(s);
    if (rc == CIP_OK)
        rc = cipi_pl_verdict(s);
    stage(s, 6);
    if (rc == CIP_OK)
        rc = cipi_pl_track(s);
    stage(s, 7);
    if (rc == CIP_OK)
        rc = cipi_pl_predictions(s);
    return rc;
}

static cip_status outputs(struct pl_state *s, cip_pipeline_result *res)
{
    cip_status rc = cipi_pl_summary(s, &res->json);
    if (rc == CIP_OK)
        rc = cipi_write_file_atomic(s->ctx, s->dir_summary, res->json, strlen(res->json));
    if (rc == CIP_OK && s->p->report && !s->refused)
        rc = cip_report_render_file(s->ctx, s->dir_summary, s->dir_report);
    stage(s, 8);
    if (rc == CIP_OK)
        rc = cipi_pl_track_finish(s, s->dir_summary, 1);
    if (rc == CIP_OK)
        rc = cipi_pl_text(s, &res->text);
    return rc;
}

cip_status cip_pipeline_run(cip_ctx *ctx, const cip_frame *data, const cip_pipeline_params *p,
                            cip_pipeline_result **out)
{
    *out = NULL;
    if (data == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "cip_pipeline_run: NULL frame");
    cip_status rc = cip_pipeline_params_check(ctx, p);
    if (rc != CIP_OK)
        return rc;
    struct pl_state s;
    memset(&s, 0, sizeof s);
    s.ctx = ctx;
    s.p = p;
    s.raw = data;
    s.n = cip_frame_n_rows(data);
    cip_pipeline_result *res = cipi_calloc(ctx, 1, sizeof *res);
    rc = res == NULL ? cipi_nomem(ctx) : init(&s);
    stage(&s, 0);
    if (rc == CIP_OK)
        rc = cipi_pl_validate(&s);
    stage(&s, 1);
    if (rc == CIP_OK && !s.refused)
        rc = cipi_pl_audit(&s);
    stage(&s, 2);
    if (rc == CIP_OK && !s.refused)
        rc = models(&s);
    else if (rc == CIP_OK) /* a refused run is recorded too (tag cip.audit=refused) */
        rc = cipi_pl_track(&s);
    if (rc == CIP_OK)
        rc = outputs(&s, res);
    stage(&s, STAGES);
    if (rc == CIP_OK) {
        res->a = cipi_ctx_alloc(ctx);
        res->refused = s.refused;
        res->honesty = s.honesty != NULL ? s.honesty : "refused";
    }
    state_release(&s);
    if (rc != CIP_OK) {
        if (res != NULL) {
            cipi_free(ctx, res->json);
            cipi_free(ctx, res->text);
            cipi_free(ctx, res);
        }
        return rc;
    }
    *out = res;
    return CIP_OK;
}

void cip_pipeline_result_free(cip_pipeline_result *r)
{
    if (r == NULL)
        return;
    struct cipi_alloc a = r->a;
    cipi_afree(&a, r->json);
    cipi_afree(&a, r->text);
    cipi_afree(&a, r);
}

int cip_pipeline_refused(const cip_pipeline_result *r)
{
    return r->refused;
}

const char *cip_pipeline_summary_json(const cip_pipeline_result *r)
{
    return r->json;
}

const char *cip_pipeline_text(const cip_pipeline_result *r)
{
    return r->text;
}

const char *cip_pipeline_honesty(const cip_pipeline_result *r)
{
    return r->honesty;
}
