/* decode.c - scoring request bodies (MLflow JSON forms, one record, CSV) -> frames
 *
 * Every body is checked against the model signature: a frame with exactly the
 * signature's columns and types comes out, or a message naming the column and
 * the row. JSON is parsed with jansson (duplicate keys rejected).
 * SPDX-License-Identifier: MIT
 */
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "serve_int.h"

#define MAX_CELLS 10000000u

/* Where the cells of a decoded body live. */
enum shape { SPLIT, RECORDS, LISTS, COLUMNS };

struct source {
    enum shape shape;
    json_t *rows; /* SPLIT: data; RECORDS/LISTS: the list; COLUMNS: the object */
    size_t n_rows;
    long *col_of;      /* SPLIT: signature column -> index in "columns" (-1 absent) */
    size_t split_cols; /* SPLIT: number of columns */
};

static const char *type_word(cip_type t)
{
    switch (t) {
    case CIP_TYPE_INT:
        return "an integer";
    case CIP_TYPE_FLOAT:
        return "a number";
    case CIP_TYPE_BOOL:
        return "a boolean";
    default:
        return "a string";
    }
}

static const json_t *cell(const struct source *src, const cip_serve_field *f, size_t k, size_t i)
{
    const json_t *row;
    switch (src->shape) {
    case SPLIT:
        row = json_array_get(src->rows, i);
        return src->col_of[k] < 0 ? NULL : json_array_get(row, (size_t)src->col_of[k]);
    case RECORDS:
        return json_object_get(json_array_get(src->rows, i), f->name);
    case LISTS:
        return json_array_get(json_array_get(src->rows, i), k);
    default:
        return json_array_get(json_object_get(src->rows, f->name), i);
    }
}

static cip_status put_cell(cip_ctx *ctx, const cip_serve_field *f, const json_t *v, size_t i,
                           struct cipi_serve_cols *c)
{
    if (v == NULL || json_is_null(v)) {
        c->miss[i / 8] |= (uint8_t)(1u << (i % 8));
        return CIP_OK;
    }
    switch (f->type) {
    case CIP_TYPE_INT:
        if (json_is_integer(v)) {
            c->i64[i] = (int64_t)json_integer_value(v);
            return CIP_OK;
        }
        if (json_is_real(v)) {
            double d = json_real_value(v);
            if (d == floor(d) && fabs(d) < 9.0e18) {
                c->i64[i] = (int64_t)d;
                return CIP_OK;
            }
        }
        break;
    case CIP_TYPE_FLOAT:
        if (json_is_number(v)) {
            c->f64[i] = json_number_value(v);
            return CIP_OK;
        }
        break;
    case CIP_TYPE_BOOL:
        if (json_is_boolean(v)) {
            c->b[i] = json_is_true(v) ? 1 : 0;
            return CIP_OK;
        }
        break;
    default:
        if (json_is_string(v)) {
            c->s[i] = json_string_value(v);
            return CIP_OK;
        }
        break;
    }
    return cipi_fail(ctx, CIP_ERR_SCHEMA, "column '%s', row %zu: expected %s", f->name, i,
                     type_word(f->type));
}

cip_status cipi_serve_add_column(cip_ctx *ctx, const cip_serve_field *f,
                                 const struct cipi_serve_cols *c, size_t n, cip_frame *out)
{
    bool any = false;
    for (size_t k = 0; k < (n + 7) / 8; k++)
        any |= c->miss[k] != 0;
    const uint8_t *m = any ? c->miss : NULL;
    switch (f->type) {
    case CIP_TYPE_INT:
        return cip_frame_add_i64(ctx, out, f->name, c->i64, m);
    case CIP_TYPE_FLOAT:
        return cip_frame_add_f64(ctx, out, f->name, c->f64, m);
    case CIP_TYPE_BOOL:
        return cip_frame_add_bool(ctx, out, f->name, c->b, m);
    default:
        return cip_frame_add_strings(ctx, out, f->name, c->s);
    }
}

/* Requests up to this many rows / signature columns use stack scratch (no allocation). */
#define SMALL_ROWS 8
#define SMALL_COLS 64

