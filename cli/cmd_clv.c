/* cmd_clv.c - `cip clv`: customer lifetime value from a transaction log
 * (summary, fit, predict, evaluate)
 * SPDX-License-Identifier: MIT
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cip/clv.h"
#include "clv_track.h"
#include "commands.h"

const char cmd_clv_help[] =
    "usage: cip clv summary|fit|predict|evaluate TX --calibration-end DATE [options]\n"
    "\n"
    "Customer lifetime value from a transaction log TX: CSV with a header\n"
    "(customer_id,date,amount[,quantity]) or the CDNOW fixed-width text (keyed on\n"
    "the sample id). Same-day purchases are merged. Calibration: first date to\n"
    "--calibration-end; holdout: the day after to --holdout-end.\n"
    "\n"
    "  summary   calibration totals; with -o the per-customer table with RFM\n"
    "            scores (5 = best) and segments\n"
    "  fit       maximum likelihood: parameters, standard errors, log-likelihood\n"
    "  predict   per customer: expected purchases in --horizon units, P(alive),\n"
    "            expected spend (Gamma-Gamma), discounted CLV\n"
    "  evaluate  BG/NBD, Pareto/NBD (+ Gamma-Gamma) vs period-shifted random\n"
    "            forests vs baselines on the holdout: purchases, spend, churn (no\n"
    "            purchase in the holdout). Forests train on features up to\n"
    "            --train-end with labels from (--train-end, --calibration-end]\n"
    "\n"
    "Every command is recorded as a run in the tracking store.\n"
    "\n"
    "Options:\n"
    "  -c, --calibration-end DATE  last calibration day (required)\n"
    "  -e, --holdout-end DATE      last holdout day (default: last date of TX)\n"
    "  -u, --unit U                day, week or month (30.4375 days) (default week)\n"
    "  -m, --model M               bgnbd, pareto, gamma-gamma; fit: also 'all'\n"
    "                              (default bgnbd)\n"
    "      --params LIST           predict: r,alpha,a,b (or r,alpha,s,beta) to use\n"
    "      --spend-params LIST     predict: Gamma-Gamma p,q,gamma to use\n"
    "  -t, --horizon T             predict: units ahead (default 39)\n"
    "      --discount R            predict: discount rate per step (default 0.01)\n"
    "      --step S                predict: units per discount step (default 1 month)\n"
    "      --format F              auto, csv or cdnow (default auto)\n"
    "      --id-column C           CSV customer column (default customer_id)\n"
    "      --date-column C         CSV date column (default date)\n"
    "      --amount-column C       CSV amount column (default amount)\n"
    "      --quantity-column C     CSV quantity column (default quantity)\n"
    "      --date-format F         auto, yyyymmdd, iso, mm/dd/yyyy, dd/mm/yyyy\n"
    "                              (default auto)\n"
    "  -d, --delimiter C           CSV delimiter (default ',')\n"
    "      --master-id             CDNOW: key customers on the master id\n"
    "      --no-merge              keep same-day purchases separate\n"
    "      --train-end DATE        evaluate: forest cutoff (default: calibration end\n"
    "                              minus min(holdout, calibration period / 3))\n"
    "      --churn-days N          evaluate: baseline 'no purchase in the last N\n"
    "                              days' (default 91)\n"
    "      --trees N               evaluate: trees per forest (default 200)\n"
    "      --min-leaf N            evaluate: min samples per leaf (default 5)\n"
    "      --seed N                evaluate: forest seed (default 42)\n"
    "      --no-forest             evaluate: skip the random forests\n"
    "  -o, --output FILE           summary/predict: per-customer CSV ('-' = stdout)\n"
    "      --json                  JSON on stdout\n"
    "  -q, --quiet                 no progress on standard error\n"
    "      --tracking-uri URI      store (default $MLFLOW_TRACKING_URI, else\n"
    "                              sqlite:///mlflow.db)\n"
    "      --experiment NAME       experiment (default cip-clv)\n"
    "      --no-track              do not record a run\n"
    "\n"
    "Examples:\n"
    "  cip clv fit CDNOW_sample.txt -c 1997-09-30 --model all\n"
    "  cip clv predict CDNOW_sample.txt -c 1997-09-30 --horizon 52 -o clv.csv\n"
    "  cip clv evaluate CDNOW_sample.txt -c 1997-09-30 -e 1998-06-30 --json\n"
    "\n"
    "Exit status: 0 success, 1 bad data or I/O failure, 2 usage error.\n";

struct opts {
    const char *sub, *path, *output, *params, *spend_params;
    const char *model;
    const char *tracking_uri, *experiment;
    int32_t cal_end, hold_end, train_end;
    bool have_cal, have_hold, json, quiet, no_track;
    cip_clv_unit unit;
    double horizon, discount, step;
    cip_clv_read_params rp;
    cip_clv_eval_params ep;
};

#define usage(...) cli_usage_error("clv", __VA_ARGS__)

static bool parse_date(const char *s, int32_t *d)
{
    return cip_clv_date_parse(s, strlen(s), "auto", d) != 0;
}

static int parse_opts(int argc, char **argv, cip_ctx *ctx, struct opts *o)
{
    enum {
        O_PARAMS = 256,
        O_SPEND,
        O_DISC,
        O_STEP,
        O_FMT,
        O_IDC,
        O_DC,
        O_AC,
        O_QC,
        O_DF,
        O_MASTER,
        O_NOMERGE,
        O_JSON,
        O_TRAIN,
        O_CHURN,
        O_TREES,
        O_LEAF,
        O_SEED,
        O_NOFOREST,
        O_URI,
        O_EXP,
        O_NOTRACK
    };
    static const struct option lo[] = {
        {"calibration-end", required_argument, NULL, 'c'},
        {"holdout-end", required_argument, NULL, 'e'},
        {"unit", required_argument, NULL, 'u'},
        {"model", required_argument, NULL, 'm'},
        {"params", required_argument, NULL, O_PARAMS},
        {"spend-params", required_argument, NULL, O_SPEND},
        {"horizon", required_argument, NULL, 't'},
        {"discount", required_argument, NULL, O_DISC},
        {"step", required_argument, NULL, O_STEP},
        {"format", required_argument, NULL, O_FMT},
        {"id-column", required_argument, NULL, O_IDC},
        {"date-column", required_argument, NULL, O_DC},
        {"amount-column", required_argument, NULL, O_AC},
        {"quantity-column", required_argument, NULL, O_QC},
        {"date-format", required_argument, NULL, O_DF},
        {"delimiter", required_argument, NULL, 'd'},
        {"master-id", no_argument, NULL, O_MASTER},
        {"no-merge", no_argument, NULL, O_NOMERGE},
        {"output", required_argument, NULL, 'o'},
        {"json", no_argument, NULL, O_JSON},
        {"quiet", no_argument, NULL, 'q'},
        {"train-end", required_argument, NULL, O_TRAIN},
        {"churn-days", required_argument, NULL, O_CHURN},
        {"trees", required_argument, NULL, O_TREES},
        {"min-leaf", required_argument, NULL, O_LEAF},
        {"seed", required_argument, NULL, O_SEED},
        {"no-forest", no_argument, NULL, O_NOFOREST},
        {"tracking-uri", required_argument, NULL, O_URI},
        {"experiment", required_argument, NULL, O_EXP},
        {"no-track", no_argument, NULL, O_NOTRACK},
        {NULL, 0, NULL, 0},
    };
    int c;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":c:e:u:m:t:d:o:q", lo, NULL)) != -1) {
        switch (c) {
        case 'c':
            if (!parse_date(optarg, &o->cal_end))
                return usage("--calibration-end needs a date (1997-09-30 or 19970930), not '%s'",
                             optarg);
            o->have_cal = true;
            break;
        case 'e':
            if (!parse_date(optarg, &o->hold_end))
                return usage("--holdout-end needs a date, not '%s'", optarg);
            o->have_hold = true;
            break;
        case 'u':
            if (cip_clv_unit_parse(ctx, optarg, &o->unit) != CIP_OK)
                return usage("--unit must be day, week or month, not '%s'", optarg);
            break;
        case 'm':
            o->model = optarg;
            break;
        case O_PARAMS:
            o->params = optarg;
            break;
        case O_SPEND:
            o->spend_params = optarg;
            break;
        case 't':
            if (!cli_parse_double(optarg, &o->horizon) || !(o->horizon > 0))
                return usage("--horizon needs a positive number, not '%s'", optarg);
            break;
        case O_DISC:
            if (!cli_parse_double(optarg, &o->discount) || !(o->discount >= 0))
                return usage("--discount needs a number >= 0, not '%s'", optarg);
            break;
        case O_STEP:
            if (!cli_parse_double(optarg, &o->step) || !(o->step > 0))
                return usage("--step needs a positive number, not '%s'", optarg);
            break;
        case O_FMT:
            if (strcmp(optarg, "auto") == 0)
                o->rp.format = CIP_CLV_FORMAT_AUTO;
            else if (strcmp(optarg, "csv") == 0)
                o->rp.format = CIP_CLV_FORMAT_CSV;
            else if (strcmp(optarg, "cdnow") == 0)
                o->rp.format = CIP_CLV_FORMAT_CDNOW;
            else
                return usage("--format must be auto, csv or cdnow, not '%s'", optarg);
            break;
        case O_IDC:
            o->rp.id_column = optarg;
            break;
        case O_DC:
            o->rp.date_column = optarg;
            break;
        case O_AC:
            o->rp.amount_column = optarg;
            break;
        case O_QC:
            o->rp.quantity_column = optarg;
            break;
        case O_DF:
            if (!cip_clv_date_format_ok(optarg))
                return usage("--date-format must be auto, yyyymmdd, iso, mm/dd/yyyy or "
                             "dd/mm/yyyy, not '%s'",
                             optarg);
            o->rp.date_format = optarg;
            break;
        case 'd':
            if (strlen(optarg) != 1)
                return usage("--delimiter needs one character, not '%s'", optarg);
            o->rp.delimiter = optarg[0];
            break;
        case O_MASTER:
            o->rp.cdnow_master_id = 1;
            break;
        case O_NOMERGE:
            o->rp.merge_same_day = 0;
            break;
        case 'o':
            o->output = optarg;
            break;
        case O_JSON:
            o->json = true;
            break;
        case 'q':
            o->quiet = true;
            break;
        case O_TRAIN:
            if (!parse_date(optarg, &o->train_end))
                return usage("--train-end needs a date, not '%s'", optarg);
            break;
        case O_CHURN:
        case O_TREES:
        case O_LEAF: {
            int64_t v;
            if (!cli_parse_i64(optarg, &v) || v < 1 || v > (c == O_TREES ? 10000 : 1000000))
                return usage("--%s needs a positive integer%s, not '%s'",
                             c == O_CHURN   ? "churn-days"
                             : c == O_TREES ? "trees"
                                            : "min-leaf",
                             c == O_TREES ? " up to 10000" : "", optarg);
            *(c == O_CHURN   ? &o->ep.churn_days
              : c == O_TREES ? &o->ep.n_estimators
                             : &o->ep.min_samples_leaf) = (int)v;
            break;
        }
        case O_SEED:
            if (!cli_parse_u64(optarg, &o->ep.seed))
                return usage("--seed needs a non-negative integer, not '%s'", optarg);
            break;
        case O_NOFOREST:
            o->ep.forest = 0;
            break;
        case O_URI:
            o->tracking_uri = optarg;
            break;
        case O_EXP:
            if (optarg[0] == '\0')
                return usage("%s", "--experiment needs a name");
            o->experiment = optarg;
            break;
        case O_NOTRACK:
            o->no_track = true;
            break;
        case ':':
            return usage("option '%s' needs a value", argv[optind - 1]);
        default:
            return usage("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return usage("%s", "missing the transaction file TX");
    o->path = argv[optind++];
    if (optind < argc)
        return usage("unexpected argument '%s'", argv[optind]);
    if (!o->have_cal)
        return usage("%s", "--calibration-end DATE is required");
    if (o->have_hold && o->hold_end <= o->cal_end)
        return usage("%s", "--holdout-end must be after --calibration-end");
    if (o->train_end != 0 && o->train_end >= o->cal_end)
        return usage("%s", "--train-end must be before --calibration-end");
    return CLI_OK;
}

/* Parse "v1,v2,..." into out[0..max); returns the count or -1. */
static int parse_list(const char *s, double *out, int max)
{
    int n = 0;
    char buf[512];
    if (strlen(s) >= sizeof buf)
        return -1;
    memcpy(buf, s, strlen(s) + 1);
    for (char *p = buf;;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        if (n == max || !cli_parse_double(p, &out[n]))
            return -1;
        n++;
        if (!comma)
            return n;
        p = comma + 1;
    }
}

