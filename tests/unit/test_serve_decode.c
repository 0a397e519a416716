/* test_serve_decode.c - the model server's request decoding without HTTP (split from
 * test_serve.c): JSON and CSV bodies to typed frames, nulls, out of memory
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cip/serve.h"
#include "testutil.h"

/* --- decoding, without HTTP --------------------------------------------------------------- */
static const cip_serve_field k_sig[] = {{"age", CIP_TYPE_INT},
                                        {"score", CIP_TYPE_FLOAT},
                                        {"flag", CIP_TYPE_BOOL},
                                        {"region", CIP_TYPE_CAT}};

static void test_serve_decode_types_and_nulls(void **state)
{
    (void)state;
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    const char *body = "{\"dataframe_split\": {\"columns\": [\"region\", \"x\", \"age\", "
                       "\"score\", \"flag\"], \"data\": [[\"N\", 1, 3.0, 1, true], [null, 2, "
                       "null, 2.5, false]]}}";
    cip_frame *f = NULL;
    assert_int_equal(cip_serve_decode_json(ctx, k_sig, 4, body, strlen(body), &f), CIP_OK);
    assert_int_equal(cip_frame_n_cols(f), 4);
    assert_int_equal(cip_frame_n_rows(f), 2);
    assert_int_equal(cip_frame_i64(f, 0)[0], 3);
    assert_true(cip_frame_is_missing(f, 0, 1));
    assert_true(cip_frame_f64(f, 1)[1] == 2.5);
    assert_int_equal(cip_frame_bool(f, 2)[0], 1);
    assert_string_equal(cip_frame_level(f, 3, cip_frame_codes(f, 3)[0]), "N");
    assert_true(cip_frame_is_missing(f, 3, 1));
    cip_frame_free(f);
    const char *bad = "{\"inputs\": {\"age\": [1.5], \"score\": [1], \"flag\": [true], "
                      "\"region\": [\"a\"]}}";
    assert_int_equal(cip_serve_decode_json(ctx, k_sig, 4, bad, strlen(bad), &f), CIP_ERR_SCHEMA);
    assert_null(f);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "'age', row 0"));
    const char *csv = "age,score,flag,region\n1,2.5,True,N\n2.0,3,False,S\n";
    assert_int_equal(cip_serve_decode_csv(ctx, k_sig, 4, csv, strlen(csv), 0, &f), CIP_OK);
    assert_int_equal(cip_frame_col_type(f, 0), CIP_TYPE_INT);
    assert_int_equal(cip_frame_i64(f, 0)[1], 2);
    assert_true(cip_frame_f64(f, 1)[1] == 3.0);
    cip_frame_free(f);
    const char *csv_bad = "age,score,flag,region\n1.5,2.5,True,N\n";
    assert_int_equal(cip_serve_decode_csv(ctx, k_sig, 4, csv_bad, strlen(csv_bad), 0, &f),
                     CIP_ERR_SCHEMA);
    cip_ctx_free(ctx);
}

static cip_status oom_decode(cip_ctx *ctx, void *arg)
{
    (void)arg;
    const char *body = "{\"dataframe_records\": [{\"age\": 1, \"score\": 2, \"flag\": false, "
                       "\"region\": \"N\"}, {\"age\": 2, \"score\": null, \"flag\": true, "
                       "\"region\": \"S\"}]}";
    cip_frame *f = NULL;
    cip_status rc = cip_serve_decode_json(ctx, k_sig, 4, body, strlen(body), &f);
    cip_frame_free(f);
    return rc;
}

/* Frames a and b have the same columns, types, missing cells and values. */
static void expect_same_frame(const cip_frame *a, const cip_frame *b, const char *rows)
{
    if (cip_frame_n_cols(a) != cip_frame_n_cols(b) || cip_frame_n_rows(a) != cip_frame_n_rows(b))
        fail_msg("%s: shapes differ", rows);
    for (size_t j = 0; j < cip_frame_n_cols(a); j++) {
        assert_string_equal(cip_frame_col_name(a, j), cip_frame_col_name(b, j));
        assert_int_equal(cip_frame_col_type(a, j), cip_frame_col_type(b, j));
        for (size_t i = 0; i < cip_frame_n_rows(a); i++) {
            bool ma = cip_frame_is_missing(a, j, i), mb = cip_frame_is_missing(b, j, i);
            if (ma != mb)
                fail_msg("%s: column %zu row %zu: missing %d vs %d", rows, j, i, ma, mb);
            if (ma)
                continue;
            switch (cip_frame_col_type(a, j)) {
            case CIP_TYPE_INT:
                assert_int_equal(cip_frame_i64(a, j)[i], cip_frame_i64(b, j)[i]);
                break;
            case CIP_TYPE_FLOAT:
                assert_memory_equal(&cip_frame_f64(a, j)[i], &cip_frame_f64(b, j)[i],
                                    sizeof(double));
                break;
            case CIP_TYPE_BOOL:
                assert_int_equal(cip_frame_bool(a, j)[i], cip_frame_bool(b, j)[i]);
                break;
            default:
                assert_string_equal(cip_frame_level(a, j, cip_frame_codes(a, j)[i]),
                                    cip_frame_level(b, j, cip_frame_codes(b, j)[i]));
            }
        }
    }
}

/* The small-body fast path of dataframe_records gives exactly what the full decoder gives for
 * the same rows under "instances" (never taken by the fast path): same frame, or same status
 * and message. */
