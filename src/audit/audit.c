/* audit.c - cip_audit_run(): parameters, preparing the target and the
 * features, running the checks, the findings store and the getters
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_int.h"
#include "cip/audit.h"

#ifdef _OPENMP
#include <omp.h>
#endif

void cip_audit_params_default(cip_audit_params *p)
{
    memset(p, 0, sizeof *p);
    p->task = CIP_AUDIT_TASK_AUTO;
    p->split = CIP_SPLIT_RANDOM;
    p->test_size = 0.2;
    p->seed = 42;
    p->corr_warning = 0.7;
    p->corr_high = 0.9;
    p->power_warning = 0.95;
    p->power_high = 0.99;
    p->recon_r2 = 0.999;
    p->sample_rows = 20000;
    p->fd_max_size = 3;
    p->check_schema = 1;
    p->max_examples = 5;
}

static cip_status bad(cip_ctx *ctx, const char *msg)
{
    return ctx != NULL ? cipi_fail(ctx, CIP_ERR_INVALID, "%s", msg) : CIP_ERR_INVALID;
}

cip_status cip_audit_params_check(cip_ctx *ctx, const cip_audit_params *p)
{
    if (p == NULL)
        return ctx != NULL ? cipi_fail(ctx, CIP_ERR_MISUSE, "audit params are NULL")
                           : CIP_ERR_MISUSE;
    if (p->label_rule == NULL && (p->target == NULL || p->target[0] == '\0'))
        return bad(ctx, "audit needs a target column or a label rule");
    if (p->task > CIP_AUDIT_TASK_CLASSIFICATION)
        return bad(ctx, "'task' is not a known task");
    if (p->label_rule != NULL && p->task == CIP_AUDIT_TASK_REGRESSION)
        return bad(ctx, "a label rule makes a classification target");
    if (p->features == NULL && p->n_features > 0)
        return bad(ctx, "'features' is NULL but n_features > 0");
    for (size_t k = 0; p->features != NULL && k < p->n_features; k++)
        if (p->features[k] == NULL)
            return bad(ctx, "a feature name is NULL");
    if (p->split != CIP_SPLIT_RANDOM && p->split != CIP_SPLIT_STRATIFIED &&
        p->split != CIP_SPLIT_GROUP)
        return bad(ctx, "'split' must be random, stratified or group");
    if (!(p->test_size > 0 && p->test_size < 1))
        return bad(ctx, "'test_size' must be in (0, 1)");
    if (!(p->corr_warning > 0 && p->corr_warning <= p->corr_high && p->corr_high <= 1))
        return bad(ctx, "need 0 < corr_warning <= corr_high <= 1");
    if (!(p->power_warning > 0.5 && p->power_warning <= p->power_high && p->power_high <= 1))
        return bad(ctx, "need 0.5 < power_warning <= power_high <= 1");
    if (!(p->recon_r2 > 0.5 && p->recon_r2 <= 1))
        return bad(ctx, "'recon_r2' must be in (0.5, 1]");
    if (p->sample_rows < 100)
        return bad(ctx, "'sample_rows' must be >= 100");
    if (p->fd_max_size < 1 || p->fd_max_size > 3)
        return bad(ctx, "'fd_max_size' must be 1..3");
    if (p->max_examples > 100)
        return bad(ctx, "'max_examples' must be <= 100");
    return CIP_OK;
}

/* --- findings store ------------------------------------------------------------------ */

static void finding_release(const struct cipi_alloc *a, struct audit_finding *fd)
{
    for (size_t k = 0; k < fd->n_columns; k++)
        cipi_afree(a, fd->columns[k]);
    cipi_afree(a, fd->columns);
    cipi_afree(a, fd->message);
    cipi_afree(a, fd->expression);
    cipi_afree(a, fd->fix);
    cipi_afree(a, fd->value_names);
    cipi_afree(a, fd->values);
    cipi_afree(a, fd->rows);
}

cip_status cipi_audit_add_col(struct auditi *w, struct audit_finding *fd, const char *name)
{
    char **c = cipi_realloc(w->ctx, fd->columns, (fd->n_columns + 1) * sizeof *c);
    if (c == NULL)
        return CIP_ERR_NOMEM;
    fd->columns = c;
    c[fd->n_columns] = cipi_strdup(w->ctx, name);
    if (c[fd->n_columns] == NULL)
        return CIP_ERR_NOMEM;
    fd->n_columns++;
    return CIP_OK;
}

