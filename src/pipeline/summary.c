/* summary.c - the pipeline summary document (summary.json; docs/PIPELINE.md, contract C4)
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "pipeline_int.h"

struct jw {
    cip_ctx *ctx;
    struct cipi_json j;
    cip_status rc;
};

static void k(struct jw *w, const char *key)
{
    if (w->rc == CIP_OK)
        w->rc = cipi_json_key(w->ctx, &w->j, key);
}
static void open_(struct jw *w, const char *key, char c)
{
    if (key != NULL)
        k(w, key);
    if (w->rc == CIP_OK)
        w->rc = cipi_json_begin(w->ctx, &w->j, c);
}
static void close_(struct jw *w, char c)
{
    if (w->rc == CIP_OK)
        w->rc = cipi_json_end(w->ctx, &w->j, c);
}
static void str(struct jw *w, const char *key, const char *v)
{
    if (key != NULL)
        k(w, key);
    if (w->rc == CIP_OK)
        w->rc = v != NULL ? cipi_json_str(w->ctx, &w->j, v) : cipi_json_null(w->ctx, &w->j);
}
static void num(struct jw *w, const char *key, double v)
{
    if (key != NULL)
        k(w, key);
    if (w->rc == CIP_OK)
        w->rc = cipi_json_num(w->ctx, &w->j, v);
}
static void integer(struct jw *w, const char *key, int64_t v)
{
    if (key != NULL)
        k(w, key);
    if (w->rc == CIP_OK)
        w->rc = cipi_json_int(w->ctx, &w->j, v);
}
static void strs(struct jw *w, const char *key, char *const *v, size_t n)
{
    open_(w, key, '[');
    for (size_t i = 0; i < n; i++)
        str(w, NULL, v[i]);
    close_(w, ']');
}
/* At most PL_MAX_POINTS values of v (every step-th). */
static void nums(struct jw *w, const char *key, const double *v, size_t n)
{
    size_t step = (n + PL_MAX_POINTS - 1) / PL_MAX_POINTS;
    open_(w, key, '[');
    for (size_t i = 0; i < n; i += step ? step : 1)
        num(w, NULL, v[i]);
    close_(w, ']');
}
static void metric(struct jw *w, const cip_train_result *r, const char *name)
{
    num(w, name, r != NULL ? cip_train_result_metric(r, name) : (double)NAN);
}

static void params(struct jw *w, const cip_train_result *r)
{
    open_(w, "params", '{');
    const char *bp = r->best_params != NULL ? r->best_params : "";
    char buf[512];
    snprintf(buf, sizeof buf, "%s", bp);
    for (char *tok = buf; tok != NULL && *tok != '\0';) {
        char *semi = strchr(tok, ';');
        if (semi != NULL)
            *semi = '\0';
        char *eq = strchr(tok, '=');
        if (eq != NULL) {
            *eq = '\0';
            str(w, tok, eq + 1);
        }
        tok = semi != NULL ? semi + 1 : NULL;
    }
    close_(w, '}');
}

static void tracking(struct jw *w, const char *run_id, int64_t version, const char *alias,
                     const char *reg)
{
    char uri[96] = "", ver[32] = "";
    if (version > 0) {
        snprintf(uri, sizeof uri, "models:/%s/%lld", reg, (long long)version);
        snprintf(ver, sizeof ver, "%lld", (long long)version);
    }
    str(w, "run_id", run_id[0] ? run_id : NULL);
    str(w, "model_uri", uri[0] ? uri : NULL);
    str(w, "registered", version > 0 ? reg : NULL);
    str(w, "version", ver[0] ? ver : NULL);
    str(w, "alias", version > 0 ? alias : NULL);
}

static void importances(struct jw *w, char *const *names, const double *v, size_t n)
{
    open_(w, "importances", '[');
    for (size_t i = 0; v != NULL && i < n; i++) {
        open_(w, NULL, '{');
        str(w, "feature", names[i]);
        num(w, "importance", v[i]);
        close_(w, '}');
    }
    close_(w, ']');
}

