/* test_clv.c - transaction logs, summaries, RFM and the BG/NBD, Pareto/NBD and
 * Gamma-Gamma models against the published CDNOW figures
 *
 * Reference values (../shared/reference/cdnow.md): Fader, Hardie & Lee (2005)
 * BG/NBD r, alpha, a, b = 0.243, 4.414, 0.793, 2.426, LL -9582.4; Pareto/NBD
 * 0.553, 10.578, 0.606, 11.669, LL -9595.0; Gamma-Gamma (Fader & Hardie 2013)
 * p, q, gamma = 6.25, 3.74, 15.44, LL -4055.9177; Hardie's spreadsheet checks
 * quoted by lifetimes' tests. Figures are compared at their printed
 * precision. The CDNOW tests need ../shared and skip visibly without it.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cip/clv.h"
#include "testutil.h"

#define assert_near(a, b, tol)                                                                     \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        if (!(fabs(a_ - b_) <= (tol)))                                                             \
            fail_msg("%s = %.10g, expected %.10g (tol %g)", #a, a_, b_, (double)(tol));            \
    } while (0)

static int32_t day_of(const char *iso)
{
    int32_t d = 0;
    assert_true(cip_clv_date_parse(iso, strlen(iso), "iso", &d));
    return d;
}

/* --- dates and units ---------------------------------------------------------------------- */

static void test_clv_date_formats_parse_and_reject(void **state)
{
    (void)state;
    int32_t d;
    assert_true(cip_clv_date_parse("1970-01-01", 10, "iso", &d));
    assert_int_equal(d, 0);
    assert_true(cip_clv_date_parse("19970930", 8, "yyyymmdd", &d));
    assert_int_equal(d, 10134); /* 1997-09-30 */
    assert_true(cip_clv_date_parse("1997-09-30T12:30:00Z", 20, "iso", &d));
    assert_int_equal(d, 10134);
    assert_true(cip_clv_date_parse("09/30/1997", 10, "mm/dd/yyyy", &d));
    assert_int_equal(d, 10134);
    assert_true(cip_clv_date_parse("30/09/1997", 10, "dd/mm/yyyy", &d));
    assert_int_equal(d, 10134);
    assert_true(cip_clv_date_parse("19970930", 8, "auto", &d));
    assert_true(cip_clv_date_parse("2000-02-29", 10, "auto", &d));
    assert_false(cip_clv_date_parse("1900-02-29", 10, "iso", &d)); /* not a leap year */
    assert_false(cip_clv_date_parse("1997-02-30", 10, "iso", &d));
    assert_false(cip_clv_date_parse("1997-13-01", 10, "iso", &d));
    assert_false(cip_clv_date_parse("1997093", 7, "yyyymmdd", &d));
    assert_false(cip_clv_date_parse("1997-09-30x", 11, "iso", &d));
    char buf[11];
    cip_clv_date_str(day_of("2024-02-29"), buf);
    assert_string_equal(buf, "2024-02-29");
    cip_clv_date_str(day_of("1969-12-31"), buf);
    assert_string_equal(buf, "1969-12-31");
    assert_near(cip_clv_unit_days(CIP_CLV_WEEKS), 7.0, 0);
    assert_near(cip_clv_unit_days(CIP_CLV_MONTHS), 30.4375, 0);
}

/* --- reading ------------------------------------------------------------------------------ */

