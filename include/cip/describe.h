/* cip/describe.h - per-column summary statistics of a frame (pandas describe)
 *
 * cip_frame_describe() computes, for every column: the non-missing count and
 * the missing count; for numeric columns (int, float, bool as 0/1) the mean,
 * the sample standard deviation (ddof 1), min, max and the 25/50/75 %
 * quantiles with linear interpolation between order statistics (numpy's and
 * pandas' default); for categorical and bool columns the number of distinct
 * values present and the most frequent ones. NaN values in float columns
 * count as missing, as in pandas.
 * A cip_summary is immutable once built and owns copies of every string it
 * exposes; it does not refer to the frame afterwards.
 * Parallel over columns (ctx threads); results do not depend on the thread
 * count (each column is summed by one thread in a fixed order).
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_DESCRIBE_H
#define CIP_DESCRIBE_H

#include <stddef.h>

#include "cip/core.h"
#include "cip/data.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cip_describe_opts {
    size_t top_k; /* most frequent levels listed per categorical/bool column; default 5 */
} cip_describe_opts;

/* Summary of one column. Numeric fields are NaN when they do not apply or
 * cannot be computed (no values; std with fewer than 2 values). */
typedef struct cip_col_summary {
    const char *name;                  /* column name (owned by the summary) */
    cip_type type;                     /* storage type */
    size_t count;                      /* non-missing values */
    size_t n_missing;                  /* missing values (count + n_missing = rows) */
    double mean;                       /* numeric and bool columns, else NaN */
    double std;                        /* sample standard deviation, ddof 1 */
    double min, q25, median, q75, max; /* order statistics (type-7 quantiles) */
    size_t n_distinct;                 /* categorical/bool: distinct values present; else 0 */
    size_t n_top;                      /* entries in top_labels/top_counts (<= top_k) */
    const char *const *top_labels;     /* most frequent first; ties: earlier level first */
    const size_t *top_counts;          /* their counts */
} cip_col_summary;

typedef struct cip_summary cip_summary; /* opaque */

CIP_API void cip_describe_opts_default(cip_describe_opts *o);

/* Summarise every column of f. opts may be NULL for the defaults. On CIP_OK
 * *out owns a new summary (free with cip_summary_free).
 * Errors: CIP_ERR_NOMEM. Allocates: the summary and n_rows doubles per
 * thread of scratch. Parallel: yes, over columns. */
CIP_API cip_status cip_frame_describe(cip_ctx *ctx, const cip_frame *f,
                                      const cip_describe_opts *opts, cip_summary **out);
/* Rows of the described frame. */
CIP_API size_t cip_summary_n_rows(const cip_summary *s);
CIP_API size_t cip_summary_n_cols(const cip_summary *s);
/* Summary of column j (borrowed; valid until cip_summary_free). */
CIP_API const cip_col_summary *cip_summary_col(const cip_summary *s, size_t j);
CIP_API void cip_summary_free(cip_summary *s); /* NULL is a no-op */

#ifdef __cplusplus
}
#endif
#endif /* CIP_DESCRIBE_H */
