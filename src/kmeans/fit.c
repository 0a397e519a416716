/* fit.c - k-means restarts: seeding, iterations, convergence, best restart
 *
 * Mirrors scikit-learn 1.2's KMeans.fit: absolute tolerance = tol * mean of
 * the feature variances; a restart stops when the labels did not change
 * ("strict convergence") or the total squared centre shift is <= tol, and
 * otherwise reruns the assignment so labels match the final centres. A
 * restart replaces the best so far when its inertia is lower and its
 * clustering is not the same partition (sklearn's _is_same_clustering).
 * SPDX-License-Identifier: MIT
 */
#include <limits.h>
#include <math.h>
#include <string.h>

#include "kmeans_int.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* The fit's scratch: one allocation per array, freed together. */
struct fit_scratch {
    struct km_work w;
    double *pp;           /* k-means++ scratch */
    double *best_centers; /* [k*d] */
    int32_t *best_labels; /* [n] */
    int32_t *map;         /* [k] for the same-clustering test */
    double *colvar;       /* [d] per-feature variance for the tolerance */
};

static void scratch_release(cip_ctx *ctx, struct fit_scratch *s)
{
    cipi_free(ctx, s->w.centers);
    cipi_free(ctx, s->w.centers_new);
    cipi_free(ctx, s->w.weight_in);
    cipi_free(ctx, s->w.shift);
    cipi_free(ctx, s->w.reloc);
    cipi_free(ctx, s->w.partial);
    cipi_free(ctx, s->w.labels);
    cipi_free(ctx, s->w.upper);
    cipi_free(ctx, s->w.lower);
    cipi_free(ctx, s->w.half);
    cipi_free(ctx, s->w.next);
    cipi_free(ctx, s->pp);
    cipi_free(ctx, s->best_centers);
    cipi_free(ctx, s->best_labels);
    cipi_free(ctx, s->map);
    cipi_free(ctx, s->colvar);
}

/* a * b + c without overflow, or SIZE_MAX. */
static size_t size_muladd(size_t a, size_t b, size_t c)
{
    size_t m, r;
    if (__builtin_mul_overflow(a, b, &m) || __builtin_add_overflow(m, c, &r))
        return SIZE_MAX;
    return r;
}

static cip_status scratch_alloc(cip_ctx *ctx, const struct km_data *x, const cip_kmeans_params *p,
                                struct fit_scratch *s)
{
    memset(s, 0, sizeof *s);
    size_t n = x->n, d = x->d, nb = x->n_blocks, k = (size_t)p->n_clusters;
    size_t T = (size_t)cipi_kmeans_n_trials(k);
    int elkan = p->algorithm == CIP_KMEANS_ELKAN && k > 1;
    size_t kd = size_muladd(k, d, 0), kk = size_muladd(k, k, 0), nk = size_muladd(n, k, 0);
    size_t stride = size_muladd(k, d + 1, 2), stride_b = size_muladd(stride, sizeof(double), 0);
    /* k-means++: (T+1)*n + T*d + (T+1)*n_blocks doubles */
    size_t pp = size_muladd(T + 1, n, 0), pp_d = size_muladd(T, d, 0);
    size_t pp_b = size_muladd(T + 1, nb, 0), pp_all = SIZE_MAX;
    if (pp != SIZE_MAX && pp_d != SIZE_MAX && pp_b != SIZE_MAX && pp_d <= SIZE_MAX - pp_b &&
        pp <= SIZE_MAX - pp_d - pp_b)
        pp_all = pp + pp_d + pp_b;
    if (kd == SIZE_MAX || kk == SIZE_MAX || nk == SIZE_MAX || stride_b == SIZE_MAX ||
        pp_all == SIZE_MAX)
        return cipi_fail(ctx, CIP_ERR_NOMEM, "out of memory (k-means work space too large)");
    s->w.k = k;
    s->w.stride = stride;
    if (!(s->w.centers = cipi_mallocarray(ctx, kd, sizeof(double))) ||
        !(s->w.centers_new = cipi_mallocarray(ctx, kd, sizeof(double))) ||
        !(s->w.weight_in = cipi_mallocarray(ctx, k, sizeof(double))) ||
        !(s->w.shift = cipi_mallocarray(ctx, k, sizeof(double))) ||
        !(s->w.reloc = cipi_mallocarray(ctx, k, sizeof(size_t))) ||
        !(s->w.partial = cipi_mallocarray(ctx, nb, stride_b)) ||
        !(s->w.labels = cipi_mallocarray(ctx, n, sizeof(int32_t))) ||
        (p->init == NULL && !(s->pp = cipi_mallocarray(ctx, pp_all, sizeof(double)))) ||
        !(s->best_centers = cipi_mallocarray(ctx, kd, sizeof(double))) ||
        !(s->best_labels = cipi_mallocarray(ctx, n, sizeof(int32_t))) ||
        !(s->map = cipi_mallocarray(ctx, k, sizeof(int32_t))) ||
        !(s->colvar = cipi_mallocarray(ctx, d, sizeof(double))))
        return CIP_ERR_NOMEM;
    if (elkan && (!(s->w.upper = cipi_mallocarray(ctx, n, sizeof(double))) ||
                  !(s->w.lower = cipi_mallocarray(ctx, nk, sizeof(double))) ||
                  !(s->w.half = cipi_mallocarray(ctx, kk, sizeof(double))) ||
                  !(s->w.next = cipi_mallocarray(ctx, k, sizeof(double)))))
        return CIP_ERR_NOMEM;
    return CIP_OK;
}

