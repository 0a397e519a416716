/* score_one_customer.c - example: fit the feature pipeline, engineer one new customer
 *
 * Uses only <cip/cip.h>: generate a synthetic customer table, fit the feature
 * pipeline on it, save and reload the fitted state, then transform a single
 * unseen customer without refitting. Built and run by ctest (example.*).
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>

#include <cip/cip.h>

static int fail(cip_ctx *ctx, cip_status rc)
{
    fprintf(stderr, "error: %s (%s)\n", cip_ctx_errmsg(ctx), cip_status_str(rc));
    return 1;
}

int main(void)
{
    cip_ctx *ctx = NULL;
    cip_frame *train = NULL, *one = NULL, *out = NULL;
    cip_featpipe *fp = NULL, *loaded = NULL;
    if (cip_ctx_new(&ctx) != CIP_OK)
        return 1;

    cip_synth_params sp;
    cip_synth_params_default(&sp);
    sp.n_customers = 1000;
    cip_status rc = cip_synth_customers(ctx, &sp, &train);
    if (rc == CIP_OK)
        rc = cip_featpipe_fit(ctx, train, NULL, &fp);
    if (rc == CIP_OK)
        rc = cip_featpipe_save(ctx, fp, "example_pipeline.cfp");
    if (rc == CIP_OK)
        rc = cip_featpipe_load(ctx, "example_pipeline.cfp", &loaded);

    /* one new customer, built column by column */
    const int64_t id = 9001, age = 41, income = 61000, amount = 480, freq = 21;
    const double loyalty = 7.5;
    const char *region[] = {"West"};
    if (rc == CIP_OK)
        rc = cip_frame_new(ctx, 1, &one);
    if (rc == CIP_OK)
        rc = cip_frame_add_i64(ctx, one, "user_id", &id, NULL);
    if (rc == CIP_OK)
        rc = cip_frame_add_i64(ctx, one, "age", &age, NULL);
    if (rc == CIP_OK)
        rc = cip_frame_add_i64(ctx, one, "annual_income", &income, NULL);
    if (rc == CIP_OK)
        rc = cip_frame_add_i64(ctx, one, "purchase_amount", &amount, NULL);
    if (rc == CIP_OK)
        rc = cip_frame_add_f64(ctx, one, "loyalty_score", &loyalty, NULL);
    if (rc == CIP_OK)
        rc = cip_frame_add_strings(ctx, one, "region", region);
    if (rc == CIP_OK)
        rc = cip_frame_add_i64(ctx, one, "purchase_frequency", &freq, NULL);
    if (rc == CIP_OK)
        rc = cip_featpipe_transform(ctx, loaded, one, &out);
    if (rc != CIP_OK) {
        int r = fail(ctx, rc);
        cip_frame_free(train);
        cip_frame_free(one);
        cip_featpipe_free(fp);
        cip_featpipe_free(loaded);
        cip_ctx_free(ctx);
        return r;
    }
    for (size_t j = 0; j < cip_frame_n_cols(out); j++) {
        const char *name = cip_frame_col_name(out, j);
        if (cip_frame_col_type(out, j) == CIP_TYPE_CAT)
            printf("%-24s %s\n", name, cip_frame_level(out, j, cip_frame_codes(out, j)[0]));
        else
            printf("%-24s %.4f\n", name, cip_frame_get(out, j, 0));
    }
    remove("example_pipeline.cfp");
    cip_frame_free(out);
    cip_frame_free(train);
    cip_frame_free(one);
    cip_featpipe_free(fp);
    cip_featpipe_free(loaded);
    cip_ctx_free(ctx);
    return 0;
}
