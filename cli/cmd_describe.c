/* cmd_describe.c - `cip describe`: quick look at a CSV (types, missing, statistics)
 *
 * Reads the file with cip_frame_read_csv, summarises it with
 * cip_frame_describe and formats the result as aligned tables or JSON.
 * SPDX-License-Identifier: MIT
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cip/describe.h"
#include "commands.h"

const char cmd_describe_help[] =
    "usage: cip describe FILE [--json] [--types NAME:TYPE,...] [--delimiter C]\n"
    "                         [--top K] [--max-rows N] [--threads N] [-q]\n"
    "\n"
    "Read a CSV file with a header row (gzip-compressed if it ends in .gz or\n"
    "starts with the gzip magic; /dev/stdin reads standard input) and print its\n"
    "shape, the inferred type of every column (int, float, bool, category),\n"
    "missing counts, and statistics: count, mean, std (ddof 1), min, 25%, 50%,\n"
    "75%, max for numeric and bool columns (pandas describe(); quantiles\n"
    "interpolate linearly), distinct count and most frequent levels for category\n"
    "and bool columns. Missing values are empty fields and NA, N/A, n/a, NaN,\n"
    "nan, -NaN, -nan, null, NULL, None, <NA>, #N/A, #N/A N/A, #NA, -1.#IND,\n"
    "-1.#QNAN, 1.#IND, 1.#QNAN. Booleans are True/False/true/false/TRUE/FALSE\n"
    "(0/1 too in a column that also has such words); integers beyond int64 make\n"
    "the column float; a column with no values is float. A header-only file is\n"
    "a valid table with 0 rows.\n"
    "\n"
    "Options:\n"
    "      --json              print one JSON object (format below) instead of tables\n"
    "      --types LIST        force column types: comma-separated NAME:TYPE with\n"
    "                          TYPE int, float, bool or category (default: inferred);\n"
    "                          a value that does not parse is an error\n"
    "      --delimiter C       field separator: one character, or 'tab' (default ',')\n"
    "      --top K             levels listed per category/bool column, 0..1000 (default 5)\n"
    "      --max-rows N        read only the first N data rows (default 0 = all)\n"
    "      --threads N         worker threads, 0 = all cores (default 0)\n"
    "  -q, --quiet             no progress on stderr\n"
    "\n"
    "JSON output (keys always present, in this order; numbers that do not apply\n"
    "are null):\n"
    "  {\"file\": S, \"rows\": N, \"n_columns\": N, \"columns\": [\n"
    "    {\"name\": S, \"type\": \"int\"|\"float\"|\"bool\"|\"category\", \"count\": N,\n"
    "     \"missing\": N, \"mean\": X, \"std\": X, \"min\": X, \"25%\": X, \"50%\": X,\n"
    "     \"75%\": X, \"max\": X, \"distinct\": N|null,\n"
    "     \"top\": [{\"value\": S, \"count\": N}, ...]}, ...]}\n"
    "  mean..max are null for category columns; distinct is null and top is []\n"
    "  for int and float columns. Numbers are printed with 17 significant digits;\n"
    "  infinities as 1e999 and -1e999.\n"
    "\n"
    "Examples:\n"
    "  cip describe data/customers.csv\n"
    "  cip describe --json --types user_id:category sales.csv.gz\n"
    "  cip describe --delimiter ';' --top 10 export.csv\n"
    "\n"
    "Exit status: 0 success, 1 unreadable file or malformed data (the message\n"
    "names file:line:column, what was found and what was expected), 2 usage error.\n";

#define MAX_TYPES 4096

/* --- JSON --------------------------------------------------------------------- */