/* Sums of (v[i] - shift) and of its square over [b, e), in four interleaved
 * lanes: a fixed order (never dependent on threads) with short chains. */
static void lane_sums(const double *v, size_t b, size_t e, double shift, double *sum, double *sq)
{
    double s[4] = {0.0, 0.0, 0.0, 0.0}, q[4] = {0.0, 0.0, 0.0, 0.0};
    size_t i = b;
    for (; i + 4 <= e; i += 4)
        for (int u = 0; u < 4; u++) {
            double t = v[i + (size_t)u] - shift;
            s[u] += t;
            q[u] += t * t;
        }
    for (; i < e; i++) {
        double t = v[i] - shift;
        s[0] += t;
        q[0] += t * t;
    }
    *sum += (s[0] + s[1]) + (s[2] + s[3]);
    *sq += (q[0] + q[1]) + (q[2] + q[3]);
}

/* One parallel pass over the columns: the population variance of each
 * (shifted by its first value, so the one-pass formula keeps its accuracy)
 * and a finiteness test for free: the shifted sums are finite exactly when
 * every value is (barring sums beyond 1e308, caught by the exact rescan).
 * Returns the lowest column that is not finite, or -1. */
static long column_stats(const struct km_data *x, int nt, double *colvar)
{
    double dn = (double)x->n;
    long d = (long)x->d, bad = LONG_MAX;
    (void)nt;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) reduction(min : bad) if (nt > 1)
#endif
    for (long j = 0; j < d; j++) {
        const double *v = x->cols[j];
        double s = 0.0, q = 0.0;
        for (size_t b = 0; b < x->n; b += KM_BLOCK)
            lane_sums(v, b, b + KM_BLOCK < x->n ? b + KM_BLOCK : x->n, v[0], &s, &q);
        colvar[j] = (q - s * s / dn) / dn;
        if (!isfinite(s + q) && j < bad)
            bad = j;
    }
    return bad == LONG_MAX ? -1 : bad;
}

/* Validate the values and set *tol_abs = tol * mean over features of the
 * population variance (unweighted, as sklearn's _tolerance). */
static cip_status check_and_tolerance(cip_ctx *ctx, const struct km_data *x, double tol,
                                      double *colvar, double *tol_abs)
{
    long bad = column_stats(x, cipi_threads_for(ctx, x->d), colvar);
    for (size_t i = 0; bad >= 0 && i < x->n; i++)
        if (!isfinite(x->cols[bad][i]))
            return cipi_fail(ctx, CIP_ERR_INVALID, "kmeans: column %ld row %zu is not finite", bad,
                             i + 1);
    if (bad >= 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "kmeans: column %ld overflows (values near 1e308)",
                         bad);
    double total = 0.0;
    for (size_t j = 0; j < x->d; j++)
        total += colvar[j] > 0.0 ? colvar[j] : 0.0;
    *tol_abs = tol == 0.0 ? 0.0 : total / (double)x->d * tol;
    return CIP_OK;
}

static double shift_total(const struct km_work *w)
{
    double s = 0.0;
    for (size_t c = 0; c < w->k; c++)
        s += w->shift[c] * w->shift[c];
    return s;
}

static void swap_centers(struct km_work *w)
{
    double *t = w->centers;
    w->centers = w->centers_new;
    w->centers_new = t;
}

/* One restart from the centres in w->centers; returns the iterations run
 * and the final inertia. */
