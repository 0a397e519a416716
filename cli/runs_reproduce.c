/* runs_reproduce.c - `cip runs reproduce RUN`: re-execute a run's recorded
 * command and check that it gives byte-identical model files
 *
 * Steps: read the run's tags cip.command / cip.cwd and params data_path /
 * data_fingerprint (from the run, else from its child runs); refuse when the
 * data file changed; re-execute the command with this binary
 * (/proc/self/exe) in the recorded working directory (its stdout discarded,
 * its stderr shown), writing to a temporary directory:
 *   cip train ...     -> -o TMP/model --no-track (tracking options dropped)
 *   other commands    -> --out TMP/out --tracking-uri sqlite:///TMP/repro.db
 *                        (e.g. cip pipeline, whose models are found in the
 *                        temporary store by their cip.task tag)
 * then compare the bundle files (manifest.json, model.forest, model.kmeans,
 * featpipe.txt) with the logged model's. Exit 0 identical, 1 different or
 * failed, 2 usage.
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cip/registry.h"
#include "cip/runlog.h"
#include "cip/track.h"
#include "runs_reproduce.h"

static const char *const k_bundle_files[] = {"manifest.json", "model.forest", "model.kmeans",
                                             "featpipe.txt"};

static const char *kv_get(const cip_kv *kv, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(kv[i].key, key) == 0)
            return kv[i].value;
    return NULL;
}

/* Options dropped from the recorded command, and whether they take a value. */
static int dropped(const char *w, int train)
{
    static const char *const with_value[] = {"--tracking-uri", "--experiment", "--register",
                                             "--run-name",     "--output",     "--out"};
    static const char *const flags[] = {"--no-track", "--json", "-q", "--quiet"};
    for (size_t k = 0; k < sizeof flags / sizeof flags[0]; k++)
        if (strcmp(w, flags[k]) == 0)
            return 1;
    if (strcmp(w, "-o") == 0)
        return 2;
    if (strncmp(w, "-o", 2) == 0 && w[2] != '-')
        return 1; /* -oDIR */
    for (size_t k = 0; k < sizeof with_value / sizeof with_value[0]; k++) {
        size_t n = strlen(with_value[k]);
        if (strncmp(w, with_value[k], n) == 0 && w[n] == '=')
            return 1;
        if (strcmp(w, with_value[k]) == 0)
            return 2;
    }
    (void)train;
    return 0;
}

/* Build the argv to execute (owned array of borrowed/owned strings in *store). */
static char **build_argv(char **words, size_t n, int train, const char *tmp, const char *seed,
                         char *buf1, size_t n1, char *buf2, size_t n2)
{
    char **argv = calloc(n + 10, sizeof *argv);
    if (argv == NULL)
        return NULL;
    size_t k = 0;
    bool has_seed = false;
    argv[k++] = (char *)"/proc/self/exe";
    for (size_t i = 1; i < n; i++) {
        int d = dropped(words[i], train);
        if (d == 2) {
            i++;
            continue;
        }
        if (d == 1)
            continue;
        has_seed =
            has_seed || strcmp(words[i], "--seed") == 0 || strncmp(words[i], "--seed=", 7) == 0;
        argv[k++] = words[i];
    }
    if (!has_seed && seed != NULL) {
        argv[k++] = (char *)"--seed";
        argv[k++] = (char *)seed;
    }
    argv[k++] = (char *)"-q";
    if (train) {
        snprintf(buf1, n1, "%s/model", tmp);
        argv[k++] = (char *)"-o";
        argv[k++] = buf1;
        argv[k++] = (char *)"--no-track";
        argv[k++] = (char *)"--suspicious-above=1"; /* the audit does not change the model */
    } else {
        snprintf(buf1, n1, "--out=%s/out", tmp);
        snprintf(buf2, n2, "--tracking-uri=sqlite:///%s/repro.db", tmp);
        argv[k++] = buf1;
        argv[k++] = buf2;
    }
    argv[k] = NULL;
    return argv;
}

