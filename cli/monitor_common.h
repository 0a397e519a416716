/* monitor_common.h - command-line options shared by `cip monitor` and `cip retrain`
 * (private to cli/cmd_monitor.c and cli/cmd_retrain.c)
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_CLI_MONITOR_COMMON_H
#define CIP_CLI_MONITOR_COMMON_H

#include <getopt.h>
#include <stdint.h>

#include "cli.h"

/* Values of the shared options; mon_common_init sets the defaults. */
struct mon_common {
    const char *tracking_uri, *experiment; /* NULL = default */
    int json, quiet;
    int64_t threads; /* -1 = all cores */
};

/* getopt_long codes of the shared long options (above any command's own codes). */
enum { MON_O_URI = 0x1000, MON_O_EXP, MON_O_JSON, MON_O_THR };

/* The shared entries of a command's `struct option` table (short option: -q). */
#define MON_COMMON_LONG_OPTIONS                                                                    \
    {"tracking-uri", required_argument, NULL, MON_O_URI},                                          \
        {"experiment", required_argument, NULL, MON_O_EXP},                                        \
        {"json", no_argument, NULL, MON_O_JSON}, {"threads", required_argument, NULL, MON_O_THR},  \
    {                                                                                              \
        "quiet", no_argument, NULL, 'q'                                                            \
    }

void mon_common_init(struct mon_common *co);

/* Handle getopt_long's result `c` that the command did not handle itself: a shared option
 * (returns CLI_OK), a missing value (':') or an unknown option (usage error of `cmd`). */
int mon_common_opt(const char *cmd, int c, char **argv, struct mon_common *co);

/* Apply --threads and --quiet to ctx (thread count, progress on stderr). */
void mon_common_apply(cip_ctx *ctx, const struct mon_common *co);

#endif /* CIP_CLI_MONITOR_COMMON_H */
