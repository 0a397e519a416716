/* cmd_train.c - `cip train clv|churn|segments`: grid search, CV, held-out metrics, bundles
 * SPDX-License-Identifier: MIT
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>
#include <unistd.h>

#include "cip/monitor.h"
#include "cip/runlog.h"
#include "cip/track.h"
#include "cip/train.h"
#include "commands.h"
#include "train_track.h"

const char cmd_train_help[] =
    "usage: cip train clv|churn|segments DATA [--features a,b,...] [--target COL]\n"
    "                 [--grid original|production|SPEC] [--cv K] [--test-size F]\n"
    "                 [--split random|stratified|group|time] [--seed N] [--threads N]\n"
    "                 [forest or k-means options] [-o MODEL] [--json] [-q]\n"
    "                 [tracking options]\n"
    "\n"
    "Train on a CSV table and report held-out metrics. clv: forest regressor on\n"
    "purchase_amount; churn: forest classifier on churn_risk_score > its 75th\n"
    "percentile; segments: k-means on standardised features, k by silhouette.\n"
    "Split first; the feature pipeline is fitted on the training rows only; grid\n"
    "search with K-fold CV on the training rows; baselines on the same rows. Without\n"
    "--features: the reference feature sets on the customer schema, else every column\n"
    "but the target and ids. docs/TRAIN.md. The run is logged to MLflow.\n"
    "\n"
    "Options:\n"
    "      --features LIST     comma-separated feature columns\n"
    "      --preset NAME       production or original feature set (default production)\n"
    "      --target COL        target column (default purchase_amount for clv; for\n"
    "                          churn the label is computed unless COL exists, 0/1)\n"
    "      --label-rule RULE   churn label \"COL > qNN\" (default \"churn_risk_score > q75\")\n"
    "      --grid G            original, production or a spec \"n_estimators=50,100;\n"
    "                          max_depth=5,none\" (default: no search)\n"
    "      --cv K              cross-validation folds, 0 = none (default 5)\n"
    "      --cv-repeats R      K folds R times, reshuffled; --n-iter N: random search\n"
    "      --test-size F       held-out fraction (or a row count >= 1); 0 = no held-out\n"
    "                          rows (default 0.2)\n"
    "      --split KIND        random, stratified, group or time (default: stratified\n"
    "                          for churn, random otherwise)\n"
    "      --seed N            split, fold and forest seed (default 42)\n"
    "      --split-rng R       numpy (default): sklearn's train_test_split rows; cip\n"
    "      --threads N         worker threads (default: all cores)\n"
    "  -o, --output MODEL      save a model bundle directory for `cip predict`\n"
    "      --json              print every metric, parameter and score as JSON\n"
    "  -q, --quiet             no progress on stderr\n"
    "Forest options (defaults as scikit-learn):\n"
    "      --n-estimators N (100)  --max-depth N|none (none)  --min-samples-split N (2)\n"
    "      --min-samples-leaf N (1)  --max-features sqrt|log2|none|F|N (all for clv,\n"
    "      sqrt for churn)  --class-weight balanced|balanced_subsample|none (none)\n"
    "      --criterion gini|entropy|squared_error (by task)  --min-impurity-decrease X (0)\n"
    "      --bootstrap true|false  --max-samples F|N|none  --oob-score  --sample-weight\n"
    "      COL  --permutation-importance R (docs/TRAIN.md)\n"
    "K-means options (segments):\n"
    "      --k A..B (2..8)  --n-init N (10)  --max-iter N (300)  --tol X (0.0001)\n"
    "      --algorithm lloyd|elkan (lloyd)  --no-standardize (default: standardise)\n"
    "      --silhouette-sample N   exact silhouette up to N rows (10000; 0 = always)\n"
    "Tracking (docs/TRACKING.md; the run id is printed on stderr):\n"
    "      --tracking-uri URI  sqlite:///PATH or http://HOST:PORT (default:\n"
    "                          $MLFLOW_TRACKING_URI, else sqlite:///mlflow.db)\n"
    "      --experiment NAME   experiment of the run (default cip)\n"
    "      --run-name NAME     run name (default TASK-<first 8 hex of the run id>)\n"
    "      --register NAME     register the model as a new version of NAME, alias\n"
    "                          champion (when NAME has none) else challenger\n"
    "      --no-track          do not log a run\n"
    "      --suspicious-above X  audit the table and warn \"too good to be true\" when\n"
    "                          a held-out score exceeds X (default 0.95)\n"
    "\n"
    "Examples:\n"
    "  cip train clv customers.csv --grid production\n"
    "  cip train churn customers_features.csv --grid original --preset original --json\n"
    "  cip train segments customers_features.csv --k 2..8 -o seg_model --no-track\n"
    "  cip train churn customers.csv --register cip-churn --experiment churn\n"
    "\n"
    "Exit status: 0 trained, 1 data or training failure, 2 usage error.\n";

enum {
    O_FEATURES = 256,
    O_PRESET,
    O_TARGET,
    O_RULE,
    O_GRID,
    O_CV,
    O_TEST,
    O_SPLIT,
    O_SPLIT_RNG,
    O_SEED,
    O_THREADS,
    O_JSON,
    O_NEST,
    O_DEPTH,
    O_MSS,
    O_MSL,
    O_MAXF,
    O_CW,
    O_CRIT,
    O_MID,
    O_BOOT,
    O_MAXS,
    O_OOB,
    O_SW,
    O_PERM,
    O_CVREP,
    O_NITER,
    O_K,
    O_NINIT,
    O_MAXIT,
    O_TOL,
    O_ALGO,
    O_NOSTD,
    O_SILS,
    O_TURI,
    O_EXP,
    O_REG,
    O_RNAME,
    O_NOTRACK,
    O_SUSP
};

static const struct option k_opts[] = {{"features", required_argument, NULL, O_FEATURES},
                                       {"preset", required_argument, NULL, O_PRESET},
                                       {"target", required_argument, NULL, O_TARGET},
                                       {"label-rule", required_argument, NULL, O_RULE},
                                       {"grid", required_argument, NULL, O_GRID},
                                       {"cv", required_argument, NULL, O_CV},
                                       {"test-size", required_argument, NULL, O_TEST},
                                       {"split", required_argument, NULL, O_SPLIT},
                                       {"split-rng", required_argument, NULL, O_SPLIT_RNG},
                                       {"seed", required_argument, NULL, O_SEED},
                                       {"threads", required_argument, NULL, O_THREADS},
                                       {"output", required_argument, NULL, 'o'},
                                       {"json", no_argument, NULL, O_JSON},
                                       {"quiet", no_argument, NULL, 'q'},
                                       {"n-estimators", required_argument, NULL, O_NEST},
                                       {"max-depth", required_argument, NULL, O_DEPTH},
                                       {"min-samples-split", required_argument, NULL, O_MSS},
                                       {"min-samples-leaf", required_argument, NULL, O_MSL},
                                       {"max-features", required_argument, NULL, O_MAXF},
                                       {"class-weight", required_argument, NULL, O_CW},
                                       {"criterion", required_argument, NULL, O_CRIT},
                                       {"min-impurity-decrease", required_argument, NULL, O_MID},
                                       {"bootstrap", required_argument, NULL, O_BOOT},
                                       {"max-samples", required_argument, NULL, O_MAXS},
                                       {"oob-score", no_argument, NULL, O_OOB},
                                       {"sample-weight", required_argument, NULL, O_SW},
                                       {"permutation-importance", required_argument, NULL, O_PERM},
                                       {"cv-repeats", required_argument, NULL, O_CVREP},
                                       {"n-iter", required_argument, NULL, O_NITER},
                                       {"k", required_argument, NULL, O_K},
                                       {"n-init", required_argument, NULL, O_NINIT},
                                       {"max-iter", required_argument, NULL, O_MAXIT},
                                       {"tol", required_argument, NULL, O_TOL},
                                       {"algorithm", required_argument, NULL, O_ALGO},
                                       {"no-standardize", no_argument, NULL, O_NOSTD},
                                       {"silhouette-sample", required_argument, NULL, O_SILS},
                                       {"tracking-uri", required_argument, NULL, O_TURI},
                                       {"experiment", required_argument, NULL, O_EXP},
                                       {"register", required_argument, NULL, O_REG},
                                       {"run-name", required_argument, NULL, O_RNAME},
                                       {"no-track", no_argument, NULL, O_NOTRACK},
                                       {"suspicious-above", required_argument, NULL, O_SUSP},
                                       {NULL, 0, NULL, 0}};

static bool parse_int(const char *s, int64_t lo, int64_t hi, int *out)
{
    int64_t v;
    if (!cli_parse_i64(s, &v) || v < lo || v > hi)
        return false;
    *out = (int)v;
    return true;
}

/* Apply a forest option through the estimator's set_param (one parser for flags and grids). */
static int forest_opt(cip_ctx *ctx, struct train_opts *o, const char *name, const char *arg)
{
    cip_forest_params fp = o->p.forest;
    fp.task = o->p.task == CIP_TRAIN_CHURN ? CIP_FOREST_CLASSIFICATION : CIP_FOREST_REGRESSION;
    cip_estimator est;
    cip_forest_estimator(&fp, &est);
    cip_param_value v = {.kind = CIP_PARAM_STR, .str = arg};
    if (cli_parse_double(arg, &v.num))
        v.kind = CIP_PARAM_NUM;
    else if (strcmp(arg, "none") == 0 || strcmp(arg, "None") == 0)
        v.kind = CIP_PARAM_NONE;
    if (strcmp(name, "max_depth") == 0 && v.kind == CIP_PARAM_NUM && v.num == 0)
        v.kind = CIP_PARAM_NONE;
    cip_status st = est.set_param(ctx, est.ud, &fp, name, &v);
    if (st != CIP_OK)
        return cli_usage_error("train", "%s", cip_ctx_errmsg(ctx));
    fp.task = o->p.forest.task;
    o->p.forest = fp;
    return CLI_OK;
}

