/* csv_lex.c - RFC 4180 row lexer, quote-aware row boundaries, UTF-8 check
 *
 * A row is a sequence of fields separated by the delimiter and ended by LF,
 * CRLF, or the end of the text. A field is either unquoted (no quote, NUL,
 * delimiter or line end inside; a CR not followed by LF is ordinary data) or
 * enclosed in double quotes, where "" stands for one quote and delimiters and
 * line ends are data. Fields are returned as slices of the text: nothing is
 * copied or allocated here, so the lexer can run in worker threads.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "csv_int.h"

void cipi_csv_lexer_init(struct csv_lexer *lx, char delim, size_t max_field)
{
    memset(lx->cls, LX_PLAIN, sizeof lx->cls);
    lx->cls[(unsigned char)delim] = LX_DELIM;
    lx->cls['\n'] = LX_LF;
    lx->cls['\r'] = LX_CR;
    lx->cls['"'] = LX_QUOTE;
    lx->cls[0] = LX_NUL;
    lx->delim = delim;
    lx->max_field = max_field;
}

void cipi_csv_err_at(struct csv_err *err, int kind, size_t line0, const char *line_start0,
                     const char *at)
{
    size_t line = line0;
    const char *ls = line_start0;
    for (const char *q = line_start0; q < at; q++) {
        if (*q == '\n') {
            line++;
            ls = q + 1;
        }
    }
    err->kind = kind;
    err->line = line;
    err->col = (size_t)(at - ls) + 1;
}

void cipi_csv_err_value(struct csv_err *err, const char *p, size_t n)
{
    size_t k = n < sizeof err->snippet ? n : sizeof err->snippet;
    memcpy(err->snippet, p, k);
    err->snippet_len = k;
    err->value_len = n;
}

/* Scan the inside of a quoted field from q up to stop: count lines, reject
 * NUL. Returns the NUL's address or NULL. */
static const char *scan_quoted(struct csv_pos *ps, const char *q, const char *stop)
{
    for (; q < stop; q++) {
        unsigned char c = (unsigned char)*q;
        if (c > '\n')
            continue;
        if (c == '\n') {
            ps->line++;
            ps->line_start = q + 1;
        } else if (c == '\0') {
            return q;
        }
    }
    return NULL;
}

/* Lex a quoted field whose opening quote is at s. On success sets f and
 * returns the byte after the closing quote; NULL on error (err filled). */
static const char *lex_quoted(struct csv_pos *ps, const char *s, struct csv_field *f,
                              struct csv_err *err, size_t line0, const char *ls0)
{
    const char *end = ps->end, *q = s + 1;
    size_t fl = ps->line;
    const char *fls = ps->line_start;
    bool esc = false;
    for (;;) {
        const char *r = memchr(q, '"', (size_t)(end - q));
        const char *nul = scan_quoted(ps, q, r != NULL ? r : end);
        if (nul != NULL) {
            cipi_csv_err_at(err, CE_NUL, line0, ls0, nul);
            return NULL;
        }
        if (r == NULL) {
            cipi_csv_err_at(err, CE_UNTERMINATED, fl, fls, s);
            return NULL;
        }
        if (r + 1 < end && r[1] == '"') {
            esc = true;
            q = r + 2;
            continue;
        }
        f->p = s + 1;
        f->len = (size_t)(r - (s + 1));
        f->raw = s;
        f->quoted = 1;
        f->escaped = esc;
        return r + 1;
    }
}

#define ONES  0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* High bit set in every byte of v equal to the byte in pat (ONES * byte); the
 * lowest set bit is exact (false hits appear only above a true one). */
static inline uint64_t swar_eq(uint64_t v, uint64_t pat)
{
    uint64_t x = v ^ pat;
    return (x - ONES) & ~x & HIGHS;
}

/* First byte at or after p that is not plain data (delimiter, LF, CR, quote,
 * NUL), or end. Most fields are a few bytes long, where a byte loop wins
 * (when the text ends with a LF, `guarded`, it needs no bound check); past
 * 16 bytes the scan goes eight bytes at a time (little-endian only). */
static inline const char *skip_plain(const struct csv_lexer *lx, const char *p, const char *end,
                                     bool guarded)
{
    const char *stop = end - p > 16 ? p + 16 : end;
    if (guarded && stop != end) {
        for (; p < stop; p++)
            if (lx->cls[(unsigned char)*p] != LX_PLAIN)
                return p;
    }
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t pd = ONES * (unsigned char)lx->delim;
    while (end - p >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        uint64_t m = swar_eq(v, pd) | swar_eq(v, ONES * '\n') | swar_eq(v, ONES * '\r') |
                     swar_eq(v, ONES * '"') | swar_eq(v, 0);
        if (m != 0)
            return p + (__builtin_ctzll(m) >> 3);
        p += 8;
    }
#endif
    while (p < end && lx->cls[(unsigned char)*p] == LX_PLAIN)
        p++;
    return p;
}

