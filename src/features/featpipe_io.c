/* featpipe_io.c - saving and loading fitted feature pipelines
 *
 * Format "cip-featpipe 1" (docs/FEATURES.md): one line per item, a key then
 * space-separated tokens, in a fixed order; doubles as %.17g (exact round
 * trip), strings with bytes <= 0x20, 0x7f and '%' escaped as %XX (the empty
 * string is %00); a last line "crc32 XXXXXXXX" covering every byte before it.
 * The loader checks magic, version, trailer, checksum, every token and then
 * the consistency of the state, so a file it accepts is safe to transform
 * with. Numbers assume the C locale (the library never calls setlocale).
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "features_int.h"

static uint32_t crc32_of(const char *p, size_t n)
{
    uLong c = crc32(0L, Z_NULL, 0);
    while (n > 0) {
        uInt chunk = n > UINT_MAX ? UINT_MAX : (uInt)n;
        c = crc32(c, (const Bytef *)p, chunk);
        p += chunk;
        n -= chunk;
    }
    return (uint32_t)c;
}

/* --- writing ------------------------------------------------------------------------ */

static cip_status put_double(cip_ctx *ctx, struct cipi_buf *b, double v)
{
    return cipi_buf_printf(ctx, b, " %.17g", v);
}

static cip_status put_size(cip_ctx *ctx, struct cipi_buf *b, uint64_t v)
{
    return cipi_buf_printf(ctx, b, " %llu", (unsigned long long)v);
}

static cip_status put_str(cip_ctx *ctx, struct cipi_buf *b, const char *s)
{
    cip_status rc = cipi_buf_putc(ctx, b, ' ');
    if (rc == CIP_OK && *s == '\0')
        rc = cipi_buf_append(ctx, b, "%00", 3);
    for (const unsigned char *c = (const unsigned char *)s; rc == CIP_OK && *c; c++) {
        if (*c <= 0x20 || *c == 0x7f || *c == '%')
            rc = cipi_buf_printf(ctx, b, "%%%02X", *c);
        else
            rc = cipi_buf_putc(ctx, b, (char)*c);
    }
    return rc;
}

static cip_status put_strv(cip_ctx *ctx, struct cipi_buf *b, char *const *v, size_t n)
{
    cip_status rc = CIP_OK;
    for (size_t k = 0; rc == CIP_OK && k < n; k++)
        rc = put_str(ctx, b, v[k]);
    return rc;
}

static cip_status put_bins(cip_ctx *ctx, struct cipi_buf *b, const char *key,
                           const struct feat_bins *bins)
{
    cip_status rc = cipi_buf_printf(ctx, b, "%s", key);
    if (rc == CIP_OK)
        rc = put_size(ctx, b, bins->n);
    for (size_t k = 0; rc == CIP_OK && k <= bins->n; k++)
        rc = put_double(ctx, b, bins->edges[k]);
    if (rc == CIP_OK)
        rc = put_strv(ctx, b, bins->labels, bins->n);
    return rc == CIP_OK ? cipi_buf_putc(ctx, b, '\n') : rc;
}

static cip_status put_ecdf(cip_ctx *ctx, struct cipi_buf *b, const char *key,
                           const struct feat_ecdf *e)
{
    cip_status rc = cipi_buf_printf(ctx, b, "%s", key);
    if (rc == CIP_OK)
        rc = put_size(ctx, b, e->n_uniq);
    for (size_t k = 0; rc == CIP_OK && k < e->n_uniq; k++) {
        rc = put_double(ctx, b, e->vals[k]);
        if (rc == CIP_OK)
            rc = put_size(ctx, b, e->cnt[k]);
    }
    return rc == CIP_OK ? cipi_buf_putc(ctx, b, '\n') : rc;
}

