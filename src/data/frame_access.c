/* frame_access.c - frame getters, string columns, row and column subsets
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "data_int.h"

cip_status cip_frame_add_strings(cip_ctx *ctx, cip_frame *f, const char *name,
                                 const char *const *strs)
{
    size_t n = f->n_rows;
    struct cipi_strmap map;
    cipi_strmap_init(&map, ctx);
    uint8_t *bm = NULL;
    uint32_t *codes = cipi_mallocarray(ctx, n ? n : 1, sizeof *codes);
    cip_status rc = codes == NULL ? CIP_ERR_NOMEM : CIP_OK;
    for (size_t i = 0; rc == CIP_OK && i < n; i++) {
        if (strs[i] == NULL) {
            if (bm == NULL) {
                bm = cipi_calloc(ctx, cipi_bitmap_bytes(n), 1);
                if (bm == NULL) {
                    rc = CIP_ERR_NOMEM;
                    break;
                }
            }
            bm[i >> 3] = (uint8_t)(bm[i >> 3] | (1u << (i & 7)));
            codes[i] = 0;
            continue;
        }
        rc = cipi_strmap_intern(ctx, &map, strs[i], strlen(strs[i]), &codes[i]);
    }
    if (rc != CIP_OK) {
        cipi_strmap_release(&map);
        cipi_free(ctx, codes);
        cipi_free(ctx, bm);
        return rc;
    }
    size_t n_levels;
    char **levels = cipi_strmap_detach_keys(&map, &n_levels);
    return cipi_frame_add_taken(ctx, f, name, CIP_TYPE_CAT, codes, bm, levels, n_levels);
}

size_t cip_frame_n_rows(const cip_frame *f)
{
    return f->n_rows;
}

size_t cip_frame_n_cols(const cip_frame *f)
{
    return f->n_cols;
}

const char *cip_frame_col_name(const cip_frame *f, size_t j)
{
    return j < f->n_cols ? f->cols[j].name : NULL;
}

cip_type cip_frame_col_type(const cip_frame *f, size_t j)
{
    return f->cols[j].type;
}

cip_status cip_frame_find(cip_ctx *ctx, const cip_frame *f, const char *name, size_t *out)
{
    /* Hashes first: the server looks up every model column by name on each request, and
     * names sharing long prefixes made strcmp a visible part of its profile. */
    uint64_t h = cipi_hash_bytes(name, strlen(name));
    for (size_t j = 0; j < f->n_cols; j++) {
        if (f->cols[j].hash == h && strcmp(f->cols[j].name, name) == 0) {
            *out = j;
            return CIP_OK;
        }
    }
    if (ctx != NULL)
        return cipi_fail(ctx, CIP_ERR_NOT_FOUND, "no column named '%s'", name);
    return CIP_ERR_NOT_FOUND;
}

const int64_t *cip_frame_i64(const cip_frame *f, size_t j)
{
    return f->cols[j].type == CIP_TYPE_INT ? f->cols[j].vals : NULL;
}

const double *cip_frame_f64(const cip_frame *f, size_t j)
{
    return f->cols[j].type == CIP_TYPE_FLOAT ? f->cols[j].vals : NULL;
}

const uint8_t *cip_frame_bool(const cip_frame *f, size_t j)
{
    return f->cols[j].type == CIP_TYPE_BOOL ? f->cols[j].vals : NULL;
}

const uint32_t *cip_frame_codes(const cip_frame *f, size_t j)
{
    return f->cols[j].type == CIP_TYPE_CAT ? f->cols[j].vals : NULL;
}

size_t cip_frame_n_levels(const cip_frame *f, size_t j)
{
    return f->cols[j].n_levels;
}

const char *cip_frame_level(const cip_frame *f, size_t j, uint32_t code)
{
    const struct frame_col *c = &f->cols[j];
    return code < c->n_levels ? c->levels[code] : NULL;
}

const uint8_t *cip_frame_missing(const cip_frame *f, size_t j)
{
    return f->cols[j].missing;
}

size_t cip_frame_n_missing(const cip_frame *f, size_t j)
{
    return f->cols[j].n_missing;
}

bool cip_frame_is_missing(const cip_frame *f, size_t j, size_t i)
{
    return cipi_bit(f->cols[j].missing, i);
}

double cip_frame_get(const cip_frame *f, size_t j, size_t i)
{
    const struct frame_col *c = &f->cols[j];
    if (cipi_bit(c->missing, i))
        return NAN;
    switch (c->type) {
    case CIP_TYPE_INT:
        return (double)((const int64_t *)c->vals)[i];
    case CIP_TYPE_FLOAT:
        return ((const double *)c->vals)[i];
    case CIP_TYPE_BOOL:
        return ((const uint8_t *)c->vals)[i];
    case CIP_TYPE_CAT:
        return ((const uint32_t *)c->vals)[i];
    }
    return NAN;
}

