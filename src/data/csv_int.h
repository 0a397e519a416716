/* csv_int.h - internals of the CSV reader (csv_lex, csv_infer, csv_header,
 * csv_read, csv_convert, csv_source)
 *
 * The text comes as ranges of whole rows: one range for a memory buffer or an
 * mmap'd file, one per decompressed block of a gzip stream. Each range is cut
 * into chunks on row boundaries (found quote-aware, in parallel) and parsed in
 * passes, parallel over chunks:
 *   A  lex every row, check it (field count, quoting, NUL, UTF-8, field size,
 *      forced types) and accumulate per-column "seen" class bits; the union
 *      of the chunks' bits decides each column's type, so the result does not
 *      depend on the chunking or the thread count.
 *      Storing mode (one range, the whole text in memory): the rows of every
 *      chunk are counted first (cheap newline scan), the columns allocated as
 *      doubles, and pass A also stores every value in its final row slot;
 *      cipi_csv_settle() then converts in place (int64 exact below 2^53).
 *   B  two-pass mode (gzip), or int columns holding values beyond 2^53: lex
 *      again and parse into the typed columns at each chunk's row offset.
 *   C  intern categorical fields in file order (serial, only when needed).
 * Workers never touch the ctx: they record an error description per chunk and
 * the caller reports the first one in file order.
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_CSV_INT_H
#define CIP_CSV_INT_H

#include "data_int.h"

/* Class of one field's text (csv_infer.c). */
enum csv_class {
    CSV_MISSING = 0, /* empty or a missing-value token */
    CSV_01 = 1,      /* exactly "0" or "1": int, or bool next to word booleans */
    CSV_INT = 2,     /* integer that fits int64 */
    CSV_BIGINT = 3,  /* integer syntax, outside int64 */
    CSV_FLOAT = 4,   /* decimal/exponent float, inf, infinity */
    CSV_WBOOL = 5,   /* True/False/true/false/TRUE/FALSE */
    CSV_STR = 6      /* anything else */
};
/* Bit set of the classes seen in a column. */
#define CSV_SEEN(c) (1u << (c))
/* Extra bit: an integer beyond 2^53 was stored as a double (storing mode). */
#define CSV_SEEN_WIDE (1u << 7)

/* Byte classes of the lexer table. */
enum { LX_PLAIN = 0, LX_DELIM = 1, LX_LF = 2, LX_CR = 3, LX_QUOTE = 4, LX_NUL = 5 };

struct csv_lexer {
    uint8_t cls[256]; /* byte -> LX_* */
    char delim;       /* field separator */
    size_t max_field; /* longest field content accepted */
};

/* A field of the current row: content bytes (without the enclosing quotes;
 * doubled quotes still doubled when `escaped`). */
struct csv_field {
    const char *p;   /* first content byte */
    size_t len;      /* content bytes */
    const char *raw; /* first byte of the field (its opening quote if quoted) */
    uint8_t quoted;  /* field was enclosed in quotes */
    uint8_t escaped; /* content contains doubled quotes */
};

/* Kinds of error a worker can find (formatted by the caller). */
enum csv_err_kind {
    CE_NONE = 0,
    CE_UNTERMINATED, /* quote opened, never closed */
    CE_AFTER_QUOTE,  /* junk after a closing quote */
    CE_QUOTE_INSIDE, /* quote in the middle of an unquoted field */
    CE_NUL,          /* NUL byte */
    CE_FIELD_LIMIT,  /* field longer than max_field */
    CE_TOO_MANY,     /* more fields than the header */
    CE_TOO_FEW,      /* fewer fields than the header */
    CE_UTF8,         /* invalid UTF-8 in a text field */
    CE_TYPE,         /* value does not parse under a forced type */
    CE_RANGE,        /* integer out of int64 range under a forced int type */
    CE_INTERNAL      /* row counts disagree between passes: a bug */
};

#define CSV_SNIPPET 48

