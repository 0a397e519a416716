/* test_schema.c - customer-table schema and business-rule validation
 *
 * Each rule is broken in a small fixture under tests/data/schema/ whose
 * expected counts, line numbers (header = line 1) and values are worked out
 * by hand in the comments below; frames built in code cover the rest.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cip/schema.h"
#include "testutil.h"

/* --- helpers ------------------------------------------------------------------ */

static cip_ctx *new_ctx(void)
{
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    return ctx;
}

/* Validate tests/data/schema/<name> with params p (NULL = defaults). */
static cip_validation *validate_fixture(cip_ctx *ctx, const char *name, const cip_schema_params *p)
{
    char path[1024], rel[256];
    snprintf(rel, sizeof rel, "schema/%s", name);
    cip_frame *f = NULL;
    cip_status rc = cip_frame_read_csv(ctx, cipt_data_path(path, sizeof path, rel), NULL, &f);
    if (rc != CIP_OK)
        fail_msg("reading %s: %s", path, cip_ctx_errmsg(ctx));
    cip_validation *v = NULL;
    assert_int_equal(cip_validate_frame(ctx, f, p, &v), CIP_OK);
    cip_frame_free(f);
    return v;
}

/* Assert class (kind, column) exists with this severity, count and listed
 * lines; values (may be NULL) are the listed values. */
static void expect(const cip_validation *v, cip_violation_kind kind, const char *column,
                   cip_severity sev, size_t count, size_t n_lines, const size_t *lines,
                   const char *const *values)
{
    cip_violation x;
    if (!cip_validation_find(v, kind, column, &x))
        fail_msg("no %s violation on %s", cip_violation_kind_name(kind), column ? column : "-");
    assert_int_equal(x.severity, sev);
    assert_int_equal(x.count, count);
    assert_int_equal(x.n_examples, n_lines);
    for (size_t k = 0; k < n_lines; k++) {
        assert_int_equal(x.lines[k], lines[k]);
        if (values != NULL)
            assert_string_equal(x.values[k], values[k]);
    }
}

/* A hand-built customer frame of n rows; region labels NULL = missing. */
struct table {
    size_t n;
    const int64_t *id, *age, *income, *amount, *freq;
    const double *loyalty;
    const char *const *region;
};

static cip_status build(cip_ctx *ctx, const struct table *t, cip_frame **out)
{
    cip_frame *f = NULL;
    cip_status rc = cip_frame_new(ctx, t->n, &f);
    if (rc == CIP_OK)
        rc = cip_frame_add_i64(ctx, f, "user_id", t->id, NULL);
    if (rc == CIP_OK)
        rc = cip_frame_add_i64(ctx, f, "age", t->age, NULL);
    if (rc == CIP_OK)
        rc = cip_frame_add_i64(ctx, f, "annual_income", t->income, NULL);
    if (rc == CIP_OK)
        rc = cip_frame_add_i64(ctx, f, "purchase_amount", t->amount, NULL);
    if (rc == CIP_OK)
        rc = cip_frame_add_f64(ctx, f, "loyalty_score", t->loyalty, NULL);
    if (rc == CIP_OK)
        rc = cip_frame_add_strings(ctx, f, "region", t->region);
    if (rc == CIP_OK)
        rc = cip_frame_add_i64(ctx, f, "purchase_frequency", t->freq, NULL);
    if (rc != CIP_OK) {
        cip_frame_free(f);
        return rc;
    }
    *out = f;
    return CIP_OK;
}

/* Four rows breaking several rules: age 130 (line 3), duplicate id 1 (line
 * 4), loyalty 11 (line 5), region "Mars\"\n" (line 4, a warning). */
static const int64_t bad_id[] = {1, 2, 1, 4};
static const int64_t bad_age[] = {30, 130, 40, 50};
static const int64_t bad_income[] = {40000, 50000, 60000, 70000};
static const int64_t bad_amount[] = {200, 300, 400, 500};
static const double bad_loyalty[] = {5.0, 6.0, 7.0, 11.0};
static const char *const bad_region[] = {"North", "South", "Mars\"\n", "West"};
static const int64_t bad_freq[] = {12, 14, 16, 18};
static const struct table bad_table = {4,          bad_id,   bad_age,     bad_income,
                                       bad_amount, bad_freq, bad_loyalty, bad_region};