int cipi_csv_lex_row(const struct csv_lexer *lx, struct csv_pos *ps, struct csv_field *f,
                     size_t max_fields, size_t *n_fields, struct csv_err *err)
{
    const char *p = ps->p, *end = ps->end;
    const size_t line0 = ps->line;
    const char *const ls0 = ps->line_start;
    const bool guarded = p < end && end[-1] == '\n';
    size_t nf = 0;
    for (;;) {
        const char *s = p;
        struct csv_field fld;
        if (p < end && *p == '"') {
            p = lex_quoted(ps, s, &fld, err, line0, ls0);
            if (p == NULL)
                return ROW_ERR;
            if (p < end && lx->cls[(unsigned char)*p] != LX_DELIM && *p != '\n' &&
                !(*p == '\r' && (p + 1 == end || p[1] == '\n'))) {
                cipi_csv_err_at(err, CE_AFTER_QUOTE, line0, ls0, p);
                cipi_csv_err_value(err, p, 1);
                return ROW_ERR;
            }
        } else {
            for (;;) {
                p = skip_plain(lx, p, end, guarded);
                if (p == end)
                    break;
                int c = lx->cls[(unsigned char)*p];
                if (c == LX_CR) {
                    if (p + 1 == end || p[1] == '\n')
                        break;
                    p++;
                    continue;
                }
                if (c == LX_QUOTE || c == LX_NUL) {
                    cipi_csv_err_at(err, c == LX_QUOTE ? CE_QUOTE_INSIDE : CE_NUL, line0, ls0, p);
                    cipi_csv_err_value(err, s, (size_t)(p - s) + 1);
                    return ROW_ERR;
                }
                break;
            }
            fld.p = s;
            fld.len = (size_t)(p - s);
            fld.raw = s;
            fld.quoted = 0;
            fld.escaped = 0;
        }
        if (fld.len > lx->max_field) {
            cipi_csv_err_at(err, CE_FIELD_LIMIT, line0, ls0, s);
            err->field = nf;
            err->value_len = fld.len;
            return ROW_ERR;
        }
        if (nf < max_fields)
            f[nf] = fld;
        nf++;
        if (p < end && *p == lx->delim) {
            p++;
            continue;
        }
        ps->row_end = p;
        if (p < end && *p == '\r')
            p++;
        if (p < end) {
            p++; /* the LF */
            ps->line++;
            ps->line_start = p;
        }
        ps->p = p;
        *n_fields = nf;
        return ROW_OK;
    }
}

/* Parity of the number of bytes of v equal to the byte in pat: the exact
 * per-byte match bits (unlike swar_eq's) are folded by XOR, and only their
 * parity is needed to know whether a position is inside quotes. */
static inline uint64_t swar_match(uint64_t v, uint64_t pat)
{
    const uint64_t low7 = 0x7F7F7F7F7F7F7F7FULL;
    uint64_t x = v ^ pat;
    return ~(((x & low7) + low7) | x) & HIGHS;
}

int cipi_csv_quote_parity(const char *p, const char *end)
{
    uint64_t acc = 0;
    for (; end - p >= 8; p += 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        acc ^= swar_match(v, ONES * '"');
    }
    int par = 0;
    for (; p < end; p++)
        par ^= *p == '"';
    for (; acc != 0; acc &= acc - 1) /* at most 8 bits set */
        par ^= 1;
    return par;
}

const char *cipi_csv_next_row(const char *from, const char *end, int in_quote)
{
    const char *p = from;
    for (;;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (nl == NULL)
            return end;
        in_quote ^= cipi_csv_quote_parity(p, nl);
        if (!in_quote)
            return nl + 1;
        p = nl + 1;
    }
}

/* Does the line [ls, e) count as a row? Blank lines (nothing, or a lone CR)
 * do not, unless the table has a single column (then they are missing values). */
static inline size_t line_counts(const char *ls, const char *e, size_t n_cols)
{
    size_t len = (size_t)(e - ls);
    bool blank = len == 0 || (len == 1 && *ls == '\r');
    return !blank || n_cols == 1;
}

size_t cipi_csv_count_rows(const char *beg, const char *end, size_t n_cols)
{
    size_t rows = 0;
    const char *ls = beg;
    if (memchr(beg, '"', (size_t)(end - beg)) == NULL) { /* no quotes: newlines end rows */
        const char *nl;
        while ((nl = memchr(ls, '\n', (size_t)(end - ls))) != NULL) {
            rows += line_counts(ls, nl, n_cols);
            ls = nl + 1;
        }
    } else {
        int in_quote = 0;
        for (const char *p = beg; p < end; p++) {
            if (*p == '"') {
                in_quote ^= 1;
            } else if (*p == '\n' && !in_quote) {
                rows += line_counts(ls, p, n_cols);
                ls = p + 1;
            }
        }
    }
    if (ls < end) /* a last row without a line end */
        rows += line_counts(ls, end, n_cols);
    return rows;
}

bool cipi_csv_utf8_ok(const char *p, size_t n, size_t *bad)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            while (n - i >= 8) { /* ASCII runs eight bytes at a time */
                uint64_t v;
                memcpy(&v, s + i, 8);
                if (v & HIGHS)
                    break;
                i += 8;
            }
            continue;
        }
        size_t need;
        unsigned lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            if (c == 0xE0)
                lo = 0xA0; /* no overlong */
            else if (c == 0xED)
                hi = 0x9F; /* no surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F; /* <= U+10FFFF */
        } else {
            *bad = i;
            return false;
        }
        if (n - i - 1 < need) {
            *bad = i;
            return false;
        }
        for (size_t k = 1; k <= need; k++) {
            unsigned b = s[i + k];
            unsigned l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
            if (b < l || b > h) {
                *bad = i;
                return false;
            }
        }
        i += need + 1;
    }
    return true;
}
