/* cip/schema.h - the customer table's schema and business-rule validation
 *
 * The customer table has the columns user_id, age, annual_income,
 * purchase_amount, loyalty_score, region and purchase_frequency (the id
 * column's name is configurable). cip_validate_frame() checks a frame
 * against the schema and the business rules and returns a report: one entry
 * per violation class (kind + column) with the number of offending rows, the
 * first few of them and their values, and a verdict, usable or unusable.
 *
 * Row numbers in reports are FILE LINE NUMBERS: the header is line 1, so the
 * first data row is line 2 (data row i, 0-based, is line i + 2). This equals
 * the physical line when no quoted field contains a line break.
 *
 * Severity: errors make the table unusable; warnings do not.
 *   error   no_rows          the table has no data rows
 *   error   missing_column   a required column is absent
 *   error   wrong_type       a numeric column holds text (or booleans), or
 *                            region is not categorical
 *   error   missing_value    a required column has empty/NA cells
 *   error   out_of_range     age outside [age_min, age_max], money < money_min,
 *                            loyalty outside [loyalty_min, loyalty_max],
 *                            frequency < frequency_min, or a non-finite number
 *   error   duplicate_id     a user_id that appeared on an earlier line
 *   warning not_integer      a fractional value in an integer column
 *                            (user_id, age, purchase_frequency)
 *   warning unknown_category a region outside the configured set
 * Extra columns are allowed and ignored.
 *
 * Thread-safety: a report is immutable once built; validation is sequential
 * (a single pass per column) and allocates only the report.
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_SCHEMA_H
#define CIP_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "cip/core.h"
#include "cip/data.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The required columns, in file order (the id column is user_id by default). */
#define CIP_SCHEMA_N_COLUMNS 7
/* Upper bound of cip_schema_params.max_examples. */
#define CIP_SCHEMA_MAX_EXAMPLES 1000

typedef struct cip_schema_params {
    const char *id_column;           /* name of the unique id column; default "user_id";
                                        NULL or "" = no id column (not required, no checks) */
    const char *const *regions;      /* allowed region labels (borrowed, case-sensitive);
                                        default North, South, West, East */
    size_t n_regions;                /* number of labels, >= 1; default 4 */
    double age_min, age_max;         /* inclusive age range; default 0, 120 */
    double money_min;                /* minimum annual_income and purchase_amount; default 0 */
    double loyalty_min, loyalty_max; /* inclusive loyalty_score range; default 0, 10 */
    double frequency_min;            /* minimum purchase_frequency; default 0 */
    size_t max_examples;             /* rows listed per violation, 0..1000; default 5 */
} cip_schema_params;

/* Fill p with the defaults above (borrowing a static region table). */
CIP_API void cip_schema_params_default(cip_schema_params *p);
/* Check p: finite ranges with min <= max, >= 1 non-empty region label,
 * max_examples <= CIP_SCHEMA_MAX_EXAMPLES. Errors: CIP_ERR_INVALID naming
 * the field. ctx may be NULL. */
CIP_API cip_status cip_schema_params_check(cip_ctx *ctx, const cip_schema_params *p);

/* Name of required column k (0 <= k < CIP_SCHEMA_N_COLUMNS) under p
 * (column 0 is p->id_column, or "user_id" when p is NULL). NULL when out of
 * range or when k == 0 and p has no id column. */
CIP_API const char *cip_schema_column(const cip_schema_params *p, size_t k);

typedef enum cip_violation_kind {
    CIP_VIOL_NO_ROWS = 0,
    CIP_VIOL_MISSING_COLUMN = 1,
    CIP_VIOL_WRONG_TYPE = 2,
    CIP_VIOL_MISSING_VALUE = 3,
    CIP_VIOL_OUT_OF_RANGE = 4,
    CIP_VIOL_DUPLICATE_ID = 5,
    CIP_VIOL_NOT_INTEGER = 6,
    CIP_VIOL_UNKNOWN_CATEGORY = 7
} cip_violation_kind;

typedef enum cip_severity {
    CIP_SEVERITY_ERROR = 0,  /* the table is unusable */
    CIP_SEVERITY_WARNING = 1 /* worth a look; the table stays usable */
} cip_severity;

