/* batch.c - POST /api/v1/score/batch: a customer CSV in, every model's scores out as CSV
 *
 * Output columns: user_id (the input's user_id / customer_id / id column,
 * matched case-insensitively, else the 0-based row number), predicted_clv,
 * churn_probability, churn_prediction, customer_segment (a model's columns are
 * left out when it is not loaded).
 * SPDX-License-Identifier: MIT
 */
#include <microhttpd.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "serve_int.h"

#define N_ROLES 3

/* The union of the loaded models' signatures (names borrowed from the models). */
static cip_status merged_sig(cip_ctx *ctx, struct serve_model *const m[N_ROLES],
                             cip_serve_field **out, size_t *n_out)
{
    size_t cap = 0, n = 0;
    for (int t = 0; t < N_ROLES; t++)
        cap += m[t] != NULL ? m[t]->n_sig : 0;
    cip_serve_field *f = cipi_calloc(ctx, cap ? cap : 1, sizeof *f);
    if (f == NULL)
        return CIP_ERR_NOMEM;
    for (int t = 0; t < N_ROLES; t++)
        for (size_t k = 0; m[t] != NULL && k < m[t]->n_sig; k++) {
            size_t q = 0;
            while (q < n && strcmp(f[q].name, m[t]->sig[k].name) != 0)
                q++;
            if (q == n)
                f[n++] = m[t]->sig[k];
        }
    *out = f;
    *n_out = n;
    return CIP_OK;
}

static long id_column(const cip_frame *f)
{
    static const char *const names[] = {"user_id", "customer_id", "id"};
    for (size_t k = 0; k < CIP_ARRAY_LEN(names); k++)
        for (size_t j = 0; j < cip_frame_n_cols(f); j++)
            if (strcasecmp(cip_frame_col_name(f, j), names[k]) == 0)
                return (long)j;
    return -1;
}

static cip_status put_text(cip_ctx *ctx, struct cipi_buf *b, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL)
        return cipi_buf_append(ctx, b, s, strlen(s));
    cip_status rc = cipi_buf_putc(ctx, b, '"');
    for (; rc == CIP_OK && *s != '\0'; s++)
        rc = *s == '"' ? cipi_buf_append(ctx, b, "\"\"", 2) : cipi_buf_putc(ctx, b, *s);
    return rc == CIP_OK ? cipi_buf_putc(ctx, b, '"') : rc;
}

static cip_status put_num(cip_ctx *ctx, struct cipi_buf *b, double v)
{
    char num[40];
    if (v != v)
        return CIP_OK;
    cipi_fmt_double(num, sizeof num, v);
    return cipi_buf_append(ctx, b, num, strlen(num));
}

static cip_status put_id(cip_ctx *ctx, struct cipi_buf *b, const cip_frame *f, long j, size_t i)
{
    if (j < 0)
        return cipi_buf_printf(ctx, b, "%zu", i);
    size_t c = (size_t)j;
    if (cip_frame_is_missing(f, c, i))
        return CIP_OK;
    switch (cip_frame_col_type(f, c)) {
    case CIP_TYPE_INT:
        return cipi_buf_printf(ctx, b, "%lld", (long long)cip_frame_i64(f, c)[i]);
    case CIP_TYPE_CAT:
        return put_text(ctx, b, cip_frame_level(f, c, cip_frame_codes(f, c)[i]));
    default:
        return put_num(ctx, b, cip_frame_get(f, c, i));
    }
}

