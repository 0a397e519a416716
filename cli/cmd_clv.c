/* cmd_clv.c - `cip clv`: customer lifetime value from a transaction log
 * (summary, fit, predict, evaluate)
 * SPDX-License-Identifier: MIT
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cip/clv.h"
#include "commands.h"

const char cmd_clv_help[] =
    "usage: cip clv summary  TX --calibration-end DATE [options]\n"
    "       cip clv fit      TX --calibration-end DATE [--model M] [options]\n"
    "       cip clv predict  TX --calibration-end DATE [--model M] [--horizon T] [options]\n"
    "       cip clv evaluate TX --calibration-end DATE [--holdout-end DATE] [options]\n"
    "\n"
    "Customer lifetime value from a transaction log TX: either CSV with a header\n"
    "(customer_id,date,amount[,quantity] by default) or the CDNOW fixed-width text\n"
    "(master id, sample id, yyyymmdd, cds, dollars; customers keyed on the sample\n"
    "id). A customer's purchases on the same day are merged into one. Calibration\n"
    "runs from the first date of the log to --calibration-end (inclusive); the\n"
    "holdout from the day after to --holdout-end. Per customer: x = repeat purchases,\n"
    "t_x = last - first purchase, T = calibration end - first purchase (in --unit),\n"
    "zbar = mean amount of the repeat purchases.\n"
    "\n"
    "  summary   totals of the calibration summary; with -o the per-customer table\n"
    "            with RFM quintile scores (5 = best) and segments\n"
    "  fit       fit a model by maximum likelihood: parameters, standard errors,\n"
    "            log-likelihood\n"
    "  predict   per customer: expected purchases in the next --horizon units,\n"
    "            P(alive), expected average spend (Gamma-Gamma) and discounted CLV\n"
    "  evaluate  fit BG/NBD and Pareto/NBD on the calibration period and score their\n"
    "            holdout predictions and a naive rate baseline (x / T per unit):\n"
    "            MAE, RMSE, correlation, aggregate error, cumulative forecast error;\n"
    "            and the BG/NBD calibration histogram chi-square (FHL 2005)\n"
    "\n"
    "Options:\n"
    "  -c, --calibration-end DATE  last calibration day (required)\n"
    "  -e, --holdout-end DATE      last holdout day (default: the last date of TX)\n"
    "  -u, --unit U                time unit: day, week or month (30.4375 days)\n"
    "                              (default week)\n"
    "  -m, --model M               bgnbd, pareto or gamma-gamma; fit also takes\n"
    "                              'all' (default bgnbd)\n"
    "      --params LIST           predict: use these comma-separated parameters\n"
    "                              (r,alpha,a,b or r,alpha,s,beta) instead of fitting\n"
    "      --spend-params LIST     predict: Gamma-Gamma p,q,gamma instead of fitting\n"
    "  -t, --horizon T             predict: units ahead (default 39)\n"
    "      --discount R            predict: discount rate per step (default 0.01)\n"
    "      --step S                predict: units per discount step (default: one\n"
    "                              month, 4.348 weeks / 30.4375 days / 1 month)\n"
    "      --format F              auto, csv or cdnow (default auto)\n"
    "      --id-column C           CSV customer column (default customer_id)\n"
    "      --date-column C         CSV date column (default date)\n"
    "      --amount-column C       CSV amount column (default amount)\n"
    "      --quantity-column C     CSV quantity column, used if present (default quantity)\n"
    "      --date-format F         auto, yyyymmdd, iso, mm/dd/yyyy or dd/mm/yyyy\n"
    "                              (default auto)\n"
    "  -d, --delimiter C           CSV field delimiter (default ',')\n"
    "      --master-id             CDNOW: key customers on the master id\n"
    "      --no-merge              keep same-day purchases separate\n"
    "  -o, --output FILE           summary/predict: per-customer CSV ('-' = stdout)\n"
    "      --json                  machine-readable output on stdout\n"
    "  -q, --quiet                 no progress on standard error\n"
    "\n"
    "Examples:\n"
    "  cip clv summary CDNOW_sample.txt --calibration-end 1997-09-30 --unit week\n"
    "  cip clv fit CDNOW_sample.txt -c 1997-09-30 --model all\n"
    "  cip clv predict CDNOW_sample.txt -c 1997-09-30 --horizon 52 -o clv.csv\n"
    "  cip clv evaluate CDNOW_sample.txt -c 1997-09-30 -e 1998-06-30\n"
    "\n"
    "Exit status: 0 success, 1 bad data or I/O failure, 2 usage error.\n";

struct opts {
    const char *sub, *path, *output, *params, *spend_params;
    const char *model;
    int32_t cal_end, hold_end;
    bool have_cal, have_hold, json, quiet;
    cip_clv_unit unit;
    double horizon, discount, step;
    cip_clv_read_params rp;
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
        O_JSON
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

static int do_summary(cip_ctx *ctx, const struct opts *o, const cip_clv_tx *tx,
                      const cip_clv_summary *s)
{
    if (o->output != NULL) {
        int rc = write_table(ctx, o, tx, s);
        if (rc != CLI_OK || strcmp(o->output, "-") == 0)
            return rc;
    }
    print_totals(o, tx, s);
    return CLI_OK;
}

static int do_fit(cip_ctx *ctx, const struct opts *o, const cip_clv_summary *s)
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
                     cip_clv_model_kind kind, const char *list, cip_clv_model *m)
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
    if (rc != CIP_OK)
        return cli_fail(ctx, rc);
    if (!o->quiet)
        fprintf(stderr, "cip clv: fitted %s, log-likelihood %.4f\n", cip_clv_model_name(kind),
                m->loglik);
    return CLI_OK;
}

static int do_predict(cip_ctx *ctx, const struct opts *o, const cip_clv_tx *tx,
                      const cip_clv_summary *s)
{
    cip_clv_model_kind kind;
    if (cip_clv_model_parse(ctx, o->model, &kind) != CIP_OK || kind == CIP_CLV_GAMMAGAMMA)
        return usage("predict: --model must be bgnbd or pareto, not '%s'", o->model);
    cip_clv_model m, gg;
    int rc = get_model(ctx, o, s, kind, o->params, &m);
    if (rc == CLI_OK)
        rc = get_model(ctx, o, s, CIP_CLV_GAMMAGAMMA, o->spend_params, &gg);
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
    fprintf(f, "customer_id,x,t_x,T,expected_purchases,p_alive,expected_spend,clv\n");
    for (size_t i = 0; i < s->n; i++) {
        double e = cip_clv_conditional(&m, o->horizon, s->x[i], s->t_x[i], s->T[i]);
        double pa = cip_clv_p_alive(&m, s->x[i], s->t_x[i], s->T[i]);
        double sp = cip_clv_expected_spend(&gg, s->x[i], s->zbar[i]);
        double v = cip_clv_value(&m, &vp, sp, s->x[i], s->t_x[i], s->T[i]);
        fprintf(f, "%s,%.0f,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g\n",
                cip_clv_tx_customer_id(tx, s->customer[i]), s->x[i], s->t_x[i], s->T[i], e, pa, sp,
                v);
    }
    return close_out(f, out);
}

static void print_eval(const struct opts *o, const cip_clv_eval *e, bool last)
{
    if (o->json) {
        printf("  {\"method\": \"%s\", \"mae\": %.10g, \"rmse\": %.10g, \"corr\": %.10g, "
               "\"predicted\": %.10g, \"actual\": %.10g, \"aggregate_error\": %.10g, "
               "\"cumulative_predicted\": %.10g, \"cumulative_actual\": %.10g, "
               "\"cumulative_error\": %.10g}%s\n",
               e->method, e->mae, e->rmse, e->corr, e->pred_total, e->actual_total, e->agg_error,
               isfinite(e->cum_pred) ? e->cum_pred : -1.0,
               isfinite(e->cum_actual) ? e->cum_actual : -1.0,
               isfinite(e->cum_error) ? e->cum_error : 0.0, last ? "" : ",");
        return;
    }
    printf("%-11s %8.4f %8.4f %8.4f %10.1f %10.1f %+8.2f%%", e->method, e->mae, e->rmse, e->corr,
           e->pred_total, e->actual_total, 100 * e->agg_error);
    if (isfinite(e->cum_error))
        printf(" %10.1f %10.1f %+8.2f%%\n", e->cum_pred, e->cum_actual, 100 * e->cum_error);
    else
        printf(" %10s %10s %9s\n", "-", "-", "-");
}

static int do_evaluate(cip_ctx *ctx, const struct opts *o, const cip_clv_summary *s)
{
    if (!(s->holdout_length > 0))
        return usage("%s", "evaluate needs a holdout: --holdout-end after --calibration-end");
    double *pred = malloc(sizeof *pred * (s->n ? s->n : 1));
    if (pred == NULL) {
        fprintf(stderr, "cip: error: out of memory\n");
        return CLI_FAIL;
    }
    const cip_clv_model_kind kinds[2] = {CIP_CLV_BGNBD, CIP_CLV_PARETO};
    cip_clv_eval ev[3];
    cip_status rc = CIP_OK;
    double chisq = NAN;
    for (int k = 0; k < 3 && rc == CIP_OK; k++) {
        cip_clv_model m;
        if (k < 2 && (rc = cip_clv_fit(ctx, kinds[k], s, NULL, &m)) != CIP_OK)
            break;
        if (k == 0 && (rc = cip_clv_histogram_chisq(ctx, &m, s, 8, NULL, NULL, &chisq)) != CIP_OK)
            break;
        for (size_t i = 0; i < s->n; i++)
            pred[i] = k < 2
                          ? cip_clv_conditional(&m, s->holdout_length, s->x[i], s->t_x[i], s->T[i])
                          : s->x[i] / (s->T[i] > 0 ? s->T[i] : 1) * s->holdout_length;
        rc = cip_clv_evaluate(ctx, s, k < 2 ? &m : NULL, pred, k < 2 ? NULL : "naive-rate", &ev[k]);
    }
    free(pred);
    if (rc != CIP_OK)
        return cli_fail(ctx, rc);
    if (o->json) {
        printf("[\n");
    } else {
        printf("holdout of %.4g %s, %zu customers; cumulative = repeat purchases from each first "
               "purchase to the holdout end\n",
               s->holdout_length, cip_clv_unit_name(s->unit), s->n);
        printf("%-11s %8s %8s %8s %10s %10s %9s %10s %10s %9s\n", "method", "MAE", "RMSE", "corr",
               "predicted", "actual", "agg.err", "cum.pred", "cum.act", "cum.err");
    }
    for (int k = 0; k < 3; k++)
        print_eval(o, &ev[k], k == 2);
    if (o->json)
        printf("]\n");
    else
        printf("BG/NBD calibration histogram chi-square (x = 0..6, 7+; df 3): %.2f\n", chisq);
    return CLI_OK;
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
    cip_clv_read_params_default(&o.rp);
    int rc = parse_opts(argc - 1, argv + 1, ctx, &o);
    if (rc != CLI_OK)
        return rc;
    cli_progress_install(ctx, o.quiet);
    cip_clv_tx *tx = NULL;
    cip_clv_summary *s = NULL;
    cip_status st = cip_clv_tx_read(ctx, o.path, &o.rp, &tx);
    if (st == CIP_OK) {
        int32_t first, last;
        cip_clv_tx_range(tx, &first, &last);
        st = cip_clv_summary_new(ctx, tx, o.cal_end, o.have_hold ? o.hold_end : last, o.unit, &s);
    }
    if (st != CIP_OK)
        rc = cli_fail(ctx, st);
    else if (strcmp(sub, "summary") == 0)
        rc = do_summary(ctx, &o, tx, s);
    else if (strcmp(sub, "fit") == 0)
        rc = do_fit(ctx, &o, s);
    else if (strcmp(sub, "predict") == 0)
        rc = do_predict(ctx, &o, tx, s);
    else
        rc = do_evaluate(ctx, &o, s);
    cip_clv_summary_free(s);
    cip_clv_tx_free(tx);
    return rc;
}
