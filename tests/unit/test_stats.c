/* test_stats.c - sorting, ranks, quantiles, sums: properties and errors
 *
 * Values against numpy/pandas are checked in test_metrics.c (shared
 * reference file). Here: argsort order and stability on awkward inputs
 * (ties, -0.0, infinities, subnormals) for both code paths, the in-place
 * sort on adversarial patterns, pairwise sums, input errors, allocation
 * failures, and 10^6-element inputs.
 * SPDX-License-Identifier: MIT
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cip/stats.h"
#include "testutil.h"

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005u + 1442695040888963407u;
    return *s >> 33;
}

/* A value from a nasty pool: ties, signed zeros, infinities, subnormals. */
static double nasty(uint64_t *s)
{
    static const double pool[] = {0.0,    -0.0,    1.0,     -1.0,     INFINITY, -INFINITY, DBL_MIN,
                                  5e-324, -5e-324, DBL_MAX, -DBL_MAX, 0.5,      1e300,     -1e-300};
    uint64_t r = lcg(s);
    if (r % 3 == 0)
        return pool[(r / 3) % (sizeof pool / sizeof pool[0])];
    return ((double)(lcg(s) % 2001) - 1000.0) / 8.0; /* many ties */
}

static void check_argsort(const double *x, size_t n, const size_t *idx)
{
    uint8_t *seen = calloc(n + 1, 1);
    assert_non_null(seen);
    for (size_t k = 0; k < n; k++) {
        assert_true(idx[k] < n && !seen[idx[k]]);
        seen[idx[k]] = 1;
        if (k > 0) {
            double a = x[idx[k - 1]], b = x[idx[k]];
            assert_true(a <= b);
            if (a == b) /* stable: equal values keep input order */
                assert_true(idx[k - 1] < idx[k]);
        }
    }
    free(seen);
}

static void test_stats_argsort_stable_on_awkward_values(void **state)
{
    (void)state;
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    static const size_t sizes[] = {1, 2, 5, 31, 32, 33, 100, 1000, 54321};
    uint64_t seed = 7;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        double *x = malloc(n * sizeof *x);
        size_t *idx = malloc(n * sizeof *idx);
        assert_true(x != NULL && idx != NULL);
        for (size_t i = 0; i < n; i++)
            x[i] = nasty(&seed);
        assert_int_equal(cip_stats_argsort(ctx, x, n, idx), CIP_OK);
        check_argsort(x, n, idx);
        free(x);
        free(idx);
    }
    /* identical keys: every radix pass is skipped, order is the input order */
    double same[64];
    size_t idx[64];
    for (size_t i = 0; i < 64; i++)
        same[i] = i % 2 ? -0.0 : 0.0;
    assert_int_equal(cip_stats_argsort(ctx, same, 64, idx), CIP_OK);
    for (size_t i = 0; i < 64; i++)
        assert_int_equal(idx[i], i);
    cip_ctx_free(ctx);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The in-place sort behind the quantiles, on patterns that break naive
 * quicksorts, compared with qsort through the q = k/(n-1) quantiles. */
static void test_stats_quantiles_inplace_adversarial_patterns(void **state)
{
    (void)state;
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    const size_t n = 20001;
    double *x = malloc(n * sizeof *x), *ref = malloc(n * sizeof *ref);
    double *q = malloc(n * sizeof *q), *out = malloc(n * sizeof *out);
    assert_true(x && ref && q && out);
    for (size_t i = 0; i < n; i++)
        q[i] = (double)i / (double)(n - 1);
    uint64_t seed = 99;
    for (int pattern = 0; pattern < 6; pattern++) {
        for (size_t i = 0; i < n; i++) {
            switch (pattern) {
            case 0:
                x[i] = (double)i;
                break; /* sorted */
            case 1:
                x[i] = (double)(n - i);
                break; /* reversed */
            case 2:
                x[i] = 3.0;
                break; /* constant */
            case 3:
                x[i] = (double)(i < n / 2 ? i : n - i);
                break; /* organ pipe */
            case 4:
                x[i] = (double)(i % 7);
                break; /* few values */
            default:
                x[i] = nasty(&seed);
                break; /* random */
            }
        }
        memcpy(ref, x, n * sizeof *x);
        qsort(ref, n, sizeof *ref, cmp_double);
        assert_int_equal(cip_stats_quantiles_inplace(ctx, x, n, q, n, out), CIP_OK);
        for (size_t i = 0; i < n; i++) {
            assert_true(x[i] == ref[i]); /* x is left sorted */
            /* (n-1) * (i/(n-1)) may miss i by an ulp: near ref[i], not equal */
            if (pattern < 5)
                assert_true(fabs(out[i] - ref[i]) <= 1e-9);
        }
    }
    free(x);
    free(ref);
    free(q);
    free(out);
    cip_ctx_free(ctx);
}

