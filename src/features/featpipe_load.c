/* featpipe_load.c - reading "cip-featpipe 1" files (see featpipe_io.c)
 *
 * A strict reader: the keys come in a fixed order, every line has exactly
 * the tokens it announces, counts are bounded by the bytes left before
 * anything is allocated, and the loaded state is checked for consistency
 * (sorted tables, counts summing to the fitted row count, valid params), so
 * corrupted or hostile files fail with CIP_ERR_PARSE instead of producing a
 * pipeline that misbehaves later. Fuzzed by fuzz/fuzz_featpipe_load.c.
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

struct rd {
    cip_ctx *ctx;
    const char *name; /* for messages */
    const char *p;    /* cursor */
    const char *end;  /* end of the body (start of the crc line) */
    size_t line;      /* 1-based line of the cursor */
};

static cip_status rd_fail(struct rd *r, const char *what)
{
    cipi_fail(r->ctx, CIP_ERR_PARSE, "%s:%zu: invalid feature pipeline file: %s", r->name, r->line,
              what);
    return CIP_ERR_PARSE;
}

/* Next space-separated token of the current line: [*s, *s + *len). */
static cip_status rd_tok(struct rd *r, const char **s, size_t *len)
{
    if (r->p < r->end && *r->p == ' ')
        r->p++;
    const char *b = r->p;
    while (r->p < r->end && *r->p != ' ' && *r->p != '\n') {
        unsigned char c = (unsigned char)*r->p;
        if (c < 0x20 || c == 0x7f)
            return rd_fail(r, "control character in a value");
        r->p++;
    }
    if (r->p == b)
        return rd_fail(r, "a value is missing");
    *s = b;
    *len = (size_t)(r->p - b);
    return CIP_OK;
}

static cip_status rd_eol(struct rd *r)
{
    if (r->p >= r->end || *r->p != '\n')
        return rd_fail(r, "unexpected extra values at the end of the line");
    r->p++;
    r->line++;
    return CIP_OK;
}

static cip_status rd_key(struct rd *r, const char *key)
{
    const char *s;
    size_t len;
    cip_status rc = rd_tok(r, &s, &len);
    if (rc == CIP_OK && (len != strlen(key) || memcmp(s, key, len) != 0))
        return cipi_fail(r->ctx, CIP_ERR_PARSE,
                         "%s:%zu: invalid feature pipeline file: "
                         "expected '%s'",
                         r->name, r->line, key);
    return rc;
}

static cip_status rd_double(struct rd *r, double *v)
{
    const char *s;
    size_t len;
    char tmp[64];
    cip_status rc = rd_tok(r, &s, &len);
    if (rc != CIP_OK)
        return rc;
    if (len >= sizeof tmp)
        return rd_fail(r, "number too long");
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    char *e;
    errno = 0;
    *v = strtod(tmp, &e);
    if (*e != '\0' || e == tmp || isnan(*v))
        return rd_fail(r, "bad number");
    return CIP_OK;
}

static cip_status rd_u64(struct rd *r, uint64_t max, uint64_t *v)
{
    const char *s;
    size_t len;
    cip_status rc = rd_tok(r, &s, &len);
    if (rc != CIP_OK)
        return rc;
    uint64_t x = 0;
    for (size_t k = 0; k < len; k++) {
        if (s[k] < '0' || s[k] > '9' || x > (UINT64_MAX - 9) / 10)
            return rd_fail(r, "bad count");
        x = x * 10 + (uint64_t)(s[k] - '0');
    }
    if (x > max)
        return rd_fail(r, "count out of range");
    *v = x;
    return CIP_OK;
}

