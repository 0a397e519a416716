/* kmeans_load.c - strict reader of the k-means model file (see kmeans_io.c)
 *
 * Order of checks: magic, major version, the CRC-32 trailer (so truncation
 * and corruption are reported as such before any field is trusted), then
 * every line in its fixed order with range checks. Any failure is
 * CIP_ERR_PARSE naming path:line; nothing is allocated beyond what the
 * declared sizes (bounded by KM_MAX_DIM) need.
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "kmeans_int.h"

#define KM_FILE_MAGIC "CIPKMEANS"
#define KM_FILE_LIMIT ((size_t)256 << 20)
#define KM_MAX_DIM    ((uint64_t)1 << 24)

struct reader {
    cip_ctx *ctx;
    const char *name; /* for messages */
    const char *p;    /* next unread byte */
    const char *end;  /* end of the checked body (start of the crc line) */
    size_t line;      /* 1-based number of the current line */
    const char *ls;   /* current line */
    size_t len;       /* its length without '\n' */
};

static cip_status bad(struct reader *r, const char *what)
{
    return cipi_fail(r->ctx, CIP_ERR_PARSE, "%s:%zu: %s", r->name, r->line, what);
}

static cip_status next_line(struct reader *r)
{
    if (r->p >= r->end)
        return cipi_fail(r->ctx, CIP_ERR_PARSE, "%s:%zu: unexpected end of model", r->name,
                         r->line + 1);
    const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
    if (nl == NULL)
        nl = r->end;
    r->ls = r->p;
    r->len = (size_t)(nl - r->p);
    r->p = nl + 1;
    r->line++;
    if (memchr(r->ls, '\0', r->len) != NULL)
        return bad(r, "NUL byte in line");
    return CIP_OK;
}

/* Next line must be "key" or "key <rest>"; *rest points after the space. */
static cip_status expect(struct reader *r, const char *key, const char **rest, size_t *rest_len)
{
    cip_status rc = next_line(r);
    if (rc != CIP_OK)
        return rc;
    size_t kl = strlen(key);
    if (r->len < kl || memcmp(r->ls, key, kl) != 0 || (r->len > kl && r->ls[kl] != ' ')) {
        return cipi_fail(r->ctx, CIP_ERR_PARSE, "%s:%zu: expected '%s'", r->name, r->line, key);
    }
    *rest = r->len > kl ? r->ls + kl + 1 : r->ls + r->len;
    *rest_len = r->len > kl ? r->len - kl - 1 : 0;
    return CIP_OK;
}

/* Parse an unsigned integer from s (bounded by lim); *s advances. */
static int parse_u64(const char **s, const char *lim, uint64_t *out)
{
    const char *q = *s;
    uint64_t v = 0;
    if (q >= lim || *q < '0' || *q > '9')
        return 0;
    for (; q < lim && *q >= '0' && *q <= '9'; q++) {
        if (v > (UINT64_MAX - (uint64_t)(*q - '0')) / 10)
            return 0;
        v = v * 10 + (uint64_t)(*q - '0');
    }
    *s = q;
    *out = v;
    return 1;
}

static int parse_double(const char **s, const char *lim, double *out)
{
    char tmp[64];
    size_t n = 0;
    while (*s + n < lim && (*s)[n] != ' ' && n < sizeof tmp - 1)
        n++;
    if (n == 0 || n >= sizeof tmp - 1)
        return 0;
    memcpy(tmp, *s, n);
    tmp[n] = '\0';
    char *e;
    errno = 0;
    double v = strtod(tmp, &e);
    if (*e != '\0' || !isfinite(v))
        return 0;
    *s += n;
    *out = v;
    return 1;
}

static cip_status read_uint(struct reader *r, const char *key, uint64_t max, uint64_t *out)
{
    const char *s;
    size_t n;
    cip_status rc = expect(r, key, &s, &n);
    if (rc != CIP_OK)
        return rc;
    const char *lim = s + n;
    if (!parse_u64(&s, lim, out) || s != lim || *out > max)
        return cipi_fail(r->ctx, CIP_ERR_PARSE, "%s:%zu: bad value for '%s'", r->name, r->line,
                         key);
    return CIP_OK;
}

