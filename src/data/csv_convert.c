/* csv_convert.c - CSV reader, after pass A: typed columns, passes B and C, the frame
 *
 * Two modes (csv_int.h): in storing mode (the whole text is in memory) pass A
 * already stored every number as a double in the final row slot, and
 * cipi_csv_settle() only converts in place (int64 from doubles, exact below
 * 2^53; columns with larger integers are parsed again by pass B). In the
 * two-pass mode (gzip streams) columns are allocated with their final type
 * and pass B parses the text a second time. Pass C interns categorical labels
 * serially in file order, so codes follow the order of first appearance.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "csv_int.h"

static inline bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* --- pass B --------------------------------------------------------------------- */

static void convert_field(const struct csv_reader *r, size_t j, const struct csv_field *f, size_t i)
{
    const char *p = f->p;
    size_t n = f->len;
    /* No missing-value token ends in a digit or '.', so those are numbers. */
    bool num = n > 0 && (is_digit(p[n - 1]) || p[n - 1] == '.');
    switch (r->types[j]) {
    case CIP_TYPE_INT:
        if (num && cipi_csv_int_fast(p, n, &((int64_t *)r->vals[j])[i]))
            return;
        if (num || cipi_csv_classify(p, n) != CSV_MISSING) {
            ((int64_t *)r->vals[j])[i] = cipi_csv_parse_int(p, n);
            return;
        }
        ((int64_t *)r->vals[j])[i] = 0;
        break;
    case CIP_TYPE_FLOAT:
        if (num && cipi_csv_float_fast(p, n, &((double *)r->vals[j])[i]))
            return;
        if (num || cipi_csv_classify(p, n) != CSV_MISSING) {
            ((double *)r->vals[j])[i] = cipi_csv_parse_float(p, n);
            return;
        }
        ((double *)r->vals[j])[i] = (double)NAN;
        break;
    case CIP_TYPE_BOOL:
        if (cipi_csv_classify(p, n) != CSV_MISSING) {
            ((uint8_t *)r->vals[j])[i] = cipi_csv_parse_bool(p, n);
            return;
        }
        ((uint8_t *)r->vals[j])[i] = 0;
        break;
    case CIP_TYPE_CAT:
        return;
    }
    cipi_csv_set_missing(r->miss[j], i);
}

/* Lex the next data row of a chunk (skipping blank lines); false at its end
 * or when the text no longer matches pass A (err then set). */
static bool next_row(const struct csv_reader *r, struct csv_pos *ps, struct csv_field *f,
                     struct csv_err *err)
{
    size_t nf, n = r->n_cols;
    while (ps->p < ps->end) {
        if (cipi_csv_lex_row(&r->lx, ps, f, n + 1, &nf, err) != ROW_OK)
            return false;
        if (cipi_csv_is_blank(r, f, nf))
            continue;
        if (nf != n) {
            err->kind = -1;
            return false;
        }
        return true;
    }
    return false;
}

void cipi_csv_pass_b(const struct csv_reader *r, size_t c)
{
    struct csv_chunk *ch = &r->chunks[c];
    struct csv_field *f = r->fields + c * r->stride;
    struct csv_pos ps = {ch->beg, ch->end, 0, ch->beg, ch->beg};
    size_t i = ch->row0, stop = ch->row0 + ch->rows;
    while (i < stop && next_row(r, &ps, f, &ch->err)) {
        for (size_t j = 0; j < r->n_cols; j++)
            if (r->redo == NULL || r->redo[j])
                convert_field(r, j, &f[j], i);
        i++;
    }
    if (i != stop || next_row(r, &ps, f, &ch->err))
        ch->err.kind = -1; /* the text changed under us */
}

/* --- pass C ------------------------------------------------------------------------ */

static cip_status intern_row(struct csv_reader *r, const struct csv_field *f, size_t i)
{
    for (size_t j = 0; j < r->n_cols; j++) {
        if (r->types[j] != CIP_TYPE_CAT)
            continue;
        uint32_t *codes = r->vals[j];
        if (cipi_csv_classify(f[j].p, f[j].len) == CSV_MISSING) {
            codes[i] = 0;
            cipi_csv_set_missing(r->miss[j], i);
            continue;
        }
        const char *s = f[j].p;
        size_t len = f[j].len;
        if (f[j].escaped) {
            r->tmp.len = 0;
            cip_status rc = cipi_buf_reserve(r->ctx, &r->tmp, len);
            if (rc != CIP_OK)
                return rc;
            len = cipi_csv_unescape(r->tmp.data, s, len);
            s = r->tmp.data;
        }
        cip_status rc = cipi_strmap_intern(r->ctx, &r->maps[j], s, len, &codes[i]);
        if (rc != CIP_OK)
            return rc;
    }
    return CIP_OK;
}

cip_status cipi_csv_pass_c(struct csv_reader *r)
{
    for (size_t c = 0; c < r->n_chunks; c++) {
        struct csv_chunk *ch = &r->chunks[c];
        struct csv_pos ps = {ch->beg, ch->end, 0, ch->beg, ch->beg};
        for (size_t i = ch->row0; i < ch->row0 + ch->rows; i++) {
            if (!next_row(r, &ps, r->fields, &ch->err))
                return cipi_csv_report(r, &ch->err, 0);
            cip_status rc = intern_row(r, r->fields, i);
            if (rc != CIP_OK)
                return rc;
        }
    }
    return CIP_OK;
}

