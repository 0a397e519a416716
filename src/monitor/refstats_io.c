/* refstats_io.c - reference.json: write with the track module's JSON writer, read with jansson
 *
 * {"format":"cip-reference","version":1,"rows":N,"task":"clv","target":"purchase_amount",
 *  "label_column":null,"label_threshold":null,"metrics":{"test_r2":0.71,...},
 *  "columns":[COLUMN...],"prediction":COLUMN|null}
 * COLUMN numeric:     {"name","type":"numeric","integer":bool,"count","missing","min","max",
 *                      "mean","std","quantiles":[101],"cdf":[101],"histogram":[20]}
 *        categorical: {"name","type":"categorical","count","missing","levels":[..],"freq":[..],
 *                      "other":bool}
 * SPDX-License-Identifier: MIT
 */
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "monitor_int.h"

static cip_status put_kn(cip_ctx *ctx, struct cipi_json *j, const char *k, double v)
{
    cip_status rc = cipi_json_key(ctx, j, k);
    return rc == CIP_OK ? cipi_json_num(ctx, j, v) : rc;
}

static cip_status put_ks(cip_ctx *ctx, struct cipi_json *j, const char *k, const char *v)
{
    cip_status rc = cipi_json_key(ctx, j, k);
    if (rc != CIP_OK)
        return rc;
    return v != NULL ? cipi_json_str(ctx, j, v) : cipi_json_null(ctx, j);
}

static cip_status put_arr(cip_ctx *ctx, struct cipi_json *j, const char *k, const double *v,
                          size_t n)
{
    cip_status rc = cipi_json_key(ctx, j, k);
    if (rc == CIP_OK)
        rc = cipi_json_begin(ctx, j, '[');
    for (size_t i = 0; rc == CIP_OK && i < n; i++)
        rc = cipi_json_num(ctx, j, v[i]);
    return rc == CIP_OK ? cipi_json_end(ctx, j, ']') : rc;
}

static cip_status put_col(cip_ctx *ctx, struct cipi_json *j, const struct mon_col *c)
{
    cip_status rc = cipi_json_begin(ctx, j, '{');
    if (rc == CIP_OK)
        rc = put_ks(ctx, j, "name", c->name);
    if (rc == CIP_OK)
        rc = put_ks(ctx, j, "type", c->categorical ? "categorical" : "numeric");
    if (rc == CIP_OK)
        rc = put_kn(ctx, j, "count", (double)c->n);
    if (rc == CIP_OK)
        rc = put_kn(ctx, j, "missing", (double)c->n_missing);
    if (rc == CIP_OK && c->categorical) {
        rc = cipi_json_key(ctx, j, "levels");
        if (rc == CIP_OK)
            rc = cipi_json_begin(ctx, j, '[');
        for (size_t k = 0; rc == CIP_OK && k < c->cat.k; k++)
            rc = cipi_json_str(ctx, j, c->cat.level[k]);
        if (rc == CIP_OK)
            rc = cipi_json_end(ctx, j, ']');
        if (rc == CIP_OK)
            rc = put_arr(ctx, j, "freq", c->cat.freq, c->cat.k);
        if (rc == CIP_OK)
            rc = cipi_json_key(ctx, j, "other");
        if (rc == CIP_OK)
            rc = cipi_json_bool(ctx, j, c->cat.has_other != 0);
    } else if (rc == CIP_OK) {
        const struct mon_num *r = &c->num;
        double h[MON_NHIST];
        for (size_t k = 0; k < MON_NHIST; k++)
            h[k] = (double)r->hist[k];
        rc = cipi_json_key(ctx, j, "integer");
        if (rc == CIP_OK)
            rc = cipi_json_bool(ctx, j, r->integer != 0);
        if (rc == CIP_OK)
            rc = put_kn(ctx, j, "min", r->min);
        if (rc == CIP_OK)
            rc = put_kn(ctx, j, "max", r->max);
        if (rc == CIP_OK)
            rc = put_kn(ctx, j, "mean", r->mean);
        if (rc == CIP_OK)
            rc = put_kn(ctx, j, "std", r->std);
        if (rc == CIP_OK)
            rc = put_arr(ctx, j, "quantiles", r->q, MON_NQ);
        if (rc == CIP_OK)
            rc = put_arr(ctx, j, "cdf", r->cdf, MON_NQ);
        if (rc == CIP_OK)
            rc = put_arr(ctx, j, "histogram", h, MON_NHIST);
    }
    return rc == CIP_OK ? cipi_json_end(ctx, j, '}') : rc;
}

