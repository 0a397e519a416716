/* forest_load.c - the forest model file: reader and validator
 *
 * Checks in order: magic, format version, the "binary <n>" line, the exact
 * file size (truncation), the CRC-32 (corruption), then every header field
 * and every tree (bounds, children after their parent, each node reached
 * exactly once, known flags, finite values). Any failure is CIP_ERR_PARSE
 * naming the file and what is wrong; nothing is trusted before it is
 * checked, so arbitrary bytes never crash the reader (fuzzed by
 * fuzz/fuzz_forest_load.c).
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forest_int.h"

#define MAGIC     "CIPFOREST "
#define MAGIC_LEN 10

struct rd {
    cip_ctx *ctx;
    int version; /* file format version (1 or 2) */
    const char *name;
    const char *s; /* header text */
    size_t len;    /* header bytes (up to the binary line) */
    size_t pos;
    size_t line;
};

static cip_status perr(const struct rd *r, const char *fmt, ...) CIPI_PRINTF(2, 3);
static cip_status perr(const struct rd *r, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (r->line > 0)
        return cipi_fail(r->ctx, CIP_ERR_PARSE, "%s:%zu: %s", r->name, r->line, msg);
    return cipi_fail(r->ctx, CIP_ERR_PARSE, "%s: %s", r->name, msg);
}

/* --- tokens -------------------------------------------------------------------------------- */
struct span {
    const char *p;
    size_t n;
};

static bool next_tok(struct span *line, struct span *t)
{
    while (line->n > 0 && *line->p == ' ') {
        line->p++;
        line->n--;
    }
    if (line->n == 0)
        return false;
    t->p = line->p;
    t->n = 0;
    while (line->n > 0 && *line->p != ' ') {
        line->p++;
        line->n--;
        t->n++;
    }
    return true;
}

static bool tok_is(struct span t, const char *s)
{
    return t.n == strlen(s) && memcmp(t.p, s, t.n) == 0;
}

static bool tok_u64(struct span t, int base, uint64_t *out)
{
    char buf[32];
    if (t.n == 0 || t.n >= sizeof buf || t.p[0] == '-' || t.p[0] == '+')
        return false;
    memcpy(buf, t.p, t.n);
    buf[t.n] = '\0';
    char *end;
    errno = 0;
    unsigned long long v = strtoull(buf, &end, base);
    if (errno != 0 || *end != '\0')
        return false;
    *out = v;
    return true;
}

static bool tok_int(struct span t, int lo, int hi, int *out)
{
    char buf[32];
    if (t.n == 0 || t.n >= sizeof buf)
        return false;
    memcpy(buf, t.p, t.n);
    buf[t.n] = '\0';
    char *end;
    errno = 0;
    long v = strtol(buf, &end, 10);
    if (errno != 0 || *end != '\0' || v < lo || v > hi)
        return false;
    *out = (int)v;
    return true;
}

static bool tok_double(struct span t, double *out)
{
    char buf[64];
    if (t.n == 0 || t.n >= sizeof buf)
        return false;
    memcpy(buf, t.p, t.n);
    buf[t.n] = '\0';
    char *end;
    *out = strtod(buf, &end);
    return *end == '\0';
}

static int tok_enum(struct span t, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (tok_is(t, names[i]))
            return i;
    return -1;
}

/* Quoted, escaped name (the rest of the line) into a new string. */
static cip_status tok_name(const struct rd *r, struct span line, char **out)
{
    while (line.n > 0 && *line.p == ' ') {
        line.p++;
        line.n--;
    }
    if (line.n < 2 || line.p[0] != '"' || line.p[line.n - 1] != '"')
        return perr(r, "feature name must be a quoted string");
    char *s = cipi_malloc(r->ctx, line.n);
    if (s == NULL)
        return CIP_ERR_NOMEM;
    size_t k = 0;
    for (size_t i = 1; i + 1 < line.n; i++) {
        char c = line.p[i];
        if (c == '\\' && i + 2 < line.n && (line.p[i + 1] == '"' || line.p[i + 1] == '\\')) {
            c = line.p[++i];
        } else if (c == '\\' && i + 4 < line.n && line.p[i + 1] == 'x') {
            char hex[3] = {line.p[i + 2], line.p[i + 3], '\0'}, *end;
            long v = strtol(hex, &end, 16);
            if (*end != '\0' || v <= 0) {
                cipi_free(r->ctx, s);
                return perr(r, "bad escape in feature name");
            }
            c = (char)v;
            i += 3;
        } else if (c == '\\' || c == '"' || c == '\0') {
            cipi_free(r->ctx, s);
            return perr(r, "bad character in feature name");
        }
        s[k++] = c;
    }
    s[k] = '\0';
    *out = s;
    return CIP_OK;
}

