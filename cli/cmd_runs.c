/* cmd_runs.c - `cip runs`: list, show, compare, delete, restore and gc runs
 * in an MLflow-compatible tracking store
 * SPDX-License-Identifier: MIT
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cip/track.h"
#include "commands.h"
#include "runs_reproduce.h"

const char cmd_runs_help[] =
    "usage: cip runs list [--experiment E] [--filter F] [--order-by O] [--max N]\n"
    "                     [--deleted] [--json] [--tracking-uri URI]\n"
    "       cip runs show RUN [--json] [--tracking-uri URI]\n"
    "       cip runs compare RUN RUN... [--json] [--tracking-uri URI]\n"
    "       cip runs delete|restore RUN [--tracking-uri URI]\n"
    "       cip runs gc --mark-failed-older-than AGE [--tracking-uri URI]\n"
    "       cip runs import MLRUNS_DIR [--tracking-uri URI]\n"
    "       cip runs export --to DIR [--experiment E] [--filter F] [--tracking-uri URI]\n"
    "       cip runs reproduce RUN [--tracking-uri URI]\n"
    "\n"
    "Inspect and manage runs in a tracking store that MLflow reads (`mlflow ui\n"
    "--backend-store-uri sqlite:///mlflow.db`). RUN is a 32-hex run id or a\n"
    "unique prefix of at least 8 characters.\n"
    "\n"
    "Subcommands:\n"
    "  list      runs, newest first, as a table (run id, name, experiment, status,\n"
    "            start time in UTC, up to 3 metrics) or JSON\n"
    "  show      one run: attributes, params, latest metrics, tags\n"
    "  compare   params and metrics of several runs side by side\n"
    "  delete    mark a run deleted (MLflow's soft delete; `restore` undoes it)\n"
    "  gc        mark RUNNING runs started more than AGE ago as FAILED (their\n"
    "            process died); AGE is N followed by ms, s, m, h or d (e.g. 1h)\n"
    "  import    copy the experiments, runs (params, metrics, tags) and logged models\n"
    "            of a legacy MLflow file store (mlruns/) into the store; runs keep\n"
    "            their ids, runs already present are skipped, artifact URIs point at\n"
    "            MLRUNS_DIR (which is only read)\n"
    "  export    write the selected runs (default: all active runs) as a legacy MLflow\n"
    "            file store under DIR, for MLFLOW_ALLOW_FILE_STORE=true readers;\n"
    "            artifact files are not copied (their URIs keep pointing here)\n"
    "  reproduce re-execute the run's recorded command (tag cip.command) with this\n"
    "            binary, in the recorded directory, into a temporary directory, after\n"
    "            checking the data file's SHA-256 (refused when it changed); then\n"
    "            compare the new model files with the logged ones (the run's model\n"
    "            and its child runs' models, e.g. of cip pipeline). Exit 0 when all\n"
    "            are byte-identical, 1 when any differs\n"
    "\n"
    "Options:\n"
    "      --tracking-uri URI  store to use (default: $MLFLOW_TRACKING_URI, else\n"
    "                          sqlite:///mlflow.db in the working directory)\n"
    "      --experiment E      only runs of experiment E (name or id; default: all)\n"
    "      --filter F          MLflow search syntax: clauses joined by AND, e.g.\n"
    "                          \"metrics.test_r2 > 0.8 and params.model = 'rf'\";\n"
    "                          metrics.K, params.K, tags.K, attributes.status|\n"
    "                          run_name|run_id|user_id|start_time|end_time; ops =,\n"
    "                          !=, <, <=, >, >=, LIKE, ILIKE; keys with spaces in `...`\n"
    "      --order-by O        comma-separated terms such as \"metrics.test_r2 DESC\"\n"
    "                          (default: attributes.start_time DESC)\n"
    "      --max N             at most N runs, N >= 1 (default 1000)\n"
    "      --deleted           list deleted runs instead of active ones\n"
    "      --json              JSON with MLflow's field names: run_id, run_name,\n"
    "                          experiment_id, status, lifecycle_stage, user_id,\n"
    "                          artifact_uri, start_time, end_time (epoch ms),\n"
    "                          params, metrics (latest values; NaN as null), tags\n"
    "      --mark-failed-older-than AGE   (gc) age threshold, required\n"
    "      --to DIR            (export) the file store directory, required\n"
    "\n"
    "Examples:\n"
    "  cip runs list --experiment churn --filter \"metrics.auc > 0.8\" --max 10\n"
    "  cip runs show 3f2a9c1b --json\n"
    "  cip runs compare 3f2a9c1b 77d0e5aa\n"
    "  cip runs gc --mark-failed-older-than 1h\n"
    "  cip runs import ./mlruns --tracking-uri sqlite:///mlflow.db\n"
    "  cip runs reproduce 3f2a9c1b\n"
    "\n"
    "Exit status: 0 success, 1 store or lookup failure (unknown run, bad filter,\n"
    "not an MLflow database), 2 usage error.\n";

enum {
    OPT_URI = 1000,
    OPT_EXP,
    OPT_FILTER,
    OPT_ORDER,
    OPT_MAX,
    OPT_DELETED,
    OPT_JSON,
    OPT_GC,
    OPT_TO
};

struct runs_opts {
    const char *uri;
    cip_run_query q;
    int json;
    const char *gc_age;
    const char *to; /* export directory */
};