static cip_status write_doc(cip_ctx *ctx, const cip_refstats *rs, struct cipi_json *j)
{
    cip_status rc = cipi_json_begin(ctx, j, '{');
    if (rc == CIP_OK)
        rc = put_ks(ctx, j, "format", "cip-reference");
    if (rc == CIP_OK)
        rc = put_kn(ctx, j, "version", 1);
    if (rc == CIP_OK)
        rc = put_kn(ctx, j, "rows", (double)rs->n_rows);
    if (rc == CIP_OK)
        rc = put_ks(ctx, j, "task", rs->task);
    if (rc == CIP_OK)
        rc = put_ks(ctx, j, "target", rs->target);
    if (rc == CIP_OK)
        rc = put_ks(ctx, j, "label_column", rs->label_column);
    if (rc == CIP_OK)
        rc = put_kn(ctx, j, "label_threshold", rs->label_threshold);
    if (rc == CIP_OK)
        rc = cipi_json_key(ctx, j, "metrics");
    if (rc == CIP_OK)
        rc = cipi_json_begin(ctx, j, '{');
    for (size_t k = 0; rc == CIP_OK && k < rs->n_metrics; k++)
        rc = put_kn(ctx, j, rs->metric_name[k], rs->metric_value[k]);
    if (rc == CIP_OK)
        rc = cipi_json_end(ctx, j, '}');
    if (rc == CIP_OK)
        rc = cipi_json_key(ctx, j, "columns");
    if (rc == CIP_OK)
        rc = cipi_json_begin(ctx, j, '[');
    for (size_t k = 0; rc == CIP_OK && k < rs->n_cols; k++)
        rc = put_col(ctx, j, &rs->cols[k]);
    if (rc == CIP_OK)
        rc = cipi_json_end(ctx, j, ']');
    if (rc == CIP_OK)
        rc = cipi_json_key(ctx, j, "prediction");
    if (rc == CIP_OK)
        rc = rs->has_pred ? put_col(ctx, j, &rs->pred) : cipi_json_null(ctx, j);
    return rc == CIP_OK ? cipi_json_end(ctx, j, '}') : rc;
}

cip_status cip_refstats_save(cip_ctx *ctx, const cip_refstats *rs, const char *path)
{
    struct cipi_buf b;
    struct cipi_json j;
    cipi_buf_init(&b, ctx, 0);
    cipi_json_init(&j, &b);
    cip_status rc = write_doc(ctx, rs, &j);
    if (rc == CIP_OK)
        rc = cipi_buf_putc(ctx, &b, '\n');
    if (rc == CIP_OK)
        rc = cipi_write_file_atomic(ctx, path, b.data, b.len);
    cipi_buf_release(&b);
    return rc;
}

/* --- reading ------------------------------------------------------------------------------- */
static double num_or_nan(const json_t *v)
{
    return json_is_number(v) ? json_number_value(v) : MON_NAN;
}

static cip_status bad(cip_ctx *ctx, const char *path, const char *col, const char *field)
{
    return cipi_fail(ctx, CIP_ERR_PARSE, "%s: column '%s': missing or malformed \"%s\"", path,
                     col != NULL ? col : "?", field);
}

static int get_arr(const json_t *o, const char *k, double *out, size_t n)
{
    const json_t *a = json_object_get(o, k);
    if (!json_is_array(a) || json_array_size(a) != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_array_get(a, i);
        if (!json_is_number(v) && !json_is_null(v))
            return 0;
        out[i] = num_or_nan(v);
    }
    return 1;
}

static cip_status read_col(cip_ctx *ctx, const char *path, const json_t *o, struct mon_col *c)
{
    memset(c, 0, sizeof *c);
    const char *name = json_string_value(json_object_get(o, "name"));
    const char *type = json_string_value(json_object_get(o, "type"));
    if (name == NULL || type == NULL)
        return bad(ctx, path, name, name == NULL ? "name" : "type");
    if ((c->name = cipi_strdup(ctx, name)) == NULL)
        return CIP_ERR_NOMEM;
    c->categorical = strcmp(type, "categorical") == 0;
    double cnt = num_or_nan(json_object_get(o, "count"));
    double miss = num_or_nan(json_object_get(o, "missing"));
    if (!(cnt >= 0) || !(miss >= 0))
        return bad(ctx, path, name, "count");
    c->n = (uint64_t)cnt;
    c->n_missing = (uint64_t)miss;
    if (c->categorical) {
        const json_t *lv = json_object_get(o, "levels");
        size_t k = json_array_size(lv);
        if (!json_is_array(lv) || k > CIP_REFSTATS_MAX_LEVELS + 1)
            return bad(ctx, path, name, "levels");
        c->cat.level = cipi_calloc(ctx, k ? k : 1, sizeof *c->cat.level);
        c->cat.freq = cipi_calloc(ctx, k ? k : 1, sizeof *c->cat.freq);
        if (c->cat.level == NULL || c->cat.freq == NULL)
            return CIP_ERR_NOMEM;
        c->cat.k = k;
        for (size_t i = 0; i < k; i++) {
            const char *s = json_string_value(json_array_get(lv, i));
            if (s == NULL)
                return bad(ctx, path, name, "levels");
            if ((c->cat.level[i] = cipi_strdup(ctx, s)) == NULL)
                return CIP_ERR_NOMEM;
        }
        if (!get_arr(o, "freq", c->cat.freq, k))
            return bad(ctx, path, name, "freq");
        c->cat.has_other = json_is_true(json_object_get(o, "other"));
        return CIP_OK;
    }
    struct mon_num *r = &c->num;
    double h[MON_NHIST];
    r->integer = json_is_true(json_object_get(o, "integer"));
    r->min = num_or_nan(json_object_get(o, "min"));
    r->max = num_or_nan(json_object_get(o, "max"));
    r->mean = num_or_nan(json_object_get(o, "mean"));
    r->std = num_or_nan(json_object_get(o, "std"));
    if (!get_arr(o, "quantiles", r->q, MON_NQ))
        return bad(ctx, path, name, "quantiles");
    if (!get_arr(o, "cdf", r->cdf, MON_NQ))
        return bad(ctx, path, name, "cdf");
    if (!get_arr(o, "histogram", h, MON_NHIST))
        return bad(ctx, path, name, "histogram");
    for (size_t k = 0; k < MON_NHIST; k++)
        r->hist[k] = h[k] >= 0 ? (uint64_t)h[k] : 0;
    for (size_t k = 1; c->n > 0 && k < MON_NQ; k++)
        if (!(r->q[k] >= r->q[k - 1]))
            return bad(ctx, path, name, "quantiles");
    cipi_mon_col_derive(c);
    return CIP_OK;
}

