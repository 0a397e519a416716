/* live.c - rolling drift sketch for serving: counts per reference bucket behind a mutex
 *
 * Each column keeps the counts of cip_monitor_compare (numeric: per distinct reference
 * quantile value; categorical: per reference level + new levels). A batch is counted
 * without the lock, then merged under it, so concurrent requests only serialise on the
 * merge. With a window, counts are halved whenever the rows since the last halving exceed
 * it (an exponential forgetting of old traffic). Gauges are the PSI of the counts.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "monitor_int.h"

struct live_col {
    const struct mon_col *ref;
    struct mon_numcount nc; /* numeric */
    uint64_t *cc;           /* categorical [k + 1] */
    uint64_t missing;
};

struct cip_drift_live {
    struct cipi_alloc a;
    const cip_refstats *rs;
    size_t window;
    pthread_mutex_t mu;
    size_t n; /* columns (+1 for predictions) */
    struct live_col *cols;
    uint64_t rows, since_decay;
};

void cip_drift_live_free(cip_drift_live *d)
{
    if (d == NULL)
        return;
    for (size_t k = 0; d->cols != NULL && k < d->n; k++)
        cipi_afree(&d->a, d->cols[k].cc);
    cipi_afree(&d->a, d->cols);
    pthread_mutex_destroy(&d->mu);
    cipi_afree(&d->a, d);
}

cip_status cip_drift_live_new(cip_ctx *ctx, const cip_refstats *rs, size_t window,
                              cip_drift_live **out)
{
    *out = NULL;
    cip_drift_live *d = cipi_calloc(ctx, 1, sizeof *d);
    if (d == NULL)
        return CIP_ERR_NOMEM;
    d->a = cipi_ctx_alloc(ctx);
    d->rs = rs;
    d->window = window;
    if (pthread_mutex_init(&d->mu, NULL) != 0) {
        cipi_free(ctx, d);
        return cipi_fail(ctx, CIP_ERR_NOMEM, "cannot create a mutex");
    }
    d->n = rs->n_cols + (rs->has_pred ? 1 : 0);
    d->cols = cipi_calloc(ctx, d->n ? d->n : 1, sizeof *d->cols);
    cip_status rc = d->cols == NULL ? CIP_ERR_NOMEM : CIP_OK;
    for (size_t k = 0; rc == CIP_OK && k < d->n; k++) {
        struct live_col *c = &d->cols[k];
        c->ref = k < rs->n_cols ? &rs->cols[k] : &rs->pred;
        if (c->ref->categorical &&
            (c->cc = cipi_calloc(ctx, c->ref->cat.k + 1, sizeof *c->cc)) == NULL)
            rc = CIP_ERR_NOMEM;
    }
    if (rc != CIP_OK) {
        cip_drift_live_free(d);
        return rc;
    }
    *out = d;
    return CIP_OK;
}

/* Count column j of f into a scratch live_col (cc sized k + 1, zeroed). */
static cip_status count_col(cip_ctx *ctx, const struct mon_col *ref, const cip_frame *f, size_t j,
                            struct live_col *tmp)
{
    size_t n = cip_frame_n_rows(f);
    if (!ref->categorical) {
        if (ref->num.ng > 0)
            cipi_mon_numcount_add(&ref->num, f, j, 0, n, &tmp->nc);
        return CIP_OK;
    }
    uint32_t *map = NULL;
    size_t nmap = 0;
    cip_status rc = cipi_mon_cat_map(ctx, &ref->cat, f, j, &map, &nmap);
    if (rc != CIP_OK)
        return rc;
    const uint32_t *codes = cip_frame_codes(f, j);
    const uint8_t *bv = cip_frame_bool(f, j);
    for (size_t i = 0; i < n; i++) {
        if (cip_frame_is_missing(f, j, i)) {
            tmp->missing++;
            continue;
        }
        size_t code = codes != NULL ? codes[i] : bv[i] != 0;
        tmp->cc[code < nmap ? map[code] : ref->cat.k]++;
    }
    cipi_free(ctx, map);
    return CIP_OK;
}

static void merge(struct live_col *dst, const struct live_col *src)
{
    if (dst->ref->categorical) {
        for (size_t b = 0; b <= dst->ref->cat.k; b++)
            dst->cc[b] += src->cc[b];
        dst->missing += src->missing;
        return;
    }
    for (size_t b = 0; b <= MON_NQ; b++)
        dst->nc.c[b] += src->nc.c[b];
    dst->nc.below += src->nc.below;
    dst->nc.n += src->nc.n;
    dst->nc.n_missing += src->nc.n_missing;
}

static void halve(struct live_col *c)
{
    if (c->ref->categorical) {
        for (size_t b = 0; b <= c->ref->cat.k; b++)
            c->cc[b] /= 2;
        c->missing /= 2;
        return;
    }
    uint64_t n = 0;
    for (size_t b = 0; b <= MON_NQ; b++) {
        c->nc.c[b] /= 2;
        n += c->nc.c[b];
    }
    c->nc.below /= 2;
    c->nc.n = n;
    c->nc.n_missing /= 2;
}

