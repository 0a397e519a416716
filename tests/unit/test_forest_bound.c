/* test_forest_bound.c - the best-split bound of tiny regression nodes
 *
 * A node of 3..FOREST_BOUND_MAX rows stops evaluating features once a split
 * reaches cipi_forest_small_bound, so the bound must be the largest
 * squared-error proxy (sum over the children of (sum w y)^2 / sum w) of any
 * two-way partition of the rows. Checked against every partition, enumerated.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "../../src/forest/forest_int.h"

/* The largest proxy over all 2^(m-1) - 1 partitions of rows 0..m-1. */
static double brute_force(const double *w, const double *y, unsigned m)
{
    double best = -INFINITY;
    for (unsigned mask = 1; mask < (1u << m) - 1; mask++) {
        double lw = 0, ls = 0, rw = 0, rs = 0;
        for (unsigned i = 0; i < m; i++) {
            if (mask >> i & 1u) {
                lw += w[i];
                ls += w[i] * y[i];
            } else {
                rw += w[i];
                rs += w[i] * y[i];
            }
        }
        double proxy = ls * ls / lw + rs * rs / rw;
        best = proxy > best ? proxy : best;
    }
    return best;
}

static void test_forest_small_bound_is_the_best_partition(void **state)
{
    (void)state;
    double w[FOREST_BOUND_MAX], v[FOREST_BOUND_MAX], y[FOREST_BOUND_MAX];
    uint16_t ord[FOREST_BOUND_MAX + 3];
    struct fsmall s;
    memset(&s, 0, sizeof s);
    s.w = w;
    s.v = v;
    s.y = y;
    s.ord = ord;
    cip_rng rng;
    cip_rng_init(&rng, 11, 0);
    for (int trial = 0; trial < 20000; trial++) {
        unsigned m = 3 + (unsigned)(cip_rng_uniform(&rng) * (FOREST_BOUND_MAX - 2));
        bool ties = trial % 3 == 0; /* few distinct targets: equal values never split */
        double st[2] = {0, 0};
        for (unsigned i = 0; i < m; i++) {
            w[i] = (double)(1 + (int)(cip_rng_uniform(&rng) * 3.0)); /* bootstrap counts */
            y[i] = ties ? floor(cip_rng_uniform(&rng) * 3.0) : 50.0 * cip_rng_normal(&rng);
            v[i] = w[i] * y[i];
            st[0] += w[i];
            st[1] += v[i];
        }
        /* the node is a range of ord: ids 3.. at positions 3.. (ids increase) */
        for (unsigned i = 0; i < m; i++)
            ord[3 + i] = (uint16_t)i;
        double bound = cipi_forest_small_bound(&s, 3, 3 + m, st);
        double want = brute_force(w, y, m);
        bool all_equal = true;
        for (unsigned i = 1; i < m; i++)
            all_equal = all_equal && y[i] == y[0];
        if (all_equal) { /* no split separates different targets */
            assert_true(bound == -INFINITY);
            continue;
        }
        if (!(fabs(bound - want) <= 1e-9 * fabs(want) + 1e-9))
            fail_msg("trial %d, m=%u: bound %.17g, best partition %.17g", trial, m, bound, want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forest_small_bound_is_the_best_partition),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
