/* test_features.c - the feature pipeline: reference parity, every column rule,
 * fit/transform separation, lineage, errors (persistence, corruption, OOM:
 * test_features_persist.c)
 *
 * Expected values come from three independent places: the reference file in
 * ../shared (byte parity), tests/data/features/*_expected.csv written by
 * tools/ref_features.py with pandas/scikit-learn, and small frames whose
 * answers are worked out by hand in the comments.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cip/features.h"
#include "testutil.h"
#include "features_fixture.h"

/* --- helpers -------------------------------------------------------------------------- */

/* Line k (0 = header) of a CSV text, copied into buf. */
static const char *line_of(const char *text, size_t k, char *buf, size_t size)
{
    const char *p = text;
    for (size_t i = 0; i < k; i++) {
        p = strchr(p, '\n');
        assert_non_null(p);
        p++;
    }
    size_t n = strcspn(p, "\n");
    assert_true(n < size);
    memcpy(buf, p, n);
    buf[n] = '\0';
    return buf;
}

static void expect_fixture_parity(cip_ctx *ctx, const cip_frame *raw, const char *expected_path)
{
    cip_featpipe *p = NULL;
    cip_frame *out = NULL;
    assert_int_equal(cip_featpipe_fit(ctx, raw, NULL, &p), CIP_OK);
    assert_int_equal(cip_featpipe_transform(ctx, p, raw, &out), CIP_OK);
    size_t got_len, want_len;
    char *got = csv_text(ctx, out, &got_len);
    char *want = slurp(expected_path, &want_len);
    assert_int_equal(got_len, want_len);
    assert_memory_equal(got, want, want_len);
    free(got);
    free(want);
    cip_frame_free(out);
    cip_featpipe_free(p);
}

/* --- parity ---------------------------------------------------------------------------- */

static void test_features_parity_reference_file(void **state)
{
    (void)state;
    char raw_path[512], eng_path[512];
    if (cipt_shared_path(raw_path, sizeof raw_path, "data/Customer_Purchasing_Behaviors.csv") ==
            NULL ||
        cipt_shared_path(eng_path, sizeof eng_path,
                         "data/df_eng_customer_purchasing_features.csv") == NULL) {
        print_message("SKIP: ../shared is absent, reference parity not checked\n");
        skip();
    }
    cip_ctx *ctx;
    cip_frame *raw = NULL;
    cip_featpipe *p = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    assert_int_equal(cip_frame_read_csv(ctx, raw_path, NULL, &raw), CIP_OK);
    expect_fixture_parity(ctx, raw, eng_path);
    /* the fitted state quoted in shared/data/README.md */
    assert_int_equal(cip_featpipe_fit(ctx, raw, NULL, &p), CIP_OK);
    cip_featpipe_info in;
    cip_featpipe_get_info(p, &in);
    assert_true(in.q_purchase == 527.5);
    assert_true(in.q_loyalty == 8.275);
    assert_true(in.q_frequency == 23.0);
    const double edges[5] = {10, 17, 20, 23, 28};
    assert_int_equal(in.n_frequency_edges, 5);
    for (int k = 0; k < 5; k++)
        assert_true(in.frequency_edges[k] == edges[k]);
    assert_true(fabs(in.churn_threshold - 0.63405) < 1e-12);
    assert_int_equal(in.n_regions, 3);
    assert_string_equal(in.regions[0], "North");
    assert_int_equal(cip_featpipe_n_features(p), 22);
    uint8_t lab[238];
    assert_int_equal(cip_featpipe_churn_label(ctx, p, raw, lab, 238), CIP_OK);
    int pos = 0;
    for (int i = 0; i < 238; i++)
        pos += lab[i];
    assert_int_equal(pos, 60);
    /* the same labels from the engineered file read back (rounded column) */
    cip_frame *eng = NULL;
    assert_int_equal(cip_frame_read_csv(ctx, eng_path, NULL, &eng), CIP_OK);
    uint8_t lab2[238];
    assert_int_equal(cip_featpipe_churn_label(ctx, p, eng, lab2, 238), CIP_OK);
    assert_memory_equal(lab, lab2, 238);
    cip_frame_free(eng);
    cip_featpipe_free(p);
    cip_frame_free(raw);
    cip_ctx_free(ctx);
}

