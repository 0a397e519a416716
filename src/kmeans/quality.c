/* quality.c - cluster-quality scores: silhouette, Calinski-Harabasz, Davies-Bouldin
 *
 * Definitions follow sklearn.metrics (Rousseeuw 1987; Calinski & Harabasz
 * 1974; Davies & Bouldin 1979). Distances are computed directly as
 * sqrt(sum (x - y)^2), which is exact where sklearn's |x|^2 - 2xy + |y|^2
 * shortcut leaves ~1e-8 noise on coincident points. The exact silhouette is
 * O(n^2 d): rows are sorted by label into a private column-major copy so
 * each (row, cluster) distance sum is a contiguous, vectorisable loop; rows
 * are independent, so the result is identical for any thread count.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "kmeans_int.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#define SIL_CHUNK 256 /* columns of the distance row computed at once */
#define SIL_ROWS  64  /* rows per parallel work item */

/* Number of label values (max + 1) and per-label counts of labels[rows[t]]
 * (rows NULL: t); labels must be in [0, limit). */
static cip_status label_counts(cip_ctx *ctx, const int32_t *labels, const size_t *rows, size_t n,
                               size_t limit, size_t **counts, size_t *k_out, size_t *n_present)
{
    int32_t mx = -1;
    for (size_t t = 0; t < n; t++) {
        int32_t l = labels[rows != NULL ? rows[t] : t];
        if (l < 0)
            return cipi_fail(ctx, CIP_ERR_INVALID, "cluster labels must be >= 0 (row %zu is %d)",
                             (rows != NULL ? rows[t] : t) + 1, (int)l);
        if (l > mx)
            mx = l;
    }
    if ((size_t)mx >= limit && mx >= 2) /* bounds the count array by the data */
        return cipi_fail(ctx, CIP_ERR_INVALID, "cluster label %d is out of range for %zu rows",
                         (int)mx, limit);
    size_t k = (size_t)mx + 1;
    size_t *c = cipi_calloc(ctx, k, sizeof(size_t));
    if (c == NULL)
        return CIP_ERR_NOMEM;
    for (size_t t = 0; t < n; t++)
        c[labels[rows != NULL ? rows[t] : t]]++;
    size_t present = 0;
    for (size_t q = 0; q < k; q++)
        present += c[q] > 0;
    *counts = c;
    *k_out = k;
    *n_present = present;
    return CIP_OK;
}

static cip_status check_matrix(cip_ctx *ctx, const cip_colmat *x, const int32_t *labels)
{
    if (x == NULL || labels == NULL || (x->cols == NULL && x->n_cols > 0))
        return cipi_fail(ctx, CIP_ERR_MISUSE, "cluster score: no data or labels");
    if (x->n_rows == 0 || x->n_cols == 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "cluster score: empty input");
    return CIP_OK;
}

/* Sum of distances from sorted row i to sorted rows [s, e). */
static double dist_sum(const double *const *cs, size_t d, size_t i, size_t s, size_t e)
{
    double acc[SIL_CHUNK];
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    for (size_t j0 = s; j0 < e; j0 += SIL_CHUNK) {
        size_t m = e - j0 < SIL_CHUNK ? e - j0 : SIL_CHUNK;
        memset(acc, 0, m * sizeof(double));
        for (size_t f = 0; f < d; f++) {
            const double *col = cs[f] + j0;
            double xi = cs[f][i];
            for (size_t t = 0; t < m; t++) {
                double diff = col[t] - xi;
                acc[t] += diff * diff;
            }
        }
        size_t t = 0;
        for (; t + 4 <= m; t += 4) {
            s0 += sqrt(acc[t]);
            s1 += sqrt(acc[t + 1]);
            s2 += sqrt(acc[t + 2]);
            s3 += sqrt(acc[t + 3]);
        }
        for (; t < m; t++)
            s0 += sqrt(acc[t]);
    }
    return (s0 + s1) + (s2 + s3);
}

