/* test_monitor_stats.c - drift statistics, paired bootstrap, DeLong, retrain policy
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cip/monitor.h"
#include "cip/rng.h"
#include "testutil.h"

static void test_monitor_stats_psi_matches_hand_value(void **state)
{
    (void)state;
    double r[2] = {0.5, 0.5}, c[2] = {0.8, 0.2};
    /* (0.8-0.5) ln(0.8/0.5) + (0.2-0.5) ln(0.2/0.5) */
    double want = 0.3 * log(1.6) - 0.3 * log(0.4);
    assert_true(fabs(cip_psi(r, c, 2, 0) - want) < 1e-12);
    assert_true(fabs(cip_psi(r, r, 2, 1e-4)) < 1e-15);
    double z[2] = {1, 0};
    assert_true(isfinite(cip_psi(z, c, 2, 1e-4))); /* smoothing keeps empty bins finite */
}

static void test_monitor_stats_kolmogorov_known_values(void **state)
{
    (void)state;
    /* Q(lambda) of the Kolmogorov distribution (scipy.special.kolmogorov) */
    assert_true(fabs(cip_kolmogorov_q(1.0) - 0.26999967167735456) < 1e-12);
    assert_true(fabs(cip_kolmogorov_q(0.5) - 0.9639452436648751) < 1e-12);
    assert_true(fabs(cip_kolmogorov_q(1.36) - 0.049485876755377876) < 1e-12);
    assert_true(fabs(cip_kolmogorov_q(1.63) - 0.009846364888486529) < 1e-12);
    assert_true(fabs(cip_kolmogorov_q(1.2) - 0.11224966667072497) < 1e-12);
    assert_true(fabs(cip_kolmogorov_q(0.3) - 0.9999906941986655) < 1e-12);
    assert_true(fabs(cip_kolmogorov_q(1.18 - 1e-9) - cip_kolmogorov_q(1.18 + 1e-9)) < 1e-7);
    assert_true(cip_kolmogorov_q(0.1) == 1.0);
    assert_true(cip_kolmogorov_q(5) < 1e-20);
    /* D = 0.1 with n = m = 1000: en = sqrt(500) */
    double lam = (sqrt(500.0) + 0.12 + 0.11 / sqrt(500.0)) * 0.1;
    assert_true(fabs(cip_ks_pvalue(0.1, 1000, 1000) - cip_kolmogorov_q(lam)) < 1e-15);
}

static void test_monitor_stats_gamma_q_gives_chi2_pvalues(void **state)
{
    (void)state;
    /* chi-square critical values: df 1 -> 3.841459, df 5 -> 11.070498, df 10 -> 18.307038
     * at p = 0.05; df 2 -> p = exp(-x / 2) exactly */
    assert_true(fabs(cip_gamma_q(0.5, 3.841459 / 2) - 0.05) < 1e-6);
    assert_true(fabs(cip_gamma_q(2.5, 11.070498 / 2) - 0.05) < 1e-6);
    assert_true(fabs(cip_gamma_q(5.0, 18.307038 / 2) - 0.05) < 1e-6);
    for (double x = 0.1; x < 40; x *= 1.7)
        assert_true(fabs(cip_gamma_q(1.0, x / 2) - exp(-x / 2)) < 1e-12);
    assert_true(cip_gamma_q(3, 0) == 1.0);
}

static void test_monitor_stats_js_bounds(void **state)
{
    (void)state;
    double p[3] = {0.2, 0.3, 0.5}, q[3] = {1, 0, 0}, r[3] = {0, 0.5, 0.5};
    assert_true(cip_js_divergence(p, p, 3) == 0);
    assert_true(fabs(cip_js_divergence(q, r, 3) - 1.0) < 1e-15); /* disjoint supports */
    double a = cip_js_divergence(p, q, 3), b = cip_js_divergence(q, p, 3);
    assert_true(a > 0 && a < 1 && fabs(a - b) < 1e-15);
}

/* --- DeLong against the O(n^2) definition -------------------------------------------- */
static double psi_kernel(double x, double y)
{
    return x > y ? 1.0 : x == y ? 0.5 : 0.0;
}