cip_status cipi_audit_add(struct auditi *w, cip_audit_kind kind, cip_audit_severity sev,
                          const size_t *feats, size_t nfeats, struct audit_finding **out)
{
    struct cip_audit *a = w->out;
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 16;
        struct audit_finding *f = cipi_realloc(w->ctx, a->f, cap * sizeof *f);
        if (f == NULL)
            return CIP_ERR_NOMEM;
        a->f = f;
        a->cap = cap;
    }
    struct audit_finding *fd = &a->f[a->n];
    memset(fd, 0, sizeof *fd);
    fd->kind = kind;
    fd->severity = sev;
    fd->seq = a->n;
    a->n++;
    for (size_t k = 0; k < nfeats; k++) {
        const char *nm = feats[k] == SIZE_MAX ? w->tname : w->fname[feats[k]];
        cip_status rc = cipi_audit_add_col(w, fd, nm);
        if (rc != CIP_OK)
            return rc;
    }
    *out = fd;
    return CIP_OK;
}

static cip_status vset(struct auditi *w, char **dst, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int len = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (len < 0)
        return cipi_fail(w->ctx, CIP_ERR_INTERNAL, "format failed");
    char *s = cipi_malloc(w->ctx, (size_t)len + 1);
    if (s == NULL)
        return CIP_ERR_NOMEM;
    vsnprintf(s, (size_t)len + 1, fmt, ap);
    cipi_free(w->ctx, *dst);
    *dst = s;
    return CIP_OK;
}

cip_status cipi_audit_msg(struct auditi *w, struct audit_finding *fd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cip_status rc = vset(w, &fd->message, fmt, ap);
    va_end(ap);
    return rc;
}

cip_status cipi_audit_expr(struct auditi *w, struct audit_finding *fd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cip_status rc = vset(w, &fd->expression, fmt, ap);
    va_end(ap);
    return rc;
}

cip_status cipi_audit_fix(struct auditi *w, struct audit_finding *fd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cip_status rc = vset(w, &fd->fix, fmt, ap);
    va_end(ap);
    return rc;
}

cip_status cipi_audit_val(struct auditi *w, struct audit_finding *fd, const char *name, double v)
{
    const char **nm = cipi_realloc(w->ctx, fd->value_names, (fd->n_values + 1) * sizeof *nm);
    if (nm == NULL)
        return CIP_ERR_NOMEM;
    fd->value_names = nm;
    double *vv = cipi_realloc(w->ctx, fd->values, (fd->n_values + 1) * sizeof *vv);
    if (vv == NULL)
        return CIP_ERR_NOMEM;
    fd->values = vv;
    nm[fd->n_values] = name;
    vv[fd->n_values] = v;
    fd->n_values++;
    return CIP_OK;
}

cip_status cipi_audit_rows(struct auditi *w, struct audit_finding *fd, const size_t *rows, size_t n)
{
    if (n > w->p->max_examples)
        n = w->p->max_examples;
    if (n == 0)
        return CIP_OK;
    size_t *r = cipi_mallocarray(w->ctx, n, sizeof *r);
    if (r == NULL)
        return CIP_ERR_NOMEM;
    for (size_t k = 0; k < n; k++)
        r[k] = w->rowmap != NULL ? w->rowmap[rows[k]] : rows[k];
    cipi_free(w->ctx, fd->rows);
    fd->rows = r;
    fd->n_rows = n;
    return CIP_OK;
}

void cip_audit_free(cip_audit *a)
{
    if (a == NULL)
        return;
    struct cipi_alloc al = a->a;
    for (size_t k = 0; k < a->n; k++)
        finding_release(&al, &a->f[k]);
    cipi_afree(&al, a->f);
    cipi_afree(&al, a->target);
    cipi_afree(&al, a);
}

/* --- preparing ---------------------------------------------------------------------- */

/* Distinct values and the top count of x[0..n) (NaN skipped) by an open-addressing table
 * of hashed values (the hash is a bijection of the bits, so equal hash = equal value;
 * the slot of hash 0 would look empty, so that one value is counted apart). */
struct dslot {
    uint64_t h;
    uint64_t c;
};

