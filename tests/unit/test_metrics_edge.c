/* test_metrics_edge.c - metric conventions and edge cases (split from test_metrics.c):
 * r2 of a constant target, input errors, single-label precision/recall, allocation
 * failures, and a million-row ROC AUC checked against the Mann-Whitney statistic
 * SPDX-License-Identifier: MIT
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cip/metrics.h"
#include "cip/stats.h"
#include "testutil.h"

/* --- conventions, errors ------------------------------------------------------------ */

static void test_metrics_r2_constant_target_convention(void **state)
{
    (void)state;
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    /* numpy's mean of [0.1]*3 is 0.10000000000000002; scikit-learn then
     * reports about -1e+30 here. The documented convention is 0.0 / 1.0. */
    double t[3] = {0.1, 0.1, 0.1}, p[3] = {0.1, 0.2, 0.0}, out = NAN;
    assert_int_equal(cip_metric_r2(ctx, t, p, NULL, 3, &out), CIP_OK);
    assert_true(out == 0.0);
    assert_int_equal(cip_metric_explained_variance(ctx, t, p, NULL, 3, &out), CIP_OK);
    assert_true(out == 0.0);
    assert_int_equal(cip_metric_r2(ctx, t, t, NULL, 3, &out), CIP_OK);
    assert_true(out == 1.0);
    double w[3] = {1.0, 0.0, 2.0};
    assert_int_equal(cip_metric_r2(ctx, t, p, w, 3, &out), CIP_OK);
    assert_true(out == 0.0);
    /* a shift leaves explained variance at exactly 1 */
    double s[3] = {1.1, 1.1, 1.1};
    assert_int_equal(cip_metric_explained_variance(ctx, t, s, NULL, 3, &out), CIP_OK);
    assert_true(out == 1.0);
    cip_ctx_free(ctx);
}

static void expect_invalid(cip_ctx *ctx, cip_status rc, const char *needle)
{
    assert_int_equal(rc, CIP_ERR_INVALID);
    if (strstr(cip_ctx_errmsg(ctx), needle) == NULL)
        fail_msg("message '%s' lacks '%s'", cip_ctx_errmsg(ctx), needle);
}

static void test_metrics_invalid_inputs_are_rejected(void **state)
{
    (void)state;
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    double t[4] = {1, 2, 3, 4}, p[4] = {1, 2, 3, NAN}, w[4] = {1, -1, 1, 1}, z[4] = {0};
    double out = 42.0;
    expect_invalid(ctx, cip_metric_mse(ctx, t, t, NULL, 0, &out), "mse: no samples");
    expect_invalid(ctx, cip_metric_r2(ctx, t, p, NULL, 4, &out), "r2: y_pred[3] = nan");
    expect_invalid(ctx, cip_metric_mae(ctx, t, t, w, 4, &out), "weight[1] = -1");
    expect_invalid(ctx, cip_metric_mape(ctx, t, t, z, 4, &out), "weights sum to 0");
    assert_true(out == 42.0); /* outputs untouched on failure */
    uint32_t y[4] = {0, 1, 1, 0}, y3[4] = {0, 1, 2, 0}, ones[4] = {1, 1, 1, 1};
    double sc[4] = {0.1, 0.9, 0.4, 0.3}, bad[4] = {0.1, 1.5, 0.4, 0.3};
    expect_invalid(ctx, cip_metric_roc_auc(ctx, y3, sc, NULL, 4, &out),
                   "y_true[2] = 2 is not a binary label");
    expect_invalid(ctx, cip_metric_roc_auc(ctx, ones, sc, NULL, 4, &out), "no negative");
    double wz[4] = {0, 1, 1, 0};
    expect_invalid(ctx, cip_metric_roc_auc(ctx, y, sc, wz, 4, &out), "no negative");
    expect_invalid(ctx, cip_metric_roc_auc(ctx, y, p, NULL, 4, &out), "score[3] = nan");
    expect_invalid(ctx, cip_metric_log_loss(ctx, y, bad, NULL, 4, &out),
                   "probability[1] = 1.5 is outside [0, 1]");
    expect_invalid(ctx, cip_metric_brier(ctx, y, bad, NULL, 4, &out), "outside [0, 1]");
    cip_curve *c = (cip_curve *)1;
    expect_invalid(ctx, cip_metric_roc_curve(ctx, ones, sc, NULL, 4, &c), "no negative");
    assert_null(c);
    cip_class_opts o;
    cip_class_opts_default(&o);
    cip_prf r;
    expect_invalid(ctx, cip_metric_prf(ctx, y3, y, 4, &o, &r), "y_true[2] = 2");
    o.n_classes = 3;
    expect_invalid(ctx, cip_metric_prf(ctx, y3, y, 4, &o, &r), "3 classes occur");
    o.pos_label = 2;
    expect_invalid(ctx, cip_metric_prf(ctx, y, y, 4, &o, &r), "pos_label 2 is not one of");
    o.pos_label = 5;
    expect_invalid(ctx, cip_metric_prf(ctx, ones, ones, 4, &o, &r), "pos_label 5");
    o.n_classes = 1;
    expect_invalid(ctx, cip_metric_prf(ctx, y, y, 4, &o, &r), "n_classes is 1");
    expect_invalid(ctx, cip_metric_log_loss_multi(ctx, y3, sc, 4, &o, &out), "n_classes is 1");
    o.n_classes = 3;
    o.average = (cip_average)9;
    expect_invalid(ctx, cip_metric_prf(ctx, y, y, 4, &o, &r), "unknown average");
    cip_class_report *rep = (cip_class_report *)1;
    o.n_classes = 2;
    expect_invalid(ctx, cip_class_report_new(ctx, y3, y, 4, &o, &rep), "y_true[2]");
    assert_null(rep);
    o.n_classes = 3;
    assert_int_equal(cip_class_report_new(ctx, y3, y, 4, &o, &rep), CIP_OK);
    cip_report_format f;
    cip_report_format_default(&f);
    f.digits = 16;
    char *s = (char *)1;
    expect_invalid(ctx, cip_class_report_to_string(ctx, rep, &f, &s), "digits 16");
    assert_null(s);
    cip_class_report_free(rep);
    cip_class_report_free(NULL);
    cip_curve_free(NULL);
    cip_ctx_free(ctx);
}