static void test_clv_csv_read_merges_same_day_and_summarises(void **state)
{
    (void)state;
    char path[512];
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_clv_tx *tx = NULL;
    assert_int_equal(
        cip_clv_tx_read(ctx, cipt_data_path(path, sizeof path, "clv/tx_small.csv"), NULL, &tx),
        CIP_OK);
    assert_int_equal(cip_clv_tx_count(tx), 6); /* 7 lines, A's two 2020-01-01 merged */
    assert_int_equal(cip_clv_tx_merged(tx), 1);
    assert_int_equal(cip_clv_tx_customers(tx), 3);
    assert_string_equal(cip_clv_tx_customer_id(tx, 0), "A"); /* ordered by first purchase */
    assert_string_equal(cip_clv_tx_customer_id(tx, 1), "B");
    assert_string_equal(cip_clv_tx_customer_id(tx, 2), "C");
    cip_clv_summary *s = NULL;
    assert_int_equal(
        cip_clv_summary_new(ctx, tx, day_of("2020-01-31"), day_of("2020-03-31"), CIP_CLV_DAYS, &s),
        CIP_OK);
    assert_int_equal(s->n, 2);
    assert_int_equal(s->n_later, 1);
    assert_near(s->holdout_length, 60, 0);
    /* A: 01-01 (15 merged), 01-15 (20); holdout 03-01 (30) */
    assert_near(s->x[0], 1, 0);
    assert_near(s->t_x[0], 14, 0);
    assert_near(s->T[0], 30, 0);
    assert_near(s->zbar[0], 20, 0);
    assert_near(s->monetary[0], 17.5, 1e-12);
    assert_near(s->x_hold[0], 1, 0);
    assert_near(s->spend_hold[0], 30, 0);
    /* B: 01-10 only; holdout 02-20 */
    assert_near(s->x[1], 0, 0);
    assert_near(s->T[1], 21, 0);
    assert_near(s->zbar[1], 0, 0);
    assert_near(s->first[1], 9, 0);
    cip_clv_summary_free(s);
    /* the same in weeks */
    assert_int_equal(cip_clv_summary_new(ctx, tx, day_of("2020-01-31"), 0, CIP_CLV_WEEKS, &s),
                     CIP_OK);
    assert_near(s->T[0], 30.0 / 7, 1e-15);
    assert_near(s->holdout_length, 0, 0);
    cip_clv_summary_free(s);
    cip_clv_tx_free(tx);
    /* without merging, A has 3 calibration transactions */
    cip_clv_read_params p;
    cip_clv_read_params_default(&p);
    p.merge_same_day = 0;
    assert_int_equal(cip_clv_tx_read(ctx, path, &p, &tx), CIP_OK);
    assert_int_equal(cip_clv_tx_count(tx), 7);
    assert_int_equal(cip_clv_summary_new(ctx, tx, day_of("2020-01-31"), 0, CIP_CLV_DAYS, &s),
                     CIP_OK);
    assert_near(s->x[0], 2, 0);
    assert_near(s->zbar[0], 12.5, 1e-12);
    cip_clv_summary_free(s);
    cip_clv_tx_free(tx);
    cip_ctx_free(ctx);
}

static void test_clv_csv_custom_columns_and_format(void **state)
{
    (void)state;
    char path[512];
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_clv_read_params p;
    cip_clv_read_params_default(&p);
    p.id_column = "cust";
    p.date_column = "when";
    p.amount_column = "value";
    p.delimiter = ';';
    p.date_format = "yyyymmdd";
    cip_clv_tx *tx = NULL;
    assert_int_equal(
        cip_clv_tx_read(ctx, cipt_data_path(path, sizeof path, "clv/tx_custom.csv"), &p, &tx),
        CIP_OK);
    assert_int_equal(cip_clv_tx_customers(tx), 2);
    assert_string_equal(cip_clv_tx_customer_id(tx, 0), "x 1");
    int32_t first, last;
    cip_clv_tx_range(tx, &first, &last);
    assert_int_equal(first, day_of("2020-01-05"));
    assert_int_equal(last, day_of("2020-01-07"));
    cip_clv_tx_free(tx);
    /* ISO is rejected when yyyymmdd is required: the error names file:line */
    p.date_format = "iso";
    assert_int_equal(cip_clv_tx_read(ctx, path, &p, &tx), CIP_ERR_PARSE);
    assert_null(tx);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "tx_custom.csv:2: bad date '20200105'"));
    p.date_format = "yyyy";
    assert_int_equal(cip_clv_tx_read(ctx, path, &p, &tx), CIP_ERR_INVALID);
    cip_ctx_free(ctx);
}

struct bad_case {
    const char *text;
    cip_status rc;
    const char *msg;
};

static void test_clv_csv_errors_name_file_and_line(void **state)
{
    (void)state;
    static const struct bad_case cases[] = {
        {"customer_id,date,amount\nA,2020-01-01,1\nA,2020-02-30,1\n", CIP_ERR_PARSE,
         ":3: bad date '2020-02-30'"},
        {"customer_id,date,amount\nA,2020-01-01,-5\n", CIP_ERR_PARSE, ":2: negative amount -5"},
        {"customer_id,date,amount\nA,2020-01-01,abc\n", CIP_ERR_PARSE,
         ":2: amount 'abc' is not a number"},
        {"customer_id,date,amount\nA,2020-01-01\n", CIP_ERR_PARSE, ":2: expected 3 fields"},
        {"customer_id,day,amount\nA,2020-01-01,1\n", CIP_ERR_SCHEMA, ":1: no column 'date'"},
        {"customer_id,date,amount\n,2020-01-01,1\n", CIP_ERR_PARSE, ":2: empty customer id"},
        {"customer_id,date,amount\nA,2020-01-01,1\nZ,2020-01-02,1\n", CIP_ERR_NOT_FOUND,
         ":3: unknown customer 'Z'"},
        {"", CIP_ERR_PARSE, "empty file"},
    };
    static const char *const known[] = {"A", "B"};
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_clv_read_params p;
    cip_clv_read_params_default(&p);
    p.format = CIP_CLV_FORMAT_CSV;
    p.customers = known;
    p.n_customers = 2;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char path[512];
        cipt_write_temp(path, sizeof path, ".csv", cases[k].text, strlen(cases[k].text));
        cip_clv_tx *tx = (cip_clv_tx *)&p; /* must be reset to NULL */
        cip_status rc = cip_clv_tx_read(ctx, path, &p, &tx);
        remove(path);
        if (rc != cases[k].rc || strstr(cip_ctx_errmsg(ctx), cases[k].msg) == NULL ||
            strstr(cip_ctx_errmsg(ctx), path) == NULL)
            fail_msg("case %zu: %s '%s'", k, cip_status_name(rc), cip_ctx_errmsg(ctx));
        assert_null(tx);
    }
    cip_clv_tx *tx = NULL;
    assert_int_equal(cip_clv_tx_read(ctx, "/nonexistent/tx.csv", NULL, &tx), CIP_ERR_IO);
    cip_ctx_free(ctx);
}