/* Where and what: lines are counted from the start of the chunk. */
struct csv_err {
    int kind;                  /* enum csv_err_kind */
    size_t line;               /* 0-based line within the chunk */
    size_t col;                /* 1-based byte column in that line */
    size_t field;              /* 0-based field index */
    size_t count;              /* fields found (TOO_MANY/TOO_FEW) */
    char snippet[CSV_SNIPPET]; /* raw bytes of the value (truncated) */
    size_t snippet_len;        /* bytes in snippet */
    size_t value_len;          /* full length of the value */
};

/* Lexer position: p advances, line/line_start track physical lines. */
struct csv_pos {
    const char *p;          /* next byte */
    const char *end;        /* end of the text */
    size_t line;            /* newlines consumed so far */
    const char *line_start; /* first byte of the current line */
    const char *row_end;    /* end of the last row lexed (before its line end) */
};

/* Outcome of csv_lex_row. */
enum { ROW_OK = 0, ROW_ERR = 1 };

CIP_INTERNAL void cipi_csv_lexer_init(struct csv_lexer *lx, char delim, size_t max_field);
/* Lex one row at ps->p (< ps->end). Stores up to max_fields fields in f and
 * the total number of fields in *n_fields; advances ps past the row end.
 * On a malformed row returns ROW_ERR with err filled (line relative to ps). */
CIP_INTERNAL int cipi_csv_lex_row(const struct csv_lexer *lx, struct csv_pos *ps,
                                  struct csv_field *f, size_t max_fields, size_t *n_fields,
                                  struct csv_err *err);
/* Position just after the first row end (outside quotes) at or after `from`,
 * assuming `from` is outside quotes when in_quote is 0; end when none. */
CIP_INTERNAL const char *cipi_csv_next_row(const char *from, const char *end, int in_quote);
/* Parity (0 or 1) of the number of '"' bytes in [p, end). */
CIP_INTERNAL int cipi_csv_quote_parity(const char *p, const char *end);
/* true when the bytes are valid UTF-8; *bad = offset of the first bad byte. */
CIP_INTERNAL bool cipi_csv_utf8_ok(const char *p, size_t n, size_t *bad);
/* Fill err's kind and location of byte `at`, counting lines from a line
 * start ls0 whose chunk-relative line number is line0. */
CIP_INTERNAL void cipi_csv_err_at(struct csv_err *err, int kind, size_t line0, const char *ls0,
                                  const char *at);
/* Copy a value into err's snippet. */
CIP_INTERNAL void cipi_csv_err_value(struct csv_err *err, const char *p, size_t n);

/* Classify a field's content (csv_infer.c). */
CIP_INTERNAL enum csv_class cipi_csv_classify(const char *p, size_t n);
/* Inline fast path of cipi_csv_classify for unpadded plain numbers
 * ([+-]digits[.digits][(e|E)[+-]digits] with at most 18 integer digits),
 * converting in the same scan when that is cheap and exact: *have is set and
 * *v holds the double strtod would give (for integers: the value rounded to
 * a double; *wide then says it is beyond 2^53, not exact). Returns CSV_STR
 * when it cannot decide: cipi_csv_classify then agrees with every answer
 * given here. */
static inline enum csv_class cipi_csv_scan_fast(const char *p, size_t n, double *v, bool *have,
                                                bool *wide)
{
    static const double p10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    size_t i = 0, nd, frac = 0;
    bool neg = false;
    uint64_t m = 0; /* wraps past 19 digits; then unused */
    *have = false;
    if (n == 0)
        return CSV_MISSING;
    if (p[0] == '-' || p[0] == '+') {
        neg = p[0] == '-';
        i++;
    }
    size_t d0 = i;
    for (; i < n && (unsigned char)(p[i] - '0') < 10; i++)
        m = m * 10 + (uint64_t)(p[i] - '0');
    nd = i - d0;
    if (i == n) {
        if (nd == 0 || nd > 18)
            return CSV_STR;
        *v = neg ? -(double)m : (double)m;
        *have = true;
        *wide = m > ((uint64_t)1 << 53);
        return n == 1 && p[0] <= '1' ? CSV_01 : CSV_INT;
    }
    if (p[i] == '.') {
        size_t f0 = ++i;
        for (; i < n && (unsigned char)(p[i] - '0') < 10; i++)
            m = m * 10 + (uint64_t)(p[i] - '0');
        frac = i - f0;
        nd += frac;
    }
    if (nd == 0)
        return CSV_STR;
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        i++;
        if (i < n && (p[i] == '+' || p[i] == '-'))
            i++;
        size_t e0 = i;
        while (i < n && (unsigned char)(p[i] - '0') < 10)
            i++;
        return i == e0 || i != n ? CSV_STR : CSV_FLOAT;
    }
    if (i != n)
        return CSV_STR;
    if (nd <= 19 && frac <= 22 && m <= ((uint64_t)1 << 53)) { /* Clinger's exact case */
        double d = (double)m / p10[frac];
        *v = neg ? -d : d;
        *have = true;
    }
    return CSV_FLOAT;
}

