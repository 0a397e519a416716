/* cip/data.h - column-major data frames and the CSV reader/writer
 *
 * A cip_frame holds n_rows rows of named, typed columns. Each column is one
 * contiguous array (int64, double, uint8 booleans, or uint32 category codes
 * into a per-column dictionary of labels) plus an optional missing-value
 * bitmap (bit i set = row i missing; NULL when nothing is missing).
 * Ownership rule: frames are immutable once built and shared read-only;
 * every getter borrows, valid until cip_frame_free(frame).
 * Building: cip_frame_new() then cip_frame_add_*() (each copies its input).
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_DATA_H
#define CIP_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cip/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cip_type {
    CIP_TYPE_INT = 0,   /* int64_t */
    CIP_TYPE_FLOAT = 1, /* double */
    CIP_TYPE_BOOL = 2,  /* uint8_t, 0 or 1 */
    CIP_TYPE_CAT = 3    /* uint32_t codes into a dictionary of labels */
} cip_type;

/* "int", "float", "bool", "category". */
CIP_API const char *cip_type_name(cip_type t);
/* Parse a type name ("int"/"integer", "float"/"double", "bool"/"boolean",
 * "category"/"cat"/"string"). Errors: CIP_ERR_INVALID (ctx may be NULL). */
CIP_API cip_status cip_type_parse(cip_ctx *ctx, const char *name, cip_type *out);

typedef struct cip_frame cip_frame; /* opaque */

/* --- building -------------------------------------------------------------- */
/* New frame with n_rows rows and no columns. Allocates. Errors: NOMEM. */
CIP_API cip_status cip_frame_new(cip_ctx *ctx, size_t n_rows, cip_frame **out);
CIP_API void cip_frame_free(cip_frame *f); /* NULL is a no-op */

/* Append a column; copies name, values and the missing bitmap (may be NULL;
 * ceil(n_rows/8) bytes, bit i of byte i/8 (LSB first) = row i missing).
 * Values under missing rows are ignored and stored as 0 (NaN for floats).
 * Errors: CIP_ERR_CONFLICT (duplicate name), CIP_ERR_NOMEM. */
CIP_API cip_status cip_frame_add_i64(cip_ctx *ctx, cip_frame *f, const char *name,
                                     const int64_t *vals, const uint8_t *missing);
CIP_API cip_status cip_frame_add_f64(cip_ctx *ctx, cip_frame *f, const char *name,
                                     const double *vals, const uint8_t *missing);
CIP_API cip_status cip_frame_add_bool(cip_ctx *ctx, cip_frame *f, const char *name,
                                      const uint8_t *vals, const uint8_t *missing);
/* Categorical from codes in [0, n_levels) and their labels (copied). */
CIP_API cip_status cip_frame_add_cat(cip_ctx *ctx, cip_frame *f, const char *name,
                                     const uint32_t *codes, const char *const *levels,
                                     size_t n_levels, const uint8_t *missing);
/* Categorical from strings (NULL = missing); labels are dictionary-encoded in
 * order of first appearance. */
CIP_API cip_status cip_frame_add_strings(cip_ctx *ctx, cip_frame *f, const char *name,
                                         const char *const *strs);

/* --- reading --------------------------------------------------------------- */
CIP_API size_t cip_frame_n_rows(const cip_frame *f);
CIP_API size_t cip_frame_n_cols(const cip_frame *f);
CIP_API const char *cip_frame_col_name(const cip_frame *f, size_t j);
CIP_API cip_type cip_frame_col_type(const cip_frame *f, size_t j);
/* Index of the column called name. Errors: CIP_ERR_NOT_FOUND (message names
 * the column; ctx may be NULL for a silent lookup). */
CIP_API cip_status cip_frame_find(cip_ctx *ctx, const cip_frame *f, const char *name, size_t *out);
/* Typed column arrays (borrowed); NULL when the column has another type. */
CIP_API const int64_t *cip_frame_i64(const cip_frame *f, size_t j);
CIP_API const double *cip_frame_f64(const cip_frame *f, size_t j);
CIP_API const uint8_t *cip_frame_bool(const cip_frame *f, size_t j);
CIP_API const uint32_t *cip_frame_codes(const cip_frame *f, size_t j);
/* Dictionary of a categorical column: number of labels and label k. */
CIP_API size_t cip_frame_n_levels(const cip_frame *f, size_t j);
CIP_API const char *cip_frame_level(const cip_frame *f, size_t j, uint32_t code);
/* Missing bitmap (NULL when no value is missing) and the count. */
CIP_API const uint8_t *cip_frame_missing(const cip_frame *f, size_t j);
CIP_API size_t cip_frame_n_missing(const cip_frame *f, size_t j);
CIP_API bool cip_frame_is_missing(const cip_frame *f, size_t j, size_t i);
/* Cell as a double: ints and bools converted, NaN when missing, and the
 * category code for categoricals. */
CIP_API double cip_frame_get(const cip_frame *f, size_t j, size_t i);
/* Whole column as doubles into out[n_rows] (as cip_frame_get). */
CIP_API void cip_frame_get_col(const cip_frame *f, size_t j, double *out);

