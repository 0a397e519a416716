/* test_csv.c - CSV reader errors: every malformed input gets a clear
 * file:line:column message naming what was found and what was expected
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cipi.h"
#include "testutil.h"

/* Read len bytes (strlen when len is 0), expect status want and a message
 * containing each of the NULL-terminated substrings. */
static void expect_error(const char *text, size_t len, const cip_csv_read_opts *o, cip_status want,
                         const char *const *has)
{
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_frame *f = (cip_frame *)&ctx; /* must be reset to NULL */
    cip_status rc = cip_frame_read_csv_mem(ctx, "t.csv", text, len ? len : strlen(text), o, &f);
    const char *msg = cip_ctx_errmsg(ctx);
    if (rc != want)
        fail_msg("got %s (%s), want %s", cip_status_name(rc), msg, cip_status_name(want));
    assert_null(f);
    for (size_t k = 0; has[k] != NULL; k++)
        if (strstr(msg, has[k]) == NULL)
            fail_msg("message '%s' lacks '%s'", msg, has[k]);
    cip_ctx_free(ctx);
}

#define HAS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void test_csv_empty_file(void **state)
{
    (void)state;
    expect_error("", 0, NULL, CIP_ERR_PARSE,
                 HAS("t.csv:1:1:", "found an empty file", "expected a header row"));
    expect_error("\xEF\xBB\xBF", 0, NULL, CIP_ERR_PARSE, HAS("t.csv:1:1: found an empty file"));
}

static void test_csv_invalid_utf8_in_header_and_field(void **state)
{
    (void)state;
    expect_error(
        "a,b\xff\n1,2\n", 0, NULL, CIP_ERR_PARSE,
        HAS("t.csv:1:4:", "invalid UTF-8 in the header field 'b\\xFF'", "expected UTF-8 text"));
    expect_error("a,b\n1,ok\n2,x\xc3(\n", 0, NULL, CIP_ERR_PARSE,
                 HAS("t.csv:3:4:", "column 'b'", "invalid UTF-8 in 'x\\xC3('"));
    /* overlong, surrogate and out-of-range sequences are invalid too */
    expect_error("a\n\xc0\xaf\n", 0, NULL, CIP_ERR_PARSE, HAS("t.csv:2:1:"));
    expect_error("a\n\xed\xa0\x80\n", 0, NULL, CIP_ERR_PARSE, HAS("t.csv:2:1:"));
    expect_error("a\nok\xf4\x90\x80\x80\n", 0, NULL, CIP_ERR_PARSE, HAS("t.csv:2:3:"));
}

static void test_csv_ragged_rows(void **state)
{
    (void)state;
    expect_error(
        "a,b\n1,2\n3,4,5\n", 0, NULL, CIP_ERR_PARSE,
        HAS("t.csv:3:5:", "found too many fields in this row (3)", "expected 2 as in the header"));
    expect_error("a,b,c\n1,2,3\r\n1,2\r\n", 0, NULL, CIP_ERR_PARSE,
                 HAS("t.csv:3:4:", "found too few fields in this row (2)", "expected 3"));
    /* a quoted newline does not end the row: the count is on line 3 */
    expect_error("a,b\n\"x\ny\",1,2\n", 0, NULL, CIP_ERR_PARSE,
                 HAS("t.csv:3:6:", "too many fields"));
}

static void test_csv_quoting_errors(void **state)
{
    (void)state;
    expect_error("a,b\n1,\"abc\n2,3\n", 0, NULL, CIP_ERR_PARSE,
                 HAS("t.csv:2:3:", "unterminated quoted field", "expected a closing '\"'"));
    expect_error("\"a,b\n", 0, NULL, CIP_ERR_PARSE, HAS("t.csv:1:1:", "unterminated"));
    expect_error("a,b\n1,ab\"c\n", 0, NULL, CIP_ERR_PARSE,
                 HAS("t.csv:2:5:", "found a quote inside the unquoted field 'ab\"'",
                     "inner quotes doubled"));
    expect_error("a,b\n\"x\"y,2\n", 0, NULL, CIP_ERR_PARSE,
                 HAS("t.csv:2:4:", "found 'y' after a closing quote",
                     "expected a delimiter or the end of the line"));
}

static void test_csv_nul_bytes(void **state)
{
    (void)state;
    static const char t1[] = "a,b\n1,x\0y\n";
    expect_error(t1, sizeof t1 - 1, NULL, CIP_ERR_PARSE,
                 HAS("t.csv:2:4:", "found a NUL byte", "expected text"));
    static const char t2[] = "a,b\n1,\"x\n\0\"\n";
    expect_error(t2, sizeof t2 - 1, NULL, CIP_ERR_PARSE, HAS("t.csv:3:1:", "NUL byte"));
    static const char t3[] = "a\0,b\n";
    expect_error(t3, sizeof t3 - 1, NULL, CIP_ERR_PARSE, HAS("t.csv:1:2:", "NUL byte"));
}