static void json_str(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", stdout);
        else if (*p == '\r')
            fputs("\\r", stdout);
        else if (*p == '\t')
            fputs("\\t", stdout);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

static void json_num(const char *key, double v)
{
    printf(", \"%s\": ", key);
    if (isfinite(v))
        printf("%.17g", v);
    else if (isinf(v))
        fputs(v > 0 ? "1e999" : "-1e999", stdout);
    else
        fputs("null", stdout);
}

static void print_json(const char *path, const cip_summary *s)
{
    size_t nc = cip_summary_n_cols(s);
    fputs("{\"file\": ", stdout);
    json_str(path);
    printf(", \"rows\": %zu, \"n_columns\": %zu, \"columns\": [", cip_summary_n_rows(s), nc);
    for (size_t j = 0; j < nc; j++) {
        const cip_col_summary *c = cip_summary_col(s, j);
        fputs(j ? ",\n  {\"name\": " : "\n  {\"name\": ", stdout);
        json_str(c->name);
        printf(", \"type\": \"%s\", \"count\": %zu, \"missing\": %zu", cip_type_name(c->type),
               c->count, c->n_missing);
        json_num("mean", c->mean);
        json_num("std", c->std);
        json_num("min", c->min);
        json_num("25%", c->q25);
        json_num("50%", c->median);
        json_num("75%", c->q75);
        json_num("max", c->max);
        bool lv = c->type == CIP_TYPE_CAT || c->type == CIP_TYPE_BOOL;
        if (lv)
            printf(", \"distinct\": %zu, \"top\": [", c->n_distinct);
        else
            fputs(", \"distinct\": null, \"top\": [", stdout);
        for (size_t k = 0; k < c->n_top; k++) {
            fputs(k ? ", {\"value\": " : "{\"value\": ", stdout);
            json_str(c->top_labels[k]);
            printf(", \"count\": %zu}", c->top_counts[k]);
        }
        fputs("]}", stdout);
    }
    fputs(nc ? "\n]}\n" : "]}\n", stdout);
}

/* --- text tables ------------------------------------------------------------- */

static void fmt_num(char *buf, size_t size, double v)
{
    if (isnan(v))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.6g", v);
}

static int name_width(const cip_summary *s, bool cat)
{
    int w = 6;
    for (size_t j = 0; j < cip_summary_n_cols(s); j++) {
        const cip_col_summary *c = cip_summary_col(s, j);
        if ((c->type == CIP_TYPE_CAT) != cat)
            continue;
        int len = (int)strlen(c->name);
        w = len > w ? len : w;
    }
    return w > 40 ? 40 : w;
}

static void print_numeric(const cip_summary *s)
{
    int w = name_width(s, false);
    printf("%-*s %-8s %10s %9s %12s %12s %12s %12s %12s %12s %12s\n", w, "column", "type", "count",
           "missing", "mean", "std", "min", "25%", "50%", "75%", "max");
    for (size_t j = 0; j < cip_summary_n_cols(s); j++) {
        const cip_col_summary *c = cip_summary_col(s, j);
        if (c->type == CIP_TYPE_CAT)
            continue;
        double v[7] = {c->mean, c->std, c->min, c->q25, c->median, c->q75, c->max};
        char b[7][32];
        for (int k = 0; k < 7; k++)
            fmt_num(b[k], sizeof b[k], v[k]);
        printf("%-*.*s %-8s %10zu %9zu %12s %12s %12s %12s %12s %12s %12s\n", w, w, c->name,
               cip_type_name(c->type), c->count, c->n_missing, b[0], b[1], b[2], b[3], b[4], b[5],
               b[6]);
    }
}

static void print_levels(const cip_summary *s)
{
    int w = name_width(s, true);
    printf("%-*s %-8s %10s %9s %9s  %s\n", w, "column", "type", "count", "missing", "distinct",
           "top levels (count)");
    for (size_t j = 0; j < cip_summary_n_cols(s); j++) {
        const cip_col_summary *c = cip_summary_col(s, j);
        if (c->type != CIP_TYPE_CAT)
            continue;
        printf("%-*.*s %-8s %10zu %9zu %9zu ", w, w, c->name, cip_type_name(c->type), c->count,
               c->n_missing, c->n_distinct);
        for (size_t k = 0; k < c->n_top; k++)
            printf(" %.40s (%zu)%s", c->top_labels[k], c->top_counts[k],
                   k + 1 < c->n_top ? "," : "");
        putchar('\n');
    }
}

static void print_text(const char *path, const cip_summary *s)
{
    size_t nc = cip_summary_n_cols(s), n_cat = 0;
    for (size_t j = 0; j < nc; j++)
        n_cat += cip_summary_col(s, j)->type == CIP_TYPE_CAT;
    printf("%s: %zu rows, %zu columns (%zu numeric/bool, %zu category)\n", path,
           cip_summary_n_rows(s), nc, nc - n_cat, n_cat);
    if (nc > n_cat) {
        putchar('\n');
        print_numeric(s);
    }
    if (n_cat > 0) {
        putchar('\n');
        print_levels(s);
    }
}

/* --- options ------------------------------------------------------------------- */

/* Parse "name:type,name:type" in place into t[]; returns the count or -1. */
static long parse_types(char *list, cip_csv_col_type *t, size_t cap)
{
    size_t n = 0;
    for (char *p = list; *p != '\0';) {
        char *comma = strchr(p, ',');
        if (comma != NULL)
            *comma = '\0';
        char *colon = strrchr(p, ':');
        if (colon == NULL || colon == p || n == cap)
            return -1;
        *colon = '\0';
        if (cip_type_parse(NULL, colon + 1, &t[n].type) != CIP_OK)
            return -1;
        t[n++].name = p;
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    return (long)n;
}

static bool parse_delim(const char *s, char *out)
{
    if (strcmp(s, "tab") == 0 || strcmp(s, "\\t") == 0) {
        *out = '\t';
        return true;
    }
    if (strlen(s) != 1 || s[0] == '"' || s[0] == '\n' || s[0] == '\r')
        return false;
    *out = s[0];
    return true;
}

static int run(cip_ctx *ctx, const char *path, const cip_csv_read_opts *ro,
               const cip_describe_opts *dopts, bool json)
{
    cip_frame *f = NULL;
    cip_summary *s = NULL;
    cip_status rc = cip_frame_read_csv(ctx, path, ro, &f);
    if (rc == CIP_OK)
        rc = cip_frame_describe(ctx, f, dopts, &s);
    cip_frame_free(f);
    if (rc != CIP_OK)
        return cli_fail(ctx, rc);
    if (json)
        print_json(path, s);
    else
        print_text(path, s);
    cip_summary_free(s);
    return CLI_OK;
}

int cmd_describe(int argc, char **argv, cip_ctx *ctx)
{
    enum { OPT_JSON = 256, OPT_TYPES, OPT_DELIM, OPT_TOP, OPT_MAXROWS, OPT_THREADS };
    static const struct option opts[] = {
        {"json", no_argument, NULL, OPT_JSON},
        {"types", required_argument, NULL, OPT_TYPES},
        {"delimiter", required_argument, NULL, OPT_DELIM},
        {"top", required_argument, NULL, OPT_TOP},
        {"max-rows", required_argument, NULL, OPT_MAXROWS},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"quiet", no_argument, NULL, 'q'},
        {NULL, 0, NULL, 0},
    };
    cip_csv_read_opts ro;
    cip_csv_read_opts_default(&ro);
    cip_describe_opts dopts;
    cip_describe_opts_default(&dopts);
    static cip_csv_col_type types[MAX_TYPES];
    bool json = false, quiet = false;
    uint64_t u;
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "q", opts, NULL)) != -1) {
        switch (c) {
        case OPT_JSON:
            json = true;
            break;
        case OPT_TYPES: {
            long n = parse_types(optarg, types, MAX_TYPES);
            if (n < 0)
                return cli_usage_error("describe",
                                       "--types needs NAME:TYPE[,NAME:TYPE...] with TYPE int, "
                                       "float, bool or category");
            ro.types = types;
            ro.n_types = (size_t)n;
            break;
        }
        case OPT_DELIM:
            if (!parse_delim(optarg, &ro.delimiter))
                return cli_usage_error("describe",
                                       "--delimiter needs one character (not a quote or line "
                                       "end) or 'tab', not '%s'",
                                       optarg);
            break;
        case OPT_TOP:
            if (!cli_parse_u64(optarg, &u) || u > 1000)
                return cli_usage_error("describe", "--top needs a count in 0..1000, not '%s'",
                                       optarg);
            dopts.top_k = (size_t)u;
            break;
        case OPT_MAXROWS:
            if (!cli_parse_u64(optarg, &u))
                return cli_usage_error("describe", "--max-rows needs a count, not '%s'", optarg);
            ro.max_rows = (size_t)u;
            break;
        case OPT_THREADS:
            if (!cli_parse_u64(optarg, &u) || u > 1024)
                return cli_usage_error("describe", "--threads needs a count in 0..1024, not '%s'",
                                       optarg);
            cip_ctx_set_threads(ctx, (int)u);
            break;
        case 'q':
            quiet = true;
            break;
        default:
            return cli_usage_error("describe", "unknown option");
        }
    }
    if (argc - optind != 1)
        return cli_usage_error("describe",
                               argc - optind == 0 ? "missing FILE" : "expected one FILE");
    cli_progress_install(ctx, quiet);
    return run(ctx, argv[optind], &ro, &dopts, json);
}
