/* csv_read.c - the CSV reader: chunking, pass A, the drivers
 *
 * See csv_int.h for the plan. A memory buffer or a mapped file is read in
 * storing mode: rows counted per chunk, then one parallel pass that checks,
 * classifies and stores every value in its final slot (memory: the columns
 * themselves, as doubles until settled). A gzip stream is read twice, block
 * by block: pass A, rewind, passes B and C. Fields are never copied, except
 * categorical labels with doubled quotes (unescaped into one reused buffer)
 * and the dictionary keys.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "csv_int.h"

#define MIN_CHUNK         ((size_t)1 << 20)  /* smallest chunk worth a thread */
#define CHUNKS_PER_THREAD 4                  /* load balance across uneven chunks */
#define GZ_BLOCK_MIN      ((size_t)64 << 10) /* decompressed bytes per range: */
#define GZ_BLOCK_MAX      ((size_t)16 << 20) /* 4 x max_field_bytes within these */

/* --- chunks ----------------------------------------------------------------- */

/* End of the first max_rows data rows of [beg, end) (serial scan). */
static const char *rows_end(const struct csv_reader *r, const char *beg, const char *end,
                            size_t max_rows)
{
    struct csv_pos ps = {beg, end, 0, beg, beg};
    struct csv_field f[2];
    struct csv_err e;
    size_t rows = 0, nf;
    while (ps.p < end && rows < max_rows) {
        if (cipi_csv_lex_row(&r->lx, &ps, f, 2, &nf, &e) != ROW_OK)
            return end; /* pass A reports it */
        if (!cipi_csv_is_blank(r, f, nf))
            rows++;
    }
    return ps.p;
}

static cip_status reserve_chunks(struct csv_reader *r, size_t n)
{
    cip_ctx *ctx = r->ctx;
    if (n <= r->cap_chunks)
        return CIP_OK;
    r->stride = (r->n_cols + 2 + 15) & ~(size_t)15; /* >= 64 bytes apart: no false sharing */
    size_t slots;
    if (!cipi_mul_ok(n, r->stride, &slots))
        return cipi_nomem(ctx);
    cipi_free(ctx, r->chunks);
    cipi_free(ctx, r->seen);
    cipi_free(ctx, r->fields);
    r->cap_chunks = 0;
    r->chunks = cipi_mallocarray(ctx, n, sizeof *r->chunks);
    r->seen = cipi_mallocarray(ctx, slots, sizeof *r->seen);
    r->fields = cipi_mallocarray(ctx, slots, sizeof *r->fields);
    if (r->chunks == NULL || r->seen == NULL || r->fields == NULL)
        return CIP_ERR_NOMEM;
    r->cap_chunks = n;
    return CIP_OK;
}

/* Split [beg, end) into chunks of whole rows. The quote parity at each target
 * split point is counted in parallel; the chunk then starts after the first
 * row end past it (a newline is a row end iff an even number of quotes
 * precedes it). Same input and thread count => same chunks. */
static cip_status make_chunks(struct csv_reader *r, const char *beg, const char *end)
{
    size_t len = (size_t)(end - beg);
    size_t n = len / MIN_CHUNK, cap = (size_t)cip_ctx_threads(r->ctx) * CHUNKS_PER_THREAD;
    n = n > cap ? cap : n == 0 ? 1 : n;
    cip_status rc = reserve_chunks(r, n);
    if (rc != CIP_OK)
        return rc;
    r->n_chunks = n;
    struct csv_chunk *ch = r->chunks;
    memset(ch, 0, n * sizeof *ch);
    memset(r->seen, 0, n * r->stride * sizeof *r->seen);
    size_t step = len / n;
    int nt = cipi_threads_for(r->ctx, n);
    (void)nt;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static)
#endif
    for (size_t k = 0; k < n; k++) /* quotes per piece, parked in .lines */
        ch[k].lines =
            (size_t)cipi_csv_quote_parity(beg + k * step, k + 1 == n ? end : beg + (k + 1) * step);
    size_t parity = 0;
    const char *prev = beg;
    for (size_t k = 0; k < n; k++) {
        /* A row longer than a chunk already covers this split point: leave
         * the previous chunk empty rather than scanning the row again. */
        const char *t = beg + k * step, *b = prev;
        if (k > 0 && t > prev)
            b = cipi_csv_next_row(t, end, (int)(parity & 1));
        if (k > 0)
            ch[k - 1].end = b;
        ch[k].beg = b;
        parity += ch[k].lines;
        ch[k].lines = 0;
        prev = b;
    }
    ch[n - 1].end = end;
    return CIP_OK;
}

/* --- pass A: check, classify, and (storing mode) store ------------------------- */