/* --- output helpers ------------------------------------------------------------------------ */

static FILE *open_out(const char *path)
{
    if (strcmp(path, "-") == 0)
        return stdout;
    FILE *f = fopen(path, "w");
    if (f == NULL)
        fprintf(stderr, "cip: error: cannot write '%s'\n", path);
    return f;
}

static int close_out(FILE *f, const char *path)
{
    int bad = ferror(f);
    if (f != stdout)
        bad |= fclose(f);
    else
        bad |= fflush(f);
    if (bad) {
        fprintf(stderr, "cip: error: writing '%s' failed\n", path);
        return CLI_FAIL;
    }
    return CLI_OK;
}

static void print_totals(const struct opts *o, const cip_clv_tx *tx, const cip_clv_summary *s)
{
    cip_clv_totals t;
    cip_clv_summary_totals(s, &t);
    char d0[11], d1[11], d2[11];
    int32_t first, last;
    cip_clv_tx_range(tx, &first, &last);
    cip_clv_date_str(first, d0);
    cip_clv_date_str(s->cal_end, d1);
    cip_clv_date_str(s->hold_end, d2);
    if (o->json) {
        printf("{\"transactions\": %zu, \"merged_same_day\": %zu, \"first_date\": \"%s\", "
               "\"calibration_end\": \"%s\", \"holdout_end\": \"%s\", \"unit\": \"%s\", "
               "\"holdout_length\": %.10g, \"customers\": %zu, \"later_customers\": %zu, "
               "\"repeaters\": %zu, \"zero_class\": %zu, \"repeat_transactions\": %.0f, "
               "\"holdout_transactions\": %.0f, \"mean_zbar\": %.10g}\n",
               cip_clv_tx_count(tx), cip_clv_tx_merged(tx), d0, d1, d2, cip_clv_unit_name(s->unit),
               s->holdout_length, t.customers, s->n_later, t.repeaters, t.zero_class, t.repeat_tx,
               t.hold_tx, t.mean_zbar);
        return;
    }
    printf("transactions            %zu (%zu same-day purchases merged)\n", cip_clv_tx_count(tx),
           cip_clv_tx_merged(tx));
    printf("calibration             %s .. %s (unit: %s)\n", d0, d1, cip_clv_unit_name(s->unit));
    printf("holdout                 .. %s (%.4g %s)\n", d2, s->holdout_length,
           cip_clv_unit_name(s->unit));
    printf("customers               %zu (%zu first buying after calibration excluded)\n",
           t.customers, s->n_later);
    printf("repeat customers        %zu (x > 0), %zu with x = 0\n", t.repeaters, t.zero_class);
    printf("repeat transactions     %.0f in calibration, %.0f in holdout\n", t.repeat_tx,
           t.hold_tx);
    printf("mean repeat spend       %.4f (mean zbar of repeat customers)\n", t.mean_zbar);
}

