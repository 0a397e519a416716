/* cmd_audit.c - `cip audit`: leakage and data-quality audit of a modelling table
 * SPDX-License-Identifier: MIT
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cip/audit.h"
#include "cip/features.h"
#include "cip/schema.h"
#include "commands.h"

const char cmd_audit_help[] =
    "usage: cip audit DATA --target COL [--task regression|classification]\n"
    "                 [--features a,b,...] [--label-rule \"COL > q75\"]\n"
    "                 [--split random|stratified|group] [--test-size F] [--seed N]\n"
    "                 [--sample-rows N] [--json] [--strict] [-q]\n"
    "\n"
    "Look for target leakage and data-quality problems before training: every\n"
    "finding has a kind, a severity (info, warning, high), the columns, the\n"
    "numeric evidence, example rows and a recommended fix. Checks: Pearson and\n"
    "Spearman correlations; single-feature ROC AUC / lookup eta^2; algebraic\n"
    "reconstruction of the target from one or two features (x, log, exp, x*y,\n"
    "x/y, affine, rounding to the target's grid); functional dependencies of up\n"
    "to 3 features; label-rule lineage and separability; duplicate rows and\n"
    "split contamination; identical, constant and ID-like columns;\n"
    "multicollinearity and few distinct profiles; the customer schema rules.\n"
    "Verdict: clean, warnings or leaks (any high finding). docs/AUDIT.md\n"
    "documents the checks and the --json output.\n"
    "\n"
    "Options:\n"
    "      --target COL        target column; with --label-rule the label's name\n"
    "                          (a column of that name is left out of the features)\n"
    "      --task T            regression or classification (default: auto;\n"
    "                          classification for labels, bool/text or 2-valued targets)\n"
    "      --features LIST     comma-separated feature columns (default: all others)\n"
    "      --label-rule RULE   target = rule over a column: \"COL > q75\" (75th\n"
    "                          percentile), \"COL >= 3.5\", operators > >= < <= ==;\n"
    "                          \"churn\" = cip's churn label (customer tables)\n"
    "      --split KIND        split for the contamination check: random,\n"
    "                          stratified or group (default random)\n"
    "      --test-size F       test fraction in (0, 1) (default 0.2)\n"
    "      --seed N            split seed (default 42)\n"
    "      --sample-rows N     rows used by the searches on large tables (default 20000)\n"
    "      --json              print the report as one JSON object\n"
    "  -q, --quiet             no progress on stderr (shown for checks over 1 s)\n"
    "      --strict            exit 1 when any high-severity finding exists\n"
    "\n"
    "Examples:\n"
    "  cip audit customers_features.csv --target purchase_amount\n"
    "  cip audit customers_features.csv --target churn \\\n"
    "      --label-rule \"churn_risk_score > q75\" --json\n"
    "  cip audit table.csv --target y --split group --strict\n"
    "\n"
    "Exit status: 0 audit completed (whatever the findings), 1 unreadable data or\n"
    "(with --strict) high-severity findings, 2 usage error.\n";

static size_t split_list(char *s, const char **out, size_t cap)
{
    size_t n = 0;
    for (char *p = s; n < cap;) {
        char *comma = strchr(p, ',');
        if (comma != NULL)
            *comma = '\0';
        if (*p != '\0')
            out[n++] = p;
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    return n;
}

/* Fit the reference feature pipeline on the raw customer columns when the table has them:
 * it supplies the lineage of engineered columns. NULL when not a customer table. */
static cip_featpipe *fit_pipeline(cip_ctx *ctx, const cip_frame *f)
{
    const char *raw[CIP_SCHEMA_N_COLUMNS];
    size_t nr = 0, j;
    for (size_t k = 0; k < CIP_SCHEMA_N_COLUMNS; k++) {
        const char *c = cip_schema_column(NULL, k);
        if (c == NULL)
            continue;
        if (cip_frame_find(NULL, f, c, &j) != CIP_OK)
            return NULL;
        raw[nr++] = c;
    }
    cip_frame *sel = NULL;
    cip_featpipe *p = NULL;
    if (cip_frame_select(ctx, f, raw, nr, &sel) == CIP_OK)
        (void)cip_featpipe_fit(ctx, sel, NULL, &p);
    cip_frame_free(sel);
    cip_ctx_clear_error(ctx);
    return p;
}

struct audit_opts {
    cip_audit_params p;
    bool json, strict, quiet;
    char *feature_list;
    const char **features;
};

static int run(cip_ctx *ctx, struct audit_opts *o, const char *path)
{
    cip_frame *f = NULL;
    cip_featpipe *pipe = NULL;
    cip_audit *a = NULL;
    char *text = NULL;
    cip_status st = cip_frame_read_csv(ctx, path, NULL, &f);
    if (st == CIP_OK) {
        if (o->p.label_rule != NULL) { /* lineage is only needed for label rules */
            pipe = fit_pipeline(ctx, f);
            o->p.pipeline = pipe;
        }
        st = cip_audit_run(ctx, f, &o->p, &a);
    }
    if (st == CIP_OK)
        st = o->json ? cip_audit_to_json(ctx, a, path, &text)
                     : cip_audit_to_text(ctx, a, path, &text);
    int rc;
    if (st != CIP_OK) {
        rc = cli_fail(ctx, st);
    } else {
        fputs(text, stdout);
        rc = o->strict && cip_audit_get_verdict(a) == CIP_AUDIT_LEAKS ? CLI_FAIL : CLI_OK;
    }
    cip_audit_free_string(ctx, text);
    cip_audit_free(a);
    cip_featpipe_free(pipe);
    cip_frame_free(f);
    return rc;
}