static void test_serve_decode_records_fast_path_equals_full(void **state)
{
    (void)state;
    static const char *const rows[] = {
        "{\"age\": 35, \"score\": 6.5, \"flag\": true, \"region\": \"North\"}",
        " { \"region\" : \"S\" , \"flag\":false,\"score\":-0,\"age\":-0 } ",
        "{\"age\": 1.0, \"score\": 1e2, \"flag\": null, \"region\": null}",
        "{\"age\": 2E1, \"score\": -1.25e-3, \"flag\": true, \"region\": \"\", \"x\": [1]}",
        "{\"age\": 3, \"score\": 0.1, \"flag\": true, \"region\": \"a\", \"x\": 1, \"y\": \"z\"}",
        "{\"age\": 4, \"score\": 7, \"flag\": true}, {\"region\": \"b\"}",
        "{}, {\"age\": 5, \"score\": 1, \"flag\": false, \"region\": \"c\"}",
        "{\"age\": 9223372036854775807, \"score\": 1e-400, \"flag\": true, \"region\": \"d\"}",
        "{\"age\": 9223372036854775808, \"score\": 1, \"flag\": true, \"region\": \"d\"}",
        "{\"age\": 1.5, \"score\": 1, \"flag\": true, \"region\": \"e\"}",
        "{\"age\": 1, \"score\": \"1\", \"flag\": true, \"region\": \"e\"}",
        "{\"age\": 1, \"score\": 1, \"flag\": 1, \"region\": \"e\"}",
        "{\"age\": 1, \"score\": 1, \"flag\": true, \"region\": 5}",
        "{\"age\": 1, \"age\": 2, \"score\": 1, \"flag\": true, \"region\": \"e\"}",
        "{\"x\": 1, \"x\": 2, \"age\": 1, \"score\": 1, \"flag\": true, \"region\": \"e\"}",
        "{\"age\": 1, \"score\": 1, \"flag\": true}",
        "{\"age\": 01, \"score\": 1, \"flag\": true, \"region\": \"e\"}",
        "{\"age\": 1, \"score\": 1., \"flag\": true, \"region\": \"e\"}",
        "{\"age\": 1, \"score\": 1e999, \"flag\": true, \"region\": \"e\"}",
        "{\"age\": 1, \"score\": 1, \"flag\": tru, \"region\": \"e\"}",
        "{\"age\": 1, \"score\": 1, \"flag\": true, \"region\": \"caf\\u00e9\"}",
        "{\"age\": 1, \"score\": 1, \"flag\": true, \"region\": \"e\",}",
        "{\"age\": 1 \"score\": 1, \"flag\": true, \"region\": \"e\"}",
        "{\"age\": 1, \"score\": 2, \"flag\": true, \"region\": \"e\"}, {\"age\": 2, \"score\": "
        "3, \"flag\": false, \"region\": \"f\"}, {\"age\": 3, \"score\": 4, \"flag\": true, "
        "\"region\": \"e\"}",
    };
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    char a[2048], b[2048], msg_a[512];
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        snprintf(a, sizeof a, "{\"dataframe_records\": [%s]}", rows[k]);
        snprintf(b, sizeof b, "{\"instances\": [%s]}", rows[k]);
        cip_frame *fa = NULL, *fb = NULL;
        cip_status ra = cip_serve_decode_json(ctx, k_sig, 4, a, strlen(a), &fa);
        snprintf(msg_a, sizeof msg_a, "%s", cip_ctx_errmsg(ctx));
        cip_ctx_clear_error(ctx);
        cip_status rb = cip_serve_decode_json(ctx, k_sig, 4, b, strlen(b), &fb);
        if (ra != rb)
            fail_msg("rows %zu: status %d vs %d (%s | %s)", k, ra, rb, msg_a, cip_ctx_errmsg(ctx));
        if (ra == CIP_OK)
            expect_same_frame(fa, fb, rows[k]);
        else if (strncmp(msg_a, "invalid JSON", 12) == 0) /* columns differ by the key */
            assert_string_equal(strchr(msg_a, ':'), strchr(cip_ctx_errmsg(ctx), ':'));
        else
            assert_string_equal(msg_a, cip_ctx_errmsg(ctx));
        cip_ctx_clear_error(ctx);
        cip_frame_free(fa);
        cip_frame_free(fb);
    }
    /* the common body: values as given */
    const char *body = "{\"dataframe_records\": [{\"age\": 35, \"score\": 6.5, \"flag\": true, "
                       "\"region\": \"North\", \"user_id\": 7}]}";
    cip_frame *f = NULL;
    assert_int_equal(cip_serve_decode_json(ctx, k_sig, 4, body, strlen(body), &f), CIP_OK);
    assert_int_equal(cip_frame_n_rows(f), 1);
    assert_int_equal(cip_frame_i64(f, 0)[0], 35);
    assert_true(cip_frame_f64(f, 1)[0] == 6.5);
    assert_int_equal(cip_frame_bool(f, 2)[0], 1);
    assert_string_equal(cip_frame_level(f, 3, cip_frame_codes(f, 3)[0]), "North");
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

static cip_status oom_decode_fast(cip_ctx *ctx, void *arg)
{
    (void)arg;
    const char *body = "{\"dataframe_records\": [{\"age\": 1, \"score\": 2, \"flag\": false, "
                       "\"region\": \"N\"}]}";
    cip_frame *f = NULL;
    cip_status rc = cip_serve_decode_json(ctx, k_sig, 4, body, strlen(body), &f);
    cip_frame_free(f);
    return rc;
}

static void test_serve_decode_oom_sweep(void **state)
{
    (void)state;
    assert_true(cipt_oom_sweep(oom_decode, NULL) > 5);
    assert_true(cipt_oom_sweep(oom_decode_fast, NULL) > 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_serve_decode_types_and_nulls),
        cmocka_unit_test(test_serve_decode_records_fast_path_equals_full),
        cmocka_unit_test(test_serve_decode_oom_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