static cip_status read_doubles(struct reader *r, const char *key, double *v, size_t n)
{
    const char *s;
    size_t len;
    cip_status rc = expect(r, key, &s, &len);
    if (rc != CIP_OK)
        return rc;
    const char *lim = s + len;
    for (size_t j = 0; j < n; j++) {
        if (j > 0 && (s >= lim || *s++ != ' '))
            return bad(r, "too few values");
        if (!parse_double(&s, lim, &v[j]))
            return cipi_fail(r->ctx, CIP_ERR_PARSE, "%s:%zu: bad number in '%s' (value %zu)",
                             r->name, r->line, key, j + 1);
    }
    return s == lim ? CIP_OK : bad(r, "too many values");
}

/* Header fields into km->params and friends; returns k and d via the model. */
static cip_status read_header(struct reader *r, cip_kmeans_params *p, uint64_t *k, uint64_t *d,
                              uint64_t v[6], double *inertia)
{
    const char *s;
    size_t n;
    cip_status rc = expect(r, "algorithm", &s, &n);
    if (rc != CIP_OK)
        return rc;
    if (n == 5 && memcmp(s, "lloyd", 5) == 0)
        p->algorithm = CIP_KMEANS_LLOYD;
    else if (n == 5 && memcmp(s, "elkan", 5) == 0)
        p->algorithm = CIP_KMEANS_ELKAN;
    else
        return bad(r, "unknown algorithm");
    uint64_t seed;
    if ((rc = read_uint(r, "n_clusters", KM_MAX_DIM, k)) != CIP_OK ||
        (rc = read_uint(r, "n_features", KM_MAX_DIM, d)) != CIP_OK ||
        (rc = read_uint(r, "n_init", INT32_MAX, &v[0])) != CIP_OK ||
        (rc = read_uint(r, "max_iter", INT32_MAX, &v[1])) != CIP_OK ||
        (rc = read_doubles(r, "tol", &p->tol, 1)) != CIP_OK ||
        (rc = read_uint(r, "seed", UINT64_MAX, &seed)) != CIP_OK ||
        (rc = read_uint(r, "standardize", 1, &v[2])) != CIP_OK ||
        (rc = read_uint(r, "n_train_rows", UINT64_MAX, &v[3])) != CIP_OK ||
        (rc = read_uint(r, "n_iter", INT32_MAX, &v[4])) != CIP_OK ||
        (rc = read_doubles(r, "inertia", inertia, 1)) != CIP_OK ||
        (rc = read_uint(r, "names", 1, &v[5])) != CIP_OK)
        return rc;
    if (*k == 0 || *d == 0 || *k * *d > KM_MAX_DIM)
        return bad(r, "n_clusters and n_features must be >= 1 with a product <= 2^24");
    /* Each centre value takes at least two bytes ("0 "): refuse sizes the
     * rest of the file cannot hold before allocating anything for them. */
    if (*k * (*d + 1) * 2 > (uint64_t)(r->end - r->p))
        return bad(r, "n_clusters x n_features is larger than the file can hold");
    if (v[0] == 0 || v[1] == 0 || p->tol < 0.0)
        return bad(r, "n_init, max_iter must be >= 1 and tol >= 0");
    p->n_clusters = (int)*k;
    p->n_init = (int)v[0];
    p->max_iter = (int)v[1];
    p->seed = seed;
    p->standardize = (int)v[2];
    return CIP_OK;
}

static cip_status read_name(struct reader *r, cip_ctx *ctx, char **out)
{
    const char *s;
    size_t n;
    cip_status rc = expect(r, "feature", &s, &n);
    if (rc != CIP_OK)
        return rc;
    char *name = cipi_malloc(ctx, n + 1);
    if (name == NULL)
        return CIP_ERR_NOMEM;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\\') {
            if (i + 1 < n && (s[i + 1] == '\\' || s[i + 1] == 'n')) {
                c = s[i + 1] == 'n' ? '\n' : '\\';
                i++;
            } else if (i + 3 < n && s[i + 1] == 'x') {
                char hex[3] = {s[i + 2], s[i + 3], '\0'};
                char *e;
                long v = strtol(hex, &e, 16);
                if (*e != '\0' || v <= 0) {
                    cipi_free(ctx, name);
                    return bad(r, "bad escape in feature name");
                }
                c = (char)v;
                i += 3;
            } else {
                cipi_free(ctx, name);
                return bad(r, "bad escape in feature name");
            }
        }
        name[o++] = c;
    }
    name[o] = '\0';
    *out = name;
    return CIP_OK;
}