static int write_table(cip_ctx *ctx, const struct opts *o, const cip_clv_tx *tx,
                       const cip_clv_summary *s)
{
    uint8_t *sc = malloc(4 * s->n + 1);
    if (sc == NULL) {
        fprintf(stderr, "cip: error: out of memory\n");
        return CLI_FAIL;
    }
    cip_status rc = cip_clv_rfm(ctx, s, sc, sc + s->n, sc + 2 * s->n, sc + 3 * s->n);
    if (rc != CIP_OK) {
        free(sc);
        return cli_fail(ctx, rc);
    }
    FILE *f = open_out(o->output);
    if (f == NULL) {
        free(sc);
        return CLI_FAIL;
    }
    fprintf(f, "customer_id,x,t_x,T,zbar,monetary,x_holdout,spend_holdout,R,F,M,segment\n");
    for (size_t i = 0; i < s->n; i++)
        fprintf(f, "%s,%.0f,%.10g,%.10g,%.10g,%.10g,%.0f,%.10g,%d,%d,%d,%s\n",
                cip_clv_tx_customer_id(tx, s->customer[i]), s->x[i], s->t_x[i], s->T[i], s->zbar[i],
                s->monetary[i], s->x_hold[i], s->spend_hold[i], sc[i], sc[s->n + i],
                sc[2 * s->n + i], cip_clv_segment_name(sc[3 * s->n + i]));
    free(sc);
    return close_out(f, o->output);
}