/* --- params --------------------------------------------------------------------------- */

static void test_schema_params_default_values(void **state)
{
    (void)state;
    cip_schema_params p;
    cip_schema_params_default(&p);
    assert_string_equal(p.id_column, "user_id");
    assert_int_equal(p.n_regions, 4);
    assert_string_equal(p.regions[0], "North");
    assert_string_equal(p.regions[3], "East");
    assert_true(p.age_min == 0.0 && p.age_max == 120.0);
    assert_true(p.loyalty_min == 0.0 && p.loyalty_max == 10.0);
    assert_true(p.money_min == 0.0 && p.frequency_min == 0.0);
    assert_int_equal(p.max_examples, 5);
    assert_int_equal(cip_schema_params_check(NULL, &p), CIP_OK);
    assert_string_equal(cip_schema_column(&p, 0), "user_id");
    assert_string_equal(cip_schema_column(&p, 5), "region");
    assert_null(cip_schema_column(&p, 7));
}

static void test_schema_params_check_rejects_bad_values(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    cip_schema_params p;
    cip_schema_params_default(&p);
    p.age_min = 50;
    p.age_max = 10;
    assert_int_equal(cip_schema_params_check(ctx, &p), CIP_ERR_INVALID);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "age"));
    cip_schema_params_default(&p);
    p.loyalty_max = NAN;
    assert_int_equal(cip_schema_params_check(ctx, &p), CIP_ERR_INVALID);
    cip_schema_params_default(&p);
    const char *empty[] = {"North", ""};
    p.regions = empty;
    p.n_regions = 2;
    assert_int_equal(cip_schema_params_check(ctx, &p), CIP_ERR_INVALID);
    p.n_regions = 0;
    assert_int_equal(cip_schema_params_check(ctx, &p), CIP_ERR_INVALID);
    cip_schema_params_default(&p);
    p.max_examples = CIP_SCHEMA_MAX_EXAMPLES + 1;
    assert_int_equal(cip_schema_params_check(ctx, &p), CIP_ERR_INVALID);
    cip_frame *f = NULL;
    assert_int_equal(build(ctx, &bad_table, &f), CIP_OK);
    cip_validation *v = (cip_validation *)&p; /* must be overwritten with NULL */
    assert_int_equal(cip_validate_frame(ctx, f, &p, &v), CIP_ERR_INVALID);
    assert_null(v);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

/* --- fixtures: one rule each ------------------------------------------------------ */

static void test_schema_valid_fixture_is_usable(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    cip_validation *v = validate_fixture(ctx, "valid.csv", NULL);
    assert_true(cip_validation_usable(v));
    assert_int_equal(cip_validation_count(v), 0);
    assert_int_equal(cip_validation_n_rows(v), 5);
    assert_int_equal(cip_validation_n_cols(v), 7);
    cip_validation_free(v);
    cip_ctx_free(ctx);
}

