/* cmd_retrain.c - `cip retrain`: champion/challenger retraining under a policy
 * SPDX-License-Identifier: MIT
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cip/monitor.h"
#include "cip/registry.h"
#include "cip/rng.h"
#include "cip/runlog.h"
#include "cip/track.h"
#include "commands.h"
#include "monitor_common.h"

const char cmd_retrain_help[] =
    "usage: cip retrain --model NAME --data DATA [--policy FILE] [--tracking-uri URI]\n"
    "                   [--experiment NAME] [--json] [--threads N] [-q]\n"
    "\n"
    "Retrain the registered model NAME (its 'champion' alias) on new data when the\n"
    "policy's trigger fires, and move the champion alias only when the challenger\n"
    "is significantly better. Steps: (1) trigger: drift = `cip monitor` of the new\n"
    "data finds a column or the predictions at alert level (PSI >= psi_alert) or\n"
    "degraded performance; decay = the performance is degraded (needs the target);\n"
    "always. (2) Split the new data (seeded, test_size held out). (3) Train the\n"
    "challenger with the champion's configuration (task, model columns, chosen\n"
    "hyper-parameters from its manifest; churn labels use the champion's label\n"
    "threshold so both models answer the same question) on the training part.\n"
    "(4) Score champion and challenger on the same held-out rows; paired bootstrap\n"
    "of the metric difference (B replicates, seeded, deterministic) and, for\n"
    "roc_auc, DeLong's test. (5) Promote when difference > min_improvement and the\n"
    "one-sided bootstrap p-value (and DeLong's, for AUC) < alpha. The challenger\n"
    "is always logged and registered as a new version (alias 'challenger'); the\n"
    "comparison is logged in its run.\n"
    "\n"
    "Policy file: 'key = value' lines ('#' comments) or a flat JSON object:\n"
    "  trigger = drift          drift | decay | always (default drift)\n"
    "  psi_alert = 0.25         PSI alert threshold for the drift trigger\n"
    "  min_improvement = 0      required gain in metric units (rmse/mae: decrease)\n"
    "  alpha = 0.05             significance level\n"
    "  metric = r2              r2, rmse, mae (clv); roc_auc, f1, accuracy (churn);\n"
    "                           default r2 for clv, roc_auc for churn\n"
    "  bootstrap = 1000         paired bootstrap replicates\n"
    "  seed = 42                split and bootstrap seed\n"
    "  test_size = 0.2          held-out share of DATA\n"
    "\n"
    "Options:\n"
    "  -m, --model NAME         registered model name (models:/NAME@champion), or a\n"
    "                           models:/ URI (required)\n"
    "  -d, --data DATA          CSV of new labelled rows (required)\n"
    "  -p, --policy FILE        policy file (default: the defaults above)\n"
    "      --tracking-uri URI   tracking store (default $MLFLOW_TRACKING_URI, else\n"
    "                           sqlite:///mlflow.db)\n"
    "      --experiment NAME    experiment of the challenger's run (default\n"
    "                           cip-retrain)\n"
    "      --json               print the decision as JSON\n"
    "      --threads N          worker threads (default: all cores)\n"
    "  -q, --quiet              no progress on stderr\n"
    "\n"
    "Examples:\n"
    "  cip retrain --model cip-clv --data new_customers.csv\n"
    "  printf 'trigger = always\\nmin_improvement = 0.01\\n' > policy.txt\n"
    "  cip retrain --model cip-churn --data new.csv --policy policy.txt --json\n"
    "\n"
    "Exit status: 0 decision made (promoted, kept or not triggered), 1 failure,\n"
    "2 usage error.\n";

struct rt_opts {
    const char *model, *data, *policy;
    struct mon_common co;
};

struct rt_state {
    cip_store *s;
    char *champ_dir, uri[512], tmpdir[4096], metric[32], run_id[33];
    cip_frame *data, *train, *held;
    cip_retrain_policy pol;
    cip_model_info info;
    cip_monitor_report *rep;
    cip_train_result *res;
    double *s_all, *y_all, *s1, *y1, *s2;
    int64_t version;
    int triggered, promoted;
    cip_paired_result cmp;
};

static int parse_opts(int argc, char **argv, struct rt_opts *o)
{
    static const struct option opts[] = {{"model", required_argument, NULL, 'm'},
                                         {"data", required_argument, NULL, 'd'},
                                         {"policy", required_argument, NULL, 'p'},
                                         MON_COMMON_LONG_OPTIONS,
                                         {NULL, 0, NULL, 0}};
    int c, rc = CLI_OK;
    optind = 0;
    opterr = 0;
    while (rc == CLI_OK && (c = getopt_long(argc, argv, ":m:d:p:q", opts, NULL)) != -1) {
        switch (c) {
        case 'm':
            o->model = optarg;
            break;
        case 'd':
            o->data = optarg;
            break;
        case 'p':
            o->policy = optarg;
            break;
        default:
            rc = mon_common_opt("retrain", c, argv, &o->co);
            break;
        }
    }
    if (rc != CLI_OK)
        return rc;
    if (optind < argc)
        return cli_usage_error("retrain", "unexpected argument '%s'", argv[optind]);
    if (o->model == NULL)
        return cli_usage_error("retrain", "missing --model NAME");
    if (o->data == NULL)
        return cli_usage_error("retrain", "missing --data DATA");
    return CLI_OK;
}

static cip_status read_policy(cip_ctx *ctx, const char *path, cip_retrain_policy *pol)
{
    cip_retrain_policy_default(pol);
    if (path == NULL)
        return CIP_OK;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cip: error: cannot open policy '%s'\n", path);
        return CIP_ERR_IO;
    }
    char buf[65536];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return cip_retrain_policy_parse(ctx, path, buf, n, pol);
}

/* Registered name of the model argument (NAME or models:/NAME@alias / models:/NAME/v). */
static void model_name(const char *model, char *name, size_t size)
{
    const char *s = strncmp(model, "models:/", 8) == 0 ? model + 8 : model;
    size_t len = strcspn(s, "@/");
    snprintf(name, size, "%.*s", (int)len, s);
}

