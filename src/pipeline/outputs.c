/* outputs.c - pipeline stage 7: predictions.csv for every customer
 *
 * Columns: user_id (the table's user_id, customer_id or id column, else the
 * 0-based row number), predicted_clv, churn_probability, churn_prediction
 * (P > 0.5), customer_segment. Columns of a model that was not trained are
 * left out.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "pipeline_int.h"

static cip_status add_id(struct pl_state *s, cip_frame *out, int64_t *tmp)
{
    static const char *const ids[] = {"user_id", "customer_id", "id"};
    size_t j;
    for (size_t k = 0; k < sizeof ids / sizeof ids[0]; k++) {
        if (cip_frame_find(NULL, s->raw, ids[k], &j) != CIP_OK)
            continue;
        const uint8_t *miss = cip_frame_missing(s->raw, j);
        switch (cip_frame_col_type(s->raw, j)) {
        case CIP_TYPE_INT:
            return cip_frame_add_i64(s->ctx, out, "user_id", cip_frame_i64(s->raw, j), miss);
        case CIP_TYPE_CAT: {
            size_t nl = cip_frame_n_levels(s->raw, j);
            const char **lv = cipi_mallocarray(s->ctx, nl ? nl : 1, sizeof *lv);
            if (lv == NULL)
                return cipi_nomem(s->ctx);
            for (size_t l = 0; l < nl; l++)
                lv[l] = cip_frame_level(s->raw, j, (uint32_t)l);
            cip_status rc =
                cip_frame_add_cat(s->ctx, out, "user_id", cip_frame_codes(s->raw, j), lv, nl, miss);
            cipi_free(s->ctx, lv);
            return rc;
        }
        default:
            break;
        }
    }
    for (size_t i = 0; i < s->n; i++)
        tmp[i] = (int64_t)i;
    return cip_frame_add_i64(s->ctx, out, "user_id", tmp, NULL);
}

cip_status cipi_pl_predictions(struct pl_state *s)
{
    cip_ctx *ctx = s->ctx;
    cip_frame *out = NULL;
    int64_t *tmp = cipi_mallocarray(ctx, s->n ? s->n : 1, sizeof *tmp);
    cip_status rc = tmp == NULL ? cipi_nomem(ctx) : cip_frame_new(ctx, s->n, &out);
    if (rc == CIP_OK)
        rc = add_id(s, out, tmp);
    if (rc == CIP_OK && s->clv.present)
        rc = cip_frame_add_f64(ctx, out, "predicted_clv", s->clv.pred_all, NULL);
    if (rc == CIP_OK && s->churn.present) {
        rc = cip_frame_add_f64(ctx, out, "churn_probability", s->churn.pred_all, NULL);
        for (size_t i = 0; i < s->n; i++)
            tmp[i] = s->churn.pred_all[i] > 0.5;
        if (rc == CIP_OK)
            rc = cip_frame_add_i64(ctx, out, "churn_prediction", tmp, NULL);
    }
    if (rc == CIP_OK && s->seg.present) {
        for (size_t i = 0; i < s->n; i++)
            tmp[i] = s->seg.labels[i];
        rc = cip_frame_add_i64(ctx, out, "customer_segment", tmp, NULL);
    }
    if (rc == CIP_OK)
        rc = cip_frame_write_csv(ctx, out, s->dir_predictions, NULL);
    cip_frame_free(out);
    cipi_free(ctx, tmp);
    return rc;
}
