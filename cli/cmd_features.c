/* cmd_features.c - `cip features`: engineer the reference feature table
 *
 * Fits the feature pipeline (on IN or on --fit-on rows) or loads a saved one
 * (--pipeline), transforms IN and writes the engineered CSV the way the
 * original notebook did (%.4f floats, True/False, final newline).
 * SPDX-License-Identifier: MIT
 */
#include <getopt.h>
#include <string.h>

#include "cip/features.h"
#include "commands.h"

const char cmd_features_help[] =
    "usage: cip features IN.csv [-o OUT.csv] [--fit-on FIT.csv | --pipeline FILE]\n"
    "                    [--save-pipeline FILE] [--float-format FMT]\n"
    "                    [--allow-unknown-region] [--frequency-ties error|lower]\n"
    "                    [--json] [--quiet]\n"
    "\n"
    "Engineer the original project's customer feature table from a raw table\n"
    "with the columns age, annual_income, purchase_amount, loyalty_score, region\n"
    "and purchase_frequency (other columns are passed through). The output holds\n"
    "every input column, then 22 engineered ones (region_grouped, one-hot\n"
    "regions, ratios, age/income bins, value and churn scores, flags,\n"
    "percentiles, growth score, frequency quartile, logs; docs/FEATURES.md).\n"
    "On the reference raw file the output is byte-identical to the reference\n"
    "df_eng_customer_purchasing_features.csv.\n"
    "\n"
    "The pipeline learns its state (ranges, quantile thresholds, qcut edges,\n"
    "fitted values for the percentile ranks, region levels) from the fit rows\n"
    "only: IN itself by default, FIT.csv with --fit-on, or a saved pipeline with\n"
    "--pipeline. Unseen values are ranked against the fitted values.\n"
    "\n"
    "Options:\n"
    "  -o, --output FILE         engineered CSV, written atomically; '-' = standard\n"
    "                            output (default '-')\n"
    "      --fit-on FILE         fit on the rows of this CSV instead of IN\n"
    "      --pipeline FILE       load a saved fitted pipeline and only transform\n"
    "                            (cannot be combined with --fit-on or the fit options)\n"
    "      --save-pipeline FILE  save the fitted pipeline (text format\n"
    "                            'cip-featpipe 1', docs/FEATURES.md)\n"
    "      --float-format FMT    printf format of float cells: one %f/%e/%g\n"
    "                            conversion with optional flags, width, precision\n"
    "                            (default %.4f, as the reference file)\n"
    "      --allow-unknown-region\n"
    "                            fit option: a region not seen in the fit rows keeps\n"
    "                            its label and gets no one-hot column (default: an\n"
    "                            error naming the region and row)\n"
    "      --frequency-ties MODE fit option: when qcut edges of purchase_frequency\n"
    "                            coincide, 'error' (default, as pandas) or 'lower'\n"
    "                            (value goes to the lowest bin whose edge holds it)\n"
    "      --json                print a JSON summary of the run and the fitted state\n"
    "                            on standard output (needs -o FILE)\n"
    "  -q, --quiet               no summary line on standard error\n"
    "\n"
    "Defaults of the fit (the reference project): East -> North, age bins\n"
    "[14,30,45,60,100), income bins [0,45000,90000,150000), flags > Q0.75,\n"
    "value weights 0.5/0.25/0.25, churn weights 0.5/0.5, 4 frequency bins,\n"
    "growth range [0,100], churn label > Q0.75 of the 4-dp churn score.\n"
    "\n"
    "Examples:\n"
    "  cip features data/raw.csv -o features.csv\n"
    "  cip features train.csv -o train_feat.csv --save-pipeline feat.fp\n"
    "  cip features new_customers.csv --pipeline feat.fp -o new_feat.csv\n"
    "  cip features all.csv --fit-on train.csv -o all_feat.csv\n"
    "\n"
    "Exit status: 0 written, 1 bad data or I/O failure, 2 usage error.\n";

struct features_opts {
    const char *in, *out, *fit_on, *pipeline, *save, *float_format;
    bool json, quiet, fit_opts;
    cip_featpipe_params params;
};