static void test_stats_quantile_interpolation_by_hand(void **state)
{
    (void)state;
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    double x[5] = {40, 10, 30, 20, 50}, q[6] = {0, 0.1, 0.25, 0.5, 0.9, 1}, out[6];
    assert_int_equal(cip_stats_quantiles(ctx, x, 5, q, 6, out), CIP_OK);
    double want[6] = {10, 14, 20, 30, 46, 50};
    for (int i = 0; i < 6; i++)
        assert_true(fabs(out[i] - want[i]) < 1e-12);
    assert_true(x[0] == 40); /* the copying variant leaves x alone */
    double one = 7.5, r;
    assert_int_equal(cip_stats_quantiles(ctx, &one, 1, q + 3, 1, &r), CIP_OK);
    assert_true(r == 7.5);
    cip_ctx_free(ctx);
}

static void term_copy(const void *arg, size_t lo, size_t cnt, double *dst)
{
    memcpy(dst, (const double *)arg + lo, cnt * sizeof *dst);
}

static void test_stats_sum_pairwise_is_accurate(void **state)
{
    (void)state;
    /* 1 + 10^6 copies of 1e-16: a plain loop returns exactly 1.0 */
    const size_t n = 1000001;
    double *x = malloc(n * sizeof *x);
    assert_non_null(x);
    x[0] = 1.0;
    for (size_t i = 1; i < n; i++)
        x[i] = 1e-16;
    double s = cip_stats_sum(x, n), naive = 0.0;
    for (size_t i = 0; i < n; i++)
        naive += x[i];
    assert_true(naive == 1.0); /* every 1e-16 is lost */
    /* within 1e-13 of the truth (122 chunk additions of about 1 ulp each) */
    assert_true(fabs(s - (1.0 + 1e-10)) < 1e-13);
    assert_true(memcmp(&s, &(double){cip_stats_sum_terms(n, term_copy, x)}, sizeof s) == 0);
    assert_true(cip_stats_sum(x, 0) == 0.0);
    free(x);
}

static void expect_invalid(cip_ctx *ctx, cip_status rc, const char *needle)
{
    assert_int_equal(rc, CIP_ERR_INVALID);
    if (strstr(cip_ctx_errmsg(ctx), needle) == NULL)
        fail_msg("message '%s' lacks '%s'", cip_ctx_errmsg(ctx), needle);
}

static void test_stats_invalid_inputs_are_rejected(void **state)
{
    (void)state;
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    double x[3] = {1, NAN, 3}, y[3] = {1, 2, INFINITY}, ok[3] = {1, 2, 3}, out = 42;
    double q[2] = {0.5, 1.5}, qo[2];
    size_t idx[3];
    expect_invalid(ctx, cip_stats_mean(ctx, ok, 0, &out), "mean: no values");
    expect_invalid(ctx, cip_stats_mean(ctx, x, 3, &out), "mean: x[1] is NaN");
    expect_invalid(ctx, cip_stats_var(ctx, ok, 1, 1, &out), "too few for ddof 1");
    expect_invalid(ctx, cip_stats_std(ctx, x, 3, 0, &out), "x[1] is NaN");
    expect_invalid(ctx, cip_stats_quantiles(ctx, ok, 3, q, 2, qo), "q[1] = 1.5");
    expect_invalid(ctx, cip_stats_quantiles(ctx, x, 3, q, 1, qo), "x[1] is NaN");
    expect_invalid(ctx, cip_stats_argsort(ctx, x, 3, idx), "argsort: x[1] is NaN");
    expect_invalid(ctx, cip_stats_rank(ctx, x, 3, qo), "x[1] is NaN");
    expect_invalid(ctx, cip_stats_pearson(ctx, ok, y, 3, &out), "y[2] = inf");
    expect_invalid(ctx, cip_stats_spearman(ctx, ok, x, 3, &out), "y[1] is NaN");
    assert_true(out == 42);
    /* constant input and n == 1: NaN, not an error (as numpy/pandas) */
    double c[3] = {2, 2, 2};
    assert_int_equal(cip_stats_pearson(ctx, ok, c, 3, &out), CIP_OK);
    assert_true(isnan(out));
    assert_int_equal(cip_stats_spearman(ctx, ok, ok, 1, &out), CIP_OK);
    assert_true(isnan(out));
    /* spearman allows infinities: they rank */
    assert_int_equal(cip_stats_spearman(ctx, ok, y, 3, &out), CIP_OK);
    assert_true(fabs(out - 1.0) < 1e-15);
    cip_ctx_free(ctx);
}

