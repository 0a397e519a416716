/* model.c - model bundles for monitoring: scoring raw rows, reference statistics of a
 * trained model, the monitor run over a bundle directory
 *
 * Bundles are loaded and scored through cip/bundle.h; manifest.json is read here as well for
 * what monitoring needs beyond prediction (target, label rule, metrics, chosen params).
 * SPDX-License-Identifier: MIT
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cip/bundle.h"
#include "monitor_int.h"

/* A model as loaded from a bundle or borrowed from a cip_train_result. */
struct mon_model {
    const cip_bundle *bundle; /* NULL for a training result */
    cip_train_task task;
    const cip_forest *forest;
    const cip_kmeans *km;
    const cip_featpipe *fp;
    const char *const *names;
    size_t n_names;
    const char *target;
    char label_col[128]; /* "" = no label rule */
    double label_thr;
};

/* Owned parts of a loaded bundle. */
struct mon_bundle {
    struct mon_model m;
    cip_bundle *bundle;
    const char **names;
    json_t *manifest;
};

static int file_exists(const char *dir, const char *name, char *path, size_t size)
{
    struct stat st;
    if ((size_t)snprintf(path, size, "%s/%s", dir, name) >= size)
        return 0;
    return stat(path, &st) == 0;
}

static void label_col_of(const char *rule, char *out, size_t size)
{
    out[0] = '\0';
    if (rule == NULL)
        return;
    const char *gt = strstr(rule, " >");
    size_t len = gt != NULL ? (size_t)(gt - rule) : strlen(rule);
    if (len < size) {
        memcpy(out, rule, len);
        out[len] = '\0';
    }
}

static void bundle_release(cip_ctx *ctx, struct mon_bundle *b)
{
    cip_bundle_free(b->bundle);
    cipi_free(ctx, (void *)b->names);
    if (b->manifest != NULL)
        json_decref(b->manifest);
    memset(b, 0, sizeof *b);
}

static cip_status read_manifest(cip_ctx *ctx, const char *path, json_t **out)
{
    char *text = NULL;
    size_t len = 0;
    cip_status rc = cipi_read_file(ctx, path, 16u << 20, &text, &len);
    if (rc != CIP_OK)
        return rc;
    json_error_t err;
    json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    cipi_free(ctx, text);
    if (j == NULL || !json_is_object(j)) {
        if (j != NULL)
            json_decref(j);
        return cipi_fail(ctx, CIP_ERR_PARSE, "%s:%d:%d: %s", path, err.line, err.column,
                         j == NULL ? err.text : "not a JSON object");
    }
    *out = j;
    return CIP_OK;
}

static cip_status load_bundle(cip_ctx *ctx, const char *dir, struct mon_bundle *b)
{
    char path[4096];
    memset(b, 0, sizeof *b);
    if (!file_exists(dir, "manifest.json", path, sizeof path))
        return cipi_fail(ctx, CIP_ERR_NOT_FOUND, "'%s' is not a model bundle (no manifest.json)",
                         dir);
    cip_status rc = read_manifest(ctx, path, &b->manifest);
    if (rc == CIP_OK)
        rc = cip_bundle_load(ctx, dir, &b->bundle);
    if (rc != CIP_OK)
        return rc;
    b->m.bundle = b->bundle;
    b->m.task = cip_bundle_task(b->bundle);
    b->m.forest = cip_bundle_forest(b->bundle);
    b->m.km = cip_bundle_kmeans(b->bundle);
    b->m.fp = cip_bundle_featpipe(b->bundle);
    b->m.n_names =
        b->m.forest != NULL ? cip_forest_n_features(b->m.forest) : cip_kmeans_n_features(b->m.km);
    b->names = cipi_calloc(ctx, b->m.n_names ? b->m.n_names : 1, sizeof *b->names);
    if (b->names == NULL)
        return CIP_ERR_NOMEM;
    for (size_t k = 0; k < b->m.n_names; k++)
        b->names[k] = b->m.forest != NULL ? cip_forest_feature_name(b->m.forest, k)
                                          : cip_kmeans_feature_name(b->m.km, k);
    b->m.names = b->names;
    b->m.target = json_string_value(json_object_get(b->manifest, "target"));
    label_col_of(json_string_value(json_object_get(b->manifest, "label_rule")), b->m.label_col,
                 sizeof b->m.label_col);
    json_t *thr = json_object_get(b->manifest, "label_threshold");
    b->m.label_thr = json_is_number(thr) ? json_number_value(thr) : MON_NAN;
    return CIP_OK;
}

