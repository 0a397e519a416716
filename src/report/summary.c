/* summary.c - tolerant accessors of the pipeline summary document (C4)
 *
 * The report must render whatever part of the summary is present, so every
 * accessor accepts a missing or mistyped value and returns "absent" (NULL,
 * NaN) instead of failing; the sections then print "not available".
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report_int.h"

const json_t *cipi_report_get(const json_t *obj, const char *path)
{
    const json_t *cur = obj;
    const char *p = path;
    while (cur != NULL && *p != '\0') {
        if (!json_is_object(cur))
            return NULL;
        const char *dot = strchr(p, '.');
        size_t n = dot != NULL ? (size_t)(dot - p) : strlen(p);
        cur = json_object_getn(cur, p, n);
        p += n;
        if (*p == '.')
            p++;
    }
    return cur;
}

double cipi_report_getnum(const json_t *obj, const char *path)
{
    const json_t *v = cipi_report_get(obj, path);
    if (json_is_number(v))
        return json_number_value(v);
    if (json_is_boolean(v))
        return json_is_true(v) ? 1.0 : 0.0;
    return RPT_NAN;
}

const char *cipi_report_getstr(const json_t *obj, const char *path)
{
    const json_t *v = cipi_report_get(obj, path);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

double *cipi_report_nums(struct rpt *r, const json_t *obj, const char *path, size_t *n)
{
    *n = 0;
    const json_t *a = path != NULL ? cipi_report_get(obj, path) : obj;
    if (!json_is_array(a) || json_array_size(a) == 0 || r->rc != CIP_OK)
        return NULL;
    size_t len = json_array_size(a);
    double *v = cipi_mallocarray(r->ctx, len, sizeof *v);
    if (v == NULL) {
        cipi_report_fail(r, CIP_ERR_NOMEM);
        return NULL;
    }
    for (size_t i = 0; i < len; i++) {
        const json_t *e = json_array_get(a, i);
        v[i] = json_is_number(e) ? json_number_value(e) : RPT_NAN;
    }
    *n = len;
    return v;
}

const char *cipi_report_scalar(char *buf, size_t size, const json_t *v)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_number(v))
        return cipi_report_fmt_num(buf, size, json_number_value(v));
    if (json_is_boolean(v))
        return json_is_true(v) ? "true" : "false";
    snprintf(buf, size, "%s", v == NULL || json_is_null(v) ? "n/a" : "(complex value)");
    return buf;
}

static const struct {
    const char *key, *label;
} metric_labels[] = {
    {"train_r2", "R\xC2\xB2 (train)"},
    {"test_r2", "R\xC2\xB2 (test)"},
    {"test_rmse", "RMSE (test)"},
    {"test_mae", "MAE (test)"},
    {"rmse_to_std_ratio", "RMSE / std of target"},
    {"cv_r2_mean", "R\xC2\xB2 (cross-validation mean)"},
    {"cv_r2_std", "R\xC2\xB2 (cross-validation std)"},
    {"train_f1", "F1 (train)"},
    {"test_f1", "F1 (test)"},
    {"precision", "Precision (test)"},
    {"recall", "Recall (test)"},
    {"roc_auc", "ROC AUC (test)"},
    {"accuracy", "Accuracy (test)"},
    {"cv_f1_mean", "F1 (cross-validation mean)"},
    {"cv_f1_std", "F1 (cross-validation std)"},
    {"silhouette_score", "Silhouette score"},
    {"silhouette", "Silhouette score"},
    {"inertia", "Inertia (within-segment sum of squares)"},
    {"optimal_n_clusters", "Number of segments"},
};

const char *cipi_report_metric_label(const char *key)
{
    if (key == NULL)
        return "";
    for (size_t i = 0; i < CIP_ARRAY_LEN(metric_labels); i++)
        if (strcmp(metric_labels[i].key, key) == 0)
            return metric_labels[i].label;
    return key;
}

bool cipi_report_metric_is_money(const char *model, const char *key)
{
    return model != NULL && key != NULL && strcmp(model, "clv") == 0 &&
           (strstr(key, "rmse") != NULL || strstr(key, "mae") != NULL) &&
           strstr(key, "ratio") == NULL;
}

void cipi_report_metric(struct rpt *r, const char *model, const char *key, double v)
{
    if (cipi_report_metric_is_money(model, key))
        cipi_report_money(r, v);
    else
        cipi_report_num(r, v);
}