static cip_status put_params(cip_ctx *ctx, struct cipi_buf *b, const struct feat_cfg *c)
{
    cip_status rc =
        cipi_buf_printf(ctx, b, "%s %d\nparams.region_map", FEAT_FILE_MAGIC, FEAT_FILE_VERSION);
    if (rc == CIP_OK)
        rc = put_size(ctx, b, c->n_region_map);
    for (size_t k = 0; rc == CIP_OK && k < c->n_region_map; k++) {
        rc = put_str(ctx, b, c->region_from[k]);
        if (rc == CIP_OK)
            rc = put_str(ctx, b, c->region_to[k]);
    }
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, b, "\nparams.allow_unknown_region %d\n", c->allow_unknown_region);
    if (rc == CIP_OK)
        rc = put_bins(ctx, b, "params.age_bins", &c->age);
    if (rc == CIP_OK)
        rc = put_bins(ctx, b, "params.income_bins", &c->income);
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, b,
                             "params.flag_quantile %.17g\nparams.value_weights %.17g %.17g "
                             "%.17g\nparams.churn_weights %.17g %.17g\nparams.frequency_bins",
                             c->flag_quantile, c->value_w[0], c->value_w[1], c->value_w[2],
                             c->churn_w[0], c->churn_w[1]);
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, b, " %zu %d", c->n_freq, c->freq_ties);
    if (rc == CIP_OK)
        rc = put_strv(ctx, b, c->freq_labels, c->n_freq);
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, b,
                             "\nparams.growth_range %.17g %.17g\nparams.churn_label %.17g %d\n",
                             c->growth_lo, c->growth_hi, c->churn_q, c->churn_decimals);
    return rc;
}

static cip_status put_fit(cip_ctx *ctx, struct cipi_buf *b, const cip_featpipe *p)
{
    cip_status rc = cipi_buf_printf(ctx, b, "fit.rows %zu\nfit.inputs %zu", p->n_fit, p->n_inputs);
    if (rc == CIP_OK)
        rc = put_strv(ctx, b, p->input_names, p->n_inputs);
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, b,
                             "\nfit.minmax %.17g %.17g %.17g %.17g %.17g %.17g\n"
                             "fit.flag_thresholds %.17g %.17g %.17g\nfit.frequency_edges %zu",
                             p->mm_min[0], p->mm_max[0], p->mm_min[1], p->mm_max[1], p->mm_min[2],
                             p->mm_max[2], p->q_flag[0], p->q_flag[1], p->q_flag[2],
                             p->cfg.n_freq + 1);
    for (size_t k = 0; rc == CIP_OK && k <= p->cfg.n_freq; k++)
        rc = put_double(ctx, b, p->freq_edges[k]);
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, b, "\nfit.growth %.17g %.17g\nfit.regions %zu", p->g_min,
                             p->g_max, p->n_regions);
    if (rc == CIP_OK)
        rc = put_strv(ctx, b, p->regions, p->n_regions);
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, b, "\nfit.churn_threshold %.17g\n", p->churn_thr);
    if (rc == CIP_OK)
        rc = put_ecdf(ctx, b, "fit.ecdf.income", &p->income_ecdf);
    if (rc == CIP_OK)
        rc = put_ecdf(ctx, b, "fit.ecdf.spending", &p->spend_ecdf);
    for (size_t g = 0; rc == CIP_OK && g < p->n_age_ecdf; g++)
        rc = put_ecdf(ctx, b, "fit.ecdf.age", &p->age_ecdf[g]);
    return rc;
}

cip_status cip_featpipe_save_mem(cip_ctx *ctx, const cip_featpipe *p, char **out, size_t *out_len)
{
    if (out == NULL || out_len == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "cip_featpipe_save_mem: NULL output");
    *out = NULL;
    *out_len = 0;
    if (p == NULL || p->magic != FEAT_MAGIC)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "cip_featpipe_save: NULL or freed pipeline");
    struct cipi_buf b;
    cipi_buf_init(&b, ctx, 0);
    cip_status rc = put_params(ctx, &b, &p->cfg);
    if (rc == CIP_OK)
        rc = put_fit(ctx, &b, p);
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, &b, "crc32 %08x\n", (unsigned)crc32_of(b.data, b.len));
    if (rc != CIP_OK) {
        cipi_buf_release(&b);
        return rc;
    }
    *out = cipi_buf_detach(&b, out_len);
    return CIP_OK;
}

void cip_featpipe_buf_free(cip_ctx *ctx, char *buf)
{
    cipi_free(ctx, buf);
}

cip_status cip_featpipe_save(cip_ctx *ctx, const cip_featpipe *p, const char *path)
{
    char *data = NULL;
    size_t len = 0;
    cip_status rc = cip_featpipe_save_mem(ctx, p, &data, &len);
    if (rc == CIP_OK)
        rc = cipi_write_file_atomic(ctx, path, data, len);
    cipi_free(ctx, data);
    return rc;
}
