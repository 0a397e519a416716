/* cmd_report.c - `cip report`: render a pipeline summary as report.html
 * SPDX-License-Identifier: MIT
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cip/report.h"
#include "commands.h"

const char cmd_report_help[] =
    "usage: cip report SUMMARY.json [-o FILE]\n"
    "\n"
    "Render the summary written by `cip pipeline` (DIR/summary.json) as one\n"
    "self-contained HTML page for business readers: executive summary and\n"
    "verdict, the reference project's success criteria with honest and leaky\n"
    "values, the leakage audit, charts of every model (feature importance,\n"
    "actual vs predicted, residuals, ROC, precision-recall, confusion matrix,\n"
    "silhouette and inertia versus k, segment profiles and projection), the\n"
    "baseline comparison, data and split facts, transaction CLV when present,\n"
    "and the run ids with the command that reproduces them. Inline CSS and\n"
    "SVG only: no scripts, no network; prints well. Parts missing from the\n"
    "summary are shown as \"not available\".\n"
    "\n"
    "Options:\n"
    "  -o, --output FILE   where to write the page, '-' for stdout (default:\n"
    "                      report.html in the folder of SUMMARY.json)\n"
    "\n"
    "Examples:\n"
    "  cip report out/summary.json\n"
    "  cip report out/summary.json -o /tmp/report.html\n"
    "\n"
    "Exit status: 0 success, 1 unreadable or invalid summary (the message gives\n"
    "line:column) or write failure, 2 usage error.\n";

/* DIR/report.html next to the summary (caller frees). */
static char *default_output(const char *summary)
{
    const char *slash = strrchr(summary, '/');
    size_t dir = slash != NULL ? (size_t)(slash - summary) + 1 : 0;
    char *out = malloc(dir + sizeof "report.html");
    if (out != NULL) {
        memcpy(out, summary, dir);
        memcpy(out + dir, "report.html", sizeof "report.html");
    }
    return out;
}

static int render_stdout(cip_ctx *ctx, const char *summary)
{
    FILE *f = fopen(summary, "rb");
    if (f == NULL) {
        fprintf(stderr, "cip: error: cannot open '%s'\n", summary);
        return CLI_FAIL;
    }
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap);
    while (text != NULL) {
        len += fread(text + len, 1, cap - len, f);
        if (len < cap || cap >= CIP_REPORT_MAX_SUMMARY_BYTES)
            break;
        char *grown = realloc(text, cap * 2);
        if (grown == NULL) {
            free(text);
            text = NULL;
            break;
        }
        text = grown;
        cap *= 2;
    }
    fclose(f);
    if (text == NULL) {
        fprintf(stderr, "cip: out of memory\n");
        return CLI_FAIL;
    }
    char *html = NULL;
    cip_status rc = cip_report_render(ctx, text, len, &html);
    free(text);
    if (rc != CIP_OK) {
        fprintf(stderr, "cip: error: %s: %s\n", summary, cip_ctx_errmsg(ctx));
        return CLI_FAIL;
    }
    fputs(html, stdout);
    cip_free(ctx, html);
    return CLI_OK;
}

int cmd_report(int argc, char **argv, cip_ctx *ctx)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},
        {NULL, 0, NULL, 0},
    };
    const char *output = NULL;
    int c;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:o:", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            output = optarg;
            break;
        case ':':
            return cli_usage_error("report", "option '%s' needs a value", argv[optind - 1]);
        default:
            return cli_usage_error("report", "unknown option '%s'", argv[optind - 1]);
        }
    }
    /* Allow the options after SUMMARY.json too: cip report s.json -o r.html */
    const char *summary = NULL;
    for (; optind < argc; optind++) {
        if (strcmp(argv[optind], "-o") == 0 || strcmp(argv[optind], "--output") == 0) {
            if (optind + 1 >= argc)
                return cli_usage_error("report", "option '%s' needs a value", argv[optind]);
            output = argv[++optind];
        } else if (strncmp(argv[optind], "--output=", 9) == 0) {
            output = argv[optind] + 9;
        } else if (summary == NULL) {
            summary = argv[optind];
        } else {
            return cli_usage_error("report", "expected one SUMMARY.json, got '%s' too",
                                   argv[optind]);
        }
    }
    if (summary == NULL)
        return cli_usage_error("report", "missing SUMMARY.json");
    if (output != NULL && strcmp(output, "-") == 0)
        return render_stdout(ctx, summary);
    char *dflt = output == NULL ? default_output(summary) : NULL;
    if (output == NULL && dflt == NULL) {
        fprintf(stderr, "cip: out of memory\n");
        return CLI_FAIL;
    }
    const char *path = output != NULL ? output : dflt;
    cip_status rc = cip_report_render_file(ctx, summary, path);
    if (rc != CIP_OK) {
        free(dflt);
        return cli_fail(ctx, rc);
    }
    printf("wrote %s\n", path);
    free(dflt);
    return CLI_OK;
}