static void print_model(const struct opts *o, const cip_clv_model *m, bool last)
{
    if (o->json) {
        printf("  {\"model\": \"%s\", \"unit\": \"%s\", \"n\": %zu, \"loglik\": %.10g, "
               "\"converged\": %s, \"iterations\": %d, \"params\": {",
               cip_clv_model_name(m->kind), cip_clv_unit_name(m->unit), m->n_obs, m->loglik,
               m->converged ? "true" : "false", m->iterations);
        for (int k = 0; k < m->n_params; k++)
            printf("%s\"%s\": %.10g", k ? ", " : "", cip_clv_param_name(m->kind, k), m->param[k]);
        printf("}, \"se\": {");
        for (int k = 0; k < m->n_params; k++)
            printf("%s\"%s\": %.10g", k ? ", " : "", cip_clv_param_name(m->kind, k),
                   isfinite(m->se[k]) ? m->se[k] : -1.0);
        printf("}}%s\n", last ? "" : ",");
        return;
    }
    printf("%s (%zu customers, unit %s): log-likelihood %.4f%s\n", cip_clv_model_name(m->kind),
           m->n_obs, cip_clv_unit_name(m->unit), m->loglik, m->converged ? "" : " (not converged)");
    for (int k = 0; k < m->n_params; k++)
        printf("  %-6s %12.6f  (se %.6f)\n", cip_clv_param_name(m->kind, k), m->param[k], m->se[k]);
}

