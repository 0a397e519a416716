/* clv_track.h - run tracking for `cip clv` (private to cli/cmd_clv.c)
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_CLI_CLV_TRACK_H
#define CIP_CLI_CLV_TRACK_H

#include "cip/clv.h"
#include "cip/track.h"
#include "cli.h"

/* An open run, or nothing when tracking is off (every call is then a no-op). */
struct clv_track {
    cip_store *store;
    cip_run *run;
};

/* Open the store (uri NULL = $MLFLOW_TRACKING_URI or the default) and start a
 * run named "clv-<sub>" in `experiment` with tag cip.command = command. */
cip_status clv_track_start(cip_ctx *ctx, struct clv_track *t, const char *uri,
                           const char *experiment, const char *sub, const char *command);
cip_status clv_track_param(cip_ctx *ctx, struct clv_track *t, const char *key, const char *value);
cip_status clv_track_paramf(cip_ctx *ctx, struct clv_track *t, const char *key, double value);
/* Metric `prefix` + slug(name) + suffix; NaN values are skipped. */
cip_status clv_track_metric(cip_ctx *ctx, struct clv_track *t, const char *prefix, const char *name,
                            const char *suffix, double value);
cip_status clv_track_text(cip_ctx *ctx, struct clv_track *t, const char *dest, const char *data);
/* End the run FINISHED (ok) or FAILED and close the store; returns the first error. */
cip_status clv_track_end(cip_ctx *ctx, struct clv_track *t, bool ok);

/* clv_report.c: the evaluation report as text on stdout, and as metrics of
 * the run (plus the JSON as artifact evaluation.json). */
void clv_print_report(const cip_clv_eval_report *r);
cip_status clv_track_report(cip_ctx *ctx, struct clv_track *t, const cip_clv_eval_report *r,
                            const char *json);

#endif /* CIP_CLI_CLV_TRACK_H */