static void test_metrics_binary_prf_single_label_present(void **state)
{
    (void)state;
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    /* only class 0 occurs; pos_label 1 is allowed and everything is 0 */
    uint32_t z[3] = {0, 0, 0};
    cip_prf r = {1, 1, 1};
    assert_int_equal(cip_metric_prf(ctx, z, z, 3, NULL, &r), CIP_OK);
    assert_true(r.precision == 0.0 && r.recall == 0.0 && r.f1 == 0.0);
    /* labels 1 and 2 of 3 classes with pos_label 2: scikit-learn's binary */
    uint32_t t[4] = {1, 2, 2, 1}, p[4] = {2, 2, 1, 1};
    cip_class_opts o;
    cip_class_opts_default(&o);
    o.n_classes = 3;
    o.pos_label = 2;
    assert_int_equal(cip_metric_prf(ctx, t, p, 4, &o, &r), CIP_OK);
    assert_true(r.precision == 0.5 && r.recall == 0.5 && r.f1 == 0.5);
    cip_ctx_free(ctx);
}

/* --- allocation failures -------------------------------------------------------------- */

#define OOM_N 200

struct oom_data {
    uint32_t y[OOM_N], yp[OOM_N];
    double s[OOM_N], w[OOM_N];
};

static void oom_fill(struct oom_data *d)
{
    for (size_t i = 0; i < OOM_N; i++) {
        d->y[i] = (uint32_t)((i * 7) % 3 == 0);
        d->yp[i] = (uint32_t)((i * 5) % 4);
        d->s[i] = (double)((i * 37) % 101) / 100.0;
        d->w[i] = 1.0 + (double)(i % 3);
    }
}

static cip_status oom_ranking(cip_ctx *ctx, void *arg)
{
    const struct oom_data *d = arg;
    double out;
    cip_curve *c = NULL;
    cip_status rc = cip_metric_roc_auc(ctx, d->y, d->s, d->w, OOM_N, &out);
    if (rc == CIP_OK)
        rc = cip_metric_average_precision(ctx, d->y, d->s, NULL, OOM_N, &out);
    if (rc == CIP_OK)
        rc = cip_metric_roc_curve(ctx, d->y, d->s, NULL, OOM_N, &c);
    cip_curve_free(c);
    c = NULL;
    if (rc == CIP_OK)
        rc = cip_metric_pr_curve(ctx, d->y, d->s, d->w, OOM_N, &c);
    if (rc == CIP_OK && c == NULL)
        rc = CIP_ERR_INTERNAL;
    cip_curve_free(c);
    return rc;
}