static int parse_opts(int argc, char **argv, struct runs_opts *o)
{
    static const struct option longs[] = {
        {"tracking-uri", required_argument, NULL, OPT_URI},
        {"experiment", required_argument, NULL, OPT_EXP},
        {"filter", required_argument, NULL, OPT_FILTER},
        {"order-by", required_argument, NULL, OPT_ORDER},
        {"max", required_argument, NULL, OPT_MAX},
        {"deleted", no_argument, NULL, OPT_DELETED},
        {"json", no_argument, NULL, OPT_JSON},
        {"mark-failed-older-than", required_argument, NULL, OPT_GC},
        {"to", required_argument, NULL, OPT_TO},
        {NULL, 0, NULL, 0}};
    int c;
    int64_t n;
    optind = 0;
    while ((c = getopt_long(argc, argv, "+", longs, NULL)) != -1) {
        switch (c) {
        case OPT_URI:
            o->uri = optarg;
            break;
        case OPT_EXP:
            o->q.experiment = optarg;
            break;
        case OPT_FILTER:
            o->q.filter = optarg;
            break;
        case OPT_ORDER:
            o->q.order_by = optarg;
            break;
        case OPT_MAX:
            if (!cli_parse_i64(optarg, &n) || n < 1)
                return cli_usage_error("runs", "--max needs an integer >= 1, not '%s'", optarg);
            o->q.max_results = n;
            break;
        case OPT_DELETED:
            o->q.deleted = 1;
            break;
        case OPT_JSON:
            o->json = 1;
            break;
        case OPT_TO:
            o->to = optarg;
            break;
        case OPT_GC:
            o->gc_age = optarg;
            break;
        default:
            return cli_usage_error("runs", "unknown option '%s'", argv[optind - 1]);
        }
    }
    return CLI_OK;
}

static void fmt_time(int64_t ms, char *buf, size_t n)
{
    if (ms < 0) {
        snprintf(buf, n, "-");
        return;
    }
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%d %H:%M:%S", &tm);
}

static void print_run_row(const cip_run_record *r)
{
    char start[32], metrics[128] = "";
    fmt_time(r->start_time, start, sizeof start);
    for (size_t i = 0; i < r->n_metrics && i < 3; i++) {
        size_t len = strlen(metrics);
        snprintf(metrics + len, sizeof metrics - len, "%s%s=%.4g", i ? " " : "", r->metrics[i].key,
                 r->metrics[i].value);
    }
    printf("%-32s  %-20.20s %5lld  %-8s  %-19s  %s\n", r->run_id, r->run_name ? r->run_name : "",
           (long long)r->experiment_id, r->status, start, metrics);
}

