/* test_synth.c - the synthetic customer generator
 *
 * Checks the schema and grids, the noise-0 structure, the strength of the
 * latent dimension at the default noise (squared Pearson correlation of
 * purchase_amount with annual_income inside a band derived in docs/SCHEMA.md),
 * region shares, duplicates, thread-count independence of both the frame and
 * the CSV bytes, and that the streamed CSV equals the frame written by the
 * generic CSV writer.
 * SPDX-License-Identifier: MIT
 */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cip/schema.h"
#include "cip/synth.h"
#include "testutil.h"

static cip_ctx *new_ctx(int threads)
{
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_ctx_set_threads(ctx, threads);
    return ctx;
}

static cip_frame *gen(cip_ctx *ctx, const cip_synth_params *p)
{
    cip_frame *f = NULL;
    cip_status rc = cip_synth_customers(ctx, p, &f);
    if (rc != CIP_OK)
        fail_msg("cip_synth_customers: %s", cip_ctx_errmsg(ctx));
    return f;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
    buf[n] = '\0';
    fclose(fp);
    *len = (size_t)n;
    return buf;
}

/* Write the table to a temp file with `threads` threads; returns its bytes. */
static char *gen_csv(const cip_synth_params *p, int threads, size_t *len)
{
    char path[256];
    cipt_write_temp(path, sizeof path, ".csv", "", 0);
    cip_ctx *ctx = new_ctx(threads);
    assert_int_equal(cip_synth_write_csv(ctx, p, path), CIP_OK);
    cip_ctx_free(ctx);
    char *s = slurp(path, len);
    unlink(path);
    return s;
}

static double sq_corr(const double *x, const double *y, size_t n)
{
    double mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < n; i++) {
        mx += x[i];
        my += y[i];
    }
    mx /= (double)n;
    my /= (double)n;
    for (size_t i = 0; i < n; i++) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    return sxy * sxy / (sxx * syy);
}

/* --- params -------------------------------------------------------------------------------- */

static void test_synth_params_default_and_check(void **state)
{
    (void)state;
    cip_synth_params p;
    cip_synth_params_default(&p);
    assert_int_equal(p.n_customers, 238);
    assert_int_equal(p.seed, 2024);
    assert_true(p.noise == 0.5 && p.east_share == 0.025 && p.duplicate_share == 0.75);
    assert_int_equal(p.duplicates, 0);
    assert_int_equal(p.levels, 48);
    assert_int_equal(cip_synth_params_check(NULL, &p), CIP_OK);
    cip_ctx *ctx = new_ctx(1);
    p.noise = -1;
    assert_int_equal(cip_synth_params_check(ctx, &p), CIP_ERR_INVALID);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "noise"));
    cip_synth_params_default(&p);
    p.east_share = 1.5;
    assert_int_equal(cip_synth_params_check(ctx, &p), CIP_ERR_INVALID);
    cip_synth_params_default(&p);
    p.levels = 1;
    assert_int_equal(cip_synth_params_check(ctx, &p), CIP_ERR_INVALID);
    cip_synth_params_default(&p);
    p.n_customers = CIP_SYNTH_MAX_ROWS + 1;
    cip_frame *f = (cip_frame *)&p;
    assert_int_equal(cip_synth_customers(ctx, &p, &f), CIP_ERR_INVALID);
    assert_null(f);
    cip_ctx_free(ctx);
}

/* --- shape and structure -------------------------------------------------------------------- */

