/* score.c - POST /api/v1/score (one customer, explained) and /api/v1/score/batch (CSV)
 *
 * One customer: every loaded model scores the raw fields it needs; forests add
 * TreeSHAP contributions (sorted by |contribution|) and, for CLV, an 80%
 * band of the per-tree predictions; k-means adds the segment's size and
 * profile (centre in original units); a plain-text recommendation combines
 * them. Batch: a customer CSV in, a CSV of all models' scores out.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cip/scale.h"
#include "serve_int.h"

#define N_ROLES 3

struct scored {
    struct serve_model *m[N_ROLES]; /* by cip_train_task */
    double clv, lo, hi, proba;
    int64_t label, segment;
};

/* Take the first loaded model of each task. */
static void take_models(cip_server *s, struct serve_model *m[N_ROLES])
{
    for (size_t k = 0; k < s->n_slots; k++) {
        struct serve_model *x = cipi_serve_acquire(s, k);
        size_t t = x != NULL ? (size_t)cip_bundle_task(x->b) : 0;
        if (x != NULL && t < N_ROLES && m[t] == NULL)
            m[t] = x;
        else
            cipi_serve_release(x);
    }
}

struct contrib {
    const char *feature;
    double value, contribution;
};

static int by_abs_desc(const void *a, const void *b)
{
    double x = fabs(((const struct contrib *)a)->contribution);
    double y = fabs(((const struct contrib *)b)->contribution);
    return x < y ? 1 : x > y ? -1 : 0;
}

/* "base_value" and "contributions" of a forest for feature row x (omitted on failure,
 * e.g. an old model file without node covers). */
static cip_status explain(cip_ctx *ctx, struct cipi_json *j, const cip_forest *f, const double *x,
                          size_t cls)
{
    size_t p = cip_forest_n_features(f);
    double *phi = cipi_mallocarray(ctx, p + 1, sizeof *phi);
    struct contrib *c = cipi_mallocarray(ctx, p ? p : 1, sizeof *c);
    cip_status rc = phi == NULL || c == NULL ? CIP_ERR_NOMEM : CIP_OK;
    bool ok = rc == CIP_OK && cip_forest_shap_row(ctx, f, x, cls, phi) == CIP_OK;
    if (rc == CIP_OK && !ok)
        cip_ctx_clear_error(ctx);
    if (rc == CIP_OK)
        rc = cipi_json_key(ctx, j, "base_value");
    if (rc == CIP_OK)
        rc = ok ? cipi_serve_json_num(ctx, j, phi[p]) : cipi_json_null(ctx, j);
    if (rc == CIP_OK)
        rc = cipi_json_key(ctx, j, "contributions");
    if (rc == CIP_OK)
        rc = cipi_json_begin(ctx, j, '[');
    for (size_t k = 0; ok && rc == CIP_OK && k < p; k++) {
        c[k].feature = cip_forest_feature_name(f, k);
        c[k].value = x[k];
        c[k].contribution = phi[k];
    }
    if (ok && rc == CIP_OK)
        qsort(c, p, sizeof *c, by_abs_desc);
    for (size_t k = 0; ok && rc == CIP_OK && k < p; k++) {
        rc = cipi_json_begin(ctx, j, '{');
        if (rc == CIP_OK)
            rc = cipi_json_key(ctx, j, "feature");
        if (rc == CIP_OK)
            rc = cipi_json_str(ctx, j, c[k].feature);
        if (rc == CIP_OK)
            rc = cipi_json_key(ctx, j, "value");
        if (rc == CIP_OK)
            rc = cipi_serve_json_num(ctx, j, c[k].value);
        if (rc == CIP_OK)
            rc = cipi_json_key(ctx, j, "contribution");
        if (rc == CIP_OK)
            rc = cipi_serve_json_num(ctx, j, c[k].contribution);
        if (rc == CIP_OK)
            rc = cipi_json_end(ctx, j, '}');
    }
    if (rc == CIP_OK)
        rc = cipi_json_end(ctx, j, ']');
    cipi_free(ctx, phi);
    cipi_free(ctx, c);
    return rc;
}

/* Decode the body for model m and compute its predictions and feature row. */
static cip_status run_model(struct serve_call *c, struct serve_model *m, cip_frame **pred,
                            double **xrow)
{
    cip_frame *raw = NULL, *feat = NULL;
    cip_status rc = cip_serve_decode_record(c->ctx, m->sig, m->n_sig, c->body, c->body_len, &raw);
    if (rc == CIP_OK)
        rc = cip_bundle_predict(c->ctx, m->b, raw, pred);
    if (rc == CIP_OK)
        cipi_serve_monitor_add(c->ctx, m, raw, *pred);
    if (rc == CIP_OK)
        rc = cip_bundle_features(c->ctx, m->b, raw, &feat);
    size_t p = feat != NULL ? cip_frame_n_cols(feat) : 0;
    if (rc == CIP_OK)
        rc = (*xrow = cipi_mallocarray(c->ctx, p ? p : 1, sizeof **xrow)) == NULL ? CIP_ERR_NOMEM
                                                                                  : CIP_OK;
    for (size_t k = 0; rc == CIP_OK && k < p; k++)
        (*xrow)[k] = cip_frame_get(feat, k, 0);
    cip_frame_free(feat);
    cip_frame_free(raw);
    return rc;
}