static void print_run_detail(const cip_run_record *r)
{
    char start[32], end[32];
    fmt_time(r->start_time, start, sizeof start);
    fmt_time(r->end_time, end, sizeof end);
    printf("run_id:          %s\nrun_name:        %s\nexperiment_id:   %lld\n"
           "status:          %s\nlifecycle_stage: %s\nuser_id:         %s\n"
           "start_time:      %s UTC\nend_time:        %s%s\nartifact_uri:    %s\n",
           r->run_id, r->run_name ? r->run_name : "", (long long)r->experiment_id, r->status,
           r->lifecycle_stage, r->user_id ? r->user_id : "", start, end,
           r->end_time < 0 ? "" : " UTC", r->artifact_uri ? r->artifact_uri : "");
    printf("\nparams:\n");
    for (size_t i = 0; i < r->n_params; i++)
        printf("  %-30s %s\n", r->params[i].key, r->params[i].value);
    printf("\nmetrics (latest):\n");
    for (size_t i = 0; i < r->n_metrics; i++)
        printf("  %-30s %.17g (step %lld)\n", r->metrics[i].key, r->metrics[i].value,
               (long long)r->metrics[i].step);
    printf("\ntags:\n");
    for (size_t i = 0; i < r->n_tags; i++)
        printf("  %-30s %s\n", r->tags[i].key, r->tags[i].value ? r->tags[i].value : "");
}

/* Print the set as JSON; single = the object of a one-run set. */
static int print_json(cip_ctx *ctx, const cip_run_set *rs, int single)
{
    char *json = NULL;
    cip_status rc = cip_run_set_json(ctx, rs, &json);
    if (rc != CIP_OK)
        return cli_fail(ctx, rc);
    if (single) {
        char *end = strrchr(json, ']');
        printf("%.*s\n", (int)(end - json - 1), json + 1);
    } else {
        fputs(json, stdout);
    }
    cip_free(ctx, json);
    return CLI_OK;
}

/* "1h", "30m", "90s", "2d", "500ms" or plain milliseconds. */
static int parse_age(const char *s, int64_t *ms)
{
    char *end = NULL;
    double v = strtod(s, &end);
    if (end == s || !(v >= 0) || !isfinite(v))
        return 0;
    double mult = 1;
    if (strcmp(end, "ms") == 0 || *end == '\0')
        mult = 1;
    else if (strcmp(end, "s") == 0)
        mult = 1e3;
    else if (strcmp(end, "m") == 0)
        mult = 60e3;
    else if (strcmp(end, "h") == 0)
        mult = 3600e3;
    else if (strcmp(end, "d") == 0)
        mult = 86400e3;
    else
        return 0;
    *ms = (int64_t)(v * mult);
    return 1;
}