#define OOM_N 300

static cip_status oom_body(cip_ctx *ctx, void *arg)
{
    const double *x = arg;
    size_t idx[OOM_N];
    double r[OOM_N], q[3] = {0.1, 0.5, 0.9}, out;
    cip_status rc = cip_stats_argsort(ctx, x, OOM_N, idx);
    if (rc == CIP_OK)
        rc = cip_stats_rank(ctx, x, OOM_N, r);
    if (rc == CIP_OK)
        rc = cip_stats_spearman(ctx, x, r, OOM_N, &out);
    if (rc == CIP_OK)
        rc = cip_stats_quantiles(ctx, x, OOM_N, q, 3, r);
    return rc;
}

static void test_stats_oom_sweep_frees_everything(void **state)
{
    (void)state;
    double x[OOM_N];
    uint64_t seed = 3;
    for (size_t i = 0; i < OOM_N; i++)
        x[i] = nasty(&seed);
    for (size_t i = 0; i < OOM_N; i++)
        x[i] = isinf(x[i]) ? 0.0 : x[i];
    assert_true(cipt_oom_sweep(oom_body, x) > 8);
}

/* 10^6 values: ranks against a qsort-based computation, with timings. */
struct pair {
    double v;
    size_t i;
};

static int cmp_pair(const void *a, const void *b)
{
    const struct pair *p = a, *q = b;
    return p->v < q->v ? -1 : p->v > q->v ? 1 : (p->i > q->i) - (p->i < q->i);
}

static void test_stats_rank_million_matches_qsort(void **state)
{
    (void)state;
    const size_t n = 1000000;
    double *x = malloc(n * sizeof *x), *r = malloc(n * sizeof *r);
    struct pair *p = malloc(n * sizeof *p);
    assert_true(x && r && p);
    uint64_t seed = 11;
    for (size_t i = 0; i < n; i++) {
        x[i] = (double)(lcg(&seed) % 100000) / 7.0 - 5000.0;
        p[i].v = x[i];
        p[i].i = i;
    }
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    clock_t t0 = clock();
    assert_int_equal(cip_stats_rank(ctx, x, n, r), CIP_OK);
    double t_rank = (double)(clock() - t0) / CLOCKS_PER_SEC;
    t0 = clock();
    qsort(p, n, sizeof *p, cmp_pair);
    double t_qsort = (double)(clock() - t0) / CLOCKS_PER_SEC;
    for (size_t a = 0; a < n;) {
        size_t b = a + 1;
        while (b < n && p[b].v == p[a].v)
            b++;
        double want = ((double)a + 1.0 + (double)b) / 2.0;
        for (size_t k = a; k < b; k++)
            assert_true(r[p[k].i] == want);
        a = b;
    }
    double q = 0.5, med;
    t0 = clock();
    assert_int_equal(cip_stats_quantiles(ctx, x, n, &q, 1, &med), CIP_OK);
    double t_quant = (double)(clock() - t0) / CLOCKS_PER_SEC;
    assert_true(med == (p[n / 2 - 1].v + p[n / 2].v) / 2.0 || med == p[n / 2].v);
    print_message("n=1e6: rank %.3f s, median %.3f s, qsort of pairs %.3f s\n", t_rank, t_quant,
                  t_qsort);
    cip_ctx_free(ctx);
    free(x);
    free(r);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stats_argsort_stable_on_awkward_values),
        cmocka_unit_test(test_stats_quantiles_inplace_adversarial_patterns),
        cmocka_unit_test(test_stats_quantile_interpolation_by_hand),
        cmocka_unit_test(test_stats_sum_pairwise_is_accurate),
        cmocka_unit_test(test_stats_invalid_inputs_are_rejected),
        cmocka_unit_test(test_stats_oom_sweep_frees_everything),
        cmocka_unit_test(test_stats_rank_million_matches_qsort),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