static void test_csv_header_names(void **state)
{
    (void)state;
    expect_error("a,,c\n1,2,3\n", 0, NULL, CIP_ERR_PARSE,
                 HAS("t.csv:1:3:", "found an empty name for column 2", "expected a name"));
    expect_error(
        "a,b,a\n1,2,3\n", 0, NULL, CIP_ERR_CONFLICT,
        HAS("t.csv:1:5:", "duplicate column name 'a' (columns 1 and 3)", "expected unique names"));
    expect_error("\n1\n", 0, NULL, CIP_ERR_PARSE, HAS("t.csv:1:1:", "empty name for column 1"));
}

static void test_csv_forced_type_errors(void **state)
{
    (void)state;
    cip_csv_read_opts o;
    cip_csv_read_opts_default(&o);
    cip_csv_col_type t = {"b", CIP_TYPE_FLOAT};
    o.types = &t;
    o.n_types = 1;
    expect_error("a,b\n1,2\n2,x\n", 0, &o, CIP_ERR_SCHEMA,
                 HAS("t.csv:3:3:", "column 'b': found 'x'; expected float"));
    t.type = CIP_TYPE_INT;
    expect_error(
        "a,b\n1,2\n2,99999999999999999999\n", 0, &o, CIP_ERR_SCHEMA,
        HAS("t.csv:3:3:", "found '99999999999999999999', outside the int64 range", "expected int"));
    expect_error("a,b\n1,2.5\n", 0, &o, CIP_ERR_SCHEMA, HAS("found '2.5'; expected int"));
    t.type = CIP_TYPE_BOOL;
    expect_error("a,b\n1,yes\n", 0, &o, CIP_ERR_SCHEMA, HAS("found 'yes'; expected bool"));
    expect_error("a,b\n1,2\n", 0, &o, CIP_ERR_SCHEMA, HAS("found '2'; expected bool"));
    t.name = "zz";
    expect_error("a,b\n1,2\n", 0, &o, CIP_ERR_SCHEMA,
                 HAS("type override names column 'zz', which is not in the header of t.csv"));
    cip_csv_read_opts_default(&o);
    o.delimiter = '"';
    expect_error("a,b\n", 0, &o, CIP_ERR_INVALID, HAS("invalid delimiter"));
}

/* 100 MB in one field: over the default 64 MiB limit it fails with LIMIT,
 * with a raised limit it parses. */
static void test_csv_huge_field_limit(void **state)
{
    (void)state;
    size_t big = (size_t)100 << 20, len = big + 8;
    char *text = malloc(len);
    assert_non_null(text);
    memcpy(text, "a,b\n1,", 6);
    memset(text + 6, 'x', big);
    text[6 + big] = '\n';
    expect_error(text, big + 7, NULL, CIP_ERR_LIMIT,
                 HAS("t.csv:2:3:", "field of 104857600 bytes exceeds the limit of 67108864 bytes",
                     "max_field_bytes"));
    cip_csv_read_opts o;
    cip_csv_read_opts_default(&o);
    o.max_field_bytes = big;
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_frame *f = NULL;
    assert_int_equal(cip_frame_read_csv_mem(ctx, "t.csv", text, big + 7, &o, &f), CIP_OK);
    assert_int_equal(cip_frame_n_rows(f), 1);
    assert_int_equal(strlen(cip_frame_level(f, 1, 0)), big);
    cip_frame_free(f);
    cip_ctx_free(ctx);
    free(text);
}

/* An error deep in a multi-chunk file is reported at its real line, and the
 * first error in file order wins whatever the thread count. */
static void test_csv_error_line_in_later_chunk(void **state)
{
    (void)state;
    size_t cap = 3u << 20, n = 0;
    char *s = malloc(cap);
    assert_non_null(s);
    n += (size_t)snprintf(s, cap, "k,v\n");
    size_t line = 1, err_line = 0;
    for (size_t i = 0; n + 64 < cap; i++) {
        n += (size_t)snprintf(s + n, cap - n, i % 3 ? "%zu,\"two\nlines\"\n" : "%zu,one\n", i);
        line += i % 3 ? 2 : 1;
        if (i == 70000) {
            n += (size_t)snprintf(s + n, cap - n, "1,2,3\n"); /* first error */
            err_line = ++line;
        }
        if (i == 90000)
            n += (size_t)snprintf(s + n, cap - n, "bad\"quote,1\n");
    }
    char want[64];
    snprintf(want, sizeof want, "t.csv:%zu:5: found too many fields", err_line);
    assert_int_equal(err_line, 116670); /* 1 + 23334 one-line + 46667 two-line rows + 1 */
    for (int t = 1; t <= 2; t++) {
        cip_ctx *ctx = NULL;
        assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
        cip_ctx_set_threads(ctx, t);
        cip_frame *f = NULL;
        assert_int_equal(cip_frame_read_csv_mem(ctx, "t.csv", s, n, NULL, &f), CIP_ERR_PARSE);
        if (strstr(cip_ctx_errmsg(ctx), want) == NULL)
            fail_msg("threads %d: '%s' lacks '%s'", t, cip_ctx_errmsg(ctx), want);
        cip_ctx_free(ctx);
    }
    free(s);
}

