/* test_describe.c - cip_frame_describe: moments, type-7 quantiles by
 * selection, level counts, pandas reference values, threads and OOM
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/describe/describe_int.h"
#include "testutil.h"

static cip_ctx *new_ctx(void)
{
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    return ctx;
}

static cip_frame *read_text(cip_ctx *ctx, const char *text)
{
    cip_frame *f = NULL;
    if (cip_frame_read_csv_mem(ctx, "t.csv", text, strlen(text), NULL, &f) != CIP_OK)
        fail_msg("read failed: %s", cip_ctx_errmsg(ctx));
    return f;
}

static void assert_close(double got, double want, double rel)
{
    if (!(fabs(got - want) <= rel * fabs(want) + 1e-300))
        fail_msg("got %.17g, want %.17g", got, want);
}

static void test_describe_small_table_by_hand(void **state)
{
    (void)state;
    cip_ctx *ctx = new_ctx();
    cip_frame *f = read_text(ctx, "x,c,b,e\n"
                                  "1,u,True,\n"
                                  "4,v,False,\n"
                                  ",v,True,\n"
                                  "2,w,,\n"
                                  "3,v,True,\n");
    cip_summary *s = NULL;
    assert_int_equal(cip_frame_describe(ctx, f, NULL, &s), CIP_OK);
    assert_int_equal(cip_summary_n_rows(s), 5);
    assert_int_equal(cip_summary_n_cols(s), 4);
    const cip_col_summary *x = cip_summary_col(s, 0);
    assert_string_equal(x->name, "x");
    assert_int_equal(x->count, 4);
    assert_int_equal(x->n_missing, 1);
    /* 1 2 3 4: numpy mean 2.5, std(ddof=1) sqrt(5/3), quantiles 1.75 2.5 3.25 */
    assert_true(x->mean == 2.5);
    assert_true(x->std == sqrt(5.0 / 3.0));
    assert_true(x->min == 1.0 && x->max == 4.0);
    assert_true(x->q25 == 1.75 && x->median == 2.5 && x->q75 == 3.25);
    assert_int_equal(x->n_distinct, 0);
    assert_int_equal(x->n_top, 0);
    const cip_col_summary *c = cip_summary_col(s, 1);
    assert_int_equal(c->type, CIP_TYPE_CAT);
    assert_true(isnan(c->mean) && isnan(c->q25));
    assert_int_equal(c->count, 5);
    assert_int_equal(c->n_distinct, 3);
    assert_int_equal(c->n_top, 3);
    assert_string_equal(c->top_labels[0], "v");
    assert_int_equal(c->top_counts[0], 3);
    assert_string_equal(c->top_labels[1], "u"); /* tie with w: earlier level first */
    assert_string_equal(c->top_labels[2], "w");
    const cip_col_summary *b = cip_summary_col(s, 2);
    assert_int_equal(b->type, CIP_TYPE_BOOL);
    assert_int_equal(b->count, 4);
    assert_true(b->mean == 0.75);
    assert_int_equal(b->n_distinct, 2);
    assert_string_equal(b->top_labels[0], "True");
    assert_int_equal(b->top_counts[0], 3);
    const cip_col_summary *e = cip_summary_col(s, 3);
    assert_int_equal(e->count, 0);
    assert_int_equal(e->n_missing, 5);
    assert_true(isnan(e->mean) && isnan(e->std) && isnan(e->median));
    assert_null(cip_summary_col(s, 4));
    cip_summary_free(s);
    cip_describe_opts o;
    cip_describe_opts_default(&o);
    assert_int_equal(o.top_k, 5);
    o.top_k = 1;
    assert_int_equal(cip_frame_describe(ctx, f, &o, &s), CIP_OK);
    assert_int_equal(cip_summary_col(s, 1)->n_top, 1);
    cip_summary_free(s);
    cip_summary_free(NULL);
    cip_frame_free(f);
    /* one value: std is NaN (ddof 1), quantiles are the value */
    f = read_text(ctx, "x\n7.5\n");
    assert_int_equal(cip_frame_describe(ctx, f, NULL, &s), CIP_OK);
    assert_true(isnan(cip_summary_col(s, 0)->std));
    assert_true(cip_summary_col(s, 0)->q75 == 7.5);
    cip_summary_free(s);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Selection-based and counting quantiles equal the sort-based definition. */