/* --- subcommands --------------------------------------------------------------------------- */

static cip_status track_totals(cip_ctx *ctx, struct clv_track *t, const cip_clv_tx *tx,
                               const cip_clv_summary *s)
{
    cip_clv_totals tt;
    cip_clv_summary_totals(s, &tt);
    const char *k[] = {"transactions",        "customers",           "repeaters",
                       "zero_class",          "later_customers",     "mean_zbar",
                       "repeat_transactions", "holdout_transactions"};
    double v[] = {(double)cip_clv_tx_count(tx),
                  (double)tt.customers,
                  (double)tt.repeaters,
                  (double)tt.zero_class,
                  (double)s->n_later,
                  tt.mean_zbar,
                  tt.repeat_tx,
                  tt.hold_tx};
    cip_status rc = CIP_OK;
    for (size_t i = 0; i < sizeof v / sizeof v[0] && rc == CIP_OK; i++)
        rc = clv_track_metric(ctx, t, k[i], "", "", v[i]);
    return rc;
}

static int do_summary(cip_ctx *ctx, const struct opts *o, const cip_clv_tx *tx,
                      const cip_clv_summary *s, struct clv_track *t)
{
    cip_status st = track_totals(ctx, t, tx, s);
    if (st != CIP_OK)
        return cli_fail(ctx, st);
    if (o->output != NULL) {
        int rc = write_table(ctx, o, tx, s);
        if (rc != CLI_OK || strcmp(o->output, "-") == 0)
            return rc;
    }
    print_totals(o, tx, s);
    return CLI_OK;
}

