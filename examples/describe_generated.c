/* describe_generated.c - example: generate customers, write CSV, read back, describe
 *
 * Uses only <cip/cip.h>. Shows the error convention: every call returns a
 * cip_status and the message is on the context. Built and run by ctest.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>

#include <cip/cip.h>

int main(void)
{
    cip_ctx *ctx = NULL;
    cip_frame *gen = NULL, *back = NULL;
    cip_summary *sum = NULL;
    if (cip_ctx_new(&ctx) != CIP_OK)
        return 1;
    cip_synth_params sp;
    cip_synth_params_default(&sp);
    sp.n_customers = 5000;
    sp.seed = 11;
    cip_status rc = cip_synth_customers(ctx, &sp, &gen);
    if (rc == CIP_OK)
        rc = cip_frame_write_csv(ctx, gen, "example_customers.csv", NULL);
    if (rc == CIP_OK)
        rc = cip_frame_read_csv(ctx, "example_customers.csv", NULL, &back);
    if (rc == CIP_OK)
        rc = cip_frame_describe(ctx, back, NULL, &sum);
    int ret = 0;
    if (rc != CIP_OK) {
        fprintf(stderr, "error: %s\n", cip_ctx_errmsg(ctx));
        ret = 1;
    } else {
        printf("%zu rows, %zu columns\n", cip_summary_n_rows(sum), cip_summary_n_cols(sum));
        for (size_t j = 0; j < cip_summary_n_cols(sum); j++) {
            const cip_col_summary *c = cip_summary_col(sum, j);
            printf("%-20s %-8s mean %10.3f  min %10.3f  max %10.3f\n", c->name,
                   cip_type_name(c->type), c->mean, c->min, c->max);
        }
        /* a missing column gives a clear message, not a crash */
        size_t j;
        if (cip_frame_find(ctx, back, "no_such_column", &j) != CIP_ERR_NOT_FOUND)
            ret = 1;
        printf("lookup of a missing column: %s\n", cip_ctx_errmsg(ctx));
    }
    remove("example_customers.csv");
    cip_summary_free(sum);
    cip_frame_free(back);
    cip_frame_free(gen);
    cip_ctx_free(ctx);
    return ret;
}