static void test_features_parity_small_fixture(void **state)
{
    (void)state;
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_frame *raw = read_fixture(ctx, "features/small_raw.csv");
    char path[512];
    expect_fixture_parity(ctx, raw,
                          cipt_data_path(path, sizeof path, "features/small_expected.csv"));
    /* churn labels and threshold from pandas (tools/ref_features.py) */
    cip_featpipe *p = NULL;
    assert_int_equal(cip_featpipe_fit(ctx, raw, NULL, &p), CIP_OK);
    size_t len;
    char *want = slurp(cipt_data_path(path, sizeof path, "features/small_churn.txt"), &len);
    double thr = strtod(want + strlen("# churn threshold "), NULL);
    cip_featpipe_info in;
    cip_featpipe_get_info(p, &in);
    assert_true(in.churn_threshold == thr);
    uint8_t lab[24];
    assert_int_equal(cip_featpipe_churn_label(ctx, p, raw, lab, 24), CIP_OK);
    const char *q = strchr(want, '\n') + 1;
    for (size_t i = 0; i < 24; i++, q += 2)
        assert_int_equal(lab[i], q[0] - '0');
    free(want);
    cip_featpipe_free(p);
    cip_frame_free(raw);
    cip_ctx_free(ctx);
}

static void test_features_output_columns_types_and_order(void **state)
{
    (void)state;
    static const char *const names[29] = {"user_id",
                                          "age",
                                          "annual_income",
                                          "purchase_amount",
                                          "loyalty_score",
                                          "region",
                                          "purchase_frequency",
                                          "region_grouped",
                                          "region_North",
                                          "region_South",
                                          "spend_per_purchase",
                                          "spend_to_income_ratio",
                                          "age_group",
                                          "income_bracket",
                                          "customer_value_score",
                                          "churn_risk_score",
                                          "is_high_value",
                                          "is_loyal",
                                          "is_frequent",
                                          "is_champion",
                                          "income_percentile",
                                          "spending_percentile",
                                          "growth_potential_score",
                                          "age_adjusted_percentile",
                                          "frequency_percentile",
                                          "log_purchase_amount",
                                          "log_annual_income",
                                          "log_purchase_frequency",
                                          NULL};
    static const cip_type types[28] = {
        CIP_TYPE_INT,   CIP_TYPE_INT,   CIP_TYPE_INT,  CIP_TYPE_INT,   CIP_TYPE_FLOAT,
        CIP_TYPE_CAT,   CIP_TYPE_INT,   CIP_TYPE_CAT,  CIP_TYPE_BOOL,  CIP_TYPE_BOOL,
        CIP_TYPE_FLOAT, CIP_TYPE_FLOAT, CIP_TYPE_CAT,  CIP_TYPE_CAT,   CIP_TYPE_FLOAT,
        CIP_TYPE_FLOAT, CIP_TYPE_BOOL,  CIP_TYPE_BOOL, CIP_TYPE_BOOL,  CIP_TYPE_BOOL,
        CIP_TYPE_FLOAT, CIP_TYPE_FLOAT, CIP_TYPE_INT,  CIP_TYPE_FLOAT, CIP_TYPE_CAT,
        CIP_TYPE_FLOAT, CIP_TYPE_FLOAT, CIP_TYPE_FLOAT};
    cip_ctx *ctx;
    cip_frame *raw = NULL, *out = NULL;
    cip_featpipe *p = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    struct rows r = {.n = 6}; /* default regions: North/South only -> 2 one-hot columns */
    assert_int_equal(mk_raw(ctx, &r, &raw), CIP_OK);
    assert_int_equal(cip_featpipe_fit(ctx, raw, NULL, &p), CIP_OK);
    assert_int_equal(cip_featpipe_transform(ctx, p, raw, &out), CIP_OK);
    assert_int_equal(cip_frame_n_cols(out), 28);
    for (size_t j = 0; j < 28; j++) {
        assert_string_equal(cip_frame_col_name(out, j), names[j]);
        assert_int_equal(cip_frame_col_type(out, j), types[j]);
    }
    cip_frame_free(out);
    cip_featpipe_free(p);
    cip_frame_free(raw);
    cip_ctx_free(ctx);
}

/* --- column rules on hand-computed frames ----------------------------------------------- */

static void test_features_quantile_interpolates_linearly_strict_flags(void **state)
{
    (void)state;
    cip_ctx *ctx;
    cip_featpipe *p = NULL;
    cip_frame *out = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    /* n = 6: h = 5 * 0.75 = 3.75 -> v[3] + 0.75 (v[4] - v[3]) = 40 + 7.5 (the rule
     * that gives 527.5 = 520 + 0.75 * 10 on the reference data) */
    const int64_t pa[6] = {60, 10, 50, 20, 40, 30};
    struct rows r = {.n = 6, .purchase = pa};
    fit_tx(ctx, &r, NULL, &p, &out);
    cip_featpipe_info in;
    cip_featpipe_get_info(p, &in);
    assert_true(in.q_purchase == 47.5);
    assert_true(in.q_loyalty == 4.875);   /* 3.0 .. 5.5 step .5: 4.5 + .75 * .5 */
    assert_true(in.q_frequency == 13.75); /* 10 .. 15 */
    const int hv[6] = {1, 0, 1, 0, 0, 0};
    for (size_t i = 0; i < 6; i++)
        assert_int_equal((int)num(out, "is_high_value", i), hv[i]);
    cip_frame_free(out);
    cip_featpipe_free(p);
    /* n = 5: h = 3 exactly -> 40; the flag is strict, so 40 is not high value */
    const int64_t pa5[5] = {10, 20, 30, 40, 50};
    struct rows r5 = {.n = 5, .purchase = pa5};
    fit_tx(ctx, &r5, NULL, &p, &out);
    cip_featpipe_get_info(p, &in);
    assert_true(in.q_purchase == 40.0);
    assert_true(num(out, "is_high_value", 3) == 0.0);
    assert_true(num(out, "is_high_value", 4) == 1.0);
    cip_frame_free(out);
    cip_featpipe_free(p);
    cip_ctx_free(ctx);
}