static cip_status oom_labels(cip_ctx *ctx, void *arg)
{
    const struct oom_data *d = arg;
    cip_class_opts o;
    cip_class_opts_default(&o);
    o.n_classes = 4;
    o.average = CIP_AVERAGE_MACRO;
    cip_prf r;
    cip_status rc = cip_metric_prf(ctx, d->y, d->yp, OOM_N, &o, &r);
    cip_class_report *rep = NULL;
    char *s = NULL;
    if (rc == CIP_OK)
        rc = cip_class_report_new(ctx, d->y, d->yp, OOM_N, &o, &rep);
    if (rc == CIP_OK)
        rc = cip_class_report_to_string(ctx, rep, NULL, &s);
    if (rc == CIP_OK && (s == NULL || strstr(s, "macro avg") == NULL))
        rc = CIP_ERR_INTERNAL;
    cip_class_report_string_free(ctx, s);
    cip_class_report_free(rep);
    return rc;
}

static void test_metrics_oom_sweep_frees_everything(void **state)
{
    (void)state;
    struct oom_data d;
    oom_fill(&d);
    assert_true(cipt_oom_sweep(oom_ranking, &d) > 8);
    assert_true(cipt_oom_sweep(oom_labels, &d) > 3);
}

/* --- large inputs against independent computations ---------------------------------- */

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005u + 1442695040888963407u;
    return *s >> 33;
}

/* ROC AUC of 10^6 samples with integer scores 0..999 (heavy ties) against the
 * Mann-Whitney count P(s+ > s-) + P(s+ == s-) / 2 from per-score histograms. */
static void test_metrics_roc_auc_million_matches_mann_whitney(void **state)
{
    (void)state;
    const size_t n = 1000000;
    uint32_t *y = malloc(n * sizeof *y);
    double *s = malloc(n * sizeof *s);
    double pos[1000] = {0}, neg[1000] = {0};
    assert_true(y != NULL && s != NULL);
    uint64_t seed = 12345;
    for (size_t i = 0; i < n; i++) {
        y[i] = lcg(&seed) % 10 < 3;
        size_t v = (lcg(&seed) % 800) + (y[i] ? lcg(&seed) % 200 : 0);
        s[i] = (double)v;
        (y[i] ? pos : neg)[v] += 1.0;
    }
    double below = 0.0, num = 0.0, np = 0.0, nn = 0.0;
    for (size_t v = 0; v < 1000; v++) {
        num += pos[v] * (below + 0.5 * neg[v]);
        below += neg[v];
        np += pos[v];
    }
    nn = below;
    double want = num / (np * nn);
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    double got = NAN;
    clock_t t0 = clock();
    assert_int_equal(cip_metric_roc_auc(ctx, y, s, NULL, n, &got), CIP_OK);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    print_message("roc_auc n=1e6 (1000 distinct scores): %.3f s, |diff| %.3g\n", secs,
                  fabs(got - want));
    assert_true(fabs(got - want) <= 1e-12);
    cip_curve *c = NULL;
    assert_int_equal(cip_metric_roc_curve(ctx, y, s, NULL, n, &c), CIP_OK);
    assert_true(c->n >= 3 && c->n <= 1001);
    assert_true(c->x[0] == 0.0 && c->y[0] == 0.0 && c->x[c->n - 1] == 1.0 && c->y[c->n - 1] == 1.0);
    assert_true(c->thresholds[0] == c->thresholds[1] + 1.0 && c->thresholds[1] == 998.0);
    for (size_t j = 1; j < c->n; j++)
        assert_true(c->x[j] >= c->x[j - 1] && c->y[j] >= c->y[j - 1] &&
                    c->thresholds[j] < c->thresholds[j - 1]);
    cip_curve_free(c);
    cip_ctx_free(ctx);
    free(y);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metrics_r2_constant_target_convention),
        cmocka_unit_test(test_metrics_invalid_inputs_are_rejected),
        cmocka_unit_test(test_metrics_binary_prf_single_label_present),
        cmocka_unit_test(test_metrics_oom_sweep_frees_everything),
        cmocka_unit_test(test_metrics_roc_auc_million_matches_mann_whitney),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