static void lift(struct jw *w, const char *metric_name, double model, double base, int lower)
{
    open_(w, "lift", '{');
    str(w, "metric", metric_name);
    num(w, "model", model);
    num(w, "baseline", base);
    num(w, "relative",
        base != 0.0 ? (lower ? (base - model) / base : (model - base) / base) : (double)NAN);
    close_(w, '}');
}

static void model_common(struct jw *w, const struct pl_model *m, const char *reg)
{
    const cip_train_result *r = m->honest;
    tracking(w, m->run_id, m->version, m->alias, reg);
    strs(w, "features", r->features, r->n_features);
    params(w, r);
}

/* The leaky model's and the baseline's scores on the two headline metrics k0, k1. */
static void comparisons(struct jw *w, const struct pl_model *m, const char *baseline,
                        const char *k0, const char *k1)
{
    open_(w, "leaky_metrics", '{');
    metric(w, m->leaky, k0);
    metric(w, m->leaky, k1);
    close_(w, '}');
    open_(w, "baseline", '{');
    str(w, "name", baseline);
    open_(w, "metrics", '{');
    num(w, k0, m->base_score[0]);
    num(w, k1, m->base_score[1]);
    close_(w, '}');
    close_(w, '}');
}

static void clv(struct jw *w, const struct pl_model *m)
{
    const cip_train_result *r = m->honest;
    open_(w, "clv", '{');
    model_common(w, m, "cip-clv");
    open_(w, "metrics", '{');
    static const char *const names[] = {"train_r2", "test_r2",    "test_rmse", "rmse_to_std_ratio",
                                        "test_mae", "cv_r2_mean", "cv_r2_std"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        metric(w, r, names[i]);
    close_(w, '}');
    comparisons(w, m, "mean", "test_r2", "test_rmse");
    lift(w, "test_rmse", cip_train_result_metric(r, "test_rmse"), m->base_score[1], 1);
    importances(w, r->features, r->importances, r->n_features);
    nums(w, "actual", m->actual, m->n_test);
    nums(w, "predicted", m->pred, m->n_test);
    close_(w, '}');
}

static void curve(struct jw *w, const char *key, const cip_curve *c, const char *xk, const char *yk)
{
    open_(w, key, '{');
    nums(w, xk, c != NULL ? c->x : NULL, c != NULL ? c->n : 0);
    nums(w, yk, c != NULL ? c->y : NULL, c != NULL ? c->n : 0);
    close_(w, '}');
}

static void churn(struct jw *w, const struct pl_model *m)
{
    const cip_train_result *r = m->honest;
    open_(w, "churn", '{');
    model_common(w, m, "cip-churn");
    open_(w, "metrics", '{');
    static const char *const names[] = {"train_f1", "test_f1",       "precision",  "recall",
                                        "roc_auc",  "test_accuracy", "cv_f1_mean", "cv_f1_std"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        num(w, strcmp(names[i], "test_accuracy") == 0 ? "accuracy" : names[i],
            cip_train_result_metric(r, names[i]));
    close_(w, '}');
    comparisons(w, m, "prior", "test_f1", "roc_auc");
    lift(w, "roc_auc", cip_train_result_metric(r, "roc_auc"), m->base_score[1], 0);
    importances(w, r->features, r->importances, r->n_features);
    open_(w, "confusion", '[');
    for (size_t a = 0; a < 2; a++) {
        open_(w, NULL, '[');
        integer(w, NULL, (int64_t)m->confusion[a][0]);
        integer(w, NULL, (int64_t)m->confusion[a][1]);
        close_(w, ']');
    }
    close_(w, ']');
    curve(w, "roc", m->roc, "fpr", "tpr");
    curve(w, "pr", m->pr, "recall", "precision");
    close_(w, '}');
}

static void segments(struct jw *w, const struct pl_segments *g)
{
    const cip_train_result *r = g->r;
    open_(w, "segments", '{');
    tracking(w, g->run_id, g->version, g->alias, "cip-segments");
    strs(w, "features", r->features, r->n_features);
    params(w, r);
    open_(w, "metrics", '{');
    metric(w, r, "silhouette_score");
    metric(w, r, "inertia");
    metric(w, r, "optimal_n_clusters");
    close_(w, '}');
    open_(w, "sweep", '[');
    for (size_t i = 0; i < r->n_k; i++) {
        open_(w, NULL, '{');
        integer(w, "k", r->sweep[i].k);
        num(w, "silhouette", r->sweep[i].silhouette);
        num(w, "inertia", r->sweep[i].inertia);
        close_(w, '}');
    }
    close_(w, ']');
    open_(w, "sizes", '[');
    for (size_t q = 0; q < g->k; q++)
        integer(w, NULL, (int64_t)g->sizes[q]);
    close_(w, ']');
    open_(w, "profiles", '[');
    for (size_t q = 0; q < g->k; q++)
        nums(w, NULL, g->profiles + q * g->p, g->p);
    close_(w, ']');
    open_(w, "projection", '{');
    nums(w, "x", g->px, g->n_proj);
    nums(w, "y", g->py, g->n_proj);
    open_(w, "segment", '[');
    for (size_t i = 0; i < g->n_proj; i++)
        integer(w, NULL, g->pseg[i]);
    close_(w, ']');
    nums(w, "explained_variance", g->explained, 2);
    close_(w, '}');
    importances(w, r->features, g->importance, g->p);
    close_(w, '}');
}

static void criterion(struct jw *w, const char *model, const char *metric_name, double thr,
                      double v, double leaky)
{
    open_(w, NULL, '{');
    str(w, "model", model);
    str(w, "metric", metric_name);
    str(w, "op", ">");
    num(w, "threshold", thr);
    num(w, "value", v);
    num(w, "leaky_value", leaky);
    if (isfinite(v)) {
        k(w, "pass");
        if (w->rc == CIP_OK)
            w->rc = cipi_json_bool(w->ctx, &w->j, v > thr);
    } else {
        str(w, "pass", NULL);
    }
    close_(w, '}');
}

static void criteria(struct jw *w, const struct pl_state *s)
{
    open_(w, "criteria", '[');
    const cip_train_result *c = s->clv.honest, *cl = s->clv.leaky;
    const cip_train_result *h = s->churn.honest, *hl = s->churn.leaky;
    if (s->clv.present)
        criterion(w, "clv", "test_r2", 0.80, cip_train_result_metric(c, "test_r2"),
                  cl != NULL ? cip_train_result_metric(cl, "test_r2") : (double)NAN);
    if (s->churn.present) {
        criterion(w, "churn", "test_f1", 0.80, cip_train_result_metric(h, "test_f1"),
                  hl != NULL ? cip_train_result_metric(hl, "test_f1") : (double)NAN);
        criterion(w, "churn", "precision", 0.75, cip_train_result_metric(h, "precision"),
                  hl != NULL ? cip_train_result_metric(hl, "precision") : (double)NAN);
    }
    if (s->seg.present)
        criterion(w, "segments", "silhouette_score", 0.55,
                  cip_train_result_metric(s->seg.r, "silhouette_score"), NAN);
    close_(w, ']');
}

static void audit(struct jw *w, const struct pl_state *s)
{
    open_(w, "audit", '{');
    str(w, "verdict", s->audit_tag);
    open_(w, "findings", '[');
    const struct pl_model *ms[2] = {&s->clv, &s->churn};
    for (size_t m = 0; m < 2; m++) {
        for (size_t i = 0; ms[m]->audit != NULL && i < cip_audit_count(ms[m]->audit); i++) {
            cip_audit_finding f;
            cip_audit_get(ms[m]->audit, i, &f);
            if (f.severity == CIP_AUDIT_INFO)
                continue;
            open_(w, NULL, '{');
            str(w, "model", ms[m]->name);
            str(w, "kind", cip_audit_kind_name(f.kind));
            str(w, "severity", cip_audit_severity_name(f.severity));
            open_(w, "columns", '[');
            for (size_t c = 0; c < f.n_columns; c++)
                str(w, NULL, f.columns[c]);
            close_(w, ']');
            str(w, "title", f.expression != NULL ? f.expression : cip_audit_kind_name(f.kind));
            str(w, "evidence", f.message);
            str(w, "fix", f.fix);
            close_(w, '}');
        }
    }
    close_(w, ']');
    strs(w, "excluded_features", s->excluded.v, s->excluded.n);
    strs(w, "actions", s->actions.v, s->actions.n);
    close_(w, '}');
}

static void header(struct jw *w, const struct pl_state *s)
{
    str(w, "cip_version", cip_version());
    str(w, "command", s->p->command_line);
    integer(w, "seed", (int64_t)s->p->seed);
    str(w, "started", s->started);
    integer(w, "duration_ms", cipi_now_ms() - s->t0_ms);
    open_(w, "data", '{');
    str(w, "path", s->p->data_path);
    integer(w, "rows", (int64_t)s->n);
    integer(w, "columns", (int64_t)cip_frame_n_cols(s->raw));
    str(w, "fingerprint", s->fingerprint[0] ? s->fingerprint : NULL);
    close_(w, '}');
    open_(w, "validation", '{');
    integer(w, "errors", (int64_t)s->n_errors);
    integer(w, "warnings", (int64_t)s->n_warnings);
    strs(w, "messages", s->messages.v, s->messages.n);
    close_(w, '}');
    open_(w, "split", '{');
    str(w, "kind", s->split == NULL ? NULL : s->group ? "group" : "stratified");
    num(w, "test_size", s->p->test_size);
    integer(w, "n_train", (int64_t)s->n_train);
    integer(w, "n_test", (int64_t)s->n_test);
    str(w, "reason", s->split_reason[0] ? s->split_reason : NULL);
    close_(w, '}');
}

static void outputs(struct jw *w, const struct pl_state *s)
{
    open_(w, "outputs", '{');
    str(w, "dir", s->p->out_dir);
    str(w, "predictions", s->refused ? NULL : s->dir_predictions);
    str(w, "report", s->p->report ? s->dir_report : NULL);
    str(w, "summary", s->dir_summary);
    str(w, "tracking_uri", s->tracking_uri);
    str(w, "parent_run_id", s->parent_run_id[0] ? s->parent_run_id : NULL);
    char rep[80];
    snprintf(rep, sizeof rep, "cip runs reproduce %s", s->parent_run_id);
    str(w, "reproduce", s->parent_run_id[0] ? rep : NULL);
    strs(w, "notes", s->notes.v, s->notes.n);
    close_(w, '}');
}

cip_status cipi_pl_summary(struct pl_state *s, char **json_out)
{
    struct cipi_buf b;
    cipi_buf_init(&b, s->ctx, (size_t)64 << 20);
    struct jw w = {s->ctx, {0}, CIP_OK};
    cipi_json_init(&w.j, &b);
    *json_out = NULL;
    open_(&w, NULL, '{');
    header(&w, s);
    audit(&w, s);
    open_(&w, "verdict", '{');
    str(&w, "honesty", s->honesty != NULL ? s->honesty : s->refused ? "refused" : NULL);
    strs(&w, "reasons", s->reasons.v, s->reasons.n);
    close_(&w, '}');
    open_(&w, "models", '{');
    if (s->clv.present)
        clv(&w, &s->clv);
    if (s->churn.present)
        churn(&w, &s->churn);
    if (s->seg.present)
        segments(&w, &s->seg);
    close_(&w, '}');
    criteria(&w, s);
    k(&w, "transactions");
    if (w.rc == CIP_OK)
        w.rc = s->p->transactions_json != NULL
                   ? cipi_json_raw(s->ctx, &w.j, s->p->transactions_json)
                   : cipi_json_null(s->ctx, &w.j);
    outputs(&w, s);
    close_(&w, '}');
    if (w.rc == CIP_OK)
        w.rc = cipi_buf_putc(s->ctx, &b, '\n');
    if (w.rc != CIP_OK) {
        cipi_buf_release(&b);
        return w.rc;
    }
    size_t len;
    *json_out = cipi_buf_detach(&b, &len);
    return CIP_OK;
}