/* Inline fast path of cipi_csv_parse_float for unpadded [+-]digits[.digits]
 * with at most 19 digits, a mantissa <= 2^53 and at most 22 decimals:
 * Clinger's exact case, one correctly rounded division. false when the
 * general parser is needed. */
static inline bool cipi_csv_float_fast(const char *p, size_t n, double *out)
{
    static const double p10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    size_t i = 0;
    bool neg = false;
    if (n > 0 && (p[0] == '-' || p[0] == '+')) {
        neg = p[0] == '-';
        i++;
    }
    uint64_t m = 0;
    int nd = 0, frac = 0;
    for (; i < n && (unsigned char)(p[i] - '0') < 10; i++, nd++)
        m = m * 10 + (uint64_t)(p[i] - '0');
    if (i < n && p[i] == '.') {
        for (i++; i < n && (unsigned char)(p[i] - '0') < 10; i++, nd++, frac++)
            m = m * 10 + (uint64_t)(p[i] - '0');
    }
    if (i != n || nd == 0 || nd > 19 || frac > 22 || m > ((uint64_t)1 << 53))
        return false;
    double d = (double)m / p10[frac];
    *out = neg ? -d : d;
    return true;
}

/* Parse an integer field already classified CSV_INT or CSV_01. */
CIP_INTERNAL int64_t cipi_csv_parse_int(const char *p, size_t n);
/* Parse a float field (classified CSV_01/INT/BIGINT/FLOAT): the double
 * strtod would give for the same text. */
CIP_INTERNAL double cipi_csv_parse_float(const char *p, size_t n);
/* Parse a boolean field (classified CSV_WBOOL or CSV_01). */
CIP_INTERNAL uint8_t cipi_csv_parse_bool(const char *p, size_t n);
/* Column type from the union of seen classes. */
CIP_INTERNAL cip_type cipi_csv_decide_type(unsigned seen);
/* true when class c is acceptable under forced type t; *range set when the
 * failure is an int64 overflow. */
CIP_INTERNAL bool cipi_csv_class_fits(enum csv_class c, cip_type t, bool *range);

/* --- sources (csv_source.c) --------------------------------------------- */

/* The bytes of a CSV file held whole: mapped or read (pipes). */
struct csv_text {
    const char *p;       /* first byte ("" when empty) */
    size_t len;          /* bytes */
    void *map;           /* mmap'd region or NULL */
    size_t map_len;      /* its length */
    char *owned;         /* owned buffer or NULL */
    struct cipi_alloc a; /* allocator of owned */
    void *gz;            /* gzFile when the file is gzip: read it with csv_gz */
};
/* Map or read path; for a gzip file (named *.gz or starting with the gzip
 * magic) only opens it and sets t->gz. Errors: CIP_ERR_IO, CIP_ERR_NOMEM. */
CIP_INTERNAL cip_status cipi_csv_text_open(cip_ctx *ctx, const char *path, struct csv_text *t);
CIP_INTERNAL void cipi_csv_text_close(struct csv_text *t);

/* A gzip stream cut into ranges of whole rows, decompressed block by block
 * into one reused buffer (grown only for rows longer than it). */
