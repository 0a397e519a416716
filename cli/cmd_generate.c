/* cmd_generate.c - `cip generate`: write a synthetic customer table
 * SPDX-License-Identifier: MIT
 */
#include <getopt.h>
#include <string.h>

#include "cip/synth.h"
#include "commands.h"

const char cmd_generate_help[] =
    "usage: cip generate [--customers N] [--seed S] [--noise X] [--duplicates]\n"
    "                    [--east-share F] [--drift SPEC] [-o FILE] [--quiet]\n"
    "\n"
    "Write a synthetic customer table with the columns and shape of the reference\n"
    "table: user_id,age,annual_income,purchase_amount,loyalty_score,region,\n"
    "purchase_frequency. One latent 'value' drives age, income, spend, loyalty\n"
    "and frequency; --noise blurs each attribute around it. The output depends\n"
    "only on the options, never on the thread count (OMP_NUM_THREADS).\n"
    "\n"
    "Options:\n"
    "  -n, --customers N   number of rows (0 .. 2^40; default 238)\n"
    "  -s, --seed S        random seed, an unsigned integer (default 2024)\n"
    "      --noise X       noise scale in [0, 10] (default 0.5: a random forest\n"
    "                      predicting purchase_amount from the other columns\n"
    "                      scores R^2 ~0.7; 0 = every attribute an exact function\n"
    "                      of the latent value, few distinct profiles)\n"
    "      --duplicates    re-emit earlier rows' profiles under new user_ids so\n"
    "                      that about 75% of the rows are copies (off by default)\n"
    "      --east-share F  share of region East in [0, 1] (default 0.025); the\n"
    "                      rest is split evenly over North, South and West\n"
    "      --drift SPEC    shift the population (to test monitoring): comma-\n"
    "                      separated COLUMN+X, COLUMN-X, COLUMN*X on age,\n"
    "                      annual_income, purchase_amount, loyalty_score,\n"
    "                      purchase_frequency (natural units, re-rounded and\n"
    "                      clamped) and region=LEVEL:SHARE (the other regions\n"
    "                      share the rest in their usual proportions); default none\n"
    "  -o, --output FILE   output CSV, written atomically; '-' = standard output\n"
    "                      (default '-')\n"
    "  -q, --quiet         no progress on standard error\n"
    "\n"
    "Examples:\n"
    "  cip generate --customers 238 --seed 2024 --noise 0.5 -o data/customers.csv\n"
    "  cip generate -n 1000000 --seed 7 --duplicates -o big.csv\n"
    "  cip generate -n 1000 -s 8 --drift 'age+5,annual_income*1.2,region=East:0.3'\n"
    "\n"
    "Exit status: 0 written, 1 I/O failure, 2 usage error.\n";

int cmd_generate(int argc, char **argv, cip_ctx *ctx)
{
    enum { OPT_NOISE = 256, OPT_DUPLICATES, OPT_EAST, OPT_DRIFT };
    static const struct option opts[] = {
        {"customers", required_argument, NULL, 'n'},
        {"seed", required_argument, NULL, 's'},
        {"noise", required_argument, NULL, OPT_NOISE},
        {"duplicates", no_argument, NULL, OPT_DUPLICATES},
        {"east-share", required_argument, NULL, OPT_EAST},
        {"drift", required_argument, NULL, OPT_DRIFT},
        {"output", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},
        {NULL, 0, NULL, 0},
    };
    cip_synth_params p;
    cip_synth_params_default(&p);
    cip_synth_drift drift;
    const char *drift_spec = NULL;
    const char *out = "-";
    bool quiet = false;
    int c;
    optind = 0;
    opterr = 0; /* report bad options in our own words */
    while ((c = getopt_long(argc, argv, "+:n:s:o:q", opts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (!cli_parse_u64(optarg, &p.n_customers))
                return cli_usage_error("generate", "--customers needs a count, not '%s'", optarg);
            break;
        case 's':
            if (!cli_parse_u64(optarg, &p.seed))
                return cli_usage_error("generate", "--seed needs an unsigned integer, not '%s'",
                                       optarg);
            break;
        case OPT_NOISE:
            if (!cli_parse_double(optarg, &p.noise))
                return cli_usage_error("generate", "--noise needs a number, not '%s'", optarg);
            break;
        case OPT_DUPLICATES:
            p.duplicates = 1;
            break;
        case OPT_EAST:
            if (!cli_parse_double(optarg, &p.east_share))
                return cli_usage_error("generate", "--east-share needs a number, not '%s'", optarg);
            break;
        case OPT_DRIFT:
            drift_spec = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 'q':
            quiet = true;
            break;
        case ':':
            return cli_usage_error("generate", "option '%s' needs a value", argv[optind - 1]);
        default:
            return cli_usage_error("generate", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage_error("generate", "unexpected argument '%s'", argv[optind]);
    if (out[0] == '\0')
        return cli_usage_error("generate", "--output needs a file name");
    if (drift_spec != NULL) {
        if (cip_synth_drift_parse(ctx, drift_spec, &drift) != CIP_OK)
            return cli_usage_error("generate", "%s", cip_ctx_errmsg(ctx));
        p.drift = &drift;
    }
    cip_status rc = cip_synth_params_check(ctx, &p);
    if (rc != CIP_OK)
        return cli_usage_error("generate", "%s", cip_ctx_errmsg(ctx));
    cli_progress_install(ctx, quiet);
    rc = cip_synth_write_csv(ctx, &p, out);
    if (rc != CIP_OK)
        return cli_fail(ctx, rc);
    return CLI_OK;
}