/* Storing mode: field j of row i as a double in the final slot (numbers,
 * booleans as 0/1, NaN and the missing bit for missing values). */
static inline void store_field(const struct csv_reader *r, size_t j, enum csv_class c,
                               const struct csv_field *f, size_t i, unsigned *seen)
{
    double *col = r->vals[j];
    const char *p = f->p;
    size_t n = f->len;
    int64_t v;
    switch (c) {
    case CSV_MISSING:
        col[i] = (double)NAN;
        cipi_csv_set_missing(r->miss[j], i);
        return;
    case CSV_01:
    case CSV_INT:
        if (!cipi_csv_int_fast(p, n, &v))
            v = cipi_csv_parse_int(p, n);
        if (v > ((int64_t)1 << 53) || v < -((int64_t)1 << 53))
            seen[j] |= CSV_SEEN_WIDE; /* not exact as a double: pass B parses it again */
        col[i] = (double)v;
        if (v == 0 && memchr(p, '-', n) != NULL)
            col[i] = -0.0; /* "-0" as strtod reads it, should the column be float */
        return;
    case CSV_BIGINT:
    case CSV_FLOAT:
        if (!cipi_csv_float_fast(p, n, &col[i]))
            col[i] = cipi_csv_parse_float(p, n);
        return;
    case CSV_WBOOL:
        col[i] = p[0] == 'T' || p[0] == 't' ? 1.0 : 0.0;
        return;
    case CSV_STR:
        return;
    }
}

/* Check and classify the fields of one row; store them at row i unless i is
 * SIZE_MAX. false on an error (err filled). */
static bool check_row(const struct csv_reader *r, const struct csv_field *f, unsigned *seen,
                      struct csv_err *err, size_t line0, const char *ls0, size_t i)
{
    for (size_t j = 0; j < r->n_cols; j++) {
        double v = 0.0;
        bool have, wide = false;
        enum csv_class c = cipi_csv_scan_fast(f[j].p, f[j].len, &v, &have, &wide);
        if (c == CSV_STR)
            c = cipi_csv_classify(f[j].p, f[j].len);
        size_t bad;
        if (c == CSV_STR && !cipi_csv_utf8_ok(f[j].p, f[j].len, &bad)) {
            cipi_csv_err_at(err, CE_UTF8, line0, ls0, f[j].p + bad);
            cipi_csv_err_value(err, f[j].p, f[j].len);
            err->field = j;
            return false;
        }
        bool range;
        if (r->forced[j] >= 0 && !cipi_csv_class_fits(c, (cip_type)r->forced[j], &range)) {
            cipi_csv_err_at(err, range ? CE_RANGE : CE_TYPE, line0, ls0, f[j].raw);
            cipi_csv_err_value(err, f[j].p, f[j].len);
            err->field = j;
            return false;
        }
        seen[j] |= CSV_SEEN(c) | (wide ? CSV_SEEN_WIDE : 0u);
        if (i == SIZE_MAX || r->forced[j] == (int)CIP_TYPE_CAT)
            continue;
        if (have)
            ((double *)r->vals[j])[i] = v;
        else
            store_field(r, j, c, &f[j], i, seen);
    }
    return true;
}

static void pass_a(const struct csv_reader *r, size_t c)
{
    struct csv_chunk *ch = &r->chunks[c];
    unsigned *seen = r->seen + c * r->stride;
    struct csv_field *f = r->fields + c * r->stride;
    struct csv_pos ps = {ch->beg, ch->end, 0, ch->beg, ch->beg};
    size_t rows = 0, n = r->n_cols;
    while (ps.p < ch->end) {
        size_t line0 = ps.line, nf;
        const char *ls0 = ps.line_start;
        if (cipi_csv_lex_row(&r->lx, &ps, f, n + 1, &nf, &ch->err) != ROW_OK)
            break;
        if (cipi_csv_is_blank(r, f, nf))
            continue;
        if (nf != n) {
            const char *at = nf > n ? f[n].raw : ps.row_end;
            cipi_csv_err_at(&ch->err, nf > n ? CE_TOO_MANY : CE_TOO_FEW, line0, ls0, at);
            ch->err.count = nf;
            break;
        }
        if (r->store && rows == ch->rows_pre) {
            cipi_csv_err_at(&ch->err, CE_INTERNAL, line0, ls0, ls0);
            break;
        }
        if (!check_row(r, f, seen, &ch->err, line0, ls0, r->store ? ch->row0 + rows : SIZE_MAX))
            break;
        rows++;
    }
    if (r->store && ch->err.kind == CE_NONE && rows != ch->rows_pre)
        cipi_csv_err_at(&ch->err, CE_INTERNAL, ps.line, ps.line_start, ps.line_start);
    ch->rows = rows;
    ch->lines = ps.line;
}