static void test_clv_cdnow_errors_name_line(void **state)
{
    (void)state;
    const char text[] = " 00004 0001 19970101  2   29.33\r\n 00004 0001 19971301  2   29.73\r\n";
    char path[512];
    cipt_write_temp(path, sizeof path, ".txt", text, strlen(text));
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_clv_tx *tx = NULL;
    assert_int_equal(cip_clv_tx_read(ctx, path, NULL, &tx), CIP_ERR_PARSE);
    remove(path);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), ":2: bad date '19971301'"));
    cip_ctx_free(ctx);
}

static void test_clv_from_arrays_matches_file(void **state)
{
    (void)state;
    const int64_t cust[] = {7, 7, 7, 3, 9, 7, 3};
    const int32_t d0 = day_of("2020-01-01");
    const int32_t day[] = {d0, d0, d0 + 14, d0 + 9, d0 + 31, d0 + 60, d0 + 50};
    const double amt[] = {10, 5, 20, 7.5, 12, 30, 8};
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_clv_tx *tx = NULL;
    assert_int_equal(cip_clv_tx_from_arrays(ctx, 7, cust, day, amt, NULL, 1, &tx), CIP_OK);
    assert_int_equal(cip_clv_tx_count(tx), 6);
    assert_string_equal(cip_clv_tx_customer_id(tx, 0), "7");
    assert_string_equal(cip_clv_tx_customer_id(tx, 1), "3");
    cip_clv_summary *s = NULL;
    assert_int_equal(cip_clv_summary_new(ctx, tx, d0 + 30, d0 + 90, CIP_CLV_DAYS, &s), CIP_OK);
    assert_near(s->zbar[0], 20, 0);
    assert_near(s->x_hold[1], 1, 0);
    cip_clv_summary_free(s);
    cip_clv_tx_free(tx);
    const double neg[] = {1, -1};
    assert_int_equal(cip_clv_tx_from_arrays(ctx, 2, cust, day, neg, NULL, 1, &tx), CIP_ERR_INVALID);
    assert_null(tx);
    cip_ctx_free(ctx);
}

/* --- RFM ------------------------------------------------------------------------------------ */

static void test_clv_rfm_quintiles_ties_share_scores(void **state)
{
    (void)state;
    /* 10 customers: x = 0..9, recency T - t_x = 9..0, monetary equal pairs */
    double x[10], tx[10], T[10], z[10];
    for (int i = 0; i < 10; i++) {
        x[i] = i;
        T[i] = 20;
        tx[i] = 11 + i;
        z[i] = (double)(i / 2);
    }
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_clv_summary *s = NULL;
    assert_int_equal(cip_clv_summary_from_arrays(ctx, 10, x, tx, T, z, CIP_CLV_DAYS, &s), CIP_OK);
    uint8_t r[10], f[10], m[10], seg[10];
    assert_int_equal(cip_clv_rfm(ctx, s, r, f, m, seg), CIP_OK);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(f[i], 1 + i / 2); /* two per quintile */
        assert_int_equal(r[i], 1 + i / 2); /* most recent = customer 9 */
        assert_int_equal(m[i], 1 + i / 2);
    }
    assert_string_equal(cip_clv_segment_name(seg[9]), "champions");
    assert_string_equal(cip_clv_segment_name(seg[0]), "lost");
    assert_string_equal(cip_clv_segment_name(seg[5]), "loyal");
    /* all equal: everyone scores 1 */
    for (int i = 0; i < 10; i++)
        x[i] = 3;
    cip_clv_summary_free(s);
    assert_int_equal(cip_clv_summary_from_arrays(ctx, 10, x, tx, T, z, CIP_CLV_DAYS, &s), CIP_OK);
    assert_int_equal(cip_clv_rfm(ctx, s, NULL, f, NULL, NULL), CIP_OK);
    for (int i = 0; i < 10; i++)
        assert_int_equal(f[i], 1);
    cip_clv_summary_free(s);
    cip_ctx_free(ctx);
}

/* --- models on small inputs --------------------------------------------------------------- */

