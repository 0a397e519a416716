/* util.c - shared CLI helpers: errors, help, number parsing, progress
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cip/runlog.h"
#include "cli.h"

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "cip %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\ntry 'cip %s --help'\n", cmd);
    return CLI_USAGE;
}

int cli_fail(cip_ctx *ctx, cip_status rc)
{
    const char *msg = cip_ctx_errmsg(ctx);
    fprintf(stderr, "cip: error: %s\n", msg[0] ? msg : cip_status_str(rc));
    return CLI_FAIL;
}

int cli_print_help(const char *cmd)
{
    const struct cli_command *c = cli_find_command(cmd);
    if (c == NULL)
        return CLI_USAGE;
    fputs(c->help, stdout);
    return CLI_OK;
}

bool cli_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

bool cli_parse_i64(const char *s, int64_t *out)
{
    if (s == NULL || *s == '\0')
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *out = v;
    return true;
}

bool cli_parse_u64(const char *s, uint64_t *out)
{
    if (s == NULL || *s == '\0' || *s == '-')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *out = v;
    return true;
}

bool cli_parse_double(const char *s, double *out)
{
    if (s == NULL || *s == '\0')
        return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || *end != '\0' || !isfinite(v))
        return false;
    *out = v;
    return true;
}

struct progress_state {
    int tty;            /* stderr is a terminal */
    char stage[64];     /* current stage */
    struct timespec t0; /* start of the stage */
    int last_decile;    /* last 10% step printed (non-tty) */
    double last_draw;   /* seconds at the last redraw (tty) */
};

static double elapsed(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) * 1e-9;
}

static void progress_cb(void *ud, const char *stage, uint64_t done, uint64_t total)
{
    struct progress_state *p = ud;
    if (strncmp(p->stage, stage, sizeof p->stage - 1) != 0 || done == 0) {
        snprintf(p->stage, sizeof p->stage, "%s", stage);
        clock_gettime(CLOCK_MONOTONIC, &p->t0);
        p->last_decile = -1;
        p->last_draw = -1.0;
    }
    double t = elapsed(&p->t0);
    double frac = total ? (double)done / (double)total : 0.0;
    if (p->tty) {
        if (p->last_draw < 0 && t < 1.0)
            return; /* work shorter than a second stays quiet */
        if (t - p->last_draw < 0.1 && done < total)
            return;
        p->last_draw = t;
        int width = 30, fill = (int)(frac * width);
        double eta = frac > 0 ? t / frac - t : 0.0;
        fprintf(stderr, "\r%-20.20s [%.*s%*s] %3d%% %6.1fs ETA %5.1fs", stage, fill,
                "##############################", width - fill, "", (int)(frac * 100), t, eta);
        if (done >= total)
            fputc('\n', stderr);
        return;
    }
    int decile = (int)(frac * 10);
    if (t < 1.0 && p->last_decile < 0)
        return; /* work shorter than a second stays quiet */
    if (decile > p->last_decile) {
        p->last_decile = decile;
        fprintf(stderr, "%s: %d%% (%.1fs)\n", stage, decile * 10, t);
    }
}

void cli_progress_install(cip_ctx *ctx, bool quiet)
{
    /* One progress state per process: the CLI may keep state (STYLE 4.15.3). */
    static struct progress_state state;
    if (quiet)
        return;
    state.tty = isatty(STDERR_FILENO);
    state.stage[0] = '\0';
    cip_ctx_set_progress(ctx, progress_cb, &state);
}

cip_status cli_command_line(cip_ctx *ctx, int argc, char **argv, char **out)
{
    *out = NULL;
    const char **words = calloc((size_t)argc + 1, sizeof *words);
    if (words == NULL)
        return CIP_ERR_NOMEM;
    words[0] = "cip";
    for (int k = 0; k < argc; k++)
        words[k + 1] = argv[k];
    cip_status st = cip_runlog_join_argv(ctx, argc + 1, words, out);
    free(words);
    return st;
}
