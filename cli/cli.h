/* cli.h - shared declarations of the `cip` command-line tool
 *
 * Each command lives in cli/cmd_<name>.c as
 *   int cmd_<name>(int argc, char **argv, cip_ctx *ctx);
 * and returns the process exit code: 0 success, 1 runtime or data failure,
 * 2 usage error. Results go to stdout, diagnostics and progress to stderr.
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_CLI_H
#define CIP_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cip/cip.h"

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

typedef int (*cli_cmd_fn)(int argc, char **argv, cip_ctx *ctx);

struct cli_command {
    const char *name;    /* as typed after `cip` */
    cli_cmd_fn fn;       /* implementation */
    const char *summary; /* one line for `cip --help` */
    const char *help;    /* full help text printed by `cip help NAME` / `NAME --help` */
};

/* The command table (cli/main.c). */
const struct cli_command *cli_find_command(const char *name);

/* Print "cip CMD: <msg>" and "try 'cip CMD --help'" to stderr; returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print "cip: error: <ctx message>" to stderr; returns CLI_FAIL (CLI_USAGE for
 * CIP_ERR_INVALID/MISUSE when usage is true). */
int cli_fail(cip_ctx *ctx, cip_status rc);
/* Print the full help of a command to stdout; returns CLI_OK. */
int cli_print_help(const char *cmd);
/* true when arg is -h or --help. */
bool cli_is_help(const char *arg);

/* Strict number parsing for option values; false on junk or overflow. */
bool cli_parse_i64(const char *s, int64_t *out);
bool cli_parse_u64(const char *s, uint64_t *out);
bool cli_parse_double(const char *s, double *out);

/* Progress reporting on stderr (a bar with ETA on a terminal, otherwise a
 * line every 10%); installed on the ctx unless quiet. */
void cli_progress_install(cip_ctx *ctx, bool quiet);

/* The command line as typed, "cip" + argv[0..argc), quoted as a POSIX shell
 * would read it back (cip_runlog_join_argv); call before getopt_long permutes
 * argv. *out is owned: free with cip_free(ctx, *out). */
cip_status cli_command_line(cip_ctx *ctx, int argc, char **argv, char **out);

#endif /* CIP_CLI_H */