static void test_clv_pareto_branches_agree_at_alpha_equal_beta(void **state)
{
    (void)state;
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    const double x[] = {0, 1, 4, 12}, t_x[] = {0, 5.5, 20.25, 30}, T[] = {10, 30, 31, 38.5};
    cip_clv_summary *s = NULL;
    assert_int_equal(cip_clv_summary_from_arrays(ctx, 4, x, t_x, T, NULL, CIP_CLV_WEEKS, &s),
                     CIP_OK);
    /* A0 uses alpha >= beta on one side and alpha < beta on the other: the
     * likelihood must be continuous across alpha == beta */
    double lo[4] = {0.55, 10.0 - 1e-7, 0.6, 10.0}, hi[4] = {0.55, 10.0 + 1e-7, 0.6, 10.0};
    cip_clv_model m1, m2;
    assert_int_equal(cip_clv_model_from_params(ctx, CIP_CLV_PARETO, lo, 4, CIP_CLV_WEEKS, &m1),
                     CIP_OK);
    assert_int_equal(cip_clv_model_from_params(ctx, CIP_CLV_PARETO, hi, 4, CIP_CLV_WEEKS, &m2),
                     CIP_OK);
    double l1, l2;
    assert_int_equal(cip_clv_loglik(ctx, &m1, s, &l1), CIP_OK);
    assert_int_equal(cip_clv_loglik(ctx, &m2, s, &l2), CIP_OK);
    assert_true(isfinite(l1));
    assert_near(l1, l2, 1e-6);
    /* P(alive) of someone who bought just now is higher than of someone silent for long */
    assert_true(cip_clv_p_alive(&m1, 4, 30, 31) > cip_clv_p_alive(&m1, 4, 5, 31));
    assert_near(cip_clv_p_alive(&m1, 4, 31, 31), 1.0, 0); /* t_x == T: A0 = 0 */
    /* x = 0, t = 0 limits and the E[X(t)] closed form at s = 1 */
    double s1[4] = {0.5, 10, 1.0, 8};
    assert_int_equal(cip_clv_model_from_params(ctx, CIP_CLV_PARETO, s1, 4, CIP_CLV_WEEKS, &m1),
                     CIP_OK);
    assert_near(cip_clv_expected(&m1, 10), 0.5 / 10 * 8 * log(18.0 / 8), 1e-12);
    assert_near(cip_clv_expected(&m1, 0), 0, 0);
    double bad[4] = {0.5, -1, 1, 1};
    assert_int_equal(cip_clv_model_from_params(ctx, CIP_CLV_BGNBD, bad, 4, CIP_CLV_WEEKS, &m1),
                     CIP_ERR_INVALID);
    cip_clv_summary_free(s);
    cip_ctx_free(ctx);
}

/* Hypergeometric arguments close to 1 (alpha >> beta with t_x ~ 0, and the
 * reverse): reference sums from tools/ref_clv.py (mpmath, 30 digits). */
static void test_clv_pareto_extreme_regimes_match_mpmath(void **state)
{
    (void)state;
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    const double x[] = {0, 1, 5}, t_x[] = {0, 0.001, 3}, T[] = {10, 50, 60};
    cip_clv_summary *s = NULL;
    assert_int_equal(cip_clv_summary_from_arrays(ctx, 3, x, t_x, T, NULL, CIP_CLV_WEEKS, &s),
                     CIP_OK);
    const double p1[4] = {0.5, 200, 0.8, 0.01}, p2[4] = {0.5, 0.01, 0.8, 200};
    cip_clv_model m;
    double ll;
    assert_int_equal(cip_clv_model_from_params(ctx, CIP_CLV_PARETO, p1, 4, CIP_CLV_WEEKS, &m),
                     CIP_OK);
    assert_int_equal(cip_clv_loglik(ctx, &m, s, &ll), CIP_OK);
    assert_near(ll, -34.060922137516560691, 1e-9);
    assert_int_equal(cip_clv_model_from_params(ctx, CIP_CLV_PARETO, p2, 4, CIP_CLV_WEEKS, &m),
                     CIP_OK);
    assert_int_equal(cip_clv_loglik(ctx, &m, s, &ll), CIP_OK);
    assert_near(ll, -19.912613550394490919, 1e-9);
    cip_clv_summary_free(s);
    cip_ctx_free(ctx);
}

static void test_clv_bgnbd_p_alive_and_value_closed_forms(void **state)
{
    (void)state;
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    double p[4] = {0.243, 4.414, 0.793, 2.426};
    cip_clv_model m;
    assert_int_equal(cip_clv_model_from_params(ctx, CIP_CLV_BGNBD, p, 4, CIP_CLV_WEEKS, &m),
                     CIP_OK);
    assert_near(cip_clv_p_alive(&m, 0, 0, 30), 1.0, 0); /* BG/NBD: no repeat = alive */
    /* 1 / (1 + a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)) */
    double want = 1 / (1 + 0.793 / (2.426 + 1) * pow((4.414 + 38.86) / (4.414 + 30.43), 2.243));
    assert_near(cip_clv_p_alive(&m, 2, 30.43, 38.86), want, 1e-14);
    /* one step, no discount: CLV = spend * E[Y(horizon)] */
    cip_clv_value_params vp = {39, 39, 0, 1};
    assert_near(cip_clv_value(&m, &vp, 10, 2, 30.43, 38.86),
                10 * cip_clv_conditional(&m, 39, 2, 30.43, 38.86), 1e-12);
    /* discounting lowers it, and more steps at rate 0 change nothing */
    vp.step = 3;
    assert_near(cip_clv_value(&m, &vp, 10, 2, 30.43, 38.86),
                10 * cip_clv_conditional(&m, 39, 2, 30.43, 38.86), 1e-12);
    vp.rate = 0.01;
    assert_true(cip_clv_value(&m, &vp, 10, 2, 30.43, 38.86) <
                10 * cip_clv_conditional(&m, 39, 2, 30.43, 38.86));
    cip_ctx_free(ctx);
}