static void brute_delong(const double *y, const double *s1, const double *s2, size_t n,
                         double *auc1, double *auc2, double *var)
{
    size_t np = 0, nn = 0;
    for (size_t i = 0; i < n; i++)
        np += y[i] > 0.5;
    nn = n - np;
    double *v10 = calloc(2 * np, sizeof *v10), *v01 = calloc(2 * nn, sizeof *v01);
    size_t a = 0;
    for (size_t i = 0; i < n; i++) {
        if (y[i] < 0.5)
            continue;
        for (size_t j = 0; j < n; j++)
            if (y[j] < 0.5) {
                v10[a] += psi_kernel(s1[i], s1[j]) / (double)nn;
                v10[np + a] += psi_kernel(s2[i], s2[j]) / (double)nn;
            }
        a++;
    }
    size_t b = 0;
    for (size_t j = 0; j < n; j++) {
        if (y[j] > 0.5)
            continue;
        for (size_t i = 0; i < n; i++)
            if (y[i] > 0.5) {
                v01[b] += psi_kernel(s1[i], s1[j]) / (double)np;
                v01[nn + b] += psi_kernel(s2[i], s2[j]) / (double)np;
            }
        b++;
    }
    double m1 = 0, m2 = 0, q1 = 0, q2 = 0;
    for (size_t i = 0; i < np; i++) {
        m1 += v10[i] / (double)np;
        m2 += v10[np + i] / (double)np;
    }
    for (size_t j = 0; j < nn; j++) {
        q1 += v01[j] / (double)nn;
        q2 += v01[nn + j] / (double)nn;
    }
    double s10 = 0, s01 = 0;
    for (size_t i = 0; i < np; i++) {
        double d = (v10[i] - m1) - (v10[np + i] - m2);
        s10 += d * d / (double)(np - 1);
    }
    for (size_t j = 0; j < nn; j++) {
        double d = (v01[j] - q1) - (v01[nn + j] - q2);
        s01 += d * d / (double)(nn - 1);
    }
    *auc1 = m1;
    *auc2 = m2;
    *var = s10 / (double)np + s01 / (double)nn;
    free(v10);
    free(v01);
}

static void make_scores(size_t n, double *y, double *s1, double *s2)
{
    cip_rng r;
    cip_rng_init(&r, 7, 0);
    for (size_t i = 0; i < n; i++) {
        y[i] = cip_rng_uniform(&r) < 0.3;
        double z = cip_rng_normal(&r);
        s1[i] = floor((y[i] * 0.8 + z) * 10) / 10; /* ties on purpose */
        s2[i] = y[i] * 1.4 + 0.7 * z + 0.7 * cip_rng_normal(&r);
    }
}

static void test_monitor_stats_delong_matches_definition(void **state)
{
    (void)state;
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    enum { N = 400 };
    double y[N], s1[N], s2[N], a1, a2, z, se, b1, b2, var;
    make_scores(N, y, s1, s2);
    assert_int_equal(cip_delong(ctx, y, s1, s2, N, &a1, &a2, &z, &se), CIP_OK);
    brute_delong(y, s1, s2, N, &b1, &b2, &var);
    assert_true(fabs(a1 - b1) < 1e-12 && fabs(a2 - b2) < 1e-12);
    assert_true(fabs(se - sqrt(var)) < 1e-12);
    assert_true(fabs(z - (a2 - a1) / sqrt(var)) < 1e-9);
    assert_true(z > 2); /* s2 separates the classes better */
    double auc = 0;
    assert_int_equal(cip_monitor_metric(ctx, "roc_auc", y, s1, N, &auc), CIP_OK);
    assert_true(fabs(auc - a1) < 1e-12);
    double one[4] = {1, 1, 1, 0};
    assert_int_equal(cip_delong(ctx, one, s1, s2, 4, &a1, &a2, &z, &se), CIP_ERR_INVALID);
    cip_ctx_free(ctx);
}

