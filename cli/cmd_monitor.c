/* cmd_monitor.c - `cip monitor`: drift and performance decay of current data against a model
 * SPDX-License-Identifier: MIT
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cip/monitor.h"
#include "cip/registry.h"
#include "cip/track.h"
#include "commands.h"
#include "monitor_common.h"

const char cmd_monitor_help[] =
    "usage: cip monitor --model URI --current DATA [--reference DATA]\n"
    "                   [--write-reference] [--json] [--fail-on LEVEL]\n"
    "                   [--psi-warn X] [--psi-alert X] [--ks-warn X] [--max-decay X]\n"
    "                   [--bootstrap B] [--seed S] [--tracking-uri URI]\n"
    "                   [--experiment NAME] [--no-track] [--threads N] [-q]\n"
    "\n"
    "Compare a current customer table with the reference statistics stored with a\n"
    "model (reference.json in the bundle, written at training time) and report, per\n"
    "input column: PSI over the reference deciles, the Kolmogorov-Smirnov statistic\n"
    "and p-value, the Wasserstein-1 distance divided by the reference std (numeric);\n"
    "chi-square p-value and Jensen-Shannon divergence (categorical); missing-value\n"
    "and out-of-range / new-level rates. Also the drift of the model's predictions,\n"
    "and, when DATA has the target, the decay of the held-out metric (r2 for clv,\n"
    "roc_auc for churn) with a confidence interval. Levels come from effect sizes,\n"
    "not p-values: alert when PSI >= psi-alert; warning when PSI >= psi-warn, KS D >=\n"
    "ks-warn, JS >= 0.05, the missing rate grew by >= 0.05 or >= 5% of the values\n"
    "are out of range. Verdict: degraded (metric CI entirely below reference -\n"
    "max-decay), else drifting (any alert), else stable. Each run is logged to the\n"
    "tracking store (experiment cip-monitor) unless --no-track.\n"
    "\n"
    "Options:\n"
    "  -m, --model URI        bundle directory, models:/NAME@ALIAS,\n"
    "                         models:/NAME/VERSION or runs:/RUN_ID/model (required)\n"
    "  -c, --current DATA     CSV of the rows to check (required)\n"
    "  -r, --reference DATA   training CSV: compute the reference from it instead of\n"
    "                         reference.json (for bundles saved without one)\n"
    "      --write-reference  with --reference: also save it as the bundle's\n"
    "                         reference.json, so later runs need no training data\n"
    "      --json             print the report as JSON (schema in docs/MONITOR.md)\n"
    "      --fail-on LEVEL    exit 3 when any column/prediction is at LEVEL or worse:\n"
    "                         alert (also when degraded), warning, or degraded only\n"
    "                         (default: never)\n"
    "      --psi-warn X       PSI warning threshold (default 0.1)\n"
    "      --psi-alert X      PSI alert threshold (default 0.25)\n"
    "      --ks-warn X        KS statistic warning threshold (default 0.1)\n"
    "      --max-decay X      tolerated metric decay before degraded (default 0.05)\n"
    "      --bootstrap B      bootstrap replicates for the metric CI (default 200)\n"
    "      --seed S           bootstrap seed (default 42)\n"
    "      --tracking-uri URI tracking store (default $MLFLOW_TRACKING_URI, else\n"
    "                         sqlite:///mlflow.db)\n"
    "      --experiment NAME  experiment of the monitoring run (default cip-monitor)\n"
    "      --no-track         do not log a monitoring run\n"
    "      --threads N        worker threads (default: all cores)\n"
    "  -q, --quiet            no progress on stderr\n"
    "\n"
    "Examples:\n"
    "  cip train clv customers.csv -o clv_model\n"
    "  cip monitor --model clv_model --current this_month.csv\n"
    "  cip monitor --model models:/cip-churn@champion --current new.csv --json \\\n"
    "      --fail-on alert\n"
    "\n"
    "Exit status: 0 report printed, 1 unreadable model or data, 2 usage error,\n"
    "3 the --fail-on level was reached.\n";

struct mon_opts {
    const char *model, *current, *reference, *fail_on;
    int track, write_reference;
    struct mon_common co;
    cip_monitor_params p;
};

static int parse_num(const char *opt, const char *arg, double *out)
{
    if (!cli_parse_double(arg, out))
        return cli_usage_error("monitor", "%s needs a number, not '%s'", opt, arg);
    return CLI_OK;
}

static int parse_opts(int argc, char **argv, struct mon_opts *o)
{
    enum { O_FAIL = 256, O_PW, O_PA, O_KS, O_DECAY, O_BOOT, O_SEED, O_NT, O_WREF };
    static const struct option opts[] = {{"model", required_argument, NULL, 'm'},
                                         {"current", required_argument, NULL, 'c'},
                                         {"reference", required_argument, NULL, 'r'},
                                         {"fail-on", required_argument, NULL, O_FAIL},
                                         {"psi-warn", required_argument, NULL, O_PW},
                                         {"psi-alert", required_argument, NULL, O_PA},
                                         {"ks-warn", required_argument, NULL, O_KS},
                                         {"max-decay", required_argument, NULL, O_DECAY},
                                         {"bootstrap", required_argument, NULL, O_BOOT},
                                         {"seed", required_argument, NULL, O_SEED},
                                         {"no-track", no_argument, NULL, O_NT},
                                         {"write-reference", no_argument, NULL, O_WREF},
                                         MON_COMMON_LONG_OPTIONS,
                                         {NULL, 0, NULL, 0}};
    int c, rc = CLI_OK;
    uint64_t u;
    optind = 0;
    opterr = 0;
    while (rc == CLI_OK && (c = getopt_long(argc, argv, ":m:c:r:q", opts, NULL)) != -1) {
        switch (c) {
        case 'm':
            o->model = optarg;
            break;
        case 'c':
            o->current = optarg;
            break;
        case 'r':
            o->reference = optarg;
            break;
        case O_NT:
            o->track = 0;
            break;
        case O_WREF:
            o->write_reference = 1;
            break;
        case O_FAIL:
            if (strcmp(optarg, "alert") != 0 && strcmp(optarg, "warning") != 0 &&
                strcmp(optarg, "degraded") != 0)
                return cli_usage_error("monitor", "--fail-on must be alert, warning or degraded");
            o->fail_on = optarg;
            break;
        case O_PW:
            rc = parse_num("--psi-warn", optarg, &o->p.psi_warn);
            break;
        case O_PA:
            rc = parse_num("--psi-alert", optarg, &o->p.psi_alert);
            break;
        case O_KS:
            rc = parse_num("--ks-warn", optarg, &o->p.ks_warn);
            break;
        case O_DECAY:
            rc = parse_num("--max-decay", optarg, &o->p.max_decay);
            break;
        case O_BOOT:
            if (!cli_parse_u64(optarg, &u))
                return cli_usage_error("monitor", "--bootstrap needs a count, not '%s'", optarg);
            o->p.bootstrap = (size_t)u;
            break;
        case O_SEED:
            if (!cli_parse_u64(optarg, &o->p.seed))
                return cli_usage_error("monitor", "--seed needs an unsigned integer");
            break;
        default:
            rc = mon_common_opt("monitor", c, argv, &o->co);
            break;
        }
    }
    if (rc != CLI_OK)
        return rc;
    if (optind < argc)
        return cli_usage_error("monitor", "unexpected argument '%s'", argv[optind]);
    if (o->model == NULL)
        return cli_usage_error("monitor", "missing --model URI");
    if (o->current == NULL)
        return cli_usage_error("monitor", "missing --current DATA");
    if (o->write_reference && o->reference == NULL)
        return cli_usage_error("monitor", "--write-reference needs --reference DATA");
    return CLI_OK;
}

static int is_uri(const char *s)
{
    return strncmp(s, "models:/", 8) == 0 || strncmp(s, "runs:/", 6) == 0;
}

/* Metric key safe for the store: letters, digits and _-./ kept, others -> '_'. */
static void key_of(char *buf, size_t size, const char *prefix, const char *name)
{
    snprintf(buf, size, "%s%s", prefix, name);
    for (char *p = buf; *p != '\0'; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              strchr("_-./", *p) != NULL))
            *p = '_';
}

