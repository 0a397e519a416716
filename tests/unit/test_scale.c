/* test_scale.c - standard scaler: sklearn agreement, transform/inverse, errors, OOM
 *
 * Reference values come from tools/ref_kmeans.py (StandardScaler of
 * tests/data/kmeans/scale.csv, which has a constant column).
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cip/scale.h"
#include "testutil.h"

#define SC_ROWS 12

/* scale.csv: columns a, c (constant), b. */
static double sc_data[3][SC_ROWS];

static void load_scale_csv(void)
{
    char path[512];
    FILE *f = fopen(cipt_data_path(path, sizeof path, "kmeans/scale.csv"), "r");
    assert_non_null(f);
    char line[256];
    assert_non_null(fgets(line, sizeof line, f));
    for (int i = 0; i < SC_ROWS; i++) {
        assert_non_null(fgets(line, sizeof line, f));
        char *p = line;
        for (int j = 0; j < 3; j++) {
            sc_data[j][i] = strtod(p, &p);
            if (*p == ',')
                p++;
        }
    }
    fclose(f);
}

/* Value of `key` in tests/data/kmeans/expected.txt. */
static double expected(const char *key)
{
    char path[512], k[128];
    double v = NAN;
    FILE *f = fopen(cipt_data_path(path, sizeof path, "kmeans/expected.txt"), "r");
    assert_non_null(f);
    char line[256];
    while (fgets(line, sizeof line, f) != NULL) {
        if (sscanf(line, "%127s %lf", k, &v) == 2 && strcmp(k, key) == 0) {
            fclose(f);
            return v;
        }
    }
    fclose(f);
    fail_msg("no expected value '%s'", key);
    return NAN;
}

static void assert_close(double got, double want, double rel)
{
    double tol = rel * (fabs(want) > 1.0 ? fabs(want) : 1.0);
    if (!(fabs(got - want) <= tol))
        fail_msg("got %.17g, want %.17g (tolerance %g)", got, want, tol);
}

static void test_scale_fit_matches_sklearn(void **state)
{
    (void)state;
    load_scale_csv();
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    const double *cols[3] = {sc_data[0], sc_data[1], sc_data[2]};
    cip_colmat x = {cols, SC_ROWS, 3};
    cip_scaler *s = NULL;
    assert_int_equal(cip_scaler_fit(ctx, &x, &s), CIP_OK);
    cip_scaler_state st;
    cip_scaler_state_get(s, &st);
    assert_int_equal(st.n_features, 3);
    assert_int_equal(st.n_samples, SC_ROWS);
    assert_null(st.names);
    char key[64];
    for (int j = 0; j < 3; j++) {
        snprintf(key, sizeof key, "scale_mean_%d", j);
        assert_close(st.mean[j], expected(key), 1e-14);
        snprintf(key, sizeof key, "scale_scale_%d", j);
        assert_close(st.scale[j], expected(key), 1e-14);
        snprintf(key, sizeof key, "scale_var_%d", j);
        assert_close(st.var[j], expected(key), 1e-14);
    }
    /* the constant column gets scale 1 and transforms to 0 */
    assert_true(st.scale[1] == 1.0);
    double out0[SC_ROWS], out1[SC_ROWS], out2[SC_ROWS];
    double *outc[3] = {out0, out1, out2};
    assert_int_equal(cip_scaler_transform(ctx, s, &x, outc), CIP_OK);
    assert_close(out2[0], expected("scale_t_0_2"), 1e-14);
    for (int i = 0; i < SC_ROWS; i++)
        assert_true(out1[i] == 0.0);
    cip_scaler_free(s);
    cip_ctx_free(ctx);
}

static void test_scale_inverse_round_trips(void **state)
{
    (void)state;
    load_scale_csv();
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    const double *cols[3] = {sc_data[0], sc_data[1], sc_data[2]};
    cip_colmat x = {cols, SC_ROWS, 3};
    cip_scaler *s = NULL;
    assert_int_equal(cip_scaler_fit(ctx, &x, &s), CIP_OK);
    double buf[3][SC_ROWS];
    memcpy(buf, sc_data, sizeof buf);
    double *inplace[3] = {buf[0], buf[1], buf[2]};
    const double *cin[3] = {buf[0], buf[1], buf[2]};
    cip_colmat xb = {cin, SC_ROWS, 3};
    assert_int_equal(cip_scaler_transform(ctx, s, &xb, inplace), CIP_OK);
    /* z-scores: mean 0, population variance 1 */
    double m = 0.0, v = 0.0;
    for (int i = 0; i < SC_ROWS; i++)
        m += buf[0][i];
    for (int i = 0; i < SC_ROWS; i++)
        v += buf[0][i] * buf[0][i];
    assert_true(fabs(m) < 1e-13);
    assert_close(v / SC_ROWS, 1.0, 1e-13);
    assert_int_equal(cip_scaler_inverse(ctx, s, &xb, inplace), CIP_OK);
    for (int j = 0; j < 3; j++)
        for (int i = 0; i < SC_ROWS; i++)
            assert_close(buf[j][i], sc_data[j][i], 1e-14);
    /* row versions agree with the column versions */
    double row[3] = {sc_data[0][4], sc_data[1][4], sc_data[2][4]}, z[3], back[3];
    cip_scaler_transform_row(s, row, z);
    cip_scaler_inverse_row(s, z, back);
    for (int j = 0; j < 3; j++)
        assert_close(back[j], row[j], 1e-14);
    /* wrong width */
    cip_colmat x2 = {cols, SC_ROWS, 2};
    assert_int_equal(cip_scaler_transform(ctx, s, &x2, inplace), CIP_ERR_SCHEMA);
    cip_scaler_free(s);
    cip_ctx_free(ctx);
}

