/* test_data.c - frames (builders, getters, subsets) and the CSV reader
 *
 * CSV error cases are in test_csv.c; this file covers the frame API, type
 * inference, quoting, missing values, exact floats, gzip, threads and OOM.
 * SPDX-License-Identifier: MIT
 */
#define _DEFAULT_SOURCE /* mkstemps */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "cipi.h"
#include "testutil.h"

static cip_ctx *new_ctx(void)
{
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    return ctx;
}

static cip_frame *read_text(cip_ctx *ctx, const char *text, const cip_csv_read_opts *o)
{
    cip_frame *f = NULL;
    cip_status rc = cip_frame_read_csv_mem(ctx, "t.csv", text, strlen(text), o, &f);
    if (rc != CIP_OK)
        fail_msg("read failed: %s", cip_ctx_errmsg(ctx));
    return f;
}

static const char *level_at(const cip_frame *f, size_t j, size_t i)
{
    return cip_frame_level(f, j, cip_frame_codes(f, j)[i]);
}

/* --- frame API ---------------------------------------------------------------- */

static void test_data_frame_builders_and_getters(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    cip_frame *f;
    assert_int_equal(cip_frame_new(ctx, 3, &f), CIP_OK);
    const int64_t iv[3] = {1, -2, 3};
    const double dv[3] = {0.5, 99, -1.25};
    const uint8_t bv[3] = {1, 0, 1};
    const uint8_t miss_mid = 0x2; /* row 1 missing */
    const uint32_t codes[3] = {1, 0, 1};
    const char *const levels[2] = {"a", "b"};
    const char *const strs[3] = {"x", NULL, "x"};
    assert_int_equal(cip_frame_add_i64(ctx, f, "i", iv, NULL), CIP_OK);
    assert_int_equal(cip_frame_add_f64(ctx, f, "d", dv, &miss_mid), CIP_OK);
    assert_int_equal(cip_frame_add_bool(ctx, f, "b", bv, NULL), CIP_OK);
    assert_int_equal(cip_frame_add_cat(ctx, f, "c", codes, levels, 2, NULL), CIP_OK);
    assert_int_equal(cip_frame_add_strings(ctx, f, "s", strs), CIP_OK);
    assert_int_equal(cip_frame_n_rows(f), 3);
    assert_int_equal(cip_frame_n_cols(f), 5);
    assert_string_equal(cip_frame_col_name(f, 1), "d");
    assert_null(cip_frame_col_name(f, 9));
    assert_int_equal(cip_frame_col_type(f, 0), CIP_TYPE_INT);
    assert_int_equal(cip_frame_col_type(f, 3), CIP_TYPE_CAT);
    assert_int_equal(cip_frame_i64(f, 0)[1], -2);
    assert_null(cip_frame_i64(f, 1));
    assert_true(isnan(cip_frame_f64(f, 1)[1])); /* stored as NaN under the bitmap */
    assert_true(cip_frame_is_missing(f, 1, 1));
    assert_false(cip_frame_is_missing(f, 1, 0));
    assert_int_equal(cip_frame_n_missing(f, 1), 1);
    assert_null(cip_frame_missing(f, 0));
    assert_int_equal(cip_frame_bool(f, 2)[0], 1);
    assert_string_equal(level_at(f, 3, 0), "b");
    assert_int_equal(cip_frame_n_levels(f, 4), 1);
    assert_true(cip_frame_is_missing(f, 4, 1));
    assert_null(cip_frame_level(f, 3, 7));
    assert_true(cip_frame_get(f, 2, 1) == 0.0);
    assert_true(cip_frame_get(f, 3, 0) == 1.0);
    double col[3];
    cip_frame_get_col(f, 1, col);
    assert_true(col[0] == 0.5 && isnan(col[1]) && col[2] == -1.25);
    size_t j;
    assert_int_equal(cip_frame_find(ctx, f, "c", &j), CIP_OK);
    assert_int_equal(j, 3);
    assert_int_equal(cip_frame_find(ctx, f, "zz", &j), CIP_ERR_NOT_FOUND);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "'zz'"));
    assert_int_equal(cip_frame_add_i64(ctx, f, "d", iv, NULL), CIP_ERR_CONFLICT);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "duplicate column name 'd'"));
    const uint32_t bad[3] = {0, 5, 0};
    assert_int_equal(cip_frame_add_cat(ctx, f, "bad", bad, levels, 2, NULL), CIP_ERR_INVALID);
    assert_int_equal(cip_frame_n_cols(f), 5);
    cip_frame_free(f);
    cip_frame_free(NULL);
    cip_ctx_free(ctx);
}