static cip_status log_feature(cip_ctx *ctx, cip_run *run, const cip_drift_feature *d,
                              const char *name)
{
    char k[300];
    cip_status rc = CIP_OK;
    struct {
        const char *pre;
        double v;
    } m[] = {{"psi_", d->psi},
             {"ks_", d->ks},
             {"wasserstein_effect_", d->wasserstein_effect},
             {"js_", d->js}};
    for (size_t i = 0; rc == CIP_OK && i < sizeof m / sizeof m[0]; i++) {
        if (m[i].v != m[i].v) /* NaN: not applicable */
            continue;
        key_of(k, sizeof k, m[i].pre, name);
        rc = cip_run_log_metric(ctx, run, k, m[i].v, 0);
    }
    return rc;
}

static cip_status track_run(cip_ctx *ctx, cip_store *s, const struct mon_opts *o,
                            const cip_monitor_report *r, const char *json)
{
    cip_run_params rp;
    cip_run_params_default(&rp);
    rp.experiment = o->co.experiment != NULL ? o->co.experiment : "cip-monitor";
    cip_run *run = NULL;
    cip_status rc = cip_run_start(ctx, s, &rp, &run);
    if (rc == CIP_OK)
        rc = cip_run_log_param(ctx, run, "model_uri", o->model);
    if (rc == CIP_OK)
        rc = cip_run_log_param(ctx, run, "current_data", o->current);
    if (rc == CIP_OK && o->reference != NULL)
        rc = cip_run_log_param(ctx, run, "reference_data", o->reference);
    if (rc == CIP_OK)
        rc = cip_run_set_tag(ctx, run, "cip.monitor", "1");
    if (rc == CIP_OK)
        rc = cip_run_set_tag(ctx, run, "cip.verdict", cip_monitor_verdict_name(r->verdict));
    if (rc == CIP_OK)
        rc = cip_run_log_metric(ctx, run, "n_alert", (double)r->n_alert, 0);
    if (rc == CIP_OK)
        rc = cip_run_log_metric(ctx, run, "n_warning", (double)r->n_warning, 0);
    if (rc == CIP_OK)
        rc = cip_run_log_metric(ctx, run, "n_rows", (double)r->n_cur, 0);
    for (size_t k = 0; rc == CIP_OK && k < r->n_features; k++)
        rc = log_feature(ctx, run, &r->features[k], r->features[k].name);
    if (rc == CIP_OK && r->has_prediction)
        rc = log_feature(ctx, run, &r->prediction, "prediction");
    if (rc == CIP_OK && r->perf.available) {
        char k[64];
        snprintf(k, sizeof k, "current_%s", r->perf.metric);
        rc = cip_run_log_metric(ctx, run, k, r->perf.current, 0);
        if (rc == CIP_OK)
            rc = cip_run_log_metric(ctx, run, "decay", r->perf.decay, 0);
    }
    if (rc == CIP_OK)
        rc = cip_run_log_text(ctx, run, "monitor.json", json, strlen(json));
    if (run != NULL)
        cip_run_end(ctx, run, rc == CIP_OK ? CIP_RUN_FINISHED : CIP_RUN_FAILED);
    if (rc == CIP_OK && !o->co.quiet)
        fprintf(stderr, "cip monitor: logged run %s\n", cip_run_id(run));
    cip_run_free(run);
    return rc;
}