/* Silhouette of sorted row i whose cluster is `own`; start[] has k+1 offsets. */
static double row_silhouette(const double *const *cs, size_t d, size_t i, size_t own,
                             const size_t *start, size_t k)
{
    size_t n_own = start[own + 1] - start[own];
    if (n_own <= 1)
        return 0.0;
    double a = dist_sum(cs, d, i, start[own], start[own + 1]) / (double)(n_own - 1);
    double b = HUGE_VAL;
    for (size_t c = 0; c < k; c++) {
        size_t nc = start[c + 1] - start[c];
        if (c == own || nc == 0)
            continue;
        double m = dist_sum(cs, d, i, start[c], start[c + 1]) / (double)nc;
        if (m < b)
            b = m;
    }
    double mx = a > b ? a : b;
    return mx > 0.0 ? (b - a) / mx : 0.0;
}

struct sil_job {
    const cip_colmat *x;
    const int32_t *labels;
    const size_t *rows; /* subset rows (NULL = all) */
    size_t n;           /* rows used */
    size_t k;           /* label values */
    const size_t *counts;
};

/* Label-sorted copy and per-row silhouettes (in sorted order) summed in
 * fixed blocks. */
static cip_status silhouette_core(cip_ctx *ctx, const struct sil_job *j, double *score)
{
    size_t n = j->n, d = j->x->n_cols, k = j->k, nd;
    size_t *start = cipi_mallocarray(ctx, k + 1, sizeof(size_t));
    size_t *fill = cipi_mallocarray(ctx, k, sizeof(size_t));
    size_t *own = cipi_mallocarray(ctx, n, sizeof(size_t));
    double *buf = cipi_mul_ok(n, d, &nd) ? cipi_mallocarray(ctx, nd, sizeof(double)) : NULL;
    double **cs = cipi_mallocarray(ctx, d, sizeof(double *));
    double *sil = cipi_mallocarray(ctx, n, sizeof(double));
    cip_status rc = CIP_OK;
    if (!start || !fill || !own || !buf || !cs || !sil) {
        rc = cipi_nomem(ctx);
        goto done;
    }
    start[0] = 0;
    for (size_t c = 0; c < k; c++)
        start[c + 1] = start[c] + j->counts[c];
    memcpy(fill, start, k * sizeof(size_t));
    for (size_t f = 0; f < d; f++)
        cs[f] = buf + f * n;
    for (size_t t = 0; t < n; t++) {
        size_t r = j->rows != NULL ? j->rows[t] : t, c = (size_t)j->labels[r], p = fill[c]++;
        own[p] = c;
        for (size_t f = 0; f < d; f++)
            cs[f][p] = j->x->cols[f][r];
    }
    long nb = (long)((n + SIL_ROWS - 1) / SIL_ROWS);
    int nt = cipi_threads_for(ctx, (size_t)nb);
    (void)nt;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) if (nt > 1)
#endif
    for (long b = 0; b < nb; b++) {
        size_t r1 = ((size_t)b + 1) * SIL_ROWS < n ? ((size_t)b + 1) * SIL_ROWS : n;
        for (size_t i = (size_t)b * SIL_ROWS; i < r1; i++)
            sil[i] = row_silhouette((const double *const *)cs, d, i, own[i], start, k);
    }
    double total = 0.0;
    for (size_t b0 = 0; b0 < n; b0 += KM_BLOCK) {
        double s = 0.0;
        for (size_t i = b0; i < n && i < b0 + KM_BLOCK; i++)
            s += sil[i];
        total += s;
    }
    *score = total / (double)n;
done:
    cipi_free(ctx, start);
    cipi_free(ctx, fill);
    cipi_free(ctx, own);
    cipi_free(ctx, buf);
    cipi_free(ctx, cs);
    cipi_free(ctx, sil);
    return rc;
}