static int do_compare(cip_ctx *ctx, cip_store *s, int n, char **ids, int json)
{
    cip_run_set **sets = calloc((size_t)n, sizeof *sets);
    int rc = CLI_OK;
    for (int i = 0; i < n && rc == CLI_OK; i++) {
        cip_status st = cip_run_get(ctx, s, ids[i], &sets[i]);
        if (st != CIP_OK)
            rc = cli_fail(ctx, st);
    }
    if (rc == CLI_OK && json) {
        printf("[");
        for (int i = 0; i < n && rc == CLI_OK; i++) {
            if (i)
                printf(", ");
            rc = print_json(ctx, sets[i], 1);
        }
        printf("]\n");
    } else if (rc == CLI_OK) {
        printf("%-24s", "");
        for (int i = 0; i < n; i++)
            printf("  %-20.20s", cip_run_set_at(sets[i], 0)->run_name);
        printf("\n%-24s", "run_id");
        for (int i = 0; i < n; i++)
            printf("  %-20.8s", cip_run_set_at(sets[i], 0)->run_id);
        printf("\n");
        for (int kind = 0; kind < 2; kind++) {
            /* every key of any run, in the order first seen */
            for (int i = 0; i < n; i++) {
                const cip_run_record *r = cip_run_set_at(sets[i], 0);
                size_t nk = kind ? r->n_metrics : r->n_params;
                for (size_t k = 0; k < nk; k++) {
                    const char *key = kind ? r->metrics[k].key : r->params[k].key;
                    int seen = 0;
                    for (int p = 0; p < i && !seen; p++) {
                        const cip_run_record *q = cip_run_set_at(sets[p], 0);
                        size_t nq = kind ? q->n_metrics : q->n_params;
                        for (size_t m = 0; m < nq && !seen; m++)
                            seen = strcmp(kind ? q->metrics[m].key : q->params[m].key, key) == 0;
                    }
                    if (seen)
                        continue;
                    printf("%s.%-*.*s", kind ? "metrics" : "params", kind ? 16 : 17, kind ? 16 : 17,
                           key);
                    for (int p = 0; p < n; p++) {
                        const cip_run_record *q = cip_run_set_at(sets[p], 0);
                        char cell[64] = "-";
                        size_t nq = kind ? q->n_metrics : q->n_params;
                        for (size_t m = 0; m < nq; m++) {
                            if (kind && strcmp(q->metrics[m].key, key) == 0)
                                snprintf(cell, sizeof cell, "%.6g", q->metrics[m].value);
                            else if (!kind && strcmp(q->params[m].key, key) == 0)
                                snprintf(cell, sizeof cell, "%s", q->params[m].value);
                        }
                        printf("  %-20.20s", cell);
                    }
                    printf("\n");
                }
            }
        }
    }
    for (int i = 0; i < n; i++)
        cip_run_set_free(sets[i]);
    free(sets);
    return rc;
}

static int run_sub(cip_ctx *ctx, cip_store *s, const char *sub, struct runs_opts *o, int nargs,
                   char **args)
{
    cip_status st = CIP_OK;
    cip_run_set *rs = NULL;
    if (strcmp(sub, "list") == 0) {
        st = cip_runs_search(ctx, s, &o->q, &rs);
        if (st != CIP_OK)
            return cli_fail(ctx, st);
        int rc = CLI_OK;
        if (o->json) {
            rc = print_json(ctx, rs, 0);
        } else {
            printf("%-32s  %-20s %5s  %-8s  %-19s  %s\n", "RUN_ID", "NAME", "EXP", "STATUS",
                   "START (UTC)", "METRICS");
            for (size_t i = 0; i < cip_run_set_count(rs); i++)
                print_run_row(cip_run_set_at(rs, i));
        }
        cip_run_set_free(rs);
        return rc;
    }
    if (strcmp(sub, "show") == 0) {
        st = cip_run_get(ctx, s, args[0], &rs);
        if (st != CIP_OK)
            return cli_fail(ctx, st);
        int rc = CLI_OK;
        if (o->json)
            rc = print_json(ctx, rs, 1);
        else
            print_run_detail(cip_run_set_at(rs, 0));
        cip_run_set_free(rs);
        return rc;
    }
    if (strcmp(sub, "export") == 0) {
        size_t n = 0;
        st = cip_store_export_filestore(ctx, s, o->to, &o->q, &n);
        if (st != CIP_OK)
            return cli_fail(ctx, st);
        printf("exported %zu run%s to %s\n", n, n == 1 ? "" : "s", o->to);
        return CLI_OK;
    }
    if (strcmp(sub, "import") == 0) {
        cip_import_stats is;
        st = cip_store_import_filestore(ctx, s, args[0], &is);
        if (st != CIP_OK)
            return cli_fail(ctx, st);
        printf("imported %zu run%s (%zu already present), %zu logged model%s, from %zu "
               "experiment%s\n",
               is.runs, is.runs == 1 ? "" : "s", is.skipped, is.models, is.models == 1 ? "" : "s",
               is.experiments, is.experiments == 1 ? "" : "s");
        return CLI_OK;
    }
    if (strcmp(sub, "compare") == 0)
        return do_compare(ctx, s, nargs, args, o->json);
    if (strcmp(sub, "reproduce") == 0)
        return cli_runs_reproduce(ctx, s, args[0]);
    if (strcmp(sub, "delete") == 0 || strcmp(sub, "restore") == 0) {
        st = sub[0] == 'd' ? cip_run_delete(ctx, s, args[0]) : cip_run_restore(ctx, s, args[0]);
        if (st != CIP_OK)
            return cli_fail(ctx, st);
        fprintf(stderr, "cip runs: %s %s\n", sub[0] == 'd' ? "deleted" : "restored", args[0]);
        return CLI_OK;
    }
    int64_t age = 0;
    if (!parse_age(o->gc_age, &age))
        return cli_usage_error("runs", "bad age '%s' (use e.g. 90s, 30m, 1h, 2d)", o->gc_age);
    size_t n = 0;
    st = cip_runs_mark_stale_failed(ctx, s, age, &n);
    if (st != CIP_OK)
        return cli_fail(ctx, st);
    printf("marked %zu run%s FAILED\n", n, n == 1 ? "" : "s");
    return CLI_OK;
}

