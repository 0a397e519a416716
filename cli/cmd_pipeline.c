/* cmd_pipeline.c - `cip pipeline`: the main job on a customer table
 *
 * Today: read -> validate (schema and business rules) -> fit the feature
 * pipeline and engineer features -> reference churn label -> summary of the
 * engineered table; the fitted pipeline and the engineered table are written
 * to the output folder. Training, auditing, tracking and the HTML report are
 * added by later stages (see --help).
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "commands.h"

const char cmd_pipeline_help[] =
    "usage: cip pipeline DATA [--out DIR] [--threads N] [--json] [-q]\n"
    "\n"
    "The main job on a customer table (user_id, age, annual_income,\n"
    "purchase_amount, loyalty_score, region, purchase_frequency):\n"
    "  1. read and validate the table (schema and business rules, as cip validate);\n"
    "  2. fit the feature pipeline and engineer the 29-column feature table\n"
    "     (as cip features), with the reference project's churn label;\n"
    "  3. print a summary of the engineered table.\n"
    "Writes DIR/features.csv (the engineered table) and DIR/featpipe.cfp (the\n"
    "fitted pipeline, reusable with cip features --pipeline).\n"
    "\n"
    "Not built yet (this command grows with them): the leakage audit, model\n"
    "training with grid search and baselines, experiment tracking and the\n"
    "model registry, predictions.csv and report.html.\n"
    "\n"
    "Options:\n"
    "  -o, --out DIR       output folder, created if missing (default out)\n"
    "      --threads N     worker threads, 0 = all cores (default 0)\n"
    "      --json          print the summary as JSON\n"
    "  -q, --quiet         no progress on stderr\n"
    "\n"
    "Example:\n"
    "  cip pipeline data/customers.csv --out out\n"
    "\n"
    "Exit status: 0 success, 1 unusable table or I/O failure, 2 usage error.\n";

struct pipeline_opts {
    const char *data; /* input CSV */
    const char *out;  /* output folder */
    int threads;      /* 0 = default */
    bool json;        /* JSON summary */
    bool quiet;       /* no progress */
};

