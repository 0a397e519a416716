/* pipeline_int.h - state shared by the stages of cip_pipeline_run (src/pipeline only)
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_PIPELINE_INT_H
#define CIP_PIPELINE_INT_H

#include <stdbool.h>

#include "cip/audit.h"
#include "cip/features.h"
#include "cip/kmeans.h"
#include "cip/metrics.h"
#include "cip/pipeline.h"
#include "cip/schema.h"
#include "cip/track.h"
#include "cip/train.h"
#include "cip/validate.h"
#include "cipi.h"

#define PL_MAX_POINTS 2000 /* cap of the point arrays in the summary */

/* A growable list of owned strings. */
struct pl_strs {
    char **v;
    size_t n;
};

/* One supervised model (clv or churn): audit, honest and leaky training, evaluation. */
struct pl_model {
    cip_train_task task;
    const char *name; /* "clv", "churn" */
    bool present;
    const char *const *base; /* the reference's original feature set (static) */
    size_t n_base;
    cip_audit *audit;
    char *audit_path; /* <out>/audit_<name>.json */
    cip_audit_leaks *leaks;
    const char **feats; /* honest features (borrowed from base) */
    size_t n_feats;
    cip_train_result *honest, *leaky;
    /* held-out rows */
    size_t n_test;
    double *actual, *pred; /* target / label and prediction / P(churn) */
    double *pred_all;      /* every row of the table */
    double base_score[2];  /* baseline: clv {r2, rmse}; churn {f1, roc_auc} */
    double confusion[2][2];
    cip_curve *roc, *pr;
    char *explain_leaky, *explain_honest; /* cip_audit_explain_score texts */
    int suspicious_leaky, suspicious_honest;
    char run_id[33];
    int64_t version;
    const char *alias;
};

struct pl_segments {
    bool present;
    cip_train_result *r;
    int32_t *labels; /* every row */
    size_t k, p;
    uint64_t *sizes;    /* [k] */
    double *profiles;   /* [k * p] original units */
    double *importance; /* [p] between-cluster share of the scaled variance */
    double *px, *py;    /* projection of up to PL_MAX_POINTS rows */
    int32_t *pseg;
    size_t n_proj;
    double explained[2];
    char run_id[33];
    int64_t version;
    const char *alias;
};

struct pl_track;

struct pl_state {
    cip_ctx *ctx;
    const cip_pipeline_params *p;
    const cip_frame *raw;
    size_t n;
    int64_t t0_ms;
    char started[32];
    char fingerprint[80];
    /* validation */
    size_t n_errors, n_warnings;
    struct pl_strs messages;
    /* engineered table on all rows (audit, segments' profiles) */
    cip_featpipe *fp_all;
    cip_frame *eng_all;
    /* split */
    bool group;
    char split_reason[256];
    cip_split *split;
    const size_t *train, *test;
    size_t n_train, n_test;
    /* audit decisions */
    struct pl_strs actions, reasons, excluded;
    const char *audit_tag; /* clean | warnings | leaks-removed | refused */
    int refused;           /* 0, 1 leaks (strict), 2 validation */
    const char *honesty;
    struct pl_model clv, churn;
    struct pl_segments seg;
    /* outputs */
    char *dir_predictions, *dir_summary, *dir_report;
    char *tracking_uri;
    char parent_run_id[33];
    struct pl_track *track; /* open store and parent run (track.c) */
    struct pl_strs notes;   /* what was skipped and why */
};

/* strings.c */
CIP_INTERNAL cip_status cipi_pl_push(cip_ctx *ctx, struct pl_strs *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
CIP_INTERNAL void cipi_pl_strs_release(cip_ctx *ctx, struct pl_strs *s);
CIP_INTERNAL char *cipi_pl_path(cip_ctx *ctx, const char *dir, const char *name);
/* Set (replace or append) a metric of a train result. */
CIP_INTERNAL cip_status cipi_pl_set_metric(cip_ctx *ctx, cip_train_result *r, const char *name,
                                           double v);

/* check.c: validation and the engineered table */
CIP_INTERNAL cip_status cipi_pl_validate(struct pl_state *s);
/* audit.c: audits, leak choice, split decision, actions */
CIP_INTERNAL cip_status cipi_pl_audit(struct pl_state *s);
/* split.c */
CIP_INTERNAL cip_status cipi_pl_split(struct pl_state *s);
/* models.c */
CIP_INTERNAL cip_status cipi_pl_train(struct pl_state *s, struct pl_model *m);
/* evaluate.c */
CIP_INTERNAL cip_status cipi_pl_evaluate(struct pl_state *s, struct pl_model *m);
CIP_INTERNAL cip_status cipi_pl_verdict(struct pl_state *s);
/* segments.c */
CIP_INTERNAL cip_status cipi_pl_segments(struct pl_state *s);
/* track.c */
CIP_INTERNAL cip_status cipi_pl_track(struct pl_state *s);
CIP_INTERNAL cip_status cipi_pl_track_finish(struct pl_state *s, const char *summary_path, int ok);
/* outputs.c */
CIP_INTERNAL cip_status cipi_pl_predictions(struct pl_state *s);
/* summary.c */
CIP_INTERNAL cip_status cipi_pl_summary(struct pl_state *s, char **json_out);
/* text.c */
CIP_INTERNAL cip_status cipi_pl_text(struct pl_state *s, char **text_out);

#endif /* CIP_PIPELINE_INT_H */
