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

static void test_serve_decode_oom_sweep(void **state)
{
    (void)state;
    assert_true(cipt_oom_sweep(oom_decode, NULL) > 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_serve_decode_types_and_nulls),
        cmocka_unit_test(test_serve_decode_oom_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
