/* split.c - pipeline stage 3: the one train/test split every supervised model uses
 *
 * Stratified by the churn label (class shares kept; for CLV it is a random
 * split), or, when the audit found duplicate feature vectors straddling the
 * random split, a group split: rows sharing the CLV feature vector or the
 * churn feature vector (connected components of both relations) stay on one
 * side, keeping class shares by each group's majority label.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "pipeline_int.h"

static uint32_t uf_find(uint32_t *parent, uint32_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

/* Union the rows of each group of `feats` (first row of a group = representative). */
static cip_status unite(struct pl_state *s, const char *const *feats, size_t nf, uint32_t *parent,
                        uint32_t *first, uint32_t *gid)
{
    size_t *cols = cipi_mallocarray(s->ctx, nf ? nf : 1, sizeof *cols), ng = 0;
    if (cols == NULL)
        return cipi_nomem(s->ctx);
    cip_status rc = CIP_OK;
    for (size_t k = 0; rc == CIP_OK && k < nf; k++)
        rc = cip_frame_find(s->ctx, s->eng_all, feats[k], &cols[k]);
    if (rc == CIP_OK)
        rc = cip_group_rows(s->ctx, s->eng_all, cols, nf, NULL, gid, &ng);
    cipi_free(s->ctx, cols);
    if (rc != CIP_OK)
        return rc;
    for (size_t g = 0; g < ng; g++)
        first[g] = UINT32_MAX;
    for (size_t i = 0; i < s->n; i++) {
        if (first[gid[i]] == UINT32_MAX) {
            first[gid[i]] = (uint32_t)i;
            continue;
        }
        uint32_t a = uf_find(parent, (uint32_t)i), b = uf_find(parent, first[gid[i]]);
        if (a != b)
            parent[a < b ? b : a] = a < b ? a : b;
    }
    return CIP_OK;
}

static cip_status groups(struct pl_state *s, uint32_t *group)
{
    size_t n = s->n;
    uint32_t *parent = cipi_mallocarray(s->ctx, n, sizeof *parent);
    uint32_t *first = cipi_mallocarray(s->ctx, n, sizeof *first);
    uint32_t *gid = cipi_mallocarray(s->ctx, n, sizeof *gid);
    cip_status rc = parent && first && gid ? CIP_OK : cipi_nomem(s->ctx);
    for (size_t i = 0; rc == CIP_OK && i < n; i++)
        parent[i] = (uint32_t)i;
    if (rc == CIP_OK && s->clv.n_feats > 0)
        rc = unite(s, s->clv.feats, s->clv.n_feats, parent, first, gid);
    if (rc == CIP_OK && s->churn.n_feats > 0)
        rc = unite(s, s->churn.feats, s->churn.n_feats, parent, first, gid);
    if (rc == CIP_OK) { /* dense ids in order of first appearance */
        uint32_t next = 0;
        for (size_t i = 0; i < n; i++)
            first[i] = UINT32_MAX;
        for (size_t i = 0; i < n; i++) {
            uint32_t r = uf_find(parent, (uint32_t)i);
            if (first[r] == UINT32_MAX)
                first[r] = next++;
            group[i] = first[r];
        }
    }
    cipi_free(s->ctx, parent);
    cipi_free(s->ctx, first);
    cipi_free(s->ctx, gid);
    return rc;
}

cip_status cipi_pl_split(struct pl_state *s)
{
    size_t n = s->n;
    uint8_t *lab = cipi_malloc(s->ctx, n ? n : 1);
    double *y = cipi_mallocarray(s->ctx, n ? n : 1, sizeof *y);
    uint32_t *group = s->group ? cipi_mallocarray(s->ctx, n ? n : 1, sizeof *group) : NULL;
    cip_status rc = lab && y && (!s->group || group) ? CIP_OK : cipi_nomem(s->ctx);
    if (rc == CIP_OK)
        rc = cip_featpipe_churn_label(s->ctx, s->fp_all, s->eng_all, lab, n);
    for (size_t i = 0; rc == CIP_OK && i < n; i++)
        y[i] = lab[i];
    if (rc == CIP_OK && s->group)
        rc = groups(s, group);
    cip_split_params sp;
    cip_split_params_default(&sp);
    sp.kind = s->group ? CIP_SPLIT_GROUP : CIP_SPLIT_STRATIFIED;
    sp.test_size = s->p->test_size;
    sp.seed = s->p->seed;
    sp.stratify = 1;
    cip_split_data sd = {.n_rows = n, .y = y, .group = group};
    if (rc == CIP_OK)
        rc = cip_split_make(s->ctx, &sd, &sp, &s->split);
    if (rc == CIP_ERR_INVALID && s->group) { /* too few groups to keep classes: plain groups */
        cip_ctx_clear_error(s->ctx);
        sp.stratify = 0;
        rc = cip_split_make(s->ctx, &sd, &sp, &s->split);
    }
    cipi_free(s->ctx, lab);
    cipi_free(s->ctx, y);
    cipi_free(s->ctx, group);
    if (rc != CIP_OK)
        return rc;
    s->train = cip_split_train(s->split, &s->n_train);
    s->test = cip_split_test(s->split, &s->n_test);
    return CIP_OK;
}
