/* kmeans_fixture.h - helpers shared by the k-means tests (test_kmeans*.c, header-only): the
 * toy table tests/data/kmeans/toy.csv (3 columns, true and alternative labels) and a ctx
 * with a given thread count
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_TEST_KMEANS_FIXTURE_H
#define CIP_TEST_KMEANS_FIXTURE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "cip/kmeans.h"
#include "testutil.h"

#define TOY_N 60

static double toy[3][TOY_N];

static int32_t toy_truth[TOY_N], toy_alt[TOY_N];

static inline void load_toy(void)
{
    char path[512], line[256];
    FILE *f = fopen(cipt_data_path(path, sizeof path, "kmeans/toy.csv"), "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f));
    for (int i = 0; i < TOY_N; i++) {
        assert_non_null(fgets(line, sizeof line, f));
        char *p = line;
        for (int j = 0; j < 3; j++) {
            toy[j][i] = strtod(p, &p);
            assert_true(*p == ',');
            p++;
        }
        toy_truth[i] = (int32_t)strtol(p, &p, 10);
        toy_alt[i] = (int32_t)strtol(p + 1, &p, 10);
    }
    fclose(f);
}

static inline cip_ctx *new_ctx(int threads)
{
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    cip_ctx_set_threads(ctx, threads);
    return ctx;
}

#endif /* CIP_TEST_KMEANS_FIXTURE_H */
