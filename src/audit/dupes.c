/* dupes.c - check 6 (and the profile count of check 8): duplicate rows
 * (over the features and the target), duplicate feature vectors, distinct
 * profiles, and split contamination: the share of test rows whose feature
 * vector and target also occur in the training rows under the chosen split
 * (ID-like columns are left out of the vectors: they make every row unique
 * without carrying information)
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "audit_int.h"
#include "cip/rng.h"

struct dup_counts {
    size_t n_all;  /* distinct rows over all columns */
    size_t n_vec;  /* distinct feature vectors */
    size_t n_prof; /* distinct (feature vector, target) */
    size_t n_test, hit_xy, hit_x;
    size_t ex_test; /* an example contaminated test row */
    int split_ok;
};

static cip_status split_check(struct auditi *w, const uint32_t *gx, size_t ngx, const uint32_t *gxy,
                              size_t ngxy, struct dup_counts *d)
{
    cip_split_data sd;
    cip_split_params sp;
    cip_split *s = NULL;
    memset(&sd, 0, sizeof sd);
    cip_split_params_default(&sp);
    sd.n_rows = w->n;
    sp.kind = w->p->split;
    sp.test_size = w->p->test_size;
    sp.seed = w->p->seed;
    if (sp.kind == CIP_SPLIT_STRATIFIED)
        sd.y = w->y;
    if (sp.kind == CIP_SPLIT_GROUP)
        sd.group = gx;
    cip_status rc = cip_split_make(w->ctx, &sd, &sp, &s);
    if (rc == CIP_ERR_NOMEM)
        return rc;
    if (rc != CIP_OK) {
        cip_ctx_clear_error(w->ctx);
        return CIP_OK; /* e.g. one group only: no contamination figure */
    }
    uint8_t *inx = cipi_calloc(w->ctx, ngx ? ngx : 1, 1);
    uint8_t *inxy = cipi_calloc(w->ctx, ngxy ? ngxy : 1, 1);
    if (inx == NULL || inxy == NULL) {
        rc = CIP_ERR_NOMEM;
        goto done;
    }
    size_t ntr, nte;
    const size_t *tr = cip_split_train(s, &ntr), *te = cip_split_test(s, &nte);
    for (size_t k = 0; k < ntr; k++) {
        inx[gx[tr[k]]] = 1;
        inxy[gxy[tr[k]]] = 1;
    }
    d->n_test = nte;
    d->ex_test = SIZE_MAX;
    for (size_t k = 0; k < nte; k++) {
        d->hit_x += inx[gx[te[k]]];
        if (inxy[gxy[te[k]]]) {
            d->hit_xy++;
            if (d->ex_test == SIZE_MAX)
                d->ex_test = te[k];
        }
    }
    d->split_ok = 1;
done:
    cipi_free(w->ctx, inx);
    cipi_free(w->ctx, inxy);
    cip_split_free(s);
    return rc;
}

static const char *split_name(cip_split_kind k)
{
    return k == CIP_SPLIT_GROUP ? "group" : k == CIP_SPLIT_STRATIFIED ? "stratified" : "random";
}

static cip_status report_dupes(struct auditi *w, const struct dup_counts *d, size_t n_id)
{
    cip_status rc = CIP_OK;
    struct audit_finding *fd;
    size_t n = w->n, dup_rows = n - d->n_all, dup_vec = n - d->n_vec;
    if (dup_vec > 0) {
        double share = (double)dup_vec / (double)n;
        cip_audit_severity sev = share >= 0.01 || dup_rows > 0 ? CIP_AUDIT_WARNING : CIP_AUDIT_INFO;
        rc = cipi_audit_add(w, CIP_AUDIT_DUPLICATES, sev, NULL, 0, &fd);
        if (rc == CIP_OK)
            rc = cipi_audit_msg(w, fd,
                                "%zu duplicate rows (features and target); %zu distinct feature "
                                "vectors and %zu distinct profiles (features + target) in %zu "
                                "rows%s",
                                dup_rows, d->n_vec, d->n_prof, n,
                                n_id > 0 ? " (ID-like columns left out)" : "");
        if (rc == CIP_OK)
            rc = cipi_audit_val(w, fd, "duplicate_rows", (double)dup_rows);
        if (rc == CIP_OK)
            rc = cipi_audit_val(w, fd, "distinct_vectors", (double)d->n_vec);
        if (rc == CIP_OK)
            rc = cipi_audit_val(w, fd, "distinct_profiles", (double)d->n_prof);
        if (rc == CIP_OK)
            rc = cipi_audit_val(w, fd, "rows", (double)n);
        if (rc == CIP_OK)
            rc = cipi_audit_fix(w, fd,
                                "de-duplicate before splitting, or split by groups of "
                                "identical feature vectors (--split group)");
    }
    return rc;
}