static void test_describe_select_matches_sort(void **state)
{
    (void)state;
    uint64_t r = 12345;
    static const size_t sizes[] = {1, 2, 3, 5, 16, 17, 18, 100, 1000, 4097};
    for (size_t si = 0; si < CIP_ARRAY_LEN(sizes); si++) {
        for (int rep = 0; rep < 20; rep++) {
            size_t n = sizes[si];
            double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
            assert_true(x != NULL && y != NULL);
            for (size_t i = 0; i < n; i++) {
                r = r * 6364136223846793005ULL + 1442695040888963407ULL;
                double u = (double)(r >> 11) * 0x1p-53;
                x[i] = rep % 4 == 0   ? (double)((r >> 33) % 5) /* many ties */
                       : rep % 4 == 1 ? (double)i               /* sorted */
                       : rep % 4 == 2 ? u - 0.5                 /* uniform */
                                      : exp(20.0 * u) - 3.0;    /* heavily skewed */
                y[i] = x[i];
            }
            qsort(y, n, sizeof *y, cmp_d);
            const double q[3] = {0.25, 0.5, 0.75};
            double got[3], hgot[3] = {0, 0, 0};
            static uint32_t hist[CIPI_DESCRIBE_HIST];
            bool ints = rep % 4 < 2;
            if (ints) /* the counting path on the same integer data */
                cipi_describe_quantiles_hist(x, n, y[0], hist, (size_t)(y[n - 1] - y[0]) + 1, q, 3,
                                             hgot);
            cipi_describe_quantiles(x, n, q, 3, got);
            for (int k = 0; k < 3; k++) {
                double vi = (double)(n - 1) * q[k], fl = floor(vi), g = vi - fl;
                size_t lo = (size_t)fl, hi = lo + 1 < n ? lo + 1 : lo;
                double d = y[hi] - y[lo];
                double want = g >= 0.5 ? y[hi] - d * (1 - g) : y[lo] + d * g;
                if (ints && hgot[k] != want)
                    fail_msg("hist n=%zu rep=%d q=%g: got %.17g want %.17g", n, rep, q[k], hgot[k],
                             want);
                if (got[k] != want)
                    fail_msg("n=%zu rep=%d q=%g: got %.17g want %.17g", n, rep, q[k], got[k], want);
            }
            free(x);
            free(y);
        }
    }
}

/* pandas describe() of the shared customer table (tools/ref_describe.py). */
static void test_describe_matches_pandas_reference(void **state)
{
    (void)state;
    char path[1024], ref[1024];
    if (cipt_shared_path(path, sizeof path, "data/Customer_Purchasing_Behaviors.csv") == NULL) {
        print_message("SKIP: ../shared is absent\n");
        skip();
    }
    cip_ctx *ctx = new_ctx();
    cip_frame *f = NULL, *want = NULL;
    cip_summary *s = NULL;
    assert_int_equal(cip_frame_read_csv(ctx, path, NULL, &f), CIP_OK);
    assert_int_equal(
        cip_frame_read_csv(ctx, cipt_data_path(ref, sizeof ref, "describe/customer_describe.csv"),
                           NULL, &want),
        CIP_OK);
    for (int threads = 1; threads <= 2; threads++) {
        cip_ctx_set_threads(ctx, threads);
        assert_int_equal(cip_frame_describe(ctx, f, NULL, &s), CIP_OK);
        size_t checked = 0, levels = 0;
        for (size_t i = 0; i < cip_frame_n_rows(want); i++) {
            const char *name = cip_frame_level(want, 0, cip_frame_codes(want, 0)[i]);
            if (strncmp(name, "region=", 7) == 0) {
                const cip_col_summary *c = cip_summary_col(s, 5);
                assert_string_equal(c->top_labels[levels], name + 7);
                assert_int_equal(c->top_counts[levels], (size_t)cip_frame_get(want, 1, i));
                levels++;
                continue;
            }
            size_t j;
            assert_int_equal(cip_frame_find(ctx, f, name, &j), CIP_OK);
            const cip_col_summary *c = cip_summary_col(s, j);
            double got[8] = {(double)c->count, c->mean,   c->std, c->min,
                             c->q25,           c->median, c->q75, c->max};
            for (size_t k = 0; k < 8; k++)
                assert_close(got[k], cip_frame_get(want, k + 1, i), 1e-14);
            checked++;
        }
        assert_int_equal(checked, 6);
        assert_int_equal(levels, 4);
        cip_summary_free(s);
    }
    cip_frame_free(want);
    cip_frame_free(f);
    cip_ctx_free(ctx);
}

static cip_status describe_body(cip_ctx *ctx, void *arg)
{
    const char *text = arg;
    cip_frame *f = NULL;
    cip_summary *s = NULL;
    cip_status rc = cip_frame_read_csv_mem(ctx, "t", text, strlen(text), NULL, &f);
    if (rc == CIP_OK)
        rc = cip_frame_describe(ctx, f, NULL, &s);
    cip_summary_free(s);
    cip_frame_free(f);
    return rc;
}

static void test_describe_oom_sweep(void **state)
{
    (void)state;
    char text[] = "a,b,c\n1,x,True\n2,y,False\n,x,\n";
    assert_true(cipt_oom_sweep(describe_body, text) > 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_describe_small_table_by_hand),
        cmocka_unit_test(test_describe_select_matches_sort),
        cmocka_unit_test(test_describe_matches_pandas_reference),
        cmocka_unit_test(test_describe_oom_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
