/* prepare.c - model inputs: customer-table detection, feature pipeline, one-hot columns
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "train_int.h"

static const char *const k_raw_cols[] = {"age",           "annual_income", "purchase_amount",
                                         "loyalty_score", "region",        "purchase_frequency"};

int cipi_train_is_customer(const cip_frame *f, int *engineered)
{
    size_t j;
    *engineered = 0;
    for (size_t k = 0; k < sizeof k_raw_cols / sizeof k_raw_cols[0]; k++)
        if (cip_frame_find(NULL, f, k_raw_cols[k], &j) != CIP_OK)
            return 0;
    *engineered = cip_frame_find(NULL, f, "spend_to_income_ratio", &j) == CIP_OK ||
                  cip_frame_find(NULL, f, "customer_value_score", &j) == CIP_OK;
    return 1;
}

cip_status cipi_train_fit_featpipe(cip_ctx *ctx, const cip_frame *raw, const size_t *rows, size_t n,
                                   cip_featpipe **out)
{
    cip_frame *sub = NULL;
    cip_status rc = CIP_OK;
    if (rows != NULL) {
        rc = cip_frame_take_rows(ctx, raw, rows, n, &sub);
        if (rc != CIP_OK)
            return rc;
    }
    rc = cip_featpipe_fit(ctx, sub != NULL ? sub : raw, NULL, out);
    cip_frame_free(sub);
    return rc;
}

/* Append column j of src to dst. */
static cip_status copy_col(cip_ctx *ctx, cip_frame *dst, const cip_frame *src, size_t j)
{
    const char *name = cip_frame_col_name(src, j);
    const uint8_t *miss = cip_frame_missing(src, j);
    switch (cip_frame_col_type(src, j)) {
    case CIP_TYPE_INT:
        return cip_frame_add_i64(ctx, dst, name, cip_frame_i64(src, j), miss);
    case CIP_TYPE_FLOAT:
        return cip_frame_add_f64(ctx, dst, name, cip_frame_f64(src, j), miss);
    case CIP_TYPE_BOOL:
        return cip_frame_add_bool(ctx, dst, name, cip_frame_bool(src, j), miss);
    default:
        break;
    }
    size_t nl = cip_frame_n_levels(src, j);
    const char **levels = cipi_mallocarray(ctx, nl ? nl : 1, sizeof *levels);
    if (levels == NULL)
        return cipi_nomem(ctx);
    for (size_t k = 0; k < nl; k++)
        levels[k] = cip_frame_level(src, j, (uint32_t)k);
    cip_status rc = cip_frame_add_cat(ctx, dst, name, cip_frame_codes(src, j), levels, nl, miss);
    cipi_free(ctx, levels);
    return rc;
}

/* Add the one-hot column "col=level" built from categorical column col of src. */
static cip_status add_onehot(cip_ctx *ctx, cip_frame *dst, const cip_frame *src, const char *name,
                             uint8_t *buf)
{
    const char *eq = strchr(name, '=');
    size_t j, n = cip_frame_n_rows(src);
    char col[256];
    size_t len = eq != NULL ? (size_t)(eq - name) : 0;
    if (eq == NULL || len >= sizeof col)
        return cipi_fail(ctx, CIP_ERR_SCHEMA, "column '%s' not found", name);
    memcpy(col, name, len);
    col[len] = '\0';
    if (cip_frame_find(NULL, src, col, &j) != CIP_OK || cip_frame_col_type(src, j) != CIP_TYPE_CAT)
        return cipi_fail(ctx, CIP_ERR_SCHEMA,
                         "column '%s' not found (needs a categorical column '%s')", name, col);
    const uint32_t *codes = cip_frame_codes(src, j);
    size_t nl = cip_frame_n_levels(src, j);
    uint32_t code = UINT32_MAX;
    for (size_t k = 0; k < nl; k++)
        if (strcmp(cip_frame_level(src, j, (uint32_t)k), eq + 1) == 0)
            code = (uint32_t)k;
    for (size_t i = 0; i < n; i++)
        buf[i] = !cip_frame_is_missing(src, j, i) && codes[i] == code;
    return cip_frame_add_bool(ctx, dst, name, buf, NULL);
}

cip_status cip_train_prepare(cip_ctx *ctx, const cip_frame *data, const cip_featpipe *fp,
                             const char *const *names, size_t n_names, cip_frame **out)
{
    cip_frame *eng = NULL, *res = NULL;
    uint8_t *buf = NULL;
    cip_status rc = CIP_OK;
    int engineered = 0;
    *out = NULL;
    if (fp != NULL && cipi_train_is_customer(data, &engineered) && !engineered) {
        rc = cip_featpipe_transform(ctx, fp, data, &eng);
        if (rc != CIP_OK)
            goto done;
        data = eng;
    }
    size_t n = cip_frame_n_rows(data), nc = cip_frame_n_cols(data), j;
    rc = cip_frame_new(ctx, n, &res);
    for (size_t k = 0; rc == CIP_OK && k < nc; k++)
        rc = copy_col(ctx, res, data, k);
    if (rc != CIP_OK)
        goto done;
    buf = cipi_malloc(ctx, n ? n : 1);
    if (buf == NULL) {
        rc = cipi_nomem(ctx);
        goto done;
    }
    for (size_t k = 0; rc == CIP_OK && k < n_names; k++)
        if (cip_frame_find(NULL, res, names[k], &j) != CIP_OK)
            rc = add_onehot(ctx, res, data, names[k], buf);
done:
    cipi_free(ctx, buf);
    cip_frame_free(eng);
    if (rc != CIP_OK)
        cip_frame_free(res);
    else
        *out = res;
    return rc;
}