/* Simulated BG/NBD customers: a fit recovers the generating parameters. */
static void test_clv_bgnbd_recovers_simulated_parameters(void **state)
{
    (void)state;
    enum { N = 6000 };
    const double r = 0.5, al = 5.0, a = 1.2, b = 3.0, T = 52;
    double *x = malloc(N * sizeof *x), *tx = malloc(N * sizeof *tx), *TT = malloc(N * sizeof *TT);
    assert_non_null(x);
    assert_non_null(tx);
    assert_non_null(TT);
    cip_rng g;
    cip_rng_init(&g, 99, 0);
    for (int i = 0; i < N; i++) {
        /* lambda ~ Gamma(r, alpha) via the sum of r=0.5: chi-square(1)/(2 alpha) */
        double z = cip_rng_normal(&g);
        double lam = z * z / (2 * al);
        /* p ~ Beta(a, b) from two gammas is avoided: inverse-CDF-free rejection */
        double pd;
        for (;;) {
            double u = cip_rng_uniform(&g), v = cip_rng_uniform(&g);
            double dens = pow(u, a - 1) * pow(1 - u, b - 1) / 1.0; /* max <= 1 for a>=1,b>=1 */
            if (v <= dens) {
                pd = u;
                break;
            }
        }
        double t = 0, last = 0;
        int n = 0;
        for (;;) {
            t += -log(1 - cip_rng_uniform(&g)) / lam;
            if (t > T)
                break;
            n++;
            last = t;
            if (cip_rng_uniform(&g) < pd)
                break;
        }
        x[i] = n;
        tx[i] = last;
        TT[i] = T;
    }
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_clv_summary *s = NULL;
    assert_int_equal(cip_clv_summary_from_arrays(ctx, N, x, tx, TT, NULL, CIP_CLV_WEEKS, &s),
                     CIP_OK);
    cip_clv_model m;
    assert_int_equal(cip_clv_fit(ctx, CIP_CLV_BGNBD, s, NULL, &m), CIP_OK);
    const double want[4] = {r, al, a, b};
    for (int k = 0; k < 4; k++) /* within 3 standard errors */
        if (!(fabs(m.param[k] - want[k]) < 3 * m.se[k]))
            fail_msg("%s = %g (se %g), generated with %g", cip_clv_param_name(m.kind, k),
                     m.param[k], m.se[k], want[k]);
    cip_clv_summary_free(s);
    cip_ctx_free(ctx);
    free(x);
    free(tx);
    free(TT);
}

/* --- CDNOW ------------------------------------------------------------------------------------ */

static struct {
    int ok;
    cip_clv_tx *tx;
    cip_clv_summary *s;
    cip_clv_model bg, pn, gg;
} cd;

static int cdnow_setup(void **state)
{
    (void)state;
    char path[512];
    memset(&cd, 0, sizeof cd);
    if (cipt_shared_path(path, sizeof path, "data/CDNOW_sample.txt") == NULL)
        return 0;
    cip_ctx *ctx;
    if (cip_ctx_new(&ctx) != CIP_OK)
        return -1;
    int rc = -1;
    if (cip_clv_tx_read(ctx, path, NULL, &cd.tx) != CIP_OK ||
        cip_clv_summary_new(ctx, cd.tx, day_of("1997-09-30"), day_of("1998-06-30"), CIP_CLV_WEEKS,
                            &cd.s) != CIP_OK ||
        cip_clv_fit(ctx, CIP_CLV_BGNBD, cd.s, NULL, &cd.bg) != CIP_OK ||
        cip_clv_fit(ctx, CIP_CLV_PARETO, cd.s, NULL, &cd.pn) != CIP_OK ||
        cip_clv_fit(ctx, CIP_CLV_GAMMAGAMMA, cd.s, NULL, &cd.gg) != CIP_OK) {
        fprintf(stderr, "cdnow setup: %s\n", cip_ctx_errmsg(ctx));
        goto done;
    }
    cd.ok = 1;
    rc = 0;
done:
    cip_ctx_free(ctx);
    return rc;
}

