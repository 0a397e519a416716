/* fit.c - cip_forest_fit: validation, class coding and the parallel tree loop
 *
 * Tree t uses RNG stream (seed, t) for its bootstrap counts and then for
 * its feature draws, writes only its own slots (tree, importance row,
 * in-bag bitmap, status), and errors are reported for the lowest failing
 * tree after the parallel region, so the model and the error are the same
 * for any thread count. Workers never touch the ctx: they allocate through
 * the captured allocator.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "forest_int.h"

#define MAX_ROWS ((size_t)1 << 30) /* node indices are int32: 2n - 1 < 2^31 */

struct fit_job { /* shared, read-only in the tree loop (except per-tree slots) */
    const cip_forest_params *p;
    const struct fgrow_cfg *cfg;
    const double *y;      /* regression target */
    const uint8_t *ycode; /* class codes (classification) */
    const double *sw;     /* sample weights or NULL */
    const double *cw;     /* balanced class weights or NULL */
    size_t n, n_draws, n_classes, nb8;
    uint8_t *inbag; /* n_trees * nb8 bits, or NULL */
    double *imp;    /* n_trees * p */
    struct ftree *trees;
    cip_status *status;
    struct cipi_alloc a;
};

static cip_status check_design(cip_ctx *ctx, const cip_frame *x, const double *y, const double *sw)
{
    size_t n = cip_frame_n_rows(x), p = cip_frame_n_cols(x);
    if (n == 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "cannot fit a forest on an empty frame");
    if (p == 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "cannot fit a forest without feature columns");
    if (n > MAX_ROWS)
        return cipi_fail(ctx, CIP_ERR_LIMIT, "too many rows for a forest: %zu (limit %zu)", n,
                         MAX_ROWS);
    if (p > FOREST_MAX_FEATURES)
        return cipi_fail(ctx, CIP_ERR_LIMIT, "too many feature columns: %zu (limit %d)", p,
                         FOREST_MAX_FEATURES);
    for (size_t j = 0; j < p; j++)
        if (cip_frame_col_type(x, j) == CIP_TYPE_CAT)
            return cipi_fail(ctx, CIP_ERR_SCHEMA,
                             "column '%s' is categorical: forests need numeric columns "
                             "(one-hot encode it first)",
                             cip_frame_col_name(x, j));
    double wsum = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(y[i]))
            return cipi_fail(ctx, CIP_ERR_INVALID, "target is not finite at row %zu", i);
        if (sw != NULL) {
            if (!isfinite(sw[i]) || sw[i] < 0.0)
                return cipi_fail(ctx, CIP_ERR_INVALID,
                                 "sample weight must be finite and >= 0 at row %zu", i);
            wsum += sw[i];
        }
    }
    if (sw != NULL && !(wsum > 0.0))
        return cipi_fail(ctx, CIP_ERR_INVALID, "sample weights sum to zero");
    return CIP_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorted distinct class values into f->classes and per-row codes. */
static cip_status code_classes(cip_ctx *ctx, cip_forest *f, const double *y, size_t n,
                               uint8_t *code)
{
    double *u = cipi_mallocarray(ctx, n, sizeof *u);
    if (u == NULL)
        return CIP_ERR_NOMEM;
    memcpy(u, y, n * sizeof *u);
    qsort(u, n, sizeof *u, cmp_double);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || u[i] != u[k - 1])
            u[k++] = u[i] == 0.0 ? 0.0 : u[i]; /* -0.0 and 0.0 are one class */
    if (k > FOREST_MAX_CLASSES) {
        cipi_free(ctx, u);
        return cipi_fail(ctx, CIP_ERR_LIMIT, "too many classes: %zu (limit %d)", k,
                         FOREST_MAX_CLASSES);
    }
    for (size_t i = 0; i < n; i++) {
        size_t lo = 0, hi = k - 1;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (u[mid] < y[i])
                lo = mid + 1;
            else
                hi = mid;
        }
        code[i] = (uint8_t)lo;
    }
    f->classes = cipi_realloc(ctx, u, k * sizeof *u);
    if (f->classes == NULL) {
        cipi_free(ctx, u);
        return CIP_ERR_NOMEM;
    }
    f->n_classes = k;
    return CIP_OK;
}