/* Knuth's selection sampling (Algorithm S): m of n rows, in increasing order. */
static void sample_rows(size_t n, size_t m, uint64_t seed, size_t *rows)
{
    cip_rng rng;
    cip_rng_init(&rng, seed, 0);
    size_t got = 0;
    for (size_t i = 0; i < n && got < m; i++)
        if ((double)(n - i) * cip_rng_uniform(&rng) < (double)(m - got))
            rows[got++] = i;
}

cip_status cip_cluster_silhouette(cip_ctx *ctx, const cip_colmat *x, const int32_t *labels,
                                  size_t sample_size, uint64_t seed, cip_silhouette_info *out)
{
    cip_status rc = check_matrix(ctx, x, labels);
    if (rc != CIP_OK)
        return rc;
    if (out == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "silhouette: no output");
    int sampled = sample_size > 0 && sample_size < x->n_rows;
    size_t n = sampled ? sample_size : x->n_rows, *rows = NULL, *counts = NULL, k = 0, present = 0;
    if (sampled) {
        if ((rows = cipi_mallocarray(ctx, n, sizeof(size_t))) == NULL)
            return CIP_ERR_NOMEM;
        sample_rows(x->n_rows, n, seed, rows);
    }
    rc = label_counts(ctx, labels, rows, n, x->n_rows, &counts, &k, &present);
    if (rc == CIP_OK && (present < 2 || present > n - 1))
        rc = cipi_fail(ctx, CIP_ERR_INVALID,
                       "silhouette needs 2 to %zu distinct labels over %zu rows, got %zu",
                       n > 1 ? n - 1 : 1, n, present);
    struct sil_job job = {x, labels, rows, n, k, counts};
    double score = 0.0;
    if (rc == CIP_OK)
        rc = silhouette_core(ctx, &job, &score);
    cipi_free(ctx, rows);
    cipi_free(ctx, counts);
    if (rc != CIP_OK)
        return rc;
    out->score = score;
    out->n_used = n;
    out->sampled = sampled;
    return CIP_OK;
}

/* Per-cluster means into cent[k*d] (zero rows for empty clusters) and the
 * overall mean into mean[d] (may be NULL). */
static void cluster_means(const cip_colmat *x, const int32_t *labels, const size_t *counts,
                          size_t k, double *cent, double *mean)
{
    size_t d = x->n_cols;
    memset(cent, 0, k * d * sizeof(double));
    for (size_t f = 0; f < d; f++) {
        double all = 0.0;
        for (size_t i = 0; i < x->n_rows; i++) {
            cent[(size_t)labels[i] * d + f] += x->cols[f][i];
            all += x->cols[f][i];
        }
        if (mean != NULL)
            mean[f] = all / (double)x->n_rows;
    }
    for (size_t c = 0; c < k; c++)
        for (size_t f = 0; counts[c] > 0 && f < d; f++)
            cent[c * d + f] /= (double)counts[c];
}

static cip_status prepare_scores(cip_ctx *ctx, const cip_colmat *x, const int32_t *labels,
                                 size_t **counts, size_t *k, double **cent, const char *what)
{
    size_t present = 0;
    *cent = NULL;
    cip_status rc = check_matrix(ctx, x, labels);
    if (rc == CIP_OK)
        rc = label_counts(ctx, labels, NULL, x->n_rows, x->n_rows, counts, k, &present);
    if (rc != CIP_OK)
        return rc;
    if (present < 2 || present > x->n_rows - 1)
        rc = cipi_fail(ctx, CIP_ERR_INVALID, "%s needs 2 to %zu distinct labels, got %zu", what,
                       x->n_rows > 1 ? x->n_rows - 1 : 1, present);
    else if ((*cent = cipi_mallocarray(ctx, *k, (x->n_cols + 1) * sizeof(double))) == NULL)
        rc = CIP_ERR_NOMEM;
    if (rc != CIP_OK) {
        cipi_free(ctx, *counts);
        *counts = NULL;
    }
    return rc;
}

