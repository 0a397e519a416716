/* cmd_models.c - `cip models`: the model registry (list, show, register,
 * alias, unalias, resolve)
 * SPDX-License-Identifier: MIT
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cip/registry.h"
#include "commands.h"

const char cmd_models_help[] =
    "usage: cip models list [--json] [--tracking-uri URI]\n"
    "       cip models show NAME [--json] [--tracking-uri URI]\n"
    "       cip models register NAME SOURCE [--description TEXT] [--tracking-uri URI]\n"
    "       cip models alias NAME ALIAS VERSION [--tracking-uri URI]\n"
    "       cip models unalias NAME ALIAS [--tracking-uri URI]\n"
    "       cip models resolve MODEL_URI [--tracking-uri URI]\n"
    "\n"
    "The MLflow model registry kept in the tracking store. A registered model\n"
    "has numbered versions; each points at a logged model (its files). Aliases\n"
    "such as champion and challenger name one version each and are what\n"
    "`cip predict`/`cip serve` load (models:/NAME@champion).\n"
    "\n"
    "Subcommands:\n"
    "  list       registered models with their latest version and aliases\n"
    "  show       one model: description, aliases, every version\n"
    "  register   add SOURCE as the next version of NAME (NAME is created when\n"
    "             new); SOURCE is runs:/RUN_ID/MODEL_NAME (the run's logged model,\n"
    "             usually runs:/RUN_ID/model) or models:/m-ID; prints the version\n"
    "  alias      point ALIAS at VERSION (moving it if set); letters, digits, _ -\n"
    "  unalias    remove ALIAS\n"
    "  resolve    print the local directory holding the files of MODEL_URI:\n"
    "             models:/NAME@ALIAS, models:/NAME/VERSION, models:/NAME/latest,\n"
    "             models:/m-ID or runs:/RUN_ID/PATH\n"
    "\n"
    "Options:\n"
    "      --tracking-uri URI  store to use (default: $MLFLOW_TRACKING_URI, else\n"
    "                          sqlite:///mlflow.db in the working directory)\n"
    "      --description TEXT  (register) description of the new version (default none)\n"
    "      --json              (list, show) JSON output\n"
    "\n"
    "Examples:\n"
    "  cip models register clv runs:/3f2a9c1b0e6d4c7a9b1e2f3a4b5c6d7e/model\n"
    "  cip models alias clv champion 3\n"
    "  cip models show clv --json\n"
    "  cip models resolve models:/clv@champion\n"
    "\n"
    "Exit status: 0 success, 1 store failure or unknown model/version/alias/run,\n"
    "2 usage error.\n";

static int do_sub(cip_ctx *ctx, cip_store *s, int k, char **a, int json, const char *desc)
{
    char *out = NULL;
    int64_t v = 0;
    cip_status st = CIP_OK;
    switch (k) {
    case 0:
        st = cip_registry_list(ctx, s, json, &out);
        break;
    case 1:
        st = cip_registry_show(ctx, s, a[0], json, &out);
        break;
    case 2:
        st = cip_registry_register(ctx, s, a[0], a[1], desc, &v);
        break;
    case 3:
        if (!cli_parse_i64(a[2], &v) || v < 1)
            return cli_usage_error("models", "VERSION must be an integer >= 1, not '%s'", a[2]);
        st = cip_registry_set_alias(ctx, s, a[0], a[1], v);
        break;
    case 4:
        st = cip_registry_delete_alias(ctx, s, a[0], a[1]);
        break;
    default:
        st = cip_registry_resolve(ctx, s, a[0], &out);
        break;
    }
    if (st != CIP_OK)
        return cli_fail(ctx, st);
    if (k == 2)
        printf("registered '%s' version %lld\n", a[0], (long long)v);
    else if (k == 3)
        printf("alias '%s' of '%s' -> version %s\n", a[1], a[0], a[2]);
    else if (k == 4)
        printf("removed alias '%s' of '%s'\n", a[1], a[0]);
    else if (k == 5)
        printf("%s\n", out);
    else
        fputs(out, stdout);
    cip_free(ctx, out);
    return CLI_OK;
}

int cmd_models(int argc, char **argv, cip_ctx *ctx)
{
    static const char *const subs[] = {"list", "show", "register", "alias", "unalias", "resolve"};
    static const int n_args[] = {0, 1, 2, 3, 2, 1};
    if (argc < 2)
        return cli_usage_error("models", "missing subcommand (list, show, register, alias, "
                                         "unalias, resolve)");
    int k = -1;
    for (int i = 0; i < 6; i++)
        if (strcmp(argv[1], subs[i]) == 0)
            k = i;
    if (k < 0)
        return cli_usage_error("models", "unknown subcommand '%s'", argv[1]);
    const char *uri = NULL, *desc = NULL;
    int json = 0, nargs = 0;
    char *a[3] = {NULL, NULL, NULL};
    for (int i = 2; i < argc; i++) {
        const char *o = argv[i];
        if (strcmp(o, "--json") == 0) {
            json = 1;
        } else if (strcmp(o, "--tracking-uri") == 0 || strcmp(o, "--description") == 0) {
            if (i + 1 >= argc)
                return cli_usage_error("models", "%s needs a value", o);
            *(o[2] == 't' ? &uri : &desc) = argv[++i];
        } else if (strncmp(o, "--tracking-uri=", 15) == 0) {
            uri = o + 15;
        } else if (strncmp(o, "--description=", 14) == 0) {
            desc = o + 14;
        } else if (strncmp(o, "--", 2) == 0) {
            return cli_usage_error("models", "unknown option '%s'", o);
        } else if (nargs < 3) {
            a[nargs++] = argv[i];
        } else {
            return cli_usage_error("models", "too many arguments");
        }
    }
    if (nargs != n_args[k])
        return cli_usage_error("models", "'%s' takes %d argument%s", subs[k], n_args[k],
                               n_args[k] == 1 ? "" : "s");
    cip_store_opts so;
    cip_store_opts_default(&so);
    so.read_only = k == 0 || k == 1 || k == 5;
    cip_store *s = NULL;
    cip_status st = cip_store_open(ctx, uri, &so, &s);
    if (st != CIP_OK)
        return cli_fail(ctx, st);
    int rc = do_sub(ctx, s, k, a, json, desc);
    cip_store_close(s);
    return rc;
}