/* --- header -------------------------------------------------------------------------------- */
enum {
    K_TASK,
    K_NTREES,
    K_NFEAT,
    K_NCLASS,
    K_NROWS,
    K_CRIT,
    K_DEPTH,
    K_SPLIT,
    K_LEAF,
    K_MAXF,
    K_MTRY,
    K_MINDEC,
    K_BOOT,
    K_MAXS,
    K_CW,
    K_SEED,
    K_OOBF,
    K_OOB,
    K_FP,
    K_COUNT
};
static const char *const keys[K_COUNT] = {"task",
                                          "n_trees",
                                          "n_features",
                                          "n_classes",
                                          "n_train_rows",
                                          "criterion",
                                          "max_depth",
                                          "min_samples_split",
                                          "min_samples_leaf",
                                          "max_features",
                                          "mtry",
                                          "min_impurity_decrease",
                                          "bootstrap",
                                          "max_samples",
                                          "class_weight",
                                          "seed",
                                          "oob_score",
                                          "oob",
                                          "fingerprint"};

static bool u64_in(struct span t, uint64_t lo, uint64_t hi, uint64_t *out)
{
    return tok_u64(t, 10, out) && *out >= lo && *out <= hi;
}

/* Scalar key k with its values in line. Returns false on a malformed value. */
static bool scalar(cip_forest *f, int k, struct span line)
{
    cip_forest_params *p = &f->params;
    struct span a = {0}, b = {0}, extra;
    uint64_t u = 0;
    int e;
    bool want_two = k == K_MAXF || k == K_MAXS;
    if (!next_tok(&line, &a) || next_tok(&line, &b) != want_two || next_tok(&line, &extra))
        return false;
    switch (k) {
    case K_TASK:
        e = tok_enum(a, cipi_forest_task_names, 2);
        p->task = (cip_forest_task)e;
        return e >= 0;
    case K_NTREES:
        f->n_trees = u64_in(a, 1, FOREST_MAX_TREES, &u) ? (size_t)u : 0;
        return f->n_trees > 0;
    case K_NFEAT:
        f->n_features = u64_in(a, 1, FOREST_MAX_FEATURES, &u) ? (size_t)u : 0;
        return f->n_features > 0;
    case K_NCLASS:
        if (!u64_in(a, 0, FOREST_MAX_CLASSES, &u))
            return false;
        f->n_classes = (size_t)u;
        return true;
    case K_NROWS:
        if (!u64_in(a, 0, SIZE_MAX, &u))
            return false;
        f->n_train_rows = (size_t)u;
        return true;
    case K_CRIT:
        e = tok_enum(a, cipi_forest_crit_names, 4);
        p->criterion = (cip_forest_criterion)e;
        return e > 0;
    case K_DEPTH:
        return tok_int(a, 0, 1 << 30, &p->max_depth);
    case K_SPLIT:
        return tok_int(a, 2, 1 << 30, &p->min_samples_split);
    case K_LEAF:
        return tok_int(a, 1, 1 << 30, &p->min_samples_leaf);
    case K_MAXF:
        e = tok_enum(a, cipi_forest_maxf_names, 6);
        p->max_features = (cip_forest_max_features)e;
        return e > 0 && tok_double(b, &p->max_features_value);
    case K_MTRY:
        return tok_int(a, 1, FOREST_MAX_FEATURES, &f->mtry);
    case K_MINDEC:
        return tok_double(a, &p->min_impurity_decrease);
    case K_BOOT:
        return tok_int(a, 0, 1, &p->bootstrap);
    case K_MAXS:
        e = tok_enum(a, cipi_forest_samples_names, 3);
        p->max_samples = (cip_forest_max_samples)e;
        return e >= 0 && tok_double(b, &p->max_samples_value);
    case K_CW:
        e = tok_enum(a, cipi_forest_cw_names, 3);
        p->class_weight = (cip_forest_class_weight)e;
        return e >= 0;
    case K_SEED:
        return tok_u64(a, 10, &p->seed);
    case K_OOBF:
        return tok_int(a, 0, 1, &p->oob_score);
    case K_OOB:
        return tok_double(a, &f->oob_score);
    default:
        return a.n == 16 && tok_u64(a, 16, &f->fingerprint);
    }
}

