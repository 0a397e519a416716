/* test_audit.c - the leakage and data-quality audit
 *
 * Planted leaks on synthetic customers (cip_synth_customers, default noise)
 * must each be found; the same data without a plant must give no
 * high-severity finding; the reference table (../shared, skipped visibly when
 * absent) must give the evidence listed in leakage-findings.md.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cip/audit.h"
#include "cip/features.h"
#include "cip/synth.h"
#include "testutil.h"

/* --- helpers ------------------------------------------------------------------ */

static cip_ctx *new_ctx(void)
{
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    return ctx;
}

static cip_frame *synth(cip_ctx *ctx, uint64_t n, uint64_t seed)
{
    cip_synth_params sp;
    cip_synth_params_default(&sp);
    sp.n_customers = n;
    sp.seed = seed;
    cip_frame *f = NULL;
    assert_int_equal(cip_synth_customers(ctx, &sp, &f), CIP_OK);
    return f;
}

static double col_value(const cip_frame *f, const char *name, size_t i)
{
    size_t j;
    assert_int_equal(cip_frame_find(NULL, f, name, &j), CIP_OK);
    return cip_frame_get(f, j, i);
}

static cip_audit *audit(cip_ctx *ctx, const cip_frame *f, const cip_audit_params *p)
{
    cip_audit *a = NULL;
    cip_status rc = cip_audit_run(ctx, f, p, &a);
    if (rc != CIP_OK)
        fail_msg("audit failed: %s", cip_ctx_errmsg(ctx));
    return a;
}

/* The finding of kind whose columns are exactly cols (any order); fails when absent. */
static void get_finding(const cip_audit *a, cip_audit_kind kind, const char *const *cols, size_t n,
                        cip_audit_finding *out)
{
    for (size_t k = 0; k < cip_audit_count(a); k++) {
        cip_audit_get(a, k, out);
        if (out->kind != kind || out->n_columns != n)
            continue;
        size_t hit = 0;
        for (size_t c = 0; c < n; c++)
            for (size_t d = 0; d < out->n_columns; d++)
                hit += strcmp(cols[c], out->columns[d]) == 0;
        if (hit == n)
            return;
    }
    fail_msg("no %s finding on %s%s%s", cip_audit_kind_name(kind), cols[0], n > 1 ? ", " : "",
             n > 1 ? cols[1] : "");
}

static double value(const cip_audit_finding *fd, const char *name)
{
    for (size_t k = 0; k < fd->n_values; k++)
        if (strcmp(fd->value_names[k], name) == 0)
            return fd->values[k];
    fail_msg("finding has no value '%s'", name);
    return NAN;
}

/* Add a double column computed from the frame. */
static cip_frame *with_col(cip_ctx *ctx, cip_frame *f, const char *name, const double *v)
{
    assert_int_equal(cip_frame_add_f64(ctx, f, name, v, NULL), CIP_OK);
    return f;
}

/* --- params ------------------------------------------------------------------ */

static void test_audit_params_default_and_check(void **state)
{
    (void)state;
    cip_audit_params p;
    cip_audit_params_default(&p);
    assert_true(p.corr_warning == 0.7 && p.corr_high == 0.9 && p.power_high == 0.99);
    assert_true(p.test_size == 0.2 && p.seed == 42 && p.fd_max_size == 3);
    assert_int_equal(cip_audit_params_check(NULL, &p), CIP_ERR_INVALID); /* no target */
    p.target = "y";
    assert_int_equal(cip_audit_params_check(NULL, &p), CIP_OK);
    p.corr_high = 0.5;
    assert_int_equal(cip_audit_params_check(NULL, &p), CIP_ERR_INVALID);
    p.corr_high = 0.9;
    p.fd_max_size = 4;
    assert_int_equal(cip_audit_params_check(NULL, &p), CIP_ERR_INVALID);
    p.fd_max_size = 3;
    p.test_size = 1;
    assert_int_equal(cip_audit_params_check(NULL, &p), CIP_ERR_INVALID);
}