static int parse_rule(struct train_opts *o, const char *arg)
{
    const char *gt = strstr(arg, ">");
    double q;
    if (gt == NULL || (size_t)(gt - arg) >= sizeof o->label_col)
        return cli_usage_error("train", "label rule must be \"COL > qNN\", got '%s'", arg);
    size_t len = (size_t)(gt - arg);
    while (len > 0 && arg[len - 1] == ' ')
        len--;
    memcpy(o->label_col, arg, len);
    o->label_col[len] = '\0';
    const char *p = gt + 1;
    while (*p == ' ')
        p++;
    if (*p != 'q' || !cli_parse_double(p + 1, &q) || q < 0 || q > 100 || len == 0)
        return cli_usage_error("train", "label rule must be \"COL > qNN\", got '%s'", arg);
    o->p.label_column = o->label_col;
    o->p.label_quantile = q / 100.0;
    return CLI_OK;
}

static int parse_k(struct train_opts *o, const char *arg)
{
    const char *dots = strstr(arg, "..");
    char a[32];
    if (dots == NULL || (size_t)(dots - arg) >= sizeof a)
        return parse_int(arg, 2, 100000, &o->p.kmeans.k_min)
                   ? (o->p.kmeans.k_max = o->p.kmeans.k_min, CLI_OK)
                   : cli_usage_error("train", "--k needs A..B or a number >= 2, got '%s'", arg);
    memcpy(a, arg, (size_t)(dots - arg));
    a[dots - arg] = '\0';
    if (!parse_int(a, 2, 100000, &o->p.kmeans.k_min) ||
        !parse_int(dots + 2, o->p.kmeans.k_min, 100000, &o->p.kmeans.k_max))
        return cli_usage_error("train", "--k needs A..B with 2 <= A <= B, got '%s'", arg);
    return CLI_OK;
}