static void test_features_percentile_average_rank_ties(void **state)
{
    (void)state;
    cip_ctx *ctx;
    cip_featpipe *p = NULL;
    cip_frame *out = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    /* incomes 10k, 20k, 20k, 30k: ranks 1, 2.5, 2.5, 4 over n = 4 */
    const int64_t inc[4] = {10000, 20000, 20000, 30000};
    /* ages: two Young_Adult, two Adult; frequency within each group */
    const int64_t age[4] = {20, 20, 40, 40};
    const int64_t fr[4] = {5, 5, 7, 3};
    struct rows r = {.n = 4, .income = inc, .age = age, .freq = fr};
    fit_tx(ctx, &r, NULL, &p, &out);
    const double want[4] = {0.25, 0.625, 0.625, 1.0};
    const double want_age[4] = {0.75, 0.75, 1.0, 0.5}; /* 1.5/2, 1.5/2, 2/2, 1/2 */
    for (size_t i = 0; i < 4; i++) {
        assert_true(num(out, "income_percentile", i) == want[i]);
        assert_true(num(out, "age_adjusted_percentile", i) == want_age[i]);
    }
    cip_frame_free(out);
    cip_featpipe_free(p);
    cip_ctx_free(ctx);
}

static void test_features_qcut_edge_value_goes_to_lower_bin(void **state)
{
    (void)state;
    cip_ctx *ctx;
    cip_featpipe *p = NULL;
    cip_frame *out = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    /* 1..9: edges at h = 0, 2, 4, 6, 8 -> 1, 3, 5, 7, 9; right-closed bins */
    const int64_t fr[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    struct rows r = {.n = 9, .freq = fr};
    fit_tx(ctx, &r, NULL, &p, &out);
    const char *want[9] = {"0-25%",  "0-25%",  "0-25%",   "25-50%", "25-50%",
                           "50-75%", "50-75%", "75-100%", "75-100%"};
    for (size_t i = 0; i < 9; i++)
        assert_string_equal(cat(out, "frequency_percentile", i), want[i]);
    cip_frame_free(out);
    cip_featpipe_free(p);
    cip_ctx_free(ctx);
}

static void test_features_qcut_duplicate_edges_error_or_lower_bin(void **state)
{
    (void)state;
    cip_ctx *ctx;
    cip_featpipe *p = NULL;
    cip_frame *raw = NULL, *out = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    /* edges 1, 1, 1, 1, 2: pandas raises "Bin edges must be unique" */
    const int64_t fr[5] = {1, 1, 1, 1, 2};
    struct rows r = {.n = 5, .freq = fr};
    assert_int_equal(mk_raw(ctx, &r, &raw), CIP_OK);
    assert_int_equal(cip_featpipe_fit(ctx, raw, NULL, &p), CIP_ERR_INVALID);
    assert_null(p);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "duplicate edges"));
    cip_featpipe_params pp;
    cip_featpipe_params_default(&pp);
    pp.frequency_ties = CIP_FEATPIPE_TIES_LOWER;
    assert_int_equal(cip_featpipe_fit(ctx, raw, &pp, &p), CIP_OK);
    assert_int_equal(cip_featpipe_transform(ctx, p, raw, &out), CIP_OK);
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(cat(out, "frequency_percentile", i), "0-25%");
    assert_string_equal(cat(out, "frequency_percentile", 4), "75-100%");
    /* the tie policy survives a save/load */
    char *buf = NULL;
    size_t len;
    cip_featpipe *q = NULL;
    assert_int_equal(cip_featpipe_save_mem(ctx, p, &buf, &len), CIP_OK);
    assert_int_equal(cip_featpipe_load_mem(ctx, buf, len, &q), CIP_OK);
    cip_featpipe_params got;
    cip_featpipe_get_params(q, &got);
    assert_int_equal(got.frequency_ties, CIP_FEATPIPE_TIES_LOWER);
    cip_featpipe_free(q);
    cip_featpipe_buf_free(ctx, buf);
    cip_frame_free(out);
    cip_featpipe_free(p);
    cip_frame_free(raw);
    cip_ctx_free(ctx);
}