static void test_audit_run_errors_name_the_problem(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    cip_frame *f = synth(ctx, 50, 1);
    cip_audit_params p;
    cip_audit_params_default(&p);
    cip_audit *a = (cip_audit *)&p; /* must be reset to NULL */
    p.target = "nope";
    assert_int_equal(cip_audit_run(ctx, f, &p, &a), CIP_ERR_NOT_FOUND);
    assert_null(a);
    p.target = "churn";
    p.label_rule = "loyalty_score >> 3";
    assert_int_equal(cip_audit_run(ctx, f, &p, &a), CIP_ERR_INVALID);
    p.label_rule = "loyalty_score > q150";
    assert_int_equal(cip_audit_run(ctx, f, &p, &a), CIP_ERR_INVALID);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "quantile"));
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

/* --- clean data ------------------------------------------------------------------ */

static void test_audit_clean_synthetic_has_no_high_finding(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    static const uint64_t seeds[] = {1, 2, 3, 2024};
    static const uint64_t sizes[] = {238, 238, 2000, 5000};
    for (size_t s = 0; s < 4; s++) {
        cip_frame *f = synth(ctx, sizes[s], seeds[s]);
        cip_audit_params p;
        cip_audit_params_default(&p);
        p.target = "purchase_amount";
        cip_audit *a = audit(ctx, f, &p);
        if (cip_audit_n_severity(a, CIP_AUDIT_HIGH) != 0) {
            char *t = NULL;
            assert_int_equal(cip_audit_to_text(ctx, a, "synth", &t), CIP_OK);
            fail_msg("high findings on clean data (seed %llu):\n%s", (unsigned long long)seeds[s],
                     t);
        }
        assert_int_not_equal(cip_audit_get_verdict(a), CIP_AUDIT_LEAKS);
        assert_int_equal(cip_audit_get_task(a), CIP_AUDIT_TASK_REGRESSION);
        assert_int_equal(cip_audit_n_rows(a), sizes[s]);
        /* user_id is recognised as an identifier that does not predict the target */
        long k = cip_audit_find(a, CIP_AUDIT_ID_COLUMN, "user_id");
        assert_true(k >= 0);
        cip_audit_finding fd;
        cip_audit_get(a, (size_t)k, &fd);
        assert_int_equal(fd.severity, CIP_AUDIT_INFO);
        assert_int_equal(cip_audit_find(a, CIP_AUDIT_RECONSTRUCTION, NULL), -1);
        cip_audit_free(a);
        cip_frame_free(f);
    }
    cip_ctx_free(ctx);
}

/* --- planted leaks ------------------------------------------------------------------ */