/* Build the frame column by column; one scratch block reused for every column. */
static cip_status build(cip_ctx *ctx, const cip_serve_field *sig, size_t n_sig,
                        const struct source *src, cip_frame **out)
{
    size_t n = src->n_rows, cells;
    if (!cipi_mul_ok(n, n_sig, &cells) || cells > MAX_CELLS)
        return cipi_fail(ctx, CIP_ERR_LIMIT, "request too large: %zu rows x %zu columns", n, n_sig);
    size_t nn = n ? n : 1, mb = (n + 7) / 8 + 1;
    int64_t s_i64[SMALL_ROWS];
    double s_f64[SMALL_ROWS];
    uint8_t s_b[SMALL_ROWS], s_miss[SMALL_ROWS / 8 + 2];
    const char *s_s[SMALL_ROWS];
    bool small = nn <= SMALL_ROWS;
    struct cipi_serve_cols c;
    c.i64 = small ? s_i64 : cipi_mallocarray(ctx, nn, sizeof *c.i64);
    c.f64 = small ? s_f64 : cipi_mallocarray(ctx, nn, sizeof *c.f64);
    c.b = small ? s_b : cipi_mallocarray(ctx, nn, 1);
    c.s = small ? s_s : cipi_mallocarray(ctx, nn, sizeof *c.s);
    c.miss = small ? s_miss : cipi_malloc(ctx, mb);
    cip_frame *f = NULL;
    cip_status rc = c.i64 == NULL || c.f64 == NULL || c.b == NULL || c.s == NULL || c.miss == NULL
                        ? CIP_ERR_NOMEM
                        : cip_frame_new(ctx, n, &f);
    for (size_t k = 0; rc == CIP_OK && k < n_sig; k++) {
        memset(c.miss, 0, mb);
        memset(c.s, 0, nn * sizeof *c.s);
        for (size_t i = 0; rc == CIP_OK && i < n; i++)
            rc = put_cell(ctx, &sig[k], cell(src, &sig[k], k, i), i, &c);
        if (rc == CIP_OK)
            rc = cipi_serve_add_column(ctx, &sig[k], &c, n, f);
    }
    if (!small) {
        cipi_free(ctx, c.i64);
        cipi_free(ctx, c.f64);
        cipi_free(ctx, c.b);
        cipi_free(ctx, c.s);
        cipi_free(ctx, c.miss);
    }
    if (rc != CIP_OK)
        cip_frame_free(f);
    else
        *out = f;
    return rc;
}

/* "missing column(s) 'a', 'b'" when some signature columns have no source. */
static cip_status missing_columns(cip_ctx *ctx, const cip_serve_field *sig, size_t n_sig,
                                  const bool *present)
{
    char msg[1024];
    size_t len = 0, n_missing = 0;
    for (size_t k = 0; k < n_sig; k++) {
        if (present[k])
            continue;
        n_missing++;
        int w = snprintf(msg + len, sizeof msg - len, "%s'%s'", len ? ", " : "", sig[k].name);
        if (w < 0 || (size_t)w >= sizeof msg - len)
            break;
        len += (size_t)w;
    }
    if (n_missing == 0)
        return CIP_OK;
    return cipi_fail(ctx, CIP_ERR_SCHEMA, "the model needs input column%s %s",
                     n_missing > 1 ? "s" : "", msg);
}

static cip_status from_split(cip_ctx *ctx, const cip_serve_field *sig, size_t n_sig, json_t *v,
                             struct source *src, bool *present)
{
    json_t *cols = json_object_get(v, "columns"), *data = json_object_get(v, "data");
    if (!json_is_object(v) || !json_is_array(data))
        return cipi_fail(ctx, CIP_ERR_PARSE,
                         "dataframe_split needs an object with a \"data\" "
                         "list (and \"columns\")");
    if (cols != NULL && !json_is_array(cols))
        return cipi_fail(ctx, CIP_ERR_PARSE, "dataframe_split: \"columns\" must be a list");
    json_t *index = json_object_get(v, "index");
    if (index != NULL && (!json_is_array(index) || json_array_size(index) != json_array_size(data)))
        return cipi_fail(ctx, CIP_ERR_PARSE,
                         "dataframe_split: \"index\" must be a list as long "
                         "as \"data\"");
    src->shape = SPLIT;
    src->rows = data;
    src->n_rows = json_array_size(data);
    src->split_cols = cols != NULL ? json_array_size(cols) : n_sig;
    for (size_t i = 0; i < src->n_rows; i++) {
        json_t *row = json_array_get(data, i);
        if (!json_is_array(row) || json_array_size(row) != src->split_cols)
            return cipi_fail(ctx, CIP_ERR_PARSE,
                             "dataframe_split: row %zu must be a list of %zu values", i,
                             src->split_cols);
    }
    for (size_t k = 0; k < n_sig; k++) {
        src->col_of[k] = cols == NULL ? (long)k : -1;
        for (size_t c = 0; cols != NULL && c < json_array_size(cols); c++) {
            const char *name = json_string_value(json_array_get(cols, c));
            if (name == NULL)
                return cipi_fail(ctx, CIP_ERR_PARSE,
                                 "dataframe_split: column %zu is not a "
                                 "string",
                                 c);
            if (strcmp(name, sig[k].name) == 0)
                src->col_of[k] = (long)c;
        }
        present[k] = src->col_of[k] >= 0;
    }
    return CIP_OK;
}