static int parse_opt(cip_ctx *ctx, int c, struct train_opts *o, const char *arg)
{
    uint64_t u;
    double d;
    switch (c) {
    case O_FEATURES:
        o->feature_list = (char *)arg;
        return CLI_OK;
    case O_PRESET:
        if (strcmp(arg, "production") == 0)
            o->p.preset = CIP_TRAIN_PRESET_PRODUCTION;
        else if (strcmp(arg, "original") == 0)
            o->p.preset = CIP_TRAIN_PRESET_ORIGINAL;
        else
            return cli_usage_error("train", "--preset must be production or original");
        return CLI_OK;
    case O_TARGET:
        o->p.target = arg;
        return CLI_OK;
    case O_RULE:
        return parse_rule(o, arg);
    case O_GRID:
        o->p.grid = arg;
        return CLI_OK;
    case O_CV:
        if (!cli_parse_u64(arg, &u) || u == 1 || u > 1000)
            return cli_usage_error("train", "--cv needs 0 or a fold count >= 2, got '%s'", arg);
        o->p.cv = (size_t)u;
        return CLI_OK;
    case O_TEST:
        if (!cli_parse_double(arg, &d) || !(d >= 0) || !isfinite(d))
            return cli_usage_error("train", "--test-size needs a number >= 0, got '%s'", arg);
        o->p.test_size = d;
        return CLI_OK;
    case O_SPLIT: {
        static const char *const kinds[] = {"random", "stratified", "group", "time"};
        for (int k = 0; k < 4; k++)
            if (strcmp(arg, kinds[k]) == 0)
                return (o->p.split = k, CLI_OK);
        return cli_usage_error("train", "--split must be random, stratified, group or time");
    }
    case O_SPLIT_RNG:
        if (strcmp(arg, "cip") == 0 || strcmp(arg, "numpy") == 0)
            return (o->p.split_rng = arg[0] == 'n' ? CIP_SPLIT_RNG_NUMPY : CIP_SPLIT_RNG_CIP,
                    CLI_OK);
        return cli_usage_error("train", "--split-rng must be cip or numpy, got '%s'", arg);
    case O_SEED:
        if (!cli_parse_u64(arg, &u))
            return cli_usage_error("train", "--seed needs a whole number >= 0, got '%s'", arg);
        o->p.seed = u;
        return CLI_OK;
    case O_THREADS:
        if (!parse_int(arg, 0, 4096, &o->threads))
            return cli_usage_error("train", "--threads needs a number >= 0, got '%s'", arg);
        return CLI_OK;
    case 'o':
        o->out = arg;
        return CLI_OK;
    case O_JSON:
        o->json = true;
        return CLI_OK;
    case 'q':
        o->quiet = true;
        return CLI_OK;
    case O_NEST:
        return forest_opt(ctx, o, "n_estimators", arg);
    case O_DEPTH:
        return forest_opt(ctx, o, "max_depth", arg);
    case O_MSS:
        return forest_opt(ctx, o, "min_samples_split", arg);
    case O_MSL:
        return forest_opt(ctx, o, "min_samples_leaf", arg);
    case O_MAXF:
        return forest_opt(ctx, o, "max_features", arg);
    case O_CW:
        return forest_opt(ctx, o, "class_weight", arg);
    case O_CRIT:
        return forest_opt(ctx, o, "criterion", arg);
    case O_MID:
        return forest_opt(ctx, o, "min_impurity_decrease", arg);
    case O_BOOT:
        return forest_opt(ctx, o, "bootstrap", arg);
    case O_MAXS:
        return forest_opt(ctx, o, "max_samples", arg);
    case O_OOB:
        return forest_opt(ctx, o, "oob_score", "true");
    case O_SW:
        o->p.weight_column = arg;
        return CLI_OK;
    case O_CVREP:
        if (!cli_parse_u64(arg, &u) || u < 1 || u > 1000)
            return cli_usage_error("train", "--cv-repeats needs a count >= 1, got '%s'", arg);
        o->p.cv_repeats = (size_t)u;
        return CLI_OK;
    case O_NITER:
        if (!cli_parse_u64(arg, &u) || u < 1 || u > 1000000)
            return cli_usage_error("train", "--n-iter needs a count >= 1, got '%s'", arg);
        o->p.n_iter = (size_t)u;
        return CLI_OK;
    case O_PERM:
        return parse_int(arg, 1, 100000, &o->p.permutation_repeats)
                   ? CLI_OK
                   : cli_usage_error("train",
                                     "--permutation-importance needs a repeat count "
                                     ">= 1, got '%s'",
                                     arg);
    case O_K:
        return parse_k(o, arg);
    case O_NINIT:
        return parse_int(arg, 1, 100000, &o->p.kmeans.km.n_init)
                   ? CLI_OK
                   : cli_usage_error("train", "--n-init needs a number >= 1");
    case O_MAXIT:
        return parse_int(arg, 1, 100000000, &o->p.kmeans.km.max_iter)
                   ? CLI_OK
                   : cli_usage_error("train", "--max-iter needs a number >= 1");
    case O_TOL:
        if (!cli_parse_double(arg, &d) || !(d >= 0))
            return cli_usage_error("train", "--tol needs a number >= 0");
        o->p.kmeans.km.tol = d;
        return CLI_OK;
    case O_ALGO:
        if (strcmp(arg, "lloyd") == 0 || strcmp(arg, "elkan") == 0)
            return (o->p.kmeans.km.algorithm = arg[0] == 'l' ? CIP_KMEANS_LLOYD : CIP_KMEANS_ELKAN,
                    CLI_OK);
        return cli_usage_error("train", "--algorithm must be lloyd or elkan");
    case O_NOSTD:
        o->p.kmeans.km.standardize = 0;
        return CLI_OK;
    case O_SILS:
        if (!cli_parse_u64(arg, &u))
            return cli_usage_error("train", "--silhouette-sample needs a number >= 0");
        o->p.kmeans.silhouette_sample = (size_t)u;
        return CLI_OK;
    case O_TURI:
        o->tracking_uri = arg;
        return CLI_OK;
    case O_EXP:
        if (arg[0] == '\0')
            return cli_usage_error("train", "--experiment needs a name");
        o->experiment = arg;
        return CLI_OK;
    case O_REG:
        if (arg[0] == '\0')
            return cli_usage_error("train", "--register needs a model name");
        o->register_name = arg;
        return CLI_OK;
    case O_RNAME:
        o->run_name = arg;
        return CLI_OK;
    case O_NOTRACK:
        o->no_track = true;
        return CLI_OK;
    case O_SUSP:
        if (!cli_parse_double(arg, &d) || !(d >= 0) || !(d <= 1))
            return cli_usage_error("train", "--suspicious-above needs a number in [0, 1], got '%s'",
                                   arg);
        o->suspicious_above = d;
        return CLI_OK;
    default:
        return cli_usage_error("train", "unknown option");
    }
}