static cip_status read_scaler(struct reader *r, cip_kmeans *km, cip_ctx *ctx)
{
    double *arr = cipi_mallocarray(ctx, km->d, 3 * sizeof(double));
    if (arr == NULL)
        return CIP_ERR_NOMEM;
    uint64_t ns;
    cip_scaler_state st = {km->d, arr, arr + km->d, arr + 2 * km->d, (const char *const *)km->names,
                           0};
    cip_status rc = read_uint(r, "scaler_n_samples", UINT64_MAX, &ns);
    if (rc == CIP_OK)
        rc = read_doubles(r, "scaler_mean", arr, km->d);
    if (rc == CIP_OK)
        rc = read_doubles(r, "scaler_var", arr + km->d, km->d);
    if (rc == CIP_OK)
        rc = read_doubles(r, "scaler_scale", arr + 2 * km->d, km->d);
    if (rc == CIP_OK) {
        st.n_samples = ns;
        rc = cip_scaler_new(ctx, &st, &km->scaler);
        if (rc == CIP_ERR_INVALID)
            rc = cipi_fail_prefix(ctx, CIP_ERR_PARSE, "%s:%zu", r->name, r->line);
    }
    cipi_free(ctx, arr);
    return rc;
}

static cip_status read_sizes(struct reader *r, cip_kmeans *km)
{
    const char *s;
    size_t n;
    cip_status rc = expect(r, "sizes", &s, &n);
    if (rc != CIP_OK)
        return rc;
    const char *lim = s + n;
    uint64_t total = 0;
    for (size_t c = 0; c < km->k; c++) {
        if (c > 0 && (s >= lim || *s++ != ' '))
            return bad(r, "too few cluster sizes");
        if (!parse_u64(&s, lim, &km->sizes[c]) || km->sizes[c] > UINT64_MAX - total)
            return bad(r, "bad cluster size");
        total += km->sizes[c];
    }
    if (s != lim)
        return bad(r, "too many cluster sizes");
    if (total != km->n_train)
        return bad(r, "cluster sizes do not add up to n_train_rows");
    return CIP_OK;
}

static cip_status read_body(struct reader *r, cip_ctx *ctx, cip_kmeans **out)
{
    cip_kmeans_params p;
    cip_kmeans_params_default(&p);
    uint64_t k, d, v[6];
    double inertia;
    cip_kmeans *km = NULL;
    cip_status rc = read_header(r, &p, &k, &d, v, &inertia);
    if (rc == CIP_OK)
        rc = cipi_kmeans_alloc(ctx, (size_t)k, (size_t)d, &km);
    if (rc != CIP_OK)
        return rc;
    km->params = p;
    km->inertia = inertia;
    km->n_train = (size_t)v[3];
    km->n_iter = (int)v[4];
    if (v[5] && (km->names = cipi_calloc(ctx, km->d, sizeof(char *))) == NULL)
        rc = CIP_ERR_NOMEM;
    for (size_t j = 0; v[5] && j < km->d && rc == CIP_OK; j++)
        rc = read_name(r, ctx, &km->names[j]);
    uint64_t has_scaler = 0;
    if (rc == CIP_OK)
        rc = read_uint(r, "scaler", 1, &has_scaler);
    if (rc == CIP_OK && has_scaler != (uint64_t)p.standardize)
        rc = bad(r, "'scaler' disagrees with 'standardize'");
    if (rc == CIP_OK && has_scaler)
        rc = read_scaler(r, km, ctx);
    if (rc == CIP_OK)
        rc = read_sizes(r, km);
    for (size_t c = 0; c < km->k && rc == CIP_OK; c++) {
        char key[40];
        snprintf(key, sizeof key, "center %zu", c);
        rc = read_doubles(r, key, km->centers + c * km->d, km->d);
    }
    const char *s;
    size_t n;
    if (rc == CIP_OK && (rc = expect(r, "end", &s, &n)) == CIP_OK && (n != 0 || r->p < r->end))
        rc = bad(r, "trailing data after 'end'");
    if (rc != CIP_OK) {
        cip_kmeans_free(km);
        return rc;
    }
    *out = km;
    return CIP_OK;
}