/* "feature <j> <type> <name>": features in order once n_features is known. */
static cip_status feature_line(struct rd *r, cip_forest *f, struct span line, size_t *n_seen)
{
    struct span a, b;
    uint64_t j;
    cip_type t;
    if (f->names == NULL)
        return perr(r, "'feature' before 'n_features'");
    if (!next_tok(&line, &a) || !tok_u64(a, 10, &j) || j != *n_seen || j >= f->n_features)
        return perr(r, "feature index out of order or range");
    if (!next_tok(&line, &b))
        return perr(r, "missing feature type");
    char tn[16];
    snprintf(tn, sizeof tn, "%.*s", (int)(b.n < 15 ? b.n : 15), b.p);
    if (b.n >= 15 || cip_type_parse(NULL, tn, &t) != CIP_OK || t == CIP_TYPE_CAT)
        return perr(r, "bad feature type '%s'", tn);
    f->types[j] = t;
    cip_status rc = tok_name(r, line, &f->names[j]);
    if (rc == CIP_OK)
        (*n_seen)++;
    return rc;
}

/* "class <k> <value>": strictly increasing finite values. */
static cip_status class_line(struct rd *r, cip_forest *f, struct span line, size_t *n_seen)
{
    struct span a, b, extra;
    uint64_t k;
    double v;
    if (f->classes == NULL)
        return perr(r, "'class' before 'n_classes'");
    if (!next_tok(&line, &a) || !tok_u64(a, 10, &k) || k != *n_seen || k >= f->n_classes)
        return perr(r, "class index out of order or range");
    if (!next_tok(&line, &b) || !tok_double(b, &v) || !isfinite(v) || next_tok(&line, &extra) ||
        (k > 0 && !(v > f->classes[k - 1])))
        return perr(r, "bad class value");
    f->classes[k] = v;
    (*n_seen)++;
    return CIP_OK;
}

/* Allocate the per-feature / per-class arrays once their counts are known. */
static cip_status header_arrays(struct rd *r, cip_forest *f, int k)
{
    if (k == K_NFEAT && f->names == NULL) {
        f->names = cipi_calloc(r->ctx, f->n_features, sizeof *f->names);
        f->types = cipi_calloc(r->ctx, f->n_features, sizeof *f->types);
        f->importances = cipi_calloc(r->ctx, f->n_features, sizeof *f->importances);
        if (!f->names || !f->types || !f->importances)
            return CIP_ERR_NOMEM;
    }
    if (k == K_NCLASS && f->classes == NULL && f->n_classes > 0) {
        f->classes = cipi_calloc(r->ctx, f->n_classes, sizeof *f->classes);
        if (f->classes == NULL)
            return CIP_ERR_NOMEM;
    }
    return CIP_OK;
}

static cip_status header_line(struct rd *r, cip_forest *f, struct span line, uint32_t *seen,
                              size_t *n_feat, size_t *n_cls)
{
    struct span key;
    if (!next_tok(&line, &key))
        return perr(r, "empty header line");
    if (tok_is(key, "feature"))
        return feature_line(r, f, line, n_feat);
    if (tok_is(key, "class"))
        return class_line(r, f, line, n_cls);
    for (int k = 0; k < K_COUNT; k++) {
        if (!tok_is(key, keys[k]))
            continue;
        if (*seen & (1u << k))
            return perr(r, "duplicate key '%s'", keys[k]);
        if (!scalar(f, k, line))
            return perr(r, "bad value for '%s'", keys[k]);
        *seen |= 1u << k;
        return header_arrays(r, f, k);
    }
    return CIP_OK; /* unknown keys are ignored (forward-compatible additions) */
}