/* Fill the workspace rows of tree t: bootstrap counts times sample and class weights. */
static size_t tree_rows(const struct fit_job *j, struct fgrow_ws *ws, cip_rng *rng, size_t t)
{
    uint32_t *idx, *cnt;
    double *w, *v, cw_sub[FOREST_MAX_CLASSES], ccount[FOREST_MAX_CLASSES];
    cipi_forest_ws_rows(ws, &idx, &w, &v, &cnt);
    if (j->p->bootstrap)
        cipi_forest_bootstrap(rng, cnt, j->n, j->n_draws);
    else
        for (size_t i = 0; i < j->n; i++)
            cnt[i] = 1;
    const double *cw = j->cw;
    if (j->p->class_weight == CIP_FOREST_CW_BALANCED_SUBSAMPLE) {
        memset(ccount, 0, j->n_classes * sizeof *ccount);
        for (size_t i = 0; i < j->n; i++)
            ccount[j->ycode[i]] += cnt[i];
        cipi_forest_balanced(ccount, j->n_classes, cw_sub);
        cw = cw_sub;
    }
    uint8_t *bag = j->inbag != NULL ? j->inbag + t * j->nb8 : NULL;
    size_t k = 0;
    bool multi = j->n_classes > 2;
    for (size_t i = 0; i < j->n; i++) {
        if (cnt[i] == 0)
            continue;
        if (bag != NULL)
            bag[i >> 3] |= (uint8_t)(1u << (i & 7));
        double wi = (double)cnt[i];
        if (j->sw != NULL)
            wi *= j->sw[i];
        if (cw != NULL)
            wi *= cw[j->ycode[i]];
        if (!(wi > 0.0))
            continue;
        idx[k] = (uint32_t)i;
        w[k] = wi;
        if (multi)
            v[k] = j->ycode[i];
        else
            v[k] = wi * (j->ycode != NULL ? (double)j->ycode[i] : j->y[i]);
        k++;
    }
    return k;
}

static void fit_tree(const struct fit_job *j, struct fgrow_ws *ws, size_t t)
{
    cip_rng rng;
    cip_rng_init(&rng, j->p->seed, t);
    size_t k = tree_rows(j, ws, &rng, t);
    if (k == 0) {
        j->status[t] = CIP_ERR_INVALID;
        return;
    }
    j->status[t] = cipi_forest_grow(&j->a, j->cfg, ws, &rng, k, &j->trees[t],
                                    j->imp + t * j->cfg->bins->n_features);
}

/* The tree loop: parallel over trees, or sequential with parallel features. */
static void run_trees(cip_ctx *ctx, const struct fit_job *j, struct fgrow_ws **ws, int nt,
                      bool by_tree)
{
    size_t n_trees = (size_t)j->p->n_estimators;
    if (!by_tree) {
        for (size_t t = 0; t < n_trees; t++) {
            fit_tree(j, ws[0], t);
            cipi_progress(ctx, "forest", t + 1, n_trees);
        }
        return;
    }
    size_t done = 0;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt)
#endif
    for (size_t t = 0; t < n_trees; t++) {
        int tid = 0;
#ifdef _OPENMP
        tid = omp_get_thread_num();
#endif
        fit_tree(j, ws[tid], t);
        size_t d;
#ifdef _OPENMP
#pragma omp atomic capture
#endif
        d = ++done;
        /* thread 0 is the calling thread: progress callbacks stay on it */
        if (tid == 0)
            cipi_progress(ctx, "forest", d, n_trees);
    }
    (void)nt;
}

static cip_status tree_error(cip_ctx *ctx, const cip_status *st, size_t n_trees)
{
    for (size_t t = 0; t < n_trees; t++) {
        switch (st[t]) {
        case CIP_OK:
            continue;
        case CIP_ERR_NOMEM:
            return cipi_nomem(ctx);
        case CIP_ERR_INVALID:
            return cipi_fail(ctx, CIP_ERR_INVALID,
                             "tree %zu: no row with a positive weight in its sample", t);
        default:
            return cipi_fail(ctx, CIP_ERR_INTERNAL, "tree %zu: internal error while growing", t);
        }
    }
    return CIP_OK;
}