static void count_distinct(const double *x, size_t n, size_t cap, struct dslot *tab, size_t mask,
                           size_t *distinct, size_t *top)
{
    size_t d = 0, t = 0, zero = 0;
    memset(tab, 0, (mask + 1) * sizeof *tab);
    for (size_t i = 0; i < n; i++) {
        if (isnan(x[i]))
            continue;
        uint64_t h = cipi_audit_hash_double(x[i]);
        if (h == 0) {
            d += zero == 0;
            zero++;
            t = zero > t ? zero : t;
            continue;
        }
        size_t s = (size_t)h & mask;
        while (tab[s].h != 0 && tab[s].h != h)
            s = (s + 1) & mask;
        if (tab[s].h == 0) {
            tab[s].h = h;
            d++;
        }
        tab[s].c++;
        if (tab[s].c > t)
            t = (size_t)tab[s].c;
        if (d > cap)
            break; /* enough: more distinct values change no decision */
    }
    *distinct = d;
    *top = t;
}

static cip_status column_stats(struct auditi *w)
{
    size_t size = 1;
    while (size < 2 * w->n + 2)
        size <<= 1;
    size_t nf1 = w->nf + 1;
    int nt = cipi_threads_for(w->ctx, w->n * nf1);
    if (nt < 1)
        nt = 1;
    struct dslot *tab = cipi_mallocarray(w->ctx, (size_t)nt * size, sizeof *tab);
    if (tab == NULL)
        return CIP_ERR_NOMEM;
    size_t ytop = 0;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1)
#endif
    for (size_t j = 0; j < nf1; j++) {
        int tid = 0;
#ifdef _OPENMP
        tid = omp_get_thread_num();
#endif
        struct dslot *tb = tab + (size_t)tid * size;
        /* float columns: past n/2 distinct values they are neither keys, bins nor constant;
         * int and category columns are counted fully (an identifier has n) */
        size_t cap = w->n / 2 + 1;
        if (j < w->nf)
            count_distinct(w->x[j], w->n, w->ftype[j] == CIP_TYPE_FLOAT ? cap : SIZE_MAX, tb,
                           size - 1, &w->fdistinct[j], &w->ftop[j]);
        else
            count_distinct(w->y, w->n, cap, tb, size - 1, &w->ydistinct, &ytop);
    }
    for (size_t j = 0; j < w->nf; j++)
        w->idlike[j] = (w->ftype[j] == CIP_TYPE_INT || w->ftype[j] == CIP_TYPE_CAT) && w->n >= 20 &&
                       w->fdistinct[j] == w->n;
    cipi_free(w->ctx, tab);
    return CIP_OK;
}

static void work_release(struct auditi *w)
{
    cip_ctx *ctx = w->ctx;
    for (size_t j = 0; w->x != NULL && j < w->nf; j++)
        cipi_free(ctx, w->x[j]);
    cipi_free(ctx, w->x);
    cipi_free(ctx, w->fname);
    cipi_free(ctx, w->fcol);
    cipi_free(ctx, w->ftype);
    cipi_free(ctx, w->fnan);
    cipi_free(ctx, w->fdistinct);
    cipi_free(ctx, w->ftop);
    cipi_free(ctx, w->idlike);
    cipi_free(ctx, w->power);
    cipi_free(ctx, w->y);
    cipi_free(ctx, w->yb);
    cipi_free(ctx, w->sample);
    cipi_free(ctx, w->corr);
}

/* Choose the feature columns of the working frame. */
static cip_status pick_features(struct auditi *w, const char *exclude)
{
    const cip_audit_params *p = w->p;
    size_t nc = cip_frame_n_cols(w->f), cap = p->features != NULL ? p->n_features : nc;
    cip_ctx *ctx = w->ctx;
    w->fname = cipi_calloc(ctx, cap + 1, sizeof *w->fname);
    w->fcol = cipi_calloc(ctx, cap + 1, sizeof *w->fcol);
    w->ftype = cipi_calloc(ctx, cap + 1, sizeof *w->ftype);
    w->x = cipi_calloc(ctx, cap + 1, sizeof *w->x);
    if (w->fname == NULL || w->fcol == NULL || w->ftype == NULL || w->x == NULL)
        return CIP_ERR_NOMEM;
    for (size_t k = 0; k < cap; k++) {
        size_t j = k;
        if (p->features != NULL) {
            cip_status rc = cip_frame_find(ctx, w->f, p->features[k], &j);
            if (rc != CIP_OK)
                return rc;
        }
        const char *nm = cip_frame_col_name(w->f, j);
        if (exclude != NULL && strcmp(nm, exclude) == 0)
            continue;
        for (size_t q = 0; q < w->nf; q++)
            if (w->fcol[q] == j)
                return cipi_fail(ctx, CIP_ERR_INVALID, "feature '%s' is listed twice", nm);
        w->fname[w->nf] = nm;
        w->fcol[w->nf] = j;
        w->ftype[w->nf] = cip_frame_col_type(w->f, j);
        w->nf++;
    }
    if (w->nf == 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "audit needs at least one feature");
    return CIP_OK;
}

