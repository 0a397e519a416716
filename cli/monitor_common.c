/* monitor_common.c - command-line options shared by `cip monitor` and `cip retrain`
 * SPDX-License-Identifier: MIT
 */
#include "monitor_common.h"

#include <string.h>

void mon_common_init(struct mon_common *co)
{
    memset(co, 0, sizeof *co);
    co->threads = -1;
}

int mon_common_opt(const char *cmd, int c, char **argv, struct mon_common *co)
{
    switch (c) {
    case 'q':
        co->quiet = 1;
        return CLI_OK;
    case MON_O_URI:
        co->tracking_uri = optarg;
        return CLI_OK;
    case MON_O_EXP:
        co->experiment = optarg;
        return CLI_OK;
    case MON_O_JSON:
        co->json = 1;
        return CLI_OK;
    case MON_O_THR:
        if (!cli_parse_i64(optarg, &co->threads) || co->threads < 0 || co->threads > 4096)
            return cli_usage_error(cmd, "--threads needs a number >= 0");
        return CLI_OK;
    case ':':
        return cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
    default:
        return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
    }
}

void mon_common_apply(cip_ctx *ctx, const struct mon_common *co)
{
    if (co->threads >= 0)
        cip_ctx_set_threads(ctx, (int)co->threads);
    cli_progress_install(ctx, co->quiet != 0);
}
