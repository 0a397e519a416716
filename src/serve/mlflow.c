/* mlflow.c - POST /invocations: MLflow's pyfunc scoring protocol on the first model
 *
 * As the real scoring server (docs/SERVE.md): application/json (dataframe_split,
 * dataframe_records, instances, inputs, optional params) or text/csv; the only
 * content-type parameter allowed is charset=utf-8 (else 415); bad bodies are 400
 * BAD_REQUEST, signature mismatches 400 INVALID_PARAMETER_VALUE; success is
 * {"predictions": [...]}: numbers (clv), segment ids (segments) or records
 * {"prediction": 0|1, "probability": p} (churn).
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <microhttpd.h>
#include <string.h>
#include <strings.h>

#include "serve_int.h"

enum media { MEDIA_JSON, MEDIA_CSV, MEDIA_BAD, MEDIA_CHARSET };

static void trim(const char **b, const char **e)
{
    while (*b < *e && isspace((unsigned char)**b))
        (*b)++;
    while (*e > *b && isspace((unsigned char)(*e)[-1]))
        (*e)--;
}

static bool word_is(const char *b, const char *e, const char *w)
{
    return (size_t)(e - b) == strlen(w) && strncasecmp(b, w, (size_t)(e - b)) == 0;
}

static enum media media_type(const char *ct)
{
    if (ct == NULL)
        return MEDIA_BAD;
    const char *end = ct + strlen(ct), *semi = strchr(ct, ';');
    const char *b = ct, *e = semi != NULL ? semi : end;
    trim(&b, &e);
    enum media m = word_is(b, e, "application/json") ? MEDIA_JSON
                   : word_is(b, e, "text/csv")       ? MEDIA_CSV
                                                     : MEDIA_BAD;
    while (m != MEDIA_BAD && semi != NULL) {
        const char *pb = semi + 1, *next = strchr(pb, ';'), *pe = next != NULL ? next : end;
        const char *eq = memchr(pb, '=', (size_t)(pe - pb));
        if (eq == NULL)
            return MEDIA_BAD;
        const char *kb = pb, *ke = eq, *vb = eq + 1, *ve = pe;
        trim(&kb, &ke);
        trim(&vb, &ve);
        if (ve - vb >= 2 && *vb == '"' && ve[-1] == '"') {
            vb++;
            ve--;
        }
        if (!word_is(kb, ke, "charset"))
            return MEDIA_BAD;
        if (!word_is(vb, ve, "utf-8") && !word_is(vb, ve, "utf8"))
            return MEDIA_CHARSET;
        semi = next;
    }
    return m;
}

/* The first slot with a loaded model (taken). */
static struct serve_model *primary(cip_server *s)
{
    for (size_t k = 0; k < s->n_slots; k++) {
        struct serve_model *m = cipi_serve_acquire(s, k);
        if (m != NULL)
            return m;
    }
    return NULL;
}

static cip_status write_predictions(struct serve_call *c, const struct serve_model *m,
                                    const cip_frame *pred)
{
    cip_ctx *ctx = c->ctx;
    struct cipi_json j;
    size_t n = cip_frame_n_rows(pred);
    cip_train_task task = cip_bundle_task(m->b);
    c->resp->status = 200;
    c->resp->ctype = "application/json";
    cipi_json_init(&j, &c->resp->body);
    cip_status rc = cipi_buf_reserve(ctx, &c->resp->body, 32 + n * 24);
    if (rc == CIP_OK)
        rc = cipi_json_begin(ctx, &j, '{');
    if (rc == CIP_OK)
        rc = cipi_json_key(ctx, &j, "predictions");
    if (rc == CIP_OK)
        rc = cipi_json_begin(ctx, &j, '[');
    for (size_t i = 0; rc == CIP_OK && i < n; i++) {
        if (task == CIP_TRAIN_CHURN) {
            rc = cipi_json_begin(ctx, &j, '{');
            if (rc == CIP_OK)
                rc = cipi_json_key(ctx, &j, "prediction");
            if (rc == CIP_OK)
                rc = cipi_json_int(ctx, &j, cip_frame_i64(pred, 1)[i]);
            if (rc == CIP_OK)
                rc = cipi_json_key(ctx, &j, "probability");
            if (rc == CIP_OK)
                rc = cipi_serve_json_num(ctx, &j, cip_frame_f64(pred, 0)[i]);
            if (rc == CIP_OK)
                rc = cipi_json_end(ctx, &j, '}');
        } else if (task == CIP_TRAIN_SEGMENTS) {
            rc = cipi_json_int(ctx, &j, cip_frame_i64(pred, 0)[i]);
        } else {
            rc = cipi_serve_json_num(ctx, &j, cip_frame_f64(pred, 0)[i]);
        }
    }
    if (rc == CIP_OK)
        rc = cipi_json_end(ctx, &j, ']');
    if (rc == CIP_OK)
        rc = cipi_json_end(ctx, &j, '}');
    return rc;
}

cip_status cipi_serve_invocations(struct serve_call *c)
{
    const char *ct =
        MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    enum media mt = media_type(ct);
    if (mt == MEDIA_CHARSET)
        return cipi_serve_error(c, 415, "BAD_REQUEST", "The scoring server only supports UTF-8");
    if (mt == MEDIA_BAD)
        return cipi_serve_error(c, 415, "BAD_REQUEST",
                                "content type '%s' is not supported; use application/json or "
                                "text/csv (charset=utf-8 is the only parameter allowed)",
                                ct != NULL ? ct : "(none)");
    struct serve_model *m = primary(c->srv);
    if (m == NULL)
        return cipi_serve_error(c, 503, "TEMPORARILY_UNAVAILABLE", "no model is loaded");
    cip_frame *x = NULL, *pred = NULL;
    cip_status rc =
        mt == MEDIA_JSON
            ? cip_serve_decode_json(c->ctx, m->sig, m->n_sig, c->body, c->body_len, &x)
            : cip_serve_decode_csv(c->ctx, m->sig, m->n_sig, c->body, c->body_len, 0, &x);
    if (rc == CIP_OK)
        rc = cip_bundle_predict(c->ctx, m->b, x, &pred);
    if (rc == CIP_OK)
        cipi_serve_monitor_add(c->ctx, m, x, pred);
    if (rc == CIP_OK)
        rc = write_predictions(c, m, pred);
    if (rc != CIP_OK)
        rc = cipi_serve_fail(c, rc);
    cip_frame_free(pred);
    cip_frame_free(x);
    cipi_serve_release(m);
    return rc;
}