/* Column values of x named `name` as doubles into y (NaN when absent). */
static void column_or_nan(const cip_frame *x, const char *name, double *y, size_t n)
{
    size_t j;
    if (name == NULL || name[0] == '\0' || cip_frame_find(NULL, x, name, &j) != CIP_OK ||
        cip_frame_col_type(x, j) == CIP_TYPE_CAT) {
        for (size_t i = 0; i < n; i++)
            y[i] = MON_NAN;
        return;
    }
    cip_frame_get_col(x, j, y);
}

static void true_target(const struct mon_model *m, const cip_frame *x, double *y, size_t n)
{
    if (m->task == CIP_TRAIN_SEGMENTS) {
        for (size_t i = 0; i < n; i++)
            y[i] = MON_NAN;
        return;
    }
    if (m->task == CIP_TRAIN_CHURN && m->label_col[0] != '\0' && !isnan(m->label_thr)) {
        column_or_nan(x, m->label_col, y, n);
        for (size_t i = 0; i < n; i++) /* the rule rounds to 4 decimals first */
            y[i] = isnan(y[i]) ? MON_NAN : (double)(round(y[i] * 1e4) / 1e4 > m->label_thr);
        return;
    }
    column_or_nan(x, m->target, y, n);
}

/* Scores through cip_bundle_predict; targets from the raw rows (churn: the label column as
 * engineered by the bundle's feature pipeline when the raw rows lack it). */
static cip_status bundle_score(cip_ctx *ctx, const struct mon_model *m, const cip_frame *raw,
                               double *score, double *y)
{
    cip_frame *out = NULL, *eng = NULL;
    size_t n = cip_frame_n_rows(raw), j;
    cip_status rc = cip_bundle_predict(ctx, m->bundle, raw, &out);
    const char *col = m->task == CIP_TRAIN_CHURN      ? "probability"
                      : m->task == CIP_TRAIN_SEGMENTS ? "segment"
                                                      : "prediction";
    if (rc == CIP_OK)
        rc = cip_frame_find(ctx, out, col, &j);
    if (rc == CIP_OK)
        cip_frame_get_col(out, j, score);
    const cip_frame *src = raw;
    if (rc == CIP_OK && y != NULL && m->task == CIP_TRAIN_CHURN && m->fp != NULL &&
        m->label_col[0] != '\0' && cip_frame_find(NULL, raw, m->label_col, &j) != CIP_OK) {
        if (cip_featpipe_transform(ctx, m->fp, raw, &eng) == CIP_OK)
            src = eng;
        else /* no label can be derived: performance is not checked */
            cip_ctx_clear_error(ctx);
    }
    if (rc == CIP_OK && y != NULL)
        true_target(m, src, y, n);
    cip_frame_free(eng);
    cip_frame_free(out);
    return rc;
}

/* Scores (and true targets when y != NULL) of raw rows. */
static cip_status model_score(cip_ctx *ctx, const struct mon_model *m, const cip_frame *raw,
                              double *score, double *y)
{
    cip_frame *x = NULL;
    size_t n = cip_frame_n_rows(raw), nc = 0;
    double *proba = NULL;
    int32_t *lab = NULL;
    if (m->bundle != NULL)
        return bundle_score(ctx, m, raw, score, y);
    cip_status rc = cip_train_prepare(ctx, raw, m->fp, m->names, m->n_names, &x);
    if (rc != CIP_OK)
        return rc;
    if (m->km != NULL) {
        lab = cipi_mallocarray(ctx, n ? n : 1, sizeof *lab);
        rc = lab == NULL ? CIP_ERR_NOMEM : cip_kmeans_predict_frame(ctx, m->km, x, lab, n);
        for (size_t i = 0; rc == CIP_OK && i < n; i++)
            score[i] = lab[i];
    } else {
        const double *cls = cip_forest_classes(m->forest, &nc);
        if (cls == NULL || nc == 0) {
            rc = cip_forest_predict(ctx, m->forest, x, score, n);
        } else {
            proba = cipi_mallocarray(ctx, n > 0 ? n * nc : 1, sizeof *proba);
            rc = proba == NULL ? CIP_ERR_NOMEM
                               : cip_forest_predict_proba(ctx, m->forest, x, proba, n * nc);
            for (size_t i = 0; rc == CIP_OK && i < n; i++)
                score[i] = proba[i * nc + nc - 1];
        }
    }
    if (rc == CIP_OK && y != NULL)
        true_target(m, x, y, n);
    cipi_free(ctx, proba);
    cipi_free(ctx, lab);
    cip_frame_free(x);
    return rc;
}

