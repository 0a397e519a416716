/* cmd_predict.c - `cip predict`: score rows with a model bundle written by `cip train -o`
 * SPDX-License-Identifier: MIT
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cip/bundle.h"
#include "commands.h"

const char cmd_predict_help[] =
    "usage: cip predict --model MODEL DATA [-o predictions.csv] [--tracking-uri URI]\n"
    "                   [--threads N] [-q]\n"
    "\n"
    "Score the rows of DATA with a model bundle saved by `cip train ... -o MODEL`,\n"
    "or with a registered or logged model: MODEL may be models:/NAME@ALIAS,\n"
    "models:/NAME/VERSION, models:/NAME/latest or runs:/RUN_ID/model.\n"
    "DATA may be the raw customer table (the bundle's feature pipeline, fitted on\n"
    "the training rows, engineers the features) or a table that already has the\n"
    "model's columns; categorical columns are one-hot encoded as at training time.\n"
    "Output CSV: the id column (id, user_id or customer_id) when present, then\n"
    "  clv       prediction\n"
    "  churn     prediction (0/1) and probability (P(churn))\n"
    "  segments  segment (0-based cluster index)\n"
    "\n"
    "Options:\n"
    "  -m, --model MODEL       model bundle directory or model URI (required)\n"
    "  -o, --output FILE       write the CSV here (default: stdout)\n"
    "      --tracking-uri URI  store for model URIs (default: $MLFLOW_TRACKING_URI,\n"
    "                          else sqlite:///mlflow.db)\n"
    "      --threads N         worker threads (default: all cores)\n"
    "  -q, --quiet             no progress on stderr\n"
    "\n"
    "Examples:\n"
    "  cip train churn customers.csv -o churn_model\n"
    "  cip predict --model churn_model new_customers.csv -o scores.csv\n"
    "  cip predict --model models:/cip-churn@champion new_customers.csv\n"
    "\n"
    "Exit status: 0 scored, 1 unreadable model or data, 2 usage error.\n";

/* Copy column `name` of src into dst as `as`. */
static cip_status copy_col(cip_ctx *ctx, const cip_frame *src, const char *name, const char *as,
                           cip_frame *dst)
{
    size_t j;
    cip_status st = cip_frame_find(ctx, src, name, &j);
    if (st != CIP_OK)
        return st;
    if (cip_frame_col_type(src, j) == CIP_TYPE_INT)
        return cip_frame_add_i64(ctx, dst, as, cip_frame_i64(src, j), cip_frame_missing(src, j));
    size_t n = cip_frame_n_rows(src);
    double *v = malloc((n ? n : 1) * sizeof *v);
    if (v == NULL)
        return CIP_ERR_NOMEM;
    cip_frame_get_col(src, j, v);
    st = cip_frame_add_f64(ctx, dst, as, v, cip_frame_missing(src, j));
    free(v);
    return st;
}

/* The id column of the input (id, user_id or customer_id), when there is one. */
static cip_status add_id(cip_ctx *ctx, const cip_frame *data, cip_frame *out)
{
    static const char *const ids[] = {"id", "user_id", "customer_id"};
    size_t j;
    for (size_t k = 0; k < 3; k++) {
        if (cip_frame_find(NULL, data, ids[k], &j) != CIP_OK)
            continue;
        if (cip_frame_col_type(data, j) == CIP_TYPE_CAT) {
            cip_frame *sel = NULL;
            cip_status st = cip_frame_select(ctx, data, &ids[k], 1, &sel);
            if (st == CIP_OK) {
                const char **levels = malloc((cip_frame_n_levels(sel, 0) + 1) * sizeof *levels);
                if (levels == NULL)
                    st = CIP_ERR_NOMEM;
                for (size_t l = 0; st == CIP_OK && l < cip_frame_n_levels(sel, 0); l++)
                    levels[l] = cip_frame_level(sel, 0, (uint32_t)l);
                if (st == CIP_OK)
                    st = cip_frame_add_cat(ctx, out, ids[k], cip_frame_codes(sel, 0), levels,
                                           cip_frame_n_levels(sel, 0), cip_frame_missing(sel, 0));
                free(levels);
            }
            cip_frame_free(sel);
            return st;
        }
        return copy_col(ctx, data, ids[k], ids[k], out);
    }
    return CIP_OK;
}