/* Random RFC 4180 text (quoted fields with delimiters, doubled quotes and
 * newlines) of ~2.5 MB, so chunk boundaries fall everywhere: 1, 2 and 3
 * threads give the same frame; with a defect injected, the same message. */
static char *random_csv(uint64_t seed, size_t rows, size_t *len)
{
    static const char *const atoms[] = {"1",    "-2", "3.5", "x",    "y,z", "q\"q",
                                        "a\nb", "",   "NA",  "True", "0",   "\r\n"};
    size_t cap = rows * 64 + 64, n = 0;
    char *s = malloc(cap);
    assert_non_null(s);
    n += (size_t)snprintf(s, cap, "a,b,c\n");
    for (size_t i = 0; i < rows; i++) {
        for (int j = 0; j < 3; j++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            const char *v = atoms[(seed >> 33) % CIP_ARRAY_LEN(atoms)];
            bool q = strpbrk(v, ",\"\n\r") != NULL || ((seed >> 20) & 1);
            if (q)
                s[n++] = '"';
            for (const char *c = v; *c; c++) {
                if (*c == '"')
                    s[n++] = '"';
                s[n++] = *c;
            }
            if (q)
                s[n++] = '"';
            s[n++] = j < 2 ? ',' : '\n';
        }
    }
    *len = n;
    return s;
}

static void test_csv_random_text_same_for_any_thread_count(void **state)
{
    (void)state;
    size_t len;
    char *text = random_csv(7, 200000, &len);
    cip_frame *ref = NULL;
    char ref_msg[512] = "";
    for (int round = 0; round < 2; round++) {
        if (round == 1) /* a stray quote in the middle of an unquoted field */
            memcpy(strstr(text + len / 2, ",1,") + 1, "1\"", 2);
        for (int t = 1; t <= 3; t++) {
            cip_ctx *ctx = NULL;
            assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
            cip_ctx_set_threads(ctx, t);
            cip_frame *f = NULL;
            cip_status rc = cip_frame_read_csv_mem(ctx, "r.csv", text, len, NULL, &f);
            if (round == 0) {
                assert_int_equal(rc, CIP_OK);
                assert_int_equal(cip_frame_n_rows(f), 200000);
                if (ref == NULL) {
                    ref = f;
                } else {
                    for (size_t j = 0; j < 3; j++) {
                        assert_int_equal(cip_frame_col_type(f, j), CIP_TYPE_CAT);
                        assert_memory_equal(cip_frame_codes(f, j), cip_frame_codes(ref, j),
                                            200000 * sizeof(uint32_t));
                        assert_int_equal(cip_frame_n_missing(f, j), cip_frame_n_missing(ref, j));
                    }
                    cip_frame_free(f);
                }
            } else {
                assert_int_equal(rc, CIP_ERR_PARSE);
                if (t == 1)
                    snprintf(ref_msg, sizeof ref_msg, "%s", cip_ctx_errmsg(ctx));
                assert_string_equal(cip_ctx_errmsg(ctx), ref_msg);
                assert_non_null(strstr(ref_msg, "found a quote inside the unquoted field"));
            }
            cip_ctx_free(ctx);
        }
    }
    assert_true(cip_frame_n_levels(ref, 1) >= 8); /* every atom shows up */
    cip_frame_free(ref);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_empty_file),
        cmocka_unit_test(test_csv_invalid_utf8_in_header_and_field),
        cmocka_unit_test(test_csv_ragged_rows),
        cmocka_unit_test(test_csv_quoting_errors),
        cmocka_unit_test(test_csv_nul_bytes),
        cmocka_unit_test(test_csv_header_names),
        cmocka_unit_test(test_csv_forced_type_errors),
        cmocka_unit_test(test_csv_huge_field_limit),
        cmocka_unit_test(test_csv_error_line_in_later_chunk),
        cmocka_unit_test(test_csv_random_text_same_for_any_thread_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