static cip_status check_trigger(cip_ctx *ctx, struct rt_state *st)
{
    if (st->pol.trigger == CIP_TRIGGER_ALWAYS) {
        st->triggered = 1;
        return CIP_OK;
    }
    cip_monitor_params mp;
    cip_monitor_params_default(&mp);
    mp.psi_alert = st->pol.psi_alert;
    if (mp.psi_warn > mp.psi_alert)
        mp.psi_warn = mp.psi_alert;
    cip_status rc = cip_monitor_run(ctx, st->champ_dir, st->data, NULL, &mp, &st->rep);
    if (rc != CIP_OK)
        return rc;
    st->triggered = st->pol.trigger == CIP_TRIGGER_DECAY ? st->rep->verdict == CIP_VERDICT_DEGRADED
                                                         : st->rep->verdict != CIP_VERDICT_STABLE;
    return CIP_OK;
}

/* Seeded split of the data into train and held-out frames. */
static cip_status split(cip_ctx *ctx, struct rt_state *st)
{
    size_t n = cip_frame_n_rows(st->data);
    size_t nh = (size_t)llround((double)n * st->pol.test_size);
    if (nh < 2 || n - nh < 2) {
        fprintf(stderr, "cip: error: %zu rows are too few to split\n", n);
        return CIP_ERR_INVALID;
    }
    size_t *idx = malloc(n * sizeof *idx);
    if (idx == NULL)
        return CIP_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    cip_rng r;
    cip_rng_init(&r, st->pol.seed, 0);
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = (size_t)cip_rng_below(&r, i + 1), t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
    cip_status rc = cip_frame_take_rows(ctx, st->data, idx, nh, &st->held);
    if (rc == CIP_OK)
        rc = cip_frame_take_rows(ctx, st->data, idx + nh, n - nh, &st->train);
    free(idx);
    return rc;
}

/* Churn: the champion's labels as a 0/1 column "churn" (the challenger's target). */
static cip_status add_churn_label(cip_ctx *ctx, struct rt_state *st)
{
    size_t n = cip_frame_n_rows(st->data);
    int64_t *v = malloc((n ? n : 1) * sizeof *v);
    uint8_t *miss = calloc((n + 7) / 8 + 1, 1);
    int any = 0;
    if (v == NULL || miss == NULL) {
        free(v);
        free(miss);
        return CIP_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        v[i] = isnan(st->y_all[i]) ? 0 : (int64_t)st->y_all[i];
        if (isnan(st->y_all[i])) {
            miss[i / 8] |= (uint8_t)(1u << (i % 8));
            any = 1;
        }
    }
    cip_status rc = cip_frame_add_i64(ctx, st->data, "churn", v, any ? miss : NULL);
    free(v);
    free(miss);
    return rc;
}

/* Feature list of the champion; one-hot columns "col=level" give back "col" (once), which
 * training encodes again from the new data's levels. */