static void test_features_cut_left_closed_outside_is_missing(void **state)
{
    (void)state;
    cip_ctx *ctx;
    cip_featpipe *p = NULL;
    cip_frame *out = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    const int64_t age[10] = {13, 14, 29, 30, 44, 45, 59, 60, 99, 100};
    const int64_t inc[10] = {44999, 45000, 89999, 90000, 149999, 150000, -1, 0, 1, 2};
    struct rows r = {.n = 10, .age = age, .income = inc};
    fit_tx(ctx, &r, NULL, &p, &out);
    const char *ag[10] = {NULL,          "Young_Adult", "Young_Adult", "Adult",  "Adult",
                          "Middle_Aged", "Middle_Aged", "Senior",      "Senior", NULL};
    const char *ib[10] = {
        "Low_Income", "Medium_Income", "Medium_Income", "High_Income", "High_Income", NULL,
        NULL,         "Low_Income",    "Low_Income",    "Low_Income"};
    for (size_t i = 0; i < 10; i++) {
        const char *a = cat(out, "age_group", i), *b = cat(out, "income_bracket", i);
        if (ag[i] == NULL)
            assert_null(a);
        else
            assert_string_equal(a, ag[i]);
        if (ib[i] == NULL)
            assert_null(b);
        else
            assert_string_equal(b, ib[i]);
    }
    /* no age group -> no age-adjusted percentile (pandas groupby drops NaN keys) */
    assert_true(isnan(num(out, "age_adjusted_percentile", 0)));
    assert_true(isnan(num(out, "age_adjusted_percentile", 9)));
    assert_true(num(out, "age_adjusted_percentile", 1) == 0.5); /* freq 11 of {11, 12} */
    cip_frame_free(out);
    cip_featpipe_free(p);
    cip_ctx_free(ctx);
}

static void test_features_growth_score_truncates(void **state)
{
    (void)state;
    cip_ctx *ctx;
    cip_featpipe *p = NULL;
    cip_frame *out = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    /* income pct .25 .5 .75 1, spending pct 1 .75 .5 .25: g = -.75 -.25 .25 .75,
     * scaled to 0, 33.33, 66.67, 100 -> truncated 0, 33, 66, 100 (rounding: 67) */
    const int64_t inc[4] = {10000, 20000, 30000, 40000};
    const int64_t pa[4] = {400, 300, 200, 100};
    struct rows r = {.n = 4, .income = inc, .purchase = pa};
    fit_tx(ctx, &r, NULL, &p, &out);
    const double want[4] = {0, 33, 66, 100};
    size_t j;
    assert_int_equal(cip_frame_find(NULL, out, "growth_potential_score", &j), CIP_OK);
    assert_int_equal(cip_frame_col_type(out, j), CIP_TYPE_INT);
    for (size_t i = 0; i < 4; i++)
        assert_true(num(out, "growth_potential_score", i) == want[i]);
    cip_frame_free(out);
    cip_featpipe_free(p);
    cip_ctx_free(ctx);
}

static void test_features_constant_column_uses_unit_range(void **state)
{
    (void)state;
    cip_ctx *ctx;
    cip_featpipe *p = NULL;
    cip_frame *out = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    /* purchase and income constant: P = 0, spending pct = 2.5/4, g = 0 -> growth 0;
     * loyalty constant: L = 0 -> churn = 0.5 + 0.5 (1 - F) */
    const int64_t pa[4] = {200, 200, 200, 200}, inc[4] = {50000, 50000, 50000, 50000};
    const int64_t fr[4] = {10, 12, 14, 16};
    const double loy[4] = {5, 5, 5, 5};
    struct rows r = {.n = 4, .purchase = pa, .income = inc, .freq = fr, .loyalty = loy};
    fit_tx(ctx, &r, NULL, &p, &out);
    for (size_t i = 0; i < 4; i++) {
        double f = (double)(fr[i] - 10) / 6.0;
        assert_true(fabs(num(out, "customer_value_score", i) - 0.25 * f) < 1e-15);
        assert_true(fabs(num(out, "churn_risk_score", i) - (0.5 + 0.5 * (1 - f))) < 1e-15);
        assert_true(num(out, "spending_percentile", i) == 0.625);
        assert_true(num(out, "growth_potential_score", i) == 0.0);
        assert_true(num(out, "is_high_value", i) == 0.0);
        assert_true(num(out, "is_loyal", i) == 0.0);
    }
    cip_frame_free(out);
    cip_featpipe_free(p);
    cip_ctx_free(ctx);
}

/* --- fit/transform separation -------------------------------------------------------- */