static cip_status copy_columns(cip_ctx *ctx, cip_forest *f, const cip_frame *x)
{
    f->n_features = cip_frame_n_cols(x);
    f->names = cipi_calloc(ctx, f->n_features, sizeof *f->names);
    f->types = cipi_calloc(ctx, f->n_features, sizeof *f->types);
    f->importances = cipi_calloc(ctx, f->n_features, sizeof *f->importances);
    if (f->names == NULL || f->types == NULL || f->importances == NULL)
        return CIP_ERR_NOMEM;
    for (size_t j = 0; j < f->n_features; j++) {
        f->types[j] = cip_frame_col_type(x, j);
        f->names[j] = cipi_strdup(ctx, cip_frame_col_name(x, j));
        if (f->names[j] == NULL)
            return CIP_ERR_NOMEM;
    }
    return CIP_OK;
}

/* Parameter checks that need the data size. */
static cip_status check_sizes(cip_ctx *ctx, const cip_forest_params *p, size_t n, size_t nf)
{
    if (p->max_features == CIP_FOREST_MAXF_COUNT && p->max_features_value > (double)nf)
        return cipi_fail(ctx, CIP_ERR_INVALID, "max_features %g exceeds the %zu features",
                         p->max_features_value, nf);
    if (p->max_samples == CIP_FOREST_SAMPLES_COUNT && p->max_samples_value > (double)n)
        return cipi_fail(ctx, CIP_ERR_INVALID, "max_samples %g exceeds the %zu rows",
                         p->max_samples_value, n);
    return CIP_OK;
}

static uint64_t data_fingerprint(uint64_t h, const double *y, const double *sw, size_t n)
{
    h = cip_mix64(h ^ cipi_hash_bytes(y, n * sizeof *y));
    if (sw != NULL)
        h = cip_mix64(h ^ cipi_hash_bytes(sw, n * sizeof *sw));
    return h;
}