static cip_status key_num(cip_ctx *ctx, struct cipi_json *j, const char *k, double v)
{
    cip_status rc = cipi_json_key(ctx, j, k);
    return rc == CIP_OK ? cipi_serve_json_num(ctx, j, v) : rc;
}

static cip_status clv_part(struct serve_call *c, struct cipi_json *j, struct scored *s)
{
    struct serve_model *m = s->m[CIP_TRAIN_CLV];
    cip_frame *pred = NULL;
    double *x = NULL;
    cip_status rc = run_model(c, m, &pred, &x);
    if (rc == CIP_OK) {
        s->clv = cip_frame_f64(pred, 0)[0];
        if (cip_forest_interval_row(c->ctx, cip_bundle_forest(m->b), x, 0.1, &s->lo, &s->hi) !=
            CIP_OK) {
            s->lo = s->hi = NAN;
            cip_ctx_clear_error(c->ctx);
        }
        rc = cipi_json_key(c->ctx, j, "clv");
    }
    if (rc == CIP_OK)
        rc = cipi_json_begin(c->ctx, j, '{');
    if (rc == CIP_OK)
        rc = key_num(c->ctx, j, "prediction", s->clv);
    if (rc == CIP_OK)
        rc = cipi_json_key(c->ctx, j, "interval");
    if (rc == CIP_OK)
        rc = cipi_json_begin(c->ctx, j, '[');
    if (rc == CIP_OK)
        rc = cipi_serve_json_num(c->ctx, j, s->lo);
    if (rc == CIP_OK)
        rc = cipi_serve_json_num(c->ctx, j, s->hi);
    if (rc == CIP_OK)
        rc = cipi_json_end(c->ctx, j, ']');
    if (rc == CIP_OK)
        rc = explain(c->ctx, j, cip_bundle_forest(m->b), x, 0);
    if (rc == CIP_OK)
        rc = cipi_json_end(c->ctx, j, '}');
    cip_frame_free(pred);
    cipi_free(c->ctx, x);
    return rc;
}

static cip_status churn_part(struct serve_call *c, struct cipi_json *j, struct scored *s)
{
    struct serve_model *m = s->m[CIP_TRAIN_CHURN];
    cip_frame *pred = NULL;
    double *x = NULL;
    size_t nc = 0;
    cip_forest_classes(cip_bundle_forest(m->b), &nc);
    cip_status rc = run_model(c, m, &pred, &x);
    if (rc == CIP_OK) {
        s->proba = cip_frame_f64(pred, 0)[0];
        s->label = cip_frame_i64(pred, 1)[0];
        rc = cipi_json_key(c->ctx, j, "churn");
    }
    if (rc == CIP_OK)
        rc = cipi_json_begin(c->ctx, j, '{');
    if (rc == CIP_OK)
        rc = key_num(c->ctx, j, "probability", s->proba);
    if (rc == CIP_OK)
        rc = cipi_json_key(c->ctx, j, "label");
    if (rc == CIP_OK)
        rc = cipi_json_int(c->ctx, j, s->label);
    if (rc == CIP_OK)
        rc = key_num(c->ctx, j, "threshold", 0.5);
    if (rc == CIP_OK)
        rc = explain(c->ctx, j, cip_bundle_forest(m->b), x, nc > 0 ? nc - 1 : 0);
    if (rc == CIP_OK)
        rc = cipi_json_end(c->ctx, j, '}');
    cip_frame_free(pred);
    cipi_free(c->ctx, x);
    return rc;
}

static cip_status profile(cip_ctx *ctx, struct cipi_json *j, const cip_kmeans *km, size_t k)
{
    size_t p = cip_kmeans_n_features(km);
    const cip_scaler *sc = cip_kmeans_scaler(km);
    double *v = cipi_mallocarray(ctx, p ? p : 1, sizeof *v);
    if (v == NULL)
        return CIP_ERR_NOMEM;
    const double *centre = cip_kmeans_centers(km) + k * p;
    if (sc != NULL)
        cip_scaler_inverse_row(sc, centre, v);
    else
        memcpy(v, centre, p * sizeof *v);
    cip_status rc = cipi_json_begin(ctx, j, '{');
    for (size_t f = 0; rc == CIP_OK && f < p; f++) {
        const char *name = cip_kmeans_feature_name(km, f);
        char def[32];
        snprintf(def, sizeof def, "x%zu", f);
        rc = key_num(ctx, j, name != NULL ? name : def, v[f]);
    }
    cipi_free(ctx, v);
    return rc == CIP_OK ? cipi_json_end(ctx, j, '}') : rc;
}