static int cdnow_teardown(void **state)
{
    (void)state;
    cip_clv_summary_free(cd.s);
    cip_clv_tx_free(cd.tx);
    return 0;
}

#define NEED_CDNOW()                                                                               \
    do {                                                                                           \
        if (!cd.ok) {                                                                              \
            print_message("SKIP: ../shared is absent, CDNOW figures not checked\n");               \
            skip();                                                                                \
        }                                                                                          \
    } while (0)

static void test_clv_cdnow_summary_equals_published(void **state)
{
    (void)state;
    NEED_CDNOW();
    assert_int_equal(cip_clv_tx_customers(cd.tx), 2357);
    cip_clv_totals t;
    cip_clv_summary_totals(cd.s, &t);
    assert_int_equal(t.customers, 2357);
    assert_near(t.repeat_tx, 2457, 0);
    assert_int_equal(t.repeaters, 946);
    assert_int_equal(t.zero_class, 1411);
    assert_near(t.mean_zbar, 35.08, 0.005); /* "946 repeat buyers, mean zbar = $35.08" */
    /* sample customer 1 (master 4): x 2, t_x 30.43, T 38.86, zbar 22.345 */
    assert_string_equal(cip_clv_tx_customer_id(cd.tx, cd.s->customer[0]), "1");
    assert_near(cd.s->x[0], 2, 0);
    assert_near(cd.s->t_x[0], 30.43, 0.005);
    assert_near(cd.s->T[0], 38.86, 0.005);
    assert_near(cd.s->zbar[0], 22.345, 1e-9);
    /* zero class in the holdout: 334 transactions of 1411 customers */
    double z = 0;
    for (size_t i = 0; i < cd.s->n; i++)
        z += cd.s->x[i] == 0 ? cd.s->x_hold[i] : 0;
    assert_near(z, 334, 0);
}

static void test_clv_cdnow_without_merge_differs_as_documented(void **state)
{
    (void)state;
    NEED_CDNOW();
    char path[512];
    cipt_shared_path(path, sizeof path, "data/CDNOW_sample.txt");
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_clv_read_params p;
    cip_clv_read_params_default(&p);
    p.merge_same_day = 0;
    cip_clv_tx *tx = NULL;
    cip_clv_summary *s = NULL;
    assert_int_equal(cip_clv_tx_read(ctx, path, &p, &tx), CIP_OK);
    assert_int_equal(cip_clv_tx_count(tx), 6919);
    assert_int_equal(cip_clv_summary_new(ctx, tx, day_of("1997-09-30"), 0, CIP_CLV_WEEKS, &s),
                     CIP_OK);
    cip_clv_totals t;
    cip_clv_summary_totals(s, &t);
    assert_near(t.repeat_tx, 2603, 0);
    assert_int_equal(t.repeaters, 959);
    cip_clv_summary_free(s);
    cip_clv_tx_free(tx);
    /* keyed on the master id: the same 2357 customers */
    p.merge_same_day = 1;
    p.cdnow_master_id = 1;
    assert_int_equal(cip_clv_tx_read(ctx, path, &p, &tx), CIP_OK);
    assert_int_equal(cip_clv_tx_customers(tx), 2357);
    assert_string_equal(cip_clv_tx_customer_id(tx, 0), "4");
    assert_string_equal(cip_clv_tx_customer_id(tx, 1), "21");
    cip_clv_tx_free(tx);
    cip_ctx_free(ctx);
}

static void test_clv_cdnow_bgnbd_matches_fhl2005(void **state)
{
    (void)state;
    NEED_CDNOW();
    const double want[4] = {0.243, 4.414, 0.793, 2.426};
    for (int k = 0; k < 4; k++)
        assert_near(cd.bg.param[k], want[k], 0.0005);
    assert_near(cd.bg.loglik, -9582.4, 0.05);
    assert_true(cd.bg.converged);
    /* standard errors as printed by lifetimes: 0.012557 0.378221 0.185719 0.705345 */
    const double se[4] = {0.012557, 0.378221, 0.185719, 0.705345};
    for (int k = 0; k < 4; k++)
        assert_near(cd.bg.se[k], se[k], 0.02 * se[k]);
}

static void test_clv_cdnow_pareto_matches_fhl2005(void **state)
{
    (void)state;
    NEED_CDNOW();
    const double want[4] = {0.553, 10.578, 0.606, 11.669};
    for (int k = 0; k < 4; k++)
        assert_near(cd.pn.param[k], want[k], 0.0015); /* CLVTools: 10.57633, 11.67150 */
    assert_near(cd.pn.loglik, -9595.0, 0.05);
    /* CLVTools SEs 0.0476, 0.8427, 0.1873, 6.2105 */
    const double se[4] = {0.0476, 0.8427, 0.1873, 6.2105};
    for (int k = 0; k < 4; k++)
        assert_near(cd.pn.se[k], se[k], 0.03 * se[k]);
}