/* Magic, version and checksum; sets r->end to the start of the crc line. */
static cip_status check_envelope(struct reader *r, const char *data, size_t len)
{
    size_t ml = strlen(KM_FILE_MAGIC);
    if (len < ml + 1 || memcmp(data, KM_FILE_MAGIC, ml) != 0 || data[ml] != ' ')
        return cipi_fail(r->ctx, CIP_ERR_PARSE, "%s: not a cip k-means model (bad magic)", r->name);
    const char *s = data + ml + 1, *lim = data + len;
    uint64_t ver;
    if (!parse_u64(&s, lim, &ver) || s >= lim || *s != '\n')
        return cipi_fail(r->ctx, CIP_ERR_PARSE, "%s:1: bad format version line", r->name);
    if (ver != CIP_KMEANS_FORMAT_VERSION)
        return cipi_fail(r->ctx, CIP_ERR_PARSE,
                         "%s: unsupported k-means model version %" PRIu64 " (this build reads %d)",
                         r->name, ver, CIP_KMEANS_FORMAT_VERSION);
    /* The file must end with "crc32 xxxxxxxx\n". */
    const size_t tl = 15;
    if (len < tl || data[len - 1] != '\n' || memcmp(data + len - tl, "crc32 ", 6) != 0 ||
        (len > tl && data[len - tl - 1] != '\n'))
        return cipi_fail(r->ctx, CIP_ERR_PARSE, "%s: truncated model file (no checksum line)",
                         r->name);
    unsigned long want = 0;
    for (const char *h = data + len - 9; h < data + len - 1; h++) {
        int dv = *h >= '0' && *h <= '9' ? *h - '0' : *h >= 'a' && *h <= 'f' ? *h - 'a' + 10 : -1;
        if (dv < 0) /* exactly 8 lowercase hex digits, as written */
            return cipi_fail(r->ctx, CIP_ERR_PARSE, "%s: bad checksum line", r->name);
        want = want * 16 + (unsigned long)dv;
    }
    uLong got = crc32(0L, (const Bytef *)data, (uInt)(len - tl));
    if ((unsigned long)got != want)
        return cipi_fail(r->ctx, CIP_ERR_PARSE,
                         "%s: checksum mismatch (file says %08lx, content gives %08lx): the file "
                         "is corrupted",
                         r->name, want, (unsigned long)got);
    r->p = s + 1;
    r->end = data + len - tl;
    r->line = 1;
    return CIP_OK;
}

cip_status cip_kmeans_load_mem(cip_ctx *ctx, const char *name, const char *data, size_t len,
                               cip_kmeans **out)
{
    if (out == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "kmeans load: no output pointer");
    *out = NULL;
    if (data == NULL && len > 0)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "kmeans load: no data");
    if (len > KM_FILE_LIMIT)
        return cipi_fail(ctx, CIP_ERR_PARSE, "%s: model larger than %zu bytes", name,
                         KM_FILE_LIMIT);
    struct reader r = {ctx, name != NULL ? name : "<memory>", NULL, NULL, 0, NULL, 0};
    cip_status rc = check_envelope(&r, data != NULL ? data : "", len);
    if (rc != CIP_OK)
        return rc;
    return read_body(&r, ctx, out);
}

cip_status cip_kmeans_load(cip_ctx *ctx, const char *path, cip_kmeans **out)
{
    if (out == NULL || path == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "kmeans load: no path or output pointer");
    *out = NULL;
    char *data = NULL;
    size_t len = 0;
    cip_status rc = cipi_read_file(ctx, path, KM_FILE_LIMIT, &data, &len);
    if (rc == CIP_ERR_LIMIT)
        rc = CIP_ERR_PARSE;
    if (rc == CIP_OK)
        rc = cip_kmeans_load_mem(ctx, path, data, len, out);
    cipi_free(ctx, data);
    return rc;
}