cip_status cip_drift_live_add_frame(cip_ctx *ctx, cip_drift_live *d, const cip_frame *f,
                                    const double *pred)
{
    size_t n = cip_frame_n_rows(f);
    struct live_col *tmp = cipi_calloc(ctx, d->n ? d->n : 1, sizeof *tmp);
    cip_frame *pf = NULL;
    if (tmp == NULL)
        return CIP_ERR_NOMEM;
    cip_status rc = CIP_OK;
    for (size_t k = 0; rc == CIP_OK && k < d->n; k++) {
        const struct mon_col *ref = d->cols[k].ref;
        tmp[k].ref = ref;
        if (ref->categorical &&
            (tmp[k].cc = cipi_calloc(ctx, ref->cat.k + 1, sizeof *tmp[k].cc)) == NULL) {
            rc = CIP_ERR_NOMEM;
            break;
        }
        const cip_frame *src = f;
        size_t j = 0;
        if (k >= d->rs->n_cols) { /* predictions */
            if (pred == NULL)
                continue;
            rc = cipi_mon_pred_frame(ctx, ref->name, pred, n, ref->categorical, &pf);
            src = pf;
        } else if (cip_frame_find(NULL, f, ref->name, &j) != CIP_OK) {
            continue;
        }
        cip_type t = rc == CIP_OK ? cip_frame_col_type(src, j) : CIP_TYPE_INT;
        int cat = t == CIP_TYPE_CAT || t == CIP_TYPE_BOOL;
        if (rc == CIP_OK && cat == ref->categorical)
            rc = count_col(ctx, ref, src, j, &tmp[k]);
    }
    if (rc == CIP_OK) {
        pthread_mutex_lock(&d->mu);
        for (size_t k = 0; k < d->n; k++)
            merge(&d->cols[k], &tmp[k]);
        d->rows += n;
        d->since_decay += n;
        if (d->window > 0 && d->since_decay > d->window) {
            for (size_t k = 0; k < d->n; k++)
                halve(&d->cols[k]);
            d->since_decay = 0;
        }
        pthread_mutex_unlock(&d->mu);
    }
    for (size_t k = 0; k < d->n; k++)
        cipi_free(ctx, tmp[k].cc);
    cipi_free(ctx, tmp);
    cip_frame_free(pf);
    return rc;
}

static double cat_psi(const struct live_col *c)
{
    const struct mon_cat *r = &c->ref->cat;
    size_t k = r->k + 1;
    uint64_t m = 0;
    for (size_t b = 0; b < k; b++)
        m += c->cc[b];
    if (m == 0)
        return MON_NAN;
    double pr[CIP_REFSTATS_MAX_LEVELS + 2], pc[CIP_REFSTATS_MAX_LEVELS + 2];
    for (size_t b = 0; b < k; b++) {
        pr[b] = b < r->k ? r->freq[b] : 0;
        pc[b] = (double)c->cc[b] / (double)m;
    }
    return cip_psi(pr, pc, c->cc[r->k] > 0 ? k : r->k, MON_EPS);
}

size_t cip_drift_live_gauges(cip_drift_live *d, cip_drift_gauge *out, size_t cap)
{
    pthread_mutex_lock(&d->mu);
    for (size_t k = 0; k < d->n && k < cap; k++) {
        const struct live_col *c = &d->cols[k];
        uint64_t n = c->ref->categorical ? 0 : c->nc.n, miss;
        if (c->ref->categorical)
            for (size_t b = 0; b <= c->ref->cat.k; b++)
                n += c->cc[b];
        miss = c->ref->categorical ? c->missing : c->nc.n_missing;
        out[k].name = k < d->rs->n_cols ? c->ref->name : "__prediction__";
        out[k].psi = c->ref->categorical ? cat_psi(c) : cipi_mon_num_psi(&c->ref->num, &c->nc);
        out[k].missing_rate = n + miss > 0 ? (double)miss / (double)(n + miss) : MON_NAN;
        out[k].n = n;
    }
    pthread_mutex_unlock(&d->mu);
    return d->n;
}

cip_status cip_drift_live_prometheus(cip_ctx *ctx, cip_drift_live *d, const char *model, char **out)
{
    cip_drift_gauge *g = cipi_calloc(ctx, d->n ? d->n : 1, sizeof *g);
    if (g == NULL)
        return CIP_ERR_NOMEM;
    size_t n = cip_drift_live_gauges(d, g, d->n);
    struct cipi_buf b;
    cipi_buf_init(&b, ctx, 0);
    cip_status rc = cipi_buf_printf(ctx, &b,
                                    "# HELP cip_drift_psi Population stability index of a "
                                    "feature against the training reference\n"
                                    "# TYPE cip_drift_psi gauge\n");
    for (size_t k = 0; rc == CIP_OK && k < n; k++) {
        char v[40];
        if (isnan(g[k].psi))
            snprintf(v, sizeof v, "NaN");
        else
            cipi_fmt_double(v, sizeof v, g[k].psi);
        rc = cipi_buf_printf(ctx, &b, "cip_drift_psi{model=\"%s\",feature=\"%s\"} %s\n", model,
                             g[k].name, v);
    }
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, &b,
                             "# HELP cip_drift_rows Rows in the live drift sketch\n"
                             "# TYPE cip_drift_rows gauge\ncip_drift_rows{model=\"%s\"} %llu\n",
                             model, (unsigned long long)(n > 0 ? g[0].n : 0));
    if (rc == CIP_OK)
        *out = cipi_buf_detach(&b, NULL);
    cipi_buf_release(&b);
    cipi_free(ctx, g);
    return rc;
}