static int run_single(const struct km_data *x, struct km_work *w, const cip_kmeans_params *p,
                      double tol_abs, int restart, double *inertia)
{
    int elkan = p->algorithm == CIP_KMEANS_ELKAN && w->k > 1;
    int strict = 0, it = 0;
    double ein = (double)NAN;
    size_t changed, kd = w->k * x->d;
    for (size_t i = 0; i < x->n; i++)
        w->labels[i] = -1;
    if (elkan) {
        cipi_kmeans_center_half_distances(w, x->d, w->centers);
        cipi_kmeans_elkan_init(x, w);
    }
    for (it = 0; it < p->max_iter; it++) {
        if (elkan) {
            cipi_kmeans_elkan_step(x, w, 1, &changed);
            if (it == 0)
                changed = x->n; /* sklearn compares with the -1 labels first */
            if (p->on_iter != NULL)
                ein = cipi_kmeans_inertia(x, w->centers, w->k, w->labels, w->partial);
            cipi_kmeans_center_half_distances(w, x->d, w->centers_new);
        } else {
            cipi_kmeans_lloyd_step(x, w, 1, &ein, &changed);
        }
        double shift = shift_total(w);
        if (p->on_iter != NULL) {
            cip_kmeans_iter_info info = {restart, it, ein, shift};
            p->on_iter(p->on_iter_ud, &info);
        }
        swap_centers(w);
        if (changed == 0) {
            strict = 1;
            break;
        }
        if (shift <= tol_abs)
            break;
    }
    if (it == p->max_iter)
        it--;
    if (!strict) {
        /* Rerun the assignment so the labels match the final centres. */
        if (elkan)
            cipi_kmeans_elkan_step(x, w, 0, &changed);
        else
            cipi_kmeans_lloyd_step(x, w, 0, &ein, &changed);
    }
    /* The last Lloyd assignment already summed the exact w*d^2 of these
     * labels in block order, unless the update moved a centre after it
     * (strict stop with a relocated empty cluster). */
    if (elkan || (strict && memcmp(w->centers, w->centers_new, kd * sizeof(double)) != 0))
        ein = cipi_kmeans_inertia(x, w->centers, w->k, w->labels, w->partial);
    *inertia = ein;
    return it + 1;
}

/* sklearn's _is_same_clustering: labels a map onto labels b one-to-one. */
static int same_clustering(const int32_t *a, const int32_t *b, size_t n, size_t k, int32_t *map)
{
    for (size_t c = 0; c < k; c++)
        map[c] = -1;
    for (size_t i = 0; i < n; i++) {
        if (map[a[i]] == -1)
            map[a[i]] = b[i];
        else if (map[a[i]] != b[i])
            return 0;
    }
    return 1;
}

static cip_status build_model(cip_ctx *ctx, const struct km_data *x, const cip_kmeans_params *p,
                              const struct fit_scratch *s, double inertia, int n_iter,
                              cip_kmeans **out)
{
    size_t k = s->w.k;
    cip_kmeans *km = NULL;
    cip_status rc = cipi_kmeans_alloc(ctx, k, x->d, &km);
    if (rc != CIP_OK)
        return rc;
    km->labels = cipi_mallocarray(ctx, x->n, sizeof(int32_t));
    if (km->labels == NULL) {
        cip_kmeans_free(km);
        return CIP_ERR_NOMEM;
    }
    memcpy(km->centers, s->best_centers, k * x->d * sizeof(double));
    memcpy(km->labels, s->best_labels, x->n * sizeof(int32_t));
    memset(km->sizes, 0, k * sizeof(uint64_t));
    for (size_t i = 0; i < x->n; i++)
        km->sizes[km->labels[i]]++;
    km->n_train = x->n;
    km->inertia = inertia;
    km->n_iter = n_iter;
    km->params = *p;
    km->params.features = NULL;
    km->params.n_features = 0;
    km->params.init = NULL;
    km->params.on_iter = NULL;
    km->params.on_iter_ud = NULL;
    *out = km;
    return CIP_OK;
}

cip_status cipi_kmeans_fit_data(cip_ctx *ctx, const cip_kmeans_params *p, const cip_colmat *xm,
                                const double *sample_weight, cip_kmeans **out)
{
    *out = NULL;
    struct km_data x = {
        xm->cols, xm->n_rows, xm->n_cols, sample_weight, (xm->n_rows + KM_BLOCK - 1) / KM_BLOCK, 1};
    x.nt = cipi_threads_for(ctx, x.n_blocks);
    size_t k = (size_t)p->n_clusters;
    double tol_abs = 0.0, best_inertia = HUGE_VAL;
    int best_iter = 0;
    struct fit_scratch s;
    cip_status rc = scratch_alloc(ctx, &x, p, &s);
    if (rc != CIP_OK)
        goto done;
    rc = check_and_tolerance(ctx, &x, p->tol, s.colvar, &tol_abs);
    if (rc != CIP_OK)
        goto done;
    for (int r = 0; r < p->n_init; r++) {
        cip_rng rng;
        cip_rng_init(&rng, p->seed, (uint64_t)r);
        if (p->init != NULL)
            memcpy(s.w.centers, p->init, k * x.d * sizeof(double));
        else
            cipi_kmeans_plusplus(&x, k, &rng, s.w.centers, s.pp);
        double inertia;
        int n_iter = run_single(&x, &s.w, p, tol_abs, r, &inertia);
        if (r == 0 || (inertia < best_inertia &&
                       !same_clustering(s.w.labels, s.best_labels, x.n, k, s.map))) {
            memcpy(s.best_centers, s.w.centers, k * x.d * sizeof(double));
            memcpy(s.best_labels, s.w.labels, x.n * sizeof(int32_t));
            best_inertia = inertia;
            best_iter = n_iter;
        }
        cipi_progress(ctx, "kmeans", (uint64_t)r + 1, (uint64_t)p->n_init);
    }
    rc = build_model(ctx, &x, p, &s, best_inertia, best_iter, out);
done:
    scratch_release(ctx, &s);
    return rc;
}
