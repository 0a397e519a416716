/* rfm.c - recency / frequency / monetary quintile scores and segments
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>

#include "clv_int.h"

const char *cip_clv_segment_name(int seg)
{
    static const char *const names[CIP_RFM_N_SEGMENTS] = {
        "champions", "loyal", "new", "promising", "at-risk", "hibernating", "lost"};
    return seg >= 0 && seg < CIP_RFM_N_SEGMENTS ? names[seg] : "unknown";
}

struct keyed {
    double v;
    size_t i;
};

static int cmp_keyed(const void *pa, const void *pb)
{
    const struct keyed *a = pa, *b = pb;
    if (a->v != b->v)
        return a->v < b->v ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

/* score = 1 + floor(5 (r - 1) / n), r = smallest 1-based rank among ties */
static void quintiles(struct keyed *k, size_t n, uint8_t *out)
{
    qsort(k, n, sizeof *k, cmp_keyed);
    size_t first = 0;
    for (size_t j = 0; j < n; j++) {
        if (j > 0 && k[j].v != k[j - 1].v)
            first = j;
        out[k[j].i] = (uint8_t)(1 + (5 * first) / n);
    }
}

static int segment(int r, int f)
{
    if (r >= 4 && f >= 4)
        return CIP_RFM_CHAMPIONS;
    if (r >= 3 && f >= 3)
        return CIP_RFM_LOYAL;
    if (r >= 4)
        return CIP_RFM_NEW;
    if (r == 3)
        return CIP_RFM_PROMISING;
    if (f >= 3)
        return CIP_RFM_AT_RISK;
    return r == 2 ? CIP_RFM_HIBERNATING : CIP_RFM_LOST;
}

cip_status cip_clv_rfm(cip_ctx *ctx, const cip_clv_summary *s, uint8_t *r, uint8_t *f, uint8_t *m,
                       uint8_t *seg)
{
    size_t n = s->n;
    struct keyed *k = cipi_mallocarray(ctx, n ? n : 1, sizeof *k);
    uint8_t *sc = cipi_mallocarray(ctx, n ? 3 * n : 1, 1);
    if (k == NULL || sc == NULL) {
        cipi_free(ctx, k);
        cipi_free(ctx, sc);
        return CIP_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++)
        k[i] = (struct keyed){-(s->T[i] - s->t_x[i]), i}; /* recent = high */
    quintiles(k, n, sc);
    for (size_t i = 0; i < n; i++)
        k[i] = (struct keyed){s->x[i], i};
    quintiles(k, n, sc + n);
    for (size_t i = 0; i < n; i++)
        k[i] = (struct keyed){s->monetary[i], i};
    quintiles(k, n, sc + 2 * n);
    for (size_t i = 0; i < n; i++) {
        if (r)
            r[i] = sc[i];
        if (f)
            f[i] = sc[n + i];
        if (m)
            m[i] = sc[2 * n + i];
        if (seg)
            seg[i] = (uint8_t)segment(sc[i], sc[n + i]);
    }
    cipi_free(ctx, k);
    cipi_free(ctx, sc);
    return CIP_OK;
}
