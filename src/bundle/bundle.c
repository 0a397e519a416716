/* bundle.c - model bundles: load a trained model directory, predict on raw rows
 *
 * The loading and scoring logic that `cip predict` used to hold, shared by the
 * CLI, the HTTP server and monitoring. A bundle never changes after load.
 * SPDX-License-Identifier: MIT
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cip/bundle.h"
#include "cip/registry.h"
#include "cipi.h"

struct cip_bundle {
    struct cipi_alloc a;
    char *dir;
    cip_train_task task;
    cip_forest *forest;
    cip_kmeans *km;
    cip_featpipe *fp;
    size_t n_names; /* model columns */
    const char **names;
    size_t n_inputs; /* raw input columns */
    char **inputs;
    cip_type *types;
};

static const char *const k_raw[] = {"age",           "annual_income", "purchase_amount",
                                    "loyalty_score", "region",        "purchase_frequency"};
static const cip_type k_raw_types[] = {CIP_TYPE_INT,   CIP_TYPE_FLOAT, CIP_TYPE_FLOAT,
                                       CIP_TYPE_FLOAT, CIP_TYPE_CAT,   CIP_TYPE_INT};

void cip_bundle_free(cip_bundle *b)
{
    if (b == NULL)
        return;
    for (size_t k = 0; b->inputs != NULL && k < b->n_inputs; k++)
        cipi_afree(&b->a, b->inputs[k]);
    cipi_afree(&b->a, b->inputs);
    cipi_afree(&b->a, b->types);
    cipi_afree(&b->a, b->names);
    cipi_afree(&b->a, b->dir);
    cip_forest_free(b->forest);
    cip_kmeans_free(b->km);
    cip_featpipe_free(b->fp);
    cipi_afree(&b->a, b);
}

static int file_exists(const char *dir, const char *name, char *path, size_t size)
{
    struct stat st;
    if ((size_t)snprintf(path, size, "%s/%s", dir, name) >= size)
        return 0;
    return stat(path, &st) == 0;
}

/* Task from manifest.json when present; -1 when absent or without a known task. */
static cip_status manifest_task(cip_ctx *ctx, const char *dir, int *task)
{
    char path[4096];
    char *text = NULL;
    size_t len = 0;
    *task = -1;
    if (!file_exists(dir, "manifest.json", path, sizeof path))
        return CIP_OK;
    cip_status rc = cipi_read_file(ctx, path, 1u << 24, &text, &len);
    if (rc != CIP_OK)
        return rc;
    json_error_t err;
    json_t *root = json_loadb(text, len, 0, &err);
    cipi_free(ctx, text);
    if (root == NULL)
        return cipi_fail(ctx, CIP_ERR_PARSE, "%s:%d:%d: %s", path, err.line, err.column, err.text);
    const char *t = json_string_value(json_object_get(root, "task"));
    for (int k = 0; t != NULL && k < 3; k++)
        if (strcmp(t, cip_train_task_name((cip_train_task)k)) == 0)
            *task = k;
    json_decref(root);
    return CIP_OK;
}

static cip_status add_input(cip_ctx *ctx, cip_bundle *b, const char *name, size_t len, cip_type t)
{
    for (size_t k = 0; k < b->n_inputs; k++)
        if (strlen(b->inputs[k]) == len && memcmp(b->inputs[k], name, len) == 0)
            return CIP_OK;
    char *copy = cipi_strndup(ctx, name, len);
    if (copy == NULL)
        return CIP_ERR_NOMEM;
    b->inputs[b->n_inputs] = copy;
    b->types[b->n_inputs++] = t;
    return CIP_OK;
}

/* The signature: raw customer columns, or model columns with one-hot sources. */
static cip_status build_inputs(cip_ctx *ctx, cip_bundle *b)
{
    size_t cap = b->n_names + CIP_ARRAY_LEN(k_raw);
    b->inputs = cipi_calloc(ctx, cap, sizeof *b->inputs);
    b->types = cipi_calloc(ctx, cap, sizeof *b->types);
    if (b->inputs == NULL || b->types == NULL)
        return CIP_ERR_NOMEM;
    cip_status rc = CIP_OK;
    if (b->fp != NULL) {
        for (size_t k = 0; rc == CIP_OK && k < CIP_ARRAY_LEN(k_raw); k++)
            rc = add_input(ctx, b, k_raw[k], strlen(k_raw[k]), k_raw_types[k]);
        return rc;
    }
    for (size_t k = 0; rc == CIP_OK && k < b->n_names; k++) {
        const char *n = b->names[k], *eq = strchr(n, '=');
        cip_type t = CIP_TYPE_FLOAT;
        if (b->forest != NULL)
            t = cip_forest_feature_type(b->forest, k);
        if (eq != NULL && eq > n)
            rc = add_input(ctx, b, n, (size_t)(eq - n), CIP_TYPE_CAT);
        else
            rc = add_input(ctx, b, n, strlen(n), t == CIP_TYPE_CAT ? CIP_TYPE_FLOAT : t);
    }
    return rc;
}

