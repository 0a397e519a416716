/* convert.c - bring the columns of a parsed table to a model signature's types
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "serve_int.h"

static cip_status copy_any(cip_ctx *ctx, const cip_frame *f, size_t j, cip_frame *out)
{
    const char *name = cip_frame_col_name(f, j);
    const uint8_t *m = cip_frame_missing(f, j);
    switch (cip_frame_col_type(f, j)) {
    case CIP_TYPE_INT:
        return cip_frame_add_i64(ctx, out, name, cip_frame_i64(f, j), m);
    case CIP_TYPE_FLOAT:
        return cip_frame_add_f64(ctx, out, name, cip_frame_f64(f, j), m);
    case CIP_TYPE_BOOL:
        return cip_frame_add_bool(ctx, out, name, cip_frame_bool(f, j), m);
    default:
        break;
    }
    size_t nl = cip_frame_n_levels(f, j);
    const char **lv = cipi_mallocarray(ctx, nl ? nl : 1, sizeof *lv);
    if (lv == NULL)
        return CIP_ERR_NOMEM;
    for (size_t k = 0; k < nl; k++)
        lv[k] = cip_frame_level(f, j, (uint32_t)k);
    cip_status rc = cip_frame_add_cat(ctx, out, name, cip_frame_codes(f, j), lv, nl, m);
    cipi_free(ctx, lv);
    return rc;
}

static cip_status mistyped(cip_ctx *ctx, const cip_serve_field *fl, const cip_frame *f, size_t j,
                           size_t i)
{
    return cipi_fail(ctx, CIP_ERR_SCHEMA, "column '%s', row %zu: expected %s values, got %s",
                     fl->name, i,
                     fl->type == CIP_TYPE_INT     ? "integer"
                     : fl->type == CIP_TYPE_FLOAT ? "numeric"
                     : fl->type == CIP_TYPE_BOOL  ? "boolean"
                                                  : "string",
                     cip_type_name(cip_frame_col_type(f, j)));
}

/* Column j of f as signature field fl. */
static cip_status convert_col(cip_ctx *ctx, const cip_serve_field *fl, const cip_frame *f, size_t j,
                              cip_frame *out)
{
    cip_type t = cip_frame_col_type(f, j);
    size_t n = cip_frame_n_rows(f);
    if (t == fl->type || (fl->type == CIP_TYPE_FLOAT && t != CIP_TYPE_CAT)) {
        if (t == fl->type)
            return copy_any(ctx, f, j, out);
    } else if (t == CIP_TYPE_CAT || fl->type == CIP_TYPE_CAT) {
        return mistyped(ctx, fl, f, j, 0);
    }
    double *v = cipi_mallocarray(ctx, n ? n : 1, sizeof *v);
    void *dst = fl->type == CIP_TYPE_INT    ? cipi_mallocarray(ctx, n ? n : 1, sizeof(int64_t))
                : fl->type == CIP_TYPE_BOOL ? cipi_malloc(ctx, n ? n : 1)
                                            : NULL;
    cip_status rc =
        v == NULL || (fl->type != CIP_TYPE_FLOAT && dst == NULL) ? CIP_ERR_NOMEM : CIP_OK;
    if (rc == CIP_OK)
        cip_frame_get_col(f, j, v);
    for (size_t i = 0; rc == CIP_OK && fl->type != CIP_TYPE_FLOAT && i < n; i++) {
        if (cip_frame_is_missing(f, j, i)) {
            v[i] = 0;
        } else if (fl->type == CIP_TYPE_INT ? v[i] != floor(v[i]) || fabs(v[i]) >= 9.0e18
                                            : v[i] != 0 && v[i] != 1) {
            rc = mistyped(ctx, fl, f, j, i);
            break;
        }
        if (fl->type == CIP_TYPE_INT)
            ((int64_t *)dst)[i] = (int64_t)v[i];
        else
            ((uint8_t *)dst)[i] = (uint8_t)v[i];
    }
    const uint8_t *m = cip_frame_missing(f, j);
    if (rc == CIP_OK)
        rc = fl->type == CIP_TYPE_FLOAT ? cip_frame_add_f64(ctx, out, fl->name, v, m)
             : fl->type == CIP_TYPE_INT ? cip_frame_add_i64(ctx, out, fl->name, dst, m)
                                        : cip_frame_add_bool(ctx, out, fl->name, dst, m);
    cipi_free(ctx, v);
    cipi_free(ctx, dst);
    return rc;
}

cip_status cipi_serve_convert(cip_ctx *ctx, const cip_serve_field *sig, size_t n_sig,
                              const cip_frame *f, int keep_all, cip_frame **out)
{
    cip_frame *res = NULL;
    size_t j;
    *out = NULL;
    cip_status rc = cip_frame_new(ctx, cip_frame_n_rows(f), &res);
    if (keep_all) {
        for (j = 0; rc == CIP_OK && j < cip_frame_n_cols(f); j++) {
            const char *name = cip_frame_col_name(f, j);
            size_t k = 0;
            while (k < n_sig && strcmp(sig[k].name, name) != 0)
                k++;
            rc = k < n_sig ? convert_col(ctx, &sig[k], f, j, res) : copy_any(ctx, f, j, res);
        }
    } else {
        for (size_t k = 0; rc == CIP_OK && k < n_sig; k++) {
            rc = cip_frame_find(ctx, f, sig[k].name, &j);
            if (rc == CIP_ERR_NOT_FOUND)
                rc = cipi_fail(ctx, CIP_ERR_SCHEMA, "the model needs input column '%s'",
                               sig[k].name);
            if (rc == CIP_OK)
                rc = convert_col(ctx, &sig[k], f, j, res);
        }
    }
    if (rc != CIP_OK)
        cip_frame_free(res);
    else
        *out = res;
    return rc;
}
