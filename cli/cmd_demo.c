/* cmd_demo.c - placeholder, replaced by the real command
 * SPDX-License-Identifier: MIT
 */
#include "commands.h"

const char cmd_demo_help[] = "usage: cip demo (not built yet)\n";

int cmd_demo(int argc, char **argv, cip_ctx *ctx)
{
    (void)argc;
    (void)argv;
    (void)ctx;
    fprintf(stderr, "cip demo: not built yet\n");
    return CLI_FAIL;
}
