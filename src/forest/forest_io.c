/* forest_io.c - the forest model file: writer
 *
 * Layout (docs/FORMATS.md, "forest model"): a readable text header of
 * "key value" lines starting with the magic line "CIPFOREST <version>",
 * ending with "binary <n>", then n bytes of little-endian struct-of-arrays
 * tree data, then the CRC-32 (zlib) of everything before it, 4 bytes LE.
 * Doubles in the header use %.17g so they round-trip; the library never
 * changes the locale and assumes "C" numeric formatting. The reader is in
 * forest_load.c.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>
#include <zlib.h>

#include "forest_int.h"

const char *const cipi_forest_task_names[2] = {"regression", "classification"};
const char *const cipi_forest_crit_names[4] = {"auto", "mse", "gini", "entropy"};
const char *const cipi_forest_maxf_names[6] = {"auto", "sqrt", "log2", "fraction", "count", "all"};
const char *const cipi_forest_samples_names[3] = {"all", "fraction", "count"};
const char *const cipi_forest_cw_names[3] = {"none", "balanced", "balanced_subsample"};

uint32_t cipi_forest_crc(const void *data, size_t len)
{
    const unsigned char *p = data;
    uLong crc = crc32(0L, Z_NULL, 0);
    while (len > 0) {
        uInt chunk = len > (1u << 30) ? (1u << 30) : (uInt)len;
        crc = crc32(crc, p, chunk);
        p += chunk;
        len -= chunk;
    }
    return (uint32_t)crc;
}

static void put_le(unsigned char *dst, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        dst[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t f64_bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static uint32_t f32_bits(float d)
{
    uint32_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

/* Name as a double-quoted string: \" \\ and \xHH for control bytes. */
static cip_status put_name(cip_ctx *ctx, struct cipi_buf *b, const char *s)
{
    cip_status rc = cipi_buf_putc(ctx, b, '"');
    for (; rc == CIP_OK && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            rc = cipi_buf_printf(ctx, b, "\\%c", c);
        else if (c < 0x20 || c == 0x7F)
            rc = cipi_buf_printf(ctx, b, "\\x%02x", c);
        else
            rc = cipi_buf_putc(ctx, b, (char)c);
    }
    if (rc == CIP_OK)
        rc = cipi_buf_putc(ctx, b, '"');
    return rc;
}

static cip_status put_header(cip_ctx *ctx, struct cipi_buf *b, const cip_forest *f)
{
    const cip_forest_params *p = &f->params;
    cip_status rc = cipi_buf_printf(
        ctx, b,
        "CIPFOREST %d\ntask %s\nn_trees %zu\nn_features %zu\nn_classes %zu\n"
        "n_train_rows %zu\ncriterion %s\nmax_depth %d\nmin_samples_split %d\n"
        "min_samples_leaf %d\nmax_features %s %.17g\nmtry %d\nmin_impurity_decrease %.17g\n"
        "bootstrap %d\nmax_samples %s %.17g\nclass_weight %s\nseed %llu\noob_score %d\n"
        "oob %.17g\nfingerprint %016llx\n",
        FOREST_FORMAT_VERSION, cipi_forest_task_names[p->task], f->n_trees, f->n_features,
        f->n_classes, f->n_train_rows, cipi_forest_crit_names[p->criterion], p->max_depth,
        p->min_samples_split, p->min_samples_leaf, cipi_forest_maxf_names[p->max_features],
        p->max_features_value, f->mtry, p->min_impurity_decrease, p->bootstrap,
        cipi_forest_samples_names[p->max_samples], p->max_samples_value,
        cipi_forest_cw_names[p->class_weight], (unsigned long long)p->seed, p->oob_score,
        f->oob_score, (unsigned long long)f->fingerprint);
    for (size_t j = 0; rc == CIP_OK && j < f->n_features; j++) {
        rc = cipi_buf_printf(ctx, b, "feature %zu %s ", j, cip_type_name(f->types[j]));
        if (rc == CIP_OK)
            rc = put_name(ctx, b, f->names[j]);
        if (rc == CIP_OK)
            rc = cipi_buf_putc(ctx, b, '\n');
    }
    for (size_t k = 0; rc == CIP_OK && k < f->n_classes; k++)
        rc = cipi_buf_printf(ctx, b, "class %zu %.17g\n", k, f->classes[k]);
    return rc;
}