static void test_features_fit_subset_transform_rest_no_leakage(void **state)
{
    (void)state;
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_frame *all = read_fixture(ctx, "features/small_raw.csv");
    size_t idx[24];
    for (size_t i = 0; i < 24; i++)
        idx[i] = i;
    cip_frame *train = NULL, *out_train = NULL, *out_all = NULL;
    cip_featpipe *p = NULL;
    assert_int_equal(cip_frame_take_rows(ctx, all, idx, 16, &train), CIP_OK);
    assert_int_equal(cip_featpipe_fit(ctx, train, NULL, &p), CIP_OK);
    char *before = NULL, *after = NULL;
    size_t lb, la;
    assert_int_equal(cip_featpipe_save_mem(ctx, p, &before, &lb), CIP_OK);
    assert_int_equal(cip_featpipe_transform(ctx, p, all, &out_all), CIP_OK);
    assert_int_equal(cip_featpipe_transform(ctx, p, train, &out_train), CIP_OK);
    /* transforming (other) rows leaves the fitted state untouched */
    assert_int_equal(cip_featpipe_save_mem(ctx, p, &after, &la), CIP_OK);
    assert_int_equal(la, lb);
    assert_memory_equal(before, after, lb);
    /* the fitted state only saw 16 rows */
    cip_featpipe_info in;
    cip_featpipe_get_info(p, &in);
    assert_int_equal(in.n_fit_rows, 16);
    assert_true(in.purchase_max == 640.0 && in.purchase_min == 150.0);
    /* each training row comes out the same whether or not other rows are present */
    size_t l1, l2;
    char *t_train = csv_text(ctx, out_train, &l1), *t_all = csv_text(ctx, out_all, &l2);
    char a[1024], b[1024];
    for (size_t k = 0; k <= 16; k++)
        assert_string_equal(line_of(t_train, k, a, sizeof a), line_of(t_all, k, b, sizeof b));
    free(t_train);
    free(t_all);
    cip_featpipe_buf_free(ctx, before);
    cip_featpipe_buf_free(ctx, after);
    cip_frame_free(out_train);
    cip_frame_free(out_all);
    cip_featpipe_free(p);
    cip_frame_free(train);
    cip_frame_free(all);
    cip_ctx_free(ctx);
}

static void test_features_single_row_transform_matches_batch(void **state)
{
    (void)state;
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_frame *all = read_fixture(ctx, "features/small_raw.csv");
    cip_featpipe *p = NULL;
    assert_int_equal(cip_featpipe_fit(ctx, all, NULL, &p), CIP_OK);
    size_t len;
    char path[512];
    char *want = slurp(cipt_data_path(path, sizeof path, "features/small_expected.csv"), &len);
    for (size_t i = 0; i < 24; i++) {
        cip_frame *one = NULL, *out = NULL;
        assert_int_equal(cip_frame_take_rows(ctx, all, &i, 1, &one), CIP_OK);
        assert_int_equal(cip_featpipe_transform(ctx, p, one, &out), CIP_OK);
        size_t l;
        char *t = csv_text(ctx, out, &l);
        char a[1024], b[1024];
        assert_string_equal(line_of(t, 1, a, sizeof a), line_of(want, i + 1, b, sizeof b));
        free(t);
        cip_frame_free(out);
        cip_frame_free(one);
    }
    free(want);
    cip_featpipe_free(p);
    cip_frame_free(all);
    cip_ctx_free(ctx);
}