/* "no_rows", "missing_column", ... (static; "unknown" for bad values). */
CIP_API const char *cip_violation_kind_name(cip_violation_kind k);
/* "error" or "warning". */
CIP_API const char *cip_severity_name(cip_severity s);

/* One violation class, borrowed from its report. */
typedef struct cip_violation {
    cip_violation_kind kind;   /* what is wrong */
    cip_severity severity;     /* error or warning */
    const char *column;        /* the column, NULL for table-level classes */
    const char *rule;          /* the rule in words, e.g. "must be in [0, 120]" */
    size_t count;              /* offending rows (1 for missing_column / no_rows) */
    size_t n_examples;         /* entries in lines[] and values[], <= max_examples */
    const size_t *lines;       /* file line numbers (header = line 1), ascending */
    const char *const *values; /* the offending values as text ("" for a missing cell) */
} cip_violation;

typedef struct cip_validation cip_validation; /* opaque report */

/* Validate frame f against the schema and rules of p (NULL = defaults).
 * in:  f (borrowed), p (borrowed; checked with cip_schema_params_check)
 * out: *out, a new report owned by the caller (cip_validation_free); written
 *      only on CIP_OK. Violations do not make this fail: they are in the report.
 * Errors: CIP_ERR_INVALID (bad params), CIP_ERR_NOMEM. Allocates. Sequential. */
CIP_API cip_status cip_validate_frame(cip_ctx *ctx, const cip_frame *f, const cip_schema_params *p,
                                      cip_validation **out);

/* The verdict: false when any violation is an error. */
CIP_API bool cip_validation_usable(const cip_validation *v);
/* Rows and columns of the validated frame. */
CIP_API size_t cip_validation_n_rows(const cip_validation *v);
CIP_API size_t cip_validation_n_cols(const cip_validation *v);
/* Number of violation classes, and of those with each severity. */
CIP_API size_t cip_validation_count(const cip_validation *v);
CIP_API size_t cip_validation_n_errors(const cip_validation *v);
CIP_API size_t cip_validation_n_warnings(const cip_validation *v);
/* Violation class k (0 <= k < count), in a fixed order: table-level first,
 * then by required column in schema order, then by kind. Borrowed: valid
 * until cip_validation_free(v). Returns 0 and leaves *out alone when k is out
 * of range, else 1. */
CIP_API int cip_validation_get(const cip_validation *v, size_t k, cip_violation *out);
/* First violation of the given kind on the given column (NULL = table-level
 * or any column); returns 0 when there is none. */
CIP_API int cip_validation_find(const cip_validation *v, cip_violation_kind kind,
                                const char *column, cip_violation *out);

/* Render the report as JSON into a new NUL-terminated string (*out owned by
 * the caller: free it with cip_validation_free_string(ctx, *out) on the same
 * ctx). `source` (may be NULL) is recorded as "source" (null when NULL).
 * Shape (one line, then "\n"):
 *   {"source":..,"rows":N,"columns":M,"usable":true,"errors":E,"warnings":W,
 *    "violations":[{"kind":..,"severity":..,"column":..|null,"rule":..,
 *                   "count":C,"lines":[..],"values":[..]}]}
 * Errors: CIP_ERR_NOMEM. Allocates. */
CIP_API cip_status cip_validation_to_json(cip_ctx *ctx, const cip_validation *v, const char *source,
                                          char **out);
/* Render the report as text: one line per violation class, then the verdict:
 *   error: age: out_of_range: 2 rows (must be in [0, 120]); lines 3 (130), 7 (-1)
 *   verdict: unusable (1 error, 0 warnings; 238 rows, 7 columns)
 * Errors: CIP_ERR_NOMEM. Allocates. */
CIP_API cip_status cip_validation_to_text(cip_ctx *ctx, const cip_validation *v, const char *source,
                                          char **out);
/* Free a string returned by the renderers, through the allocator of the ctx
 * that rendered it. NULL is a no-op. */
CIP_API void cip_validation_free_string(cip_ctx *ctx, char *s);

CIP_API void cip_validation_free(cip_validation *v); /* NULL is a no-op */

#ifdef __cplusplus
}
#endif
#endif /* CIP_SCHEMA_H */