static void test_schema_ranges_fixture_lists_each_bound(void **state)
{
    (void)state;
    /* ranges.csv: age 130 (line 3), -1 (5), 121 (7) while 120 (8) is fine;
     * income -1000 (4), 0 (8) fine; amount -150 (5); loyalty 10.5 (6),
     * -0.5 (7), 10.0 (8) fine; frequency -2 (6), 0 (8) fine. */
    cip_ctx *ctx = new_ctx();
    cip_validation *v = validate_fixture(ctx, "ranges.csv", NULL);
    assert_false(cip_validation_usable(v));
    assert_int_equal(cip_validation_count(v), 5);
    assert_int_equal(cip_validation_n_errors(v), 5);
    const size_t age_l[] = {3, 5, 7};
    const char *const age_v[] = {"130", "-1", "121"};
    expect(v, CIP_VIOL_OUT_OF_RANGE, "age", CIP_SEVERITY_ERROR, 3, 3, age_l, age_v);
    const size_t inc_l[] = {4};
    const char *const inc_v[] = {"-1000"};
    expect(v, CIP_VIOL_OUT_OF_RANGE, "annual_income", CIP_SEVERITY_ERROR, 1, 1, inc_l, inc_v);
    const size_t amt_l[] = {5};
    const char *const amt_v[] = {"-150"};
    expect(v, CIP_VIOL_OUT_OF_RANGE, "purchase_amount", CIP_SEVERITY_ERROR, 1, 1, amt_l, amt_v);
    const size_t loy_l[] = {6, 7};
    const char *const loy_v[] = {"10.5", "-0.5"};
    expect(v, CIP_VIOL_OUT_OF_RANGE, "loyalty_score", CIP_SEVERITY_ERROR, 2, 2, loy_l, loy_v);
    const size_t fr_l[] = {6};
    const char *const fr_v[] = {"-2"};
    expect(v, CIP_VIOL_OUT_OF_RANGE, "purchase_frequency", CIP_SEVERITY_ERROR, 1, 1, fr_l, fr_v);
    cip_violation x;
    assert_true(cip_validation_get(v, 0, &x));
    assert_string_equal(x.column, "age"); /* schema order */
    assert_string_equal(x.rule, "must be in [0, 120]");
    assert_true(cip_validation_get(v, 1, &x));
    assert_string_equal(x.rule, "must be >= 0");
    assert_false(cip_validation_get(v, 5, &x));
    cip_validation_free(v);
    cip_ctx_free(ctx);
}

static void test_schema_duplicate_ids_fixture_lists_repeats(void **state)
{
    (void)state;
    /* ids 10, 11, 10, 12, 11, 10 on lines 2..7: repeats on lines 4, 6, 7. */
    cip_ctx *ctx = new_ctx();
    cip_validation *v = validate_fixture(ctx, "dup_ids.csv", NULL);
    assert_false(cip_validation_usable(v));
    assert_int_equal(cip_validation_count(v), 1);
    const size_t l[] = {4, 6, 7};
    const char *const vals[] = {"10", "11", "10"};
    expect(v, CIP_VIOL_DUPLICATE_ID, "user_id", CIP_SEVERITY_ERROR, 3, 3, l, vals);
    cip_validation_free(v);
    /* Only the first N rows are listed; the count stays complete. */
    cip_schema_params p;
    cip_schema_params_default(&p);
    p.max_examples = 1;
    v = validate_fixture(ctx, "dup_ids.csv", &p);
    expect(v, CIP_VIOL_DUPLICATE_ID, "user_id", CIP_SEVERITY_ERROR, 3, 1, l, vals);
    cip_validation_free(v);
    /* No id column: no uniqueness rule. */
    p.id_column = NULL;
    v = validate_fixture(ctx, "dup_ids.csv", &p);
    assert_true(cip_validation_usable(v));
    assert_int_equal(cip_validation_count(v), 0);
    cip_validation_free(v);
    cip_ctx_free(ctx);
}

static void test_schema_missing_values_fixture_per_column(void **state)
{
    (void)state;
    /* age empty on lines 3 and 6; amount NA on line 4; region empty on line 4;
     * frequency empty (last field) on line 5. */
    cip_ctx *ctx = new_ctx();
    cip_validation *v = validate_fixture(ctx, "missing_values.csv", NULL);
    assert_false(cip_validation_usable(v));
    assert_int_equal(cip_validation_count(v), 4);
    const size_t age_l[] = {3, 6};
    const char *const empty2[] = {"", ""};
    expect(v, CIP_VIOL_MISSING_VALUE, "age", CIP_SEVERITY_ERROR, 2, 2, age_l, empty2);
    const size_t l4[] = {4}, l5[] = {5};
    expect(v, CIP_VIOL_MISSING_VALUE, "purchase_amount", CIP_SEVERITY_ERROR, 1, 1, l4, empty2);
    expect(v, CIP_VIOL_MISSING_VALUE, "region", CIP_SEVERITY_ERROR, 1, 1, l4, empty2);
    expect(v, CIP_VIOL_MISSING_VALUE, "purchase_frequency", CIP_SEVERITY_ERROR, 1, 1, l5, empty2);
    cip_validation_free(v);
    cip_ctx_free(ctx);
}