/* --- output ----------------------------------------------------------------------------- */
static void json_str(const char *s)
{
    putchar('"');
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static void json_num(double v)
{
    if (isfinite(v))
        printf("%.17g", v);
    else
        fputs("null", stdout);
}

/* "a=1;b=sqrt" as a JSON object (numbers as numbers, none as null). */
static void json_params(const char *s)
{
    putchar('{');
    int first = 1;
    while (s != NULL && *s != '\0') {
        const char *semi = strchr(s, ';'), *eq = strchr(s, '=');
        size_t len = semi != NULL ? (size_t)(semi - s) : strlen(s);
        if (eq == NULL || eq > s + len)
            break;
        char key[128], val[128];
        snprintf(key, sizeof key, "%.*s", (int)(eq - s), s);
        snprintf(val, sizeof val, "%.*s", (int)(s + len - eq - 1), eq + 1);
        printf("%s", first ? "" : ", ");
        first = 0;
        json_str(key);
        fputs(": ", stdout);
        double d;
        if (cli_parse_double(val, &d))
            fputs(val, stdout);
        else if (strcmp(val, "none") == 0)
            fputs("null", stdout);
        else
            json_str(val);
        s = semi != NULL ? semi + 1 : NULL;
    }
    putchar('}');
}

static void print_json(const struct train_opts *o, const cip_train_result *r)
{
    printf("{\n  \"task\": \"%s\",\n  \"data\": ", cip_train_task_name(r->task));
    json_str(o->data);
    if (r->target != NULL) {
        fputs(",\n  \"target\": ", stdout);
        json_str(r->target);
    }
    if (r->label_rule != NULL) {
        fputs(",\n  \"label_rule\": ", stdout);
        json_str(r->label_rule);
        fputs(",\n  \"label_threshold\": ", stdout);
        json_num(r->label_threshold);
    }
    printf(",\n  \"raw_input\": %s,\n  \"n_rows\": %zu,\n  \"n_train\": %zu,\n  \"n_test\": %zu",
           r->raw_input ? "true" : "false", r->n_rows, r->n_train, r->n_test);
    fputs(",\n  \"features\": [", stdout);
    for (size_t k = 0; k < r->n_features; k++) {
        fputs(k ? ", " : "", stdout);
        json_str(r->features[k]);
    }
    fputs("],\n  \"best_params\": ", stdout);
    json_params(r->best_params);
    printf(",\n  \"n_candidates\": %zu,\n  \"cv_folds\": %zu,\n  \"cv_scores\": [", r->n_candidates,
           r->n_folds);
    for (size_t k = 0; k < r->n_folds; k++) {
        fputs(k ? ", " : "", stdout);
        json_num(r->cv_scores[k]);
    }
    fputs("],\n  \"metrics\": {", stdout);
    for (size_t k = 0; k < r->n_metrics; k++) {
        printf("%s\n    \"%s\": ", k ? "," : "", r->metrics[k].name);
        json_num(r->metrics[k].value);
    }
    fputs("\n  }", stdout);
    if (r->importances != NULL) {
        fputs(",\n  \"feature_importances\": {", stdout);
        for (size_t k = 0; k < r->n_features; k++) {
            printf("%s\n    ", k ? "," : "");
            json_str(r->features[k]);
            fputs(": ", stdout);
            json_num(r->importances[k]);
        }
        fputs("\n  }", stdout);
    }
    if (r->perm_repeats > 0) {
        printf(",\n  \"permutation_importance\": {\"rows\": \"%s\", \"repeats\": %d, "
               "\"features\": {",
               r->perm_on_test ? "test" : "train", r->perm_repeats);
        for (size_t k = 0; k < r->n_features; k++) {
            printf("%s\n    ", k ? "," : "");
            json_str(r->features[k]);
            fputs(": {\"mean\": ", stdout);
            json_num(r->perm_mean[k]);
            fputs(", \"std\": ", stdout);
            json_num(r->perm_std[k]);
            putchar('}');
        }
        fputs("\n  }}", stdout);
    }
    if (r->n_k > 0) {
        fputs(",\n  \"sweep\": [", stdout);
        for (size_t k = 0; k < r->n_k; k++) {
            printf("%s\n    {\"k\": %d, \"silhouette\": ", k ? "," : "", r->sweep[k].k);
            json_num(r->sweep[k].silhouette);
            fputs(", \"inertia\": ", stdout);
            json_num(r->sweep[k].inertia);
            fputs("}", stdout);
        }
        fputs("\n  ]", stdout);
    }
    fputs(",\n  \"model\": ", stdout);
    if (o->out != NULL)
        json_str(o->out);
    else
        fputs("null", stdout);
    fputs("\n}\n", stdout);
}

static double M(const cip_train_result *r, const char *name)
{
    return cip_train_result_metric(r, name);
}

/* lift = improvement over the second baseline (else the first): model - baseline, or
 * baseline - model for errors (lower is better); positive is better either way. */
static void row(const char *label, double model, double b1, double b2, int lower_better)
{
    double b = isfinite(b2) ? b2 : b1, lift = lower_better ? b - model : model - b;
    printf("  %-22s %12.6g %14.6g %14.6g %+12.6g\n", label, model, b1, b2, lift);
}

static void print_supervised(const cip_train_result *r)
{
    int churn = r->task == CIP_TRAIN_CHURN;
    const char *sc = churn ? "f1" : "r2";
    if (r->n_folds > 0) {
        printf("search: %zu candidate(s) x %zu folds (%s); chosen: %s\n", r->n_candidates,
               r->n_folds, sc, r->best_params[0] ? r->best_params : "(defaults)");
        printf("cv %s: %.6f +- %.6f (folds:", sc, r->cv_mean, r->cv_std);
        for (size_t k = 0; k < r->n_folds; k++)
            printf(" %.4f", r->cv_scores[k]);
        printf(")\n");
        double gap = r->cv_train_mean - r->cv_mean;
        printf("train-vs-cv gap: %+.6f (train folds %.6f)%s\n", gap, r->cv_train_mean,
               gap > 0.05 ? "  <- possible overfitting" : "");
    } else {
        printf("no cross-validation; params: %s\n",
               r->best_params[0] ? r->best_params : "(defaults)");
    }
    const char *ev = r->n_test > 0 ? "test" : "train (no held-out rows)";
    printf("\nmetrics on %s rows; baselines fitted on the training rows;\n"
           "lift = improvement over the %s baseline (positive = better)\n",
           ev, churn ? "logistic" : "ridge");
    printf("  %-22s %12s %14s %14s %12s\n", "metric", "forest", churn ? "majority" : "mean",
           churn ? "logistic" : "ridge", "lift");
    const char *b1 = churn ? "baseline_majority_" : "baseline_mean_";
    const char *b2 = churn ? "baseline_logistic_" : "baseline_ridge_";
    static const char *const reg[] = {"r2", "rmse", "mae"};
    static const char *const cls[] = {"f1", "precision", "recall", "accuracy", "roc_auc"};
    const char *const *names = churn ? cls : reg;
    size_t nn = churn ? 5 : 3;
    for (size_t k = 0; k < nn; k++) {
        char m[64], x1[64], x2[64];
        int bare = churn && r->n_test > 0 && k != 0 && k != 3;
        snprintf(m, sizeof m, "%s%s", bare ? "" : (r->n_test > 0 ? "test_" : "train_"), names[k]);
        snprintf(x1, sizeof x1, "%s%s", b1, names[k]);
        snprintf(x2, sizeof x2, "%s%s", b2, names[k]);
        row(names[k], M(r, m), M(r, x1), M(r, x2), !churn && k > 0);
    }
    printf("  train %s: %.6f", sc, M(r, churn ? "train_f1" : "train_r2"));
    if (!churn && r->n_test > 0)
        printf("; rmse / target std: %.6f", M(r, "rmse_to_std_ratio"));
    double oob = M(r, "oob_score");
    if (!isnan(oob))
        printf("\n  out-of-bag %s: %.6f", churn ? "accuracy" : "r2", oob);
    printf("\n\nfeature importances:\n");
    for (size_t k = 0; k < r->n_features; k++)
        printf("  %-28s %.6f\n", r->features[k], r->importances[k]);
    if (r->perm_repeats > 0) {
        printf("\npermutation importance (%s drop, %d repeats, %s rows):\n",
               churn ? "accuracy" : "r2", r->perm_repeats,
               r->perm_on_test ? "held-out" : "training");
        for (size_t k = 0; k < r->n_features; k++)
            printf("  %-28s %+.6f +- %.6f\n", r->features[k], r->perm_mean[k], r->perm_std[k]);
    }
}

static void print_text(const struct train_opts *o, const cip_train_result *r)
{
    printf("cip train %s: %s\n", cip_train_task_name(r->task), o->data);
    printf("rows: %zu (%s); train %zu, test %zu\n", r->n_rows,
           !r->raw_input ? "used as is"
           : r->task == CIP_TRAIN_SEGMENTS
               ? "raw customer table: feature pipeline fitted on all rows"
               : "raw customer table: feature pipeline fitted on the "
                 "training rows",
           r->n_train, r->n_test);
    if (r->target != NULL)
        printf("target: %s%s%s\n", r->target, r->label_rule ? " = " : "",
               r->label_rule ? r->label_rule : "");
    printf("features (%zu):", r->n_features);
    for (size_t k = 0; k < r->n_features; k++)
        printf("%s %s", k ? "," : "", r->features[k]);
    printf("\n");
    if (r->task != CIP_TRAIN_SEGMENTS) {
        print_supervised(r);
    } else {
        printf("  %4s %12s %12s\n", "k", "silhouette", "inertia");
        for (size_t k = 0; k < r->n_k; k++)
            printf("  %4d %12.6f %12.4f\n", r->sweep[k].k, r->sweep[k].silhouette,
                   r->sweep[k].inertia);
        printf("chosen k: %g (silhouette %.6f, inertia %.4f)\n", M(r, "optimal_n_clusters"),
               M(r, "silhouette_score"), M(r, "inertia"));
    }
    if (o->out != NULL)
        printf("model bundle: %s\n", o->out);
}

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int run(cip_ctx *ctx, struct train_opts *o)
{
    cip_frame *f = NULL;
    cip_train_result *r = NULL;
    int64_t t0 = now_ms();
    const char *verdict = NULL;
    char audit_json[4096] = "";
    cip_store *s = NULL;
    cip_status st = CIP_OK;
    /* open the store first: a bad URI or store fails before the training time is spent */
    if (!o->no_track &&
        cip_store_open(ctx, cip_store_resolve_uri(o->tracking_uri), NULL, &s) != CIP_OK) {
        int frc = cli_fail(ctx, CIP_ERR_IO);
        fprintf(stderr, "cip train: nothing was trained (use --no-track to train without "
                        "tracking)\n");
        return frc;
    }
    if (st == CIP_OK)
        st = cip_frame_read_csv(ctx, o->data, NULL, &f);
    if (st == CIP_OK)
        st = cip_train_run(ctx, f, &o->p, &r);
    if (st == CIP_OK && o->out != NULL)
        st = cip_train_save_bundle(ctx, r, o->out);
    if (st == CIP_OK && o->out != NULL)
        st = cip_monitor_save_reference(ctx, r, f, o->out);
    int rc = CLI_OK;
    if (st != CIP_OK) {
        rc = cli_fail(ctx, st);
    } else {
        if (o->json)
            print_json(o, r);
        else
            print_text(o, r);
        fflush(stdout);
        train_suspicious_check(ctx, o, f, r, &verdict, audit_json, sizeof audit_json);
        if (!o->no_track)
            rc = train_track(ctx, o, s, f, r, t0, verdict, audit_json);
    }
    if (audit_json[0] != '\0')
        unlink(audit_json);
    cip_train_result_free(r);
    cip_frame_free(f);
    cip_store_close(s);
    return rc;
}

static int split_features(struct train_opts *o)
{
    size_t n = 1;
    for (const char *s = o->feature_list; *s; s++)
        n += *s == ',';
    o->features = calloc(n, sizeof *o->features);
    if (o->features == NULL)
        return cli_usage_error("train", "out of memory");
    size_t k = 0;
    for (char *p = o->feature_list; p != NULL;) {
        char *comma = strchr(p, ',');
        if (comma != NULL)
            *comma = '\0';
        if (*p != '\0')
            o->features[k++] = p;
        p = comma != NULL ? comma + 1 : NULL;
    }
    if (k == 0)
        return cli_usage_error("train", "--features is empty");
    o->p.features = o->features;
    o->p.n_features = k;
    return CLI_OK;
}

int cmd_train(int argc, char **argv, cip_ctx *ctx)
{
    struct train_opts o;
    memset(&o, 0, sizeof o);
    cip_train_params_default(&o.p);
    o.threads = -1;
    o.suspicious_above = 0.95;
    if (argc < 2)
        return cli_usage_error("train", "missing task: clv, churn or segments");
    if (strcmp(argv[1], "clv") == 0)
        o.p.task = CIP_TRAIN_CLV;
    else if (strcmp(argv[1], "churn") == 0)
        o.p.task = CIP_TRAIN_CHURN;
    else if (strcmp(argv[1], "segments") == 0)
        o.p.task = CIP_TRAIN_SEGMENTS;
    else
        return cli_usage_error("train", "unknown task '%s' (clv, churn or segments)", argv[1]);
    cip_status st = cli_command_line(ctx, argc, argv, &o.cmdline);
    if (st != CIP_OK)
        return cli_fail(ctx, st);
    int c, rc = CLI_OK;
    optind = 0;
    opterr = 0;
    while (rc == CLI_OK && (c = getopt_long(argc - 1, argv + 1, ":o:q", k_opts, NULL)) != -1) {
        if (c == ':')
            rc = cli_usage_error("train", "option '%s' needs a value", argv[optind]);
        else if (c == '?')
            rc = cli_usage_error("train", "unknown option '%s'", argv[optind]);
        else
            rc = parse_opt(ctx, c, &o, optarg);
    }
    if (rc == CLI_OK && argc - 1 - optind != 1)
        rc =
            cli_usage_error("train", argc - 1 - optind == 0 ? "missing DATA" : "expected one DATA");
    if (rc == CLI_OK && o.feature_list != NULL)
        rc = split_features(&o);
    if (rc == CLI_OK) {
        o.data = argv[1 + optind];
        if (o.threads >= 0)
            cip_ctx_set_threads(ctx, o.threads);
        cli_progress_install(ctx, o.quiet);
        rc = run(ctx, &o);
    }
    free(o.features);
    cip_free(ctx, o.cmdline);
    return rc;
}