static int exit_for(const struct mon_opts *o, const cip_monitor_report *r)
{
    if (o->fail_on == NULL)
        return CLI_OK;
    int hit = strcmp(o->fail_on, "degraded") == 0 ? r->verdict == CIP_VERDICT_DEGRADED
              : strcmp(o->fail_on, "warning") == 0
                  ? r->n_alert + r->n_warning > 0 || r->verdict != CIP_VERDICT_STABLE
                  : r->n_alert > 0 || r->verdict != CIP_VERDICT_STABLE;
    return hit ? 3 : CLI_OK;
}

static int run(cip_ctx *ctx, const struct mon_opts *o)
{
    cip_store *s = NULL;
    char *dir = NULL, *text = NULL, *json = NULL;
    cip_frame *cur = NULL, *ref = NULL;
    cip_monitor_report *r = NULL;
    cip_refstats *rs = NULL;
    double *score = NULL, *y = NULL;
    cip_status rc = CIP_OK;
    int code = CLI_FAIL;
    if (o->track || is_uri(o->model)) {
        rc = cip_store_open(ctx, cip_store_resolve_uri(o->co.tracking_uri), NULL, &s);
        if (rc != CIP_OK && !is_uri(o->model)) { /* tracking is best effort for a plain dir */
            fprintf(stderr, "cip monitor: warning: not tracked: %s\n", cip_ctx_errmsg(ctx));
            cip_ctx_clear_error(ctx);
            rc = CIP_OK;
        }
    }
    if (rc == CIP_OK && is_uri(o->model))
        rc = cip_registry_resolve(ctx, s, o->model, &dir);
    if (rc == CIP_OK)
        rc = cip_frame_read_csv(ctx, o->current, NULL, &cur);
    if (rc == CIP_OK && o->reference != NULL)
        rc = cip_frame_read_csv(ctx, o->reference, NULL, &ref);
    const char *mdir = dir != NULL ? dir : o->model;
    if (rc == CIP_OK)
        rc = cip_monitor_reference_load(ctx, mdir, ref, &rs);
    if (rc == CIP_OK && o->write_reference) {
        char path[4096];
        snprintf(path, sizeof path, "%s/reference.json", mdir);
        rc = cip_refstats_save(ctx, rs, path);
        if (rc == CIP_OK && !o->co.quiet)
            fprintf(stderr, "cip monitor: wrote %s\n", path);
    }
    if (rc == CIP_OK)
        rc = cip_monitor_score(ctx, mdir, cur, NULL, &score, &y);
    if (rc == CIP_OK)
        rc = cip_monitor_compare(ctx, rs, cur, score, y, cip_frame_n_rows(cur), &o->p, &r);
    if (rc == CIP_OK)
        rc = cip_monitor_report_json(ctx, r, &json);
    if (rc == CIP_OK && !o->co.json)
        rc = cip_monitor_report_text(ctx, r, &text);
    if (rc != CIP_OK) {
        code = cli_fail(ctx, rc);
        goto done;
    }
    fputs(o->co.json ? json : text, stdout);
    fflush(stdout);
    if (o->track && s != NULL && track_run(ctx, s, o, r, json) != CIP_OK) {
        fprintf(stderr, "cip monitor: warning: tracking failed: %s\n", cip_ctx_errmsg(ctx));
        cip_ctx_clear_error(ctx);
    }
    code = exit_for(o, r);
done:
    cip_free(ctx, text);
    cip_free(ctx, json);
    cip_free(ctx, dir);
    cip_monitor_report_free(r);
    cip_refstats_free(rs);
    cip_free(ctx, score);
    cip_free(ctx, y);
    cip_frame_free(cur);
    cip_frame_free(ref);
    cip_store_close(s);
    return code;
}

int cmd_monitor(int argc, char **argv, cip_ctx *ctx)
{
    struct mon_opts o;
    memset(&o, 0, sizeof o);
    o.track = 1;
    mon_common_init(&o.co);
    cip_monitor_params_default(&o.p);
    int rc = parse_opts(argc, argv, &o);
    if (rc != CLI_OK)
        return rc;
    if (cip_monitor_params_check(ctx, &o.p) != CIP_OK)
        return cli_usage_error("monitor", "%s", cip_ctx_errmsg(ctx));
    mon_common_apply(ctx, &o.co);
    return run(ctx, &o);
}
