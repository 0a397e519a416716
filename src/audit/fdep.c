/* fdep.c - check 4: functional dependencies from small feature sets (size <=
 * fd_max_size) to the target: key values that never occur with two target
 * values. Keys are hashed (64-bit hashes of the values, combined); sets are
 * screened on the row sample (where at most 90 % of the sample's keys may be
 * distinct) and at most MAX_VERIFY candidates are confirmed on all rows. A set is reported
 * only when it is minimal and its keys repeat (distinct keys <= rows / 2),
 * otherwise "determines" is vacuous.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "audit_int.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#define MAX_KEYS_FEATURES 40
#define MAX_REPORT        10
#define MAX_VERIFY        64 /* full-table verifications of sample candidates */

struct fdset {
    size_t f[3];
    size_t k;
    size_t keys, conflicts; /* on the rows tested */
    int ok;
};

/* Count distinct keys and conflicting keys of the set over rows idx (NULL = 0..m). */
static void count_set(const struct auditi *w, const struct fdset *s, const size_t *idx, size_t m,
                      uint64_t *tk, uint64_t *tv, uint8_t *st, size_t tsize, int stop, size_t *keys,
                      size_t *conf)
{
    size_t nk = 0, nc = 0;
    memset(st, 0, tsize);
    for (size_t r = 0; r < m; r++) {
        size_t i = idx != NULL ? idx[r] : r;
        uint64_t h = 0x8a5cd789635d2dffu;
        for (size_t q = 0; q < s->k; q++)
            h = (h ^ cipi_audit_hash_double(w->x[s->f[q]][i])) * 0x9e3779b97f4a7c15u + q;
        uint64_t yv = cipi_audit_hash_double(w->y[i]);
        size_t t = (size_t)(h >> 7) & (tsize - 1);
        while (st[t] != 0 && tk[t] != h)
            t = (t + 1) & (tsize - 1);
        if (st[t] == 0) {
            st[t] = 1;
            tk[t] = h;
            tv[t] = yv;
            nk++;
        } else if (st[t] == 1 && tv[t] != yv) {
            st[t] = 2;
            nc++;
            if (stop)
                break; /* not a dependency: the counts no longer matter */
        }
    }
    *keys = nk;
    *conf = nc;
}

static int subset_found(const struct fdset *found, size_t nfound, const struct fdset *s)
{
    for (size_t a = 0; a < nfound; a++) {
        size_t hit = 0;
        for (size_t q = 0; q < found[a].k; q++)
            for (size_t r = 0; r < s->k; r++)
                hit += found[a].f[q] == s->f[r];
        if (hit == found[a].k)
            return 1;
    }
    return 0;
}

static cip_status report(struct auditi *w, const struct fdset *s)
{
    size_t cols[4] = {s->f[0], s->f[1], s->f[2], SIZE_MAX};
    cip_audit_severity sev = s->keys * 4 <= w->n ? CIP_AUDIT_HIGH : CIP_AUDIT_WARNING;
    struct audit_finding *fd;
    cip_status rc = cipi_audit_add(w, CIP_AUDIT_FUNCDEP, sev, cols, s->k, &fd);
    char names[800];
    size_t off = 0;
    names[0] = '\0';
    for (size_t q = 0; q < s->k && off < sizeof names; q++)
        off += (size_t)snprintf(names + off, sizeof names - off, "%s%s", q ? " + " : "",
                                w->fname[s->f[q]]);
    if (rc == CIP_OK)
        rc = cipi_audit_msg(w, fd,
                            "%s determine%s '%s': %zu distinct keys over %zu rows, 0 conflicting "
                            "keys",
                            names, s->k == 1 ? "s" : "", w->tname, s->keys, w->n);
    if (rc == CIP_OK)
        rc = cipi_audit_expr(w, fd, "%s -> %s", names, w->tname);
    if (rc == CIP_OK)
        rc = cipi_audit_val(w, fd, "keys", (double)s->keys);
    if (rc == CIP_OK)
        rc = cipi_audit_val(w, fd, "conflicting_keys", 0);
    if (rc == CIP_OK)
        rc = cipi_audit_val(w, fd, "rows", (double)w->n);
    if (rc == CIP_OK)
        rc = cipi_audit_fix(w, fd,
                            "a lookup table on these features reproduces the target: check "
                            "whether they are derived from it; if the data are this "
                            "deterministic, expect optimistic scores and use a group split");
    return rc;
}