static void test_data_frame_take_rows_and_select(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    cip_frame *f = read_text(ctx, "a,b,c\n1,x,\n2,y,2.5\n3,x,3.5\n", NULL);
    const size_t idx[4] = {2, 0, 0, 1};
    cip_frame *g = NULL;
    assert_int_equal(cip_frame_take_rows(ctx, f, idx, 4, &g), CIP_OK);
    assert_int_equal(cip_frame_n_rows(g), 4);
    assert_int_equal(cip_frame_i64(g, 0)[0], 3);
    assert_int_equal(cip_frame_i64(g, 0)[2], 1);
    assert_string_equal(level_at(g, 1, 3), "y");
    assert_true(cip_frame_is_missing(g, 2, 1) && cip_frame_is_missing(g, 2, 2));
    assert_false(cip_frame_is_missing(g, 2, 3));
    assert_int_equal(cip_frame_n_missing(g, 2), 2);
    cip_frame_free(g);
    const size_t oob[1] = {3};
    assert_int_equal(cip_frame_take_rows(ctx, f, oob, 1, &g), CIP_ERR_INVALID);
    assert_null(g);
    const char *const names[2] = {"c", "a"};
    assert_int_equal(cip_frame_select(ctx, f, names, 2, &g), CIP_OK);
    assert_int_equal(cip_frame_n_cols(g), 2);
    assert_string_equal(cip_frame_col_name(g, 0), "c");
    assert_true(cip_frame_f64(g, 0)[2] == 3.5);
    cip_frame_free(g);
    const char *const missing[1] = {"nope"};
    assert_int_equal(cip_frame_select(ctx, f, missing, 1, &g), CIP_ERR_NOT_FOUND);
    assert_null(g);
    const char *const dup[2] = {"a", "a"};
    assert_int_equal(cip_frame_select(ctx, f, dup, 2, &g), CIP_ERR_CONFLICT);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

static cip_status build_body(cip_ctx *ctx, void *arg)
{
    (void)arg;
    cip_frame *f = NULL, *g = NULL, *h = NULL;
    const int64_t iv[4] = {1, 2, 3, 4};
    const uint8_t miss = 0x5;
    const char *const strs[4] = {"p", "q", NULL, "p"};
    const uint32_t codes[4] = {0, 1, 1, 0};
    const char *const levels[2] = {"u", "v"};
    const size_t idx[3] = {3, 3, 0};
    const char *const names[2] = {"s", "i"};
    cip_status rc = cip_frame_new(ctx, 4, &f);
    if (rc == CIP_OK)
        rc = cip_frame_add_i64(ctx, f, "i", iv, &miss);
    if (rc == CIP_OK)
        rc = cip_frame_add_strings(ctx, f, "s", strs);
    if (rc == CIP_OK)
        rc = cip_frame_add_cat(ctx, f, "c", codes, levels, 2, NULL);
    if (rc == CIP_OK)
        rc = cip_frame_take_rows(ctx, f, idx, 3, &g);
    if (rc == CIP_OK)
        rc = cip_frame_select(ctx, f, names, 2, &h);
    cip_frame_free(h);
    cip_frame_free(g);
    cip_frame_free(f);
    return rc;
}

static void test_data_frame_oom_sweep(void **state)
{
    (void)state;
    assert_true(cipt_oom_sweep(build_body, NULL) > 10);
}

/* --- CSV: types and values ------------------------------------------------------ */

static void test_data_csv_type_inference_table(void **state)
{
    (void)state;
    static const struct {
        const char *v1, *v2, *v3;
        cip_type want;
    } cases[] = {
        {"1", "2", "-3", CIP_TYPE_INT},
        {"0", "1", "1", CIP_TYPE_INT}, /* 0/1 alone are integers */
        {"0", "True", "false", CIP_TYPE_BOOL},
        {"True", "False", "", CIP_TYPE_BOOL},
        {"TRUE", "true", "NA", CIP_TYPE_BOOL},
        {"True", "2", "1", CIP_TYPE_CAT}, /* words with other numbers: text */
        {"1", "2.5", "3", CIP_TYPE_FLOAT},
        {"1e3", ".5", "7.", CIP_TYPE_FLOAT},
        {"inf", "-Infinity", "1", CIP_TYPE_FLOAT},
        {"1", "9223372036854775808", "2", CIP_TYPE_FLOAT}, /* int64 overflow */
        {"-9223372036854775808", "9223372036854775807", "0", CIP_TYPE_INT},
        {" 5", "6 ", "\t7", CIP_TYPE_INT}, /* padded numbers, as pandas */
        {"1", "x", "2", CIP_TYPE_CAT},
        {"1.5.2", "1", "2", CIP_TYPE_CAT},
        {"0x10", "1", "2", CIP_TYPE_CAT},
        {"1e", "1", "2", CIP_TYPE_CAT},
        {"", "NA", "null", CIP_TYPE_FLOAT}, /* nothing but missing values */
        {"NaN", "N/A", "None", CIP_TYPE_FLOAT},
        {"+4", "-0", "007", CIP_TYPE_INT},
    };
    cip_ctx *ctx = new_ctx();
    for (size_t k = 0; k < CIP_ARRAY_LEN(cases); k++) {
        char text[256];
        snprintf(text, sizeof text, "c\n%s\n%s\n%s\n", cases[k].v1, cases[k].v2, cases[k].v3);
        cip_frame *f = read_text(ctx, text, NULL);
        if (cip_frame_col_type(f, 0) != cases[k].want)
            fail_msg("case %zu (%s,%s,%s): got %s, want %s", k, cases[k].v1, cases[k].v2,
                     cases[k].v3, cip_type_name(cip_frame_col_type(f, 0)),
                     cip_type_name(cases[k].want));
        cip_frame_free(f);
    }
    cip_ctx_free(ctx);
}

static void test_data_csv_values_and_missing_bitmaps(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    cip_frame *f = read_text(ctx,
                             "i,d,b,c\n"
                             "7,1.5,True,north\n"
                             ",NaN,,NA\n"
                             "-9223372036854775808,1e-3,false,\"south\"\n"
                             "NULL,-inf,TRUE,north\n"
                             "0,nan,0,n/a\n"
                             "1,2,1,west\n"
                             "2,3,False,south\n"
                             "3,4,True,east\n"
                             "4,null,true,north\n",
                             NULL);
    assert_int_equal(cip_frame_n_rows(f), 9);
    const int64_t *iv = cip_frame_i64(f, 0);
    assert_non_null(iv);
    assert_true(iv[0] == 7 && iv[1] == 0 && iv[2] == INT64_MIN && iv[8] == 4);
    const uint8_t *bm = cip_frame_missing(f, 0);
    assert_non_null(bm);
    assert_int_equal(bm[0], 0x0A); /* rows 1 and 3 */
    assert_int_equal(bm[1], 0x00);
    assert_int_equal(cip_frame_n_missing(f, 0), 2);
    const double *dv = cip_frame_f64(f, 1);
    assert_true(dv[0] == 1.5 && isnan(dv[1]) && dv[2] == 1e-3 && dv[3] == -HUGE_VAL);
    assert_int_equal(cip_frame_n_missing(f, 1), 3);
    assert_true(cip_frame_is_missing(f, 1, 8));
    assert_int_equal(cip_frame_col_type(f, 2), CIP_TYPE_BOOL);
    const uint8_t *b = cip_frame_bool(f, 2);
    assert_true(b[0] == 1 && b[2] == 0 && b[3] == 1 && b[4] == 0 && b[5] == 1 && b[6] == 0);
    assert_int_equal(cip_frame_n_missing(f, 2), 1);
    assert_int_equal(cip_frame_col_type(f, 3), CIP_TYPE_CAT);
    assert_int_equal(cip_frame_n_levels(f, 3), 4); /* north south west east */
    assert_string_equal(cip_frame_level(f, 3, 0), "north");
    assert_string_equal(level_at(f, 3, 2), "south");
    assert_string_equal(cip_frame_level(f, 3, 3), "east");
    assert_int_equal(cip_frame_n_missing(f, 3), 2);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

/* Integers beyond 2^53 stay exact in int columns (parsed again, not taken
 * from a double); in float columns they round as strtod does. */
static void test_data_csv_wide_integers_exact(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    cip_frame *f = read_text(ctx,
                             "big,mixed,small\n"
                             "9007199254740993,9007199254740993,1\n"
                             ",1.5,-0\n"
                             "-9223372036854775807,-0,2\n",
                             NULL);
    assert_int_equal(cip_frame_col_type(f, 0), CIP_TYPE_INT);
    const int64_t *big = cip_frame_i64(f, 0);
    assert_true(big[0] == 9007199254740993LL && big[1] == 0 && big[2] == -INT64_MAX);
    assert_true(cip_frame_is_missing(f, 0, 1));
    assert_int_equal(cip_frame_col_type(f, 1), CIP_TYPE_FLOAT);
    const double *mixed = cip_frame_f64(f, 1);
    assert_true(mixed[0] == strtod("9007199254740993", NULL) && mixed[1] == 1.5);
    assert_true(mixed[2] == 0.0 && signbit(mixed[2])); /* "-0" is -0.0, as strtod */
    assert_int_equal(cip_frame_col_type(f, 2), CIP_TYPE_INT);
    assert_true(cip_frame_i64(f, 2)[1] == 0 && cip_frame_i64(f, 2)[2] == 2);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

static void test_data_csv_quoting_crlf_bom(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    const char *text = "\xEF\xBB\xBF"
                       "\"na,me\",\"q\"\"t\"\r\n"
                       "\"a,b\",\"say \"\"hi\"\"\"\r\n"
                       "\"line1\nline2\",\"\"\r\n"
                       "plain,\"12\"\r\n";
    cip_frame *f = read_text(ctx, text, NULL);
    assert_int_equal(cip_frame_n_rows(f), 3);
    assert_string_equal(cip_frame_col_name(f, 0), "na,me");
    assert_string_equal(cip_frame_col_name(f, 1), "q\"t");
    assert_string_equal(level_at(f, 0, 0), "a,b");
    assert_string_equal(level_at(f, 0, 1), "line1\nline2");
    assert_string_equal(level_at(f, 0, 2), "plain");
    assert_int_equal(cip_frame_col_type(f, 1), CIP_TYPE_CAT);
    assert_string_equal(level_at(f, 1, 0), "say \"hi\"");
    assert_true(cip_frame_is_missing(f, 1, 1)); /* "" is an empty field */
    assert_string_equal(level_at(f, 1, 2), "12");
    cip_frame_free(f);
    /* no final newline, CR kept inside a field, blank lines skipped */
    f = read_text(ctx, "a,b\n1,x\ry\n\n2,z\r\n\r\n3,w", NULL);
    assert_int_equal(cip_frame_n_rows(f), 3);
    assert_string_equal(level_at(f, 1, 0), "x\ry");
    assert_int_equal(cip_frame_i64(f, 0)[2], 3);
    cip_frame_free(f);
    /* one column: an empty line is a missing value */
    f = read_text(ctx, "a\n1\n\n3\n", NULL);
    assert_int_equal(cip_frame_n_rows(f), 3);
    assert_true(cip_frame_is_missing(f, 0, 1));
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

static void test_data_csv_delimiter_max_rows_and_types(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    cip_csv_read_opts o;
    cip_csv_read_opts_default(&o);
    assert_int_equal(o.delimiter, ',');
    assert_int_equal(o.max_field_bytes, 64u << 20);
    o.delimiter = ';';
    cip_frame *f = read_text(ctx, "a;b\n1,5;x\n2,5;y\n", &o);
    assert_int_equal(cip_frame_col_type(f, 0), CIP_TYPE_CAT); /* "1,5" is text */
    cip_frame_free(f);
    o.delimiter = '\t';
    o.max_rows = 2;
    f = read_text(ctx, "a\tb\n1\t\"q\n\"\n2\tx\n3\ty\nbroken\n", &o);
    assert_int_equal(cip_frame_n_rows(f), 2);
    assert_string_equal(level_at(f, 1, 0), "q\n");
    cip_frame_free(f);
    cip_csv_read_opts_default(&o);
    const cip_csv_col_type types[3] = {
        {"id", CIP_TYPE_CAT}, {"flag", CIP_TYPE_BOOL}, {"v", CIP_TYPE_FLOAT}};
    o.types = types;
    o.n_types = 3;
    f = read_text(ctx, "id,flag,v\n007,1,3\n8,0,\n", &o);
    assert_int_equal(cip_frame_col_type(f, 0), CIP_TYPE_CAT);
    assert_string_equal(level_at(f, 0, 0), "007");
    assert_int_equal(cip_frame_col_type(f, 1), CIP_TYPE_BOOL);
    assert_int_equal(cip_frame_bool(f, 1)[0], 1);
    assert_int_equal(cip_frame_col_type(f, 2), CIP_TYPE_FLOAT);
    assert_true(cip_frame_f64(f, 2)[0] == 3.0 && cip_frame_is_missing(f, 2, 1));
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

static void test_data_csv_header_only_is_zero_rows(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    cip_frame *f = read_text(ctx, "a,b,c\n", NULL);
    assert_int_equal(cip_frame_n_rows(f), 0);
    assert_int_equal(cip_frame_n_cols(f), 3);
    assert_int_equal(cip_frame_col_type(f, 1), CIP_TYPE_FLOAT);
    cip_frame_free(f);
    f = read_text(ctx, "a,b", NULL); /* no newline at all */
    assert_int_equal(cip_frame_n_rows(f), 0);
    assert_int_equal(cip_frame_n_cols(f), 2);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

/* --- exact floats ------------------------------------------------------------------ */

static double parse_one(cip_ctx *ctx, const char *s)
{
    char text[2200];
    snprintf(text, sizeof text, "x\n%s\n", s);
    cip_csv_read_opts o;
    cip_csv_read_opts_default(&o);
    const cip_csv_col_type t = {"x", CIP_TYPE_FLOAT};
    o.types = &t;
    o.n_types = 1;
    cip_frame *f = read_text(ctx, text, &o);
    double v = cip_frame_f64(f, 0)[0];
    cip_frame_free(f);
    return v;
}

static void test_data_csv_floats_identical_to_strtod(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    static const char *const fixed[] = {
        "0.1",
        "2.2250738585072011e-308",
        "2.2250738585072014e-308",
        "4.9e-324",
        "1e-400",
        "1.7976931348623157e308",
        "1.7976931348623159e308",
        "9007199254740993",
        "9007199254740992.5",
        "123456789012345678901234567890",
        "0.000000000000000000000001",
        "-0",
        "-0.0e5",
        "1e22",
        "1e23",
        "8.98846567431158e307",
        "3.14159265358979323846",
        "00000000000000000000000001.5",
        "1.00000000000000011102230246251565404236316680908203125",
        "1.000000000000000111022302462515654042363166809082031250000000001",
        "-5e-324",
        "2.4703282292062327e-324",
        "2.4703282292062328e-324",
        "1e308",
        "7.",
        ".7e1",
    };
    for (size_t k = 0; k < CIP_ARRAY_LEN(fixed); k++) {
        double got = parse_one(ctx, fixed[k]), want = strtod(fixed[k], NULL);
        if (memcmp(&got, &want, sizeof got) != 0)
            fail_msg("'%s': got %.17g, strtod %.17g", fixed[k], got, want);
    }
    /* a 900-digit mantissa (sticky digit path) */
    char big[1000];
    memset(big, '3', 900);
    memcpy(big, "0.", 2);
    big[900] = '\0';
    double got = parse_one(ctx, big), want = strtod(big, NULL);
    assert_memory_equal(&got, &want, sizeof got);
    /* random decimal strings */
    uint64_t s = 88172645463325252ULL;
    for (int k = 0; k < 20000; k++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        char num[64];
        int nd = 1 + (int)(s % 19), e = (int)((s >> 8) % 80) - 40, dot = (int)((s >> 16) % 20);
        int n = 0;
        if ((s >> 30) & 1)
            num[n++] = '-';
        uint64_t r = s >> 20;
        for (int i = 0; i < nd; i++) {
            if (i == dot)
                num[n++] = '.';
            num[n++] = (char)('0' + (r % 10));
            r = r / 10 + (uint64_t)i * 7919;
        }
        if ((s >> 40) & 1) /* half without exponent: the inline fast path */
            n += snprintf(num + n, sizeof num - (size_t)n, "e%d", e);
        else
            num[n] = '\0';
        got = parse_one(ctx, num);
        want = strtod(num, NULL);
        if (memcmp(&got, &want, sizeof got) != 0)
            fail_msg("'%s': got %.17g, strtod %.17g", num, got, want);
    }
    cip_ctx_free(ctx);
}

/* --- files: reference data, gzip ------------------------------------------------ */

static void test_data_csv_reference_file(void **state)
{
    (void)state;
    char path[1024];
    if (cipt_shared_path(path, sizeof path, "data/Customer_Purchasing_Behaviors.csv") == NULL) {
        print_message("SKIP: ../shared is absent\n");
        skip();
    }
    cip_ctx *ctx = new_ctx();
    cip_frame *f = NULL;
    assert_int_equal(cip_frame_read_csv(ctx, path, NULL, &f), CIP_OK);
    assert_int_equal(cip_frame_n_rows(f), 238);
    assert_int_equal(cip_frame_n_cols(f), 7);
    static const cip_type want[7] = {CIP_TYPE_INT,   CIP_TYPE_INT, CIP_TYPE_INT, CIP_TYPE_INT,
                                     CIP_TYPE_FLOAT, CIP_TYPE_CAT, CIP_TYPE_INT};
    for (size_t j = 0; j < 7; j++)
        assert_int_equal(cip_frame_col_type(f, j), want[j]);
    assert_string_equal(cip_frame_col_name(f, 4), "loyalty_score");
    /* first row: 1,25,45000,200,4.5,North,12; last: 238,...,West? checked by value */
    assert_int_equal(cip_frame_i64(f, 2)[0], 45000);
    assert_true(cip_frame_f64(f, 4)[0] == 4.5);
    assert_string_equal(level_at(f, 5, 0), "North");
    assert_int_equal(cip_frame_i64(f, 0)[237], 238);
    assert_int_equal(cip_frame_n_levels(f, 5), 4);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

static void test_data_csv_gzip_file(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "/tmp/cip-test-gz-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    gzFile g = gzdopen(fd, "wb");
    assert_non_null(g);
    const char *text = "a,b\n1,x\n2,\"y,z\"\n";
    assert_int_equal(gzwrite(g, text, (unsigned)strlen(text)), (int)strlen(text));
    assert_int_equal(gzclose(g), Z_OK);
    cip_ctx *ctx = new_ctx();
    cip_frame *f = NULL; /* no .gz suffix: detected by the magic */
    assert_int_equal(cip_frame_read_csv(ctx, path, NULL, &f), CIP_OK);
    assert_int_equal(cip_frame_n_rows(f), 2);
    assert_string_equal(level_at(f, 1, 1), "y,z");
    cip_frame_free(f);
    remove(path);
    /* a corrupt gzip stream is an I/O error, not a crash */
    char bad[64];
    const char junk[] = "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage-garbage";
    cipt_write_temp(bad, sizeof bad, ".csv.gz", junk, sizeof junk - 1);
    assert_int_equal(cip_frame_read_csv(ctx, bad, NULL, &f), CIP_ERR_IO);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), bad));
    remove(bad);
    assert_int_equal(cip_frame_read_csv(ctx, "/nonexistent/x.csv", NULL, &f), CIP_ERR_IO);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "cannot open '/nonexistent/x.csv'"));
    assert_null(f);
    cip_ctx_free(ctx);
}

/* --- threads and memory ------------------------------------------------------- */

/* A table with every kind of field (~40 bytes a row), so chunks and gzip
 * blocks split inside it. */
static char *make_big(size_t rows, size_t *len)
{
    size_t cap = rows * 64 + 64, n = 0;
    char *s = malloc(cap);
    assert_non_null(s);
    n += (size_t)snprintf(s, cap, "id,x,flag,label,note\n");
    for (size_t i = 0; i < rows; i++) {
        n += (size_t)snprintf(s + n, cap - n, "%zu,%s,%s,%s,%s\n", i,
                              i % 17 == 0 ? "" : (i % 5 ? "1.25" : "-3e-5"), i % 3 ? "True" : "0",
                              i % 11 == 0 ? "NA" : (i % 2 ? "a" : "b"),
                              i % 7 == 0 ? "\"multi\nline, \"\"quoted\"\"\"" : "plain");
    }
    *len = n;
    return s;
}

static const void *col_data(const cip_frame *f, size_t j, size_t *w)
{
    switch (cip_frame_col_type(f, j)) {
    case CIP_TYPE_INT:
        *w = 8;
        return cip_frame_i64(f, j);
    case CIP_TYPE_FLOAT:
        *w = 8;
        return cip_frame_f64(f, j);
    case CIP_TYPE_BOOL:
        *w = 1;
        return cip_frame_bool(f, j);
    case CIP_TYPE_CAT:
        *w = 4;
        return cip_frame_codes(f, j);
    }
    return NULL;
}

/* Same shape, types, names, values (bitwise), bitmaps and dictionaries. */
static void assert_same_frames(const cip_frame *a, const cip_frame *b)
{
    size_t n = cip_frame_n_rows(a);
    assert_int_equal(n, cip_frame_n_rows(b));
    assert_int_equal(cip_frame_n_cols(a), cip_frame_n_cols(b));
    for (size_t j = 0; j < cip_frame_n_cols(a); j++) {
        assert_string_equal(cip_frame_col_name(a, j), cip_frame_col_name(b, j));
        assert_int_equal(cip_frame_col_type(a, j), cip_frame_col_type(b, j));
        size_t w;
        const void *va = col_data(a, j, &w), *vb = col_data(b, j, &w);
        assert_memory_equal(va, vb, n * w);
        assert_int_equal(cip_frame_n_missing(a, j), cip_frame_n_missing(b, j));
        if (cip_frame_missing(a, j) != NULL)
            assert_memory_equal(cip_frame_missing(a, j), cip_frame_missing(b, j), (n + 7) / 8);
        assert_int_equal(cip_frame_n_levels(a, j), cip_frame_n_levels(b, j));
        for (size_t k = 0; k < cip_frame_n_levels(a, j); k++)
            assert_string_equal(cip_frame_level(a, j, (uint32_t)k),
                                cip_frame_level(b, j, (uint32_t)k));
    }
}

static void test_data_csv_threads_give_identical_frames(void **state)
{
    (void)state;
    size_t len;
    char *text = make_big(60000, &len);
    cip_frame *fr[2] = {NULL, NULL};
    for (int t = 0; t < 2; t++) {
        cip_ctx *ctx = new_ctx();
        cip_ctx_set_threads(ctx, t + 1);
        assert_int_equal(cip_frame_read_csv_mem(ctx, "big", text, len, NULL, &fr[t]), CIP_OK);
        cip_ctx_free(ctx);
    }
    cip_frame *a = fr[0];
    assert_int_equal(cip_frame_n_rows(a), 60000);
    assert_same_frames(a, fr[1]);
    assert_int_equal(cip_frame_col_type(a, 2), CIP_TYPE_BOOL);
    assert_int_equal(cip_frame_n_missing(a, 1), 60000 / 17 + 1);
    assert_string_equal(cip_frame_level(a, 4, cip_frame_codes(a, 4)[7]), "multi\nline, \"quoted\"");
    cip_frame_free(a);
    cip_frame_free(fr[1]);
    free(text);
}

static void write_gz(const char *path, const char *text, size_t len)
{
    gzFile g = gzopen(path, "wb1");
    assert_non_null(g);
    for (size_t off = 0; off < len;) {
        unsigned k = len - off > (1u << 20) ? 1u << 20 : (unsigned)(len - off);
        assert_int_equal(gzwrite(g, text + off, k), (int)k);
        off += k;
    }
    assert_int_equal(gzclose(g), Z_OK);
}

/* A gzip file of many blocks (4 x max_field_bytes = 64 KiB here; rows and
 * quoted newlines are cut at block ends) reads exactly like the same text
 * from memory; so does max_rows, and an error in a later block reports the
 * same line. */
static void test_data_csv_gzip_blocks_match_memory(void **state)
{
    (void)state;
    size_t len;
    char *text = make_big(60000, &len);
    char path[64];
    snprintf(path, sizeof path, "/tmp/cip-test-big-XXXXXX.csv.gz");
    int fd = mkstemps(path, 7);
    assert_true(fd >= 0);
    close(fd);
    write_gz(path, text, len);
    cip_ctx *ctx = new_ctx();
    cip_csv_read_opts o;
    cip_csv_read_opts_default(&o);
    o.max_field_bytes = 16384;
    cip_frame *a = NULL, *b = NULL;
    assert_int_equal(cip_frame_read_csv_mem(ctx, "big", text, len, &o, &a), CIP_OK);
    assert_int_equal(cip_frame_read_csv(ctx, path, &o, &b), CIP_OK);
    assert_same_frames(a, b);
    cip_frame_free(a);
    cip_frame_free(b);
    o.max_rows = 40001;
    assert_int_equal(cip_frame_read_csv_mem(ctx, "big", text, len, &o, &a), CIP_OK);
    assert_int_equal(cip_frame_read_csv(ctx, path, &o, &b), CIP_OK);
    assert_int_equal(cip_frame_n_rows(b), 40001);
    assert_same_frames(a, b);
    cip_frame_free(a);
    cip_frame_free(b);
    o.max_rows = 0;
    /* break a row near the end: same message from memory and from gzip */
    char *nl = memchr(text + len - 300, '\n', 300);
    assert_non_null(nl);
    nl[1] = '"';
    write_gz(path, text, len);
    char want[512];
    assert_int_equal(cip_frame_read_csv_mem(ctx, path, text, len, &o, &a), CIP_ERR_PARSE);
    snprintf(want, sizeof want, "%s", cip_ctx_errmsg(ctx));
    assert_int_equal(cip_frame_read_csv(ctx, path, &o, &b), CIP_ERR_PARSE);
    assert_string_equal(cip_ctx_errmsg(ctx), want);
    /* a truncated stream is an I/O error */
    assert_int_equal(truncate(path, 2000), 0);
    assert_int_equal(cip_frame_read_csv(ctx, path, &o, &b), CIP_ERR_IO);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "cannot decompress"));
    remove(path);
    cip_ctx_free(ctx);
    free(text);
}