/* One printf conversion for a double: %[-+ #0]*[0-9]*(.[0-9]*)?[fFeEgG],
 * other text without '%' (or "%%"). Anything else could read varargs. */
static bool float_format_ok(const char *f)
{
    int conversions = 0;
    for (const char *p = f; *p; p++) {
        if (*p != '%')
            continue;
        if (p[1] == '%') {
            p++;
            continue;
        }
        p++;
        while (*p && strchr("-+ #0", *p))
            p++;
        while (*p >= '0' && *p <= '9')
            p++;
        if (*p == '.')
            for (p++; *p >= '0' && *p <= '9'; p++)
                ;
        if (*p == '\0' || strchr("fFeEgG", *p) == NULL)
            return false;
        conversions++;
    }
    return conversions == 1 && strlen(f) < 32;
}

static int parse_opts(int argc, char **argv, struct features_opts *o)
{
    enum { OPT_FIT_ON = 256, OPT_PIPELINE, OPT_SAVE, OPT_FMT, OPT_UNKNOWN, OPT_TIES, OPT_JSON };
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},
        {"fit-on", required_argument, NULL, OPT_FIT_ON},
        {"pipeline", required_argument, NULL, OPT_PIPELINE},
        {"save-pipeline", required_argument, NULL, OPT_SAVE},
        {"float-format", required_argument, NULL, OPT_FMT},
        {"allow-unknown-region", no_argument, NULL, OPT_UNKNOWN},
        {"frequency-ties", required_argument, NULL, OPT_TIES},
        {"json", no_argument, NULL, OPT_JSON},
        {"quiet", no_argument, NULL, 'q'},
        {NULL, 0, NULL, 0},
    };
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "o:q", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            o->out = optarg;
            break;
        case OPT_FIT_ON:
            o->fit_on = optarg;
            break;
        case OPT_PIPELINE:
            o->pipeline = optarg;
            break;
        case OPT_SAVE:
            o->save = optarg;
            break;
        case OPT_FMT:
            if (!float_format_ok(optarg))
                return cli_usage_error("features",
                                       "--float-format needs one %%f, %%e or %%g conversion "
                                       "(e.g. %%.4f), not '%s'",
                                       optarg);
            o->float_format = optarg;
            break;
        case OPT_UNKNOWN:
            o->params.allow_unknown_region = 1;
            o->fit_opts = true;
            break;
        case OPT_TIES:
            if (strcmp(optarg, "error") == 0)
                o->params.frequency_ties = CIP_FEATPIPE_TIES_ERROR;
            else if (strcmp(optarg, "lower") == 0)
                o->params.frequency_ties = CIP_FEATPIPE_TIES_LOWER;
            else
                return cli_usage_error(
                    "features", "--frequency-ties needs 'error' or 'lower', not '%s'", optarg);
            o->fit_opts = true;
            break;
        case OPT_JSON:
            o->json = true;
            break;
        case 'q':
            o->quiet = true;
            break;
        default:
            return cli_usage_error("features", "unknown option");
        }
    }
    if (optind >= argc)
        return cli_usage_error("features", "missing input file IN.csv");
    o->in = argv[optind++];
    if (optind < argc)
        return cli_usage_error("features", "unexpected argument '%s'", argv[optind]);
    if (o->pipeline != NULL && (o->fit_on != NULL || o->fit_opts))
        return cli_usage_error("features", "--pipeline cannot be combined with --fit-on, "
                                           "--allow-unknown-region or --frequency-ties");
    if (o->out == NULL || o->out[0] == '\0')
        return cli_usage_error("features", "--output needs a file name");
    if (o->json && strcmp(o->out, "-") == 0)
        return cli_usage_error("features", "--json writes to standard output: give -o FILE");
    return CLI_OK;
}