static cip_status read_doc(cip_ctx *ctx, const char *path, const json_t *doc, cip_refstats *rs)
{
    const char *fmt = json_string_value(json_object_get(doc, "format"));
    if (fmt == NULL || strcmp(fmt, "cip-reference") != 0)
        return cipi_fail(ctx, CIP_ERR_PARSE, "%s: not a cip reference file (format)", path);
    if (num_or_nan(json_object_get(doc, "version")) != 1)
        return cipi_fail(ctx, CIP_ERR_PARSE, "%s: unsupported reference version", path);
    double rows = num_or_nan(json_object_get(doc, "rows"));
    if (!(rows >= 0))
        return cipi_fail(ctx, CIP_ERR_PARSE, "%s: missing \"rows\"", path);
    rs->n_rows = (uint64_t)rows;
    cip_status rc = cip_refstats_set_model(ctx, rs, json_string_value(json_object_get(doc, "task")),
                                           json_string_value(json_object_get(doc, "target")),
                                           json_string_value(json_object_get(doc, "label_column")),
                                           num_or_nan(json_object_get(doc, "label_threshold")));
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)json_object_get(doc, "metrics"), key, v)
    {
        if (rc == CIP_OK)
            rc = cip_refstats_set_metric(ctx, rs, key, num_or_nan(v));
    }
    const json_t *cols = json_object_get(doc, "columns");
    if (rc == CIP_OK && !json_is_array(cols))
        return cipi_fail(ctx, CIP_ERR_PARSE, "%s: missing \"columns\"", path);
    size_t nc = json_array_size(cols);
    if (rc == CIP_OK && (rs->cols = cipi_calloc(ctx, nc ? nc : 1, sizeof *rs->cols)) == NULL)
        rc = CIP_ERR_NOMEM;
    for (size_t k = 0; rc == CIP_OK && k < nc; k++) {
        rs->n_cols = k + 1;
        rc = read_col(ctx, path, json_array_get(cols, k), &rs->cols[k]);
    }
    const json_t *pred = json_object_get(doc, "prediction");
    if (rc == CIP_OK && json_is_object(pred)) {
        rs->has_pred = 1;
        rc = read_col(ctx, path, pred, &rs->pred);
    }
    return rc;
}

cip_status cip_refstats_load(cip_ctx *ctx, const char *path, cip_refstats **out)
{
    *out = NULL;
    char *text = NULL;
    size_t len = 0;
    cip_status rc = cipi_read_file(ctx, path, 256u << 20, &text, &len);
    if (rc != CIP_OK)
        return rc;
    json_error_t err;
    json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    cipi_free(ctx, text);
    if (doc == NULL)
        return cipi_fail(ctx, CIP_ERR_PARSE, "%s:%d:%d: %s", path, err.line, err.column, err.text);
    cip_refstats *rs = cipi_mon_refstats_new(ctx);
    rc = rs == NULL            ? CIP_ERR_NOMEM
         : json_is_object(doc) ? read_doc(ctx, path, doc, rs)
                               : cipi_fail(ctx, CIP_ERR_PARSE, "%s: not a JSON object", path);
    json_decref(doc);
    if (rc != CIP_OK)
        cip_refstats_free(rs);
    else
        *out = rs;
    return rc;
}
