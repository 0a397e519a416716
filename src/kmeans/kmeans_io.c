/* kmeans_io.c - k-means model file: versioned text with a CRC-32 trailer
 *
 * A model is a few hundred numbers, so the file is plain text a person can
 * read: one "key value..." line per field in a fixed order, doubles in the
 * shortest form that round-trips (strtod gives back the same bits), feature
 * names escaped (\\, \n, \xHH). The last line is "crc32 <8 hex digits>", the
 * zlib CRC-32 of every byte before it. The loader checks magic, major
 * version, the trailer and every line, and reports path:line on error.
 * Layout (docs/FORMATS.md):
 *   CIPKMEANS 1 / algorithm / n_clusters / n_features / n_init / max_iter /
 *   tol / seed / standardize / n_train_rows / n_iter / inertia /
 *   names 0|1 [+ feature <name> x n_features] /
 *   scaler 0|1 [+ scaler_n_samples, scaler_mean, scaler_var, scaler_scale] /
 *   sizes <k counts> / center <c> <d values> x k / end / crc32 <hex>
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "kmeans_int.h"

#define KM_FILE_MAGIC "CIPKMEANS"
#define KM_FILE_LIMIT ((size_t)256 << 20)
#define KM_MAX_DIM    ((uint64_t)1 << 24)

static const char *const algo_names[] = {"lloyd", "elkan"};

/* --- writing ------------------------------------------------------------------ */

static cip_status put_doubles(cip_ctx *ctx, struct cipi_buf *b, const char *key, const double *v,
                              size_t n)
{
    cip_status rc = cipi_buf_printf(ctx, b, "%s", key);
    char num[40];
    for (size_t j = 0; j < n && rc == CIP_OK; j++) {
        cipi_fmt_double(num, sizeof num, v[j]);
        rc = cipi_buf_printf(ctx, b, " %s", num);
    }
    return rc == CIP_OK ? cipi_buf_putc(ctx, b, '\n') : rc;
}

static cip_status put_name(cip_ctx *ctx, struct cipi_buf *b, const char *name)
{
    cip_status rc = cipi_buf_printf(ctx, b, "feature ");
    for (const unsigned char *s = (const unsigned char *)name; *s != '\0' && rc == CIP_OK; s++) {
        if (*s == '\\')
            rc = cipi_buf_printf(ctx, b, "\\\\");
        else if (*s == '\n')
            rc = cipi_buf_printf(ctx, b, "\\n");
        else if (*s < 0x20 || *s == 0x7f)
            rc = cipi_buf_printf(ctx, b, "\\x%02x", (unsigned)*s);
        else
            rc = cipi_buf_putc(ctx, b, (char)*s);
    }
    return rc == CIP_OK ? cipi_buf_putc(ctx, b, '\n') : rc;
}

static cip_status put_header(cip_ctx *ctx, struct cipi_buf *b, const cip_kmeans *km)
{
    const cip_kmeans_params *p = &km->params;
    char tol[40], inertia[40];
    cipi_fmt_double(tol, sizeof tol, p->tol);
    cipi_fmt_double(inertia, sizeof inertia, km->inertia);
    return cipi_buf_printf(ctx, b,
                           "%s %d\nalgorithm %s\nn_clusters %zu\nn_features %zu\nn_init %d\n"
                           "max_iter %d\ntol %s\nseed %" PRIu64 "\nstandardize %d\n"
                           "n_train_rows %zu\nn_iter %d\ninertia %s\nnames %d\n",
                           KM_FILE_MAGIC, CIP_KMEANS_FORMAT_VERSION, algo_names[p->algorithm],
                           km->k, km->d, p->n_init, p->max_iter, tol, p->seed, km->scaler != NULL,
                           km->n_train, km->n_iter, inertia, km->names != NULL);
}

static cip_status put_body(cip_ctx *ctx, struct cipi_buf *b, const cip_kmeans *km)
{
    cip_status rc = put_header(ctx, b, km);
    for (size_t j = 0; km->names != NULL && j < km->d && rc == CIP_OK; j++)
        rc = put_name(ctx, b, km->names[j]);
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, b, "scaler %d\n", km->scaler != NULL);
    if (rc == CIP_OK && km->scaler != NULL) {
        cip_scaler_state st;
        cip_scaler_state_get(km->scaler, &st);
        rc = cipi_buf_printf(ctx, b, "scaler_n_samples %" PRIu64 "\n", st.n_samples);
        if (rc == CIP_OK)
            rc = put_doubles(ctx, b, "scaler_mean", st.mean, km->d);
        if (rc == CIP_OK)
            rc = put_doubles(ctx, b, "scaler_var", st.var, km->d);
        if (rc == CIP_OK)
            rc = put_doubles(ctx, b, "scaler_scale", st.scale, km->d);
    }
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, b, "sizes");
    for (size_t c = 0; c < km->k && rc == CIP_OK; c++)
        rc = cipi_buf_printf(ctx, b, " %" PRIu64, km->sizes[c]);
    if (rc == CIP_OK)
        rc = cipi_buf_putc(ctx, b, '\n');
    for (size_t c = 0; c < km->k && rc == CIP_OK; c++) {
        char key[40];
        snprintf(key, sizeof key, "center %zu", c);
        rc = put_doubles(ctx, b, key, km->centers + c * km->d, km->d);
    }
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, b, "end\n");
    return rc;
}

cip_status cip_kmeans_save_mem(cip_ctx *ctx, const cip_kmeans *km, char **out, size_t *out_len)
{
    if (out == NULL || out_len == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "kmeans save: no output pointer");
    *out = NULL;
    *out_len = 0;
    if (km == NULL || km->magic != KM_MAGIC)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "kmeans save: invalid model");
    struct cipi_buf b;
    cipi_buf_init(&b, ctx, KM_FILE_LIMIT);
    cip_status rc = put_body(ctx, &b, km);
    if (rc == CIP_OK) {
        uLong crc = crc32(0L, (const Bytef *)b.data, (uInt)b.len);
        rc = cipi_buf_printf(ctx, &b, "crc32 %08lx\n", (unsigned long)crc);
    }
    if (rc != CIP_OK) {
        cipi_buf_release(&b);
        return rc;
    }
    *out = cipi_buf_detach(&b, out_len);
    return CIP_OK;
}

cip_status cip_kmeans_save(cip_ctx *ctx, const cip_kmeans *km, const char *path)
{
    char *buf = NULL;
    size_t len = 0;
    cip_status rc = cip_kmeans_save_mem(ctx, km, &buf, &len);
    if (rc == CIP_OK)
        rc = cipi_write_file_atomic(ctx, path, buf, len);
    cipi_free(ctx, buf);
    return rc;
}

void cip_kmeans_buf_free(cip_ctx *ctx, char *buf)
{
    cipi_free(ctx, buf);
}