static cip_status push_chunk_rows(struct csv_reader *r, size_t rows)
{
    if (r->n_chunk_rows == r->cap_chunk_rows) {
        size_t cap = r->cap_chunk_rows ? 2 * r->cap_chunk_rows : 16;
        size_t *p = cipi_realloc(r->ctx, r->chunk_rows, cap * sizeof *p);
        if (p == NULL)
            return CIP_ERR_NOMEM;
        r->chunk_rows = p;
        r->cap_chunk_rows = cap;
    }
    r->chunk_rows[r->n_chunk_rows++] = rows;
    return CIP_OK;
}

static void run_parallel(const struct csv_reader *r, void (*fn)(const struct csv_reader *, size_t))
{
    size_t n = r->n_chunks;
    int nt = cipi_threads_for(r->ctx, n);
    (void)nt;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1)
#endif
    for (size_t c = 0; c < n; c++)
        fn(r, c);
}

static void count_chunk(const struct csv_reader *r, size_t c)
{
    struct csv_chunk *ch = &r->chunks[c];
    ch->rows_pre = cipi_csv_count_rows(ch->beg, ch->end, r->n_cols);
}

/* Pass A over one range of whole rows. In storing mode (one range: the whole
 * text) rows are counted first, so that each chunk knows its first row and
 * stores its values straight into the final arrays. */
static cip_status range_a(struct csv_reader *r, const char *beg, const char *end)
{
    if (r->rows_left != SIZE_MAX)
        end = rows_end(r, beg, end, r->rows_left);
    cip_status rc = make_chunks(r, beg, end);
    if (rc != CIP_OK)
        return rc;
    size_t n = r->n_chunks;
    if (r->store) {
        run_parallel(r, count_chunk);
        for (size_t c = 0; c < n; c++) {
            r->chunks[c].row0 = r->n_rows;
            r->n_rows += r->chunks[c].rows_pre;
        }
        rc = cipi_csv_alloc_store(r);
        if (rc != CIP_OK)
            return rc;
    }
    run_parallel(r, pass_a);
    for (size_t c = 0; c < n && rc == CIP_OK; c++) {
        const struct csv_chunk *ch = &r->chunks[c];
        if (ch->err.kind != CE_NONE)
            return cipi_csv_report(r, &ch->err, r->line);
        if (!r->store) {
            rc = push_chunk_rows(r, ch->rows);
            r->n_rows += ch->rows;
        }
        r->line += ch->lines;
        if (r->rows_left != SIZE_MAX)
            r->rows_left -= ch->rows;
        for (size_t j = 0; j < r->n_cols; j++)
            r->seen_all[j] |= r->seen[c * r->stride + j];
    }
    return rc;
}

static bool any_type(const struct csv_reader *r, bool cat)
{
    for (size_t j = 0; j < r->n_cols; j++)
        if ((r->types[j] == CIP_TYPE_CAT) == cat)
            return true;
    return false;
}

static cip_status chunk_errors(const struct csv_reader *r)
{
    for (size_t c = 0; c < r->n_chunks; c++)
        if (r->chunks[c].err.kind != CE_NONE)
            return cipi_csv_report(r, &r->chunks[c].err, 0);
    return CIP_OK;
}

/* Two-pass mode: passes B and C over one range (the same range pass A saw). */
static cip_status range_bc(struct csv_reader *r, const char *beg, const char *end)
{
    if (r->o.max_rows > 0)
        end = rows_end(r, beg, end, r->n_rows - r->row);
    cip_status rc = make_chunks(r, beg, end);
    if (rc != CIP_OK)
        return rc;
    for (size_t c = 0; c < r->n_chunks; c++) {
        if (r->chunk_cursor == r->n_chunk_rows) {
            struct csv_err e = {.kind = -1, .col = 1};
            return cipi_csv_report(r, &e, r->line);
        }
        r->chunks[c].row0 = r->row;
        r->chunks[c].rows = r->chunk_rows[r->chunk_cursor++];
        r->row += r->chunks[c].rows;
    }
    if (any_type(r, false)) {
        run_parallel(r, cipi_csv_pass_b);
        rc = chunk_errors(r);
    }
    return rc == CIP_OK && any_type(r, true) ? cipi_csv_pass_c(r) : rc;
}

/* --- drivers -------------------------------------------------------------------- */