cip_status cip_monitor_score(cip_ctx *ctx, const char *dir, const cip_frame *raw,
                             cip_train_task *task_out, double **score_out, double **y_out)
{
    struct mon_bundle b;
    size_t n = cip_frame_n_rows(raw);
    double *s = NULL, *y = NULL;
    *score_out = NULL;
    if (y_out != NULL)
        *y_out = NULL;
    cip_status rc = load_bundle(ctx, dir, &b);
    if (rc == CIP_OK) {
        s = cipi_mallocarray(ctx, n ? n : 1, sizeof *s);
        y = y_out != NULL ? cipi_mallocarray(ctx, n ? n : 1, sizeof *y) : NULL;
        rc = s == NULL || (y_out != NULL && y == NULL) ? CIP_ERR_NOMEM : CIP_OK;
    }
    if (rc == CIP_OK)
        rc = model_score(ctx, &b.m, raw, s, y);
    if (rc == CIP_OK) {
        if (task_out != NULL)
            *task_out = b.m.task;
        *score_out = s;
        if (y_out != NULL)
            *y_out = y;
    } else {
        cipi_free(ctx, s);
        cipi_free(ctx, y);
    }
    bundle_release(ctx, &b);
    return rc;
}

static const char *pred_name(cip_train_task t)
{
    return t == CIP_TRAIN_CHURN      ? "probability"
           : t == CIP_TRAIN_SEGMENTS ? "segment"
                                     : "prediction";
}

/* refstats of data + predictions of m (metrics added by the caller). */
static cip_status reference_with(cip_ctx *ctx, const struct mon_model *m, const cip_frame *data,
                                 cip_refstats **out)
{
    cip_refstats *rs = NULL;
    size_t n = cip_frame_n_rows(data);
    double *s = NULL;
    cip_status rc = cip_refstats_compute(ctx, data, &rs);
    if (rc == CIP_OK && (s = cipi_mallocarray(ctx, n, sizeof *s)) == NULL)
        rc = CIP_ERR_NOMEM;
    if (rc == CIP_OK)
        rc = model_score(ctx, m, data, s, NULL);
    if (rc == CIP_OK)
        rc = cip_refstats_set_predictions(ctx, rs, pred_name(m->task), s, n,
                                          m->task == CIP_TRAIN_SEGMENTS);
    if (rc == CIP_OK)
        rc = cip_refstats_set_model(ctx, rs, cip_train_task_name(m->task), m->target,
                                    m->label_col[0] != '\0' ? m->label_col : NULL, m->label_thr);
    cipi_free(ctx, s);
    if (rc != CIP_OK)
        cip_refstats_free(rs);
    else
        *out = rs;
    return rc;
}

cip_status cip_monitor_reference_of(cip_ctx *ctx, const cip_train_result *r, const cip_frame *data,
                                    cip_refstats **out)
{
    *out = NULL;
    struct mon_model m;
    memset(&m, 0, sizeof m);
    m.task = r->task;
    m.forest = r->forest;
    m.km = r->kmeans;
    m.fp = r->featpipe;
    m.names = (const char *const *)r->features;
    m.n_names = r->n_features;
    m.target = r->target;
    label_col_of(r->label_rule, m.label_col, sizeof m.label_col);
    m.label_thr = r->label_threshold;
    if (m.forest == NULL && m.km == NULL)
        return cipi_fail(ctx, CIP_ERR_INVALID, "the training result holds no model");
    cip_refstats *rs = NULL;
    cip_status rc = reference_with(ctx, &m, data, &rs);
    for (size_t k = 0; rc == CIP_OK && k < r->n_metrics; k++)
        rc = cip_refstats_set_metric(ctx, rs, r->metrics[k].name, r->metrics[k].value);
    if (rc != CIP_OK)
        cip_refstats_free(rs);
    else
        *out = rs;
    return rc;
}