/* A count of items that each need at least `per` more bytes of input. */
static cip_status rd_count(struct rd *r, size_t per, size_t *n)
{
    uint64_t v = 0;
    cip_status rc = rd_u64(r, (uint64_t)(r->end - r->p) / per, &v);
    *n = (size_t)v;
    return rc;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static cip_status rd_str(struct rd *r, char **out)
{
    const char *s;
    size_t len, o = 0;
    cip_status rc = rd_tok(r, &s, &len);
    if (rc != CIP_OK)
        return rc;
    if (len == 3 && memcmp(s, "%00", 3) == 0)
        len = 0;
    char *d = cipi_malloc(r->ctx, len + 1);
    if (d == NULL)
        return CIP_ERR_NOMEM;
    for (size_t k = 0; k < len; k++) {
        if (s[k] != '%') {
            d[o++] = s[k];
            continue;
        }
        int hi = k + 2 < len ? hexval(s[k + 1]) : -1, lo = hi >= 0 ? hexval(s[k + 2]) : -1;
        if (lo < 0 || (hi == 0 && lo == 0)) {
            cipi_free(r->ctx, d);
            return rd_fail(r, "bad %XX escape in a string");
        }
        d[o++] = (char)(hi * 16 + lo);
        k += 2;
    }
    d[o] = '\0';
    *out = d;
    return CIP_OK;
}

static cip_status rd_strv(struct rd *r, size_t n, char ***out)
{
    *out = cipi_calloc(r->ctx, n ? n : 1, sizeof **out);
    if (*out == NULL)
        return CIP_ERR_NOMEM;
    cip_status rc = CIP_OK;
    for (size_t k = 0; rc == CIP_OK && k < n; k++)
        rc = rd_str(r, &(*out)[k]);
    return rc; /* the caller frees the (partial) vector */
}

static cip_status rd_doubles(struct rd *r, size_t n, double **out)
{
    *out = cipi_mallocarray(r->ctx, n ? n : 1, sizeof **out);
    if (*out == NULL)
        return CIP_ERR_NOMEM;
    cip_status rc = CIP_OK;
    for (size_t k = 0; rc == CIP_OK && k < n; k++)
        rc = rd_double(r, &(*out)[k]);
    return rc;
}

/* --- sections ------------------------------------------------------------------------ */

static cip_status rd_bins(struct rd *r, const char *key, struct feat_bins *b)
{
    size_t n = 0;
    cip_status rc = rd_key(r, key);
    if (rc == CIP_OK)
        rc = rd_count(r, 4, &n);
    if (rc == CIP_OK && (n < 1 || n > FEAT_MAX_BINS))
        rc = rd_fail(r, "bad number of bins");
    if (rc != CIP_OK)
        return rc;
    b->n = n;
    rc = rd_doubles(r, n + 1, &b->edges);
    if (rc == CIP_OK)
        rc = rd_strv(r, n, &b->labels);
    return rc == CIP_OK ? rd_eol(r) : rc;
}

static cip_status rd_line_doubles(struct rd *r, const char *key, double *v, size_t n)
{
    cip_status rc = rd_key(r, key);
    for (size_t k = 0; rc == CIP_OK && k < n; k++)
        rc = rd_double(r, &v[k]);
    return rc == CIP_OK ? rd_eol(r) : rc;
}

static cip_status rd_region_map(struct rd *r, struct feat_cfg *c)
{
    size_t n = 0;
    cip_status rc = rd_key(r, "params.region_map");
    if (rc == CIP_OK)
        rc = rd_count(r, 4, &n);
    if (rc != CIP_OK)
        return rc;
    c->region_from = cipi_calloc(r->ctx, n ? n : 1, sizeof *c->region_from);
    c->region_to = cipi_calloc(r->ctx, n ? n : 1, sizeof *c->region_to);
    if (c->region_from == NULL || c->region_to == NULL)
        return CIP_ERR_NOMEM;
    c->n_region_map = n;
    for (size_t k = 0; rc == CIP_OK && k < n; k++) {
        rc = rd_str(r, &c->region_from[k]);
        if (rc == CIP_OK)
            rc = rd_str(r, &c->region_to[k]);
    }
    return rc == CIP_OK ? rd_eol(r) : rc;
}

static cip_status rd_params(struct rd *r, struct feat_cfg *c)
{
    uint64_t u = 0;
    double d[3] = {0, 0, 0};
    cip_status rc = rd_region_map(r, c);
    if (rc == CIP_OK)
        rc = rd_key(r, "params.allow_unknown_region");
    if (rc == CIP_OK && (rc = rd_u64(r, 1, &u)) == CIP_OK)
        rc = rd_eol(r);
    c->allow_unknown_region = (int)u;
    if (rc == CIP_OK)
        rc = rd_bins(r, "params.age_bins", &c->age);
    if (rc == CIP_OK)
        rc = rd_bins(r, "params.income_bins", &c->income);
    if (rc == CIP_OK)
        rc = rd_line_doubles(r, "params.flag_quantile", &c->flag_quantile, 1);
    if (rc == CIP_OK)
        rc = rd_line_doubles(r, "params.value_weights", c->value_w, 3);
    if (rc == CIP_OK)
        rc = rd_line_doubles(r, "params.churn_weights", c->churn_w, 2);
    if (rc == CIP_OK)
        rc = rd_key(r, "params.frequency_bins");
    if (rc == CIP_OK)
        rc = rd_count(r, 2, &c->n_freq);
    if (rc == CIP_OK && (c->n_freq < 1 || c->n_freq > FEAT_MAX_BINS))
        rc = rd_fail(r, "bad number of frequency bins");
    if (rc == CIP_OK && (rc = rd_u64(r, 1, &u)) == CIP_OK)
        c->freq_ties = (int)u;
    if (rc == CIP_OK)
        rc = rd_strv(r, c->n_freq, &c->freq_labels);
    if (rc == CIP_OK)
        rc = rd_eol(r);
    if (rc == CIP_OK)
        rc = rd_line_doubles(r, "params.growth_range", d, 2);
    c->growth_lo = d[0];
    c->growth_hi = d[1];
    if (rc == CIP_OK)
        rc = rd_line_doubles(r, "params.churn_label", d, 2);
    if (rc != CIP_OK)
        return rc;
    c->churn_q = d[0];
    if (d[1] != floor(d[1]) || d[1] < -1 || d[1] > 15)
        return rd_fail(r, "bad churn label decimals");
    c->churn_decimals = (int)d[1];
    return CIP_OK;
}

static cip_status rd_ecdf(struct rd *r, const char *key, struct feat_ecdf *e)
{
    size_t n = 0;
    cip_status rc = rd_key(r, key);
    if (rc == CIP_OK)
        rc = rd_count(r, 4, &n);
    if (rc != CIP_OK)
        return rc;
    size_t m = n ? n : 1;
    e->vals = cipi_mallocarray(r->ctx, m, sizeof *e->vals);
    e->cnt = cipi_mallocarray(r->ctx, m, sizeof *e->cnt);
    e->less = cipi_mallocarray(r->ctx, m, sizeof *e->less);
    if (e->vals == NULL || e->cnt == NULL || e->less == NULL)
        return CIP_ERR_NOMEM;
    e->n_uniq = n;
    for (size_t k = 0; rc == CIP_OK && k < n; k++) {
        rc = rd_double(r, &e->vals[k]);
        if (rc == CIP_OK)
            rc = rd_u64(r, UINT64_C(1) << 53, &e->cnt[k]);
        if (rc == CIP_OK && (!isfinite(e->vals[k]) || (k > 0 && !(e->vals[k] > e->vals[k - 1]))))
            rc = rd_fail(r, "fitted values are not finite and strictly increasing");
    }
    if (rc == CIP_OK && !cipi_feat_ecdf_finish(e))
        rc = rd_fail(r, "bad counts of fitted values");
    return rc == CIP_OK ? rd_eol(r) : rc;
}

static cip_status rd_fit_scalars(struct rd *r, cip_featpipe *p)
{
    uint64_t rows;
    double mm[6], g[2] = {0, 0};
    cip_status rc = rd_key(r, "fit.rows");
    if (rc == CIP_OK)
        rc = rd_u64(r, UINT64_C(1) << 53, &rows);
    if (rc == CIP_OK && rows == 0)
        rc = rd_fail(r, "no fitted rows");
    if (rc == CIP_OK)
        rc = rd_eol(r);
    if (rc != CIP_OK)
        return rc;
    p->n_fit = (size_t)rows;
    rc = rd_key(r, "fit.inputs");
    if (rc == CIP_OK)
        rc = rd_count(r, 2, &p->n_inputs);
    if (rc == CIP_OK)
        rc = rd_strv(r, p->n_inputs, &p->input_names);
    if (rc == CIP_OK)
        rc = rd_eol(r);
    if (rc == CIP_OK)
        rc = rd_line_doubles(r, "fit.minmax", mm, 6);
    if (rc == CIP_OK)
        rc = rd_line_doubles(r, "fit.flag_thresholds", p->q_flag, 3);
    if (rc != CIP_OK)
        return rc;
    for (size_t c = 0; c < 3; c++) {
        p->mm_min[c] = mm[2 * c];
        p->mm_max[c] = mm[2 * c + 1];
        if (!isfinite(p->mm_min[c]) || !isfinite(p->mm_max[c]) || p->mm_min[c] > p->mm_max[c] ||
            !isfinite(p->q_flag[c]))
            return rd_fail(r, "bad fitted ranges or thresholds");
    }
    size_t n_edges = 0;
    rc = rd_key(r, "fit.frequency_edges");
    if (rc == CIP_OK)
        rc = rd_count(r, 2, &n_edges);
    if (rc == CIP_OK && n_edges != p->cfg.n_freq + 1)
        rc = rd_fail(r, "wrong number of frequency edges");
    if (rc == CIP_OK)
        rc = rd_doubles(r, n_edges, &p->freq_edges);
    if (rc == CIP_OK)
        rc = rd_eol(r);
    for (size_t k = 0; rc == CIP_OK && k < n_edges; k++) {
        bool bad = !isfinite(p->freq_edges[k]);
        if (k > 0)
            bad = bad || p->freq_edges[k] < p->freq_edges[k - 1] ||
                  (p->freq_edges[k] == p->freq_edges[k - 1] &&
                   p->cfg.freq_ties == CIP_FEATPIPE_TIES_ERROR);
        if (bad)
            rc = rd_fail(r, "frequency edges are not finite and increasing");
    }
    if (rc == CIP_OK)
        rc = rd_line_doubles(r, "fit.growth", g, 2);
    if (rc == CIP_OK && (!isfinite(g[0]) || !isfinite(g[1]) || g[0] > g[1]))
        rc = rd_fail(r, "bad growth range");
    p->g_min = g[0];
    p->g_max = g[1];
    return rc;
}

static cip_status rd_fit_tables(struct rd *r, cip_featpipe *p)
{
    size_t n = 0;
    cip_status rc = rd_key(r, "fit.regions");
    if (rc == CIP_OK)
        rc = rd_count(r, 2, &n);
    if (rc == CIP_OK && n == 0)
        rc = rd_fail(r, "no regions");
    if (rc == CIP_OK)
        rc = rd_strv(r, n, &p->regions);
    if (p->regions != NULL)
        p->n_regions = n;
    for (size_t k = 0; rc == CIP_OK && k < n; k++)
        if (p->regions[k][0] == '\0' || (k > 0 && strcmp(p->regions[k - 1], p->regions[k]) >= 0))
            rc = rd_fail(r, "regions are not distinct, non-empty and sorted");
    if (rc == CIP_OK)
        rc = rd_eol(r);
    if (rc == CIP_OK)
        rc = rd_line_doubles(r, "fit.churn_threshold", &p->churn_thr, 1);
    if (rc == CIP_OK)
        rc = rd_ecdf(r, "fit.ecdf.income", &p->income_ecdf);
    if (rc == CIP_OK)
        rc = rd_ecdf(r, "fit.ecdf.spending", &p->spend_ecdf);
    if (rc == CIP_OK && (p->income_ecdf.n != p->n_fit || p->spend_ecdf.n != p->n_fit))
        rc = rd_fail(r, "fitted value counts do not match the fitted rows");
    if (rc != CIP_OK)
        return rc;
    p->age_ecdf = cipi_calloc(r->ctx, p->cfg.age.n, sizeof *p->age_ecdf);
    if (p->age_ecdf == NULL)
        return CIP_ERR_NOMEM;
    p->n_age_ecdf = p->cfg.age.n;
    uint64_t total = 0;
    for (size_t g = 0; rc == CIP_OK && g < p->n_age_ecdf; g++) {
        rc = rd_ecdf(r, "fit.ecdf.age", &p->age_ecdf[g]);
        total += p->age_ecdf[g].n;
        if (rc == CIP_OK && total > p->n_fit)
            rc = rd_fail(r, "age-group counts exceed the fitted rows");
    }
    if (rc == CIP_OK && r->p != r->end)
        rc = rd_fail(r, "unexpected data after the last section");
    return rc;
}

/* Checks magic, version and trailer; sets r to the body. */
static cip_status rd_frame(cip_ctx *ctx, const char *name, const char *data, size_t len,
                           struct rd *r)
{
    size_t ml = strlen(FEAT_FILE_MAGIC) + 1; /* with the space */
    if (len < ml || memcmp(data, FEAT_FILE_MAGIC " ", ml) != 0)
        return cipi_fail(ctx, CIP_ERR_PARSE, "%s: not a cip feature pipeline file (bad magic)",
                         name);
    size_t k = ml;
    uint64_t ver = 0;
    while (k < len && data[k] >= '0' && data[k] <= '9' && ver < 1000000)
        ver = ver * 10 + (uint64_t)(data[k++] - '0');
    if (k == ml || k >= len || data[k] != '\n')
        return cipi_fail(ctx, CIP_ERR_PARSE, "%s:1: bad feature pipeline format version line",
                         name);
    if (ver != FEAT_FILE_VERSION)
        return cipi_fail(ctx, CIP_ERR_PARSE,
                         "%s: unsupported feature pipeline format version %llu (this build "
                         "reads version %d)",
                         name, (unsigned long long)ver, FEAT_FILE_VERSION);
    size_t body = k + 1;
    size_t ls = len - 1; /* start of the last line */
    while (ls > body && data[ls - 1] != '\n')
        ls--;
    static const char crc_key[] = "crc32 ";
    if (data[len - 1] != '\n' || ls < body || len - ls != sizeof crc_key - 1 + 8 + 1 ||
        memcmp(data + ls, crc_key, sizeof crc_key - 1) != 0)
        return cipi_fail(ctx, CIP_ERR_PARSE,
                         "%s: truncated feature pipeline file (no checksum "
                         "line at the end)",
                         name);
    uint32_t want = 0;
    for (size_t i = ls + sizeof crc_key - 1; i < len - 1; i++) {
        char ch = data[i];
        int h = ch >= '0' && ch <= '9' ? ch - '0' : (ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1);
        if (h < 0)
            return cipi_fail(ctx, CIP_ERR_PARSE, "%s: bad checksum line", name);
        want = want * 16 + (uint32_t)h;
    }
    uLong c = crc32(0L, Z_NULL, 0);
    for (size_t off = 0; off < ls;) {
        uInt chunk = ls - off > UINT_MAX ? UINT_MAX : (uInt)(ls - off);
        c = crc32(c, (const Bytef *)data + off, chunk);
        off += chunk;
    }
    if ((uint32_t)c != want)
        return cipi_fail(ctx, CIP_ERR_PARSE,
                         "%s: checksum mismatch: the feature pipeline "
                         "file is corrupted (crc32 %08x, expected %08x)",
                         name, (unsigned)c, (unsigned)want);
    *r = (struct rd){ctx, name, data + body, data + ls, 2};
    return CIP_OK;
}

static cip_status load_named(cip_ctx *ctx, const char *name, const char *data, size_t len,
                             cip_featpipe **out)
{
    struct rd r;
    cip_featpipe *p = NULL;
    cip_featpipe_params view;
    cip_status rc = rd_frame(ctx, name, data, len, &r);
    if (rc == CIP_OK)
        rc = cipi_feat_new(ctx, &p);
    if (rc == CIP_OK)
        rc = rd_params(&r, &p->cfg);
    if (rc == CIP_OK) {
        cipi_feat_cfg_view(&p->cfg, &view);
        if (cip_featpipe_params_check(ctx, &view) != CIP_OK)
            rc = cipi_fail_prefix(ctx, CIP_ERR_PARSE, "%s: invalid feature pipeline params", name);
    }
    if (rc == CIP_OK)
        rc = rd_fit_scalars(&r, p);
    if (rc == CIP_OK)
        rc = rd_fit_tables(&r, p);
    if (rc == CIP_OK)
        rc = cipi_feat_names_build(ctx, p);
    if (rc == CIP_ERR_INVALID)
        rc = cipi_fail_prefix(ctx, CIP_ERR_PARSE, "%s: invalid feature pipeline", name);
    if (rc == CIP_OK) {
        p->magic = FEAT_MAGIC;
        *out = p;
        p = NULL;
    }
    cip_featpipe_free(p);
    return rc;
}

cip_status cip_featpipe_load_mem(cip_ctx *ctx, const char *data, size_t len, cip_featpipe **out)
{
    if (out == NULL || (data == NULL && len > 0))
        return cipi_fail(ctx, CIP_ERR_MISUSE, "cip_featpipe_load_mem: NULL argument");
    *out = NULL;
    return load_named(ctx, "<memory>", data ? data : "", len, out);
}

cip_status cip_featpipe_load(cip_ctx *ctx, const char *path, cip_featpipe **out)
{
    if (out == NULL || path == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "cip_featpipe_load: NULL argument");
    *out = NULL;
    char *data = NULL;
    size_t len = 0;
    cip_status rc = cipi_read_file(ctx, path, FEAT_FILE_LIMIT, &data, &len);
    if (rc == CIP_OK)
        rc = load_named(ctx, path, data, len, out);
    cipi_free(ctx, data);
    return rc;
}