/* A row longer than the gzip block grows it; a row past the row limit
 * (2 x max_field_bytes + 16 MiB) fails with LIMIT instead of eating memory. */
static void test_data_csv_gzip_long_rows(void **state)
{
    (void)state;
    size_t w = 15000, len = 0, cap = 6 * (w + 3) + 64;
    char *text = malloc(cap);
    assert_non_null(text);
    len += (size_t)snprintf(text, cap, "a,b,c,d,e,f\n");
    for (int k = 0; k < 6; k++) {
        text[len++] = '"';
        memset(text + len, 'a' + k, w);
        text[len + w / 2] = '\n';
        len += w;
        text[len++] = '"';
        text[len++] = k < 5 ? ',' : '\n';
    }
    len += (size_t)snprintf(text + len, cap - len, "1,2,3,4,5,6\n");
    char path[64];
    snprintf(path, sizeof path, "/tmp/cip-test-long-XXXXXX.gz");
    int fd = mkstemps(path, 3);
    assert_true(fd >= 0);
    close(fd);
    write_gz(path, text, len);
    cip_ctx *ctx = new_ctx();
    cip_csv_read_opts o;
    cip_csv_read_opts_default(&o);
    o.max_field_bytes = 16384; /* 64 KiB blocks; the first row is 90 KB */
    cip_frame *a = NULL, *b = NULL;
    assert_int_equal(cip_frame_read_csv_mem(ctx, "long", text, len, &o, &a), CIP_OK);
    assert_int_equal(cip_frame_read_csv(ctx, path, &o, &b), CIP_OK);
    assert_int_equal(cip_frame_n_rows(b), 2);
    assert_int_equal(strlen(cip_frame_level(b, 5, 0)), w);
    assert_same_frames(a, b);
    cip_frame_free(a);
    cip_frame_free(b);
    free(text);
    size_t big = (size_t)17 << 20;
    text = malloc(big);
    assert_non_null(text);
    memcpy(text, "a\n", 2);
    for (size_t i = 2; i < big; i++)
        text[i] = i % 2 ? ',' : 'x';
    write_gz(path, text, big);
    assert_int_equal(cip_frame_read_csv(ctx, path, &o, &b), CIP_ERR_LIMIT);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "found a row longer than 16809984 bytes"));
    remove(path);
    free(text);
    cip_ctx_free(ctx);
}

