/* train_int.h - private declarations of the train module
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_TRAIN_INT_H
#define CIP_TRAIN_INT_H

#include "cip/baseline.h"
#include "cip/train.h"
#include "cipi.h"

/* P(y = 1) of a fitted classifier forest into out[n_rows of x]. */
CIP_INTERNAL cip_status cipi_train_forest_p1(cip_ctx *ctx, const cip_forest *f, const cip_frame *x,
                                             double *out);
/* Append a metric to r (name copied, truncated). Errors: NOMEM. */
CIP_INTERNAL cip_status cipi_train_metric_add(cip_ctx *ctx, cip_train_result *r, const char *name,
                                              double value);
/* A zeroed result that remembers ctx's allocator (NULL on NOMEM, recorded). */
CIP_INTERNAL cip_train_result *cipi_train_result_new(cip_ctx *ctx);
/* Segments task. */
CIP_INTERNAL cip_status cipi_train_segments(cip_ctx *ctx, const cip_frame *data,
                                            const cip_train_params *p, cip_train_result *r);
/* 1 when f has every raw customer column; 1 in *engineered when it also has the
 * engineered ones. */
CIP_INTERNAL int cipi_train_is_customer(const cip_frame *f, int *engineered);
/* Fit a pipeline on rows `rows` (NULL = all) of raw and transform frames. */
CIP_INTERNAL cip_status cipi_train_fit_featpipe(cip_ctx *ctx, const cip_frame *raw,
                                                const size_t *rows, size_t n, cip_featpipe **out);

#endif /* CIP_TRAIN_INT_H */