static void test_features_unseen_values_follow_documented_rules(void **state)
{
    (void)state;
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_frame *all = read_fixture(ctx, "features/small_raw.csv");
    cip_featpipe *p = NULL;
    cip_frame *raw = NULL, *out = NULL;
    assert_int_equal(cip_featpipe_fit(ctx, all, NULL, &p), CIP_OK);
    /* row 0: every value beyond the fitted range; row 1: below it; row 2: between
     * fitted values (income 46500 lies between 45000 x3 .. 47000) */
    const int64_t age[3] = {120, 5, 33}, inc[3] = {200000, 1000, 46500};
    const int64_t pa[3] = {100, 700, 505}, fr[3] = {40, 5, 19};
    const double loy[3] = {10.0, 1.0, 7.0};
    const char *const reg[3] = {"East", "West", "South"};
    struct rows r = {3, age, inc, pa, fr, loy, reg};
    assert_int_equal(mk_raw(ctx, &r, &raw), CIP_OK);
    assert_int_equal(cip_featpipe_transform(ctx, p, raw, &out), CIP_OK);
    /* percentiles: (#less + (#equal + 1)/2) / 24, clipped to 1 */
    assert_true(num(out, "income_percentile", 0) == 1.0);
    assert_true(num(out, "spending_percentile", 0) == 0.5 / 24);
    assert_true(num(out, "income_percentile", 1) == 0.5 / 24);
    assert_true(num(out, "spending_percentile", 1) == 1.0);
    /* 46500: 9 fitted incomes below it (30000 x2, 33000, 38000, 41000, 44999, 45000 x3) */
    assert_true(num(out, "income_percentile", 2) == 9.5 / 24);
    /* growth clipped to [0, 100] */
    assert_true(num(out, "growth_potential_score", 0) == 100.0);
    assert_true(num(out, "growth_potential_score", 1) == 0.0);
    /* min-max scores are not clipped: P = (100 - 150) / 490 < 0 */
    double want = 0.5 * (-50.0 / 490.0) + 0.25 * (30.0 / 18.0) + 0.25 * (7.0 / 6.5);
    assert_true(fabs(num(out, "customer_value_score", 0) - want) < 1e-12);
    /* qcut: beyond the fitted ends -> the end bins */
    assert_string_equal(cat(out, "frequency_percentile", 0), "75-100%");
    assert_string_equal(cat(out, "frequency_percentile", 1), "0-25%");
    /* cut: outside the bins -> missing, and so is the age-group percentile */
    assert_null(cat(out, "age_group", 0));
    assert_null(cat(out, "age_group", 1));
    assert_null(cat(out, "income_bracket", 0));
    assert_true(isnan(num(out, "age_adjusted_percentile", 0)));
    /* Adult group of the fit has frequencies 12 14 21 21 24 24 25 13 16 (9 rows):
     * 19 has 4 below it -> 4.5 / 9 */
    assert_true(num(out, "age_adjusted_percentile", 2) == 4.5 / 9);
    assert_string_equal(cat(out, "region_grouped", 0), "North");
    assert_true(num(out, "region_North", 0) == 1.0);
    cip_frame_free(out);
    cip_frame_free(raw);
    cip_featpipe_free(p);
    cip_frame_free(all);
    cip_ctx_free(ctx);
}

static void test_features_unknown_region_rejected_unless_allowed(void **state)
{
    (void)state;
    cip_ctx *ctx;
    cip_featpipe *p = NULL, *p2 = NULL;
    cip_frame *train = NULL, *raw = NULL, *out = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    struct rows r = {.n = 6};
    assert_int_equal(mk_raw(ctx, &r, &train), CIP_OK);
    assert_int_equal(cip_featpipe_fit(ctx, train, NULL, &p), CIP_OK);
    const char *const reg[2] = {"North", "Mars"};
    struct rows r2 = {.n = 2, .region = reg};
    assert_int_equal(mk_raw(ctx, &r2, &raw), CIP_OK);
    assert_int_equal(cip_featpipe_transform(ctx, p, raw, &out), CIP_ERR_SCHEMA);
    assert_null(out);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "'Mars'"));
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "data row 2"));
    cip_featpipe_params pp;
    cip_featpipe_params_default(&pp);
    pp.allow_unknown_region = 1;
    assert_int_equal(cip_featpipe_fit(ctx, train, &pp, &p2), CIP_OK);
    assert_int_equal(cip_featpipe_transform(ctx, p2, raw, &out), CIP_OK);
    assert_string_equal(cat(out, "region_grouped", 1), "Mars");
    assert_true(num(out, "region_North", 1) == 0.0 && num(out, "region_South", 1) == 0.0);
    assert_true(num(out, "region_North", 0) == 1.0);
    cip_frame_free(out);
    cip_frame_free(raw);
    cip_frame_free(train);
    cip_featpipe_free(p);
    cip_featpipe_free(p2);
    cip_ctx_free(ctx);
}

/* --- lineage, errors, params ----------------------------------------------------------------- */

static void expect_lineage(const cip_featpipe *p, const char *col, const char *const *want,
                           size_t n_want)
{
    const char *const *in = NULL;
    size_t n = 0;
    assert_int_equal(cip_featpipe_lineage(p, col, &in, &n), CIP_OK);
    assert_int_equal(n, n_want);
    for (size_t k = 0; k < n; k++)
        assert_string_equal(in[k], want[k]);
}

