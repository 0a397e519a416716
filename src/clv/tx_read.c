/* tx_read.c - reading transaction logs: delimited text with a header, or the
 * CDNOW fixed-width text (master id, sample id, yyyymmdd, cds, dollars)
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clv_int.h"

void cip_clv_read_params_default(cip_clv_read_params *p)
{
    memset(p, 0, sizeof *p);
    p->format = CIP_CLV_FORMAT_AUTO;
    p->id_column = "customer_id";
    p->date_column = "date";
    p->amount_column = "amount";
    p->quantity_column = "quantity";
    p->date_format = "auto";
    p->delimiter = ',';
    p->cdnow_master_id = 0;
    p->merge_same_day = 1;
}

cip_status cip_clv_read_params_check(cip_ctx *ctx, const cip_clv_read_params *p)
{
    if (p->format < CIP_CLV_FORMAT_AUTO || p->format > CIP_CLV_FORMAT_CDNOW)
        return cipi_fail(ctx, CIP_ERR_INVALID, "format: unknown value %d", (int)p->format);
    if (!p->id_column || !p->date_column || !p->amount_column)
        return cipi_fail(ctx, CIP_ERR_INVALID, "id, date and amount column names are required");
    if (!cip_clv_date_format_ok(p->date_format))
        return cipi_fail(ctx, CIP_ERR_INVALID,
                         "date_format: '%s' is not auto, yyyymmdd, iso, mm/dd/yyyy or dd/mm/yyyy",
                         p->date_format ? p->date_format : "(null)");
    if (p->delimiter == '\0' || p->delimiter == '"' || p->delimiter == '\n' || p->delimiter == '\r')
        return cipi_fail(ctx, CIP_ERR_INVALID, "delimiter: invalid character");
    if (p->customers == NULL && p->n_customers > 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "customers: NULL list with n_customers > 0");
    return CIP_OK;
}

/* Reading state shared by both formats. */
struct reader {
    const char *path;
    const cip_clv_read_params *p;
    struct cipi_strmap ids;   /* customer ids seen */
    struct cipi_strmap known; /* allowed ids (when p->customers) */
    struct cipi_clv_recs recs;
    const char *last_id; /* previous record's id (in the file buffer) and its number */
    size_t last_len;
    uint32_t last_cust;
};

/* Next line [*ls, *le) from pos; strips the \r of CRLF. false at end. */
static bool next_line(char *buf, size_t len, size_t *pos, char **ls, char **le)
{
    if (*pos >= len)
        return false;
    char *s = buf + *pos, *nl = memchr(s, '\n', len - *pos);
    char *e = nl ? nl : buf + len;
    *pos = nl ? (size_t)(nl - buf) + 1 : len;
    if (e > s && e[-1] == '\r')
        e--;
    *ls = s;
    *le = e;
    return true;
}

static bool blank(const char *s, const char *e)
{
    for (; s < e; s++)
        if (*s != ' ' && *s != '\t')
            return false;
    return true;
}

static cip_status add_record(cip_ctx *ctx, struct reader *r, size_t line, const char *id,
                             size_t id_len, int32_t day, double amount, double qty)
{
    if (id_len == 0)
        return cipi_fail(ctx, CIP_ERR_PARSE, "%s:%zu: empty customer id", r->path, line);
    if (r->last_id != NULL && id_len == r->last_len && memcmp(id, r->last_id, id_len) == 0) {
        struct cipi_clv_rec same = {r->last_cust, day, amount, qty}; /* logs sorted by customer */
        return cipi_clv_recs_push(ctx, &r->recs, &same);
    }
    if (r->p->customers != NULL && cipi_strmap_find(&r->known, id, id_len) < 0)
        return cipi_fail(ctx, CIP_ERR_NOT_FOUND, "%s:%zu: unknown customer '%.*s'", r->path, line,
                         (int)(id_len > 64 ? 64 : id_len), id);
    struct cipi_clv_rec rec = {0, day, amount, qty};
    cip_status rc = cipi_strmap_intern(ctx, &r->ids, id, id_len, &rec.cust);
    if (rc != CIP_OK)
        return rc;
    r->last_id = id;
    r->last_len = id_len;
    r->last_cust = rec.cust;
    return cipi_clv_recs_push(ctx, &r->recs, &rec);
}

