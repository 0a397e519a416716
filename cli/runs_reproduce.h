/* runs_reproduce.h - `cip runs reproduce` (cli/runs_reproduce.c), used by cmd_runs.c
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_CLI_RUNS_REPRODUCE_H
#define CIP_CLI_RUNS_REPRODUCE_H

#include "cli.h"

/* Re-execute run `run`'s recorded command and compare its model files; prints the
 * result. Returns the exit code (0 identical, 1 different or failed). */
int cli_runs_reproduce(cip_ctx *ctx, cip_store *s, const char *run);

#endif /* CIP_CLI_RUNS_REPRODUCE_H */
