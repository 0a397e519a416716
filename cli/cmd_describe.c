/* cmd_describe.c - placeholder, replaced by the real command
 * SPDX-License-Identifier: MIT
 */
#include "commands.h"

const char cmd_describe_help[] = "usage: cip describe (not built yet)\n";

int cmd_describe(int argc, char **argv, cip_ctx *ctx)
{
    (void)argc;
    (void)argv;
    (void)ctx;
    fprintf(stderr, "cip describe: not built yet\n");
    return CLI_FAIL;
}