int cmd_runs(int argc, char **argv, cip_ctx *ctx)
{
    if (argc < 2)
        return cli_usage_error("runs", "missing subcommand (list, show, compare, delete, "
                                       "restore, gc, import, export, reproduce)");
    const char *sub = argv[1];
    static const char *const subs[] = {"list", "show",   "compare", "delete",   "restore",
                                       "gc",   "import", "export",  "reproduce"};
    static const int min_args[] = {0, 1, 2, 1, 1, 0, 1, 0, 1},
                     max_args[] = {0, 1, 1000, 1, 1, 0, 1, 0, 1};
    int k = -1;
    for (int i = 0; i < 9; i++)
        if (strcmp(sub, subs[i]) == 0)
            k = i;
    if (k < 0)
        return cli_usage_error("runs", "unknown subcommand '%s'", sub);
    struct runs_opts o = {0};
    /* options may come before or after the positional run ids */
    char **args = calloc((size_t)argc, sizeof *args);
    char **rest = calloc((size_t)argc, sizeof *rest);
    int nargs = 0, nrest = 1;
    rest[0] = argv[1];
    for (int i = 2; i < argc; i++) {
        if (strncmp(argv[i], "--", 2) == 0) {
            rest[nrest++] = argv[i];
            int takes = strcmp(argv[i], "--json") != 0 && strcmp(argv[i], "--deleted") != 0 &&
                        strchr(argv[i], '=') == NULL;
            if (takes && i + 1 < argc)
                rest[nrest++] = argv[++i];
        } else {
            args[nargs++] = argv[i];
        }
    }
    int rc = parse_opts(nrest, rest, &o);
    if (rc == CLI_OK && (nargs < min_args[k] || nargs > max_args[k]))
        rc = cli_usage_error("runs", "'%s' takes %s", sub,
                             k == 6             ? "one file-store directory"
                             : min_args[k] == 0 ? "no run ids"
                             : min_args[k] == 2 ? "two or more run ids"
                                                : "one run id");
    if (rc == CLI_OK && k == 7 && o.to == NULL)
        rc = cli_usage_error("runs", "export needs --to DIR");
    if (rc == CLI_OK && k == 5 && o.gc_age == NULL)
        rc = cli_usage_error("runs", "gc needs --mark-failed-older-than AGE");
    cip_store *s = NULL;
    if (rc == CLI_OK) {
        cip_store_opts so;
        cip_store_opts_default(&so);
        so.read_only = k <= 2 || k == 8;
        cip_status st = cip_store_open(ctx, o.uri, &so, &s);
        if (st != CIP_OK)
            rc = cli_fail(ctx, st);
    }
    if (rc == CLI_OK)
        rc = run_sub(ctx, s, sub, &o, nargs, args);
    cip_store_close(s);
    free(args);
    free(rest);
    return rc;
}
