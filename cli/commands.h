/* commands.h - every `cip` command: its entry point and help text
 *
 * To add a command: write cli/cmd_<name>.c defining cmd_<name>() and
 * cmd_<name>_help[], declare both here, and add a row to the table in main.c.
 * Help texts show real defaults (taken from the library's _params_default()
 * where one exists) and are also checked against docs/cip.1 by a test.
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_CLI_COMMANDS_H
#define CIP_CLI_COMMANDS_H

#include "cli.h"

int cmd_describe(int argc, char **argv, cip_ctx *ctx);
extern const char cmd_describe_help[];
int cmd_validate(int argc, char **argv, cip_ctx *ctx);
extern const char cmd_validate_help[];
int cmd_features(int argc, char **argv, cip_ctx *ctx);
extern const char cmd_features_help[];
int cmd_generate(int argc, char **argv, cip_ctx *ctx);
extern const char cmd_generate_help[];
int cmd_pipeline(int argc, char **argv, cip_ctx *ctx);
extern const char cmd_pipeline_help[];
int cmd_audit(int argc, char **argv, cip_ctx *ctx);
extern const char cmd_audit_help[];
int cmd_clv(int argc, char **argv, cip_ctx *ctx);
extern const char cmd_clv_help[];

int cmd_experiments(int argc, char **argv, cip_ctx *ctx);
extern const char cmd_experiments_help[];
int cmd_runs(int argc, char **argv, cip_ctx *ctx);
extern const char cmd_runs_help[];
int cmd_models(int argc, char **argv, cip_ctx *ctx);
extern const char cmd_models_help[];
int cmd_train(int argc, char **argv, cip_ctx *ctx);
extern const char cmd_train_help[];
int cmd_predict(int argc, char **argv, cip_ctx *ctx);
extern const char cmd_predict_help[];
int cmd_serve(int argc, char **argv, cip_ctx *ctx);
extern const char cmd_serve_help[];
int cmd_report(int argc, char **argv, cip_ctx *ctx);
extern const char cmd_report_help[];

int cmd_monitor(int argc, char **argv, cip_ctx *ctx);
extern const char cmd_monitor_help[];
int cmd_retrain(int argc, char **argv, cip_ctx *ctx);
extern const char cmd_retrain_help[];

#endif /* CIP_CLI_COMMANDS_H */