static cip_status report_split(struct auditi *w, const struct dup_counts *d, const uint32_t *gxy)
{
    cip_status rc = CIP_OK;
    struct audit_finding *fd;
    size_t n = w->n;
    if (d->split_ok && d->hit_xy > 0) {
        double share = (double)d->hit_xy / (double)d->n_test;
        cip_audit_severity sev = share >= 0.5   ? CIP_AUDIT_HIGH
                                 : share >= 0.1 ? CIP_AUDIT_WARNING
                                                : CIP_AUDIT_INFO;
        rc = cipi_audit_add(w, CIP_AUDIT_CONTAMINATION, sev, NULL, 0, &fd);
        if (rc == CIP_OK)
            rc = cipi_audit_msg(w, fd,
                                "%zu/%zu test rows (%.1f%%) have an exact twin (feature vector "
                                "and target) in the training rows under a %s split (test size "
                                "%g, seed %llu); %zu share only the feature vector",
                                d->hit_xy, d->n_test, 100 * share, split_name(w->p->split),
                                w->p->test_size, (unsigned long long)w->p->seed, d->hit_x);
        if (rc == CIP_OK)
            rc = cipi_audit_val(w, fd, "contaminated_test_rows", (double)d->hit_xy);
        if (rc == CIP_OK)
            rc = cipi_audit_val(w, fd, "test_rows", (double)d->n_test);
        if (rc == CIP_OK)
            rc = cipi_audit_val(w, fd, "share", share);
        if (rc == CIP_OK)
            rc = cipi_audit_val(w, fd, "vector_twins", (double)d->hit_x);
        if (rc == CIP_OK && d->ex_test != SIZE_MAX) {
            size_t ex[2] = {d->ex_test, SIZE_MAX};
            for (size_t i = 0; i < n; i++)
                if (i != d->ex_test && gxy[i] == gxy[d->ex_test]) {
                    ex[1] = i;
                    break;
                }
            rc = cipi_audit_rows(w, fd, ex, ex[1] == SIZE_MAX ? 1 : 2);
        }
        if (rc == CIP_OK)
            rc = cipi_audit_fix(w, fd,
                                "the test score measures memorisation: use a group split "
                                "keyed on the feature vector (--split group) or "
                                "de-duplicate before splitting");
    }
    return rc;
}

static cip_status report_profiles(struct auditi *w, const struct dup_counts *d)
{
    cip_status rc = CIP_OK;
    struct audit_finding *fd;
    size_t n = w->n;
    if (n >= 20 && d->n_prof * 2 <= n) {
        rc = cipi_audit_add(w, CIP_AUDIT_FEW_PROFILES, CIP_AUDIT_WARNING, NULL, 0, &fd);
        if (rc == CIP_OK)
            rc = cipi_audit_msg(w, fd,
                                "only %zu distinct profiles in %zu rows (%.1f rows per profile): "
                                "a sign of synthetic or resampled data",
                                d->n_prof, n, (double)n / (double)d->n_prof);
        if (rc == CIP_OK)
            rc = cipi_audit_val(w, fd, "distinct_profiles", (double)d->n_prof);
        if (rc == CIP_OK)
            rc = cipi_audit_val(w, fd, "rows", (double)n);
        if (rc == CIP_OK)
            rc = cipi_audit_fix(w, fd,
                                "treat the effective sample size as the number of "
                                "profiles; evaluate with a group split");
    }
    return rc;
}

/* Dense group ids (in order of first appearance) of rows with equal values in the columns
 * cols[0..k) (NaN equals NaN, -0 equals 0); rows are hashed, and rows with equal hashes are
 * compared value by value, so the grouping is exact. */
static cip_status group_cols(struct auditi *w, const double *const *cols, size_t k, uint32_t *g,
                             size_t *ng)
{
    size_t n = w->n, tsize = 1;
    while (tsize < 2 * n + 2)
        tsize <<= 1;
    uint64_t *hv = cipi_mallocarray(w->ctx, n, sizeof *hv);
    uint32_t *rep = cipi_calloc(w->ctx, tsize, sizeof *rep); /* first row + 1 */
    cip_status rc = hv != NULL && rep != NULL ? CIP_OK : CIP_ERR_NOMEM;
    if (rc != CIP_OK)
        goto done;
    int nt = cipi_threads_for(w->ctx, n * k);
    (void)nt;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static)
