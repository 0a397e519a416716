/* importance.c - impurity (MDI) and permutation feature importances
 *
 * Impurity importance is scikit-learn's feature_importances_: each tree's
 * weighted impurity decreases per feature, normalised to sum 1 per tree,
 * averaged over the trees that have at least one split, normalised again.
 * Permutation importance (Breiman 2001) shuffles one column of a held-out
 * set at a time and reports the drop of R^2 / accuracy; every (feature,
 * repeat) pair uses its own RNG stream and its score is summed in row order,
 * so the results are the same for any thread count.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "forest_int.h"

void cipi_forest_importances(const double *imp, size_t n_trees, size_t p, const struct ftree *trees,
                             double *out)
{
    size_t used = 0;
    memset(out, 0, p * sizeof *out);
    for (size_t t = 0; t < n_trees; t++) {
        if (trees[t].n_nodes <= 1)
            continue;
        const double *row = imp + t * p;
        double sum = 0.0;
        for (size_t j = 0; j < p; j++)
            sum += row[j];
        used++;
        if (sum > 0.0)
            for (size_t j = 0; j < p; j++)
                out[j] += row[j] / sum;
    }
    if (used == 0)
        return;
    double total = 0.0;
    for (size_t j = 0; j < p; j++) {
        out[j] /= (double)used;
        total += out[j];
    }
    if (total > 0.0)
        for (size_t j = 0; j < p; j++)
            out[j] /= total;
}

struct perm_job {
    const cip_forest *f;
    const double *xr; /* n * p row-major */
    const double *y;
    size_t n;
    int n_repeats;
    uint64_t seed;
    double ss_tot; /* regression: sum (y - mean)^2 */
};

/* Score of a prediction vector summary: R^2 from the residual sum, or accuracy. */
static double score_of(const struct perm_job *j, double acc)
{
    if (j->f->n_classes > 0)
        return acc / (double)j->n;
    if (j->ss_tot == 0.0)
        return acc == 0.0 ? 1.0 : 0.0;
    return 1.0 - acc / j->ss_tot;
}

/* Residual sum of squares or hit count with column `col` taken from rows perm. */
static double score_rows(const struct perm_job *j, int col, const uint32_t *perm, double *row)
{
    size_t p = j->f->n_features;
    double acc = 0.0;
    for (size_t i = 0; i < j->n; i++) {
        memcpy(row, j->xr + i * p, p * sizeof *row);
        if (col >= 0)
            row[col] = j->xr[(size_t)perm[i] * p + (size_t)col];
        double pred;
        cip_forest_predict_row(j->f, row, &pred);
        if (j->f->n_classes > 0)
            acc += pred == j->y[i];
        else
            acc += (j->y[i] - pred) * (j->y[i] - pred);
    }
    return score_of(j, acc);
}

static double pair_score(const struct perm_job *j, size_t pair, uint32_t *perm, double *row)
{
    cip_rng r;
    cip_rng_init(&r, j->seed, pair);
    for (size_t i = 0; i < j->n; i++)
        perm[i] = (uint32_t)i;
    for (size_t i = j->n; i > 1; i--) { /* Fisher-Yates */
        size_t k = (size_t)cip_rng_below(&r, i);
        uint32_t t = perm[i - 1];
        perm[i - 1] = perm[k];
        perm[k] = t;
    }
    return score_rows(j, (int)(pair / (size_t)j->n_repeats), perm, row);
}

static cip_status perm_check(cip_ctx *ctx, const cip_forest *f, const cip_frame *x, const double *y,
                             int n_repeats, const double *mean)
{
    if (f == NULL || f->magic != FOREST_MAGIC || x == NULL || y == NULL || mean == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "permutation importance: NULL argument");
    if (n_repeats < 1)
        return cipi_fail(ctx, CIP_ERR_INVALID, "n_repeats must be >= 1, got %d", n_repeats);
    size_t n = cip_frame_n_rows(x);
    if (n == 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "permutation importance needs at least one row");
    if (n > UINT32_MAX)
        return cipi_fail(ctx, CIP_ERR_LIMIT, "too many rows for permutation importance");
    for (size_t i = 0; i < n; i++)
        if (!isfinite(y[i]))
            return cipi_fail(ctx, CIP_ERR_INVALID, "target is not finite at row %zu", i);
    return CIP_OK;
}

static void perm_summary(const double *scores, double base, size_t p, int n_repeats, double *mean,
                         double *std)
{
    for (size_t j = 0; j < p; j++) {
        const double *s = scores + j * (size_t)n_repeats;
        double m = 0.0, v = 0.0;
        for (int r = 0; r < n_repeats; r++)
            m += base - s[r];
        m /= n_repeats;
        for (int r = 0; r < n_repeats; r++)
            v += (base - s[r] - m) * (base - s[r] - m);
        mean[j] = m;
        if (std != NULL)
            std[j] = sqrt(v / n_repeats);
    }
}

cip_status cip_forest_permutation_importance(cip_ctx *ctx, const cip_forest *f, const cip_frame *x,
                                             const double *y, int n_repeats, uint64_t seed,
                                             double *mean, double *std)
{
    if (ctx == NULL)
        return CIP_ERR_MISUSE;
    cip_status rc = perm_check(ctx, f, x, y, n_repeats, mean);
    if (rc != CIP_OK)
        return rc;
    size_t n = cip_frame_n_rows(x), p = f->n_features, n_pairs;
    if (!cipi_mul_ok(p, (size_t)n_repeats, &n_pairs))
        return cipi_fail(ctx, CIP_ERR_LIMIT, "too many permutation repeats");
    int nt = cipi_threads_for(ctx, n_pairs);
    size_t *cols = cipi_mallocarray(ctx, p, sizeof *cols);
    double *xr = cipi_mallocarray(ctx, n, p * sizeof *xr);
    double *scores = cipi_mallocarray(ctx, n_pairs, sizeof *scores);
    double *rows = cipi_mallocarray(ctx, (size_t)nt, p * sizeof *rows);
    uint32_t *perms = cipi_mallocarray(ctx, (size_t)nt, n * sizeof *perms);
    rc = CIP_ERR_NOMEM;
    if (!cols || !xr || !scores || !rows || !perms)
        goto done;
    if ((rc = cipi_forest_match(ctx, f, x, cols)) != CIP_OK)
        goto done;
    cipi_forest_gather(x, cols, p, 0, n, xr);
    struct perm_job job = {f, xr, y, n, n_repeats, seed, 0.0};
    double ym = 0.0;
    for (size_t i = 0; i < n; i++)
        ym += y[i];
    ym /= (double)n;
    for (size_t i = 0; i < n; i++)
        job.ss_tot += (y[i] - ym) * (y[i] - ym);
    double base = score_rows(&job, -1, NULL, rows);
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt)
#endif
    for (size_t q = 0; q < n_pairs; q++) {
        int tid = 0;
#ifdef _OPENMP
        tid = omp_get_thread_num();
#endif
        scores[q] = pair_score(&job, q, perms + (size_t)tid * n, rows + (size_t)tid * p);
    }
    perm_summary(scores, base, p, n_repeats, mean, std);
    rc = CIP_OK;
done:
    cipi_free(ctx, cols);
    cipi_free(ctx, xr);
    cipi_free(ctx, scores);
    cipi_free(ctx, rows);
    cipi_free(ctx, perms);
    return rc;
}