/* --- deriving ---------------------------------------------------------------- */
/* New frame of rows idx[0..n) (repeats allowed), all columns. Allocates. */
CIP_API cip_status cip_frame_take_rows(cip_ctx *ctx, const cip_frame *f, const size_t *idx,
                                       size_t n, cip_frame **out);
/* New frame of the named columns, in that order. Errors: NOT_FOUND. */
CIP_API cip_status cip_frame_select(cip_ctx *ctx, const cip_frame *f, const char *const *names,
                                    size_t n_names, cip_frame **out);

/* --- CSV ------------------------------------------------------------------------ */
/* Per-column type override for the reader. */
typedef struct cip_csv_col_type {
    const char *name; /* column name as in the header */
    cip_type type;    /* forced type; values that do not parse are errors */
} cip_csv_col_type;

typedef struct cip_csv_read_opts {
    char delimiter;                /* default ',' */
    const cip_csv_col_type *types; /* overrides (may be NULL) */
    size_t n_types;                /* number of overrides */
    size_t max_field_bytes;        /* default 64 MiB (0 = default); longer fields fail
                                      with LIMIT */
    size_t max_rows;               /* read at most this many data rows (like pandas
                                      nrows); 0 = all */
} cip_csv_read_opts;

CIP_API void cip_csv_read_opts_default(cip_csv_read_opts *o);

/* Read a CSV file (gzip-compressed when it starts with the gzip magic or the
 * name ends in .gz) with a header row into a new frame. RFC 4180 quoting
 * (delimiters, "" and line ends inside quotes), LF or CRLF (a CR elsewhere is
 * data), optional UTF-8 BOM. Blank lines are skipped (with one column they
 * are missing values). The header needs non-empty, unique, UTF-8 names; text
 * fields must be UTF-8; every row needs the header's number of fields.
 * Types are inferred per column unless overridden in opts->types:
 *   int      every value an integer that fits int64 (optional sign and
 *            surrounding spaces/tabs, as pandas);
 *   float    every value a decimal/exponent number or [+-]inf/infinity
 *            (integers beyond int64 make the column float); parsed exactly
 *            as strtod (correctly rounded);
 *   bool     True/False/true/false/TRUE/FALSE, plus 0/1 only alongside such
 *            words (a column of 0/1 alone is int);
 *   category anything else (labels dictionary-encoded in order of first
 *            appearance).
 * Missing values (pandas' defaults): the empty field, "" and NA, N/A, n/a,
 * NaN, nan, -NaN, -nan, null, NULL, None, <NA>, #N/A, #N/A N/A, #NA, -1.#IND,
 * -1.#QNAN, 1.#IND, 1.#QNAN. A column with no values at all is float (all
 * missing, as pandas). A header-only file is a valid frame with 0 rows.
 * Under a forced type, a value that does not parse is an error naming
 * file:line:column, the value and the type; so is an int64 overflow.
 * Errors name file:line:column, what was found and what was expected:
 * CIP_ERR_IO (open/read/gzip), CIP_ERR_PARSE (quoting, NUL byte, field
 * count, UTF-8, empty file or name), CIP_ERR_CONFLICT (duplicate column
 * name), CIP_ERR_SCHEMA (forced type), CIP_ERR_LIMIT (a field longer than
 * max_field_bytes), CIP_ERR_INVALID (opts), CIP_ERR_NOMEM.
 * Memory: a regular file is mapped, gzip is decompressed in blocks (of
 * 4 x max_field_bytes, 64 KiB..16 MiB; rows up to 2 x max_field_bytes +
 * 16 MiB); beyond the frame itself only per-chunk scratch is allocated.
 * Parallel (ctx threads); the result does not depend on the thread count.
 * opts may be NULL for the defaults. Allocates. */
CIP_API cip_status cip_frame_read_csv(cip_ctx *ctx, const char *path, const cip_csv_read_opts *opts,
                                      cip_frame **out);
/* As cip_frame_read_csv, from memory; `name` is used in messages. */
CIP_API cip_status cip_frame_read_csv_mem(cip_ctx *ctx, const char *name, const char *data,
                                          size_t len, const cip_csv_read_opts *opts,
                                          cip_frame **out);

typedef struct cip_csv_write_opts {
    const char *float_format; /* printf format for floats, e.g. "%.4f"; NULL = shortest
                                 round-trip repr (as pandas) */
    const char *true_str;     /* default "True" */
    const char *false_str;    /* default "False" */
    int final_newline;        /* 1 = end the last row with '\n' (default) */
} cip_csv_write_opts;

CIP_API void cip_csv_write_opts_default(cip_csv_write_opts *o);
/* Write f as CSV with a header (fields quoted only when needed; missing values
 * as empty fields). path "-" writes to stdout. Written atomically otherwise.
 * Errors: CIP_ERR_IO, CIP_ERR_NOMEM. */
CIP_API cip_status cip_frame_write_csv(cip_ctx *ctx, const cip_frame *f, const char *path,
                                       const cip_csv_write_opts *opts);

#ifdef __cplusplus
}
#endif
#endif /* CIP_DATA_H */