static cip_status track_model(cip_ctx *ctx, struct clv_track *t, const cip_clv_model *m)
{
    const char *name = cip_clv_model_name(m->kind);
    char suffix[40];
    cip_status rc = clv_track_metric(ctx, t, "", name, "_loglik", m->loglik);
    for (int k = 0; k < m->n_params && rc == CIP_OK; k++) {
        snprintf(suffix, sizeof suffix, "_%s", cip_clv_param_name(m->kind, k));
        rc = clv_track_metric(ctx, t, "", name, suffix, m->param[k]);
        snprintf(suffix, sizeof suffix, "_%s_se", cip_clv_param_name(m->kind, k));
        if (rc == CIP_OK)
            rc = clv_track_metric(ctx, t, "", name, suffix, m->se[k]);
    }
    return rc;
}

static int do_fit(cip_ctx *ctx, const struct opts *o, const cip_clv_summary *s, struct clv_track *t)
{
    cip_clv_model_kind kinds[3];
    int nk = 0;
    if (strcmp(o->model, "all") == 0) {
        kinds[0] = CIP_CLV_BGNBD, kinds[1] = CIP_CLV_PARETO, kinds[2] = CIP_CLV_GAMMAGAMMA;
        nk = 3;
    } else if (cip_clv_model_parse(ctx, o->model, &kinds[0]) == CIP_OK) {
        nk = 1;
    } else {
        return usage("--model must be bgnbd, pareto, gamma-gamma or all, not '%s'", o->model);
    }
    if (o->json)
        printf("[\n");
    for (int k = 0; k < nk; k++) {
        cip_clv_model m;
        cip_status rc = cip_clv_fit(ctx, kinds[k], s, NULL, &m);
        if (rc == CIP_OK)
            rc = track_model(ctx, t, &m);
        if (rc != CIP_OK)
            return cli_fail(ctx, rc);
        print_model(o, &m, k == nk - 1);
    }
    if (o->json)
        printf("]\n");
    return CLI_OK;
}

/* A model from --params / --spend-params, or fitted. */
static int get_model(cip_ctx *ctx, const struct opts *o, const cip_clv_summary *s,
                     cip_clv_model_kind kind, const char *list, cip_clv_model *m,
                     struct clv_track *t)
{
    cip_status rc;
    if (list != NULL) {
        double v[4];
        int n = parse_list(list, v, 4);
        if (n < 0)
            return usage("bad parameter list '%s'", list);
        rc = cip_clv_model_from_params(ctx, kind, v, n, s->unit, m);
        if (rc != CIP_OK)
            return cli_usage_error("clv", "%s", cip_ctx_errmsg(ctx));
        return CLI_OK;
    }
    rc = cip_clv_fit(ctx, kind, s, NULL, m);
    if (rc == CIP_OK)
        rc = track_model(ctx, t, m);
    if (rc != CIP_OK)
        return cli_fail(ctx, rc);
    if (!o->quiet)
        fprintf(stderr, "cip clv: fitted %s, log-likelihood %.4f\n", cip_clv_model_name(kind),
                m->loglik);
    return CLI_OK;
}

