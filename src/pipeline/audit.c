/* audit.c - pipeline stage 2: audit both supervised tasks and act on the findings
 *
 * Each task is audited on the engineered table with the reference project's
 * original feature set (what it trained): CLV against purchase_amount, churn
 * against the churn label rule. The features the audit proves to leak
 * (cip_audit_choose_leaks) are excluded from that task's honest feature set,
 * or, in strict mode, the run is refused. A contamination finding (duplicate
 * feature vectors straddling the random split) switches the split to groups.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "pipeline_int.h"

static cip_status run_audit(struct pl_state *s, struct pl_model *m)
{
    cip_audit_params ap;
    cip_audit_params_default(&ap);
    int churn = m->task == CIP_TRAIN_CHURN;
    ap.target = churn ? "churn" : "purchase_amount";
    ap.label_rule = churn ? "churn" : NULL;
    ap.task = churn ? CIP_AUDIT_TASK_CLASSIFICATION : CIP_AUDIT_TASK_REGRESSION;
    ap.features = m->base;
    ap.n_features = m->n_base;
    ap.pipeline = s->fp_all;
    ap.split = churn ? CIP_SPLIT_STRATIFIED : CIP_SPLIT_RANDOM;
    ap.test_size = s->p->test_size;
    ap.seed = s->p->seed;
    ap.check_schema = 0; /* validated already */
    cip_status rc = cip_audit_run(s->ctx, s->eng_all, &ap, &m->audit);
    char *json = NULL;
    char name[64];
    snprintf(name, sizeof name, "audit_%s.json", m->name);
    if (rc == CIP_OK)
        rc = cip_audit_to_json(s->ctx, m->audit, s->p->data_path, &json);
    if (rc == CIP_OK && (m->audit_path = cipi_pl_path(s->ctx, s->p->out_dir, name)) == NULL)
        rc = cipi_nomem(s->ctx);
    if (rc == CIP_OK)
        rc = cipi_write_file_atomic(s->ctx, m->audit_path, json, strlen(json));
    cip_audit_free_string(s->ctx, json);
    return rc;
}

static cip_status choose(struct pl_state *s, struct pl_model *m)
{
    cip_audit_leak_params lp;
    cip_audit_leak_params_default(&lp);
    lp.features = m->base;
    lp.n_features = m->n_base;
    lp.pipeline = s->fp_all;
    lp.target_column = m->task == CIP_TRAIN_CLV ? "purchase_amount" : NULL;
    cip_status rc = cip_audit_choose_leaks(s->ctx, m->audit, &lp, &m->leaks);
    if (rc != CIP_OK)
        return rc;
    m->feats = cipi_mallocarray(s->ctx, m->n_base, sizeof *m->feats);
    if (m->feats == NULL)
        return cipi_nomem(s->ctx);
    for (size_t k = 0; k < m->n_base; k++)
        if (!cip_audit_leaks_has(m->leaks, m->base[k]))
            m->feats[m->n_feats++] = m->base[k];
    size_t nl = cip_audit_leaks_count(m->leaks);
    for (size_t k = 0; rc == CIP_OK && k < nl; k++) {
        const char *f = cip_audit_leaks_feature(m->leaks, k);
        int dup = 0;
        for (size_t j = 0; j < s->excluded.n; j++)
            dup |= strcmp(s->excluded.v[j], f) == 0;
        if (!dup)
            rc = cipi_pl_push(s->ctx, &s->excluded, "%s", f);
    }
    if (rc != CIP_OK || nl == 0)
        return rc;
    char list[1024] = "";
    for (size_t k = 0; k < nl; k++) {
        size_t len = strlen(list);
        snprintf(list + len, sizeof list - len, "%s%s", k ? ", " : "",
                 cip_audit_leaks_feature(m->leaks, k));
    }
    if (s->p->strict)
        rc = cipi_pl_push(s->ctx, &s->actions, "%s: %zu leaking feature%s found (%s)", m->name, nl,
                          nl == 1 ? "" : "s", list);
    else
        rc = cipi_pl_push(s->ctx, &s->actions, "%s: excluded %zu leaking feature%s: %s", m->name,
                          nl, nl == 1 ? "" : "s", list);
    for (size_t k = 0; rc == CIP_OK && k < nl; k++)
        rc = cipi_pl_push(s->ctx, &s->reasons, "%s: %s", m->name,
                          cip_audit_leaks_reason(m->leaks, k));
    return rc;
}

/* Contamination under the random split: share of test rows with a twin in the training rows. */
static double contamination(const cip_audit *a)
{
    long k = cip_audit_find(a, CIP_AUDIT_CONTAMINATION, NULL);
    if (k < 0)
        return 0.0;
    cip_audit_finding f;
    cip_audit_get(a, (size_t)k, &f);
    if (f.severity < CIP_AUDIT_WARNING)
        return 0.0;
    for (size_t j = 0; j < f.n_values; j++)
        if (strcmp(f.value_names[j], "share") == 0 && isfinite(f.values[j]))
            return f.values[j];
    return 0.0;
}

static cip_status decide(struct pl_state *s)
{
    double share = fmax(contamination(s->clv.audit), contamination(s->churn.audit));
    cip_status rc = CIP_OK;
    if (share > 0.0) {
        s->group = true;
        snprintf(s->split_reason, sizeof s->split_reason,
                 "duplicate feature vectors straddled a random split (%.0f%% of test rows)",
                 100.0 * share);
        rc = cipi_pl_push(s->ctx, &s->actions, "switched to a group split: %s", s->split_reason);
        if (rc == CIP_OK)
            rc = cipi_pl_push(s->ctx, &s->reasons, "the reference's random split leaks: %s",
                              s->split_reason);
    } else {
        snprintf(s->split_reason, sizeof s->split_reason,
                 "no duplicate feature vectors straddle a random split");
    }
    int any = cip_audit_leaks_count(s->clv.leaks) + cip_audit_leaks_count(s->churn.leaks) > 0;
    int warn = cip_audit_get_verdict(s->clv.audit) != CIP_AUDIT_CLEAN ||
               cip_audit_get_verdict(s->churn.audit) != CIP_AUDIT_CLEAN;
    if (any && s->p->strict) {
        s->refused = 1;
        s->audit_tag = "refused";
        if (rc == CIP_OK)
            rc = cipi_pl_push(s->ctx, &s->actions, "refused to train (strict): leaking features");
    } else {
        s->audit_tag = any ? "leaks-removed" : warn ? "warnings" : "clean";
    }
    return rc;
}

cip_status cipi_pl_audit(struct pl_state *s)
{
    cip_status rc = run_audit(s, &s->clv);
    if (rc == CIP_OK)
        rc = run_audit(s, &s->churn);
    if (rc == CIP_OK)
        rc = choose(s, &s->clv);
    if (rc == CIP_OK)
        rc = choose(s, &s->churn);
    if (rc == CIP_OK)
        rc = decide(s);
    return rc;
}