static void test_monitor_stats_paired_bootstrap_deterministic_and_signed(void **state)
{
    (void)state;
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    enum { N = 500 };
    double y[N], s1[N], s2[N];
    make_scores(N, y, s1, s2);
    cip_paired_result a, b, c;
    cip_ctx_set_threads(ctx, 1);
    assert_int_equal(cip_paired_compare(ctx, "roc_auc", y, s1, s2, N, 300, 5, 0.05, &a), CIP_OK);
    cip_ctx_set_threads(ctx, 2);
    assert_int_equal(cip_paired_compare(ctx, "roc_auc", y, s1, s2, N, 300, 5, 0.05, &b), CIP_OK);
    assert_memory_equal(&a, &b, sizeof a); /* any thread count */
    assert_true(a.diff > 0 && a.ci_lo > 0 && a.p_value < 0.01 && a.delong_p < 0.01);
    assert_true(a.ci_lo <= a.diff && a.diff <= a.ci_hi);
    /* swapped: the champion is better, p near 1 */
    assert_int_equal(cip_paired_compare(ctx, "roc_auc", y, s2, s1, N, 300, 5, 0.05, &c), CIP_OK);
    assert_true(fabs(c.diff + a.diff) < 1e-15 && c.p_value > 0.95 && c.delong_p > 0.95);
    /* regression errors: lower is better, so diff is champion - challenger */
    double t[N], good[N], bad[N];
    cip_rng r;
    cip_rng_init(&r, 3, 0);
    for (size_t i = 0; i < N; i++) {
        t[i] = cip_rng_normal(&r) * 10;
        good[i] = t[i] + cip_rng_normal(&r);
        bad[i] = t[i] + 3 * cip_rng_normal(&r);
    }
    assert_int_equal(cip_paired_compare(ctx, "rmse", t, bad, good, N, 200, 1, 0.05, &a), CIP_OK);
    assert_true(a.diff > 0 && a.challenger < a.champion && a.p_value < 0.01);
    assert_true(isnan(a.delong_z));
    assert_int_equal(cip_paired_compare(ctx, "r2", t, good, good, N, 200, 1, 0.05, &a), CIP_OK);
    assert_true(a.diff == 0 && a.p_value > 0.99); /* identical models never "win" */
    assert_int_equal(cip_paired_compare(ctx, "nope", t, good, good, N, 10, 1, 0.05, &a),
                     CIP_ERR_INVALID);
    cip_ctx_free(ctx);
}

static void test_monitor_stats_policy_parses_both_syntaxes(void **state)
{
    (void)state;
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_retrain_policy p;
    const char kv[] = "# retrain when the data moves\ntrigger = decay\n  alpha=0.01 \n"
                      "metric = rmse\nmin_improvement = 0.5 # units\nbootstrap = 200\n";
    assert_int_equal(cip_retrain_policy_parse(ctx, "p.txt", kv, strlen(kv), &p), CIP_OK);
    assert_int_equal(p.trigger, CIP_TRIGGER_DECAY);
    assert_true(p.alpha == 0.01 && p.min_improvement == 0.5 && p.bootstrap == 200);
    assert_string_equal(p.metric, "rmse");
    assert_true(p.psi_alert == 0.25 && p.seed == 42); /* defaults kept */
    const char js[] = "{\"trigger\": \"always\", \"psi_alert\": 0.3, \"seed\": 7}";
    assert_int_equal(cip_retrain_policy_parse(ctx, "p.json", js, strlen(js), &p), CIP_OK);
    assert_true(p.trigger == CIP_TRIGGER_ALWAYS && p.psi_alert == 0.3 && p.seed == 7);
    const char bad1[] = "trigger = drift\nalpah = 0.1\n";
    assert_int_equal(cip_retrain_policy_parse(ctx, "p.txt", bad1, strlen(bad1), &p),
                     CIP_ERR_INVALID);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "p.txt:2"));
    const char bad2[] = "trigger drift\n";
    assert_int_equal(cip_retrain_policy_parse(ctx, "p.txt", bad2, strlen(bad2), &p), CIP_ERR_PARSE);
    const char bad3[] = "{\"alpha\": 0.7}";
    assert_int_equal(cip_retrain_policy_parse(ctx, "p.json", bad3, strlen(bad3), &p),
                     CIP_ERR_INVALID);
    const char bad4[] = "{\"alpha\": ";
    assert_int_equal(cip_retrain_policy_parse(ctx, "p.json", bad4, strlen(bad4), &p),
                     CIP_ERR_PARSE);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "p.json:1:"));
    cip_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_monitor_stats_psi_matches_hand_value),
        cmocka_unit_test(test_monitor_stats_kolmogorov_known_values),
        cmocka_unit_test(test_monitor_stats_gamma_q_gives_chi2_pvalues),
        cmocka_unit_test(test_monitor_stats_js_bounds),
        cmocka_unit_test(test_monitor_stats_delong_matches_definition),
        cmocka_unit_test(test_monitor_stats_paired_bootstrap_deterministic_and_signed),
        cmocka_unit_test(test_monitor_stats_policy_parses_both_syntaxes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