static int parse_opt(int c, struct audit_opts *o, char **argv)
{
    uint64_t u;
    switch (c) {
    case 't':
        o->p.target = optarg;
        return 0;
    case 'k':
        if (strcmp(optarg, "regression") == 0)
            o->p.task = CIP_AUDIT_TASK_REGRESSION;
        else if (strcmp(optarg, "classification") == 0)
            o->p.task = CIP_AUDIT_TASK_CLASSIFICATION;
        else if (strcmp(optarg, "auto") == 0)
            o->p.task = CIP_AUDIT_TASK_AUTO;
        else
            return cli_usage_error("audit", "--task must be regression or classification");
        return 0;
    case 'f':
        free(o->feature_list);
        free(o->features);
        o->feature_list = malloc(strlen(optarg) + 1);
        o->features = malloc((strlen(optarg) + 1) * sizeof *o->features);
        if (o->feature_list == NULL || o->features == NULL) {
            fprintf(stderr, "cip: out of memory\n");
            return CLI_FAIL;
        }
        memcpy(o->feature_list, optarg, strlen(optarg) + 1);
        o->p.n_features = split_list(o->feature_list, o->features, strlen(optarg) + 1);
        o->p.features = o->features;
        return 0;
    case 'l':
        o->p.label_rule = optarg;
        return 0;
    case 's':
        if (strcmp(optarg, "random") == 0)
            o->p.split = CIP_SPLIT_RANDOM;
        else if (strcmp(optarg, "stratified") == 0)
            o->p.split = CIP_SPLIT_STRATIFIED;
        else if (strcmp(optarg, "group") == 0)
            o->p.split = CIP_SPLIT_GROUP;
        else
            return cli_usage_error("audit", "--split must be random, stratified or group");
        return 0;
    case 'z':
        if (!cli_parse_double(optarg, &o->p.test_size))
            return cli_usage_error("audit", "--test-size needs a number, not '%s'", optarg);
        return 0;
    case 'e':
        if (!cli_parse_u64(optarg, &o->p.seed))
            return cli_usage_error("audit", "--seed needs a non-negative integer");
        return 0;
    case 'r':
        if (!cli_parse_u64(optarg, &u))
            return cli_usage_error("audit", "--sample-rows needs a count, not '%s'", optarg);
        o->p.sample_rows = (size_t)u;
        return 0;
    case 'j':
        o->json = true;
        return 0;
    case 'S':
        o->strict = true;
        return 0;
    case 'q':
        o->quiet = true;
        return 0;
    case ':':
        return cli_usage_error("audit", "option '%s' needs a value", argv[optind - 1]);
    default:
        return cli_usage_error("audit", "unknown option '%s'", argv[optind - 1]);
    }
}

int cmd_audit(int argc, char **argv, cip_ctx *ctx)
{
    static const struct option opts[] = {
        {"target", required_argument, NULL, 't'},
        {"task", required_argument, NULL, 'k'},
        {"features", required_argument, NULL, 'f'},
        {"label-rule", required_argument, NULL, 'l'},
        {"split", required_argument, NULL, 's'},
        {"test-size", required_argument, NULL, 'z'},
        {"seed", required_argument, NULL, 'e'},
        {"sample-rows", required_argument, NULL, 'r'},
        {"json", no_argument, NULL, 'j'},
        {"strict", no_argument, NULL, 'S'},
        {NULL, 0, NULL, 0},
    };
    struct audit_opts o;
    memset(&o, 0, sizeof o);
    cip_audit_params_default(&o.p);
    int c, rc = CLI_OK;
    optind = 0;
    opterr = 0;
    while (rc == CLI_OK && (c = getopt_long(argc, argv, ":q", opts, NULL)) != -1)
        rc = parse_opt(c, &o, argv);
    if (rc == CLI_OK && argc - optind != 1)
        rc = cli_usage_error("audit", argc - optind == 0 ? "missing DATA" : "expected one DATA");
    if (rc == CLI_OK && o.p.target == NULL && o.p.label_rule == NULL)
        rc = cli_usage_error("audit", "--target is required");
    if (rc == CLI_OK && cip_audit_params_check(ctx, &o.p) != CIP_OK)
        rc = cli_usage_error("audit", "%s", cip_ctx_errmsg(ctx));
    if (rc == CLI_OK) {
        cli_progress_install(ctx, o.quiet);
        rc = run(ctx, &o, argv[optind]);
    }
    free(o.feature_list);
    free(o.features);
    return rc;
}