struct csv_gz {
    void *g;             /* gzFile (borrowed from csv_text) */
    const char *path;    /* for messages */
    char *buf;           /* owned block buffer */
    size_t cap;          /* its size */
    size_t len;          /* bytes held */
    size_t block;        /* first (and usual) buffer size */
    size_t used;         /* bytes handed out as the previous range */
    size_t max_row;      /* longest incomplete row tolerated */
    bool eof;            /* the stream is exhausted */
    struct cipi_alloc a; /* allocator of buf */
};
CIP_INTERNAL void cipi_csv_gz_init(struct csv_gz *z, const cip_ctx *ctx, void *g, const char *path,
                                   size_t block, size_t max_row);
CIP_INTERNAL void cipi_csv_gz_release(struct csv_gz *z);
/* Next range [*beg, *end) of whole rows (the last one may lack its line end);
 * *beg == *end at the end of the stream. The range stays valid until the next
 * call. Errors: CIP_ERR_IO (corrupt stream), CIP_ERR_LIMIT, CIP_ERR_NOMEM. */
CIP_INTERNAL cip_status cipi_csv_gz_next(cip_ctx *ctx, struct csv_gz *z, const char **beg,
                                         const char **end);
/* Start again from the first byte. Errors: CIP_ERR_IO. */
CIP_INTERNAL cip_status cipi_csv_gz_rewind(cip_ctx *ctx, struct csv_gz *z);

/* --- the reader (csv_header.c, csv_read.c) ---------------------------------- */

struct csv_chunk {
    const char *beg, *end; /* text range: whole rows */
    size_t rows;           /* data rows */
    size_t rows_pre;       /* rows counted before pass A (storing mode) */
    size_t lines;          /* line ends inside the range (pass A) */
    size_t row0;           /* index of its first row (passes B, C) */
    struct csv_err err;    /* first error in the chunk (kind CE_NONE if none) */
};

struct csv_reader {
    cip_ctx *ctx;
    const char *name;         /* for messages */
    cip_csv_read_opts o;      /* options */
    struct csv_lexer lx;      /* byte classes */
    size_t n_cols;            /* header fields */
    char **names;             /* owned column names [n_cols] */
    int *forced;              /* cip_type or -1 [n_cols] */
    cip_type *types;          /* decided types [n_cols] */
    unsigned *seen_all;       /* union of the classes seen [n_cols] */
    size_t line;              /* 1-based line number where the next range starts */
    size_t rows_left;         /* rows max_rows still allows (SIZE_MAX: no limit) */
    size_t n_rows;            /* data rows found by pass A */
    size_t *chunk_rows;       /* rows of every chunk of pass A, in file order */
    size_t n_chunk_rows;      /* entries used */
    size_t cap_chunk_rows;    /* entries allocated */
    size_t chunk_cursor;      /* next entry for passes B and C */
    size_t row;               /* passes B, C: index of the next row */
    size_t cap_chunks;        /* chunk slots allocated */
    size_t n_chunks;          /* chunks of the current range */
    struct csv_chunk *chunks; /* [cap_chunks] */
    size_t stride;            /* per-chunk slots in seen and fields */
    unsigned *seen;           /* class bits [cap_chunks * stride] */
    struct csv_field *fields; /* lexer scratch [cap_chunks * stride] */
    bool store;               /* pass A stores values (whole text in memory) */
    uint8_t *redo;            /* storing mode: columns pass B must parse again [n_cols] */
    void **vals;              /* column arrays [n_cols], owned until handed over; in
                                 storing mode doubles until cipi_csv_settle */
    uint8_t **miss;           /* missing bitmaps [n_cols] or NULL */
    struct cipi_strmap *maps; /* dictionaries of categorical columns [n_cols] */
    struct cipi_buf tmp;      /* unescaped label scratch */
};

/* Validate opts (NULL = defaults) and set up r. Errors: CIP_ERR_INVALID. */
CIP_INTERNAL cip_status cipi_csv_reader_init(struct csv_reader *r, cip_ctx *ctx, const char *name,
                                             const cip_csv_read_opts *opts);
