/* cmd_validate.c - `cip validate`: check a customer table against the schema
 * SPDX-License-Identifier: MIT
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cip/schema.h"
#include "commands.h"

const char cmd_validate_help[] =
    "usage: cip validate FILE [--json] [--regions LIST] [--show N] [--id-column NAME]\n"
    "\n"
    "Check a customer CSV (user_id, age, annual_income, purchase_amount,\n"
    "loyalty_score, region, purchase_frequency) against the schema and the\n"
    "business rules. Prints one line per violation class with its count and\n"
    "its first rows, then the verdict. Rows are file line numbers: the header\n"
    "is line 1, the first data row line 2.\n"
    "\n"
    "Errors (the table is unusable): no data rows, a missing required column, a\n"
    "numeric column holding text, region not text, empty/NA cells in a required\n"
    "column, age outside [0, 120], annual_income or purchase_amount < 0,\n"
    "loyalty_score outside [0, 10], purchase_frequency < 0, a repeated user_id.\n"
    "Warnings (still usable): a fractional user_id, age or purchase_frequency;\n"
    "a region outside the allowed set.\n"
    "\n"
    "Options:\n"
    "      --json            print the report as one JSON object\n"
    "      --regions LIST    comma-separated allowed regions, case-sensitive\n"
    "                        (default North,South,West,East)\n"
    "      --show N          rows listed per violation class, 0..1000 (default 5)\n"
    "      --id-column NAME  the unique id column (default user_id; '' = none)\n"
    "\n"
    "Examples:\n"
    "  cip validate data/customers.csv\n"
    "  cip validate --json --show 20 customers.csv\n"
    "  cip validate --regions North,South,West,East,Central customers.csv\n"
    "\n"
    "Exit status: 0 usable (even with warnings), 1 unusable or unreadable file,\n"
    "2 usage error.\n";

/* Split a comma-separated list in place into at most cap labels. */
static size_t split_list(char *s, const char **out, size_t cap)
{
    size_t n = 0;
    for (char *p = s; n < cap;) {
        char *comma = strchr(p, ',');
        if (comma != NULL)
            *comma = '\0';
        out[n++] = p;
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    return n;
}

static int report(cip_ctx *ctx, const cip_frame *f, const cip_schema_params *p, const char *path,
                  bool json)
{
    cip_validation *v = NULL;
    char *text = NULL;
    cip_status rc = cip_validate_frame(ctx, f, p, &v);
    if (rc == CIP_OK)
        rc = json ? cip_validation_to_json(ctx, v, path, &text)
                  : cip_validation_to_text(ctx, v, path, &text);
    if (rc != CIP_OK) {
        cip_validation_free(v);
        return cli_fail(ctx, rc);
    }
    fputs(text, stdout);
    int usable = cip_validation_usable(v);
    cip_validation_free_string(ctx, text);
    cip_validation_free(v);
    return usable ? CLI_OK : CLI_FAIL;
}

int cmd_validate(int argc, char **argv, cip_ctx *ctx)
{
    enum { OPT_JSON = 256, OPT_REGIONS, OPT_SHOW, OPT_ID };
    static const struct option opts[] = {
        {"json", no_argument, NULL, OPT_JSON},
        {"regions", required_argument, NULL, OPT_REGIONS},
        {"show", required_argument, NULL, OPT_SHOW},
        {"id-column", required_argument, NULL, OPT_ID},
        {NULL, 0, NULL, 0},
    };
    enum { MAX_REGIONS = 256 };
    const char *regions[MAX_REGIONS];
    cip_schema_params p;
    cip_schema_params_default(&p);
    bool json = false;
    char *region_list = NULL;
    int c, rc;
    uint64_t show;
    optind = 0;
    opterr = 0; /* report bad options in our own words */
    while ((c = getopt_long(argc, argv, "+:", opts, NULL)) != -1) {
        switch (c) {
        case OPT_JSON:
            json = true;
            break;
        case OPT_REGIONS:
            free(region_list);
            region_list = malloc(strlen(optarg) + 1);
            if (region_list == NULL) {
                fprintf(stderr, "cip: out of memory\n");
                return CLI_FAIL;
            }
            memcpy(region_list, optarg, strlen(optarg) + 1);
            p.regions = regions;
            p.n_regions = split_list(region_list, regions, MAX_REGIONS);
            break;
        case OPT_SHOW:
            if (!cli_parse_u64(optarg, &show) || show > CIP_SCHEMA_MAX_EXAMPLES) {
                free(region_list);
                return cli_usage_error("validate", "--show needs a count in 0..%d, not '%s'",
                                       CIP_SCHEMA_MAX_EXAMPLES, optarg);
            }
            p.max_examples = (size_t)show;
            break;
        case OPT_ID:
            p.id_column = optarg;
            break;
        case ':':
            free(region_list);
            return cli_usage_error("validate", "option '%s' needs a value", argv[optind - 1]);
        default:
            free(region_list);
            return cli_usage_error("validate", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 1) {
        free(region_list);
        return cli_usage_error("validate",
                               argc - optind == 0 ? "missing FILE" : "expected one FILE");
    }
    const char *path = argv[optind];
    if (cip_schema_params_check(ctx, &p) != CIP_OK) {
        rc = cli_usage_error("validate", "%s", cip_ctx_errmsg(ctx));
        free(region_list);
        return rc;
    }
    cip_frame *f = NULL;
    cip_status st = cip_frame_read_csv(ctx, path, NULL, &f);
    if (st != CIP_OK) {
        free(region_list);
        return cli_fail(ctx, st);
    }
    rc = report(ctx, f, &p, path, json);
    cip_frame_free(f);
    free(region_list);
    return rc;
}