static const char **split_features(char *list, size_t *n)
{
    *n = 0;
    if (list[0] == '\0')
        return NULL;
    size_t cap = 1;
    for (const char *p = list; *p; p++)
        cap += *p == ',';
    const char **f = malloc(cap * sizeof *f);
    if (f == NULL)
        return NULL;
    for (char *tok = list, *next; tok != NULL; tok = next) {
        next = strchr(tok, ',');
        if (next != NULL)
            *next++ = '\0';
        char *eq = strchr(tok, '=');
        if (eq != NULL)
            *eq = '\0';
        size_t k = 0;
        while (k < *n && strcmp(f[k], tok) != 0)
            k++;
        if (k == *n)
            f[(*n)++] = tok;
    }
    return f;
}

static cip_status train_challenger(cip_ctx *ctx, struct rt_state *st, cip_train_params *tp,
                                   const char ***feats)
{
    cip_train_params_default(tp);
    tp->task = st->info.task;
    tp->target = st->info.task == CIP_TRAIN_CLV && st->info.target[0] ? st->info.target : NULL;
    tp->grid = st->info.best_params[0] ? st->info.best_params : NULL;
    tp->cv = 0;
    tp->test_size = 0;
    tp->seed = st->pol.seed;
    *feats = split_features(st->info.features, &tp->n_features);
    tp->features = *feats;
    if (tp->features == NULL)
        tp->n_features = 0;
    cip_status rc = cip_train_run(ctx, st->train, tp, &st->res);
    if (rc != CIP_OK)
        return rc;
    const char *tmp = getenv("TMPDIR");
    snprintf(st->tmpdir, sizeof st->tmpdir, "%s/cip-retrain-XXXXXX",
             tmp != NULL && tmp[0] ? tmp : "/tmp");
    if (mkdtemp(st->tmpdir) == NULL) {
        st->tmpdir[0] = '\0';
        fprintf(stderr, "cip: error: cannot create a temporary directory\n");
        return CIP_ERR_IO;
    }
    rc = cip_train_save_bundle(ctx, st->res, st->tmpdir);
    if (rc == CIP_OK)
        rc = cip_monitor_save_reference(ctx, st->res, st->train, st->tmpdir);
    return rc;
}

static void remove_tmp(const char *dir)
{
    static const char *const names[] = {"manifest.json", "model.forest", "model.kmeans",
                                        "featpipe.txt", "reference.json"};
    char path[4200];
    if (dir[0] == '\0')
        return;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        (void)unlink(path);
    }
    (void)rmdir(dir);
}

static cip_status copy_file(const char *src, const char *dst)
{
    FILE *in = fopen(src, "rb"), *out = in != NULL ? fopen(dst, "wb") : NULL;
    char buf[65536];
    size_t n;
    int ok = in != NULL && out != NULL;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
        ok = fwrite(buf, 1, n, out) == n;
    if (in != NULL)
        fclose(in);
    if (out != NULL && fclose(out) != 0)
        ok = 0;
    return ok ? CIP_OK : CIP_ERR_IO;
}

/* Log the challenger (registered, alias challenger) and the comparison. */
static cip_status log_all(cip_ctx *ctx, struct rt_state *st, const struct rt_opts *o,
                          const char *name, const cip_train_params *tp)
{
    cip_runlog_params rp;
    cip_runlog_params_default(&rp);
    rp.experiment = o->co.experiment != NULL ? o->co.experiment : "cip-retrain";
    rp.data_path = o->data;
    rp.register_name = name;
    rp.set_alias = 1;
    rp.train = tp;
    cip_status rc = cip_runlog_train(ctx, st->s, st->res, st->train, &rp, st->run_id, &st->version);
    char uri[600], *dir = NULL, src[4200], dst[4200];
    snprintf(uri, sizeof uri, "models:/%s/%lld", name, (long long)st->version);
    if (rc == CIP_OK)
        rc = cip_registry_resolve(ctx, st->s, uri, &dir);
    if (rc == CIP_OK) { /* monitoring of the new version needs its reference statistics */
        snprintf(src, sizeof src, "%s/reference.json", st->tmpdir);
        snprintf(dst, sizeof dst, "%s/reference.json", dir);
        if (access(dst, F_OK) != 0 && copy_file(src, dst) != CIP_OK)
            fprintf(stderr, "cip retrain: warning: could not copy reference.json to %s\n", dir);
    }
    cip_free(ctx, dir);
    cip_run *run = NULL;
    if (rc == CIP_OK)
        rc = cip_run_attach(ctx, st->s, st->run_id, &run);
    const cip_paired_result *c = &st->cmp;
    char k[80];
    struct {
        const char *key;
        double v;
    } m[] = {{"champion_", c->champion}, {"challenger_", c->challenger},
             {"diff_", c->diff},         {"diff_ci_lo_", c->ci_lo},
             {"diff_ci_hi_", c->ci_hi},  {"bootstrap_p_", c->p_value},
             {"delong_z_", c->delong_z}, {"delong_p_", c->delong_p}};
    for (size_t i = 0; rc == CIP_OK && i < sizeof m / sizeof m[0]; i++) {
        if (isnan(m[i].v))
            continue;
        snprintf(k, sizeof k, "retrain_%s%s", m[i].key, c->metric);
        rc = cip_run_log_metric(ctx, run, k, m[i].v, 0);
    }
    if (rc == CIP_OK)
        rc = cip_run_set_tag(ctx, run, "cip.retrain.decision", st->promoted ? "promoted" : "kept");
    if (rc == CIP_OK)
        rc = cip_run_set_tag(ctx, run, "cip.retrain.champion", st->uri);
    if (rc == CIP_OK)
        rc = cip_run_set_tag(ctx, run, "cip.retrain.trigger",
                             cip_retrain_trigger_name(st->pol.trigger));
    cip_run_free(run);
    if (rc == CIP_OK && st->promoted)
        rc = cip_registry_set_alias(ctx, st->s, name, "champion", st->version);
    return rc;
}