static void test_clv_cdnow_gamma_gamma_matches_fh2013(void **state)
{
    (void)state;
    NEED_CDNOW();
    assert_int_equal(cd.gg.n_obs, 946);
    assert_near(cd.gg.param[0], 6.25, 0.005);
    assert_near(cd.gg.param[1], 3.74, 0.005);
    assert_near(cd.gg.param[2], 15.44, 0.005);
    assert_near(cd.gg.loglik, -4055.9177, 0.0005);
}

static void test_clv_cdnow_spreadsheet_checks(void **state)
{
    (void)state;
    NEED_CDNOW();
    const double t[6] = {0.1429, 1, 3, 31.8571, 32, 78};
    const double ex[6] = {0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576};
    for (int k = 0; k < 6; k++) /* fitted parameters carry 4-5 digits: 1e-4 + rounding */
        assert_near(cip_clv_expected(&cd.bg, t[k]), ex[k], 0.0004);
    assert_near(cip_clv_conditional(&cd.bg, 39, 2, 30.43, 38.86), 1.226, 0.0005);
    const double spend[10] = {24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17};
    for (int i = 0; i < 10; i++) {
        char id[16];
        snprintf(id, sizeof id, "%d", i + 1);
        assert_string_equal(cip_clv_tx_customer_id(cd.tx, cd.s->customer[i]), id);
        assert_near(cip_clv_expected_spend(&cd.gg, cd.s->x[i], cd.s->zbar[i]), spend[i], 0.005);
    }
}

static void test_clv_cdnow_histogram_chisq_matches_fhl2005(void **state)
{
    (void)state;
    NEED_CDNOW();
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    double o[8], e[8], c;
    assert_int_equal(cip_clv_histogram_chisq(ctx, &cd.bg, cd.s, 8, o, e, &c), CIP_OK);
    assert_near(c, 4.82, 0.005); /* FHL 2005: chi2_3 = 4.82 for BG/NBD */
    const double obs[8] = {1411, 439, 214, 100, 62, 38, 29, 64};
    double sum = 0;
    for (int k = 0; k < 8; k++) {
        assert_near(o[k], obs[k], 0);
        sum += e[k];
    }
    assert_near(sum, 2357, 1e-8);
    assert_near(e[0], 1407.7, 0.05);
    /* P(X(t) = x) sums to 1 and has the right mean */
    double tot = 0, mean = 0;
    for (int x = 0; x < 400; x++) {
        double p = cip_clv_pmf(&cd.bg, x, 30);
        tot += p;
        mean += x * p;
    }
    assert_near(tot, 1, 1e-9);
    assert_near(mean, cip_clv_expected(&cd.bg, 30), 1e-7);
    assert_int_equal(cip_clv_histogram_chisq(ctx, &cd.pn, cd.s, 8, NULL, NULL, &c),
                     CIP_ERR_INVALID);
    cip_ctx_free(ctx);
}

static void test_clv_cdnow_holdout_evaluation(void **state)
{
    (void)state;
    NEED_CDNOW();
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    double *pred = malloc(cd.s->n * sizeof *pred);
    assert_non_null(pred);
    assert_near(cd.s->holdout_length, 39, 0);
    cip_clv_eval e;
    for (size_t i = 0; i < cd.s->n; i++)
        pred[i] = cip_clv_conditional(&cd.bg, 39, cd.s->x[i], cd.s->t_x[i], cd.s->T[i]);
    assert_int_equal(cip_clv_evaluate(ctx, cd.s, &cd.bg, pred, NULL, &e), CIP_OK);
    assert_near(e.corr, 0.626, 0.0005);        /* FHL 2005: 0.626 */
    assert_near(e.cum_error, -0.04, 0.005);    /* "under-forecasts by about 4%" */
    assert_near(e.cum_actual, 2457 + 1882, 0); /* weeks 1-78 */
    assert_near(e.zero_actual, 334.0 / 1411, 1e-12);
    assert_near(e.zero_pred, 0.23, 0.005); /* FHL: 0.23 */
    for (size_t i = 0; i < cd.s->n; i++)
        pred[i] = cip_clv_conditional(&cd.pn, 39, cd.s->x[i], cd.s->t_x[i], cd.s->T[i]);
    assert_int_equal(cip_clv_evaluate(ctx, cd.s, &cd.pn, pred, NULL, &e), CIP_OK);
    assert_near(e.cum_error, -0.02, 0.005); /* "Pareto/NBD by about 2%" */
    free(pred);
    cip_ctx_free(ctx);
}

static void test_clv_fit_identical_for_any_thread_count(void **state)
{
    (void)state;
    NEED_CDNOW();
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_clv_model m1, m3;
    cip_ctx_set_threads(ctx, 1);
    assert_int_equal(cip_clv_fit(ctx, CIP_CLV_BGNBD, cd.s, NULL, &m1), CIP_OK);
    cip_ctx_set_threads(ctx, 3);
    assert_int_equal(cip_clv_fit(ctx, CIP_CLV_BGNBD, cd.s, NULL, &m3), CIP_OK);
    assert_memory_equal(m1.param, m3.param, sizeof m1.param);
    assert_true(m1.loglik == m3.loglik);
    assert_true(m1.loglik == cd.bg.loglik);
    cip_ctx_free(ctx);
}