static void json_str(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

static void print_json(const struct features_opts *o, const cip_featpipe *p, const cip_frame *out)
{
    cip_featpipe_info in;
    cip_featpipe_get_info(p, &in);
    printf("{\"input\": ");
    json_str(o->in);
    printf(", \"output\": ");
    json_str(o->out);
    printf(", \"rows\": %zu, \"columns\": %zu, \"fit_rows\": %zu,\n", cip_frame_n_rows(out),
           cip_frame_n_cols(out), in.n_fit_rows);
    printf(" \"flag_thresholds\": {\"purchase_amount\": %.17g, \"loyalty_score\": %.17g, "
           "\"purchase_frequency\": %.17g},\n",
           in.q_purchase, in.q_loyalty, in.q_frequency);
    printf(" \"frequency_edges\": [");
    for (size_t k = 0; k < in.n_frequency_edges; k++)
        printf("%s%.17g", k ? ", " : "", in.frequency_edges[k]);
    printf("], \"growth_range\": [%.17g, %.17g], \"churn_threshold\": %.17g,\n", in.growth_min,
           in.growth_max, in.churn_threshold);
    printf(" \"regions\": [");
    for (size_t k = 0; k < in.n_regions; k++) {
        printf("%s", k ? ", " : "");
        json_str(in.regions[k]);
    }
    printf("]}\n");
}

/* Fit (on IN or --fit-on) or load the pipeline; *stage names the step for errors. */
static cip_status get_pipeline(cip_ctx *ctx, const struct features_opts *o, const cip_frame *in,
                               cip_featpipe **p, const char **stage)
{
    if (o->pipeline != NULL) {
        *stage = "loading the pipeline";
        return cip_featpipe_load(ctx, o->pipeline, p);
    }
    *stage = "fitting on the input";
    if (o->fit_on == NULL)
        return cip_featpipe_fit(ctx, in, &o->params, p);
    *stage = "fitting on --fit-on";
    cip_frame *fit = NULL;
    cip_status rc = cip_frame_read_csv(ctx, o->fit_on, NULL, &fit);
    if (rc == CIP_OK)
        rc = cip_featpipe_fit(ctx, fit, &o->params, p);
    cip_frame_free(fit);
    return rc;
}

static cip_status run(cip_ctx *ctx, const struct features_opts *o, const char **stage)
{
    cip_frame *in = NULL, *out = NULL;
    cip_featpipe *p = NULL;
    *stage = "reading the input";
    cip_status rc = cip_frame_read_csv(ctx, o->in, NULL, &in);
    if (rc == CIP_OK)
        rc = get_pipeline(ctx, o, in, &p, stage);
    if (rc == CIP_OK && o->save != NULL) {
        *stage = "saving the pipeline";
        rc = cip_featpipe_save(ctx, p, o->save);
    }
    if (rc == CIP_OK) {
        *stage = "transforming the input";
        rc = cip_featpipe_transform(ctx, p, in, &out);
    }
    if (rc == CIP_OK) {
        *stage = "writing the output";
        cip_csv_write_opts wo;
        cip_csv_write_opts_default(&wo);
        wo.float_format = o->float_format;
        rc = cip_frame_write_csv(ctx, out, o->out, &wo);
    }
    if (rc == CIP_OK) {
        cip_featpipe_info info;
        cip_featpipe_get_info(p, &info);
        if (o->json)
            print_json(o, p, out);
        if (!o->quiet)
            fprintf(stderr,
                    "cip features: %zu rows x %zu columns -> %s (pipeline %s on %zu rows)\n",
                    cip_frame_n_rows(out), cip_frame_n_cols(out), o->out,
                    o->pipeline ? "loaded, fitted" : "fitted", info.n_fit_rows);
    }
    cip_frame_free(out);
    cip_featpipe_free(p);
    cip_frame_free(in);
    return rc;
}

int cmd_features(int argc, char **argv, cip_ctx *ctx)
{
    struct features_opts o = {.out = "-", .float_format = "%.4f"};
    cip_featpipe_params_default(&o.params);
    int urc = parse_opts(argc, argv, &o);
    if (urc != CLI_OK)
        return urc;
    const char *stage = "";
    cip_status rc = run(ctx, &o, &stage);
    if (rc == CIP_OK)
        return CLI_OK;
    const char *msg = cip_ctx_errmsg(ctx);
    fprintf(stderr, "cip: error: %s: %s\n", stage, msg[0] ? msg : cip_status_str(rc));
    return CLI_FAIL;
}