static cip_status read_text(struct csv_reader *r, const char *text, size_t len, cip_frame **out)
{
    const char *data = NULL, *end = text + len;
    r->store = true;
    cip_status rc = cipi_csv_read_header(r, text, end, &data);
    if (rc == CIP_OK)
        rc = range_a(r, data, end);
    if (rc == CIP_OK)
        rc = cipi_csv_settle(r);
    bool redo = false;
    for (size_t j = 0; rc == CIP_OK && j < r->n_cols; j++)
        redo |= r->redo[j];
    if (rc == CIP_OK && redo) { /* int columns with values beyond 2^53 */
        run_parallel(r, cipi_csv_pass_b);
        rc = chunk_errors(r);
    }
    if (rc == CIP_OK && r->n_rows > 0 && any_type(r, true))
        rc = cipi_csv_pass_c(r);
    if (rc == CIP_OK)
        rc = cipi_csv_build_frame(r, out);
    return rc;
}

/* One pass over a gzip stream: A (bc false) or B and C. The header is parsed
 * from the first range in pass A and skipped (same bytes) in pass B. */
static cip_status stream_pass(struct csv_reader *r, struct csv_gz *z, bool bc, size_t *hdr)
{
    const char *beg, *end;
    bool first = true;
    for (;;) {
        cip_status rc = cipi_csv_gz_next(r->ctx, z, &beg, &end);
        if (rc != CIP_OK)
            return rc;
        if (first) {
            const char *data = beg;
            if (!bc) {
                rc = cipi_csv_read_header(r, beg, end, &data);
                *hdr = (size_t)(data - beg);
            }
            beg += *hdr;
            first = false;
            if (rc != CIP_OK)
                return rc;
        } else if (beg == end) {
            return CIP_OK;
        }
        if (bc ? r->row == r->n_rows : r->rows_left == 0)
            return CIP_OK; /* max_rows reached: the rest is never read */
        rc = bc ? range_bc(r, beg, end) : range_a(r, beg, end);
        if (rc != CIP_OK)
            return rc;
    }
}

static cip_status read_gzip(struct csv_reader *r, void *g, const char *path, cip_frame **out)
{
    struct csv_gz z;
    size_t hdr = 0, mf = r->o.max_field_bytes;
    size_t block = mf > GZ_BLOCK_MAX / 4   ? GZ_BLOCK_MAX
                   : mf * 4 < GZ_BLOCK_MIN ? GZ_BLOCK_MIN
                                           : mf * 4;
    size_t max_row = mf > SIZE_MAX / 4 ? SIZE_MAX / 2 : 2 * mf + ((size_t)16 << 20);
    cipi_csv_gz_init(&z, r->ctx, g, path, block, max_row);
    cip_status rc = stream_pass(r, &z, false, &hdr);
    if (rc == CIP_OK)
        rc = cipi_csv_alloc_typed(r);
    if (rc == CIP_OK && r->n_rows > 0) {
        rc = cipi_csv_gz_rewind(r->ctx, &z);
        if (rc == CIP_OK)
            rc = stream_pass(r, &z, true, &hdr);
        if (rc == CIP_OK && r->row != r->n_rows) {
            struct csv_err e = {.kind = -1, .col = 1};
            rc = cipi_csv_report(r, &e, r->line);
        }
    }
    if (rc == CIP_OK)
        rc = cipi_csv_build_frame(r, out);
    cipi_csv_gz_release(&z);
    return rc;
}

cip_status cip_frame_read_csv_mem(cip_ctx *ctx, const char *name, const char *data, size_t len,
                                  const cip_csv_read_opts *opts, cip_frame **out)
{
    if (out == NULL)
        return CIP_ERR_MISUSE;
    *out = NULL;
    if (ctx == NULL || (data == NULL && len > 0))
        return CIP_ERR_MISUSE;
    struct csv_reader r;
    cip_status rc = cipi_csv_reader_init(&r, ctx, name != NULL ? name : "<memory>", opts);
    if (rc == CIP_OK)
        rc = read_text(&r, len ? data : "", len, out);
    cipi_csv_reader_release(&r);
    return rc;
}

cip_status cip_frame_read_csv(cip_ctx *ctx, const char *path, const cip_csv_read_opts *opts,
                              cip_frame **out)
{
    if (out == NULL)
        return CIP_ERR_MISUSE;
    *out = NULL;
    if (ctx == NULL || path == NULL)
        return CIP_ERR_MISUSE;
    struct csv_reader r;
    struct csv_text t;
    memset(&t, 0, sizeof t);
    cip_status rc = cipi_csv_reader_init(&r, ctx, path, opts);
    if (rc == CIP_OK)
        rc = cipi_csv_text_open(ctx, path, &t);
    if (rc == CIP_OK)
        rc = t.gz != NULL ? read_gzip(&r, t.gz, path, out) : read_text(&r, t.p, t.len, out);
    cipi_csv_text_close(&t);
    cipi_csv_reader_release(&r);
    return rc;
}