static void test_schema_missing_column_fixture_is_unusable(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    cip_validation *v = validate_fixture(ctx, "missing_column.csv", NULL);
    assert_false(cip_validation_usable(v));
    assert_int_equal(cip_validation_count(v), 1);
    expect(v, CIP_VIOL_MISSING_COLUMN, "region", CIP_SEVERITY_ERROR, 1, 0, NULL, NULL);
    cip_validation_free(v);
    cip_ctx_free(ctx);
}

static void test_schema_wrong_type_fixture_lists_bad_cells(void **state)
{
    (void)state;
    /* age holds "abc" (line 3) and "old" (line 5): only those are listed;
     * region holds numbers 1..4 on lines 2..5: all are listed. */
    cip_ctx *ctx = new_ctx();
    cip_validation *v = validate_fixture(ctx, "wrong_type.csv", NULL);
    assert_false(cip_validation_usable(v));
    assert_int_equal(cip_validation_count(v), 2);
    const size_t age_l[] = {3, 5};
    const char *const age_v[] = {"abc", "old"};
    expect(v, CIP_VIOL_WRONG_TYPE, "age", CIP_SEVERITY_ERROR, 2, 2, age_l, age_v);
    const size_t reg_l[] = {2, 3, 4, 5};
    const char *const reg_v[] = {"1", "2", "3", "4"};
    expect(v, CIP_VIOL_WRONG_TYPE, "region", CIP_SEVERITY_ERROR, 4, 4, reg_l, reg_v);
    cip_validation_free(v);
    cip_ctx_free(ctx);
}

static void test_schema_unknown_region_is_a_warning(void **state)
{
    (void)state;
    /* "Central" on lines 3 and 6, "north" (case matters) on line 5. */
    cip_ctx *ctx = new_ctx();
    cip_validation *v = validate_fixture(ctx, "unknown_region.csv", NULL);
    assert_true(cip_validation_usable(v));
    assert_int_equal(cip_validation_n_warnings(v), 1);
    assert_int_equal(cip_validation_n_errors(v), 0);
    const size_t l[] = {3, 5, 6};
    const char *const vals[] = {"Central", "north", "Central"};
    expect(v, CIP_VIOL_UNKNOWN_CATEGORY, "region", CIP_SEVERITY_WARNING, 3, 3, l, vals);
    cip_violation x;
    assert_true(cip_validation_get(v, 0, &x));
    assert_string_equal(x.rule, "must be one of North, South, West, East");
    cip_validation_free(v);
    /* A custom set that includes Central leaves only "north". */
    const char *const set[] = {"North", "South", "West", "East", "Central"};
    cip_schema_params p;
    cip_schema_params_default(&p);
    p.regions = set;
    p.n_regions = 5;
    v = validate_fixture(ctx, "unknown_region.csv", &p);
    const size_t l2[] = {5};
    const char *const v2[] = {"north"};
    expect(v, CIP_VIOL_UNKNOWN_CATEGORY, "region", CIP_SEVERITY_WARNING, 1, 1, l2, v2);
    cip_validation_free(v);
    cip_ctx_free(ctx);
}

static void test_schema_not_integer_is_a_warning(void **state)
{
    (void)state;
    /* age 25.5 on line 2; frequency 18.25 on line 3. */
    cip_ctx *ctx = new_ctx();
    cip_validation *v = validate_fixture(ctx, "not_integer.csv", NULL);
    assert_true(cip_validation_usable(v));
    assert_int_equal(cip_validation_n_warnings(v), 2);
    const size_t l2[] = {2}, l3[] = {3};
    const char *const v2[] = {"25.5"}, *const v3[] = {"18.25"};
    expect(v, CIP_VIOL_NOT_INTEGER, "age", CIP_SEVERITY_WARNING, 1, 1, l2, v2);
    expect(v, CIP_VIOL_NOT_INTEGER, "purchase_frequency", CIP_SEVERITY_WARNING, 1, 1, l3, v3);
    cip_validation_free(v);
    cip_ctx_free(ctx);
}