static cip_status load_models(cip_ctx *ctx, const char *dir, cip_bundle *b)
{
    char path[4096];
    cip_status rc = CIP_OK;
    if (file_exists(dir, "featpipe.txt", path, sizeof path))
        rc = cip_featpipe_load(ctx, path, &b->fp);
    if (rc != CIP_OK)
        return rc;
    if (file_exists(dir, "model.forest", path, sizeof path)) {
        rc = cip_forest_load(ctx, path, &b->forest);
        b->n_names = rc == CIP_OK ? cip_forest_n_features(b->forest) : 0;
    } else if (file_exists(dir, "model.kmeans", path, sizeof path)) {
        rc = cip_kmeans_load(ctx, path, &b->km);
        b->n_names = rc == CIP_OK ? cip_kmeans_n_features(b->km) : 0;
    } else {
        return cipi_fail(ctx, CIP_ERR_NOT_FOUND,
                         "'%s' is not a model bundle (no model.forest or model.kmeans)", dir);
    }
    if (rc != CIP_OK)
        return rc;
    b->names = cipi_calloc(ctx, b->n_names ? b->n_names : 1, sizeof *b->names);
    if (b->names == NULL)
        return CIP_ERR_NOMEM;
    for (size_t k = 0; k < b->n_names; k++) {
        b->names[k] = b->forest != NULL ? cip_forest_feature_name(b->forest, k)
                                        : cip_kmeans_feature_name(b->km, k);
        if (b->names[k] == NULL)
            return cipi_fail(ctx, CIP_ERR_PARSE, "'%s': model column %zu has no name", dir, k);
    }
    return CIP_OK;
}

cip_status cip_bundle_load(cip_ctx *ctx, const char *dir, cip_bundle **out)
{
    *out = NULL;
    if (dir == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "cip_bundle_load: NULL directory");
    cip_bundle *b = cipi_calloc(ctx, 1, sizeof *b);
    if (b == NULL)
        return CIP_ERR_NOMEM;
    b->a = cipi_ctx_alloc(ctx);
    int task = -1;
    cip_status rc = (b->dir = cipi_strdup(ctx, dir)) == NULL ? CIP_ERR_NOMEM : CIP_OK;
    if (rc == CIP_OK)
        rc = load_models(ctx, dir, b);
    if (rc == CIP_OK)
        rc = manifest_task(ctx, dir, &task);
    if (rc == CIP_OK)
        rc = build_inputs(ctx, b);
    if (rc != CIP_OK) {
        cip_bundle_free(b);
        return rc;
    }
    size_t nc = 0;
    if (b->km != NULL)
        b->task = CIP_TRAIN_SEGMENTS;
    else if (task == CIP_TRAIN_CLV || task == CIP_TRAIN_CHURN)
        b->task = (cip_train_task)task;
    else
        b->task = cip_forest_classes(b->forest, &nc) != NULL ? CIP_TRAIN_CHURN : CIP_TRAIN_CLV;
    if (b->task == CIP_TRAIN_CHURN && cip_forest_classes(b->forest, &nc) == NULL)
        b->task = CIP_TRAIN_CLV; /* a manifest that disagrees with the model */
    *out = b;
    return CIP_OK;
}

cip_status cip_bundle_open_uri(cip_ctx *ctx, cip_store *s, const char *uri, cip_bundle **out)
{
    *out = NULL;
    if (uri == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "cip_bundle_open_uri: NULL uri");
    if (strncmp(uri, "models:/", 8) != 0 && strncmp(uri, "runs:/", 6) != 0)
        return cip_bundle_load(ctx, uri, out);
    if (s == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "model URI '%s' needs a tracking store", uri);
    char *path = NULL;
    cip_status rc = cip_registry_resolve(ctx, s, uri, &path);
    if (rc == CIP_OK)
        rc = cip_bundle_load(ctx, path, out);
    cip_free(ctx, path);
    return rc;
}