/* Bundle output -> the CSV columns of `cip predict`. */
static cip_status add_scores(cip_ctx *ctx, const cip_bundle *b, const cip_frame *pred,
                             cip_frame *out)
{
    switch (cip_bundle_task(b)) {
    case CIP_TRAIN_SEGMENTS:
        return copy_col(ctx, pred, "segment", "segment", out);
    case CIP_TRAIN_CHURN: {
        cip_status st = copy_col(ctx, pred, "label", "prediction", out);
        return st != CIP_OK ? st : copy_col(ctx, pred, "probability", "probability", out);
    }
    default:
        return copy_col(ctx, pred, "prediction", "prediction", out);
    }
}

static int is_model_uri(const char *s)
{
    return strncmp(s, "models:/", 8) == 0 || strncmp(s, "runs:/", 6) == 0;
}

static int run(cip_ctx *ctx, const char *model, const char *tracking, const char *data,
               const char *out_path)
{
    cip_bundle *b = NULL;
    cip_store *s = NULL;
    cip_frame *f = NULL, *pred = NULL, *out = NULL;
    cip_status st = CIP_OK;
    if (is_model_uri(model)) {
        cip_store_opts o;
        cip_store_opts_default(&o);
        o.read_only = 1;
        st = cip_store_open(ctx, cip_store_resolve_uri(tracking), &o, &s);
    }
    if (st == CIP_OK)
        st = cip_bundle_open_uri(ctx, s, model, &b);
    if (st == CIP_OK)
        st = cip_frame_read_csv(ctx, data, NULL, &f);
    if (st == CIP_OK)
        st = cip_bundle_predict(ctx, b, f, &pred);
    if (st == CIP_OK)
        st = cip_frame_new(ctx, cip_frame_n_rows(f), &out);
    if (st == CIP_OK)
        st = add_id(ctx, f, out);
    if (st == CIP_OK)
        st = add_scores(ctx, b, pred, out);
    if (st == CIP_OK)
        st = cip_frame_write_csv(ctx, out, out_path != NULL ? out_path : "-", NULL);
    int rc = st == CIP_OK ? CLI_OK : cli_fail(ctx, st);
    cip_frame_free(out);
    cip_frame_free(pred);
    cip_frame_free(f);
    cip_bundle_free(b);
    cip_store_close(s);
    return rc;
}

int cmd_predict(int argc, char **argv, cip_ctx *ctx)
{
    static const struct option opts[] = {
        {"model", required_argument, NULL, 'm'},   {"output", required_argument, NULL, 'o'},
        {"threads", required_argument, NULL, 't'}, {"tracking-uri", required_argument, NULL, 'u'},
        {"quiet", no_argument, NULL, 'q'},         {NULL, 0, NULL, 0}};
    const char *model = NULL, *out = NULL, *tracking = NULL;
    bool quiet = false;
    int64_t th = -1;
    int c;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":m:o:q", opts, NULL)) != -1) {
        switch (c) {
        case 'm':
            model = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 'u':
            tracking = optarg;
            break;
        case 'q':
            quiet = true;
            break;
        case 't':
            if (!cli_parse_i64(optarg, &th) || th < 0 || th > 4096)
                return cli_usage_error("predict", "--threads needs a number >= 0");
            break;
        case ':':
            return cli_usage_error("predict", "option '%s' needs a value", argv[optind - 1]);
        default:
            return cli_usage_error("predict", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (model == NULL)
        return cli_usage_error("predict", "missing --model MODEL");
    if (argc - optind != 1)
        return cli_usage_error("predict", argc == optind ? "missing DATA" : "expected one DATA");
    if (th >= 0)
        cip_ctx_set_threads(ctx, (int)th);
    cli_progress_install(ctx, quiet);
    return run(ctx, model, tracking, argv[optind], out);
}