/* Everything after validation: bins, workspaces, trees, importances, OOB. */
static cip_status fit_forest(cip_ctx *ctx, cip_forest *f, const cip_frame *x, const double *y,
                             const double *sw, const uint8_t *ycode)
{
    size_t n = f->n_train_rows, nt_trees = (size_t)f->params.n_estimators;
    struct fbins bins = {0};
    struct fgrow_ws **ws = NULL;
    double *imp = NULL, cw[FOREST_MAX_CLASSES];
    uint8_t *inbag = NULL;
    cip_status *status = NULL;
    int nt = cipi_threads_for(ctx, SIZE_MAX), n_ws = 0;
    bool by_tree = nt_trees >= (size_t)nt;
    cip_status rc = cipi_forest_bin(ctx, x, &bins);
    if (rc != CIP_OK)
        goto done;
    if (by_tree && bins.n_features <= FOREST_ROWS_MAX_FEATURES)
        cipi_forest_bins_drop_columns(ctx, &bins); /* the growers read node-ordered rows */
    size_t k = f->n_classes;
    struct fgrow_cfg cfg = {
        .bins = &bins,
        .sc = {f->params.criterion == CIP_FOREST_CRIT_MSE    ? FCRIT_MSE
               : f->params.criterion == CIP_FOREST_CRIT_GINI ? FCRIT_GINI
                                                             : FCRIT_ENTROPY,
               k > 2 ? (int)k : 2, (int)k, (uint32_t)f->params.min_samples_leaf},
        .max_depth = f->params.max_depth,
        .min_split = (uint32_t)f->params.min_samples_split,
        .min_dec = f->params.min_impurity_decrease,
        .mtry = f->mtry,
        .n_classes = (int)k,
        .feat_threads = by_tree ? 1 : nt,
    };
    struct fit_job job = {.p = &f->params,
                          .cfg = &cfg,
                          .y = y,
                          .ycode = ycode,
                          .sw = sw,
                          .n = n,
                          .n_draws = cipi_forest_n_draws(&f->params, n),
                          .n_classes = k,
                          .nb8 = (n + 7) / 8,
                          .a = f->a};
    if (f->params.class_weight == CIP_FOREST_CW_BALANCED) {
        double cnt[FOREST_MAX_CLASSES] = {0};
        for (size_t i = 0; i < n; i++)
            cnt[ycode[i]] += 1.0;
        cipi_forest_balanced(cnt, k, cw);
        job.cw = cw;
    }
    rc = CIP_ERR_NOMEM;
    f->trees = cipi_calloc(ctx, nt_trees, sizeof *f->trees);
    imp = cipi_calloc(ctx, nt_trees, bins.n_features * sizeof *imp);
    status = cipi_calloc(ctx, nt_trees, sizeof *status);
    if (f->params.oob_score)
        inbag = cipi_calloc(ctx, nt_trees, job.nb8);
    n_ws = by_tree ? nt : 1;
    ws = cipi_calloc(ctx, (size_t)n_ws, sizeof *ws);
    if (!f->trees || !imp || !status || !ws || (f->params.oob_score && !inbag))
        goto done;
    f->n_trees = nt_trees;
    for (int i = 0; i < n_ws; i++)
        if ((rc = cipi_forest_ws_new(ctx, &cfg, n, &ws[i])) != CIP_OK)
            goto done;
    job.imp = imp;
    job.inbag = inbag;
    job.trees = f->trees;
    job.status = status;
    run_trees(ctx, &job, ws, nt, by_tree);
    if ((rc = tree_error(ctx, status, nt_trees)) != CIP_OK)
        goto done;
    cipi_forest_importances(imp, nt_trees, bins.n_features, f->trees, f->importances);
    f->fingerprint = data_fingerprint(bins.fingerprint, y, sw, n);
    if (inbag != NULL)
        rc = cipi_forest_oob(ctx, f, x, y, inbag);
done:
    for (int i = 0; ws != NULL && i < n_ws; i++)
        cipi_forest_ws_free(&f->a, ws[i]);
    cipi_free(ctx, ws);
    cipi_free(ctx, imp);
    cipi_free(ctx, inbag);
    cipi_free(ctx, status);
    cipi_forest_bins_release(ctx, &bins);
    return rc;
}

cip_status cip_forest_fit(cip_ctx *ctx, const cip_frame *x, const double *y,
                          const double *sample_weight, const cip_forest_params *p, cip_forest **out)
{
    if (out != NULL)
        *out = NULL;
    if (ctx == NULL)
        return CIP_ERR_MISUSE;
    if (x == NULL || y == NULL || p == NULL || out == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "cip_forest_fit: NULL argument");
    cip_status rc = cip_forest_params_check(ctx, p);
    if (rc == CIP_OK)
        rc = check_design(ctx, x, y, sample_weight);
    if (rc != CIP_OK)
        return rc;
    size_t n = cip_frame_n_rows(x);
    cip_forest_params rp;
    cipi_forest_resolve(p, &rp);
    if ((rc = check_sizes(ctx, &rp, n, cip_frame_n_cols(x))) != CIP_OK)
        return rc;
    uint8_t *ycode = NULL;
    cip_forest *f = cipi_forest_alloc(ctx);
    if (f == NULL)
        return CIP_ERR_NOMEM;
    f->params = rp;
    f->n_train_rows = n;
    f->mtry = cipi_forest_mtry(&rp, cip_frame_n_cols(x));
    if ((rc = copy_columns(ctx, f, x)) != CIP_OK)
        goto done;
    if (rp.task == CIP_FOREST_CLASSIFICATION) {
        rc = CIP_ERR_NOMEM;
        if ((ycode = cipi_malloc(ctx, n)) == NULL)
            goto done;
        if ((rc = code_classes(ctx, f, y, n, ycode)) != CIP_OK)
            goto done;
    }
    rc = fit_forest(ctx, f, x, y, sample_weight, ycode);
done:
    cipi_free(ctx, ycode);
    if (rc != CIP_OK) {
        if (rc == CIP_ERR_NOMEM)
            cipi_nomem(ctx);
        cip_forest_free(f);
        return rc;
    }
    *out = f;
    return CIP_OK;
}