static void test_audit_planted_copy_and_ratio_are_reconstructed(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    cip_frame *f = synth(ctx, 1000, 11);
    size_t n = cip_frame_n_rows(f);
    double *scaled = malloc(n * sizeof *scaled), *ratio = malloc(n * sizeof *ratio);
    assert_non_null(scaled);
    assert_non_null(ratio);
    for (size_t i = 0; i < n; i++) {
        double amt = col_value(f, "purchase_amount", i);
        scaled[i] = 3.7 * amt + 12;
        ratio[i] = round(amt / col_value(f, "annual_income", i) * 1e4) / 1e4; /* 4 dp, as CSV */
    }
    with_col(ctx, f, "scaled_spend", scaled);
    with_col(ctx, f, "spend_ratio", ratio);
    cip_audit_params p;
    cip_audit_params_default(&p);
    p.target = "purchase_amount";
    cip_audit *a = audit(ctx, f, &p);
    assert_int_equal(cip_audit_get_verdict(a), CIP_AUDIT_LEAKS);
    cip_audit_finding fd;
    static const char *const copy[] = {"scaled_spend"};
    get_finding(a, CIP_AUDIT_RECONSTRUCTION, copy, 1, &fd);
    assert_int_equal(fd.severity, CIP_AUDIT_HIGH);
    assert_true(value(&fd, "rows_exact") == (double)n);
    static const char *const pair[] = {"annual_income", "spend_ratio"};
    get_finding(a, CIP_AUDIT_RECONSTRUCTION, pair, 2, &fd);
    assert_int_equal(fd.severity, CIP_AUDIT_HIGH);
    assert_true(value(&fd, "grid") == 10);
    /* the rounded ratio loses up to 0.5e-4 * income: most rows come back on the grid of 10 */
    assert_true(value(&fd, "rows_exact") >= 0.9 * (double)n);
    assert_non_null(strstr(fd.expression, "annual_income * spend_ratio"));
    assert_true(value(&fd, "r2") > 0.999);
    cip_audit_free(a);
    free(scaled);
    free(ratio);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

static void test_audit_planted_two_feature_label_is_separable(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    cip_frame *f = synth(ctx, 1500, 5);
    size_t n = cip_frame_n_rows(f);
    double *s = malloc(n * sizeof *s), *sorted = malloc(n * sizeof *sorted);
    uint8_t *lab = malloc(n);
    assert_true(s != NULL && sorted != NULL && lab != NULL);
    for (size_t i = 0; i < n; i++)
        s[i] = col_value(f, "age", i) / 9.9 - col_value(f, "loyalty_score", i) / 1.95;
    memcpy(sorted, s, n * sizeof *s);
    for (size_t i = 1; i < n; i++) /* insertion sort is fine for the median of 1500 */
        for (size_t k = i; k > 0 && sorted[k - 1] > sorted[k]; k--) {
            double t = sorted[k];
            sorted[k] = sorted[k - 1];
            sorted[k - 1] = t;
        }
    for (size_t i = 0; i < n; i++)
        lab[i] = s[i] > sorted[n / 2];
    assert_int_equal(cip_frame_add_bool(ctx, f, "label", lab, NULL), CIP_OK);
    cip_audit_params p;
    cip_audit_params_default(&p);
    p.target = "label";
    cip_audit *a = audit(ctx, f, &p);
    assert_int_equal(cip_audit_get_task(a), CIP_AUDIT_TASK_CLASSIFICATION);
    cip_audit_finding fd;
    static const char *const pair[] = {"age", "loyalty_score"};
    get_finding(a, CIP_AUDIT_SEPARABLE, pair, 2, &fd);
    assert_int_equal(fd.severity, CIP_AUDIT_HIGH);
    assert_true(value(&fd, "roc_auc") == 1.0);
    /* no single feature separates it */
    assert_int_equal(cip_audit_find(a, CIP_AUDIT_PREDICTIVE, "age") >= 0 &&
                         cip_audit_find(a, CIP_AUDIT_PREDICTIVE, "loyalty_score") >= 0,
                     0);
    cip_audit_free(a);
    free(s);
    free(sorted);
    free(lab);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

static void test_audit_planted_label_rule_traces_inputs(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    cip_frame *f = synth(ctx, 800, 9);
    size_t n = cip_frame_n_rows(f);
    double *score = malloc(n * sizeof *score);
    assert_non_null(score);
    for (size_t i = 0; i < n; i++) /* a churn-like score from two raw inputs */
        score[i] = 1 - 0.5 * (col_value(f, "loyalty_score", i) - 3) / 6.5 -
                   0.5 * (col_value(f, "purchase_frequency", i) - 10) / 18;
    with_col(ctx, f, "risk", score);
    cip_audit_params p;
    cip_audit_params_default(&p);
    p.target = "churn";
    p.label_rule = "risk > q75";
    cip_audit *a = audit(ctx, f, &p);
    cip_audit_finding fd;
    static const char *const in[] = {"loyalty_score", "purchase_frequency"};
    get_finding(a, CIP_AUDIT_LINEAGE, in, 2, &fd);
    assert_int_equal(fd.severity, CIP_AUDIT_HIGH);
    assert_true(value(&fd, "separable") == 1);
    assert_true(value(&fd, "r2") > 0.99999);
    static const char *const rule[] = {"risk"};
    get_finding(a, CIP_AUDIT_LINEAGE, rule, 1, &fd);
    static const char *const l1[] = {"loyalty_score"};
    get_finding(a, CIP_AUDIT_LINEAGE, l1, 1, &fd);
    cip_audit_free(a);
    free(score);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

static void test_audit_planted_duplicates_contaminate_split(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    cip_frame *f = synth(ctx, 400, 3), *d = NULL;
    size_t idx[600];
    for (size_t i = 0; i < 600; i++)
        idx[i] = i < 400 ? i : (i - 400) * 2; /* rows 0, 2, ..., 398 twice */
    assert_int_equal(cip_frame_take_rows(ctx, f, idx, 600, &d), CIP_OK);
    cip_audit_params p;
    cip_audit_params_default(&p);
    p.target = "purchase_amount";
    cip_audit *a = audit(ctx, d, &p);
    cip_audit_finding fd;
    long k = cip_audit_find(a, CIP_AUDIT_DUPLICATES, NULL);
    assert_true(k >= 0);
    cip_audit_get(a, (size_t)k, &fd);
    assert_true(value(&fd, "duplicate_rows") == 200);
    assert_true(value(&fd, "distinct_vectors") <= 400);
    k = cip_audit_find(a, CIP_AUDIT_CONTAMINATION, NULL);
    assert_true(k >= 0);
    cip_audit_get(a, (size_t)k, &fd);
    assert_true(value(&fd, "test_rows") == 120);
    assert_true(value(&fd, "contaminated_test_rows") >= 20);
    assert_true(fd.severity >= CIP_AUDIT_WARNING);
    assert_int_equal(fd.n_rows, 2); /* a test row and its training twin */
    cip_audit_free(a);
    /* a group split keyed on the feature vector removes the contamination */
    p.split = CIP_SPLIT_GROUP;
    a = audit(ctx, d, &p);
    assert_int_equal(cip_audit_find(a, CIP_AUDIT_CONTAMINATION, NULL), -1);
    cip_audit_free(a);
    cip_frame_free(d);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

static void test_audit_identical_and_constant_columns(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    cip_frame *f = synth(ctx, 300, 4);
    size_t n = cip_frame_n_rows(f);
    double *c = malloc(n * sizeof *c), *k = malloc(n * sizeof *k);
    assert_true(c != NULL && k != NULL);
    for (size_t i = 0; i < n; i++) {
        c[i] = col_value(f, "age", i);
        k[i] = 7;
    }
    with_col(ctx, f, "age_copy", c);
    with_col(ctx, f, "seven", k);
    cip_audit_params p;
    cip_audit_params_default(&p);
    p.target = "purchase_amount";
    cip_audit *a = audit(ctx, f, &p);
    cip_audit_finding fd;
    static const char *const same[] = {"age", "age_copy"};
    get_finding(a, CIP_AUDIT_IDENTICAL_COLUMNS, same, 2, &fd);
    assert_int_equal(fd.severity, CIP_AUDIT_WARNING);
    static const char *const cst[] = {"seven"};
    get_finding(a, CIP_AUDIT_CONSTANT_COLUMN, cst, 1, &fd);
    assert_true(value(&fd, "distinct") == 1);
    /* age_copy makes the design singular */
    assert_true(cip_audit_find(a, CIP_AUDIT_MULTICOLLINEARITY, "age_copy") >= 0);
    cip_audit_free(a);
    free(c);
    free(k);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

/* --- reference table (../shared) ------------------------------------------------------ */

struct ref {
    cip_frame *eng;
    cip_featpipe *pipe;
};

/* Reads the engineered table and fits the pipeline on the raw one (for lineage); skips
 * visibly when ../shared is absent. */
static int load_ref(cip_ctx *ctx, struct ref *r)
{
    char raw_path[1024], eng_path[1024];
    if (cipt_shared_path(raw_path, sizeof raw_path, "data/Customer_Purchasing_Behaviors.csv") ==
            NULL ||
        cipt_shared_path(eng_path, sizeof eng_path,
                         "data/df_eng_customer_purchasing_features.csv") == NULL) {
        print_message("SKIP: ../shared is absent, reference leakage evidence not checked\n");
        return 0;
    }
    cip_frame *raw = NULL;
    assert_int_equal(cip_frame_read_csv(ctx, raw_path, NULL, &raw), CIP_OK);
    assert_int_equal(cip_featpipe_fit(ctx, raw, NULL, &r->pipe), CIP_OK);
    cip_frame_free(raw);
    assert_int_equal(cip_frame_read_csv(ctx, eng_path, NULL, &r->eng), CIP_OK);
    return 1;
}

static void test_audit_reference_clv_reconstruction(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    struct ref r = {NULL, NULL};
    if (!load_ref(ctx, &r)) {
        cip_ctx_free(ctx);
        skip();
    }
    cip_audit_params p;
    cip_audit_params_default(&p);
    p.target = "purchase_amount";
    p.pipeline = r.pipe;
    cip_audit *a = audit(ctx, r.eng, &p);
    assert_int_equal(cip_audit_get_verdict(a), CIP_AUDIT_LEAKS);
    cip_audit_finding fd;
    /* round(ratio * income) to the grid of 10 gives 238/238 (leakage-findings.md A) */
    static const char *const pair[] = {"annual_income", "spend_to_income_ratio"};
    get_finding(a, CIP_AUDIT_RECONSTRUCTION, pair, 2, &fd);
    assert_int_equal(fd.severity, CIP_AUDIT_HIGH);
    assert_true(value(&fd, "rows_exact") == 238);
    assert_true(value(&fd, "grid") == 10);
    assert_true(fabs(value(&fd, "max_error") - 3.5) < 0.01);
    assert_string_equal(fd.expression,
                        "purchase_amount = round((annual_income * spend_to_income_ratio) / 10) "
                        "* 10");
    static const char *const spp[] = {"purchase_frequency", "spend_per_purchase"};
    get_finding(a, CIP_AUDIT_RECONSTRUCTION, spp, 2, &fd);
    assert_true(value(&fd, "rows_exact") == 238);
    static const char *const lg[] = {"log_purchase_amount"};
    get_finding(a, CIP_AUDIT_RECONSTRUCTION, lg, 1, &fd);
    assert_true(value(&fd, "rows_exact") == 238);
    assert_true(value(&fd, "max_error") < 0.026);
    /* identical flag pairs (E) */
    static const char *const id1[] = {"is_high_value", "is_loyal"};
    static const char *const id2[] = {"is_frequent", "is_champion"};
    get_finding(a, CIP_AUDIT_IDENTICAL_COLUMNS, id1, 2, &fd);
    get_finding(a, CIP_AUDIT_IDENTICAL_COLUMNS, id2, 2, &fd);
    /* 60 distinct profiles; > 80 % of the test rows have a twin in training (D) */
    long k = cip_audit_find(a, CIP_AUDIT_DUPLICATES, NULL);
    assert_true(k >= 0);
    cip_audit_get(a, (size_t)k, &fd);
    assert_true(value(&fd, "distinct_profiles") == 60);
    k = cip_audit_find(a, CIP_AUDIT_CONTAMINATION, NULL);
    assert_true(k >= 0);
    cip_audit_get(a, (size_t)k, &fd);
    assert_int_equal(fd.severity, CIP_AUDIT_HIGH);
    assert_true(value(&fd, "test_rows") == 48);
    assert_true(value(&fd, "share") > 0.8);
    assert_true(cip_audit_find(a, CIP_AUDIT_FEW_PROFILES, NULL) >= 0);
    k = cip_audit_find(a, CIP_AUDIT_MULTICOLLINEARITY, NULL);
    assert_true(k >= 0);
    cip_audit_get(a, (size_t)k, &fd);
    assert_true(value(&fd, "max_r2") > 0.999);
    /* the lookup eta^2 of spending_percentile is 1 (B/C) */
    static const char *const sp[] = {"spending_percentile", "purchase_amount"};
    get_finding(a, CIP_AUDIT_PREDICTIVE, sp, 2, &fd);
    assert_true(value(&fd, "eta2") > 0.99999);
    cip_audit_free(a);
    cip_featpipe_free(r.pipe);
    cip_frame_free(r.eng);
    cip_ctx_free(ctx);
}

static void test_audit_reference_raw_profiles(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    struct ref r = {NULL, NULL};
    if (!load_ref(ctx, &r)) {
        cip_ctx_free(ctx);
        skip();
    }
    static const char *const raw[] = {"user_id",       "age",    "annual_income",
                                      "loyalty_score", "region", "purchase_frequency"};
    cip_audit_params p;
    cip_audit_params_default(&p);
    p.target = "purchase_amount";
    p.features = raw;
    p.n_features = 6;
    cip_audit *a = audit(ctx, r.eng, &p);
    cip_audit_finding fd;
    long k = cip_audit_find(a, CIP_AUDIT_DUPLICATES, NULL);
    assert_true(k >= 0);
    cip_audit_get(a, (size_t)k, &fd);
    assert_true(value(&fd, "distinct_profiles") == 60);
    assert_true(value(&fd, "rows") == 238);
    /* age + annual_income determine the CLV target (C: 38 keys, 0 conflicts) */
    static const char *const fdk[] = {"age", "annual_income"};
    get_finding(a, CIP_AUDIT_FUNCDEP, fdk, 2, &fd);
    assert_true(value(&fd, "keys") == 38);
    cip_audit_free(a);
    cip_featpipe_free(r.pipe);
    cip_frame_free(r.eng);
    cip_ctx_free(ctx);
}

static void test_audit_reference_churn_label_lineage(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    struct ref r = {NULL, NULL};
    if (!load_ref(ctx, &r)) {
        cip_ctx_free(ctx);
        skip();
    }
    cip_audit_params p;
    cip_audit_params_default(&p);
    p.target = "churn";
    p.label_rule = "churn_risk_score > q75";
    p.pipeline = r.pipe;
    cip_audit *a = audit(ctx, r.eng, &p);
    assert_int_equal(cip_audit_get_task(a), CIP_AUDIT_TASK_CLASSIFICATION);
    cip_audit_finding fd;
    /* the label is a linear rule over loyalty and frequency, separable (B) */
    static const char *const in[] = {"loyalty_score", "purchase_frequency"};
    get_finding(a, CIP_AUDIT_LINEAGE, in, 2, &fd);
    assert_int_equal(fd.severity, CIP_AUDIT_HIGH);
    assert_true(value(&fd, "separable") == 1);
    assert_true(value(&fd, "r2") > 0.99999);
    assert_true(value(&fd, "gap_low") < value(&fd, "gap_high"));
    /* flagged through the pipeline's lineage */
    static const char *const flags[][1] = {{"is_loyal"},
                                           {"is_frequent"},
                                           {"customer_value_score"},
                                           {"churn_risk_score"},
                                           {"purchase_frequency"}};
    for (size_t q = 0; q < 5; q++)
        get_finding(a, CIP_AUDIT_LINEAGE, flags[q], 1, &fd);
    /* single-feature AUC of the defining score is 1.0 while Pearson is only 0.81 */
    static const char *const crs[] = {"churn_risk_score", "churn"};
    get_finding(a, CIP_AUDIT_PREDICTIVE, crs, 2, &fd);
    assert_true(value(&fd, "roc_auc") == 1.0);
    static const char *const inc[] = {"annual_income", "churn"};
    get_finding(a, CIP_AUDIT_PREDICTIVE, inc, 2, &fd);
    assert_true(fabs(value(&fd, "roc_auc") - 0.99995) < 1e-4);
    /* 60 positives of 238: the label is the reference's */
    long k = cip_audit_find(a, CIP_AUDIT_CONTAMINATION, NULL);
    assert_true(k >= 0);
    cip_audit_get(a, (size_t)k, &fd);
    assert_true(value(&fd, "share") > 0.8);
    /* the explanation API names the high findings */
    char *text = NULL;
    int sus = 0;
    assert_int_equal(cip_audit_explain_score(ctx, a, "f1", 1.0, &sus, &text), CIP_OK);
    assert_int_equal(sus, 1);
    assert_non_null(strstr(text, "too good to be true"));
    assert_non_null(strstr(text, "[lineage]"));
    cip_audit_free_string(ctx, text);
    cip_audit_free(a);
    cip_featpipe_free(r.pipe);
    cip_frame_free(r.eng);
    cip_ctx_free(ctx);
}

/* --- reports, explanation, out of memory ------------------------------------------------ */

static void test_audit_json_and_text_reports(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    cip_frame *f = synth(ctx, 200, 8);
    size_t n = cip_frame_n_rows(f);
    double *c = malloc(n * sizeof *c);
    assert_non_null(c);
    for (size_t i = 0; i < n; i++)
        c[i] = 2 * col_value(f, "purchase_amount", i);
    with_col(ctx, f, "dbl \"x\"", c);
    cip_audit_params p;
    cip_audit_params_default(&p);
    p.target = "purchase_amount";
    cip_audit *a = audit(ctx, f, &p);
    char *js = NULL, *tx = NULL;
    assert_int_equal(cip_audit_to_json(ctx, a, "t.csv", &js), CIP_OK);
    assert_non_null(strstr(js, "\"format\": \"cip-audit 1\""));
    assert_non_null(strstr(js, "\"verdict\": \"leaks\""));
    assert_non_null(strstr(js, "\"dbl \\\"x\\\"\""));
    assert_non_null(strstr(js, "\"kind\": \"reconstruction\""));
    assert_int_equal(cip_audit_to_text(ctx, a, "t.csv", &tx), CIP_OK);
    assert_non_null(strstr(tx, "verdict: leaks"));
    assert_true(strstr(tx, "HIGH") < strstr(tx, "WARNING"));
    cip_audit_free_string(ctx, js);
    cip_audit_free_string(ctx, tx);
    int sus = 1;
    assert_int_equal(cip_audit_explain_score(ctx, a, "r2", 0.7, &sus, &tx), CIP_OK);
    assert_int_equal(sus, 0);
    cip_audit_free_string(ctx, tx);
    cip_audit_free(a);
    free(c);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

static void test_audit_json_same_for_any_thread_count(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    cip_frame *f = synth(ctx, 3000, 21);
    cip_audit_params p;
    cip_audit_params_default(&p);
    p.target = "purchase_amount";
    p.sample_rows = 500; /* exercise the sampled searches */
    char *js[3] = {NULL, NULL, NULL};
    static const int threads[] = {1, 2, 3};
    for (size_t t = 0; t < 3; t++) {
        cip_ctx_set_threads(ctx, threads[t]);
        cip_audit *a = audit(ctx, f, &p);
        assert_int_equal(cip_audit_to_json(ctx, a, NULL, &js[t]), CIP_OK);
        cip_audit_free(a);
    }
    assert_string_equal(js[0], js[1]);
    assert_string_equal(js[0], js[2]);
    for (size_t t = 0; t < 3; t++)
        cip_audit_free_string(ctx, js[t]);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

static void test_audit_schema_violations_become_findings(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    char path[1024];
    cip_frame *f = NULL;
    /* clean.csv with age 150 on line 4 (data row 2) and loyalty 12.5 on line 8 (row 6) */
    assert_int_equal(cip_frame_read_csv(
                         ctx, cipt_data_path(path, sizeof path, "audit/bad_schema.csv"), NULL, &f),
                     CIP_OK);
    cip_audit_params p;
    cip_audit_params_default(&p);
    p.target = "purchase_amount";
    cip_audit *a = audit(ctx, f, &p);
    cip_audit_finding fd;
    static const char *const age[] = {"age"};
    get_finding(a, CIP_AUDIT_SCHEMA, age, 1, &fd);
    assert_int_equal(fd.severity, CIP_AUDIT_WARNING);
    assert_true(value(&fd, "rows") == 1);
    assert_int_equal(fd.n_rows, 1);
    assert_int_equal(fd.rows[0], 2);
    static const char *const loy[] = {"loyalty_score"};
    get_finding(a, CIP_AUDIT_SCHEMA, loy, 1, &fd);
    assert_int_equal(fd.rows[0], 6);
    cip_audit_free(a);
    /* no schema check when asked not to */
    p.check_schema = 0;
    a = audit(ctx, f, &p);
    assert_int_equal(cip_audit_find(a, CIP_AUDIT_SCHEMA, NULL), -1);
    cip_audit_free(a);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

/* Missing values, a categorical feature, a constant target and tiny tables do not break the
 * audit; missing target rows are dropped and example rows refer to the input rows. */
static void test_audit_missing_values_and_degenerate_targets(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    enum { N = 40 };
    double x[N], y[N], c[N];
    uint8_t xm[(N + 7) / 8] = {0}, ym[(N + 7) / 8] = {0}; /* bit i = row i missing */
    const char *cat[N];
    for (size_t i = 0; i < N; i++) {
        x[i] = (double)(i % 7);
        y[i] = 10.0 * (double)(i % 7); /* y = 10 x */
        c[i] = 5;
        cat[i] = i % 2 ? "a" : "b";
    }
    xm[0] = 1u << 3;      /* x missing on row 3 */
    ym[0] = 1u | 1u << 1; /* no target on rows 0 and 1 */
    cip_frame *f = NULL;
    assert_int_equal(cip_frame_new(ctx, N, &f), CIP_OK);
    assert_int_equal(cip_frame_add_f64(ctx, f, "x", x, xm), CIP_OK);
    assert_int_equal(cip_frame_add_strings(ctx, f, "cat", cat), CIP_OK);
    assert_int_equal(cip_frame_add_f64(ctx, f, "const", c, NULL), CIP_OK);
    assert_int_equal(cip_frame_add_f64(ctx, f, "y", y, ym), CIP_OK);
    cip_audit_params p;
    cip_audit_params_default(&p);
    p.target = "y";
    cip_audit *a = audit(ctx, f, &p);
    assert_int_equal(cip_audit_n_rows(a), N - 2);
    cip_audit_finding fd;
    static const char *const xs[] = {"x"};
    get_finding(a, CIP_AUDIT_RECONSTRUCTION, xs, 1, &fd);
    assert_true(value(&fd, "rows_exact") == N - 3); /* the row with x missing is not exact */
    if (!(fd.n_rows == 1 && fd.rows[0] >= 2))
        fail_msg("rows %zu first %zu: %s", fd.n_rows, fd.n_rows ? fd.rows[0] : 0, fd.message);
    char *js = NULL;
    assert_int_equal(cip_audit_to_json(ctx, a, NULL, &js), CIP_OK);
    assert_non_null(strstr(js, "\"source\": null"));
    cip_audit_free_string(ctx, js);
    cip_audit_free(a);
    /* a constant target: nothing to predict, no crash, no reconstruction */
    p.target = "const";
    a = audit(ctx, f, &p);
    assert_int_equal(cip_audit_find(a, CIP_AUDIT_RECONSTRUCTION, NULL), -1);
    cip_audit_free(a);
    cip_frame_free(f);
    /* two rows */
    assert_int_equal(cip_frame_new(ctx, 2, &f), CIP_OK);
    assert_int_equal(cip_frame_add_f64(ctx, f, "x", x, NULL), CIP_OK);
    assert_int_equal(cip_frame_add_f64(ctx, f, "y", y, NULL), CIP_OK);
    p.target = "y";
    a = audit(ctx, f, &p);
    assert_int_equal(cip_audit_n_rows(a), 2);
    cip_audit_free(a);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

static cip_status oom_body(cip_ctx *ctx, void *arg)
{
    (void)arg;
    cip_synth_params sp;
    cip_synth_params_default(&sp);
    sp.n_customers = 60;
    sp.duplicates = 1;
    cip_frame *f = NULL;
    cip_audit *a = NULL;
    char *js = NULL;
    cip_audit_params p;
    cip_audit_params_default(&p);
    p.target = "churn";
    p.label_rule = "loyalty_score >= q50";
    cip_status rc = cip_synth_customers(ctx, &sp, &f);
    if (rc == CIP_OK)
        rc = cip_audit_run(ctx, f, &p, &a);
    if (rc == CIP_OK)
        rc = cip_audit_to_json(ctx, a, "x", &js);
    cip_audit_free_string(ctx, js);
    cip_audit_free(a);
    cip_frame_free(f);
    return rc;
}

static void test_audit_oom_sweep_leaks_nothing(void **state)
{
    (void)state;
    long runs = cipt_oom_sweep(oom_body, NULL);
    assert_true(runs > 50);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_audit_params_default_and_check),
        cmocka_unit_test(test_audit_run_errors_name_the_problem),
        cmocka_unit_test(test_audit_clean_synthetic_has_no_high_finding),
        cmocka_unit_test(test_audit_planted_copy_and_ratio_are_reconstructed),
        cmocka_unit_test(test_audit_planted_two_feature_label_is_separable),
        cmocka_unit_test(test_audit_planted_label_rule_traces_inputs),
        cmocka_unit_test(test_audit_planted_duplicates_contaminate_split),
        cmocka_unit_test(test_audit_identical_and_constant_columns),
        cmocka_unit_test(test_audit_reference_clv_reconstruction),
        cmocka_unit_test(test_audit_reference_raw_profiles),
        cmocka_unit_test(test_audit_reference_churn_label_lineage),
        cmocka_unit_test(test_audit_json_and_text_reports),
        cmocka_unit_test(test_audit_schema_violations_become_findings),
        cmocka_unit_test(test_audit_missing_values_and_degenerate_targets),
        cmocka_unit_test(test_audit_json_same_for_any_thread_count),
        cmocka_unit_test(test_audit_oom_sweep_leaks_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