/* A list of row objects or of value lists (dataframe_records, instances, inputs). */
static cip_status from_rows(cip_ctx *ctx, const char *key, const cip_serve_field *sig, size_t n_sig,
                            json_t *v, struct source *src, bool *present)
{
    src->rows = v;
    src->n_rows = json_array_size(v);
    src->shape = RECORDS;
    if (src->n_rows > 0 && json_is_array(json_array_get(v, 0)) && strcmp(key, "dataframe_records"))
        src->shape = LISTS;
    for (size_t i = 0; i < src->n_rows; i++) {
        json_t *row = json_array_get(v, i);
        if (src->shape == RECORDS && !json_is_object(row))
            return cipi_fail(ctx, CIP_ERR_PARSE, "%s: row %zu is not an object", key, i);
        if (src->shape == LISTS && (!json_is_array(row) || json_array_size(row) != n_sig))
            return cipi_fail(ctx, CIP_ERR_PARSE, "%s: row %zu must be a list of %zu values", key, i,
                             n_sig);
        for (size_t k = 0; k < n_sig; k++)
            present[k] |= src->shape == LISTS || json_object_get(row, sig[k].name) != NULL;
    }
    for (size_t k = 0; src->n_rows == 0 && k < n_sig; k++)
        present[k] = true; /* an empty list scores nothing */
    return CIP_OK;
}

static cip_status from_columns(cip_ctx *ctx, const cip_serve_field *sig, size_t n_sig, json_t *v,
                               struct source *src, bool *present)
{
    src->shape = COLUMNS;
    src->rows = v;
    bool first = true;
    for (size_t k = 0; k < n_sig; k++) {
        json_t *col = json_object_get(v, sig[k].name);
        present[k] = col != NULL;
        if (col == NULL)
            continue;
        if (!json_is_array(col))
            return cipi_fail(ctx, CIP_ERR_PARSE, "inputs: column '%s' must be a list", sig[k].name);
        if (!first && json_array_size(col) != src->n_rows)
            return cipi_fail(ctx, CIP_ERR_PARSE, "inputs: columns have different lengths");
        src->n_rows = json_array_size(col);
        first = false;
    }
    return CIP_OK;
}

static const char *const k_keys[] = {"dataframe_split", "dataframe_records", "instances", "inputs"};

static cip_status pick_source(cip_ctx *ctx, const cip_serve_field *sig, size_t n_sig, json_t *root,
                              struct source *src, bool *present)
{
    if (!json_is_object(root))
        return cipi_fail(ctx, CIP_ERR_PARSE,
                         "the body must be a JSON object with one of the keys dataframe_split, "
                         "dataframe_records, instances, inputs");
    const char *found = NULL, *key;
    json_t *v = NULL, *val;
    json_object_foreach(root, key, val)
    {
        bool known = strcmp(key, "params") == 0;
        for (size_t k = 0; k < CIP_ARRAY_LEN(k_keys); k++) {
            if (strcmp(key, k_keys[k]) != 0)
                continue;
            if (found != NULL)
                return cipi_fail(ctx, CIP_ERR_PARSE,
                                 "the body has both '%s' and '%s'; give exactly one input format",
                                 found, key);
            found = k_keys[k];
            v = val;
            known = true;
        }
        if (!known)
            return cipi_fail(ctx, CIP_ERR_PARSE,
                             "unknown key '%s'; the body needs exactly one of dataframe_split, "
                             "dataframe_records, instances, inputs (and optional params)",
                             key);
    }
    json_t *params = json_object_get(root, "params");
    if (params != NULL && !json_is_object(params))
        return cipi_fail(ctx, CIP_ERR_PARSE, "'params' must be an object");
    if (found == NULL)
        return cipi_fail(ctx, CIP_ERR_PARSE,
                         "the body needs one of the keys dataframe_split, dataframe_records, "
                         "instances, inputs (MLflow 2.0 scoring protocol)");
    if (strcmp(found, "dataframe_split") == 0)
        return from_split(ctx, sig, n_sig, v, src, present);
    if (json_is_array(v))
        return from_rows(ctx, found, sig, n_sig, v, src, present);
    if (strcmp(found, "inputs") == 0 && json_is_object(v))
        return from_columns(ctx, sig, n_sig, v, src, present);
    return cipi_fail(ctx, CIP_ERR_PARSE, "'%s' must be a list%s", found,
                     strcmp(found, "inputs") == 0 ? " or an object of column lists" : "");
}