static int parse_opts(int argc, char **argv, struct pipeline_opts *o)
{
    static const struct option longopts[] = {
        {"out", required_argument, NULL, 'o'},
        {"threads", required_argument, NULL, 't'},
        {"json", no_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},
        {NULL, 0, NULL, 0},
    };
    *o = (struct pipeline_opts){NULL, "out", 0, false, false};
    optind = 0;
    int c;
    int64_t v;
    while ((c = getopt_long(argc, argv, "o:q", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            o->out = optarg;
            break;
        case 't':
            if (!cli_parse_i64(optarg, &v) || v < 0 || v > 1024)
                return cli_usage_error("pipeline", "--threads wants 0..1024, got '%s'", optarg);
            o->threads = (int)v;
            break;
        case 'j':
            o->json = true;
            break;
        case 'q':
            o->quiet = true;
            break;
        default:
            return cli_usage_error("pipeline", "unknown option");
        }
    }
    if (optind + 1 != argc)
        return cli_usage_error("pipeline", "expected one DATA file");
    o->data = argv[optind];
    return CLI_OK;
}

static void stage(const struct pipeline_opts *o, const char *msg)
{
    if (!o->quiet)
        fprintf(stderr, "pipeline: %s\n", msg);
}

static int validate_stage(cip_ctx *ctx, const struct pipeline_opts *o, const cip_frame *raw)
{
    cip_schema_params sp;
    cip_schema_params_default(&sp);
    cip_validation *v = NULL;
    cip_status rc = cip_validate_frame(ctx, raw, &sp, &v);
    if (rc != CIP_OK)
        return cli_fail(ctx, rc);
    bool usable = cip_validation_usable(v);
    if (!usable || cip_validation_count(v) > 0) {
        char *text = NULL;
        if (cip_validation_to_text(ctx, v, o->data, &text) == CIP_OK)
            fputs(text, stderr);
        cip_validation_free_string(ctx, text);
    }
    cip_validation_free(v);
    if (!usable) {
        fprintf(stderr, "cip pipeline: '%s' is unusable; fix the errors above\n", o->data);
        return CLI_FAIL;
    }
    return CLI_OK;
}

static void print_text(const cip_summary *s, size_t n_pos, size_t n_rows, const char *out)
{
    printf("engineered table: %zu rows x %zu columns\n", cip_summary_n_rows(s),
           cip_summary_n_cols(s));
    printf("churn label (churn_risk_score > q75): %zu positive, %zu negative\n\n", n_pos,
           n_rows - n_pos);
    printf("%-24s %-8s %7s %12s %12s %12s\n", "column", "type", "missing", "mean", "min", "max");
    for (size_t j = 0; j < cip_summary_n_cols(s); j++) {
        const cip_col_summary *c = cip_summary_col(s, j);
        if (c->type == CIP_TYPE_CAT || c->type == CIP_TYPE_BOOL) {
            printf("%-24s %-8s %7zu  ", c->name, cip_type_name(c->type), c->n_missing);
            for (size_t k = 0; k < c->n_top; k++)
                printf("%s%s %zu", k ? ", " : "", c->top_labels[k], c->top_counts[k]);
            printf("\n");
            continue;
        }
        printf("%-24s %-8s %7zu %12.4f %12.4f %12.4f\n", c->name, cip_type_name(c->type),
               c->n_missing, c->mean, c->min, c->max);
    }
    printf("\nwritten: %s/features.csv, %s/featpipe.cfp\n", out, out);
}

static void print_json(const cip_summary *s, size_t n_pos, size_t n_rows, const char *out)
{
    printf("{\"rows\": %zu, \"columns\": %zu, \"churn_positive\": %zu, \"churn_negative\": %zu,"
           " \"features_csv\": \"%s/features.csv\", \"pipeline\": \"%s/featpipe.cfp\"}\n",
           cip_summary_n_rows(s), cip_summary_n_cols(s), n_pos, n_rows - n_pos, out, out);
}

static int engineer_stage(cip_ctx *ctx, const struct pipeline_opts *o, const cip_frame *raw)
{
    cip_featpipe *fp = NULL;
    cip_frame *eng = NULL;
    cip_summary *sum = NULL;
    uint8_t *label = NULL;
    char path[4096];
    int ret = CLI_FAIL;
    cip_status rc = cip_featpipe_fit(ctx, raw, NULL, &fp);
    if (rc == CIP_OK)
        rc = cip_featpipe_transform(ctx, fp, raw, &eng);
    size_t n = cip_frame_n_rows(raw), n_pos = 0;
    label = malloc(n ? n : 1);
    if (rc == CIP_OK && label == NULL)
        rc = CIP_ERR_NOMEM;
    if (rc == CIP_OK)
        rc = cip_featpipe_churn_label(ctx, fp, eng, label, n);
    for (size_t i = 0; rc == CIP_OK && i < n; i++)
        n_pos += label[i];
    cip_csv_write_opts wo;
    cip_csv_write_opts_default(&wo);
    wo.float_format = "%.4f";
    snprintf(path, sizeof path, "%s/features.csv", o->out);
    if (rc == CIP_OK)
        rc = cip_frame_write_csv(ctx, eng, path, &wo);
    snprintf(path, sizeof path, "%s/featpipe.cfp", o->out);
    if (rc == CIP_OK)
        rc = cip_featpipe_save(ctx, fp, path);
    if (rc == CIP_OK)
        rc = cip_frame_describe(ctx, eng, NULL, &sum);
    if (rc != CIP_OK) {
        cli_fail(ctx, rc);
        goto done;
    }
    if (o->json)
        print_json(sum, n_pos, n, o->out);
    else
        print_text(sum, n_pos, n, o->out);
    ret = CLI_OK;
done:
    free(label);
    cip_summary_free(sum);
    cip_frame_free(eng);
    cip_featpipe_free(fp);
    return ret;
}

int cmd_pipeline(int argc, char **argv, cip_ctx *ctx)
{
    struct pipeline_opts o;
    int ret = parse_opts(argc, argv, &o);
    if (ret != CLI_OK)
        return ret;
    cip_ctx_set_threads(ctx, o.threads);
    cli_progress_install(ctx, o.quiet);
    if (mkdir(o.out, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "cip: error: cannot create '%s': %s\n", o.out, strerror(errno));
        return CLI_FAIL;
    }
    stage(&o, "reading and validating the table");
    cip_frame *raw = NULL;
    cip_status rc = cip_frame_read_csv(ctx, o.data, NULL, &raw);
    if (rc != CIP_OK)
        return cli_fail(ctx, rc);
    ret = validate_stage(ctx, &o, raw);
    if (ret == CLI_OK) {
        stage(&o, "engineering features");
        ret = engineer_stage(ctx, &o, raw);
    }
    cip_frame_free(raw);
    return ret;
}
