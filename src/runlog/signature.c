/* signature.c - the raw input columns of a trained model, for the MLmodel
 * signature and input example
 *
 * A model trained through the feature pipeline needs the pipeline's six raw
 * customer columns (the transform reads all of them); any other model needs
 * its feature columns, with one-hot columns "col=level" mapped back to col.
 * Columns are listed in the raw table's order (then any not found in it), and
 * typed from the raw table: int -> long, float -> double, bool -> boolean,
 * category -> string. The example is the raw table's first row.
 * SPDX-License-Identifier: MIT
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "runlog_int.h"

static const char *const k_pipeline_inputs[] = {
    "age", "annual_income", "purchase_amount", "loyalty_score", "purchase_frequency", "region"};

void cipi_runlog_sig_free(cip_ctx *ctx, struct cipi_runlog_sig *sig)
{
    for (size_t i = 0; i < sig->n; i++) {
        if (sig->cols != NULL)
            cipi_free(ctx, (char *)sig->cols[i].name);
        if (sig->example != NULL)
            cipi_free(ctx, sig->example[i]);
    }
    cipi_free(ctx, sig->cols);
    cipi_free(ctx, sig->example);
    memset(sig, 0, sizeof *sig);
}

/* Raw column a model feature comes from: the name itself when raw has it,
 * else the part before '=' of a one-hot name when raw has that. Writes into
 * buf; returns its column index in raw or -1. */
static long raw_source(const cip_frame *raw, const char *feat, char *buf, size_t size)
{
    snprintf(buf, size, "%s", feat);
    if (raw == NULL)
        return -1;
    for (size_t j = 0; j < cip_frame_n_cols(raw); j++)
        if (strcmp(cip_frame_col_name(raw, j), feat) == 0)
            return (long)j;
    const char *eq = strchr(feat, '=');
    if (eq == NULL)
        return -1;
    snprintf(buf, size, "%.*s", (int)(eq - feat), feat);
    for (size_t j = 0; j < cip_frame_n_cols(raw); j++)
        if (strcmp(cip_frame_col_name(raw, j), buf) == 0)
            return (long)j;
    snprintf(buf, size, "%s", feat);
    return -1;
}

static cip_ml_type ml_type(cip_type t)
{
    switch (t) {
    case CIP_TYPE_INT:
        return CIP_ML_LONG;
    case CIP_TYPE_BOOL:
        return CIP_ML_BOOLEAN;
    case CIP_TYPE_CAT:
        return CIP_ML_STRING;
    default:
        return CIP_ML_DOUBLE;
    }
}

/* Text of raw[j][0], or NULL when missing (owned). */
static cip_status cell_text(cip_ctx *ctx, const cip_frame *raw, size_t j, char **out)
{
    *out = NULL;
    if (cip_frame_n_rows(raw) == 0 || cip_frame_is_missing(raw, j, 0))
        return CIP_OK;
    char num[64];
    switch (cip_frame_col_type(raw, j)) {
    case CIP_TYPE_INT:
        snprintf(num, sizeof num, "%" PRId64, cip_frame_i64(raw, j)[0]);
        break;
    case CIP_TYPE_BOOL:
        snprintf(num, sizeof num, "%s", cip_frame_bool(raw, j)[0] ? "true" : "false");
        break;
    case CIP_TYPE_CAT:
        *out = cipi_strdup(ctx, cip_frame_level(raw, j, cip_frame_codes(raw, j)[0]));
        return *out ? CIP_OK : CIP_ERR_NOMEM;
    default:
        cipi_fmt_double(num, sizeof num, cip_frame_f64(raw, j)[0]);
    }
    *out = cipi_strdup(ctx, num);
    return *out ? CIP_OK : CIP_ERR_NOMEM;
}

/* Add column `name` (raw index j or -1) unless already there. */
static cip_status add_col(cip_ctx *ctx, struct cipi_runlog_sig *sig, const cip_frame *raw,
                          const char *name, long j)
{
    for (size_t i = 0; i < sig->n; i++)
        if (strcmp(sig->cols[i].name, name) == 0)
            return CIP_OK;
    char *copy = cipi_strdup(ctx, name);
    if (copy == NULL)
        return CIP_ERR_NOMEM;
    sig->cols[sig->n].name = copy;
    sig->cols[sig->n].type = j >= 0 ? ml_type(cip_frame_col_type(raw, (size_t)j)) : CIP_ML_DOUBLE;
    sig->n++; /* counted before the example so that free releases the name */
    if (j >= 0 && sig->example != NULL)
        return cell_text(ctx, raw, (size_t)j, &sig->example[sig->n - 1]);
    return CIP_OK;
}

cip_status cipi_runlog_signature(cip_ctx *ctx, const cip_train_result *r, const cip_frame *raw,
                                 struct cipi_runlog_sig *sig)
{
    memset(sig, 0, sizeof *sig);
    size_t n_pipe = CIP_ARRAY_LEN(k_pipeline_inputs);
    size_t cap = r->n_features + n_pipe + 1;
    char name[512];
    sig->cols = cipi_calloc(ctx, cap, sizeof *sig->cols);
    if (sig->cols == NULL)
        return CIP_ERR_NOMEM;
    bool with_example = raw != NULL && cip_frame_n_rows(raw) > 0;
    if (with_example) {
        sig->example = cipi_calloc(ctx, cap, sizeof *sig->example);
        if (sig->example == NULL) {
            cipi_runlog_sig_free(ctx, sig);
            return CIP_ERR_NOMEM;
        }
    }
    /* needed names, then emitted in raw order first */
    const char **need = cipi_calloc(ctx, cap, sizeof *need);
    char **owned = cipi_calloc(ctx, cap, sizeof *owned);
    size_t n_need = 0;
    cip_status rc = need && owned ? CIP_OK : CIP_ERR_NOMEM;
    if (rc == CIP_OK && r->raw_input) {
        for (size_t k = 0; k < n_pipe; k++)
            need[n_need++] = k_pipeline_inputs[k];
    } else {
        for (size_t k = 0; rc == CIP_OK && k < r->n_features; k++) {
            (void)raw_source(raw, r->features[k], name, sizeof name);
            owned[k] = cipi_strdup(ctx, name);
            rc = owned[k] ? CIP_OK : CIP_ERR_NOMEM;
            need[n_need++] = owned[k];
        }
    }
    for (size_t j = 0; rc == CIP_OK && raw != NULL && j < cip_frame_n_cols(raw); j++)
        for (size_t k = 0; rc == CIP_OK && k < n_need; k++)
            if (strcmp(need[k], cip_frame_col_name(raw, j)) == 0)
                rc = add_col(ctx, sig, raw, need[k], (long)j);
    for (size_t k = 0; rc == CIP_OK && k < n_need; k++)
        rc = add_col(ctx, sig, raw, need[k], raw_source(raw, need[k], name, sizeof name));
    for (size_t k = 0; owned != NULL && k < cap; k++)
        cipi_free(ctx, owned[k]);
    cipi_free(ctx, owned);
    cipi_free(ctx, need);
    if (rc != CIP_OK)
        cipi_runlog_sig_free(ctx, sig);
    return rc;
}