CIP_INTERNAL void cipi_csv_reader_release(struct csv_reader *r);
/* Parse the header at the start of [text, end) (after an optional BOM); sets
 * *data to the first data row. Applies the type overrides.
 * Errors: CIP_ERR_PARSE, CIP_ERR_CONFLICT, CIP_ERR_SCHEMA, CIP_ERR_LIMIT, CIP_ERR_NOMEM. */
CIP_INTERNAL cip_status cipi_csv_read_header(struct csv_reader *r, const char *text,
                                             const char *end, const char **data);
/* Format err (line relative to line_base) into the ctx; returns its status. */
CIP_INTERNAL cip_status cipi_csv_report(const struct csv_reader *r, const struct csv_err *e,
                                        size_t line_base);
/* Copy n bytes of field content turning "" into "; returns the length. */
CIP_INTERNAL size_t cipi_csv_unescape(char *dst, const char *src, size_t n);

/* Rows of [beg, end) (whole rows, beg outside quotes) as pass A counts them:
 * row ends outside quotes, blank lines skipped when n_cols > 1. */
CIP_INTERNAL size_t cipi_csv_count_rows(const char *beg, const char *end, size_t n_cols);

/* A blank line (skipped, unless the table has one column: then a missing value). */
static inline bool cipi_csv_is_blank(const struct csv_reader *r, const struct csv_field *f,
                                     size_t nf)
{
    return nf == 1 && r->n_cols > 1 && f[0].len == 0 && !f[0].quoted;
}

static inline void cipi_csv_set_missing(uint8_t *bm, size_t i)
{
    /* Chunks meet inside a byte of the bitmap: OR atomically. */
    __atomic_fetch_or(&bm[i >> 3], (uint8_t)(1u << (i & 7)), __ATOMIC_RELAXED);
}

/* Unpadded [-]digits, at most 18 of them (always in range); false otherwise. */
static inline bool cipi_csv_int_fast(const char *p, size_t n, int64_t *out)
{
    size_t i = n > 0 && p[0] == '-';
    if (n - i > 18 || n == i)
        return false;
    int64_t v = 0;
    for (; i < n; i++) {
        unsigned d = (unsigned char)(p[i] - '0');
        if (d > 9)
            return false;
        v = v * 10 + (int64_t)d;
    }
    *out = p[0] == '-' ? -v : v;
    return true;
}

/* --- passes B and C, column arrays, the frame (csv_convert.c) ----------------- */

/* Pass B over chunk c: parse numeric and bool fields into the typed columns
 * (storing mode: only the columns marked in redo). Worker-safe. */
CIP_INTERNAL void cipi_csv_pass_b(const struct csv_reader *r, size_t c);
/* Pass C: intern categorical fields of every chunk, in file order. Serial.
 * Errors: CIP_ERR_NOMEM, CIP_ERR_LIMIT, CIP_ERR_CONFLICT (text changed). */
CIP_INTERNAL cip_status cipi_csv_pass_c(struct csv_reader *r);
/* Decide the column types from the classes seen. */
CIP_INTERNAL void cipi_csv_decide(struct csv_reader *r);
/* Typed column arrays for n_rows rows (two-pass mode). Errors: CIP_ERR_NOMEM. */
CIP_INTERNAL cip_status cipi_csv_alloc_typed(struct csv_reader *r);
/* Double arrays and bitmaps for every column (storing mode). Errors: NOMEM. */
CIP_INTERNAL cip_status cipi_csv_alloc_store(struct csv_reader *r);
/* Storing mode, after pass A: turn the stored doubles into the decided types
 * (int64 in place, bool into a new byte array, categorical codes later by
 * pass C in the same block) and mark in redo the int columns holding values
 * beyond 2^53. Errors: CIP_ERR_NOMEM. Parallel over columns. */
CIP_INTERNAL cip_status cipi_csv_settle(struct csv_reader *r);
/* Hand the columns over to a new frame. Errors: CIP_ERR_NOMEM. */
CIP_INTERNAL cip_status cipi_csv_build_frame(struct csv_reader *r, cip_frame **out);

#endif /* CIP_CSV_INT_H */