void cip_frame_get_col(const cip_frame *f, size_t j, double *out)
{
    const struct frame_col *c = &f->cols[j];
    size_t n = f->n_rows;
    switch (c->type) {
    case CIP_TYPE_INT:
        for (size_t i = 0; i < n; i++)
            out[i] = (double)((const int64_t *)c->vals)[i];
        break;
    case CIP_TYPE_FLOAT:
        memcpy(out, c->vals, n * sizeof *out);
        break;
    case CIP_TYPE_BOOL:
        for (size_t i = 0; i < n; i++)
            out[i] = ((const uint8_t *)c->vals)[i];
        break;
    case CIP_TYPE_CAT:
        for (size_t i = 0; i < n; i++)
            out[i] = ((const uint32_t *)c->vals)[i];
        break;
    }
    if (c->missing != NULL) {
        for (size_t i = 0; i < n; i++)
            if (cipi_bit(c->missing, i))
                out[i] = NAN;
    }
}

/* Copy column c of src restricted to rows idx into dst. */
static cip_status take_col(cip_ctx *ctx, cip_frame *dst, const struct frame_col *c,
                           const size_t *idx, size_t n)
{
    size_t w = cipi_type_size(c->type);
    char *vals = cipi_mallocarray(ctx, n ? n : 1, w);
    uint8_t *bm = NULL;
    char **levels = NULL;
    if (vals == NULL)
        return CIP_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        memcpy(vals + i * w, (const char *)c->vals + idx[i] * w, w);
    if (c->missing != NULL) {
        bm = cipi_calloc(ctx, cipi_bitmap_bytes(n), 1);
        if (bm == NULL)
            goto nomem;
        for (size_t i = 0; i < n; i++)
            if (cipi_bit(c->missing, idx[i]))
                bm[i >> 3] = (uint8_t)(bm[i >> 3] | (1u << (i & 7)));
    }
    if (c->type == CIP_TYPE_CAT) {
        levels = cipi_calloc(ctx, c->n_levels ? c->n_levels : 1, sizeof *levels);
        if (levels == NULL)
            goto nomem;
        for (size_t k = 0; k < c->n_levels; k++) {
            levels[k] = cipi_strdup(ctx, c->levels[k]);
            if (levels[k] == NULL) {
                for (size_t q = 0; q < k; q++)
                    cipi_free(ctx, levels[q]);
                goto nomem;
            }
        }
    }
    return cipi_frame_add_taken(ctx, dst, c->name, c->type, vals, bm, levels, c->n_levels);
nomem:
    cipi_free(ctx, levels);
    cipi_free(ctx, bm);
    cipi_free(ctx, vals);
    return CIP_ERR_NOMEM;
}

cip_status cip_frame_take_rows(cip_ctx *ctx, const cip_frame *f, const size_t *idx, size_t n,
                               cip_frame **out)
{
    *out = NULL;
    for (size_t i = 0; i < n; i++)
        if (idx[i] >= f->n_rows)
            return cipi_fail(ctx, CIP_ERR_INVALID, "row index %zu out of range (%zu rows)", idx[i],
                             f->n_rows);
    cip_frame *g;
    cip_status rc = cip_frame_new(ctx, n, &g);
    for (size_t j = 0; rc == CIP_OK && j < f->n_cols; j++)
        rc = take_col(ctx, g, &f->cols[j], idx, n);
    if (rc != CIP_OK) {
        cip_frame_free(g);
        return rc;
    }
    *out = g;
    return CIP_OK;
}

cip_status cip_frame_select(cip_ctx *ctx, const cip_frame *f, const char *const *names,
                            size_t n_names, cip_frame **out)
{
    *out = NULL;
    size_t *idx = cipi_mallocarray(ctx, f->n_rows ? f->n_rows : 1, sizeof *idx);
    if (idx == NULL)
        return CIP_ERR_NOMEM;
    for (size_t i = 0; i < f->n_rows; i++)
        idx[i] = i;
    cip_frame *g = NULL;
    cip_status rc = cip_frame_new(ctx, f->n_rows, &g);
    for (size_t k = 0; rc == CIP_OK && k < n_names; k++) {
        size_t j = 0;
        rc = cip_frame_find(ctx, f, names[k], &j);
        if (rc == CIP_OK)
            rc = take_col(ctx, g, &f->cols[j], idx, f->n_rows);
    }
    cipi_free(ctx, idx);
    if (rc != CIP_OK) {
        cip_frame_free(g);
        return rc;
    }
    *out = g;
    return CIP_OK;
}
