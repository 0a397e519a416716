/* fuzz_forest_load.c - libFuzzer target: the forest model file reader
 *
 * Any byte string must load cleanly or fail with CIP_ERR_PARSE (or NOMEM),
 * never crash or leak; a model that loads must predict, and saving is a
 * fixed point: save(load(save(model))) == save(model). Replayed on tests/fuzz-corpus/forest_load by
 * ctest (fuzz-regress.forest_load). SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cip/forest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cip_ctx *ctx = NULL;
    if (cip_ctx_new(&ctx) != CIP_OK)
        return 0;
    cip_ctx_set_threads(ctx, 1);
    cip_forest *f = NULL;
    cip_status rc = cip_forest_load_mem(ctx, "fuzz", data, size, &f);
    if (rc != CIP_OK && rc != CIP_ERR_PARSE && rc != CIP_ERR_NOMEM)
        abort();
    if (rc == CIP_OK) {
        size_t p = cip_forest_n_features(f), k = 0;
        cip_forest_classes(f, &k);
        double *row = calloc(p ? p : 1, sizeof *row), out[256];
        for (size_t j = 0; j < p; j++)
            row[j] = (j % 3 == 0) ? 0.5 * (double)j : (j % 3 == 1 ? -1e300 : 1e300);
        if (cip_forest_predict_row(f, row, out) != CIP_OK)
            abort();
        if (k > 0 && cip_forest_predict_proba_row(f, row, out) != CIP_OK)
            abort();
        char *b1 = NULL, *b2 = NULL;
        size_t l1 = 0, l2 = 0;
        cip_forest *g = NULL;
        if (cip_forest_save_mem(ctx, f, &b1, &l1) == CIP_OK) {
            if (cip_forest_load_mem(ctx, "resaved", b1, l1, &g) != CIP_OK ||
                cip_forest_save_mem(ctx, g, &b2, &l2) != CIP_OK || l1 != l2 ||
                memcmp(b1, b2, l1) != 0)
                abort();
        }
        cip_forest_free(g);
        cip_forest_buf_free(ctx, b1);
        cip_forest_buf_free(ctx, b2);
        free(row);
        cip_forest_free(f);
    }
    cip_ctx_free(ctx);
    return 0;
}