static void test_features_lineage_names_raw_inputs(void **state)
{
    (void)state;
    cip_ctx *ctx;
    cip_featpipe *p = NULL;
    cip_frame *out = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    struct rows r = {.n = 6};
    fit_tx(ctx, &r, NULL, &p, &out);
    expect_lineage(p, "spend_to_income_ratio",
                   (const char *const[]){"purchase_amount", "annual_income"}, 2);
    expect_lineage(p, "churn_risk_score",
                   (const char *const[]){"loyalty_score", "purchase_frequency"}, 2);
    expect_lineage(p, "growth_potential_score",
                   (const char *const[]){"annual_income", "purchase_amount"}, 2);
    expect_lineage(p, "is_champion",
                   (const char *const[]){"purchase_amount", "loyalty_score", "purchase_frequency"},
                   3);
    expect_lineage(p, "age_adjusted_percentile", (const char *const[]){"purchase_frequency", "age"},
                   2);
    expect_lineage(p, "region_South", (const char *const[]){"region"}, 1);
    expect_lineage(p, "region_grouped", (const char *const[]){"region"}, 1);
    expect_lineage(p, "loyalty_score", (const char *const[]){"loyalty_score"}, 1);
    expect_lineage(p, "user_id", (const char *const[]){"user_id"}, 1);
    /* every output column has a lineage */
    for (size_t j = 0; j < cip_frame_n_cols(out); j++) {
        const char *const *in;
        size_t n;
        assert_int_equal(cip_featpipe_lineage(p, cip_frame_col_name(out, j), &in, &n), CIP_OK);
        assert_true(n >= 1);
    }
    const char *const *in;
    size_t n;
    assert_int_equal(cip_featpipe_lineage(p, "region_West", &in, &n), CIP_ERR_NOT_FOUND);
    assert_int_equal(cip_featpipe_lineage(NULL, "x", &in, &n), CIP_ERR_MISUSE);
    assert_int_equal(cip_featpipe_n_features(p), 21);
    assert_string_equal(cip_featpipe_feature_name(p, 0), "region_grouped");
    assert_string_equal(cip_featpipe_feature_name(p, 20), "log_purchase_frequency");
    assert_null(cip_featpipe_feature_name(p, 21));
    cip_frame_free(out);
    cip_featpipe_free(p);
    cip_ctx_free(ctx);
}

static void test_features_input_errors_are_named(void **state)
{
    (void)state;
    cip_ctx *ctx;
    cip_featpipe *p = NULL;
    cip_frame *raw = NULL, *sub = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    struct rows r = {.n = 6};
    assert_int_equal(mk_raw(ctx, &r, &raw), CIP_OK);
    /* absent columns: all named in one message */
    const char *keep[] = {"user_id", "annual_income", "purchase_amount", "loyalty_score",
                          "purchase_frequency"};
    assert_int_equal(cip_frame_select(ctx, raw, keep, 5, &sub), CIP_OK);
    assert_int_equal(cip_featpipe_fit(ctx, sub, NULL, &p), CIP_ERR_SCHEMA);
    assert_null(p);
    assert_string_equal(cip_ctx_errmsg(ctx), "missing required columns 'age', 'region'");
    cip_frame_free(sub);
    /* wrong type: region numeric */
    int64_t ints[6] = {1, 2, 3, 4, 5, 6};
    const char *keep2[] = {"age", "annual_income", "purchase_amount", "loyalty_score",
                           "purchase_frequency"};
    assert_int_equal(cip_frame_select(ctx, raw, keep2, 5, &sub), CIP_OK);
    assert_int_equal(cip_frame_add_i64(ctx, sub, "region", ints, NULL), CIP_OK);
    assert_int_equal(cip_featpipe_fit(ctx, sub, NULL, &p), CIP_ERR_SCHEMA);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "'region' must be a category"));
    cip_frame_free(sub);
    /* missing and non-finite values */
    const double loy[6] = {1, 2, NAN, 4, 5, 6};
    struct rows r2 = {.n = 6, .loyalty = loy};
    assert_int_equal(mk_raw(ctx, &r2, &sub), CIP_OK);
    assert_int_equal(cip_featpipe_fit(ctx, sub, NULL, &p), CIP_ERR_INVALID);
    assert_string_equal(cip_ctx_errmsg(ctx),
                        "column 'loyalty_score' has a non-finite value at data row 3");
    cip_frame_free(sub);
    const uint8_t miss[1] = {0x02};
    assert_int_equal(cip_frame_select(ctx, raw, keep, 5, &sub), CIP_OK);
    assert_int_equal(cip_frame_add_i64(ctx, sub, "age", ints, miss), CIP_OK);
    assert_int_equal(cip_frame_add_strings(ctx, sub, "region",
                                           (const char *const[]){"A", "B", "A", "B", "A", "B"}),
                     CIP_OK);
    assert_int_equal(cip_featpipe_fit(ctx, sub, NULL, &p), CIP_ERR_INVALID);
    assert_string_equal(cip_ctx_errmsg(ctx), "column 'age' has a missing value at data row 2");
    /* an input column named like an engineered one */
    uint8_t b[6] = {0};
    assert_int_equal(cip_frame_add_bool(ctx, raw, "is_loyal", b, NULL), CIP_OK);
    assert_int_equal(cip_featpipe_fit(ctx, raw, NULL, &p), CIP_ERR_SCHEMA);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "'is_loyal'"));
    /* no rows */
    cip_frame *empty = NULL;
    assert_int_equal(cip_frame_take_rows(ctx, sub, NULL, 0, &empty), CIP_OK);
    cip_frame_free(sub);
    assert_int_equal(mk_raw(ctx, &(struct rows){.n = 0}, &sub), CIP_OK);
    assert_int_equal(cip_featpipe_fit(ctx, sub, NULL, &p), CIP_ERR_INVALID);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "0 rows"));
    cip_frame_free(empty);
    cip_frame_free(sub);
    cip_frame_free(raw);
    cip_ctx_free(ctx);
}