/* --- column arrays -------------------------------------------------------------------- */

void cipi_csv_decide(struct csv_reader *r)
{
    for (size_t j = 0; j < r->n_cols; j++)
        r->types[j] =
            r->forced[j] >= 0 ? (cip_type)r->forced[j] : cipi_csv_decide_type(r->seen_all[j]);
}

cip_status cipi_csv_alloc_typed(struct csv_reader *r)
{
    size_t n = r->n_rows ? r->n_rows : 1;
    cipi_csv_decide(r);
    for (size_t j = 0; j < r->n_cols; j++) {
        r->vals[j] = cipi_mallocarray(r->ctx, n, cipi_type_size(r->types[j]));
        if (r->vals[j] == NULL)
            return CIP_ERR_NOMEM;
        if (r->seen_all[j] & CSV_SEEN(CSV_MISSING)) {
            r->miss[j] = cipi_calloc(r->ctx, cipi_bitmap_bytes(n), 1);
            if (r->miss[j] == NULL)
                return CIP_ERR_NOMEM;
        }
    }
    cipi_progress(r->ctx, "reading csv", 1, 2);
    return CIP_OK;
}

cip_status cipi_csv_alloc_store(struct csv_reader *r)
{
    size_t n = r->n_rows ? r->n_rows : 1;
    r->redo = cipi_calloc(r->ctx, r->n_cols ? r->n_cols : 1, 1);
    if (r->redo == NULL)
        return CIP_ERR_NOMEM;
    for (size_t j = 0; j < r->n_cols; j++) {
        r->vals[j] = cipi_mallocarray(r->ctx, n, sizeof(double));
        r->miss[j] = cipi_calloc(r->ctx, cipi_bitmap_bytes(n), 1);
        if (r->vals[j] == NULL || r->miss[j] == NULL)
            return CIP_ERR_NOMEM;
    }
    return CIP_OK;
}

/* Stored doubles of column j to int64 in place (missing cells become 0). The
 * block is accessed through memcpy: it changes its effective type. */
static void doubles_to_int(char *base, const uint8_t *miss, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double d;
        memcpy(&d, base + 8 * i, 8);
        int64_t v = cipi_bit(miss, i) ? 0 : (int64_t)d;
        memcpy(base + 8 * i, &v, 8);
    }
}

cip_status cipi_csv_settle(struct csv_reader *r)
{
    size_t n = r->n_rows, nc = r->n_cols;
    cipi_csv_decide(r);
    uint8_t **bools = cipi_calloc(r->ctx, nc ? nc : 1, sizeof *bools);
    if (bools == NULL)
        return CIP_ERR_NOMEM;
    cip_status rc = CIP_OK;
    for (size_t j = 0; j < nc && rc == CIP_OK; j++) {
        if (r->types[j] == CIP_TYPE_BOOL) {
            bools[j] = cipi_malloc(r->ctx, n ? n : 1);
            rc = bools[j] == NULL ? CIP_ERR_NOMEM : CIP_OK;
        }
        r->redo[j] = r->types[j] == CIP_TYPE_INT && (r->seen_all[j] & CSV_SEEN_WIDE);
    }
    if (rc == CIP_OK) {
        int nt = cipi_threads_for(r->ctx, nc);
        (void)nt;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1)
#endif
        for (size_t j = 0; j < nc; j++) {
            const double *d = r->vals[j];
            if (r->types[j] == CIP_TYPE_INT && !r->redo[j]) {
                doubles_to_int(r->vals[j], r->miss[j], n);
            } else if (r->types[j] == CIP_TYPE_BOOL) {
                for (size_t i = 0; i < n; i++)
                    bools[j][i] = !cipi_bit(r->miss[j], i) && d[i] != 0.0;
            }
        }
        for (size_t j = 0; j < nc; j++) {
            if (bools[j] != NULL) {
                cipi_free(r->ctx, r->vals[j]);
                r->vals[j] = bools[j];
            }
        }
    } else {
        for (size_t j = 0; j < nc; j++)
            cipi_free(r->ctx, bools[j]);
    }
    cipi_free(r->ctx, bools);
    cipi_progress(r->ctx, "reading csv", 1, 2);
    return rc;
}

cip_status cipi_csv_build_frame(struct csv_reader *r, cip_frame **out)
{
    cip_frame *f = NULL;
    cip_status rc = cip_frame_new(r->ctx, r->n_rows, &f);
    for (size_t j = 0; j < r->n_cols && rc == CIP_OK; j++) {
        char **levels = NULL;
        size_t n_levels = 0;
        if (r->types[j] == CIP_TYPE_CAT) {
            levels = cipi_strmap_detach_keys(&r->maps[j], &n_levels);
            if (r->store) { /* codes live in a block sized for doubles: shrink it */
                void *p = cipi_realloc(r->ctx, r->vals[j], (r->n_rows ? r->n_rows : 1) * 4);
                if (p != NULL)
                    r->vals[j] = p;
                cip_ctx_clear_error(r->ctx); /* a failed shrink is harmless */
            }
        }
        rc = cipi_frame_add_taken(r->ctx, f, r->names[j], r->types[j], r->vals[j], r->miss[j],
                                  levels, n_levels);
        r->vals[j] = NULL;
        r->miss[j] = NULL;
    }
    if (rc != CIP_OK) {
        cip_frame_free(f);
        return rc;
    }
    cipi_progress(r->ctx, "reading csv", 2, 2);
    *out = f;
    return CIP_OK;
}
