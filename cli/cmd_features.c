/* cmd_features.c - placeholder, replaced by the real command
 * SPDX-License-Identifier: MIT
 */
#include "commands.h"

const char cmd_features_help[] = "usage: cip features (not built yet)\n";

int cmd_features(int argc, char **argv, cip_ctx *ctx)
{
    (void)argc;
    (void)argv;
    (void)ctx;
    fprintf(stderr, "cip features: not built yet\n");
    return CLI_FAIL;
}