static cip_status segment_part(struct serve_call *c, struct cipi_json *j, struct scored *s)
{
    struct serve_model *m = s->m[CIP_TRAIN_SEGMENTS];
    const cip_kmeans *km = cip_bundle_kmeans(m->b);
    cip_frame *pred = NULL;
    double *x = NULL;
    cip_status rc = run_model(c, m, &pred, &x);
    if (rc == CIP_OK) {
        s->segment = cip_frame_i64(pred, 0)[0];
        rc = cipi_json_key(c->ctx, j, "segment");
    }
    if (rc == CIP_OK)
        rc = cipi_json_begin(c->ctx, j, '{');
    if (rc == CIP_OK)
        rc = cipi_json_key(c->ctx, j, "id");
    if (rc == CIP_OK)
        rc = cipi_json_int(c->ctx, j, s->segment);
    const uint64_t *sizes = cip_kmeans_cluster_sizes(km);
    if (rc == CIP_OK)
        rc = cipi_json_key(c->ctx, j, "size");
    if (rc == CIP_OK)
        rc = sizes != NULL ? cipi_json_int(c->ctx, j, (int64_t)sizes[s->segment])
                           : cipi_json_null(c->ctx, j);
    if (rc == CIP_OK)
        rc = cipi_json_key(c->ctx, j, "profile");
    if (rc == CIP_OK)
        rc = profile(c->ctx, j, km, (size_t)s->segment);
    if (rc == CIP_OK)
        rc = cipi_json_end(c->ctx, j, '}');
    cip_frame_free(pred);
    cipi_free(c->ctx, x);
    return rc;
}

/* Plain-text next step from the churn risk, value and segment. */
static void recommend(const struct scored *s, char *out, size_t size)
{
    size_t n = 0;
    int w = 0;
    if (s->m[CIP_TRAIN_CHURN] != NULL) {
        const char *level = s->proba >= 0.5 ? "High" : s->proba >= 0.3 ? "Moderate" : "Low";
        const char *what = s->proba >= 0.5   ? "contact this customer with a retention offer soon."
                           : s->proba >= 0.3 ? "keep them engaged (personal follow-up, loyalty "
                                               "reminder)."
                                             : "a good candidate for upselling and loyalty "
                                               "rewards.";
        w = snprintf(out, size, "%s churn risk (P(churn) = %.2f): %s", level, s->proba, what);
        n = w > 0 ? (size_t)w : 0;
    }
    if (s->m[CIP_TRAIN_CLV] != NULL && n < size) {
        w = snprintf(out + n, size - n, "%sPredicted value %.0f", n ? " " : "", s->clv);
        n += w > 0 ? (size_t)w : 0;
        if (n < size && isfinite(s->lo))
            w = snprintf(out + n, size - n, " (80%% band %.0f-%.0f)", s->lo, s->hi);
        n += w > 0 && isfinite(s->lo) ? (size_t)w : 0;
        if (n < size)
            w = snprintf(out + n, size - n, ".");
        n += w > 0 ? (size_t)w : 0;
    }
    if (s->m[CIP_TRAIN_SEGMENTS] != NULL && n < size)
        snprintf(out + n, size - n, "%sSegment %lld: tailor the offer to this segment's profile.",
                 n ? " " : "", (long long)s->segment);
    if (n == 0 && s->m[CIP_TRAIN_SEGMENTS] == NULL)
        snprintf(out, size, "No model could score this customer.");
}

cip_status cipi_serve_score(struct serve_call *c)
{
    struct scored s;
    memset(&s, 0, sizeof s);
    s.lo = s.hi = NAN;
    take_models(c->srv, s.m);
    struct cipi_json j;
    cipi_json_init(&j, &c->resp->body);
    cip_status rc = cipi_json_begin(c->ctx, &j, '{');
    if (rc == CIP_OK && s.m[CIP_TRAIN_CLV] != NULL)
        rc = clv_part(c, &j, &s);
    if (rc == CIP_OK && s.m[CIP_TRAIN_CHURN] != NULL)
        rc = churn_part(c, &j, &s);
    if (rc == CIP_OK && s.m[CIP_TRAIN_SEGMENTS] != NULL)
        rc = segment_part(c, &j, &s);
    char text[1024];
    recommend(&s, text, sizeof text);
    if (rc == CIP_OK)
        rc = cipi_json_key(c->ctx, &j, "recommendation");
    if (rc == CIP_OK)
        rc = cipi_json_str(c->ctx, &j, text);
    if (rc == CIP_OK)
        rc = cipi_json_end(c->ctx, &j, '}');
    if (rc == CIP_OK) {
        c->resp->status = 200;
        c->resp->ctype = "application/json";
    } else {
        rc = cipi_serve_fail(c, rc);
    }
    for (int k = 0; k < N_ROLES; k++)
        cipi_serve_release(s.m[k]);
    return rc;
}
