/* test_forest_hist.c - the forest's histogram builders against row-by-row sums
 *
 * The one-pass builder packs bins into integers when weights (and values)
 * are whole numbers; every path must give, bit for bit, the histograms of
 * adding the rows one by one, in order, into cleared histograms (the split
 * search, the thread-count determinism and the MPI plan rely on it).
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "../../src/forest/forest_int.h"

enum { N = 6000, P = 20, K = 5, NS = 2 };

struct hists {
    uint32_t cnt[K][FOREST_HIST_BINS];
    double st[K][FOREST_HIST_BINS * NS];
    struct fhist h[K];
};

static void hists_init(struct hists *x, const unsigned *n_bins, const int *feats)
{
    memset(x->cnt, 0xA5, sizeof x->cnt); /* not zero: clearing is part of the contract */
    memset(x->st, 0xA5, sizeof x->st);
    for (int i = 0; i < K; i++) {
        x->h[i] = (struct fhist){x->cnt[i], x->st[i]};
        cipi_forest_hist_clear(&x->h[i], n_bins[feats[i]], NS);
    }
}

/* The reference: each row added in order, in plain C, from zero. */
static void reference(struct hists *x, const uint8_t *rm, const uint32_t *idx, const double *w,
                      const double *v, size_t n, const int *feats, const unsigned *n_bins)
{
    memset(x->cnt, 0, sizeof x->cnt);
    memset(x->st, 0, sizeof x->st);
    (void)n_bins;
    for (size_t r = 0; r < n; r++)
        for (int i = 0; i < K; i++) {
            unsigned b = rm[(size_t)idx[r] * P + (size_t)feats[i]];
            x->cnt[i][b]++;
            x->st[i][2 * b] += w[r];
            x->st[i][2 * b + 1] += v[r];
        }
}

static void assert_same(const struct hists *got, const struct hists *want, const int *feats,
                        const unsigned *n_bins, const char *what)
{
    for (int i = 0; i < K; i++)
        for (unsigned b = 0; b < FOREST_HIST_BINS; b++) {
            if (b >= n_bins[feats[i]] && b != FOREST_MISSING_CODE)
                continue; /* bins a feature never uses are not touched */
            if (got->cnt[i][b] != want->cnt[i][b] ||
                memcmp(&got->st[i][2 * b], &want->st[i][2 * b], 2 * sizeof(double)) != 0)
                fail_msg("%s: feature %d bin %u: count %u w %.17g v %.17g, want %u %.17g %.17g",
                         what, feats[i], b, got->cnt[i][b], got->st[i][2 * b],
                         got->st[i][2 * b + 1], want->cnt[i][b], want->st[i][2 * b],
                         want->st[i][2 * b + 1]);
        }
}

/* Weights and values of one case: bootstrap-like whole weights with binary
 * values (classification) or real values (regression), large whole weights,
 * and fractional weights (no packing). */
static void make_rows(int kind, cip_rng *rng, double *w, double *v, size_t n)
{
    for (size_t r = 0; r < n; r++) {
        double y = cip_rng_uniform(rng);
        switch (kind) {
        case 0:
            w[r] = (double)(1 + (int)(cip_rng_uniform(rng) * 4.0));
            v[r] = y < 0.3 ? w[r] : 0.0;
            break;
        case 1:
            w[r] = (double)(1 + (int)(cip_rng_uniform(rng) * 4.0));
            v[r] = w[r] * (100.0 * y - 17.25);
            break;
        case 2:
            w[r] = 1000.0;
            v[r] = y < 0.5 ? 1000.0 : 0.0;
            break;
        default:
            w[r] = 0.25 + cip_rng_uniform(rng);
            v[r] = w[r] * y;
            break;
        }
    }
}

static void test_forest_hist_builders_equal_row_by_row_sums(void **state)
{
    (void)state;
    static const unsigned nb_of[] = {2, 3, 7, 40, 255};
    unsigned n_bins[P];
    uint8_t *rm = malloc((size_t)N * P), *cm = malloc((size_t)N * P), *node = malloc((size_t)N * P);
    uint32_t *idx = malloc(N * sizeof *idx);
    double *w = malloc(N * sizeof *w), *v = malloc(N * sizeof *v);
    struct hists *got = malloc(sizeof *got), *want = malloc(sizeof *want);
    cip_rng rng;
    cip_rng_init(&rng, 5, 0);
    for (int j = 0; j < P; j++)
        n_bins[j] = nb_of[j % 5];
    for (size_t r = 0; r < N; r++)
        for (int j = 0; j < P; j++) {
            unsigned c = (unsigned)(cip_rng_uniform(&rng) * n_bins[j]);
            if (cip_rng_uniform(&rng) < 0.03)
                c = FOREST_MISSING_CODE;
            rm[r * P + (size_t)j] = cm[(size_t)j * N + r] = (uint8_t)c;
        }
    size_t n = N - 1000; /* a node: a shuffled subset of the rows */
    for (size_t r = 0; r < N; r++)
        idx[r] = (uint32_t)r;
    for (size_t r = N - 1; r > 0; r--) {
        size_t q = (size_t)(cip_rng_uniform(&rng) * (double)(r + 1));
        uint32_t t = idx[r];
        idx[r] = idx[q];
        idx[q] = t;
    }
    for (size_t r = 0; r < n; r++) {
        memcpy(node + r * P, rm + (size_t)idx[r] * P, P); /* the node's rows in order */
    }
    const int feats[K] = {17, 0, 3, 9, 11}; /* 2 to 255 bins */
    for (int kind = 0; kind < 4; kind++) {
        make_rows(kind, &rng, w, v, n);
        reference(want, rm, idx, w, v, n, feats, n_bins);
        hists_init(got, n_bins, feats); /* one pass, gathering rows */
        cipi_forest_hist_add_rows(got->h, feats, K, NS, rm, P, idx, w, v, n);
        assert_same(got, want, feats, n_bins, "rows by index");
        hists_init(got, n_bins, feats); /* one pass over rows in node order */
        cipi_forest_hist_add_rows(got->h, feats, K, NS, node, P, NULL, w, v, n);
        assert_same(got, want, feats, n_bins, "rows in order");
        hists_init(got, n_bins, feats); /* one feature at a time from its column */
        for (int i = 0; i < K; i++)
            cipi_forest_hist_add(&got->h[i], NS, cm + (size_t)feats[i] * N, idx, w, v, n);
        assert_same(got, want, feats, n_bins, "columns");
        if (kind == 1)
            continue; /* real values summed per shard from zero: not row order */
        /* a second shard added onto the first: histograms of shards sum */
        hists_init(got, n_bins, feats);
        cipi_forest_hist_add_rows(got->h, feats, K, NS, node, P, NULL, w, v, 2500);
        cipi_forest_hist_add_rows(got->h, feats, K, NS, node + 2500 * P, P, NULL, w + 2500,
                                  v + 2500, n - 2500);
        assert_same(got, want, feats, n_bins, "two shards");
    }
    free(rm);
    free(cm);
    free(node);
    free(idx);
    free(w);
    free(v);
    free(got);
    free(want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forest_hist_builders_equal_row_by_row_sums),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