static cip_frame *scale_frame(cip_ctx *ctx)
{
    cip_frame *f = NULL;
    assert_int_equal(cip_frame_new(ctx, SC_ROWS, &f), CIP_OK);
    int64_t iv[SC_ROWS];
    for (int i = 0; i < SC_ROWS; i++)
        iv[i] = (int64_t)(i * i);
    assert_int_equal(cip_frame_add_f64(ctx, f, "a", sc_data[0], NULL), CIP_OK);
    assert_int_equal(cip_frame_add_i64(ctx, f, "sq", iv, NULL), CIP_OK);
    const char *labels[SC_ROWS] = {"x", "y", "x", "y", "x", "y", "x", "y", "x", "y", "x", "y"};
    assert_int_equal(cip_frame_add_strings(ctx, f, "cat", labels), CIP_OK);
    uint8_t miss[2] = {0x04, 0};
    assert_int_equal(cip_frame_add_f64(ctx, f, "holes", sc_data[2], miss), CIP_OK);
    return f;
}

static void test_scale_fit_frame_names_and_errors(void **state)
{
    (void)state;
    load_scale_csv();
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_frame *f = scale_frame(ctx);
    const char *names[2] = {"sq", "a"};
    cip_scaler *s = NULL;
    assert_int_equal(cip_scaler_fit_frame(ctx, f, names, 2, &s), CIP_OK);
    assert_string_equal(cip_scaler_feature_name(s, 0), "sq");
    assert_string_equal(cip_scaler_feature_name(s, 1), "a");
    assert_null(cip_scaler_feature_name(s, 2));
    cip_scaler_state st;
    cip_scaler_state_get(s, &st);
    assert_close(st.mean[0], 506.0 / 12.0, 1e-15); /* sum of i^2, i < 12, is 506 */
    assert_close(st.mean[1], expected("scale_mean_0"), 1e-14);
    cip_scaler *c = NULL;
    assert_int_equal(cip_scaler_clone(ctx, s, &c), CIP_OK);
    assert_string_equal(cip_scaler_feature_name(c, 0), "sq");
    cip_scaler_free(c);
    cip_scaler_free(s);

    s = (cip_scaler *)&s;
    const char *bad1[1] = {"nope"};
    assert_int_equal(cip_scaler_fit_frame(ctx, f, bad1, 1, &s), CIP_ERR_NOT_FOUND);
    assert_null(s);
    const char *bad2[1] = {"cat"};
    assert_int_equal(cip_scaler_fit_frame(ctx, f, bad2, 1, &s), CIP_ERR_SCHEMA);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "'cat'"));
    const char *bad3[1] = {"holes"};
    assert_int_equal(cip_scaler_fit_frame(ctx, f, bad3, 1, &s), CIP_ERR_INVALID);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "'holes' row 3"));
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

static void test_scale_new_validates_state(void **state)
{
    (void)state;
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    double mean[2] = {1.0, 2.0}, var[2] = {4.0, 0.0}, scale[2] = {2.0, 1.0};
    const char *names[2] = {"u", "v"};
    cip_scaler_state st = {2, mean, var, scale, names, 7};
    cip_scaler *s = NULL;
    assert_int_equal(cip_scaler_new(ctx, &st, &s), CIP_OK);
    double in[2] = {5.0, 3.0}, out[2];
    cip_scaler_transform_row(s, in, out);
    assert_true(out[0] == 2.0 && out[1] == 1.0);
    cip_scaler_free(s);
    scale[1] = 0.0;
    assert_int_equal(cip_scaler_new(ctx, &st, &s), CIP_ERR_INVALID);
    scale[1] = 1.0;
    mean[0] = NAN;
    assert_int_equal(cip_scaler_new(ctx, &st, &s), CIP_ERR_INVALID);
    mean[0] = 1.0;
    var[0] = -1.0;
    assert_int_equal(cip_scaler_new(ctx, &st, &s), CIP_ERR_INVALID);
    assert_null(s);
    /* fit rejects non-finite input and empty input */
    double col[3] = {1.0, INFINITY, 2.0};
    const double *cols[1] = {col};
    cip_colmat x = {cols, 3, 1};
    assert_int_equal(cip_scaler_fit(ctx, &x, &s), CIP_ERR_INVALID);
    x.n_rows = 0;
    assert_int_equal(cip_scaler_fit(ctx, &x, &s), CIP_ERR_INVALID);
    cip_scaler_free(NULL);
    cip_ctx_free(ctx);
}

static cip_status oom_body(cip_ctx *ctx, void *arg)
{
    (void)arg;
    cip_frame *f = NULL;
    cip_scaler *s = NULL, *c = NULL;
    cip_status rc = cip_frame_new(ctx, SC_ROWS, &f);
    if (rc == CIP_OK)
        rc = cip_frame_add_f64(ctx, f, "a", sc_data[0], NULL);
    if (rc == CIP_OK)
        rc = cip_frame_add_f64(ctx, f, "b", sc_data[2], NULL);
    const char *names[2] = {"b", "a"};
    if (rc == CIP_OK)
        rc = cip_scaler_fit_frame(ctx, f, names, 2, &s);
    if (rc == CIP_OK)
        rc = cip_scaler_clone(ctx, s, &c);
    cip_scaler_free(c);
    cip_scaler_free(s);
    cip_frame_free(f);
    return rc;
}

static void test_scale_oom_sweep(void **state)
{
    (void)state;
    load_scale_csv();
    assert_true(cipt_oom_sweep(oom_body, NULL) > 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scale_fit_matches_sklearn),
        cmocka_unit_test(test_scale_inverse_round_trips),
        cmocka_unit_test(test_scale_fit_frame_names_and_errors),
        cmocka_unit_test(test_scale_new_validates_state),
        cmocka_unit_test(test_scale_oom_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