/* All sets of 1..kmax features of use[0..nu), smallest first; returns the count. */
static size_t make_sets(const size_t *use, size_t nu, size_t kmax, struct fdset *sets)
{
    size_t m = 0;
    for (size_t a = 0; a < nu; a++) {
        sets[m].f[0] = use[a];
        sets[m++].k = 1;
    }
    for (size_t a = 0; kmax >= 2 && a < nu; a++)
        for (size_t b = a + 1; b < nu; b++) {
            sets[m].f[0] = use[a];
            sets[m].f[1] = use[b];
            sets[m++].k = 2;
        }
    for (size_t a = 0; kmax >= 3 && a < nu; a++)
        for (size_t b = a + 1; b < nu; b++)
            for (size_t c = b + 1; c < nu; c++) {
                sets[m].f[0] = use[a];
                sets[m].f[1] = use[b];
                sets[m].f[2] = use[c];
                sets[m++].k = 3;
            }
    return m;
}

cip_status cipi_audit_fdep(struct auditi *w)
{
    size_t nf = w->nf, ns = w->ns, nu = 0, kmax = w->p->fd_max_size;
    size_t use[MAX_KEYS_FEATURES];
    for (size_t j = 0; j < nf && nu < MAX_KEYS_FEATURES; j++)
        if (!w->idlike[j] && w->fdistinct[j] > 1 && w->fdistinct[j] * 2 <= w->n &&
            (long)j != w->rule_feat)
            use[nu++] = j;
    if (w->ydistinct < 2 || nu == 0)
        return CIP_OK;
    size_t nsets =
        nu + (kmax >= 2 ? nu * (nu - 1) / 2 : 0) + (kmax >= 3 ? nu * (nu - 1) * (nu - 2) / 6 : 0);
    size_t tsize = 1, tfull = 1;
    while (tsize < 2 * ns + 2)
        tsize <<= 1;
    while (tfull < 2 * w->n + 2)
        tfull <<= 1;
    int nt = cipi_threads_for(w->ctx, nsets * ns);
    if (nt < 1)
        nt = 1;
    cip_status rc = CIP_OK;
    struct fdset *sets = cipi_calloc(w->ctx, nsets, sizeof *sets);
    struct fdset *found = cipi_calloc(w->ctx, nsets, sizeof *found);
    uint64_t *tk = cipi_mallocarray(w->ctx, (size_t)nt * tsize, 2 * sizeof *tk);
    uint8_t *st = cipi_mallocarray(w->ctx, (size_t)nt, tsize);
    uint64_t *fk = cipi_mallocarray(w->ctx, tfull, 2 * sizeof *fk);
    uint8_t *fs = cipi_mallocarray(w->ctx, tfull, 1);
    if (sets == NULL || found == NULL || tk == NULL || st == NULL || fk == NULL || fs == NULL) {
        rc = CIP_ERR_NOMEM;
        goto done;
    }
    size_t m = make_sets(use, nu, kmax, sets);
    /* screen on the sample (a dependency on all rows holds on every subset) */
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(dynamic, 8)
#endif
    for (size_t q = 0; q < m; q++) {
        int tid = 0;
#ifdef _OPENMP
        tid = omp_get_thread_num();
#endif
        uint64_t *k2 = tk + (size_t)tid * 2 * tsize;
        count_set(w, &sets[q], w->sample, ns, k2, k2 + tsize, st + (size_t)tid * tsize, tsize, 1,
                  &sets[q].keys, &sets[q].conflicts);
        /* on a sample of a larger table, keys that are (almost) all distinct say nothing */
        sets[q].ok = sets[q].conflicts == 0 && (ns == w->n || sets[q].keys * 10 <= ns * 9);
    }
    /* confirm on all rows, smallest sets first, minimal sets only */
    size_t nfound = 0, nverified = 0;
    for (size_t q = 0; q < m && nfound < MAX_REPORT && nverified < MAX_VERIFY; q++) {
        if (!sets[q].ok || subset_found(found, nfound, &sets[q]))
            continue;
        if (ns < w->n) {
            count_set(w, &sets[q], NULL, w->n, fk, fk + tfull, fs, tfull, 1, &sets[q].keys,
                      &sets[q].conflicts);
            nverified++;
        }
        if (sets[q].conflicts != 0 || sets[q].keys * 2 > w->n)
            continue;
        found[nfound++] = sets[q];
    }
    for (size_t q = 0; rc == CIP_OK && q < nfound; q++)
        rc = report(w, &found[q]);
done:
    cipi_free(w->ctx, sets);
    cipi_free(w->ctx, found);
    cipi_free(w->ctx, tk);
    cipi_free(w->ctx, st);
    cipi_free(w->ctx, fk);
    cipi_free(w->ctx, fs);
    return rc;
}