cip_status cip_cluster_calinski_harabasz(cip_ctx *ctx, const cip_colmat *x, const int32_t *labels,
                                         double *out)
{
    size_t *counts = NULL, k = 0, d = x != NULL ? x->n_cols : 0, present = 0;
    double *cent = NULL, *mean = NULL;
    cip_status rc = prepare_scores(ctx, x, labels, &counts, &k, &cent, "calinski-harabasz");
    if (rc != CIP_OK)
        return rc;
    if ((mean = cipi_mallocarray(ctx, d, sizeof(double))) == NULL) {
        rc = CIP_ERR_NOMEM;
        goto done;
    }
    cluster_means(x, labels, counts, k, cent, mean);
    double extra = 0.0, intra = 0.0;
    for (size_t c = 0; c < k; c++) {
        if (counts[c] == 0)
            continue;
        present++;
        double s = 0.0;
        for (size_t f = 0; f < d; f++)
            s += (cent[c * d + f] - mean[f]) * (cent[c * d + f] - mean[f]);
        extra += (double)counts[c] * s;
    }
    for (size_t i = 0; i < x->n_rows; i++)
        intra += km_row_d2(x->cols, i, cent + (size_t)labels[i] * d, d);
    *out = intra == 0.0 ? 1.0
                        : extra * (double)(x->n_rows - present) / (intra * ((double)present - 1.0));
done:
    cipi_free(ctx, counts);
    cipi_free(ctx, cent);
    cipi_free(ctx, mean);
    return rc;
}

static int all_close_zero(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fabs(v[i]) > 1e-8) /* np.allclose(v, 0): atol 1e-8 */
            return 0;
    return 1;
}

static double davies_from(const double *cent, const double *intra, const size_t *counts, size_t k,
                          size_t d, size_t present)
{
    double total = 0.0;
    for (size_t a = 0; a < k; a++) {
        if (counts[a] == 0)
            continue;
        double worst = 0.0;
        for (size_t b = 0; b < k; b++) {
            if (b == a || counts[b] == 0)
                continue;
            double s = 0.0;
            for (size_t f = 0; f < d; f++)
                s += (cent[a * d + f] - cent[b * d + f]) * (cent[a * d + f] - cent[b * d + f]);
            s = sqrt(s);
            double r = s > 0.0 ? (intra[a] + intra[b]) / s : 0.0;
            if (r > worst)
                worst = r;
        }
        total += worst;
    }
    return total / (double)present;
}

cip_status cip_cluster_davies_bouldin(cip_ctx *ctx, const cip_colmat *x, const int32_t *labels,
                                      double *out)
{
    size_t *counts = NULL, k = 0, d = x != NULL ? x->n_cols : 0, present = 0;
    double *cent = NULL;
    cip_status rc = prepare_scores(ctx, x, labels, &counts, &k, &cent, "davies-bouldin");
    if (rc != CIP_OK)
        return rc;
    double *intra = cent + k * d; /* prepare_scores left k extra doubles */
    cluster_means(x, labels, counts, k, cent, NULL);
    memset(intra, 0, k * sizeof(double));
    for (size_t i = 0; i < x->n_rows; i++)
        intra[labels[i]] += sqrt(km_row_d2(x->cols, i, cent + (size_t)labels[i] * d, d));
    int centroids_apart = 0;
    for (size_t c = 0; c < k; c++) {
        if (counts[c] == 0)
            continue;
        present++;
        intra[c] /= (double)counts[c];
        for (size_t b = c + 1; b < k; b++) {
            double s = 0.0;
            for (size_t f = 0; counts[b] > 0 && f < d; f++)
                s += (cent[c * d + f] - cent[b * d + f]) * (cent[c * d + f] - cent[b * d + f]);
            if (counts[b] > 0 && sqrt(s) > 1e-8)
                centroids_apart = 1;
        }
    }
    if (all_close_zero(intra, k) || !centroids_apart)
        *out = 0.0;
    else
        *out = davies_from(cent, intra, counts, k, d, present);
    cipi_free(ctx, counts);
    cipi_free(ctx, cent);
    return CIP_OK;
}