static cip_status load_features(struct auditi *w)
{
    cip_ctx *ctx = w->ctx;
    size_t nf = w->nf;
    w->fnan = cipi_calloc(ctx, nf, 1);
    w->fdistinct = cipi_calloc(ctx, nf, sizeof *w->fdistinct);
    w->ftop = cipi_calloc(ctx, nf, sizeof *w->ftop);
    w->idlike = cipi_calloc(ctx, nf, 1);
    w->power = cipi_calloc(ctx, nf, sizeof *w->power);
    if (w->fnan == NULL || w->fdistinct == NULL || w->ftop == NULL || w->idlike == NULL ||
        w->power == NULL)
        return CIP_ERR_NOMEM;
    for (size_t j = 0; j < nf; j++) {
        w->power[j] = NAN;
        w->x[j] = cipi_mallocarray(ctx, w->n ? w->n : 1, sizeof *w->x[j]);
        if (w->x[j] == NULL)
            return CIP_ERR_NOMEM;
        cip_frame_get_col(w->f, w->fcol[j], w->x[j]);
        for (size_t i = 0; i < w->n; i++)
            if (!isfinite(w->x[j][i])) {
                w->fnan[j] = 1;
                w->x[j][i] = NAN; /* +-inf count as missing */
            }
    }
    return column_stats(w);
}

static cip_status setup_target(struct auditi *w, int categorical, int is_label)
{
    const cip_audit_params *p = w->p;
    cip_audit_task task = p->task;
    if (task == CIP_AUDIT_TASK_AUTO)
        task = (is_label || categorical || w->ydistinct <= 2) ? CIP_AUDIT_TASK_CLASSIFICATION
                                                              : CIP_AUDIT_TASK_REGRESSION;
    if (task == CIP_AUDIT_TASK_REGRESSION && categorical)
        return cipi_fail(w->ctx, CIP_ERR_SCHEMA, "target '%s' is categorical: use classification",
                         w->tname);
    w->cls = task == CIP_AUDIT_TASK_CLASSIFICATION;
    w->out->task = task;
    if (w->cls && w->ydistinct == 2) {
        double hi = -INFINITY;
        for (size_t i = 0; i < w->n; i++)
            if (w->y[i] > hi)
                hi = w->y[i];
        w->yb = cipi_mallocarray(w->ctx, w->n, 1);
        if (w->yb == NULL)
            return CIP_ERR_NOMEM;
        for (size_t i = 0; i < w->n; i++)
            w->yb[i] = w->y[i] == hi;
        w->binary = 1;
    }
    if (!w->cls)
        w->grid = cipi_audit_grid(w->y, w->n);
    /* systematic sample, ascending */
    w->ns = w->n < p->sample_rows ? w->n : p->sample_rows;
    w->sample = cipi_mallocarray(w->ctx, w->ns, sizeof *w->sample);
    if (w->sample == NULL)
        return CIP_ERR_NOMEM;
    for (size_t k = 0; k < w->ns; k++)
        w->sample[k] = k * (w->n / w->ns) + (k * (w->n % w->ns)) / w->ns;
    return CIP_OK;
}