static void test_synth_frame_has_schema_and_grids(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx(2);
    cip_synth_params p;
    cip_synth_params_default(&p);
    p.n_customers = 5000;
    p.noise = 2.0; /* wide values: the clamps must hold */
    cip_frame *f = gen(ctx, &p);
    assert_int_equal(cip_frame_n_rows(f), 5000);
    assert_int_equal(cip_frame_n_cols(f), 7);
    static const char *const names[] = {"user_id",           "age",           "annual_income",
                                        "purchase_amount",   "loyalty_score", "region",
                                        "purchase_frequency"};
    for (size_t j = 0; j < 7; j++)
        assert_string_equal(cip_frame_col_name(f, j), names[j]);
    assert_int_equal(cip_frame_col_type(f, 4), CIP_TYPE_FLOAT);
    assert_int_equal(cip_frame_col_type(f, 5), CIP_TYPE_CAT);
    const int64_t *id = cip_frame_i64(f, 0), *age = cip_frame_i64(f, 1), *inc = cip_frame_i64(f, 2),
                  *amt = cip_frame_i64(f, 3), *fr = cip_frame_i64(f, 6);
    const double *loy = cip_frame_f64(f, 4);
    for (size_t i = 0; i < 5000; i++) {
        assert_int_equal(id[i], (int64_t)i + 1);
        assert_true(age[i] >= 18 && age[i] <= 100);
        assert_true(inc[i] >= 1000 && inc[i] % 1000 == 0);
        assert_true(amt[i] >= 10 && amt[i] % 10 == 0);
        assert_true(fr[i] >= 1);
        double t = loy[i] * 10.0;
        assert_true(loy[i] >= 0.0 && loy[i] <= 10.0 && t == floor(t));
    }
    /* Generated data always passes validation. */
    cip_validation *v = NULL;
    assert_int_equal(cip_validate_frame(ctx, f, NULL, &v), CIP_OK);
    assert_true(cip_validation_usable(v));
    assert_int_equal(cip_validation_count(v), 0);
    cip_validation_free(v);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

static void test_synth_noise_zero_is_exact_and_few_profiles(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx(1);
    cip_synth_params p;
    cip_synth_params_default(&p);
    p.n_customers = 20000;
    p.noise = 0.0;
    cip_frame *f = gen(ctx, &p);
    const int64_t *age = cip_frame_i64(f, 1), *inc = cip_frame_i64(f, 2),
                  *amt = cip_frame_i64(f, 3), *fr = cip_frame_i64(f, 6);
    const double *loy = cip_frame_f64(f, 4);
    /* The reference ranges exactly, and one profile per level of v: the 48
     * levels give exactly 48 distinct (age, income, amount, loyalty,
     * frequency) tuples, each attribute non-decreasing in the others. */
    size_t first[64], n_prof = 0;
    bool ages[56] = {false};
    for (size_t i = 0; i < 20000; i++) {
        assert_true(age[i] >= 22 && age[i] <= 55);
        assert_true(inc[i] >= 30000 && inc[i] <= 75000);
        assert_true(amt[i] >= 150 && amt[i] <= 640);
        assert_true(loy[i] >= 3.0 && loy[i] <= 9.5);
        assert_true(fr[i] >= 10 && fr[i] <= 28);
        ages[age[i]] = true;
        size_t k = 0;
        while (k < n_prof &&
               !(age[first[k]] == age[i] && inc[first[k]] == inc[i] && amt[first[k]] == amt[i] &&
                 loy[first[k]] == loy[i] && fr[first[k]] == fr[i]))
            k++;
        if (k == n_prof) {
            assert_true(n_prof < 64);
            first[n_prof++] = i;
        }
    }
    assert_int_equal(n_prof, 48);
    for (int a = 22; a <= 55; a++)
        assert_true(ages[a]); /* every age 22..55 occurs */
    for (size_t k = 0; k < n_prof; k++)
        for (size_t m = 0; m < n_prof; m++)
            if (amt[first[k]] < amt[first[m]])
                assert_true(age[first[k]] <= age[first[m]] && inc[first[k]] <= inc[first[m]] &&
                            loy[first[k]] <= loy[first[m]] && fr[first[k]] <= fr[first[m]]);
    double *x = malloc(20000 * sizeof *x), *y = malloc(20000 * sizeof *y);
    assert_non_null(x);
    assert_non_null(y);
    cip_frame_get_col(f, 2, x);
    cip_frame_get_col(f, 3, y);
    assert_true(sq_corr(x, y, 20000) > 0.995);
    free(x);
    free(y);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

static void test_synth_default_noise_correlation_in_band(void **state)
{
    (void)state;
    /* Band from docs/SCHEMA.md: with noise s = 0.5 * 0.3 = 0.15 range units
     * and var(v) = 49 / (12 * 47) for 48 levels, corr(amount, income) =
     * var(v) / (var(v) + s^2) = 0.794, so r^2 = 0.63 (+ rounding, - clamps). */
    cip_ctx *ctx = new_ctx(2);
    cip_synth_params p;
    cip_synth_params_default(&p);
    p.n_customers = 50000;
    cip_frame *f = gen(ctx, &p);
    double *x = malloc(50000 * sizeof *x), *y = malloc(50000 * sizeof *y);
    assert_non_null(x);
    assert_non_null(y);
    cip_frame_get_col(f, 2, x);
    cip_frame_get_col(f, 3, y);
    double r2 = sq_corr(x, y, 50000);
    assert_true(r2 > 0.60 && r2 < 0.66);
    /* Region shares: East ~2.5 %, the rest a third each (4-sigma bands). */
    size_t count[4] = {0};
    const uint32_t *codes = cip_frame_codes(f, 5);
    for (size_t i = 0; i < 50000; i++)
        count[codes[i]]++;
    assert_string_equal(cip_frame_level(f, 5, 3), "East");
    assert_true(count[3] > 1000 && count[3] < 1500);
    for (int k = 0; k < 3; k++)
        assert_true(count[k] > 15700 && count[k] < 16800);
    free(x);
    free(y);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

/* Rows whose profile (all columns but user_id) appeared on an earlier row. */
static size_t repeated_profiles(const cip_frame *f)
{
    size_t n = cip_frame_n_rows(f), reps = 0;
    for (size_t i = 1; i < n; i++) {
        for (size_t k = 0; k < i; k++) {
            bool same = true;
            for (size_t j = 1; j < 7 && same; j++)
                same = cip_frame_get(f, j, i) == cip_frame_get(f, j, k);
            if (same) {
                reps++;
                break;
            }
        }
    }
    return reps;
}

static void test_synth_duplicates_reemit_profiles(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx(1);
    cip_synth_params p;
    cip_synth_params_default(&p);
    p.n_customers = 2000;
    cip_frame *f = gen(ctx, &p);
    size_t plain = repeated_profiles(f);
    cip_frame_free(f);
    p.duplicates = 1;
    f = gen(ctx, &p);
    size_t dup = repeated_profiles(f);
    cip_frame_free(f);
    /* Without duplicates noisy profiles rarely repeat; with them ~75 % do
     * (binomial sd ~19 rows: allow 1400..1600). */
    assert_true(plain < 100);
    assert_true(dup > 1400 && dup < 1600);
    cip_ctx_free(ctx);
}

/* --- determinism --------------------------------------------------------------------------------
 */

static void test_synth_frame_same_for_1_and_2_threads(void **state)
{
    (void)state;
    cip_synth_params p;
    cip_synth_params_default(&p);
    p.n_customers = 3 * CIP_SYNTH_BLOCK_ROWS + 123;
    p.duplicates = 1;
    cip_ctx *c1 = new_ctx(1), *c2 = new_ctx(2);
    cip_frame *f1 = gen(c1, &p), *f2 = gen(c2, &p);
    size_t n = cip_frame_n_rows(f1);
    for (size_t j = 0; j < 7; j++) {
        if (j == 4)
            assert_memory_equal(cip_frame_f64(f1, j), cip_frame_f64(f2, j), n * sizeof(double));
        else if (j == 5)
            assert_memory_equal(cip_frame_codes(f1, j), cip_frame_codes(f2, j), n * 4);
        else
            assert_memory_equal(cip_frame_i64(f1, j), cip_frame_i64(f2, j), n * 8);
    }
    cip_frame_free(f1);
    cip_frame_free(f2);
    cip_ctx_free(c1);
    cip_ctx_free(c2);
}

static void test_synth_csv_same_bytes_for_1_and_2_threads(void **state)
{
    (void)state;
    cip_synth_params p;
    cip_synth_params_default(&p);
    p.n_customers = 3 * CIP_SYNTH_BLOCK_ROWS + 7;
    p.seed = 7;
    size_t n1, n2;
    char *a = gen_csv(&p, 1, &n1), *b = gen_csv(&p, 2, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(a, b, n1);
    /* Another seed gives other bytes. */
    p.seed = 8;
    char *c = gen_csv(&p, 2, &n2);
    assert_true(n1 != n2 || memcmp(a, c, n1) != 0);
    free(a);
    free(b);
    free(c);
}

static void test_synth_csv_equals_frame_writer(void **state)
{
    (void)state;
    cip_synth_params p;
    cip_synth_params_default(&p);
    p.n_customers = CIP_SYNTH_BLOCK_ROWS + 500;
    p.noise = 3.0; /* reach the clamps (income 1000, amount 10, loyalty 0/10) */
    p.duplicates = 1;
    size_t n1, n2;
    char *streamed = gen_csv(&p, 2, &n1);
    cip_ctx *ctx = new_ctx(2);
    cip_frame *f = gen(ctx, &p);
    char path[256];
    cipt_write_temp(path, sizeof path, ".csv", "", 0);
    cip_csv_write_opts o;
    cip_csv_write_opts_default(&o);
    o.float_format = "%.1f";
    assert_int_equal(cip_frame_write_csv(ctx, f, path, &o), CIP_OK);
    char *written = slurp(path, &n2);
    unlink(path);
    assert_int_equal(n1, n2);
    assert_memory_equal(streamed, written, n1);
    static const char head[] = "user_id,age,annual_income,purchase_amount,loyalty_score,"
                               "region,purchase_frequency\n1,";
    assert_memory_equal(streamed, head, sizeof head - 1);
    free(streamed);
    free(written);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

static void test_synth_zero_rows_gives_header_only(void **state)
{
    (void)state;
    cip_synth_params p;
    cip_synth_params_default(&p);
    p.n_customers = 0;
    size_t n;
    char *s = gen_csv(&p, 2, &n);
    assert_string_equal(s, "user_id,age,annual_income,purchase_amount,loyalty_score,region,"
                           "purchase_frequency\n");
    free(s);
    cip_ctx *ctx = new_ctx(1);
    cip_frame *f = gen(ctx, &p);
    assert_int_equal(cip_frame_n_rows(f), 0);
    assert_int_equal(cip_frame_n_cols(f), 7);
    cip_frame_free(f);
    assert_int_equal(cip_synth_write_csv(ctx, &p, "/nonexistent-dir/x.csv"), CIP_ERR_IO);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "/nonexistent-dir/x.csv"));
    cip_ctx_free(ctx);
}

static void test_synth_csv_writes_into_existing_fifo_in_place(void **state)
{
    (void)state;
    /* A non-regular target (a FIFO here; /dev/null in real life) is written
     * in place, never replaced by renaming a temporary file over it. */
    char dir[] = "/tmp/cip-synth-XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/fifo", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    int rd = open(path, O_RDONLY | O_NONBLOCK);
    assert_true(rd >= 0);
    cip_synth_params p;
    cip_synth_params_default(&p);
    p.n_customers = 2;
    cip_ctx *ctx = new_ctx(1);
    assert_int_equal(cip_synth_write_csv(ctx, &p, path), CIP_OK);
    char buf[512];
    ssize_t n = read(rd, buf, sizeof buf - 1);
    assert_true(n > 82);
    buf[n] = '\0';
    assert_int_equal(strncmp(buf, "user_id,age,", 12), 0);
    assert_non_null(strstr(buf, "\n2,"));
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    close(rd);
    cip_ctx_free(ctx);
    unlink(path);
    rmdir(dir);
}

/* --- out of memory ---------------------------------------------------------------------------- */

static cip_status oom_body(cip_ctx *ctx, void *arg)
{
    const char *path = arg;
    cip_synth_params p;
    cip_synth_params_default(&p);
    p.n_customers = 300;
    p.duplicates = 1;
    cip_frame *f = NULL;
    cip_status rc = cip_synth_customers(ctx, &p, &f);
    if (rc == CIP_OK)
        rc = cip_synth_write_csv(ctx, &p, path);
    cip_frame_free(f);
    return rc;
}

static void test_synth_oom_sweep_leaks_nothing(void **state)
{
    (void)state;
    char path[256];
    cipt_write_temp(path, sizeof path, ".csv", "", 0);
    long runs = cipt_oom_sweep(oom_body, path);
    assert_true(runs > 10);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_synth_params_default_and_check),
        cmocka_unit_test(test_synth_frame_has_schema_and_grids),
        cmocka_unit_test(test_synth_noise_zero_is_exact_and_few_profiles),
        cmocka_unit_test(test_synth_default_noise_correlation_in_band),
        cmocka_unit_test(test_synth_duplicates_reemit_profiles),
        cmocka_unit_test(test_synth_frame_same_for_1_and_2_threads),
        cmocka_unit_test(test_synth_csv_same_bytes_for_1_and_2_threads),
        cmocka_unit_test(test_synth_csv_equals_frame_writer),
        cmocka_unit_test(test_synth_zero_rows_gives_header_only),
        cmocka_unit_test(test_synth_csv_writes_into_existing_fifo_in_place),
        cmocka_unit_test(test_synth_oom_sweep_leaks_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
