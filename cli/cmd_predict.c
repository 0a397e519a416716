/* cmd_predict.c - `cip predict`: score rows with a model bundle written by `cip train -o`
 * SPDX-License-Identifier: MIT
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cip/train.h"
#include "commands.h"

const char cmd_predict_help[] =
    "usage: cip predict --model MODEL DATA [-o predictions.csv] [--threads N] [-q]\n"
    "\n"
    "Score the rows of DATA with a model bundle saved by `cip train ... -o MODEL`.\n"
    "DATA may be the raw customer table (the bundle's feature pipeline, fitted on\n"
    "the training rows, engineers the features) or a table that already has the\n"
    "model's columns; categorical columns are one-hot encoded as at training time.\n"
    "Output CSV: the id column (id, user_id or customer_id) when present, then\n"
    "  clv       prediction\n"
    "  churn     prediction (0/1) and probability (P(churn))\n"
    "  segments  segment (0-based cluster index)\n"
    "\n"
    "Options:\n"
    "  -m, --model MODEL       model bundle directory (required)\n"
    "  -o, --output FILE       write the CSV here (default: stdout)\n"
    "      --threads N         worker threads (default: all cores)\n"
    "  -q, --quiet             no progress on stderr\n"
    "\n"
    "Examples:\n"
    "  cip train churn customers.csv -o churn_model\n"
    "  cip predict --model churn_model new_customers.csv -o scores.csv\n"
    "\n"
    "Exit status: 0 scored, 1 unreadable model or data, 2 usage error.\n";

static int exists(const char *dir, const char *name, char *path, size_t size)
{
    struct stat st;
    snprintf(path, size, "%s/%s", dir, name);
    return stat(path, &st) == 0;
}

static cip_status add_id(cip_ctx *ctx, const cip_frame *data, cip_frame *out)
{
    static const char *const ids[] = {"id", "user_id", "customer_id"};
    size_t j;
    for (size_t k = 0; k < 3; k++) {
        if (cip_frame_find(NULL, data, ids[k], &j) != CIP_OK)
            continue;
        cip_frame *sel = NULL;
        cip_status st = cip_frame_select(ctx, data, &ids[k], 1, &sel);
        if (st != CIP_OK)
            return st;
        if (cip_frame_col_type(sel, 0) == CIP_TYPE_INT)
            st = cip_frame_add_i64(ctx, out, ids[k], cip_frame_i64(sel, 0),
                                   cip_frame_missing(sel, 0));
        else {
            size_t n = cip_frame_n_rows(sel);
            double *v = malloc((n ? n : 1) * sizeof *v);
            if (v == NULL)
                return CIP_ERR_NOMEM;
            cip_frame_get_col(sel, 0, v);
            st = cip_frame_add_f64(ctx, out, ids[k], v, cip_frame_missing(sel, 0));
            free(v);
        }
        cip_frame_free(sel);
        return st;
    }
    return CIP_OK;
}

struct loaded {
    cip_forest *forest;
    cip_kmeans *km;
    cip_featpipe *fp;
    const char **names;
    size_t n_names;
};

static cip_status load_bundle(cip_ctx *ctx, const char *dir, struct loaded *m)
{
    char path[4096];
    cip_status st = CIP_OK;
    if (exists(dir, "featpipe.txt", path, sizeof path))
        st = cip_featpipe_load(ctx, path, &m->fp);
    if (st != CIP_OK)
        return st;
    if (exists(dir, "model.forest", path, sizeof path)) {
        st = cip_forest_load(ctx, path, &m->forest);
        m->n_names = st == CIP_OK ? cip_forest_n_features(m->forest) : 0;
    } else if (exists(dir, "model.kmeans", path, sizeof path)) {
        st = cip_kmeans_load(ctx, path, &m->km);
        m->n_names = st == CIP_OK ? cip_kmeans_n_features(m->km) : 0;
    } else {
        fprintf(stderr,
                "cip: error: '%s' is not a model bundle (no model.forest or "
                "model.kmeans)\n",
                dir);
        return CIP_ERR_NOT_FOUND;
    }
    if (st != CIP_OK)
        return st;
    m->names = calloc(m->n_names ? m->n_names : 1, sizeof *m->names);
    if (m->names == NULL)
        return CIP_ERR_NOMEM;
    for (size_t k = 0; k < m->n_names; k++)
        m->names[k] = m->forest != NULL ? cip_forest_feature_name(m->forest, k)
                                        : cip_kmeans_feature_name(m->km, k);
    return CIP_OK;
}

static cip_status score(cip_ctx *ctx, const struct loaded *m, const cip_frame *x, cip_frame *out)
{
    size_t n = cip_frame_n_rows(x), nc = 0;
    cip_status st;
    double *pred = malloc((n ? n : 1) * sizeof *pred), *proba = NULL;
    int32_t *lab = malloc((n ? n : 1) * sizeof *lab);
    int64_t *seg = malloc((n ? n : 1) * sizeof *seg);
    if (pred == NULL || lab == NULL || seg == NULL) {
        st = CIP_ERR_NOMEM;
        goto done;
    }
    if (m->km != NULL) {
        st = cip_kmeans_predict_frame(ctx, m->km, x, lab, n);
        for (size_t i = 0; st == CIP_OK && i < n; i++)
            seg[i] = lab[i];
        if (st == CIP_OK)
            st = cip_frame_add_i64(ctx, out, "segment", seg, NULL);
        goto done;
    }
    st = cip_forest_predict(ctx, m->forest, x, pred, n);
    const double *cls = cip_forest_classes(m->forest, &nc);
    if (st == CIP_OK && (cls == NULL || nc == 0)) {
        st = cip_frame_add_f64(ctx, out, "prediction", pred, NULL);
        goto done;
    }
    for (size_t i = 0; st == CIP_OK && i < n; i++) /* class labels as integers */
        seg[i] = (int64_t)pred[i];
    if (st == CIP_OK)
        st = cip_frame_add_i64(ctx, out, "prediction", seg, NULL);
    if (st != CIP_OK)
        goto done;
    proba = malloc((n > 0 ? n * nc : 1) * sizeof *proba);
    if (proba == NULL) {
        st = CIP_ERR_NOMEM;
        goto done;
    }
    st = cip_forest_predict_proba(ctx, m->forest, x, proba, n * nc);
    size_t pos = nc - 1; /* the largest class: 1 for a 0/1 label */
    for (size_t i = 0; st == CIP_OK && i < n; i++)
        pred[i] = proba[i * nc + pos];
    if (st == CIP_OK)
        st = cip_frame_add_f64(ctx, out, "probability", pred, NULL);
