/* cmd_validate.c - placeholder, replaced by the real command
 * SPDX-License-Identifier: MIT
 */
#include "commands.h"

const char cmd_validate_help[] = "usage: cip validate (not built yet)\n";

int cmd_validate(int argc, char **argv, cip_ctx *ctx)
{
    (void)argc;
    (void)argv;
    (void)ctx;
    fprintf(stderr, "cip validate: not built yet\n");
    return CLI_FAIL;
}