cip_train_task cip_bundle_task(const cip_bundle *b)
{
    return b->task;
}

const char *cip_bundle_dir(const cip_bundle *b)
{
    return b->dir;
}

size_t cip_bundle_n_inputs(const cip_bundle *b)
{
    return b->n_inputs;
}

const char *cip_bundle_input_name(const cip_bundle *b, size_t i)
{
    return i < b->n_inputs ? b->inputs[i] : NULL;
}

cip_type cip_bundle_input_type(const cip_bundle *b, size_t i)
{
    return i < b->n_inputs ? b->types[i] : CIP_TYPE_FLOAT;
}

const cip_forest *cip_bundle_forest(const cip_bundle *b)
{
    return b->forest;
}

const cip_kmeans *cip_bundle_kmeans(const cip_bundle *b)
{
    return b->km;
}

const cip_featpipe *cip_bundle_featpipe(const cip_bundle *b)
{
    return b->fp;
}

/* SCHEMA naming the raw inputs raw lacks, unless it already has every model column
 * (an engineered table). */
static cip_status check_inputs(cip_ctx *ctx, const cip_bundle *b, const cip_frame *raw)
{
    size_t j, n_model = 0;
    for (size_t k = 0; k < b->n_names; k++)
        n_model += cip_frame_find(NULL, raw, b->names[k], &j) == CIP_OK;
    if (n_model == b->n_names)
        return CIP_OK;
    char msg[512];
    size_t len = 0, n_missing = 0;
    for (size_t k = 0; k < b->n_inputs; k++) {
        if (cip_frame_find(NULL, raw, b->inputs[k], &j) == CIP_OK)
            continue;
        int w =
            snprintf(msg + len, sizeof msg - len, "%s'%s'", n_missing ? ", " : "", b->inputs[k]);
        n_missing++;
        if (w < 0 || (size_t)w >= sizeof msg - len)
            break;
        len += (size_t)w;
    }
    if (n_missing > 0)
        return cipi_fail(ctx, CIP_ERR_SCHEMA, "missing input column%s %s", n_missing > 1 ? "s" : "",
                         msg);
    for (size_t k = 0; k < b->n_inputs; k++) {
        cip_frame_find(NULL, raw, b->inputs[k], &j);
        cip_type t = cip_frame_col_type(raw, j), want = b->types[k];
        bool numeric = t != CIP_TYPE_CAT, want_numeric = want != CIP_TYPE_CAT;
        if (numeric != want_numeric)
            return cipi_fail(ctx, CIP_ERR_SCHEMA, "input column '%s' must be %s, not %s",
                             b->inputs[k], want_numeric ? "numeric" : "categorical",
                             cip_type_name(t));
    }
    return CIP_OK;
}

/* 1 when raw is a raw customer table (all six columns, no engineered ones), the case
 * where cip_train_prepare applies the pipeline. */
static int raw_customer(const cip_frame *raw)
{
    size_t j;
    for (size_t k = 0; k < CIP_ARRAY_LEN(k_raw); k++)
        if (cip_frame_find(NULL, raw, k_raw[k], &j) != CIP_OK)
            return 0;
    return cip_frame_find(NULL, raw, "spend_to_income_ratio", &j) != CIP_OK &&
           cip_frame_find(NULL, raw, "customer_value_score", &j) != CIP_OK;
}

/* The frame with every model column (plus others). Same result as cip_train_prepare;
 * a raw customer table is transformed once and used as it is when the pipeline
 * already made every model column (no copy: the serving hot path). */
static cip_status prepared(cip_ctx *ctx, const cip_bundle *b, const cip_frame *raw, cip_frame **x)
{
    cip_status rc = check_inputs(ctx, b, raw);
    if (rc != CIP_OK)
        return rc;
    if (b->fp == NULL || !raw_customer(raw))
        return cip_train_prepare(ctx, raw, b->fp, b->names, b->n_names, x);
    cip_frame *eng = NULL;
    rc = cip_featpipe_transform(ctx, b->fp, raw, &eng);
    if (rc != CIP_OK)
        return rc;
    size_t j, found = 0;
    for (size_t k = 0; k < b->n_names; k++)
        found += cip_frame_find(NULL, eng, b->names[k], &j) == CIP_OK;
    if (found == b->n_names) {
        *x = eng;
        return CIP_OK;
    }
    rc = cip_train_prepare(ctx, eng, NULL, b->names, b->n_names, x); /* one-hot columns */
    cip_frame_free(eng);
    return rc;
}