static int do_predict(cip_ctx *ctx, const struct opts *o, const cip_clv_tx *tx,
                      const cip_clv_summary *s, struct clv_track *t)
{
    cip_clv_model_kind kind;
    if (cip_clv_model_parse(ctx, o->model, &kind) != CIP_OK || kind == CIP_CLV_GAMMAGAMMA)
        return usage("predict: --model must be bgnbd or pareto, not '%s'", o->model);
    cip_clv_model m, gg;
    int rc = get_model(ctx, o, s, kind, o->params, &m, t);
    if (rc == CLI_OK)
        rc = get_model(ctx, o, s, CIP_CLV_GAMMAGAMMA, o->spend_params, &gg, t);
    if (rc != CLI_OK)
        return rc;
    cip_clv_value_params vp;
    cip_clv_value_params_default(&vp);
    vp.horizon = o->horizon;
    vp.rate = o->discount;
    vp.step = o->step > 0 ? o->step : 365.25 / 12.0 / cip_clv_unit_days(s->unit);
    const char *out = o->output ? o->output : "-";
    FILE *f = open_out(out);
    if (f == NULL)
        return CLI_FAIL;
    double tot_e = 0, tot_v = 0;
    fprintf(f, "customer_id,x,t_x,T,expected_purchases,p_alive,expected_spend,clv\n");
    for (size_t i = 0; i < s->n; i++) {
        double e = cip_clv_conditional(&m, o->horizon, s->x[i], s->t_x[i], s->T[i]);
        double pa = cip_clv_p_alive(&m, s->x[i], s->t_x[i], s->T[i]);
        double sp = cip_clv_expected_spend(&gg, s->x[i], s->zbar[i]);
        double v = cip_clv_value(&m, &vp, sp, s->x[i], s->t_x[i], s->T[i]);
        tot_e += e, tot_v += v;
        fprintf(f, "%s,%.0f,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g\n",
                cip_clv_tx_customer_id(tx, s->customer[i]), s->x[i], s->t_x[i], s->T[i], e, pa, sp,
                v);
    }
    cip_status st = clv_track_metric(ctx, t, "expected_purchases_total", "", "", tot_e);
    if (st == CIP_OK)
        st = clv_track_metric(ctx, t, "clv_total", "", "", tot_v);
    if (st == CIP_OK)
        st =
            clv_track_metric(ctx, t, "clv_mean", "", "", s->n ? tot_v / (double)s->n : (double)NAN);
    rc = close_out(f, out);
    return rc == CLI_OK && st != CIP_OK ? cli_fail(ctx, st) : rc;
}

static int do_evaluate(cip_ctx *ctx, const struct opts *o, const cip_clv_tx *tx,
                       const cip_clv_summary *s, struct clv_track *t)
{
    if (!(s->holdout_length > 0))
        return usage("%s", "evaluate needs a holdout: --holdout-end after --calibration-end");
    cip_clv_eval_params p = o->ep;
    p.tx = tx;
    p.cal_end = s->cal_end;
    p.hold_end = s->hold_end;
    p.train_end = o->train_end;
    p.unit = s->unit;
    cip_clv_eval_report *r = NULL;
    char *json = NULL;
    cip_status st = cip_clv_eval_run(ctx, &p, &r);
    if (st == CIP_OK)
        st = cip_clv_eval_report_json(ctx, r, &json);
    if (st == CIP_OK)
        st = clv_track_report(ctx, t, r, json);
    if (st == CIP_OK) {
        if (o->json)
            fputs(json, stdout);
        else
            clv_print_report(r);
    }
    cip_free(ctx, json);
    cip_clv_eval_report_free(r);
    return st == CIP_OK ? CLI_OK : cli_fail(ctx, st);
}

static cip_status track_params(cip_ctx *ctx, const struct opts *o, struct clv_track *t,
                               const cip_clv_summary *s)
{
    char d[11];
    cip_status rc = clv_track_param(ctx, t, "subcommand", o->sub);
    if (rc == CIP_OK)
        rc = clv_track_param(ctx, t, "data_path", o->path);
    cip_clv_date_str(s->cal_end, d);
    if (rc == CIP_OK)
        rc = clv_track_param(ctx, t, "calibration_end", d);
    cip_clv_date_str(s->hold_end, d);
    if (rc == CIP_OK)
        rc = clv_track_param(ctx, t, "holdout_end", d);
    if (rc == CIP_OK)
        rc = clv_track_param(ctx, t, "unit", cip_clv_unit_name(s->unit));
    if (rc == CIP_OK)
        rc = clv_track_param(ctx, t, "merge_same_day", o->rp.merge_same_day ? "true" : "false");
    if (rc == CIP_OK && strcmp(o->sub, "fit") == 0)
        rc = clv_track_param(ctx, t, "model", o->model);
    if (rc == CIP_OK && strcmp(o->sub, "predict") == 0) {
        rc = clv_track_param(ctx, t, "model", o->model);
        if (rc == CIP_OK)
            rc = clv_track_paramf(ctx, t, "horizon", o->horizon);
        if (rc == CIP_OK)
            rc = clv_track_paramf(ctx, t, "discount", o->discount);
    }
    if (rc == CIP_OK && strcmp(o->sub, "evaluate") == 0) {
        rc = clv_track_paramf(ctx, t, "churn_days", o->ep.churn_days);
        if (rc == CIP_OK)
            rc = clv_track_paramf(ctx, t, "n_estimators", o->ep.n_estimators);
        if (rc == CIP_OK)
            rc = clv_track_paramf(ctx, t, "min_samples_leaf", o->ep.min_samples_leaf);
        if (rc == CIP_OK)
            rc = clv_track_paramf(ctx, t, "seed", (double)o->ep.seed);
        if (rc == CIP_OK)
            rc = clv_track_param(ctx, t, "forest", o->ep.forest ? "true" : "false");
    }
    return rc;
}

