/* cmd_experiments.c - `cip experiments list`: experiments of a tracking store
 * SPDX-License-Identifier: MIT
 */
#include <getopt.h>
#include <string.h>

#include "cip/track.h"
#include "commands.h"

const char cmd_experiments_help[] =
    "usage: cip experiments list [--json] [--tracking-uri URI]\n"
    "\n"
    "List the experiments of an MLflow-compatible tracking store: id, lifecycle\n"
    "stage, number of active runs, name and artifact location.\n"
    "\n"
    "Options:\n"
    "      --tracking-uri URI  store to use (default: $MLFLOW_TRACKING_URI, else\n"
    "                          sqlite:///mlflow.db in the working directory)\n"
    "      --json              a JSON array of {experiment_id, name,\n"
    "                          artifact_location, lifecycle_stage, creation_time,\n"
    "                          n_runs}\n"
    "\n"
    "Examples:\n"
    "  cip experiments list\n"
    "  cip experiments list --json --tracking-uri sqlite:////srv/mlflow/mlflow.db\n"
    "\n"
    "Exit status: 0 success, 1 the store is missing or not an MLflow database,\n"
    "2 usage error.\n";

int cmd_experiments(int argc, char **argv, cip_ctx *ctx)
{
    static const struct option longs[] = {{"tracking-uri", required_argument, NULL, 'u'},
                                          {"json", no_argument, NULL, 'j'},
                                          {NULL, 0, NULL, 0}};
    const char *uri = NULL;
    int json = 0, c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "+", longs, NULL)) != -1) {
        if (c == 'u')
            uri = optarg;
        else if (c == 'j')
            json = 1;
        else
            return cli_usage_error("experiments", "unknown option '%s'", argv[optind - 1]);
    }
    if (optind < argc && strcmp(argv[optind], "list") != 0)
        return cli_usage_error("experiments", "unknown subcommand '%s'", argv[optind]);
    if (optind < argc)
        optind++;
    while ((c = getopt_long(argc, argv, "+", longs, NULL)) != -1) {
        if (c == 'u')
            uri = optarg;
        else if (c == 'j')
            json = 1;
        else
            return cli_usage_error("experiments", "unknown option '%s'", argv[optind - 1]);
    }
    if (optind < argc)
        return cli_usage_error("experiments", "unexpected argument '%s'", argv[optind]);
    cip_store_opts so;
    cip_store_opts_default(&so);
    so.read_only = 1;
    cip_store *s = NULL;
    char *out = NULL;
    cip_status st = cip_store_open(ctx, uri, &so, &s);
    if (st == CIP_OK)
        st = cip_experiments_list(ctx, s, json, &out);
    cip_store_close(s);
    if (st != CIP_OK)
        return cli_fail(ctx, st);
    fputs(out, stdout);
    cip_free(ctx, out);
    return CLI_OK;
}
