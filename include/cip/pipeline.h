/* cip/pipeline.h - the whole job on a customer table, as one library call
 *
 * cip_pipeline_run() validates a raw customer table, audits it for leakage
 * (CLV target purchase_amount; churn label churn_risk_score > its 75th
 * percentile), excludes the features the audit proves to leak
 * (cip_audit_choose_leaks), switches to a group split when duplicate feature
 * vectors straddle a random split, trains the CLV forest regressor, the churn
 * forest classifier (class_weight balanced) and the k-means segments (k by
 * silhouette) with grid search and CV on the training rows, evaluates them on
 * the held-out rows next to baselines and next to the "leaky" models the
 * reference project would have trained (its original feature sets, random
 * split), optionally tracks everything (a parent run plus one child run per
 * model, registered as cip-clv, cip-churn, cip-segments), and writes into the
 * output folder:
 *   predictions.csv  user_id, predicted_clv, churn_probability, churn_prediction,
 *                    customer_segment for every row
 *   summary.json     the pipeline summary (docs/PIPELINE.md, contract C4)
 *   report.html      rendered from summary.json by the report module
 *   audit_clv.json, audit_churn.json  the audit reports (docs/AUDIT.md)
 * Progress: stage "pipeline" (one step per stage) plus the stages of the
 * modules used. Results do not depend on the thread count.
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_PIPELINE_H
#define CIP_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "cip/core.h"
#include "cip/data.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cip_pipeline_params {
    const char *out_dir;           /* output folder, created when missing; default "out" */
    const char *data_path;         /* shown in the summary and fingerprinted when readable;
                                      default NULL */
    const char *command_line;      /* shown in the summary, tag cip.command; default NULL */
    const char *grid;              /* "original", "production" or a spec as
                                      cip_param_grid_parse; NULL/"" = no search;
                                      default "production" */
    size_t cv;                     /* CV folds (>= 2, or 0 = none); default 5 */
    double test_size;              /* held-out fraction in (0, 1); default 0.2 */
    uint64_t seed;                 /* split, folds, forests, k-means; default 42 */
    int strict;                    /* 1: refuse (no training) when features leak */
    int leaky;                     /* 1: also train the reference's leaky models; default 1 */
    int track;                     /* 1: log runs to the tracking store; default 1 */
    const char *tracking_uri;      /* NULL = cip_store_resolve_uri(NULL) */
    const char *experiment;        /* default "cip" */
    int report;                    /* 1: render report.html; default 1 */
    size_t search_rows;            /* grid search on at most this many training rows (a
                                      deterministic sample), then one refit on all of
                                      them; 0 = all rows; default 5000. Tables larger
                                      than this train the leaky models with the honest
                                      grid point, without a search of their own */
    size_t leaky_rows;             /* leaky models of large tables: at most this many
                                      rows (a deterministic sample); 0 = all;
                                      default 100000 */
    const char *transactions_json; /* a JSON object (cip clv evaluate --json) put under
                                      "transactions"; default NULL (null) */
} cip_pipeline_params;

CIP_API void cip_pipeline_params_default(cip_pipeline_params *p);
/* Errors: CIP_ERR_INVALID naming the field. ctx may be NULL. */
CIP_API cip_status cip_pipeline_params_check(cip_ctx *ctx, const cip_pipeline_params *p);

typedef struct cip_pipeline_result cip_pipeline_result; /* opaque */

/* Run the pipeline on a raw customer table (borrowed). On CIP_OK *out owns a
 * result, also when the table was refused (strict mode with leaks, or a table
 * that fails validation): check cip_pipeline_refused(). Outputs are written to
 * p->out_dir (summary.json also when refused; nothing else then).
 * Errors: CIP_ERR_INVALID (params), CIP_ERR_SCHEMA (not a customer table),
 * CIP_ERR_IO (output folder, tracking store), and those of the modules used;
 * CIP_ERR_NOMEM. Allocates. Parallel: ctx threads inside the modules. */
CIP_API cip_status cip_pipeline_run(cip_ctx *ctx, const cip_frame *data,
                                    const cip_pipeline_params *p, cip_pipeline_result **out);
CIP_API void cip_pipeline_result_free(cip_pipeline_result *r); /* NULL is a no-op */

/* 0 = trained; 1 = refused because of leaks (strict); 2 = the table failed validation. */
CIP_API int cip_pipeline_refused(const cip_pipeline_result *r);
/* The summary.json document (borrowed, NUL-terminated). */
CIP_API const char *cip_pipeline_summary_json(const cip_pipeline_result *r);
/* The console summary: success criteria with honest and leaky values, the
 * honesty verdict with its reasons, where the outputs are (borrowed). */
CIP_API const char *cip_pipeline_text(const cip_pipeline_result *r);
/* "realistic" or "suspicious" ("refused" when no model was trained). */
CIP_API const char *cip_pipeline_honesty(const cip_pipeline_result *r);

#ifdef __cplusplus
}
#endif
#endif /* CIP_PIPELINE_H */