size_t cipi_forest_payload_size(const cip_forest *f)
{
    size_t n = f->n_features * 8;
    for (size_t t = 0; t < f->n_trees; t++)
        n += 8 + (size_t)f->trees[t].n_nodes * FOREST_NODE_FILE_BYTES +
             (size_t)f->trees[t].n_dists * f->n_classes * 4;
    return n;
}

/* Struct-of-arrays tree data into dst (exactly cipi_forest_payload_size bytes). */
static void put_payload(const cip_forest *f, unsigned char *d)
{
    for (size_t j = 0; j < f->n_features; j++, d += 8)
        put_le(d, f64_bits(f->importances[j]), 8);
    for (size_t t = 0; t < f->n_trees; t++) {
        const struct ftree *tr = &f->trees[t];
        size_t nn = tr->n_nodes, nd = (size_t)tr->n_dists * f->n_classes;
        put_le(d, tr->n_nodes, 4);
        put_le(d + 4, tr->n_dists, 4);
        d += 8;
        for (size_t i = 0; i < nn; i++, d += 8) { /* a threshold as the double of its float */
            const struct fnode *n = &tr->nodes[i];
            put_le(d, f64_bits(n->child < 0 ? n->value : (double)n->thr), 8);
        }
        for (size_t i = 0; i < nn; i++, d += 4)
            put_le(d, (uint32_t)tr->nodes[i].child, 4);
        for (size_t i = 0; i < nn; i++, d += 2)
            put_le(d, tr->nodes[i].child < 0 ? 0 : tr->nodes[i].feature, 2);
        for (size_t i = 0; i < nn; i++, d++)
            *d = tr->nodes[i].child < 0 ? 0 : tr->nodes[i].flags;
        for (size_t i = 0; i < nn; i++, d += 4)
            put_le(d, f32_bits(tr->has_cover ? tr->nodes[i].cover : 0.0f), 4);
        for (size_t i = 0; i < nd; i++, d += 4)
            put_le(d, f32_bits(tr->dists[i]), 4);
    }
}

cip_status cip_forest_save_mem(cip_ctx *ctx, const cip_forest *f, char **out, size_t *len)
{
    if (out != NULL)
        *out = NULL;
    if (ctx == NULL)
        return CIP_ERR_MISUSE;
    if (f == NULL || f->magic != FOREST_MAGIC || out == NULL || len == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "forest save: NULL or invalid argument");
    struct cipi_buf b;
    cipi_buf_init(&b, ctx, 0);
    size_t payload = cipi_forest_payload_size(f);
    cip_status rc = put_header(ctx, &b, f);
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, &b, "binary %zu\n", payload);
    if (rc == CIP_OK)
        rc = cipi_buf_reserve(ctx, &b, payload + 4);
    if (rc != CIP_OK) {
        cipi_buf_release(&b);
        return rc;
    }
    put_payload(f, (unsigned char *)b.data + b.len);
    b.len += payload;
    put_le((unsigned char *)b.data + b.len, cipi_forest_crc(b.data, b.len), 4);
    b.len += 4;
    *out = cipi_buf_detach(&b, len);
    return CIP_OK;
}

void cip_forest_buf_free(cip_ctx *ctx, char *buf)
{
    if (ctx != NULL)
        cipi_free(ctx, buf);
}

cip_status cip_forest_save(cip_ctx *ctx, const cip_forest *f, const char *path)
{
    if (ctx == NULL)
        return CIP_ERR_MISUSE;
    if (path == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "forest save: NULL path");
    char *buf = NULL;
    size_t len = 0;
    cip_status rc = cip_forest_save_mem(ctx, f, &buf, &len);
    if (rc == CIP_OK)
        rc = cipi_write_file_atomic(ctx, path, buf, len);
    cipi_free(ctx, buf);
    return rc;
}
