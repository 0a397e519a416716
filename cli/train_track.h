/* train_track.h - `cip train`: options, leakage check of suspicious scores, run tracking
 * (private to cli/cmd_train.c and cli/train_track.c)
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_CLI_TRAIN_TRACK_H
#define CIP_CLI_TRAIN_TRACK_H

#include <stdbool.h>
#include <stdint.h>

#include "cip/track.h"
#include "cip/train.h"
#include "cli.h"

struct train_opts {
    cip_train_params p;
    char *feature_list;
    const char **features;
    const char *out, *data;
    char label_col[256];
    bool json, quiet, no_track;
    int threads;
    const char *tracking_uri, *experiment, *register_name, *run_name;
    double suspicious_above;
    char *cmdline; /* the exact command line (before getopt permutes argv), tag cip.command */
};

/* When a held-out score exceeds o->suspicious_above: audit, warn with the findings that
 * explain it, and write the audit JSON to a temporary file (json_path, for the run's
 * audit.json; "" when none). *verdict = the audit verdict (NULL when not audited). Never
 * fails the training: errors become warnings on stderr. */
void train_suspicious_check(cip_ctx *ctx, const struct train_opts *o, const cip_frame *f,
                            const cip_train_result *r, const char **verdict, char *json_path,
                            size_t jp_size);

/* Log the trained model r (data f, started at t0 ms) as a run of store s, and register it
 * when --register was given. Returns the exit code (CLI_OK or the failure's). */
int train_track(cip_ctx *ctx, const struct train_opts *o, cip_store *s, const cip_frame *f,
                const cip_train_result *r, int64_t t0, const char *verdict, const char *audit_json);

#endif /* CIP_CLI_TRAIN_TRACK_H */
