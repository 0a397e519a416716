/* frame.c - column-major frames: build, read, derive
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "data_int.h"

static const char *const type_names[] = {"int", "float", "bool", "category"};

const char *cip_type_name(cip_type t)
{
    return (unsigned)t < CIP_ARRAY_LEN(type_names) ? type_names[t] : "unknown";
}

cip_status cip_type_parse(cip_ctx *ctx, const char *name, cip_type *out)
{
    static const struct {
        const char *name;
        cip_type type;
    } map[] = {
        {"int", CIP_TYPE_INT},      {"integer", CIP_TYPE_INT}, {"float", CIP_TYPE_FLOAT},
        {"double", CIP_TYPE_FLOAT}, {"bool", CIP_TYPE_BOOL},   {"boolean", CIP_TYPE_BOOL},
        {"category", CIP_TYPE_CAT}, {"cat", CIP_TYPE_CAT},     {"string", CIP_TYPE_CAT},
    };
    for (size_t k = 0; k < CIP_ARRAY_LEN(map); k++) {
        if (strcmp(map[k].name, name) == 0) {
            *out = map[k].type;
            return CIP_OK;
        }
    }
    if (ctx != NULL)
        return cipi_fail(ctx, CIP_ERR_INVALID,
                         "unknown type '%s' (expected int, float, bool or category)", name);
    return CIP_ERR_INVALID;
}

size_t cipi_type_size(cip_type t)
{
    switch (t) {
    case CIP_TYPE_INT:
        return sizeof(int64_t);
    case CIP_TYPE_FLOAT:
        return sizeof(double);
    case CIP_TYPE_BOOL:
        return sizeof(uint8_t);
    case CIP_TYPE_CAT:
        return sizeof(uint32_t);
    }
    return 8;
}

cip_status cip_frame_new(cip_ctx *ctx, size_t n_rows, cip_frame **out)
{
    *out = NULL;
    cip_frame *f = cipi_calloc(ctx, 1, sizeof *f);
    if (f == NULL)
        return CIP_ERR_NOMEM;
    f->alloc = cipi_ctx_alloc(ctx);
    f->n_rows = n_rows;
    *out = f;
    return CIP_OK;
}

static void col_release(const struct cipi_alloc *a, struct frame_col *c)
{
    cipi_afree(a, c->name);
    cipi_afree(a, c->vals);
    cipi_afree(a, c->missing);
    for (size_t k = 0; k < c->n_levels; k++)
        cipi_afree(a, c->levels[k]);
    cipi_afree(a, c->levels);
}

void cip_frame_free(cip_frame *f)
{
    if (f == NULL)
        return;
    for (size_t j = 0; j < f->n_cols; j++)
        col_release(&f->alloc, &f->cols[j]);
    cipi_afree(&f->alloc, f->cols);
    struct cipi_alloc a = f->alloc;
    cipi_afree(&a, f);
}

static void free_levels(const struct cipi_alloc *a, char **levels, size_t n)
{
    if (levels == NULL)
        return;
    for (size_t k = 0; k < n; k++)
        cipi_afree(a, levels[k]);
    cipi_afree(a, levels);
}

cip_status cipi_frame_add_taken(cip_ctx *ctx, cip_frame *f, const char *name, cip_type type,
                                void *vals, uint8_t *missing, char **levels, size_t n_levels)
{
    cip_status rc = CIP_OK;
    char *nm = NULL;
    size_t dup;
    if (cip_frame_find(NULL, f, name, &dup) == CIP_OK) {
        rc = cipi_fail(ctx, CIP_ERR_CONFLICT, "duplicate column name '%s'", name);
        goto fail;
    }
    if (f->n_cols == f->cap_cols) {
        size_t cap = f->cap_cols ? f->cap_cols * 2 : 8;
        struct frame_col *c = cipi_realloc(ctx, f->cols, cap * sizeof *c);
        if (c == NULL) {
            rc = CIP_ERR_NOMEM;
            goto fail;
        }
        f->cols = c;
        f->cap_cols = cap;
    }
    nm = cipi_strdup(ctx, name);
    if (nm == NULL) {
        rc = CIP_ERR_NOMEM;
        goto fail;
    }
    struct frame_col *c = &f->cols[f->n_cols++];
    memset(c, 0, sizeof *c);
    c->name = nm;
    c->hash = cipi_hash_bytes(nm, strlen(nm));
    c->type = type;
    c->vals = vals;
    c->levels = levels;
    c->n_levels = n_levels;
    size_t nm_count = 0;
    if (missing != NULL) {
        for (size_t i = 0; i < f->n_rows; i++)
            nm_count += cipi_bit(missing, i);
        if (nm_count == 0) {
            cipi_afree(&f->alloc, missing);
            missing = NULL;
        }
    }
    c->missing = missing;
    c->n_missing = nm_count;
    return CIP_OK;
fail:
    cipi_afree(&f->alloc, vals);
    cipi_afree(&f->alloc, missing);
    free_levels(&f->alloc, levels, n_levels);
    return rc;
}

/* Copy values and bitmap, zeroing (or NaN-ing) missing cells. */
static cip_status add_copy(cip_ctx *ctx, cip_frame *f, const char *name, cip_type type,
                           const void *vals, const uint8_t *missing, char **levels, size_t n_levels)
{
    size_t n = f->n_rows, w = cipi_type_size(type);
    uint8_t *bm = NULL;
    void *v = cipi_mallocarray(ctx, n ? n : 1, w);
    if (v == NULL) {
        free_levels(&f->alloc, levels, n_levels);
        return CIP_ERR_NOMEM;
    }
    if (n)
        memcpy(v, vals, n * w);
    if (missing != NULL) {
        bm = cipi_malloc(ctx, cipi_bitmap_bytes(n));
        if (bm == NULL) {
            cipi_afree(&f->alloc, v);
            free_levels(&f->alloc, levels, n_levels);
            return CIP_ERR_NOMEM;
        }
        memcpy(bm, missing, cipi_bitmap_bytes(n));
        for (size_t i = 0; i < n; i++) {
            if (!cipi_bit(bm, i))
                continue;
            if (type == CIP_TYPE_FLOAT)
                ((double *)v)[i] = NAN;
            else
                memset((char *)v + i * w, 0, w);
        }
    }
    return cipi_frame_add_taken(ctx, f, name, type, v, bm, levels, n_levels);
}

