/* test_validate_numpy.c - splits drawn from numpy's RandomState equal scikit-learn's
 *
 * tests/data/split_numpy_ref.txt holds the test rows of scikit-learn 1.2.1's
 * train_test_split(random_state=seed[, stratify=y]) for random and stratified
 * cases, including ties in _approximate_mode, five classes and the largest
 * 32-bit seed (written by tools/ref_split_numpy.py). The first outputs of
 * MT19937 seeded with 5489 are the published reference values.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/validate/validate_int.h"
#include "cip/validate.h"
#include "testutil.h"

/* MT19937 reference outputs for init_genrand(5489): the first is 3499211612 and
 * the 10000th is 4123659995 (the value C++11 requires of std::mt19937). */
static void test_validate_numpy_mt19937_reference_outputs(void **state)
{
    (void)state;
    struct cipi_np_rng r;
    cipi_np_seed(&r, 5489u);
    assert_int_equal(cipi_np_next32(&r), 3499211612u);
    for (int i = 2; i < 10000; i++)
        cipi_np_next32(&r);
    assert_int_equal(cipi_np_next32(&r), 4123659995u);
}

/* Labels from the rule of the reference script. */
static double *make_labels(const char *rule, size_t n)
{
    double *y = calloc(n, sizeof *y);
    assert_non_null(y);
    unsigned a, b, c, k;
    if (sscanf(rule, "mod:%u:%u:%u", &a, &b, &c) == 3) {
        for (size_t i = 0; i < n; i++)
            y[i] = (i * a) % b < c ? 1.0 : 0.0;
    } else if (sscanf(rule, "cyc:%u", &k) == 1) {
        for (size_t i = 0; i < n; i++)
            y[i] = (double)((i * 7) % k);
    } else {
        assert_true(strncmp(rule, "counts:", 7) == 0);
        size_t left[16], nk = 0, filled = 0;
        for (const char *p = rule + 7; *p != '\0' && nk < 16;) {
            char *end;
            left[nk++] = strtoul(p, &end, 10);
            p = *end == ',' ? end + 1 : end;
        }
        while (filled < n) {
            size_t before = filled;
            for (size_t j = 0; j < nk; j++)
                if (left[j] > 0) {
                    y[filled++] = (double)j;
                    left[j]--;
                }
            assert_true(filled > before);
        }
    }
    return y;
}

static void check_case(cip_ctx *ctx, char *line)
{
    char kind[16], rule[64];
    size_t n;
    double ts;
    unsigned long long seed;
    int used = 0;
    assert_int_equal(sscanf(line, "%15s %zu %lf %llu %63s |%n", kind, &n, &ts, &seed, rule, &used),
                     5);
    cip_split_params p;
    cip_split_params_default(&p);
    p.kind = strcmp(kind, "stratified") == 0 ? CIP_SPLIT_STRATIFIED : CIP_SPLIT_RANDOM;
    p.test_size = ts;
    p.seed = seed;
    p.rng = CIP_SPLIT_RNG_NUMPY;
    double *y = p.kind == CIP_SPLIT_STRATIFIED ? make_labels(rule, n) : NULL;
    cip_split_data d = {.n_rows = n, .y = y};
    cip_split *s = NULL;
    assert_int_equal(cip_split_make(ctx, &d, &p, &s), CIP_OK);
    size_t nte;
    const size_t *te = cip_split_test(s, &nte);
    char *q = line + used;
    for (size_t i = 0; i < nte; i++) {
        char *end;
        unsigned long want = strtoul(q, &end, 10);
        assert_true(end != q); /* the reference has at least as many rows */
        if (te[i] != want)
            fail_msg("%s n=%zu seed=%llu: test row %zu is %zu, scikit-learn's is %lu", kind, n,
                     seed, i, te[i], want);
        q = end;
    }
    while (*q == ' ')
        q++;
    assert_true(*q == '\n' || *q == '\0'); /* ... and no more */
    cip_split_free(s);
    free(y);
}

static void test_validate_numpy_split_matches_sklearn_rows(void **state)
{
    (void)state;
    char path[512];
    FILE *f = fopen(cipt_data_path(path, sizeof path, "split_numpy_ref.txt"), "r");
    assert_non_null(f);
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    static char line[1 << 16];
    int cases = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        check_case(ctx, line);
        cases++;
    }
    fclose(f);
    cip_ctx_free(ctx);
    assert_int_equal(cases, 9);
}

static void test_validate_numpy_split_rejects_wide_seed(void **state)
{
    (void)state;
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_split_params p;
    cip_split_params_default(&p);
    p.rng = CIP_SPLIT_RNG_NUMPY;
    p.seed = 1ull << 32;
    cip_split_data d = {.n_rows = 10};
    cip_split *s = NULL;
    assert_int_equal(cip_split_make(ctx, &d, &p, &s), CIP_ERR_INVALID);
    assert_null(s);
    assert_non_null(strstr(cip_ctx_errmsg(ctx), "4294967295"));
    p.seed = 1;
    p.rng = (cip_split_rng)7;
    assert_int_equal(cip_split_make(ctx, &d, &p, &s), CIP_ERR_INVALID);
    cip_ctx_free(ctx);
}

static cip_status oom_numpy(cip_ctx *ctx, void *arg)
{
    (void)arg;
    double y[40];
    for (int i = 0; i < 40; i++)
        y[i] = (double)(i % 3);
    cip_split_params p;
    cip_split_params_default(&p);
    p.rng = CIP_SPLIT_RNG_NUMPY;
    p.kind = CIP_SPLIT_STRATIFIED;
    p.test_size = 0.3;
    cip_split_data d = {.n_rows = 40, .y = y};
    cip_split *s = NULL;
    cip_status rc = cip_split_make(ctx, &d, &p, &s);
    cip_split_free(s);
    if (rc != CIP_OK)
        return rc;
    p.kind = CIP_SPLIT_RANDOM;
    rc = cip_split_make(ctx, &d, &p, &s);
    cip_split_free(s);
    return rc;
}

static void test_validate_numpy_split_survives_oom(void **state)
{
    (void)state;
    assert_true(cipt_oom_sweep(oom_numpy, NULL) > 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validate_numpy_mt19937_reference_outputs),
        cmocka_unit_test(test_validate_numpy_split_matches_sklearn_rows),
        cmocka_unit_test(test_validate_numpy_split_rejects_wide_seed),
        cmocka_unit_test(test_validate_numpy_split_survives_oom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