#endif
    for (size_t i = 0; i < n; i++) {
        uint64_t h = 0x6a09e667f3bcc909u;
        for (size_t c = 0; c < k; c++)
            h = cip_mix64(h ^ cipi_audit_hash_double(cols[c][i]));
        hv[i] = h;
    }
    size_t n_id = 0;
    for (size_t i = 0; i < n; i++) {
        size_t t = (size_t)hv[i] & (tsize - 1);
        for (;;) {
            if (rep[t] == 0) {
                rep[t] = (uint32_t)(i + 1);
                g[i] = (uint32_t)n_id++;
                break;
            }
            size_t r = rep[t] - 1, c = 0;
            if (hv[r] == hv[i])
                for (; c < k; c++)
                    if (cipi_audit_hash_double(cols[c][r]) != cipi_audit_hash_double(cols[c][i]))
                        break;
            if (hv[r] == hv[i] && c == k) {
                g[i] = g[r];
                break;
            }
            t = (t + 1) & (tsize - 1);
        }
    }
    *ng = n_id;
done:
    cipi_free(w->ctx, hv);
    cipi_free(w->ctx, rep);
    return rc;
}

/* Group ids of (feature-vector group, target): exact, because gx is an exact id and the value
 * hash is a bijection of the bits. */
static cip_status group_xy(struct auditi *w, const uint32_t *gx, uint32_t *gxy, size_t *ng)
{
    size_t tsize = 1;
    while (tsize < 2 * w->n + 2)
        tsize <<= 1;
    uint64_t *hy = cipi_mallocarray(w->ctx, tsize, sizeof *hy);
    uint32_t *gk = cipi_mallocarray(w->ctx, tsize, sizeof *gk);
    uint32_t *id = cipi_calloc(w->ctx, tsize, sizeof *id);
    cip_status rc = hy != NULL && gk != NULL && id != NULL ? CIP_OK : CIP_ERR_NOMEM;
    size_t n_id = 0;
    for (size_t i = 0; rc == CIP_OK && i < w->n; i++) {
        uint64_t h = cipi_audit_hash_double(w->y[i]);
        size_t t = (size_t)cip_mix64(h ^ ((uint64_t)gx[i] * 0x9e3779b97f4a7c15u)) & (tsize - 1);
        while (id[t] != 0 && (gk[t] != gx[i] || hy[t] != h))
            t = (t + 1) & (tsize - 1);
        if (id[t] == 0) {
            id[t] = (uint32_t)++n_id;
            gk[t] = gx[i];
            hy[t] = h;
        }
        gxy[i] = id[t] - 1;
    }
    *ng = n_id;
    cipi_free(w->ctx, hy);
    cipi_free(w->ctx, gk);
    cipi_free(w->ctx, id);
    return rc;
}

cip_status cipi_audit_dupes(struct auditi *w)
{
    struct dup_counts d;
    memset(&d, 0, sizeof d);
    size_t nc = 0, n_id = 0;
    cip_status rc = CIP_OK;
    const double **cols = cipi_mallocarray(w->ctx, w->nf + 2, sizeof *cols);
    const double **all = cipi_mallocarray(w->ctx, w->nf + 2, sizeof *all);
    uint32_t *ga = cipi_mallocarray(w->ctx, w->n, sizeof *ga);
    uint32_t *gx = cipi_mallocarray(w->ctx, w->n, sizeof *gx);
    uint32_t *gxy = cipi_mallocarray(w->ctx, w->n, sizeof *gxy);
    if (cols == NULL || all == NULL || ga == NULL || gx == NULL || gxy == NULL) {
        rc = CIP_ERR_NOMEM;
        goto done;
    }
    for (size_t j = 0; j < w->nf; j++) {
        all[j] = w->x[j];
        if (w->idlike[j])
            n_id++;
        else
            cols[nc++] = w->x[j];
    }
    all[w->nf] = w->y;
    /* a column unique per row rules out duplicate rows */
    d.n_all = w->n;
    if (n_id == 0)
        rc = group_cols(w, all, w->nf + 1, ga, &d.n_all);
    if (rc == CIP_OK && nc > 0)
        rc = group_cols(w, cols, nc, gx, &d.n_vec);
    if (rc == CIP_OK && nc > 0)
        rc = group_xy(w, gx, gxy, &d.n_prof);
    if (rc != CIP_OK || nc == 0)
        goto done;
    w->n_vectors = d.n_vec;
    w->n_profiles = d.n_prof;
    rc = split_check(w, gx, d.n_vec, gxy, d.n_prof, &d);
    if (rc == CIP_OK)
        rc = report_dupes(w, &d, n_id);
    if (rc == CIP_OK)
        rc = report_split(w, &d, gxy);
    if (rc == CIP_OK)
        rc = report_profiles(w, &d);
done:
    cipi_free(w->ctx, cols);
    cipi_free(w->ctx, all);
    cipi_free(w->ctx, ga);
    cipi_free(w->ctx, gx);
    cipi_free(w->ctx, gxy);
    return rc;
}