cip_status cip_frame_add_i64(cip_ctx *ctx, cip_frame *f, const char *name, const int64_t *vals,
                             const uint8_t *missing)
{
    return add_copy(ctx, f, name, CIP_TYPE_INT, vals, missing, NULL, 0);
}

cip_status cip_frame_add_f64(cip_ctx *ctx, cip_frame *f, const char *name, const double *vals,
                             const uint8_t *missing)
{
    return add_copy(ctx, f, name, CIP_TYPE_FLOAT, vals, missing, NULL, 0);
}

cip_status cip_frame_add_bool(cip_ctx *ctx, cip_frame *f, const char *name, const uint8_t *vals,
                              const uint8_t *missing)
{
    return add_copy(ctx, f, name, CIP_TYPE_BOOL, vals, missing, NULL, 0);
}

static cip_status copy_levels(cip_ctx *ctx, const char *const *levels, size_t n, char ***out)
{
    *out = NULL;
    char **lv = cipi_calloc(ctx, n ? n : 1, sizeof *lv);
    if (lv == NULL)
        return CIP_ERR_NOMEM;
    for (size_t k = 0; k < n; k++) {
        lv[k] = cipi_strdup(ctx, levels[k]);
        if (lv[k] == NULL) {
            struct cipi_alloc a = cipi_ctx_alloc(ctx);
            free_levels(&a, lv, k);
            return CIP_ERR_NOMEM;
        }
    }
    *out = lv;
    return CIP_OK;
}

cip_status cip_frame_add_cat(cip_ctx *ctx, cip_frame *f, const char *name, const uint32_t *codes,
                             const char *const *levels, size_t n_levels, const uint8_t *missing)
{
    for (size_t i = 0; i < f->n_rows; i++) {
        if (!cipi_bit(missing, i) && codes[i] >= n_levels)
            return cipi_fail(ctx, CIP_ERR_INVALID, "column '%s': code %u at row %zu >= %zu levels",
                             name, codes[i], i, n_levels);
    }
    char **lv;
    cip_status rc = copy_levels(ctx, levels, n_levels, &lv);
    if (rc != CIP_OK)
        return rc;
    return add_copy(ctx, f, name, CIP_TYPE_CAT, codes, missing, lv, n_levels);
}
