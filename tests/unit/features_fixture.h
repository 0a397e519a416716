/* features_fixture.h - helpers shared by the feature-pipeline tests (test_features*.c): raw frames
 * from arrays, cell lookups, CSV text, fixtures (header-only) SPDX-License-Identifier: MIT
 */
#ifndef CIP_TEST_FEATURES_FIXTURE_H
#define CIP_TEST_FEATURES_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cip/features.h"
#include "testutil.h"

/* A raw frame from per-column arrays (NULL arrays get a default value). */
struct rows {
    size_t n;
    const int64_t *age, *income, *purchase, *freq;
    const double *loyalty;
    const char *const *region;
};

static inline cip_status mk_raw(cip_ctx *ctx, const struct rows *r, cip_frame **out)
{
    enum { MAXR = 64 };
    int64_t age[MAXR], inc[MAXR], pa[MAXR], fr[MAXR], id[MAXR];
    double loy[MAXR];
    const char *reg[MAXR];
    assert_true(r->n <= MAXR);
    for (size_t i = 0; i < r->n; i++) {
        id[i] = (int64_t)i + 1;
        age[i] = r->age ? r->age[i] : 35;
        inc[i] = r->income ? r->income[i] : 50000 + 1000 * (int64_t)i;
        pa[i] = r->purchase ? r->purchase[i] : 100 + 10 * (int64_t)i;
        fr[i] = r->freq ? r->freq[i] : 10 + (int64_t)i;
        loy[i] = r->loyalty ? r->loyalty[i] : 3.0 + 0.5 * (double)i;
        reg[i] = r->region ? r->region[i] : (i % 2 ? "South" : "North");
    }
    cip_frame *f = NULL;
    cip_status rc = cip_frame_new(ctx, r->n, &f);
    if (rc == CIP_OK)
        rc = cip_frame_add_i64(ctx, f, "user_id", id, NULL);
    if (rc == CIP_OK)
        rc = cip_frame_add_i64(ctx, f, "age", age, NULL);
    if (rc == CIP_OK)
        rc = cip_frame_add_i64(ctx, f, "annual_income", inc, NULL);
    if (rc == CIP_OK)
        rc = cip_frame_add_i64(ctx, f, "purchase_amount", pa, NULL);
    if (rc == CIP_OK)
        rc = cip_frame_add_f64(ctx, f, "loyalty_score", loy, NULL);
    if (rc == CIP_OK)
        rc = cip_frame_add_strings(ctx, f, "region", reg);
    if (rc == CIP_OK)
        rc = cip_frame_add_i64(ctx, f, "purchase_frequency", fr, NULL);
    if (rc != CIP_OK) {
        cip_frame_free(f);
        return rc;
    }
    *out = f;
    return CIP_OK;
}

static inline double num(const cip_frame *f, const char *name, size_t i)
{
    size_t j;
    assert_int_equal(cip_frame_find(NULL, f, name, &j), CIP_OK);
    return cip_frame_get(f, j, i);
}

/* Category label of a cell, NULL when missing. */
static inline const char *cat(const cip_frame *f, const char *name, size_t i)
{
    size_t j;
    assert_int_equal(cip_frame_find(NULL, f, name, &j), CIP_OK);
    assert_int_equal(cip_frame_col_type(f, j), CIP_TYPE_CAT);
    if (cip_frame_is_missing(f, j, i))
        return NULL;
    return cip_frame_level(f, j, cip_frame_codes(f, j)[i]);
}

static inline char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, fp), (size_t)n);
    b[n] = '\0';
    fclose(fp);
    *len = (size_t)n;
    return b;
}

/* The CSV text (%.4f, True/False) of a frame; caller frees. */
static inline char *csv_text(cip_ctx *ctx, const cip_frame *f, size_t *len)
{
    char path[256];
    cipt_write_temp(path, sizeof path, ".csv", "", 0);
    cip_csv_write_opts o;
    cip_csv_write_opts_default(&o);
    o.float_format = "%.4f";
    assert_int_equal(cip_frame_write_csv(ctx, f, path, &o), CIP_OK);
    char *t = slurp(path, len);
    unlink(path);
    return t;
}

static inline cip_frame *read_fixture(cip_ctx *ctx, const char *name)
{
    char path[512];
    cip_frame *f = NULL;
    cipt_data_path(path, sizeof path, name);
    assert_int_equal(cip_frame_read_csv(ctx, path, NULL, &f), CIP_OK);
    return f;
}

/* Fit and transform r with params pp (NULL = defaults). */
static inline void fit_tx(cip_ctx *ctx, const struct rows *r, const cip_featpipe_params *pp,
                          cip_featpipe **p, cip_frame **out)
{
    cip_frame *raw = NULL;
    assert_int_equal(mk_raw(ctx, r, &raw), CIP_OK);
    assert_int_equal(cip_featpipe_fit(ctx, raw, pp, p), CIP_OK);
    assert_int_equal(cip_featpipe_transform(ctx, *p, raw, out), CIP_OK);
    cip_frame_free(raw);
}

#endif /* CIP_TEST_FEATURES_FIXTURE_H */