static void print_decision(const struct rt_state *st, const struct rt_opts *o, const char *name)
{
    const cip_paired_result *c = &st->cmp;
    if (o->co.json) {
        printf("{\"model\":\"%s\",\"trigger\":\"%s\",\"triggered\":%s", name,
               cip_retrain_trigger_name(st->pol.trigger), st->triggered ? "true" : "false");
        if (st->rep != NULL)
            printf(",\"monitor_verdict\":\"%s\"", cip_monitor_verdict_name(st->rep->verdict));
        if (!st->triggered) {
            printf(",\"decision\":\"not-triggered\"}\n");
            return;
        }
        printf(",\"decision\":\"%s\",\"version\":%lld,\"run_id\":\"%s\",\"metric\":\"%s\","
               "\"champion\":%.17g,\"challenger\":%.17g,\"diff\":%.17g,\"ci\":[%.17g,%.17g],"
               "\"p_value\":%.17g,\"bootstrap\":%zu",
               st->promoted ? "promoted" : "kept", (long long)st->version, st->run_id, c->metric,
               c->champion, c->challenger, c->diff, c->ci_lo, c->ci_hi, c->p_value, c->bootstrap);
        if (!isnan(c->delong_z))
            printf(",\"delong_z\":%.17g,\"delong_p\":%.17g", c->delong_z, c->delong_p);
        printf(",\"min_improvement\":%.17g,\"alpha\":%.17g}\n", st->pol.min_improvement,
               st->pol.alpha);
        return;
    }
    printf("trigger: %s", cip_retrain_trigger_name(st->pol.trigger));
    if (st->rep != NULL)
        printf(" (monitor verdict %s, %zu alerts)", cip_monitor_verdict_name(st->rep->verdict),
               st->rep->n_alert);
    if (!st->triggered) {
        printf(" -> not triggered; champion %s kept, nothing trained\n", st->uri);
        return;
    }
    printf(" -> retrained\n");
    printf("held-out rows: %zu (test_size %.2f, seed %llu)\n", cip_frame_n_rows(st->held),
           st->pol.test_size, (unsigned long long)st->pol.seed);
    printf("champion   %-28s %s %.6f\n", st->uri, c->metric, c->champion);
    printf("challenger %-28s %s %.6f\n", "(new version)", c->metric, c->challenger);
    printf("difference %+.6f (better > 0), %.0f%% CI [%+.6f, %+.6f], bootstrap p %.4g "
           "(B=%zu)\n",
           c->diff, 100 * (1 - st->pol.alpha), c->ci_lo, c->ci_hi, c->p_value, c->bootstrap);
    if (!isnan(c->delong_z))
        printf("DeLong z %.3f, one-sided p %.4g\n", c->delong_z, c->delong_p);
    printf("decision: %s: challenger registered as %s version %lld (run %s)%s\n",
           st->promoted ? "PROMOTED" : "kept champion", name, (long long)st->version, st->run_id,
           st->promoted ? "; alias champion moved to it" : "");
    if (!st->promoted)
        printf("reason: needs diff > %g and p < %g%s\n", st->pol.min_improvement, st->pol.alpha,
               isnan(c->delong_z) ? "" : " (bootstrap and DeLong)");
}