cip_status cip_bundle_features(cip_ctx *ctx, const cip_bundle *b, const cip_frame *raw,
                               cip_frame **out)
{
    cip_frame *x = NULL;
    *out = NULL;
    cip_status rc = prepared(ctx, b, raw, &x);
    if (rc == CIP_OK)
        rc = cip_frame_select(ctx, x, b->names, b->n_names, out);
    if (rc == CIP_ERR_NOT_FOUND)
        rc = CIP_ERR_SCHEMA;
    cip_frame_free(x);
    return rc;
}

static cip_status predict_segments(cip_ctx *ctx, const cip_bundle *b, const cip_frame *x,
                                   cip_frame *out)
{
    size_t n = cip_frame_n_rows(x);
    int32_t *lab = cipi_mallocarray(ctx, n ? n : 1, sizeof *lab);
    int64_t *seg = cipi_mallocarray(ctx, n ? n : 1, sizeof *seg);
    cip_status rc = lab == NULL || seg == NULL ? CIP_ERR_NOMEM : CIP_OK;
    if (rc == CIP_OK)
        rc = cip_kmeans_predict_frame(ctx, b->km, x, lab, n);
    for (size_t i = 0; rc == CIP_OK && i < n; i++)
        seg[i] = lab[i];
    if (rc == CIP_OK)
        rc = cip_frame_add_i64(ctx, out, "segment", seg, NULL);
    cipi_free(ctx, lab);
    cipi_free(ctx, seg);
    return rc;
}

static cip_status predict_forest(cip_ctx *ctx, const cip_bundle *b, const cip_frame *x,
                                 cip_frame *out)
{
    size_t n = cip_frame_n_rows(x), nc = 0, cells = 0;
    const double *cls = cip_forest_classes(b->forest, &nc);
    double *pred = cipi_mallocarray(ctx, n ? n : 1, sizeof *pred), *proba = NULL;
    int64_t *lab = NULL;
    cip_status rc = pred == NULL ? CIP_ERR_NOMEM : CIP_OK;
    if (rc == CIP_OK && (cls == NULL || nc == 0)) {
        rc = cip_forest_predict(ctx, b->forest, x, pred, n);
        if (rc == CIP_OK)
            rc = cip_frame_add_f64(ctx, out, "prediction", pred, NULL);
        goto done;
    }
    if (rc == CIP_OK && !cipi_mul_ok(n ? n : 1, nc, &cells))
        rc = cipi_fail(ctx, CIP_ERR_LIMIT, "too many rows");
    if (rc == CIP_OK) {
        proba = cipi_mallocarray(ctx, cells, sizeof *proba);
        lab = cipi_mallocarray(ctx, n ? n : 1, sizeof *lab);
        if (proba == NULL || lab == NULL)
            rc = CIP_ERR_NOMEM;
    }
    if (rc == CIP_OK)
        rc = cip_forest_predict_proba(ctx, b->forest, x, proba, n * nc);
    for (size_t i = 0; rc == CIP_OK && i < n; i++) {
        size_t best = 0; /* first class on ties, as cip_forest_predict */
        for (size_t c = 1; c < nc; c++)
            if (proba[i * nc + c] > proba[i * nc + best])
                best = c;
        lab[i] = (int64_t)cls[best];
        pred[i] = proba[i * nc + nc - 1];
    }
    if (rc == CIP_OK)
        rc = cip_frame_add_f64(ctx, out, "probability", pred, NULL);
    if (rc == CIP_OK)
        rc = cip_frame_add_i64(ctx, out, "label", lab, NULL);
done:
    cipi_free(ctx, pred);
    cipi_free(ctx, proba);
    cipi_free(ctx, lab);
    return rc;
}

cip_status cip_bundle_predict(cip_ctx *ctx, const cip_bundle *b, const cip_frame *raw,
                              cip_frame **out)
{
    cip_frame *x = NULL, *res = NULL;
    *out = NULL;
    if (b == NULL || raw == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "cip_bundle_predict: NULL argument");
    cip_status rc = prepared(ctx, b, raw, &x);
    if (rc == CIP_OK)
        rc = cip_frame_new(ctx, cip_frame_n_rows(raw), &res);
    if (rc == CIP_OK)
        rc = b->km != NULL ? predict_segments(ctx, b, x, res) : predict_forest(ctx, b, x, res);
    cip_frame_free(x);
    if (rc != CIP_OK)
        cip_frame_free(res);
    else
        *out = res;
    return rc;
}
