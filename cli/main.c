/* main.c - the `cip` command table and dispatcher
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"

static const struct cli_command commands[] = {
    {"pipeline", cmd_pipeline,
     "the main job on a customer table: validate, engineer features, summarise", cmd_pipeline_help},
    {"describe", cmd_describe, "quick look at a CSV: types, missing values, statistics",
     cmd_describe_help},
    {"validate", cmd_validate, "check a customer table against the schema and business rules",
     cmd_validate_help},
    {"features", cmd_features, "engineer the reference feature table (fit/transform)",
     cmd_features_help},
    {"generate", cmd_generate, "write a synthetic customer table", cmd_generate_help},
    {"audit", cmd_audit, "find target leakage and data-quality problems before training",
     cmd_audit_help},
    {"clv", cmd_clv, "customer lifetime value from transactions: BG/NBD, Pareto/NBD, Gamma-Gamma",
     cmd_clv_help},
    {"experiments", cmd_experiments, "list the experiments of the MLflow tracking store",
     cmd_experiments_help},
    {"runs", cmd_runs, "list, show, compare, delete, gc, import and export tracked runs",
     cmd_runs_help},
    {"models", cmd_models, "model registry: register versions, set aliases, resolve URIs",
     cmd_models_help},
    {"train", cmd_train, "train the clv / churn forests or the k-means segments, with CV",
     cmd_train_help},
    {"predict", cmd_predict, "score rows with a model bundle saved by `cip train -o`",
     cmd_predict_help},
    {"monitor", cmd_monitor, "data/prediction drift and performance decay vs a model's reference",
     cmd_monitor_help},
    {"retrain", cmd_retrain, "retrain on new data; promote only a significantly better challenger",
     cmd_retrain_help},
    {"serve", cmd_serve, "HTTP model server: MLflow scoring protocol, JSON API, web UI",
     cmd_serve_help},
    {"report", cmd_report, "render a pipeline summary.json as a self-contained report.html",
     cmd_report_help},
};

const struct cli_command *cli_find_command(const char *name)
{
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
        if (strcmp(commands[k].name, name) == 0)
            return &commands[k];
    return NULL;
}

static int print_main_help(FILE *out)
{
    fprintf(out, "usage: cip [--version] [--help] <command> [options] [args]\n\n"
                 "cip, the Customer Intelligence Platform: audit customer data, train and\n"
                 "validate CLV, churn and segmentation models, track, serve and monitor them.\n\n"
                 "Commands:\n");
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
        fprintf(out, "  %-12s %s\n", commands[k].name, commands[k].summary);
    fprintf(out, "\nRun 'cip help <command>' or 'cip <command> --help' for a command's options.\n"
                 "Exit status: 0 success, 1 failure (bad data, I/O), 2 usage error.\n");
    return CLI_OK;
}

static int print_version(void)
{
    printf("cip %s\n%s\n", cip_version(), cip_build_info());
    return CLI_OK;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_main_help(stderr);
        return CLI_USAGE;
    }
    const char *name = argv[1];
    if (cli_is_help(name))
        return print_main_help(stdout);
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0)
        return print_version();
    if (strcmp(name, "help") == 0) {
        if (argc < 3)
            return print_main_help(stdout);
        if (cli_find_command(argv[2]) == NULL) {
            fprintf(stderr, "cip: '%s' is not a cip command; see 'cip --help'\n", argv[2]);
            return CLI_USAGE;
        }
        return cli_print_help(argv[2]);
    }
    const struct cli_command *cmd = cli_find_command(name);
    if (cmd == NULL) {
        fprintf(stderr, "cip: '%s' is not a cip command; see 'cip --help'\n", name);
        return CLI_USAGE;
    }
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (cli_is_help(argv[i]))
            return cli_print_help(name);
    }
    cip_ctx *ctx = NULL;
    if (cip_ctx_new(&ctx) != CIP_OK) {
        fprintf(stderr, "cip: out of memory\n");
        return CLI_FAIL;
    }
    int rc = cmd->fn(argc - 1, argv + 1, ctx);
    cip_ctx_free(ctx);
    return rc;
}