static cip_status write_csv(cip_ctx *ctx, struct cipi_buf *b, const cip_frame *in,
                            cip_frame *const pred[N_ROLES])
{
    long idc = id_column(in);
    cip_status rc = cipi_buf_printf(ctx, b, "user_id");
    if (rc == CIP_OK && pred[CIP_TRAIN_CLV] != NULL)
        rc = cipi_buf_printf(ctx, b, ",predicted_clv");
    if (rc == CIP_OK && pred[CIP_TRAIN_CHURN] != NULL)
        rc = cipi_buf_printf(ctx, b, ",churn_probability,churn_prediction");
    if (rc == CIP_OK && pred[CIP_TRAIN_SEGMENTS] != NULL)
        rc = cipi_buf_printf(ctx, b, ",customer_segment");
    if (rc == CIP_OK)
        rc = cipi_buf_putc(ctx, b, '\n');
    for (size_t i = 0; rc == CIP_OK && i < cip_frame_n_rows(in); i++) {
        rc = put_id(ctx, b, in, idc, i);
        if (rc == CIP_OK && pred[CIP_TRAIN_CLV] != NULL) {
            rc = cipi_buf_putc(ctx, b, ',');
            if (rc == CIP_OK)
                rc = put_num(ctx, b, cip_frame_f64(pred[CIP_TRAIN_CLV], 0)[i]);
        }
        if (rc == CIP_OK && pred[CIP_TRAIN_CHURN] != NULL) {
            rc = cipi_buf_putc(ctx, b, ',');
            if (rc == CIP_OK)
                rc = put_num(ctx, b, cip_frame_f64(pred[CIP_TRAIN_CHURN], 0)[i]);
            if (rc == CIP_OK)
                rc = cipi_buf_printf(ctx, b, ",%lld",
                                     (long long)cip_frame_i64(pred[CIP_TRAIN_CHURN], 1)[i]);
        }
        if (rc == CIP_OK && pred[CIP_TRAIN_SEGMENTS] != NULL)
            rc = cipi_buf_printf(ctx, b, ",%lld",
                                 (long long)cip_frame_i64(pred[CIP_TRAIN_SEGMENTS], 0)[i]);
        if (rc == CIP_OK)
            rc = cipi_buf_putc(ctx, b, '\n');
    }
    return rc;
}

cip_status cipi_serve_batch(struct serve_call *c)
{
    struct serve_model *m[N_ROLES] = {NULL, NULL, NULL};
    cip_frame *pred[N_ROLES] = {NULL, NULL, NULL}, *in = NULL;
    cip_serve_field *sig = NULL;
    size_t n_sig = 0;
    const char *ct =
        MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (ct == NULL || strncasecmp(ct, "text/csv", 8) != 0 || (ct[8] != '\0' && ct[8] != ';'))
        return cipi_serve_error(c, 415, "BAD_REQUEST", "send the customer table as text/csv");
    for (size_t k = 0; k < c->srv->n_slots; k++) {
        struct serve_model *x = cipi_serve_acquire(c->srv, k);
        size_t t = x != NULL ? (size_t)cip_bundle_task(x->b) : 0;
        if (x != NULL && t < N_ROLES && m[t] == NULL)
            m[t] = x;
        else
            cipi_serve_release(x);
    }
    cip_status rc = merged_sig(c->ctx, m, &sig, &n_sig);
    if (rc == CIP_OK)
        rc = cip_serve_decode_csv(c->ctx, sig, n_sig, c->body, c->body_len, 1, &in);
    for (int t = 0; rc == CIP_OK && t < N_ROLES; t++)
        if (m[t] != NULL) {
            rc = cip_bundle_predict(c->ctx, m[t]->b, in, &pred[t]);
            if (rc == CIP_OK)
                cipi_serve_monitor_add(c->ctx, m[t], in, pred[t]);
        }
    if (rc == CIP_OK)
        rc = write_csv(c->ctx, &c->resp->body, in, pred);
    if (rc == CIP_OK) {
        c->resp->status = 200;
        c->resp->ctype = "text/csv; charset=utf-8";
    } else {
        rc = cipi_serve_fail(c, rc);
    }
    for (int t = 0; t < N_ROLES; t++) {
        cip_frame_free(pred[t]);
        cipi_serve_release(m[t]);
    }
    cip_frame_free(in);
    cipi_free(c->ctx, sig);
    return rc;
}