static void test_features_params_check_rejects_bad_values(void **state)
{
    (void)state;
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_featpipe_params p;
    cip_featpipe_params_default(&p);
    assert_int_equal(cip_featpipe_params_check(ctx, &p), CIP_OK);
    p.flag_quantile = 1.5;
    assert_int_equal(cip_featpipe_params_check(ctx, &p), CIP_ERR_INVALID);
    cip_featpipe_params_default(&p);
    const double bad_edges[] = {0, 10, 10};
    const char *const labs[] = {"a", "b"};
    p.age_bins = (cip_featpipe_bins){2, bad_edges, labs};
    assert_int_equal(cip_featpipe_params_check(ctx, &p), CIP_ERR_INVALID);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "age_bins"));
    cip_featpipe_params_default(&p);
    const char *const dup[] = {"x", "x", "y", "z"};
    p.frequency_labels = dup;
    assert_int_equal(cip_featpipe_params_check(ctx, &p), CIP_ERR_INVALID);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "'x' appears twice"));
    cip_featpipe_params_default(&p);
    p.growth_range[0] = 100;
    p.growth_range[1] = 0;
    assert_int_equal(cip_featpipe_params_check(ctx, &p), CIP_ERR_INVALID);
    cip_featpipe_params_default(&p);
    p.churn_label_decimals = 16;
    assert_int_equal(cip_featpipe_params_check(ctx, &p), CIP_ERR_INVALID);
    cip_featpipe_params_default(&p);
    p.n_frequency_bins = 0;
    assert_int_equal(cip_featpipe_params_check(ctx, &p), CIP_ERR_INVALID);
    assert_int_equal(cip_featpipe_params_check(ctx, NULL), CIP_ERR_MISUSE);
    cip_ctx_free(ctx);
}

static void test_features_custom_params_change_output(void **state)
{
    (void)state;
    cip_ctx *ctx;
    cip_featpipe *p = NULL;
    cip_frame *out = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    /* two frequency bins, a median flag, no region map, 3-bin growth scale */
    const char *const fl[2] = {"low", "high"};
    const char *const reg[4] = {"East", "North", "East", "West"};
    cip_featpipe_params pp;
    cip_featpipe_params_default(&pp);
    pp.n_frequency_bins = 2;
    pp.frequency_labels = fl;
    pp.flag_quantile = 0.5;
    pp.n_region_map = 0;
    pp.growth_range[1] = 10;
    struct rows r = {.n = 4, .region = reg};
    fit_tx(ctx, &r, &pp, &p, &out);
    assert_string_equal(cat(out, "frequency_percentile", 0), "low");
    assert_string_equal(cat(out, "frequency_percentile", 1), "low"); /* 11 <= median 11.5 */
    assert_string_equal(cat(out, "frequency_percentile", 2), "high");
    assert_true(num(out, "is_frequent", 1) == 0.0 && num(out, "is_frequent", 2) == 1.0);
    assert_string_equal(cat(out, "region_grouped", 0), "East");
    assert_true(num(out, "region_East", 0) == 1.0);
    for (size_t i = 0; i < 4; i++)
        assert_true(num(out, "growth_potential_score", i) <= 10.0);
    cip_frame_free(out);
    cip_featpipe_free(p);
    cip_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_features_parity_reference_file),
        cmocka_unit_test(test_features_parity_small_fixture),
        cmocka_unit_test(test_features_output_columns_types_and_order),
        cmocka_unit_test(test_features_quantile_interpolates_linearly_strict_flags),
        cmocka_unit_test(test_features_percentile_average_rank_ties),
        cmocka_unit_test(test_features_qcut_edge_value_goes_to_lower_bin),
        cmocka_unit_test(test_features_qcut_duplicate_edges_error_or_lower_bin),
        cmocka_unit_test(test_features_cut_left_closed_outside_is_missing),
        cmocka_unit_test(test_features_growth_score_truncates),
        cmocka_unit_test(test_features_constant_column_uses_unit_range),
        cmocka_unit_test(test_features_fit_subset_transform_rest_no_leakage),
        cmocka_unit_test(test_features_single_row_transform_matches_batch),
        cmocka_unit_test(test_features_unseen_values_follow_documented_rules),
        cmocka_unit_test(test_features_unknown_region_rejected_unless_allowed),
        cmocka_unit_test(test_features_lineage_names_raw_inputs),
        cmocka_unit_test(test_features_input_errors_are_named),
        cmocka_unit_test(test_features_params_check_rejects_bad_values),
        cmocka_unit_test(test_features_custom_params_change_output),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
