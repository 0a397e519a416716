/* result.c - training results: allocation, release and the model bundle on disk
 *
 * A bundle is a directory: manifest.json (task, target, label rule, model
 * columns, chosen parameters, metrics), model.forest or model.kmeans, and
 * featpipe.txt when the feature pipeline was fitted on a raw customer table.
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "train_int.h"

struct holder {
    struct cipi_alloc alloc;
    cip_train_result r;
};

cip_train_result *cipi_train_result_new(cip_ctx *ctx)
{
    struct holder *h = cipi_calloc(ctx, 1, sizeof *h);
    if (h == NULL)
        return NULL;
    h->alloc = cipi_ctx_alloc(ctx);
    return &h->r;
}

void cip_train_result_free(cip_train_result *r)
{
    if (r == NULL)
        return;
    struct holder *h = (struct holder *)(void *)((char *)r - offsetof(struct holder, r));
    const struct cipi_alloc *a = &h->alloc;
    for (size_t k = 0; r->features != NULL && k < r->n_features; k++)
        cipi_afree(a, r->features[k]);
    cipi_afree(a, r->features);
    cipi_afree(a, r->target);
    cipi_afree(a, r->label_rule);
    cipi_afree(a, r->importances);
    cipi_afree(a, r->perm_mean);
    cipi_afree(a, r->perm_std);
    cipi_afree(a, r->best_params);
    cipi_afree(a, r->cv_scores);
    cipi_afree(a, r->metrics);
    cipi_afree(a, r->sweep);
    cip_forest_free(r->forest);
    cip_featpipe_free(r->featpipe);
    cip_kmeans_free(r->kmeans);
    cipi_afree(a, h);
}

static cip_status put_str(cip_ctx *ctx, struct cipi_buf *b, const char *s)
{
    cip_status rc = cipi_buf_putc(ctx, b, '"');
    for (; rc == CIP_OK && *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            rc = cipi_buf_printf(ctx, b, "\\%c", c);
        else if (c < 0x20)
            rc = cipi_buf_printf(ctx, b, "\\u%04x", c);
        else
            rc = cipi_buf_putc(ctx, b, (char)c);
    }
    return rc != CIP_OK ? rc : cipi_buf_putc(ctx, b, '"');
}

static cip_status put_num(cip_ctx *ctx, struct cipi_buf *b, double v)
{
    char num[40];
    if (!isfinite(v))
        return cipi_buf_printf(ctx, b, "null");
    cipi_fmt_double(num, sizeof num, v);
    return cipi_buf_printf(ctx, b, "%s", num);
}

static cip_status manifest(cip_ctx *ctx, const cip_train_result *r, struct cipi_buf *b)
{
    cip_status rc = cipi_buf_printf(ctx, b,
                                    "{\n  \"format\": \"cip-model-bundle\",\n"
                                    "  \"version\": 1,\n  \"task\": ");
    if (rc == CIP_OK)
        rc = put_str(ctx, b, cip_train_task_name(r->task));
    if (rc == CIP_OK && r->target != NULL) {
        rc = cipi_buf_printf(ctx, b, ",\n  \"target\": ");
        if (rc == CIP_OK)
            rc = put_str(ctx, b, r->target);
    }
    if (rc == CIP_OK && r->label_rule != NULL) {
        rc = cipi_buf_printf(ctx, b, ",\n  \"label_rule\": ");
        if (rc == CIP_OK)
            rc = put_str(ctx, b, r->label_rule);
        if (rc == CIP_OK)
            rc = cipi_buf_printf(ctx, b, ",\n  \"label_threshold\": ");
        if (rc == CIP_OK)
            rc = put_num(ctx, b, r->label_threshold);
    }
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, b, ",\n  \"model_file\": \"%s\",\n  \"featpipe_file\": %s",
                             r->kmeans != NULL ? "model.kmeans" : "model.forest",
                             r->featpipe != NULL ? "\"featpipe.txt\"" : "null");
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, b, ",\n  \"best_params\": ");
    if (rc == CIP_OK)
        rc = put_str(ctx, b, r->best_params != NULL ? r->best_params : "");
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, b, ",\n  \"features\": [");
    for (size_t k = 0; rc == CIP_OK && k < r->n_features; k++) {
        if (k > 0)
            rc = cipi_buf_printf(ctx, b, ", ");
        if (rc == CIP_OK)
            rc = put_str(ctx, b, r->features[k]);
    }
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, b, "],\n  \"metrics\": {");
    for (size_t k = 0; rc == CIP_OK && k < r->n_metrics; k++) {
        rc = cipi_buf_printf(ctx, b, "%s\n    ", k > 0 ? "," : "");
        if (rc == CIP_OK)
            rc = put_str(ctx, b, r->metrics[k].name);
        if (rc == CIP_OK)
            rc = cipi_buf_printf(ctx, b, ": ");
        if (rc == CIP_OK)
            rc = put_num(ctx, b, r->metrics[k].value);
    }
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, b, "\n  }\n}\n");
    return rc;
}

cip_status cip_train_save_bundle(cip_ctx *ctx, const cip_train_result *r, const char *dir)
{
    char path[4096];
    struct cipi_buf b;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return cipi_fail_errno(ctx, CIP_ERR_IO, errno, "cannot create model directory '%s'", dir);
    if ((size_t)snprintf(path, sizeof path, "%s/manifest.json", dir) >= sizeof path)
        return cipi_fail(ctx, CIP_ERR_IO, "model directory name too long");
    cip_status rc = CIP_OK;
    if (r->forest != NULL) {
        snprintf(path, sizeof path, "%s/model.forest", dir);
        rc = cip_forest_save(ctx, r->forest, path);
    } else if (r->kmeans != NULL) {
        snprintf(path, sizeof path, "%s/model.kmeans", dir);
        rc = cip_kmeans_save(ctx, r->kmeans, path);
    }
    if (rc == CIP_OK && r->featpipe != NULL) {
        snprintf(path, sizeof path, "%s/featpipe.txt", dir);
        rc = cip_featpipe_save(ctx, r->featpipe, path);
    }
    if (rc != CIP_OK)
        return rc;
    cipi_buf_init(&b, ctx, 0);
    rc = manifest(ctx, r, &b);
    if (rc == CIP_OK) {
        snprintf(path, sizeof path, "%s/manifest.json", dir);
        rc = cipi_write_file_atomic(ctx, path, b.data, b.len);
    }
    cipi_buf_release(&b);
    return rc;
}