cip_status cip_monitor_save_reference(cip_ctx *ctx, const cip_train_result *r,
                                      const cip_frame *data, const char *dir)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/reference.json", dir) >= sizeof path)
        return cipi_fail(ctx, CIP_ERR_IO, "model directory name too long");
    cip_refstats *rs = NULL;
    cip_status rc = cip_monitor_reference_of(ctx, r, data, &rs);
    if (rc == CIP_OK)
        rc = cip_refstats_save(ctx, rs, path);
    cip_refstats_free(rs);
    return rc;
}

static cip_status manifest_metrics(cip_ctx *ctx, const json_t *man, cip_refstats *rs)
{
    const json_t *mt = json_object_get(man, "metrics");
    const char *key;
    json_t *v;
    cip_status rc = CIP_OK;
    json_object_foreach((json_t *)mt, key, v)
    {
        if (rc == CIP_OK && json_is_number(v))
            rc = cip_refstats_set_metric(ctx, rs, key, json_number_value(v));
    }
    return rc;
}

cip_status cip_monitor_reference_load(cip_ctx *ctx, const char *dir, const cip_frame *reference,
                                      cip_refstats **out)
{
    char path[4096];
    *out = NULL;
    if (reference == NULL) {
        if (file_exists(dir, "reference.json", path, sizeof path))
            return cip_refstats_load(ctx, path, out);
        return cipi_fail(ctx, CIP_ERR_NOT_FOUND,
                         "'%s' has no reference.json: give the training data with --reference",
                         dir);
    }
    struct mon_bundle b;
    cip_refstats *rs = NULL;
    cip_status rc = load_bundle(ctx, dir, &b);
    if (rc == CIP_OK)
        rc = reference_with(ctx, &b.m, reference, &rs);
    if (rc == CIP_OK)
        rc = manifest_metrics(ctx, b.manifest, rs);
    bundle_release(ctx, &b);
    if (rc != CIP_OK)
        cip_refstats_free(rs);
    else
        *out = rs;
    return rc;
}

cip_status cip_monitor_run(cip_ctx *ctx, const char *dir, const cip_frame *current,
                           const cip_frame *reference, const cip_monitor_params *p,
                           cip_monitor_report **out)
{
    *out = NULL;
    cip_refstats *rs = NULL;
    double *s = NULL, *y = NULL;
    cip_status rc = cip_monitor_reference_load(ctx, dir, reference, &rs);
    if (rc == CIP_OK)
        rc = cip_monitor_score(ctx, dir, current, NULL, &s, &y);
    if (rc == CIP_OK)
        rc = cip_monitor_compare(ctx, rs, current, s, y, cip_frame_n_rows(current), p, out);
    cipi_free(ctx, s);
    cipi_free(ctx, y);
    cip_refstats_free(rs);
    return rc;
}

cip_status cip_monitor_model_info(cip_ctx *ctx, const char *dir, cip_model_info *out)
{
    struct mon_bundle b;
    memset(out, 0, sizeof *out);
    cip_status rc = load_bundle(ctx, dir, &b);
    if (rc == CIP_OK) {
        out->task = b.m.task;
        snprintf(out->target, sizeof out->target, "%s", b.m.target != NULL ? b.m.target : "");
        snprintf(out->label_column, sizeof out->label_column, "%s", b.m.label_col);
        out->label_threshold = b.m.label_thr;
        const char *bp = json_string_value(json_object_get(b.manifest, "best_params"));
        snprintf(out->best_params, sizeof out->best_params, "%s", bp != NULL ? bp : "");
        size_t len = 0;
        for (size_t k = 0; k < b.m.n_names; k++) {
            int w = snprintf(out->features + len, sizeof out->features - len, "%s%s",
                             k > 0 ? "," : "", b.m.names[k]);
            if (w < 0 || (size_t)w >= sizeof out->features - len) {
                rc = cipi_fail(ctx, CIP_ERR_LIMIT, "too many model columns in '%s'", dir);
                break;
            }
            len += (size_t)w;
        }
    }
    bundle_release(ctx, &b);
    return rc;
}
