/* runlog_int.h - private declarations of run logging (src/runlog only)
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_RUNLOG_INT_H
#define CIP_RUNLOG_INT_H

#include "cip/registry.h"
#include "cip/runlog.h"
#include "cipi.h"

/* --- collect.c: what a run records ------------------------------------------ */
/* A growing list of key/value pairs whose strings the list owns. */
struct cipi_kvlist {
    cip_param *v;
    size_t n, cap;
};
CIP_INTERNAL void cipi_kvlist_free(cip_ctx *ctx, struct cipi_kvlist *l);
/* Add (or, when key exists, replace) key = printf(fmt, ...). */
CIP_INTERNAL cip_status cipi_kvlist_set(cip_ctx *ctx, struct cipi_kvlist *l, const char *key,
                                        const char *fmt, ...) CIPI_PRINTF(4, 5);
/* Params of r (and of the train params when given). */
CIP_INTERNAL cip_status cipi_runlog_params(cip_ctx *ctx, const cip_train_result *r,
                                           const cip_runlog_params *p, struct cipi_kvlist *out);
/* Metric points of r: every metric (step 0), CV folds as steps, k-means sweep.
 * *out is owned (keys borrow from r or static strings). */
CIP_INTERNAL cip_status cipi_runlog_metrics(cip_ctx *ctx, const cip_train_result *r,
                                            cip_metric **out, size_t *n);
/* Signature columns and example of the raw inputs (owned by the struct). */
struct cipi_runlog_sig {
    size_t n;
    cip_model_column *cols; /* names owned */
    char **example;         /* n values as text (NULL = missing) or the array is NULL */
};
CIP_INTERNAL cip_status cipi_runlog_signature(cip_ctx *ctx, const cip_train_result *r,
                                              const cip_frame *raw, struct cipi_runlog_sig *sig);
CIP_INTERNAL void cipi_runlog_sig_free(cip_ctx *ctx, struct cipi_runlog_sig *sig);

#endif /* CIP_RUNLOG_INT_H */