static int cmp_finding(const void *pa, const void *pb)
{
    const struct audit_finding *a = pa, *b = pb;
    if (a->severity != b->severity)
        return a->severity > b->severity ? -1 : 1;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

#define N_STEPS 10

static cip_status run_step(struct auditi *w, struct target_src *t, int k)
{
    switch (k) {
    case 0:
        return cipi_audit_corr(w);
    case 1:
        return cipi_audit_univariate(w);
    case 2:
        return cipi_audit_columns(w);
    case 3:
        return w->cls ? CIP_OK : cipi_audit_reconstruct(w);
    case 4:
        return t->is_label ? cipi_audit_lineage(w, t->rule_vals,
                                                t->rule_col[0] ? t->rule_col : NULL, t->thr, t->op)
                           : CIP_OK;
    case 5:
        return w->binary ? cipi_audit_separable(w) : CIP_OK;
    case 6:
        return cipi_audit_fdep(w);
    case 7:
        return cipi_audit_dupes(w);
    case 8:
        return cipi_audit_synthetic(w);
    default:
        return w->p->check_schema ? cipi_audit_schema(w) : CIP_OK;
    }
}

/* Run the checks in a fixed order (progress stage "audit", one step per check). */
static cip_status run_checks(struct auditi *w, struct target_src *t)
{
    cip_status rc = CIP_OK;
    for (int k = 0; rc == CIP_OK && k < N_STEPS; k++) {
        cipi_progress(w->ctx, "audit", (uint64_t)k, N_STEPS);
        rc = run_step(w, t, k);
    }
    if (rc != CIP_OK)
        return rc;
    cipi_progress(w->ctx, "audit", N_STEPS, N_STEPS);
    qsort(w->out->f, w->out->n, sizeof *w->out->f, cmp_finding);
    return CIP_OK;
}

/* Rows with a target: *keep lists them; when some are dropped, *wf is the frame of those rows
 * and the target arrays of t are compacted. */
static cip_status keep_rows(struct auditi *w, const cip_frame *f, struct target_src *t,
                            size_t **keep, size_t *nk, cip_frame **wf)
{
    cip_ctx *ctx = w->ctx;
    size_t n0 = cip_frame_n_rows(f), m = 0;
    size_t *k = cipi_mallocarray(ctx, n0 ? n0 : 1, sizeof *k);
    if (k == NULL)
        return CIP_ERR_NOMEM;
    *keep = k;
    for (size_t i = 0; i < n0; i++)
        if (isfinite(t->y[i]))
            k[m++] = i;
    *nk = m;
    if (m < 2)
        return cipi_fail(ctx, CIP_ERR_INVALID, "audit needs at least 2 rows with a target");
    if (m >= UINT32_MAX)
        return cipi_fail(ctx, CIP_ERR_LIMIT, "audit handles at most 2^32 - 2 rows");
    w->f = f;
    if (m == n0)
        return CIP_OK;
    cip_status rc = cip_frame_take_rows(ctx, f, k, m, wf);
    if (rc != CIP_OK)
        return rc;
    w->f = *wf;
    w->rowmap = k;
    for (size_t r = 0; r < m; r++) {
        t->y[r] = t->y[k[r]];
        if (t->rule_vals != NULL)
            t->rule_vals[r] = t->rule_vals[k[r]];
    }
    return CIP_OK;
}

cip_status cip_audit_run(cip_ctx *ctx, const cip_frame *f, const cip_audit_params *p,
                         cip_audit **out)
{
    struct auditi w;
    struct target_src t;
    cip_frame *wf = NULL;
    size_t *keep = NULL, nk = 0;
    memset(&w, 0, sizeof w);
    memset(&t, 0, sizeof t);
    *out = NULL;
    cip_status rc = cip_audit_params_check(ctx, p);
    if (rc != CIP_OK)
        return rc;
    if (f == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "audit frame is NULL");
    w.ctx = ctx;
    w.p = p;
    w.rule_feat = -1;
    w.out = cipi_calloc(ctx, 1, sizeof *w.out);
    if (w.out == NULL)
        return CIP_ERR_NOMEM;
    w.out->a = cipi_ctx_alloc(ctx);
    w.tname = p->target != NULL && p->target[0] ? p->target : "label";
    if ((w.out->target = cipi_strdup(ctx, w.tname)) == NULL) {
        rc = CIP_ERR_NOMEM;
        goto done;
    }
    if ((rc = cipi_audit_load_target(ctx, f, p, &t)) != CIP_OK)
        goto done;
    if ((rc = keep_rows(&w, f, &t, &keep, &nk, &wf)) != CIP_OK)
        goto done;
    w.n = nk;
    w.y = t.y;
    t.y = NULL;
    if ((rc = pick_features(&w, p->label_rule == NULL || p->target != NULL ? w.tname : NULL)) !=
        CIP_OK)
        goto done;
    if ((rc = load_features(&w)) != CIP_OK)
        goto done;
    if ((rc = setup_target(&w, t.categorical, t.is_label)) != CIP_OK)
        goto done;
    for (size_t j = 0; j < w.nf && t.rule_col[0]; j++)
        if (strcmp(w.fname[j], t.rule_col) == 0)
            w.rule_feat = (long)j;
    w.out->n_rows = w.n;
    w.out->n_features = w.nf;
    rc = run_checks(&w, &t);
done:
    work_release(&w);
    cipi_free(ctx, t.y);
    cipi_free(ctx, t.rule_vals);
    cipi_free(ctx, keep);
    cip_frame_free(wf);
    if (rc != CIP_OK) {
        cip_audit_free(w.out);
        return rc;
    }
    *out = w.out;
    return CIP_OK;
}

/* --- getters ------------------------------------------------------------------------ */

size_t cip_audit_count(const cip_audit *a)
{
    return a != NULL ? a->n : 0;
}

void cip_audit_get(const cip_audit *a, size_t k, cip_audit_finding *out)
{
    memset(out, 0, sizeof *out);
    if (a == NULL || k >= a->n)
        return;
    const struct audit_finding *fd = &a->f[k];
    out->kind = fd->kind;
    out->severity = fd->severity;
    out->n_columns = fd->n_columns;
    out->columns = (const char *const *)fd->columns;
    out->message = fd->message != NULL ? fd->message : "";
    out->expression = fd->expression;
    out->fix = fd->fix != NULL ? fd->fix : "";
    out->n_values = fd->n_values;
    out->value_names = fd->value_names;
    out->values = fd->values;
    out->n_rows = fd->n_rows;
    out->rows = fd->rows;
}

size_t cip_audit_n_severity(const cip_audit *a, cip_audit_severity s)
{
    size_t c = 0;
    for (size_t k = 0; a != NULL && k < a->n; k++)
        c += a->f[k].severity == s;
    return c;
}

cip_audit_verdict cip_audit_get_verdict(const cip_audit *a)
{
    if (cip_audit_n_severity(a, CIP_AUDIT_HIGH) > 0)
        return CIP_AUDIT_LEAKS;
    return cip_audit_n_severity(a, CIP_AUDIT_WARNING) > 0 ? CIP_AUDIT_WARNINGS : CIP_AUDIT_CLEAN;
}

size_t cip_audit_n_rows(const cip_audit *a)
{
    return a != NULL ? a->n_rows : 0;
}
size_t cip_audit_n_features(const cip_audit *a)
{
    return a != NULL ? a->n_features : 0;
}
cip_audit_task cip_audit_get_task(const cip_audit *a)
{
    return a != NULL ? a->task : CIP_AUDIT_TASK_AUTO;
}
const char *cip_audit_target(const cip_audit *a)
{
    return a != NULL ? a->target : NULL;
}

long cip_audit_find(const cip_audit *a, cip_audit_kind kind, const char *column)
{
    for (size_t k = 0; a != NULL && k < a->n; k++) {
        if (a->f[k].kind != kind)
            continue;
        if (column == NULL)
            return (long)k;
        for (size_t c = 0; c < a->f[k].n_columns; c++)
            if (strcmp(a->f[k].columns[c], column) == 0)
                return (long)k;
    }
    return -1;
}

const char *cip_audit_kind_name(cip_audit_kind k)
{
    static const char *const names[] = {"correlation",     "predictive",    "reconstruction",
                                        "funcdep",         "lineage",       "separable",
                                        "duplicates",      "contamination", "identical_columns",
                                        "constant_column", "id_column",     "multicollinearity",
                                        "few_profiles",    "schema"};
    return (size_t)k < CIP_ARRAY_LEN(names) ? names[k] : "unknown";
}

const char *cip_audit_severity_name(cip_audit_severity s)
{
    return s == CIP_AUDIT_HIGH ? "high" : s == CIP_AUDIT_WARNING ? "warning" : "info";
}

const char *cip_audit_verdict_name(cip_audit_verdict v)
{
    return v == CIP_AUDIT_LEAKS ? "leaks" : v == CIP_AUDIT_WARNINGS ? "warnings" : "clean";
}

const char *cip_audit_task_name(cip_audit_task t)
{
    return t == CIP_AUDIT_TASK_REGRESSION       ? "regression"
           : t == CIP_AUDIT_TASK_CLASSIFICATION ? "classification"
                                                : "auto";
}
