/* test_forest_sklearn.c - held-out R^2 / ROC AUC against scikit-learn's RandomForest
 *
 * Data and reference values: tests/data/forest/, made by tools/ref_forest.py
 * (10,000 x 10 tables of ../shared/bench/gen.py; sklearn 1.2, 100 trees,
 * default parameters, mean over 5 seeds). Tolerance: 0.01.
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include "forest_fixtures.h"

/* --- against scikit-learn
 * ----------------------------------------------------------------------------- */
static double ref_value(const char *key)
{
    char path[512], line[256];
    FILE *fp = fopen(cipt_data_path(path, sizeof path, "forest/sklearn_ref.txt"), "r");
    assert_non_null(fp);
    double v = NAN;
    size_t kl = strlen(key);
    while (fgets(line, sizeof line, fp) != NULL)
        if (strncmp(line, key, kl) == 0 && line[kl] == ' ')
            v = strtod(line + kl + 1, NULL);
    fclose(fp);
    assert_false(isnan(v));
    return v;
}

static double auc_of(const double *y, const double *s, size_t n)
{
    double num = 0, pos = 0;
    for (size_t i = 0; i < n; i++) {
        if (y[i] < 0.5)
            continue;
        pos++;
        for (size_t j = 0; j < n; j++)
            if (y[j] < 0.5)
                num += s[i] > s[j] ? 1.0 : s[i] == s[j] ? 0.5 : 0.0;
    }
    return num / (pos * ((double)n - pos));
}

static void check_sklearn(const char *file, int clf)
{
    char path[512];
    cip_ctx *ctx = new_ctx(2);
    cip_frame *df, *tr, *te, *xtr, *xte;
    assert_int_equal(cip_frame_read_csv(ctx, cipt_data_path(path, sizeof path, file), NULL, &df),
                     CIP_OK);
    size_t n = cip_frame_n_rows(df), nte = n / 5, ntr = n - nte, t, p = cip_frame_n_cols(df);
    size_t *idx = malloc(n * sizeof *idx);
    const char *names[64];
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    assert_int_equal(cip_frame_find(ctx, df, "target", &t), CIP_OK);
    for (size_t j = 0, k = 0; j < p; j++)
        if (j != t)
            names[k++] = cip_frame_col_name(df, j);
    assert_int_equal(cip_frame_take_rows(ctx, df, idx, ntr, &tr), CIP_OK);
    assert_int_equal(cip_frame_take_rows(ctx, df, idx + ntr, nte, &te), CIP_OK);
    assert_int_equal(cip_frame_select(ctx, tr, names, p - 1, &xtr), CIP_OK);
    assert_int_equal(cip_frame_select(ctx, te, names, p - 1, &xte), CIP_OK);
    double *ytr = malloc(ntr * sizeof *ytr), *yte = malloc(nte * sizeof *yte);
    double *out = malloc(2 * nte * sizeof *out), *score = malloc(nte * sizeof *score);
    cip_frame_get_col(tr, t, ytr);
    cip_frame_get_col(te, t, yte);
    cip_forest_params fp = params(clf ? CIP_FOREST_CLASSIFICATION : CIP_FOREST_REGRESSION,
                                  (int)ref_value("trees"), 2024);
    cip_forest *f;
    assert_int_equal(cip_forest_fit(ctx, xtr, ytr, NULL, &fp, &f), CIP_OK);
    if (clf) {
        assert_int_equal(cip_forest_predict_proba(ctx, f, xte, out, 2 * nte), CIP_OK);
        for (size_t i = 0; i < nte; i++)
            score[i] = out[2 * i + 1];
    } else {
        assert_int_equal(cip_forest_predict(ctx, f, xte, score, nte), CIP_OK);
    }
    double ours = clf ? auc_of(yte, score, nte) : r2_of(yte, score, nte);
    double ref = ref_value(clf ? "clf_auc" : "reg_r2");
    print_message("forest vs sklearn (%s): cip %.4f, sklearn %.4f\n", file, ours, ref);
    assert_true(fabs(ours - ref) < 0.01);
    cip_forest_free(f);
    free(idx);
    free(ytr);
    free(yte);
    free(out);
    free(score);
    cip_frame_free(df);
    cip_frame_free(tr);
    cip_frame_free(te);
    cip_frame_free(xtr);
    cip_frame_free(xte);
    cip_ctx_free(ctx);
}

static void test_forest_regression_matches_sklearn(void **state)
{
    (void)state;
    check_sklearn("forest/reg-10k.csv.gz", 0);
}

static void test_forest_classification_matches_sklearn(void **state)
{
    (void)state;
    check_sklearn("forest/clf-10k.csv.gz", 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forest_regression_matches_sklearn),
        cmocka_unit_test(test_forest_classification_matches_sklearn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