/* --- errors and out of memory ------------------------------------------------------------- */

static void test_clv_fit_rejects_degenerate_input(void **state)
{
    (void)state;
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    const double x[] = {0, 0}, t_x[] = {0, 0}, T[] = {5, 6};
    cip_clv_summary *s = NULL;
    assert_int_equal(cip_clv_summary_from_arrays(ctx, 2, x, t_x, T, NULL, CIP_CLV_DAYS, &s),
                     CIP_OK);
    cip_clv_model m;
    assert_int_equal(cip_clv_fit(ctx, CIP_CLV_BGNBD, s, NULL, &m), CIP_ERR_INVALID);
    assert_int_equal(cip_clv_fit(ctx, CIP_CLV_GAMMAGAMMA, s, NULL, &m), CIP_ERR_INVALID);
    cip_clv_fit_params fp;
    cip_clv_fit_params_default(&fp);
    fp.tol = 0;
    assert_int_equal(cip_clv_fit(ctx, CIP_CLV_BGNBD, s, &fp, &m), CIP_ERR_INVALID);
    cip_clv_summary_free(s);
    const double bad_tx[] = {0, 7};
    assert_int_equal(cip_clv_summary_from_arrays(ctx, 2, x, bad_tx, T, NULL, CIP_CLV_DAYS, &s),
                     CIP_ERR_INVALID);
    assert_null(s);
    cip_ctx_free(ctx);
}

static cip_status oom_body(cip_ctx *ctx, void *arg)
{
    const char *path = arg;
    cip_clv_tx *tx = NULL;
    cip_clv_summary *s = NULL;
    cip_status rc = cip_clv_tx_read(ctx, path, NULL, &tx);
    if (rc == CIP_OK)
        rc = cip_clv_summary_new(ctx, tx, day_of("2020-01-31"), day_of("2020-03-31"), CIP_CLV_DAYS,
                                 &s);
    if (rc == CIP_OK) {
        uint8_t seg[2];
        rc = cip_clv_rfm(ctx, s, NULL, NULL, NULL, seg);
    }
    if (rc == CIP_OK) {
        cip_clv_model m;
        cip_clv_fit_params p;
        cip_clv_fit_params_default(&p);
        p.max_iter = 20;
        rc = cip_clv_fit(ctx, CIP_CLV_BGNBD, s, &p, &m);
    }
    cip_clv_summary_free(s);
    cip_clv_tx_free(tx);
    return rc;
}

static void test_clv_oom_sweep_read_summary_fit(void **state)
{
    (void)state;
    char path[512];
    cipt_data_path(path, sizeof path, "clv/tx_small.csv");
    assert_true(cipt_oom_sweep(oom_body, path) > 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clv_date_formats_parse_and_reject),
        cmocka_unit_test(test_clv_csv_read_merges_same_day_and_summarises),
        cmocka_unit_test(test_clv_csv_custom_columns_and_format),
        cmocka_unit_test(test_clv_csv_errors_name_file_and_line),
        cmocka_unit_test(test_clv_cdnow_errors_name_line),
        cmocka_unit_test(test_clv_from_arrays_matches_file),
        cmocka_unit_test(test_clv_rfm_quintiles_ties_share_scores),
        cmocka_unit_test(test_clv_pareto_branches_agree_at_alpha_equal_beta),
        cmocka_unit_test(test_clv_pareto_extreme_regimes_match_mpmath),
        cmocka_unit_test(test_clv_bgnbd_p_alive_and_value_closed_forms),
        cmocka_unit_test(test_clv_bgnbd_recovers_simulated_parameters),
        cmocka_unit_test(test_clv_cdnow_summary_equals_published),
        cmocka_unit_test(test_clv_cdnow_without_merge_differs_as_documented),
        cmocka_unit_test(test_clv_cdnow_bgnbd_matches_fhl2005),
        cmocka_unit_test(test_clv_cdnow_pareto_matches_fhl2005),
        cmocka_unit_test(test_clv_cdnow_gamma_gamma_matches_fh2013),
        cmocka_unit_test(test_clv_cdnow_spreadsheet_checks),
        cmocka_unit_test(test_clv_cdnow_histogram_chisq_matches_fhl2005),
        cmocka_unit_test(test_clv_cdnow_holdout_evaluation),
        cmocka_unit_test(test_clv_fit_identical_for_any_thread_count),
        cmocka_unit_test(test_clv_fit_rejects_degenerate_input),
        cmocka_unit_test(test_clv_oom_sweep_read_summary_fit),
    };
    return cmocka_run_group_tests(tests, cdnow_setup, cdnow_teardown);
}