/* Cross-field checks of a complete header. */
static cip_status header_check(struct rd *r, cip_forest *f, uint32_t seen, size_t n_feat,
                               size_t n_cls)
{
    for (int k = 0; k < K_COUNT; k++)
        if (!(seen & (1u << k)))
            return perr(r, "missing header key '%s'", keys[k]);
    r->line = 0;
    cip_forest_params *p = &f->params;
    p->n_estimators = (int)f->n_trees;
    bool reg = p->task == CIP_FOREST_REGRESSION;
    if (n_feat != f->n_features)
        return perr(r, "%zu feature lines for %zu features", n_feat, f->n_features);
    if (reg ? f->n_classes != 0 : (f->n_classes == 0 || n_cls != f->n_classes))
        return perr(r, "class list does not match the task");
    if (f->mtry > (int)f->n_features)
        return perr(r, "mtry %d exceeds %zu features", f->mtry, f->n_features);
    if (cip_forest_params_check(r->ctx, p) != CIP_OK)
        return cipi_fail_prefix(r->ctx, CIP_ERR_PARSE, "%s: bad parameters", r->name);
    return CIP_OK;
}

/* Parse header lines [after the magic line, the binary line). */
static cip_status parse_header(struct rd *r, cip_forest *f)
{
    uint32_t seen = 0;
    size_t n_feat = 0, n_cls = 0;
    r->line = 1;
    r->pos = (size_t)((const char *)memchr(r->s, '\n', r->len) - r->s) + 1;
    while (r->pos < r->len) {
        r->line++;
        const char *nl = memchr(r->s + r->pos, '\n', r->len - r->pos);
        struct span line = {r->s + r->pos, (size_t)(nl - (r->s + r->pos))};
        cip_status rc = header_line(r, f, line, &seen, &n_feat, &n_cls);
        if (rc != CIP_OK)
            return rc;
        r->pos += line.n + 1;
    }
    return header_check(r, f, seen, n_feat, n_cls);
}

/* --- payload -------------------------------------------------------------------------------- */
struct bin {
    const unsigned char *p;
    size_t left;
};

static const unsigned char *take(struct bin *b, size_t n)
{
    if (n > b->left)
        return NULL;
    const unsigned char *p = b->p;
    b->p += n;
    b->left -= n;
    return p;
}