done:
    free(pred);
    free(proba);
    free(lab);
    free(seg);
    return st;
}

static int run(cip_ctx *ctx, const char *model, const char *data, const char *out_path)
{
    struct loaded m;
    memset(&m, 0, sizeof m);
    cip_frame *f = NULL, *x = NULL, *out = NULL;
    cip_status st = load_bundle(ctx, model, &m);
    if (st == CIP_OK)
        st = cip_frame_read_csv(ctx, data, NULL, &f);
    if (st == CIP_OK)
        st = cip_train_prepare(ctx, f, m.fp, m.names, m.n_names, &x);
    if (st == CIP_OK)
        st = cip_frame_new(ctx, cip_frame_n_rows(f), &out);
    if (st == CIP_OK)
        st = add_id(ctx, f, out);
    if (st == CIP_OK)
        st = score(ctx, &m, x, out);
    if (st == CIP_OK)
        st = cip_frame_write_csv(ctx, out, out_path != NULL ? out_path : "-", NULL);
    int rc = st == CIP_OK                                                ? CLI_OK
             : st == CIP_ERR_NOT_FOUND && cip_ctx_errmsg(ctx)[0] == '\0' ? CLI_FAIL
                                                                         : cli_fail(ctx, st);
    cip_frame_free(out);
    cip_frame_free(x);
    cip_frame_free(f);
    free(m.names);
    cip_forest_free(m.forest);
    cip_kmeans_free(m.km);
    cip_featpipe_free(m.fp);
    return rc;
}

int cmd_predict(int argc, char **argv, cip_ctx *ctx)
{
    static const struct option opts[] = {{"model", required_argument, NULL, 'm'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"threads", required_argument, NULL, 't'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {NULL, 0, NULL, 0}};
    const char *model = NULL, *out = NULL;
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
    return run(ctx, model, argv[optind], out);
}
