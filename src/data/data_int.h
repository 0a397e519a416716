/* data_int.h - frame internals shared by the files of src/data
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_DATA_INT_H
#define CIP_DATA_INT_H

#include "cip/data.h"
#include "cipi.h"

struct frame_col {
    char *name;       /* owned */
    uint64_t hash;    /* cipi_hash_bytes of name: cip_frame_find compares it first */
    cip_type type;    /* storage type */
    void *vals;       /* owned: int64_t, double, uint8_t or uint32_t [n_rows] */
    uint8_t *missing; /* owned bitmap or NULL when nothing is missing */
    size_t n_missing; /* set bits in missing */
    char **levels;    /* owned labels of a categorical column */
    size_t n_levels;  /* number of labels */
};

struct cip_frame {
    struct cipi_alloc alloc; /* allocator of everything below */
    size_t n_rows;           /* rows in every column */
    size_t n_cols;           /* columns in use */
    size_t cap_cols;         /* columns allocated */
    struct frame_col *cols;  /* owned */
};

static inline size_t cipi_bitmap_bytes(size_t n)
{
    return (n + 7) / 8;
}

static inline bool cipi_bit(const uint8_t *bm, size_t i)
{
    return bm != NULL && ((bm[i >> 3] >> (i & 7)) & 1u);
}

/* Append a column taking ownership of vals, missing (may be NULL) and levels;
 * on failure they are freed. The name is copied. */
CIP_INTERNAL cip_status cipi_frame_add_taken(cip_ctx *ctx, cip_frame *f, const char *name,
                                             cip_type type, void *vals, uint8_t *missing,
                                             char **levels, size_t n_levels);
/* Bytes per value of a storage type. */
CIP_INTERNAL size_t cipi_type_size(cip_type t);

#endif /* CIP_DATA_INT_H */