/* Parse a number occupying exactly [s, e) (NUL at e). */
static bool number(const char *s, const char *e, double *v)
{
    while (s < e && *s == ' ')
        s++;
    if (s == e)
        return false;
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    while (end < e && *end == ' ')
        end++;
    return end == e && errno == 0 && isfinite(*v);
}

static cip_status amount_field(cip_ctx *ctx, struct reader *r, size_t line, const char *what,
                               char *s, char *e, double *v)
{
    char save = *e;
    *e = '\0';
    bool ok = number(s, e, v);
    *e = save;
    if (!ok)
        return cipi_fail(ctx, CIP_ERR_PARSE, "%s:%zu: %s '%.*s' is not a number", r->path, line,
                         what, (int)(e - s > 40 ? 40 : e - s), s);
    if (*v < 0)
        return cipi_fail(ctx, CIP_ERR_PARSE, "%s:%zu: negative %s %.*s", r->path, line, what,
                         (int)(e - s > 40 ? 40 : e - s), s);
    return CIP_OK;
}

static cip_status date_field(cip_ctx *ctx, struct reader *r, size_t line, const char *fmt,
                             const char *s, const char *e, int32_t *day)
{
    while (s < e && *s == ' ')
        s++;
    while (e > s && e[-1] == ' ')
        e--;
    if (!cip_clv_date_parse(s, (size_t)(e - s), fmt, day))
        return cipi_fail(ctx, CIP_ERR_PARSE, "%s:%zu: bad date '%.*s' (format %s)", r->path, line,
                         (int)(e - s > 40 ? 40 : e - s), s, fmt);
    return CIP_OK;
}

/* --- CDNOW ------------------------------------------------------------------------------------ */

/* Split [s, e) on blanks into at most 6 tokens. */
static int tokens(char *s, char *e, char **ts, char **te)
{
    int n = 0;
    while (s < e && n < 6) {
        while (s < e && (*s == ' ' || *s == '\t'))
            s++;
        if (s == e)
            break;
        ts[n] = s;
        while (s < e && *s != ' ' && *s != '\t')
            s++;
        te[n++] = s;
    }
    return n;
}

static cip_status read_cdnow(cip_ctx *ctx, struct reader *r, char *buf, size_t len)
{
    size_t pos = 0, line = 0;
    char *ls, *le, *ts[6], *te[6];
    while (next_line(buf, len, &pos, &ls, &le)) {
        line++;
        if (blank(ls, le))
            continue;
        int nt = tokens(ls, le, ts, te);
        if (nt != 5)
            return cipi_fail(ctx, CIP_ERR_PARSE,
                             "%s:%zu: expected 5 fields (master id, sample id, yyyymmdd, cds, "
                             "dollars), found %d",
                             r->path, line, nt);
        int idf = r->p->cdnow_master_id ? 0 : 1;
        for (const char *c = ts[idf]; c < te[idf]; c++)
            if (*c < '0' || *c > '9')
                return cipi_fail(ctx, CIP_ERR_PARSE, "%s:%zu: customer id '%.*s' is not a number",
                                 r->path, line, (int)(te[idf] - ts[idf]), ts[idf]);
        const char *id = ts[idf];
        while (id + 1 < te[idf] && *id == '0') /* "0001" -> "1" as in the literature */
            id++;
        int32_t day;
        double cds, dollars;
        cip_status rc;
        if ((rc = date_field(ctx, r, line, "yyyymmdd", ts[2], te[2], &day)) != CIP_OK ||
            (rc = amount_field(ctx, r, line, "cds", ts[3], te[3], &cds)) != CIP_OK ||
            (rc = amount_field(ctx, r, line, "amount", ts[4], te[4], &dollars)) != CIP_OK ||
            (rc = add_record(ctx, r, line, id, (size_t)(te[idf] - id), day, dollars, cds)) !=
                CIP_OK)
            return rc;
    }
    return CIP_OK;
}