static cip_status retrain(cip_ctx *ctx, struct rt_state *st, const struct rt_opts *o,
                          const char *name)
{
    cip_train_params tp;
    const char **feats = NULL;
    cip_status rc = cip_monitor_score(ctx, st->champ_dir, st->data, NULL, &st->s_all, &st->y_all);
    if (rc == CIP_OK && st->info.task == CIP_TRAIN_CHURN)
        rc = add_churn_label(ctx, st);
    if (rc == CIP_OK)
        rc = split(ctx, st);
    if (rc == CIP_OK)
        rc = train_challenger(ctx, st, &tp, &feats);
    size_t nh = st->held != NULL ? cip_frame_n_rows(st->held) : 0;
    if (rc == CIP_OK)
        rc = cip_monitor_score(ctx, st->champ_dir, st->held, NULL, &st->s1, &st->y1);
    if (rc == CIP_OK)
        rc = cip_monitor_score(ctx, st->tmpdir, st->held, NULL, &st->s2, NULL);
    if (rc == CIP_OK)
        rc = cip_paired_compare(ctx, st->metric, st->y1, st->s1, st->s2, nh, st->pol.bootstrap,
                                st->pol.seed, st->pol.alpha, &st->cmp);
    if (rc == CIP_OK) {
        const cip_paired_result *c = &st->cmp;
        st->promoted = c->diff > st->pol.min_improvement && c->p_value < st->pol.alpha &&
                       (isnan(c->delong_p) || c->delong_p < st->pol.alpha);
        rc = log_all(ctx, st, o, name, &tp);
    }
    free(feats);
    return rc;
}

static int run(cip_ctx *ctx, const struct rt_opts *o)
{
    struct rt_state st;
    memset(&st, 0, sizeof st);
    char name[256];
    model_name(o->model, name, sizeof name);
    if (strncmp(o->model, "models:/", 8) == 0)
        snprintf(st.uri, sizeof st.uri, "%s", o->model);
    else
        snprintf(st.uri, sizeof st.uri, "models:/%s@champion", o->model);
    cip_status rc = read_policy(ctx, o->policy, &st.pol);
    if (rc == CIP_OK)
        rc = cip_store_open(ctx, cip_store_resolve_uri(o->co.tracking_uri), NULL, &st.s);
    if (rc == CIP_OK)
        rc = cip_registry_resolve(ctx, st.s, st.uri, &st.champ_dir);
    if (rc == CIP_OK)
        rc = cip_monitor_model_info(ctx, st.champ_dir, &st.info);
    if (rc == CIP_OK && st.info.task == CIP_TRAIN_SEGMENTS) {
        fprintf(stderr,
                "cip: error: '%s' is a segments model: no held-out metric to compare "
                "(retrain it with cip train)\n",
                name);
        rc = CIP_ERR_INVALID;
    }
    snprintf(st.metric, sizeof st.metric, "%s",
             st.pol.metric[0]                  ? st.pol.metric
             : st.info.task == CIP_TRAIN_CHURN ? "roc_auc"
                                               : "r2");
    if (rc == CIP_OK)
        rc = cip_frame_read_csv(ctx, o->data, NULL, &st.data);
    if (rc == CIP_OK)
        rc = check_trigger(ctx, &st);
    if (rc == CIP_OK && st.triggered)
        rc = retrain(ctx, &st, o, name);
    int code = CLI_OK;
    if (rc == CIP_OK)
        print_decision(&st, o, name);
    else
        code = cip_ctx_errmsg(ctx)[0] ? cli_fail(ctx, rc) : CLI_FAIL;
    remove_tmp(st.tmpdir);
    cip_free(ctx, st.champ_dir);
    cip_free(ctx, st.s_all);
    cip_free(ctx, st.y_all);
    cip_free(ctx, st.s1);
    cip_free(ctx, st.y1);
    cip_free(ctx, st.s2);
    cip_monitor_report_free(st.rep);
    cip_train_result_free(st.res);
    cip_frame_free(st.data);
    cip_frame_free(st.train);
    cip_frame_free(st.held);
    cip_store_close(st.s);
    return code;
}

int cmd_retrain(int argc, char **argv, cip_ctx *ctx)
{
    struct rt_opts o;
    memset(&o, 0, sizeof o);
    mon_common_init(&o.co);
    int rc = parse_opts(argc, argv, &o);
    if (rc != CLI_OK)
        return rc;
    mon_common_apply(ctx, &o.co);
    return run(ctx, &o);
}
