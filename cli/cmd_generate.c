/* cmd_generate.c - placeholder, replaced by the real command
 * SPDX-License-Identifier: MIT
 */
#include "commands.h"

const char cmd_generate_help[] = "usage: cip generate (not built yet)\n";

int cmd_generate(int argc, char **argv, cip_ctx *ctx)
{
    (void)argc;
    (void)argv;
    (void)ctx;
    fprintf(stderr, "cip generate: not built yet\n");
    return CLI_FAIL;
}