static int run_sub(cip_ctx *ctx, const struct opts *o, const cip_clv_tx *tx,
                   const cip_clv_summary *s, struct clv_track *t)
{
    cip_status st = track_params(ctx, o, t, s);
    if (st != CIP_OK)
        return cli_fail(ctx, st);
    if (strcmp(o->sub, "summary") == 0)
        return do_summary(ctx, o, tx, s, t);
    if (strcmp(o->sub, "fit") == 0)
        return do_fit(ctx, o, s, t);
    if (strcmp(o->sub, "predict") == 0)
        return do_predict(ctx, o, tx, s, t);
    return do_evaluate(ctx, o, tx, s, t);
}

int cmd_clv(int argc, char **argv, cip_ctx *ctx)
{
    if (argc < 2)
        return usage("%s", "missing subcommand (summary, fit, predict, evaluate)");
    const char *sub = argv[1];
    if (strcmp(sub, "summary") != 0 && strcmp(sub, "fit") != 0 && strcmp(sub, "predict") != 0 &&
        strcmp(sub, "evaluate") != 0)
        return usage("unknown subcommand '%s' (summary, fit, predict, evaluate)", sub);
    struct opts o;
    memset(&o, 0, sizeof o);
    o.sub = sub;
    o.unit = CIP_CLV_WEEKS;
    o.model = "bgnbd";
    o.horizon = 39;
    o.discount = 0.01;
    o.experiment = "cip-clv";
    cip_clv_read_params_default(&o.rp);
    cip_clv_eval_params_default(&o.ep);
    char *command = NULL; /* before getopt permutes argv */
    if (cli_command_line(ctx, argc, argv, &command) != CIP_OK)
        return cli_fail(ctx, CIP_ERR_NOMEM);
    int rc = parse_opts(argc - 1, argv + 1, ctx, &o);
    if (rc != CLI_OK) {
        cip_free(ctx, command);
        return rc;
    }
    o.ep.read = o.rp;
    cli_progress_install(ctx, o.quiet);
    cip_clv_tx *tx = NULL;
    cip_clv_summary *s = NULL;
    struct clv_track t = {NULL, NULL};
    cip_status st = cip_clv_tx_read(ctx, o.path, &o.rp, &tx);
    if (st == CIP_OK) {
        int32_t first, last;
        cip_clv_tx_range(tx, &first, &last);
        st = cip_clv_summary_new(ctx, tx, o.cal_end, o.have_hold ? o.hold_end : last, o.unit, &s);
    }
    if (st == CIP_OK && !o.no_track)
        st = clv_track_start(ctx, &t, o.tracking_uri, o.experiment, sub, command);
    if (st != CIP_OK)
        rc = cli_fail(ctx, st);
    else
        rc = run_sub(ctx, &o, tx, s, &t);
    if (t.run != NULL) {
        char id[33];
        snprintf(id, sizeof id, "%s", cip_run_id(t.run));
        st = clv_track_end(ctx, &t, rc == CLI_OK);
        if (st != CIP_OK && rc == CLI_OK)
            rc = cli_fail(ctx, st);
        if (rc == CLI_OK && !o.quiet)
            fprintf(stderr, "cip clv: recorded run %s in experiment '%s'\n", id, o.experiment);
    }
    clv_track_end(ctx, &t, rc == CLI_OK);
    cip_free(ctx, command);
    cip_clv_summary_free(s);
    cip_clv_tx_free(tx);
    return rc;
}