static int execute(char **argv, const char *cwd)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "cip: error: cannot start the command: %s\n", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        if (cwd != NULL && chdir(cwd) != 0)
            fprintf(stderr,
                    "cip runs reproduce: warning: cannot enter '%s' (%s); running in "
                    "the current directory\n",
                    cwd, strerror(errno));
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) { /* the command's report is not needed, its diagnostics are */
            dup2(null, 1);
            close(null);
        }
        execv(argv[0], argv);
        fprintf(stderr, "cip: error: cannot execute %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* 1 identical, 0 different, -1 a file missing on one side only (reported). */
static int same_file(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int res;
    if (fa == NULL || fb == NULL) {
        res = (fa == NULL && fb == NULL) ? 1 : -1;
    } else {
        res = 1;
        for (;;) {
            int ca = getc(fa), cb = getc(fb);
            if (ca != cb) {
                res = 0;
                break;
            }
            if (ca == EOF)
                break;
        }
    }
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    return res;
}

/* Compare the bundle files of two model dirs; prints per-file lines; returns the
 * number of differing files. */
static int compare_dirs(const char *label, const char *logged, const char *fresh)
{
    int diff = 0;
    for (size_t k = 0; k < sizeof k_bundle_files / sizeof k_bundle_files[0]; k++) {
        char a[4200], b[4200];
        snprintf(a, sizeof a, "%s/%s", logged, k_bundle_files[k]);
        snprintf(b, sizeof b, "%s/%s", fresh, k_bundle_files[k]);
        struct stat st;
        if (stat(a, &st) != 0 && stat(b, &st) != 0)
            continue;
        int r = same_file(a, b);
        printf("  %-10s %-14s %s\n", label, k_bundle_files[k],
               r == 1   ? "identical"
               : r == 0 ? "DIFFERENT"
                        : "MISSING on one side");
        diff += r != 1;
    }
    return diff;
}

static void remove_tree(const char *dir)
{
    pid_t pid = fork();
    if (pid == 0) {
        execl("/bin/rm", "rm", "-rf", "--", dir, (char *)NULL);
        _exit(127);
    }
    int status;
    if (pid > 0)
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
}

/* The model-bearing runs to compare: the run itself when it has a model, plus its
 * children. Each gets (task, run id). */
struct target {
    char run_id[33];
    char task[32];
};

static int find_targets(cip_ctx *ctx, cip_store *s, const cip_run_record *rec, struct target *t,
                        int max, const char **data_path, const char **fp, cip_run_set **kids)
{
    int n = 0;
    const char *task = kv_get(rec->tags, rec->n_tags, "cip.task");
    if (task != NULL) {
        snprintf(t[n].run_id, sizeof t[n].run_id, "%s", rec->run_id);
        snprintf(t[n].task, sizeof t[n].task, "%s", task);
        n++;
    }
    char filter[128];
    snprintf(filter, sizeof filter, "tags.`mlflow.parentRunId` = '%s'", rec->run_id);
    cip_run_query q = {.filter = filter};
    if (cip_runs_search(ctx, s, &q, kids) != CIP_OK)
        return -1;
    for (size_t i = 0; i < cip_run_set_count(*kids) && n < max; i++) {
        const cip_run_record *k = cip_run_set_at(*kids, i);
        const char *kt = kv_get(k->tags, k->n_tags, "cip.task");
        if (kt == NULL)
            continue;
        snprintf(t[n].run_id, sizeof t[n].run_id, "%s", k->run_id);
        snprintf(t[n].task, sizeof t[n].task, "%s", kt);
        n++;
        if (*fp == NULL) { /* e.g. a pipeline parent run records the path only */
            *data_path = kv_get(k->params, k->n_params, "data_path");
            *fp = kv_get(k->params, k->n_params, "data_fingerprint");
        }
    }
    return n;
}

/* Refuse when the data file changed. 0 ok, 1 refused (message printed). */
static int check_data(cip_ctx *ctx, const char *run, const char *path, const char *fp,
                      const char *cwd)
{
    if (path == NULL || fp == NULL) {
        fprintf(stderr,
                "cip runs reproduce: warning: run %s recorded no data fingerprint; "
                "the data file cannot be verified\n",
                run);
        return 0;
    }
    char full[4200];
    if (path[0] != '/' && cwd != NULL)
        snprintf(full, sizeof full, "%s/%s", cwd, path);
    else
        snprintf(full, sizeof full, "%s", path);
    char now[CIP_RUNLOG_FINGERPRINT_LEN];
    if (cip_runlog_file_fingerprint(ctx, full, now) != CIP_OK) {
        fprintf(stderr, "cip: error: cannot reproduce run %s: %s\n", run, cip_ctx_errmsg(ctx));
        return 1;
    }
    if (strcmp(now, fp) != 0) {
        fprintf(stderr,
                "cip: error: refusing to reproduce run %s: the data file '%s' changed since "
                "the run (recorded %s, now %s)\n",
                run, full, fp, now);
        return 1;
    }
    fprintf(stderr, "data file %s unchanged (%s)\n", full, fp);
    return 0;
}

/* Compare each target's logged model with the fresh one. Returns differing count or -1. */
static int compare_targets(cip_ctx *ctx, cip_store *s, const struct target *t, int n, int train,
                           const char *tmp)
{
    cip_store *fresh = NULL;
    char uri[4200];
    if (!train) {
        snprintf(uri, sizeof uri, "sqlite:///%s/repro.db", tmp);
        cip_store_opts so;
        cip_store_opts_default(&so);
        so.read_only = 1;
        if (cip_store_open(ctx, uri, &so, &fresh) != CIP_OK) {
            fprintf(stderr, "cip: error: the re-run logged no models: %s\n", cip_ctx_errmsg(ctx));
            return -1;
        }
    }
    int diff = 0;
    for (int i = 0; i < n && diff >= 0; i++) {
        char src[80], *logged = NULL, *made = NULL;
        snprintf(src, sizeof src, "runs:/%.32s/model", t[i].run_id);
        if (cip_registry_resolve(ctx, s, src, &logged) != CIP_OK) {
            fprintf(stderr, "cip: error: %s\n", cip_ctx_errmsg(ctx));
            diff = -1;
            break;
        }
        if (train) {
            char dir[4200];
            snprintf(dir, sizeof dir, "%s/model", tmp);
            diff += compare_dirs(t[i].task, logged, dir);
        } else {
            char filter[96];
            snprintf(filter, sizeof filter, "tags.`cip.task` = '%s'", t[i].task);
            cip_run_query q = {.filter = filter};
            cip_run_set *rs = NULL;
            if (cip_runs_search(ctx, fresh, &q, &rs) == CIP_OK && cip_run_set_count(rs) > 0) {
                snprintf(src, sizeof src, "runs:/%.32s/model", cip_run_set_at(rs, 0)->run_id);
                if (cip_registry_resolve(ctx, fresh, src, &made) == CIP_OK)
                    diff += compare_dirs(t[i].task, logged, made);
            }
            if (made == NULL) {
                printf("  %-10s (no model in the re-run)\n", t[i].task);
                diff++;
            }
            cip_run_set_free(rs);
        }
        cip_free(ctx, logged);
        cip_free(ctx, made);
    }
    cip_store_close(fresh);
    return diff;
}

static int reproduce(cip_ctx *ctx, cip_store *s, const cip_run_record *rec, const char *tmp)
{
    const char *cmd = kv_get(rec->tags, rec->n_tags, "cip.command");
    const char *cwd = kv_get(rec->tags, rec->n_tags, "cip.cwd");
    const char *data = kv_get(rec->params, rec->n_params, "data_path");
    const char *fp = kv_get(rec->params, rec->n_params, "data_fingerprint");
    const char *seed = kv_get(rec->params, rec->n_params, "seed");
    if (cmd == NULL) {
        fprintf(stderr,
                "cip: error: run %s has no recorded command (tag cip.command); only runs "
                "logged by cip train / cip pipeline can be reproduced\n",
                rec->run_id);
        return CLI_FAIL;
    }
    char **words = NULL;
    size_t n = 0;
    if (cip_runlog_split_command(ctx, cmd, &words, &n) != CIP_OK || n < 2 ||
        strcmp(words[0], "cip") != 0) {
        fprintf(stderr, "cip: error: run %s: cannot use the recorded command '%s'\n", rec->run_id,
                cmd);
        cip_free(ctx, words);
        return CLI_FAIL;
    }
    int train = strcmp(words[1], "train") == 0;
    struct target t[16];
    cip_run_set *kids = NULL;
    int nt = find_targets(ctx, s, rec, t, 16, &data, &fp, &kids);
    int rc = CLI_FAIL;
    char b1[4200], b2[4200];
    char **argv = NULL;
    if (nt < 0) {
        rc = cli_fail(ctx, CIP_ERR_IO);
    } else if (nt == 0) {
        fprintf(stderr, "cip: error: run %s logged no model to compare\n", rec->run_id);
    } else if (check_data(ctx, rec->run_id, data, fp, cwd) == 0 &&
               (argv = build_argv(words, n, train, tmp, seed, b1, sizeof b1, b2, sizeof b2)) !=
                   NULL) {
        fprintf(stderr, "re-running:");
        for (char **a = argv; *a; a++)
            fprintf(stderr, " %s", *a);
        fprintf(stderr, "\n");
        int st = execute(argv, cwd);
        if (st != 0) {
            fprintf(stderr, "cip: error: the re-run exited with status %d\n", st);
        } else {
            printf("run %s (%s)\n", rec->run_id, cmd);
            int diff = compare_targets(ctx, s, t, nt, train, tmp);
            if (diff == 0) {
                printf("reproduced: the model files are byte-identical\n");
                rc = CLI_OK;
            } else if (diff > 0) {
                printf("NOT reproduced: %d model file%s differ\n", diff, diff == 1 ? "" : "s");
            }
        }
    }
    free(argv);
    cip_run_set_free(kids);
    cip_free(ctx, words);
    return rc;
}

int cli_runs_reproduce(cip_ctx *ctx, cip_store *s, const char *run)
{
    cip_run_set *rs = NULL;
    cip_status st = cip_run_get(ctx, s, run, &rs);
    if (st != CIP_OK)
        return cli_fail(ctx, st);
    const char *tmpd = getenv("TMPDIR");
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s/cip-reproduce-XXXXXX", tmpd && tmpd[0] ? tmpd : "/tmp");
    int rc;
    if (mkdtemp(tmp) == NULL) {
        fprintf(stderr, "cip: error: cannot create a temporary directory: %s\n", strerror(errno));
        rc = CLI_FAIL;
    } else {
        rc = reproduce(ctx, s, cip_run_set_at(rs, 0), tmp);
        remove_tree(tmp);
    }
    cip_run_set_free(rs);
    return rc;
}