/* --- CSV -------------------------------------------------------------------------------------- */

#define MAX_FIELDS 4096

/* Split a line into fields, unquoting in place. Returns the field count or -1
 * on an unterminated quote. */
static int split(char *s, char *e, char delim, char **fs, char **fe, int max)
{
    int n = 0;
    for (;;) {
        if (n == max)
            return n;
        char *w = s;
        fs[n] = w;
        if (s < e && *s == '"') {
            s++;
            for (;;) {
                if (s >= e)
                    return -1;
                if (*s == '"') {
                    if (s + 1 < e && s[1] == '"') {
                        *w++ = '"';
                        s += 2;
                        continue;
                    }
                    s++;
                    break;
                }
                *w++ = *s++;
            }
            while (s < e && *s != delim) /* junk after the closing quote is kept */
                *w++ = *s++;
        } else {
            while (s < e && *s != delim)
                *w++ = *s++;
        }
        fe[n++] = w;
        if (s >= e)
            return n;
        s++; /* delimiter */
    }
}

static int find_col(char **fs, char **fe, int n, const char *name)
{
    size_t len = strlen(name);
    for (int k = 0; k < n; k++)
        if ((size_t)(fe[k] - fs[k]) == len && memcmp(fs[k], name, len) == 0)
            return k;
    return -1;
}

struct cols {
    int id, date, amount, qty, n;
};

static cip_status read_header(cip_ctx *ctx, struct reader *r, char *ls, char *le, char **fs,
                              char **fe, struct cols *c)
{
    const cip_clv_read_params *p = r->p;
    c->n = split(ls, le, p->delimiter, fs, fe, MAX_FIELDS);
    if (c->n < 0)
        return cipi_fail(ctx, CIP_ERR_PARSE, "%s:1: unterminated quote in the header", r->path);
    c->id = find_col(fs, fe, c->n, p->id_column);
    c->date = find_col(fs, fe, c->n, p->date_column);
    c->amount = find_col(fs, fe, c->n, p->amount_column);
    c->qty = p->quantity_column ? find_col(fs, fe, c->n, p->quantity_column) : -1;
    const char *miss = c->id < 0       ? p->id_column
                       : c->date < 0   ? p->date_column
                       : c->amount < 0 ? p->amount_column
                                       : NULL;
    if (miss != NULL)
        return cipi_fail(ctx, CIP_ERR_SCHEMA, "%s:1: no column '%s' in the header", r->path, miss);
    return CIP_OK;
}

static cip_status read_csv(cip_ctx *ctx, struct reader *r, char *buf, size_t len)
{
    cip_status rc = CIP_ERR_NOMEM;
    char **fs = cipi_mallocarray(ctx, MAX_FIELDS, sizeof *fs);
    char **fe = cipi_mallocarray(ctx, MAX_FIELDS, sizeof *fe);
    if (fs == NULL || fe == NULL)
        goto done;
    size_t pos = 0, line = 1;
    char *ls, *le;
    if (!next_line(buf, len, &pos, &ls, &le)) {
        rc = cipi_fail(ctx, CIP_ERR_PARSE, "%s: empty file (no header)", r->path);
        goto done;
    }
    struct cols c = {0};
    if ((rc = read_header(ctx, r, ls, le, fs, fe, &c)) != CIP_OK)
        goto done;
    while (next_line(buf, len, &pos, &ls, &le)) {
        line++;
        if (blank(ls, le))
            continue;
        int n = split(ls, le, r->p->delimiter, fs, fe, MAX_FIELDS);
        if (n != c.n) {
            rc = n < 0 ? cipi_fail(ctx, CIP_ERR_PARSE, "%s:%zu: unterminated quote", r->path, line)
                       : cipi_fail(ctx, CIP_ERR_PARSE, "%s:%zu: expected %d fields, found %d",
                                   r->path, line, c.n, n);
            goto done;
        }
        int32_t day;
        double amount, qty = 0;
        if ((rc = date_field(ctx, r, line, r->p->date_format, fs[c.date], fe[c.date], &day)) !=
                CIP_OK ||
            (rc = amount_field(ctx, r, line, "amount", fs[c.amount], fe[c.amount], &amount)) !=
                CIP_OK)
            goto done;
        if (c.qty >= 0 && fe[c.qty] > fs[c.qty] &&
            (rc = amount_field(ctx, r, line, "quantity", fs[c.qty], fe[c.qty], &qty)) != CIP_OK)
            goto done;
        if ((rc = add_record(ctx, r, line, fs[c.id], (size_t)(fe[c.id] - fs[c.id]), day, amount,
                             qty)) != CIP_OK)
            goto done;
    }
    rc = CIP_OK;
done:
    cipi_free(ctx, fs);
    cipi_free(ctx, fe);
    return rc;
}