static cip_status read_body(cip_ctx *ctx, void *arg)
{
    const char *path = arg;
    cip_frame *f = NULL;
    const cip_csv_col_type t = {"n", CIP_TYPE_FLOAT};
    cip_csv_read_opts o;
    cip_csv_read_opts_default(&o);
    o.types = &t;
    o.n_types = 1;
    cip_status rc = cip_frame_read_csv(ctx, path, &o, &f);
    if (rc == CIP_OK && cip_frame_n_rows(f) != 4)
        rc = CIP_ERR_INTERNAL;
    cip_frame_free(f);
    return rc;
}

static void test_data_csv_oom_sweep(void **state)
{
    (void)state;
    const char text[] = "id,name,n,ok\n1,\"a\"\"b\",2.5,True\n2,c,,false\n3,\"a\"\"b\",1e3,\n"
                        "4,\"x\ny\",7,true\n";
    char path[64];
    cipt_write_temp(path, sizeof path, ".csv", text, sizeof text - 1);
    assert_true(cipt_oom_sweep(read_body, path) > 20);
    remove(path);
    write_gz(path, text, sizeof text - 1); /* the same through the gzip stream */
    assert_true(cipt_oom_sweep(read_body, path) > 20);
    remove(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_data_frame_builders_and_getters),
        cmocka_unit_test(test_data_frame_take_rows_and_select),
        cmocka_unit_test(test_data_frame_oom_sweep),
        cmocka_unit_test(test_data_csv_type_inference_table),
        cmocka_unit_test(test_data_csv_values_and_missing_bitmaps),
        cmocka_unit_test(test_data_csv_wide_integers_exact),
        cmocka_unit_test(test_data_csv_quoting_crlf_bom),
        cmocka_unit_test(test_data_csv_delimiter_max_rows_and_types),
        cmocka_unit_test(test_data_csv_header_only_is_zero_rows),
        cmocka_unit_test(test_data_csv_floats_identical_to_strtod),
        cmocka_unit_test(test_data_csv_reference_file),
        cmocka_unit_test(test_data_csv_gzip_file),
        cmocka_unit_test(test_data_csv_threads_give_identical_frames),
        cmocka_unit_test(test_data_csv_gzip_blocks_match_memory),
        cmocka_unit_test(test_data_csv_gzip_long_rows),
        cmocka_unit_test(test_data_csv_oom_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