static cip_status parse(cip_ctx *ctx, const char *body, size_t len, json_t **root)
{
    json_error_t err;
    *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err);
    if (*root == NULL)
        return cipi_fail(ctx, CIP_ERR_PARSE, "invalid JSON at line %d, column %d: %s", err.line,
                         err.column, err.text);
    return CIP_OK;
}

static cip_status decode(cip_ctx *ctx, const cip_serve_field *sig, size_t n_sig, const char *body,
                         size_t len, int one_record, cip_frame **out)
{
    json_t *root = NULL, *wrap = NULL;
    struct source src;
    memset(&src, 0, sizeof src);
    bool s_present[SMALL_COLS] = {false}, small = n_sig <= SMALL_COLS;
    long s_col_of[SMALL_COLS] = {0};
    bool *present = small ? s_present : cipi_calloc(ctx, n_sig, sizeof *present);
    src.col_of = small ? s_col_of : cipi_calloc(ctx, n_sig, sizeof *src.col_of);
    cip_status rc = present == NULL || src.col_of == NULL ? CIP_ERR_NOMEM : CIP_OK;
    if (rc == CIP_OK && (body == NULL || sig == NULL))
        rc = cipi_fail(ctx, CIP_ERR_MISUSE, "cip_serve_decode: NULL argument");
    if (rc == CIP_OK)
        rc = parse(ctx, body, len, &root);
    if (rc == CIP_OK && one_record) {
        if (!json_is_object(root)) {
            rc = cipi_fail(ctx, CIP_ERR_PARSE, "the body must be a JSON object of fields");
        } else {
            wrap = json_array();
            if (wrap == NULL || json_array_append(wrap, root) != 0)
                rc = cipi_nomem(ctx);
            if (rc == CIP_OK)
                rc = from_rows(ctx, "record", sig, n_sig, wrap, &src, present);
        }
    } else if (rc == CIP_OK) {
        rc = pick_source(ctx, sig, n_sig, root, &src, present);
    }
    if (rc == CIP_OK)
        rc = missing_columns(ctx, sig, n_sig, present);
    if (rc == CIP_OK)
        rc = build(ctx, sig, n_sig, &src, out);
    json_decref(wrap);
    json_decref(root);
    if (!small) {
        cipi_free(ctx, present);
        cipi_free(ctx, src.col_of);
    }
    return rc;
}

cip_status cip_serve_decode_json(cip_ctx *ctx, const cip_serve_field *sig, size_t n_sig,
                                 const char *body, size_t len, cip_frame **out)
{
    *out = NULL;
    if (body != NULL && sig != NULL) { /* the common small body first, without a JSON tree */
        cip_status rc = cipi_serve_decode_fast(ctx, sig, n_sig, body, len, out);
        if (rc != CIP_OK || *out != NULL)
            return rc;
    }
    return decode(ctx, sig, n_sig, body, len, 0, out);
}

cip_status cip_serve_decode_record(cip_ctx *ctx, const cip_serve_field *sig, size_t n_sig,
                                   const char *body, size_t len, cip_frame **out)
{
    *out = NULL;
    return decode(ctx, sig, n_sig, body, len, 1, out);
}

cip_status cip_serve_decode_csv(cip_ctx *ctx, const cip_serve_field *sig, size_t n_sig,
                                const char *body, size_t len, int keep_all, cip_frame **out)
{
    *out = NULL;
    if (body == NULL || sig == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "cip_serve_decode_csv: NULL argument");
    cip_frame *f = NULL;
    cip_csv_read_opts o;
    cip_csv_read_opts_default(&o);
    o.max_field_bytes = 1u << 20;
    cip_status rc = cip_frame_read_csv_mem(ctx, "body", body, len, &o, &f);
    if (rc != CIP_OK)
        return rc == CIP_ERR_SCHEMA || rc == CIP_ERR_CONFLICT || rc == CIP_ERR_LIMIT ? CIP_ERR_PARSE
                                                                                     : rc;
    bool *present = cipi_calloc(ctx, n_sig ? n_sig : 1, sizeof *present);
    if (present == NULL) {
        cip_frame_free(f);
        return CIP_ERR_NOMEM;
    }
    size_t j;
    for (size_t k = 0; k < n_sig; k++)
        present[k] = cip_frame_find(NULL, f, sig[k].name, &j) == CIP_OK;
    rc = missing_columns(ctx, sig, n_sig, present);
    cipi_free(ctx, present);
    cip_frame *res = NULL;
    if (rc == CIP_OK)
        rc = cipi_serve_convert(ctx, sig, n_sig, f, keep_all, &res);
    cip_frame_free(f);
    if (rc == CIP_OK)
        *out = res;
    return rc;
}