/* CDNOW when the first non-blank line is five blank-separated numbers. */
static bool looks_cdnow(char *buf, size_t len)
{
    size_t pos = 0;
    char *ls, *le, *ts[6], *te[6];
    while (next_line(buf, len, &pos, &ls, &le)) {
        if (blank(ls, le))
            continue;
        if (memchr(ls, ',', (size_t)(le - ls)) != NULL || tokens(ls, le, ts, te) != 5)
            return false;
        for (int k = 0; k < 5; k++)
            for (const char *c = ts[k]; c < te[k]; c++)
                if ((*c < '0' || *c > '9') && *c != '.')
                    return false;
        return true;
    }
    return false;
}

static cip_status load_known(cip_ctx *ctx, struct reader *r)
{
    for (size_t k = 0; k < r->p->n_customers; k++) {
        uint32_t id;
        const char *s = r->p->customers[k];
        cip_status rc = cipi_strmap_intern(ctx, &r->known, s, strlen(s), &id);
        if (rc != CIP_OK)
            return rc;
    }
    return CIP_OK;
}

cip_status cip_clv_tx_read(cip_ctx *ctx, const char *path, const cip_clv_read_params *p,
                           cip_clv_tx **out)
{
    *out = NULL;
    cip_clv_read_params def;
    if (p == NULL) {
        cip_clv_read_params_default(&def);
        p = &def;
    }
    cip_status rc = cip_clv_read_params_check(ctx, p);
    if (rc != CIP_OK)
        return rc;
    struct reader r = {.path = path, .p = p};
    cipi_strmap_init(&r.ids, ctx);
    cipi_strmap_init(&r.known, ctx);
    char *buf = NULL, **keys = NULL;
    size_t len = 0, n_keys = 0, *lens = NULL;
    if ((rc = cipi_read_file(ctx, path, 0, &buf, &len)) != CIP_OK || (rc = load_known(ctx, &r)))
        goto done;
    char *text = buf;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    cip_clv_format f = p->format;
    if (f == CIP_CLV_FORMAT_AUTO)
        f = looks_cdnow(text, len) ? CIP_CLV_FORMAT_CDNOW : CIP_CLV_FORMAT_CSV;
    rc = f == CIP_CLV_FORMAT_CDNOW ? read_cdnow(ctx, &r, text, len) : read_csv(ctx, &r, text, len);
    if (rc != CIP_OK)
        goto done;
    keys = cipi_strmap_detach_keys(&r.ids, &n_keys);
    if (keys == NULL && n_keys > 0) {
        rc = cipi_nomem(ctx);
        goto done;
    }
    lens = cipi_mallocarray(ctx, n_keys ? n_keys : 1, sizeof *lens);
    if (lens == NULL) {
        rc = CIP_ERR_NOMEM;
        goto done;
    }
    for (size_t k = 0; k < n_keys; k++)
        lens[k] = strlen(keys[k]);
    rc = cipi_clv_tx_build(ctx, &r.recs, n_keys, keys, lens, p->merge_same_day, out);
done:
    for (size_t k = 0; keys != NULL && k < n_keys; k++)
        cipi_free(ctx, keys[k]);
    cipi_free(ctx, keys);
    cipi_free(ctx, lens);
    cipi_strmap_release(&r.ids);
    cipi_strmap_release(&r.known);
    cipi_free(ctx, r.recs.v);
    cipi_free(ctx, buf);
    return rc;
}