static uint64_t get_le(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static double get_f64(const unsigned char *p)
{
    uint64_t u = get_le(p, 8);
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* Structure checks: children after their parent, each node reached once. */
static cip_status tree_check(struct rd *r, const cip_forest *f, struct ftree *t, size_t ti,
                             int32_t *depth)
{
    size_t nn = t->n_nodes, k = f->n_classes;
    memset(depth, 0xFF, nn * sizeof *depth); /* -1 = not reached */
    depth[0] = 0;
    t->n_leaves = 0;
    t->depth = 0;
    for (size_t i = 0; i < nn; i++) {
        const struct fnode *n = &t->nodes[i];
        if (depth[i] < 0)
            return perr(r, "tree %zu: node %zu is not reachable", ti, i);
        if (n->child < 0) {
            size_t ref = (size_t)~n->child;
            bool ok = k == 0 ? ref == 0 && isfinite(n->value) : ref < k + t->n_dists;
            if (!ok)
                return perr(r, "tree %zu: leaf %zu has a bad value", ti, i);
            t->n_leaves++;
            t->depth = depth[i] > t->depth ? depth[i] : t->depth;
            continue;
        }
        size_t c = (size_t)n->child;
        if (c <= i || c + 1 >= nn || depth[c] >= 0 || depth[c + 1] >= 0)
            return perr(r, "tree %zu: node %zu has a bad child index %zu", ti, i, c);
        if (n->feature >= f->n_features)
            return perr(r, "tree %zu: node %zu has a bad split", ti, i);
        depth[c] = depth[c + 1] = depth[i] + 1;
    }
    for (size_t i = 0; i < (size_t)t->n_dists * k; i++)
        if (!(t->dists[i] >= 0.0f && t->dists[i] <= 1.0f))
            return perr(r, "tree %zu: bad class distribution", ti);
    for (size_t i = 0; t->has_cover && i < nn; i++)
        if (!(t->nodes[i].cover >= 0.0f && t->nodes[i].cover <= 3.4e38f))
            return perr(r, "tree %zu: node %zu has a bad cover", ti, i);
    return CIP_OK;
}

static cip_status read_tree(struct rd *r, cip_forest *f, struct bin *b, size_t ti, int32_t **depth,
                            size_t *depth_cap)
{
    struct ftree *t = &f->trees[ti];
    const unsigned char *h = take(b, 8);
    if (h == NULL)
        return perr(r, "tree %zu: data truncated", ti);
    uint64_t nn = get_le(h, 4), nd = get_le(h + 4, 4);
    size_t k = f->n_classes,
           nb = r->version == 1 ? FOREST_NODE_FILE_BYTES_V1 : FOREST_NODE_FILE_BYTES;
    if (nn == 0 || nn > b->left / nb || nn > INT32_MAX || (k == 0 && nd != 0) ||
        nd * k * 4 > b->left - nn * nb)
        return perr(r, "tree %zu: bad node or leaf count", ti);
    const unsigned char *val = take(b, nn * 8), *ch = take(b, nn * 4), *ft = take(b, nn * 2),
                        *fl = take(b, nn),
                        *cv = take(b, nb > FOREST_NODE_FILE_BYTES_V1 ? nn * 4 : 0),
                        *di = take(b, nd * k * 4);
    t->nodes = cipi_mallocarray(r->ctx, nn, sizeof *t->nodes);
    t->dists = nd > 0 ? cipi_mallocarray(r->ctx, nd * k, sizeof *t->dists) : NULL;
    if (t->nodes == NULL || (nd > 0 && t->dists == NULL))
        return CIP_ERR_NOMEM;
    t->n_nodes = (uint32_t)nn;
    t->n_dists = (uint32_t)nd;
    t->has_cover = cv != NULL && r->version > 1;
    for (size_t i = 0; i < nn; i++) {
        struct fnode *n = &t->nodes[i];
        double v = get_f64(val + 8 * i);
        uint32_t u = t->has_cover ? (uint32_t)get_le(cv + 4 * i, 4) : 0;
        memset(n, 0, sizeof *n);
        n->child = (int32_t)(uint32_t)get_le(ch + 4 * i, 4);
        memcpy(&n->cover, &u, sizeof u);
        if (fl[i] & ~FNODE_MISSING_LEFT)
            return perr(r, "tree %zu: node %zu has unknown flags", ti, i);
        if (n->child < 0) {
            n->value = v;
            continue;
        }
        if (v != v)
            return perr(r, "tree %zu: node %zu has a bad split", ti, i);
        /* Older files hold any double; predictions compare float inputs. */
        n->thr = cipi_forest_thr32(v);
        n->feature = (uint16_t)get_le(ft + 2 * i, 2);
        n->flags = fl[i];
    }
    for (size_t i = 0; i < nd * k; i++) {
        uint32_t u = (uint32_t)get_le(di + 4 * i, 4);
        memcpy(&t->dists[i], &u, sizeof u);
    }
    if (nn > *depth_cap) {
        int32_t *d = cipi_realloc(r->ctx, *depth, nn * sizeof *d);
        if (d == NULL)
            return CIP_ERR_NOMEM;
        *depth = d;
        *depth_cap = nn;
    }
    return tree_check(r, f, t, ti, *depth);
}

static cip_status read_payload(struct rd *r, cip_forest *f, const unsigned char *p, size_t len)
{
    struct bin b = {p, len};
    const unsigned char *imp = take(&b, f->n_features * 8);
    size_t min_tree = 8 + (r->version == 1 ? FOREST_NODE_FILE_BYTES_V1 : FOREST_NODE_FILE_BYTES);
    if (imp == NULL || b.left / min_tree < f->n_trees)
        return perr(r, "tree data truncated");
    for (size_t j = 0; j < f->n_features; j++) {
        f->importances[j] = get_f64(imp + 8 * j);
        if (!(f->importances[j] >= 0.0 && f->importances[j] <= 1.0))
            return perr(r, "bad feature importance");
    }
    f->trees = cipi_calloc(r->ctx, f->n_trees, sizeof *f->trees);
    if (f->trees == NULL)
        return CIP_ERR_NOMEM;
    int32_t *depth = NULL;
    size_t cap = 0;
    cip_status rc = CIP_OK;
    for (size_t t = 0; rc == CIP_OK && t < f->n_trees; t++)
        rc = read_tree(r, f, &b, t, &depth, &cap);
    cipi_free(r->ctx, depth);
    if (rc == CIP_OK && b.left != 0)
        rc = perr(r, "%zu unexpected bytes after the trees", b.left);
    return rc;
}

/* --- framing ------------------------------------------------------------------------------ */
/* Check magic, version, the binary line, the size and the checksum; sets
 * r->len to the header length and *payload to the tree data. */
static cip_status framing(struct rd *r, const char *data, size_t len, size_t *payload_len)
{
    if (len < MAGIC_LEN || memcmp(data, MAGIC, MAGIC_LEN) != 0)
        return perr(r, "not a cip forest model (bad magic)");
    const char *nl = memchr(data, '\n', len < 64 ? len : 64);
    struct span v = {data + MAGIC_LEN, nl != NULL ? (size_t)(nl - data) - MAGIC_LEN : 0};
    uint64_t ver;
    if (nl == NULL || !tok_u64(v, 10, &ver))
        return perr(r, "bad format version line");
    if (ver != 1 && ver != FOREST_FORMAT_VERSION)
        return perr(r, "unsupported forest format version %llu (this build reads versions 1-%d)",
                    (unsigned long long)ver, FOREST_FORMAT_VERSION);
    r->version = (int)ver;
    size_t pos = (size_t)(nl - data) + 1;
    for (;;) { /* find the "binary <n>" line */
        const char *e = pos < len ? memchr(data + pos, '\n', len - pos) : NULL;
        if (e == NULL)
            return perr(r, "truncated header (no 'binary' line)");
        struct span line = {data + pos, (size_t)(e - data) - pos}, key, n;
        if (next_tok(&line, &key) && tok_is(key, "binary")) {
            uint64_t want;
            if (!next_tok(&line, &n) || !tok_u64(n, 10, &want) || want > SIZE_MAX - 4)
                return perr(r, "bad 'binary' line");
            r->len = pos;
            pos = (size_t)(e - data) + 1;
            if (len - pos < want + 4)
                return perr(r, "truncated: %llu bytes of tree data + checksum expected, %zu found",
                            (unsigned long long)want + 4, len - pos);
            if (len - pos > want + 4)
                return perr(r, "%zu unexpected bytes after the checksum", len - pos - want - 4);
            *payload_len = (size_t)want;
            break;
        }
        pos = (size_t)(e - data) + 1;
    }
    uint32_t crc = (uint32_t)get_le((const unsigned char *)data + len - 4, 4);
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION /* let fuzzers reach the parser */
    if (crc != cipi_forest_crc(data, len - 4))
        return perr(r, "checksum mismatch: the file is corrupted");
#else
    (void)crc;
#endif
    return CIP_OK;
}

cip_status cip_forest_load_mem(cip_ctx *ctx, const char *name, const void *data, size_t len,
                               cip_forest **out)
{
    if (out != NULL)
        *out = NULL;
    if (ctx == NULL)
        return CIP_ERR_MISUSE;
    if ((data == NULL && len > 0) || out == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "forest load: NULL argument");
    struct rd r = {ctx, 0, name != NULL ? name : "<memory>", data, 0, 0, 0};
    size_t payload = 0;
    cip_status rc = framing(&r, data, len, &payload);
    if (rc != CIP_OK)
        return rc;
    cip_forest *f = cipi_forest_alloc(ctx);
    if (f == NULL)
        return CIP_ERR_NOMEM;
    rc = parse_header(&r, f);
    if (rc == CIP_OK)
        rc = read_payload(&r, f, (const unsigned char *)data + (len - 4 - payload), payload);
    if (rc != CIP_OK) {
        if (rc == CIP_ERR_NOMEM)
            cipi_nomem(ctx);
        cip_forest_free(f);
        return rc;
    }
    *out = f;
    return CIP_OK;
}

cip_status cip_forest_load(cip_ctx *ctx, const char *path, cip_forest **out)
{
    if (out != NULL)
        *out = NULL;
    if (ctx == NULL)
        return CIP_ERR_MISUSE;
    if (path == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "forest load: NULL path");
    char *buf = NULL;
    size_t len = 0;
    cip_status rc = cipi_read_file(ctx, path, 0, &buf, &len);
    if (rc == CIP_OK)
        rc = cip_forest_load_mem(ctx, path, buf, len, out);
    cipi_free(ctx, buf);
    return rc;
}