static void test_schema_empty_table_is_unusable(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    cip_validation *v = validate_fixture(ctx, "empty.csv", NULL);
    assert_false(cip_validation_usable(v));
    assert_int_equal(cip_validation_count(v), 1);
    expect(v, CIP_VIOL_NO_ROWS, NULL, CIP_SEVERITY_ERROR, 1, 0, NULL, NULL);
    cip_validation_free(v);
    cip_ctx_free(ctx);
}

static void test_schema_reference_file_passes(void **state)
{
    (void)state;
    char path[1024];
    if (cipt_shared_path(path, sizeof path, "data/Customer_Purchasing_Behaviors.csv") == NULL)
        skip(); /* ../shared is absent */
    cip_ctx *ctx = new_ctx();
    cip_frame *f = NULL;
    assert_int_equal(cip_frame_read_csv(ctx, path, NULL, &f), CIP_OK);
    cip_validation *v = NULL;
    assert_int_equal(cip_validate_frame(ctx, f, NULL, &v), CIP_OK);
    assert_true(cip_validation_usable(v));
    assert_int_equal(cip_validation_count(v), 0);
    assert_int_equal(cip_validation_n_rows(v), 238);
    cip_validation_free(v);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

/* --- frames built in code ------------------------------------------------------------ */

static void test_schema_float_ids_compare_by_value(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    const double ids[] = {1.0, 2.0, 1.0, -0.0, 0.0, 2.5};
    cip_frame *f = NULL;
    assert_int_equal(cip_frame_new(ctx, 6, &f), CIP_OK);
    assert_int_equal(cip_frame_add_f64(ctx, f, "cust", ids, NULL), CIP_OK);
    cip_schema_params p;
    cip_schema_params_default(&p);
    p.id_column = "cust";
    cip_validation *v = NULL;
    assert_int_equal(cip_validate_frame(ctx, f, &p, &v), CIP_OK);
    /* 1.0 repeats on line 4, 0.0 repeats -0.0 on line 6; 2.5 is not whole. */
    const size_t l[] = {4, 6};
    const char *const vals[] = {"1", "0"};
    expect(v, CIP_VIOL_DUPLICATE_ID, "cust", CIP_SEVERITY_ERROR, 2, 2, l, vals);
    const size_t l7[] = {7};
    expect(v, CIP_VIOL_NOT_INTEGER, "cust", CIP_SEVERITY_WARNING, 1, 1, l7, NULL);
    expect(v, CIP_VIOL_MISSING_COLUMN, "age", CIP_SEVERITY_ERROR, 1, 0, NULL, NULL);
    assert_int_equal(cip_validation_count(v), 8); /* 2 on cust + 6 missing columns */
    cip_validation_free(v);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

static void test_schema_text_report_exact(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    cip_frame *f = NULL;
    assert_int_equal(build(ctx, &bad_table, &f), CIP_OK);
    cip_validation *v = NULL;
    assert_int_equal(cip_validate_frame(ctx, f, NULL, &v), CIP_OK);
    char *text = NULL;
    assert_int_equal(cip_validation_to_text(ctx, v, "t.csv", &text), CIP_OK);
    assert_string_equal(text,
                        "t.csv: 4 rows, 7 columns\n"
                        "error: user_id: duplicate_id: 1 row (must be unique); at line 4 (1)\n"
                        "error: age: out_of_range: 1 row (must be in [0, 120]); at line 3 "
                        "(130)\n"
                        "error: loyalty_score: out_of_range: 1 row (must be in [0, 10]); at "
                        "line 5 (11)\n"
                        "warning: region: unknown_category: 1 row (must be one of North, "
                        "South, West, East); at line 4 (Mars\"\\x0a)\n"
                        "verdict: unusable (3 errors, 1 warning)\n");
    cip_validation_free_string(ctx, text);
    cip_validation_free(v);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

static void test_schema_json_report_exact_and_escaped(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    cip_frame *f = NULL;
    const char *regions[] = {"North", "South", "\xff\x01\xc3\xa9", "West"};
    struct table t = bad_table;
    t.region = regions;
    assert_int_equal(build(ctx, &t, &f), CIP_OK);
    cip_schema_params p;
    cip_schema_params_default(&p);
    p.max_examples = 0;
    p.age_max = 200;
    cip_validation *v = NULL;
    assert_int_equal(cip_validate_frame(ctx, f, &p, &v), CIP_OK);
    char *json = NULL;
    assert_int_equal(cip_validation_to_json(ctx, v, "a\"b", &json), CIP_OK);
    assert_string_equal(
        json, "{\"source\":\"a\\\"b\",\"rows\":4,\"columns\":7,\"usable\":false,\"errors\":2,"
              "\"warnings\":1,\"line_numbers\":\"file lines, header is line 1\",\"violations\":["
              "{\"kind\":\"duplicate_id\",\"severity\":\"error\",\"column\":\"user_id\","
              "\"rule\":\"must be unique\",\"count\":1,\"lines\":[],\"values\":[]},"
              "{\"kind\":\"out_of_range\",\"severity\":\"error\",\"column\":\"loyalty_score\","
              "\"rule\":\"must be in [0, 10]\",\"count\":1,\"lines\":[],\"values\":[]},"
              "{\"kind\":\"unknown_category\",\"severity\":\"warning\",\"column\":\"region\","
              "\"rule\":\"must be one of North, South, West, East\",\"count\":1,\"lines\":[],"
              "\"values\":[]}]}\n");
    cip_validation_free_string(ctx, json);
    cip_validation_free(v);
    /* Example values are escaped: invalid UTF-8 -> U+FFFD, controls -> \u00XX. */
    p.max_examples = 5;
    assert_int_equal(cip_validate_frame(ctx, f, &p, &v), CIP_OK);
    assert_int_equal(cip_validation_to_json(ctx, v, NULL, &json), CIP_OK);
    assert_non_null(strstr(json, "{\"source\":null,"));
    assert_non_null(strstr(json, "\"lines\":[4],\"values\":[\"\\ufffd\\u0001\xc3\xa9\"]}]}"));
    cip_validation_free_string(ctx, json);
    cip_validation_free(v);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

static cip_status oom_body(cip_ctx *ctx, void *arg)
{
    (void)arg;
    cip_frame *f = NULL;
    cip_validation *v = NULL;
    char *json = NULL, *text = NULL;
    cip_status rc = build(ctx, &bad_table, &f);
    if (rc == CIP_OK)
        rc = cip_validate_frame(ctx, f, NULL, &v);
    if (rc == CIP_OK)
        rc = cip_validation_to_json(ctx, v, "x.csv", &json);
    if (rc == CIP_OK)
        rc = cip_validation_to_text(ctx, v, "x.csv", &text);
    if (rc == CIP_OK && (cip_validation_count(v) != 4 || json == NULL || text == NULL))
        rc = CIP_ERR_INTERNAL;
    if (rc != CIP_OK && rc != CIP_ERR_NOMEM)
        return rc;
    cip_validation_free_string(ctx, json);
    cip_validation_free_string(ctx, text);
    cip_validation_free(v);
    cip_frame_free(f);
    return rc;
}

static void test_schema_oom_sweep_leaks_nothing(void **state)
{
    (void)state;
    long runs = cipt_oom_sweep(oom_body, NULL);
    assert_true(runs > 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema_params_default_values),
        cmocka_unit_test(test_schema_params_check_rejects_bad_values),
        cmocka_unit_test(test_schema_valid_fixture_is_usable),
        cmocka_unit_test(test_schema_ranges_fixture_lists_each_bound),
        cmocka_unit_test(test_schema_duplicate_ids_fixture_lists_repeats),
        cmocka_unit_test(test_schema_missing_values_fixture_per_column),
        cmocka_unit_test(test_schema_missing_column_fixture_is_unusable),
        cmocka_unit_test(test_schema_wrong_type_fixture_lists_bad_cells),
        cmocka_unit_test(test_schema_unknown_region_is_a_warning),
        cmocka_unit_test(test_schema_not_integer_is_a_warning),
        cmocka_unit_test(test_schema_empty_table_is_unusable),
        cmocka_unit_test(test_schema_reference_file_passes),
        cmocka_unit_test(test_schema_float_ids_compare_by_value),
        cmocka_unit_test(test_schema_text_report_exact),
        cmocka_unit_test(test_schema_json_report_exact_and_escaped),
        cmocka_unit_test(test_schema_oom_sweep_leaks_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
