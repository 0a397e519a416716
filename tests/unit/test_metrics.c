/* test_metrics.c - metrics and stats against scikit-learn/numpy/pandas values
 *
 * The reference vectors and values come from tools/ref_metrics.py and live
 * in tests/data/metrics/expected.txt (format described in the script). A
 * value passes when |got - want| <= 1e-12 * max(1, |want|); the maximum
 * absolute and relative deviations per metric are printed. A further test
 * covers the text report; conventions, input errors, allocation failures and
 * large inputs are in test_metrics_edge.c.
 * SPDX-License-Identifier: MIT
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cip/metrics.h"
#include "cip/stats.h"
#include "testutil.h"

#define TOL          1e-12
#define MAX_TOK      16
#define MAX_SEG      16
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* --- reference file ------------------------------------------------------------- */

struct vecd {
    char *name;
    double *v; /* numeric vectors */
    char **s;  /* string vectors ("s" lines), else NULL */
    size_t n;
};

struct refdata {
    struct vecd *vecs;
    size_t n_vecs;
    char **exps; /* "e" lines without the "e " */
    size_t n_exps;
};

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    assert_non_null(q);
    return q;
}

static void add_vec(struct refdata *d, char *line, int strings)
{
    char *save = NULL;
    char *tok = strtok_r(line, " \n", &save);
    struct vecd v = {strdup(tok), NULL, NULL, 0};
    while ((tok = strtok_r(NULL, " \n", &save)) != NULL) {
        if (strings) {
            v.s = xrealloc(v.s, (v.n + 1) * sizeof *v.s);
            v.s[v.n++] = strdup(tok);
        } else {
            char *end;
            v.v = xrealloc(v.v, (v.n + 1) * sizeof *v.v);
            v.v[v.n++] = strtod(tok, &end);
            assert_true(*end == '\0');
        }
    }
    d->vecs = xrealloc(d->vecs, (d->n_vecs + 1) * sizeof *d->vecs);
    d->vecs[d->n_vecs++] = v;
}

static void load_ref(struct refdata *d)
{
    char path[1024];
    memset(d, 0, sizeof *d);
    FILE *f = fopen(cipt_data_path(path, sizeof path, "metrics/expected.txt"), "r");
    if (f == NULL)
        fail_msg("cannot open %s", path);
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        if (line[0] == 'v' || line[0] == 's') {
            add_vec(d, line + 2, line[0] == 's');
        } else if (line[0] == 'e') {
            d->exps = xrealloc(d->exps, (d->n_exps + 1) * sizeof *d->exps);
            d->exps[d->n_exps++] = strdup(line + 2);
        }
    }
    free(line);
    fclose(f);
    assert_true(d->n_exps > 100);
}

static void free_ref(struct refdata *d)
{
    for (size_t i = 0; i < d->n_vecs; i++) {
        for (size_t j = 0; d->vecs[i].s != NULL && j < d->vecs[i].n; j++)
            free(d->vecs[i].s[j]);
        free(d->vecs[i].s);
        free(d->vecs[i].v);
        free(d->vecs[i].name);
    }
    for (size_t i = 0; i < d->n_exps; i++)
        free(d->exps[i]);
    free(d->vecs);
    free(d->exps);
}

static const struct vecd *find_vec(const struct refdata *d, const char *name)
{
    for (size_t i = 0; i < d->n_vecs; i++)
        if (strcmp(d->vecs[i].name, name) == 0)
            return &d->vecs[i];
    fail_msg("unknown vector '%s'", name);
    return NULL;
}

/* --- one expectation -------------------------------------------------------------- */

/* What a metric computed: up to MAX_SEG arrays, flattened. */
struct result {
    double *v;
    size_t n;
    size_t seg[MAX_SEG];
    size_t n_seg;
};

static void res_add(struct result *r, const double *v, size_t n)
{
    assert_true(r->n_seg < MAX_SEG);
    r->v = xrealloc(r->v, (r->n + n + 1) * sizeof *r->v);
    memcpy(r->v + r->n, v, n * sizeof *v);
    r->n += n;
    r->seg[r->n_seg++] = n;
}

static void res_add1(struct result *r, double v)
{
    res_add(r, &v, 1);
}

/* Arguments of an expectation line, resolved. */
struct args {
    const struct refdata *d;
    char *tok[MAX_TOK];
    size_t n_tok;
    uint32_t *labels[3]; /* converted label vectors, freed after the call */
};

static const double *arg_vec(const struct args *a, size_t i, size_t *n)
{
    assert_true(i < a->n_tok);
    if (strcmp(a->tok[i], "-") == 0)
        return NULL;
    const struct vecd *v = find_vec(a->d, a->tok[i]);
    if (n != NULL)
        *n = v->n;
    return v->v;
}

static long arg_int(const struct args *a, size_t i)
{
    assert_true(i < a->n_tok);
    char *end;
    long v = strtol(a->tok[i], &end, 10);
    assert_true(*end == '\0');
    return v;
}

static const uint32_t *arg_labels(struct args *a, size_t i, size_t *n)
{
    const double *v = arg_vec(a, i, n);
    size_t slot = 0;
    while (a->labels[slot] != NULL)
        slot++;
    uint32_t *l = malloc((*n + 1) * sizeof *l);
    assert_non_null(l);
    for (size_t k = 0; k < *n; k++)
        l[k] = (uint32_t)v[k];
    a->labels[slot] = l;
    return l;
}

static cip_status run_regression(cip_ctx *ctx, const char *m, struct args *a, struct result *r)
{
    size_t n, n2;
    const double *t = arg_vec(a, 0, &n), *p = arg_vec(a, 1, &n2);
    assert_int_equal(n, n2);
    double out = NAN;
    cip_status rc;
    if (strcmp(m, "max_error") == 0) {
        rc = cip_metric_max_error(ctx, t, p, n, &out);
    } else {
        const double *w = arg_vec(a, 2, NULL);
        if (strcmp(m, "r2") == 0)
            rc = cip_metric_r2(ctx, t, p, w, n, &out);
        else if (strcmp(m, "mse") == 0)
            rc = cip_metric_mse(ctx, t, p, w, n, &out);
        else if (strcmp(m, "rmse") == 0)
            rc = cip_metric_rmse(ctx, t, p, w, n, &out);
        else if (strcmp(m, "mae") == 0)
            rc = cip_metric_mae(ctx, t, p, w, n, &out);
        else if (strcmp(m, "mape") == 0)
            rc = cip_metric_mape(ctx, t, p, w, n, &out);
        else
            rc = cip_metric_explained_variance(ctx, t, p, w, n, &out);
        /* the all-at-once variant must agree exactly */
        cip_regression_metrics all;
        assert_int_equal(cip_metric_regression(ctx, t, p, w, n, &all), CIP_OK);
        double same = strcmp(m, "r2") == 0     ? all.r2
                      : strcmp(m, "mse") == 0  ? all.mse
                      : strcmp(m, "rmse") == 0 ? all.rmse
                      : strcmp(m, "mae") == 0  ? all.mae
                      : strcmp(m, "mape") == 0 ? all.mape
                                               : all.explained_variance;
        assert_true(memcmp(&same, &out, sizeof out) == 0);
    }
    res_add1(r, out);
    return rc;
}

static cip_status run_report(cip_ctx *ctx, const uint32_t *t, const uint32_t *p, size_t n,
                             const cip_class_opts *o, struct result *r)
{
    cip_class_report *rep = NULL;
    cip_status rc = cip_class_report_new(ctx, t, p, n, o, &rep);
    if (rc != CIP_OK)
        return rc;
    double head[8] = {
        rep->accuracy,           rep->macro.precision, rep->macro.recall, rep->macro.f1,
        rep->weighted.precision, rep->weighted.recall, rep->weighted.f1,  rep->support};
    for (int i = 0; i < 8; i++)
        res_add1(r, head[i]);
    double *rows = malloc((rep->n_rows * 5 + 1) * sizeof *rows);
    assert_non_null(rows);
    for (size_t i = 0; i < rep->n_rows; i++) {
        const cip_class_row *row = &rep->rows[i];
        double v[5] = {row->label, row->prf.precision, row->prf.recall, row->prf.f1, row->support};
        memcpy(rows + 5 * i, v, sizeof v);
    }
    res_add(r, rows, rep->n_rows * 5);
    free(rows);
    cip_class_report_free(rep);
    return CIP_OK;
}

static cip_status run_labels(cip_ctx *ctx, const char *m, struct args *a, struct result *r)
{
    size_t n, n2;
    const uint32_t *t = arg_labels(a, 0, &n), *p = arg_labels(a, 1, &n2);
    assert_int_equal(n, n2);
    cip_class_opts o;
    cip_class_opts_default(&o);
    o.weight = arg_vec(a, 2, NULL);
    double out = NAN;
    if (strcmp(m, "accuracy") == 0) {
        cip_status rc = cip_metric_accuracy(ctx, t, p, o.weight, n, &out);
        res_add1(r, out);
        return rc;
    }
    o.n_classes = (uint32_t)arg_int(a, 3);
    if (strcmp(m, "prf") == 0) {
        o.average = (cip_average)arg_int(a, 4);
        o.pos_label = (uint32_t)arg_int(a, 5);
        cip_prf v = {NAN, NAN, NAN};
        cip_status rc = cip_metric_prf(ctx, t, p, n, &o, &v);
        double one[3] = {NAN, NAN, NAN};
        assert_int_equal(cip_metric_precision(ctx, t, p, n, &o, &one[0]), rc);
        assert_int_equal(cip_metric_recall(ctx, t, p, n, &o, &one[1]), rc);
        assert_int_equal(cip_metric_f1(ctx, t, p, n, &o, &one[2]), rc);
        assert_true(one[0] == v.precision && one[1] == v.recall && one[2] == v.f1);
        res_add1(r, v.precision);
        res_add1(r, v.recall);
        res_add1(r, v.f1);
        return rc;
    }
    if (strcmp(m, "confusion") == 0) {
        size_t k = o.n_classes;
        double *cm = malloc(k * k * sizeof *cm);
        assert_non_null(cm);
        cip_status rc = cip_metric_confusion_matrix(ctx, t, p, n, &o, cm);
        res_add(r, cm, k * k);
        free(cm);
        return rc;
    }
    return run_report(ctx, t, p, n, &o, r);
}

static cip_status run_curve(cip_ctx *ctx, const char *m, const uint32_t *t, const double *s,
                            const double *w, size_t n, struct result *r)
{
    cip_curve *c = NULL;
    cip_status rc = strcmp(m, "roc_curve") == 0 ? cip_metric_roc_curve(ctx, t, s, w, n, &c)
                                                : cip_metric_pr_curve(ctx, t, s, w, n, &c);
    if (rc != CIP_OK)
        return rc;
    res_add(r, c->x, c->n);
    res_add(r, c->y, c->n);
    res_add(r, c->thresholds, c->n_thresholds);
    cip_curve_free(c);
    return CIP_OK;
}

static cip_status run_scores(cip_ctx *ctx, const char *m, struct args *a, struct result *r)
{
    size_t n, n2;
    const uint32_t *t = arg_labels(a, 0, &n);
    const double *s = arg_vec(a, 1, &n2);
    const double *w = arg_vec(a, 2, NULL);
    double out = NAN;
    cip_status rc;
    if (strcmp(m, "log_loss_multi") == 0) {
        cip_class_opts o;
        cip_class_opts_default(&o);
        o.n_classes = (uint32_t)arg_int(a, 3);
        o.weight = w;
        assert_int_equal(n2, n * o.n_classes);
        rc = cip_metric_log_loss_multi(ctx, t, s, n, &o, &out);
        res_add1(r, out);
        return rc;
    }
    assert_int_equal(n, n2);
    if (strcmp(m, "roc_curve") == 0 || strcmp(m, "pr_curve") == 0)
        return run_curve(ctx, m, t, s, w, n, r);
    if (strcmp(m, "roc_auc") == 0)
        rc = cip_metric_roc_auc(ctx, t, s, w, n, &out);
    else if (strcmp(m, "ap") == 0)
        rc = cip_metric_average_precision(ctx, t, s, w, n, &out);
    else if (strcmp(m, "log_loss") == 0)
        rc = cip_metric_log_loss(ctx, t, s, w, n, &out);
    else
        rc = cip_metric_brier(ctx, t, s, w, n, &out);
    res_add1(r, out);
    return rc;
}

static cip_status run_stats(cip_ctx *ctx, const char *m, struct args *a, struct result *r)
{
    size_t n;
    const double *x = arg_vec(a, 0, &n);
    double out = NAN;
    cip_status rc = CIP_OK;
    if (strcmp(m, "sum") == 0) {
        out = cip_stats_sum(x, n);
    } else if (strcmp(m, "mean") == 0) {
        rc = cip_stats_mean(ctx, x, n, &out);
    } else if (strcmp(m, "var") == 0 || strcmp(m, "std") == 0) {
        size_t ddof = (size_t)arg_int(a, 1);
        rc = m[0] == 'v' ? cip_stats_var(ctx, x, n, ddof, &out)
                         : cip_stats_std(ctx, x, n, ddof, &out);
    } else if (strcmp(m, "pearson") == 0 || strcmp(m, "spearman") == 0) {
        size_t n2;
        const double *y = arg_vec(a, 1, &n2);
        assert_int_equal(n, n2);
        rc = m[0] == 'p' ? cip_stats_pearson(ctx, x, y, n, &out)
                         : cip_stats_spearman(ctx, x, y, n, &out);
    } else {
        size_t nq = n;
        const double *q = strcmp(m, "quantiles") == 0 ? arg_vec(a, 1, &nq) : NULL;
        double *v = malloc((nq + 1) * sizeof *v);
        assert_non_null(v);
        rc = q != NULL ? cip_stats_quantiles(ctx, x, n, q, nq, v) : cip_stats_rank(ctx, x, n, v);
        res_add(r, v, nq);
        free(v);
        return rc;
    }
    res_add1(r, out);
    return rc;
}

/* The vectors of ref_metrics.py's gen_vectors(), rebuilt from the index:
 * integers times powers of two, so both sides hold the same doubles. */
static cip_status run_gen(cip_ctx *ctx, struct args *a, struct result *r)
{
    size_t n = (size_t)arg_int(a, 0);
    double *g = malloc(n * sizeof *g), *p = malloc(n * sizeof *p), *sc = malloc(n * sizeof *sc);
    uint32_t *y = malloc(n * sizeof *y);
    assert_true(g && p && sc && y);
    for (uint64_t i = 0; i < n; i++) {
        int64_t v = (int64_t)((i * 2654435761u) % 4294967296u) - 2147483648;
        g[i] = ldexp((double)v, (int)((i * 40503) % 41) - 20);
        p[i] = g[i] + g[i] * (double)((int64_t)((i * 69069) % 1001) - 500) / 4096.0;
        y[i] = (i * 7919) % 10 < 3;
        sc[i] = (double)((i * 2654435761u) % 1000003) / 1000003.0 + 0.25 * y[i];
    }
    double v[9];
    v[0] = cip_stats_sum(g, n);
    cip_status rc = cip_stats_mean(ctx, g, n, &v[1]);
    if (rc == CIP_OK)
        rc = cip_stats_var(ctx, g, n, 0, &v[2]);
    if (rc == CIP_OK)
        rc = cip_stats_std(ctx, g, n, 1, &v[3]);
    if (rc == CIP_OK)
        rc = cip_metric_mse(ctx, g, p, NULL, n, &v[4]);
    if (rc == CIP_OK)
        rc = cip_metric_r2(ctx, g, p, NULL, n, &v[5]);
    if (rc == CIP_OK)
        rc = cip_metric_mae(ctx, g, p, NULL, n, &v[6]);
    if (rc == CIP_OK)
        rc = cip_metric_roc_auc(ctx, y, sc, NULL, n, &v[7]);
    if (rc == CIP_OK)
        rc = cip_metric_average_precision(ctx, y, sc, NULL, n, &v[8]);
    for (int i = 0; i < 9; i++)
        res_add1(r, v[i]);
    free(g);
    free(p);
    free(sc);
    free(y);
    return rc;
}

/* Maximum deviations per metric, for the summary. */
struct dev {
    char name[24];
    double abs, rel;
    size_t values;
};

static struct dev *dev_slot(struct dev *devs, size_t *n_devs, const char *m)
{
    for (size_t i = 0; i < *n_devs; i++)
        if (strcmp(devs[i].name, m) == 0)
            return &devs[i];
    struct dev *d = &devs[(*n_devs)++];
    snprintf(d->name, sizeof d->name, "%s", m);
    d->abs = d->rel = 0.0;
    d->values = 0;
    return d;
}

static int same_value(double got, double want, struct dev *d)
{
    d->values++;
    if (isnan(want))
        return isnan(got);
    if (isinf(want))
        return got == want;
    double ad = fabs(got - want);
    double rd = want != 0.0 ? ad / fabs(want) : (ad == 0.0 ? 0.0 : INFINITY);
    d->abs = fmax(d->abs, ad);
    if (want != 0.0)
        d->rel = fmax(d->rel, rd);
    return ad <= TOL * fmax(1.0, fabs(want));
}

/* Parse "OUT ..." into the expected flattened values and segment sizes. */
static void parse_expected(const struct refdata *d, char *outs, struct result *want)
{
    char *save = NULL;
    for (char *tok = strtok_r(outs, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
        if (tok[0] == '@') {
            const struct vecd *v = find_vec(d, tok + 1);
            res_add(want, v->v, v->n);
        } else {
            char *end;
            res_add1(want, strtod(tok, &end));
            assert_true(*end == '\0');
        }
    }
}

static int check_line(cip_ctx *ctx, const struct refdata *d, const char *text, struct dev *devs,
                      size_t *n_devs)
{
    char *line = strdup(text);
    char *eq = strstr(line, " = ");
    assert_non_null(eq);
    *eq = '\0';
    struct args a = {.d = d};
    char *save = NULL;
    char *m = strtok_r(line, " ", &save);
    for (char *tok; (tok = strtok_r(NULL, " ", &save)) != NULL;) {
        assert_true(a.n_tok < MAX_TOK);
        a.tok[a.n_tok++] = tok;
    }
    struct result got = {0}, want = {0};
    if (strcmp(m, "report_text") == 0) {
        free(line);
        return 0; /* test_metrics_report_text_matches_sklearn */
    }
    parse_expected(d, eq + 3, &want);
    cip_status rc = CIP_OK;
    static const char *const reg[] = {"r2", "mse", "rmse", "mae", "mape", "ev", "max_error"};
    static const char *const lab[] = {"accuracy", "prf", "confusion", "report"};
    static const char *const sco[] = {"roc_auc",  "ap",    "roc_curve",     "pr_curve",
                                      "log_loss", "brier", "log_loss_multi"};
    int kind = -1;
    for (size_t i = 0; i < ARRAY_LEN(reg); i++)
        kind = strcmp(m, reg[i]) == 0 ? 0 : kind;
    for (size_t i = 0; i < ARRAY_LEN(lab); i++)
        kind = strcmp(m, lab[i]) == 0 ? 1 : kind;
    for (size_t i = 0; i < ARRAY_LEN(sco); i++)
        kind = strcmp(m, sco[i]) == 0 ? 2 : kind;
    int bad = 0;
    if (kind == 0)
        rc = run_regression(ctx, m, &a, &got);
    else if (kind == 1)
        rc = run_labels(ctx, m, &a, &got);
    else if (kind == 2)
        rc = run_scores(ctx, m, &a, &got);
    else if (strcmp(m, "gen") == 0)
        rc = run_gen(ctx, &a, &got);
    else
        rc = run_stats(ctx, m, &a, &got);
    struct dev *dv = dev_slot(devs, n_devs, m);
    if (rc != CIP_OK) {
        print_message("FAIL %s: %s\n", text, cip_ctx_errmsg(ctx));
        bad = 1;
    } else if (got.n_seg != want.n_seg || memcmp(got.seg, want.seg, sizeof got.seg) != 0) {
        print_message("FAIL %s: got %zu values in %zu arrays\n", text, got.n, got.n_seg);
        bad = 1;
    } else {
        for (size_t i = 0; i < got.n; i++) {
            if (!same_value(got.v[i], want.v[i], dv)) {
                print_message("FAIL %s: value %zu: got %.17g want %.17g\n", text, i, got.v[i],
                              want.v[i]);
                bad = 1;
            }
        }
    }
    for (size_t i = 0; i < 3; i++)
        free(a.labels[i]);
    free(got.v);
    free(want.v);
    free(line);
    return bad;
}

static void test_metrics_reference_values_match_sklearn(void **state)
{
    (void)state;
    struct refdata d;
    load_ref(&d);
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    struct dev devs[64];
    size_t n_devs = 0;
    int failures = 0;
    for (size_t i = 0; i < d.n_exps; i++)
        failures += check_line(ctx, &d, d.exps[i], devs, &n_devs);
    print_message("%-16s %7s %12s %12s\n", "metric", "values", "max |abs|", "max rel");
    for (size_t i = 0; i < n_devs; i++)
        print_message("%-16s %7zu %12.3g %12.3g\n", devs[i].name, devs[i].values, devs[i].abs,
                      devs[i].rel);
    cip_ctx_free(ctx);
    free_ref(&d);
    assert_int_equal(failures, 0);
}

/* --- the text report ---------------------------------------------------------------- */

static char *read_text(const char *name)
{
    char path[1024];
    FILE *f = fopen(cipt_data_path(path, sizeof path, name), "rb");
    if (f == NULL)
        fail_msg("cannot open %s", path);
    char *buf = calloc(1, 65536);
    assert_non_null(buf);
    size_t len = fread(buf, 1, 65535, f);
    fclose(f);
    buf[len] = '\0';
    return buf;
}

static void check_report_text(cip_ctx *ctx, const struct refdata *d, const char *text)
{
    char *line = strdup(text);
    char *eq = strstr(line, " = ");
    *eq = '\0';
    struct args a = {.d = d};
    char *save = NULL;
    for (char *tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
        a.tok[a.n_tok++] = tok;
    size_t n, n2;
    const uint32_t *t = arg_labels(&a, 0, &n), *p = arg_labels(&a, 1, &n2);
    cip_class_opts o;
    cip_class_opts_default(&o);
    o.weight = arg_vec(&a, 2, NULL);
    o.n_classes = (uint32_t)arg_int(&a, 3);
    cip_report_format fmt;
    cip_report_format_default(&fmt);
    fmt.digits = (int)arg_int(&a, 4);
    const char *names[16];
    if (strcmp(a.tok[5], "-") != 0) {
        const struct vecd *v = find_vec(d, a.tok[5]);
        for (size_t i = 0; i < v->n; i++)
            names[i] = v->s[i];
        fmt.names = names;
        fmt.n_names = v->n;
    }
    char *fname = eq + 3;
    fname[strcspn(fname, " \n")] = '\0';
    char rel[256];
    snprintf(rel, sizeof rel, "metrics/%s", fname);
    char *want = read_text(rel);
    cip_class_report *rep;
    assert_int_equal(cip_class_report_new(ctx, t, p, n, &o, &rep), CIP_OK);
    char *got = NULL;
    assert_int_equal(cip_class_report_to_string(ctx, rep, &fmt, &got), CIP_OK);
    if (strcmp(got, want) != 0)
        fail_msg("report differs for '%s':\n--- got\n%s--- want\n%s", text, got, want);
    /* the buffer variant: exact fit, then one byte short */
    size_t len = 0, need = strlen(want);
    char *buf = malloc(need + 1);
    assert_int_equal(cip_class_report_format(ctx, rep, &fmt, buf, need + 1, &len), CIP_OK);
    assert_int_equal(len, need);
    assert_string_equal(buf, want);
    assert_int_equal(cip_class_report_format(ctx, rep, &fmt, buf, need, &len), CIP_ERR_LIMIT);
    assert_int_equal(len, need);
    assert_int_equal(strlen(buf), need - 1);
    free(buf);
    cip_class_report_string_free(ctx, got);
    cip_class_report_free(rep);
    free(want);
    free(a.labels[0]);
    free(a.labels[1]);
    free(line);
}

static void test_metrics_report_text_matches_sklearn(void **state)
{
    (void)state;
    struct refdata d;
    load_ref(&d);
    cip_ctx *ctx;
    assert_int_equal(cip_ctx_new(&ctx), CIP_OK);
    int seen = 0;
    for (size_t i = 0; i < d.n_exps; i++) {
        if (strncmp(d.exps[i], "report_text ", 12) == 0) {
            check_report_text(ctx, &d, d.exps[i] + 12);
            seen++;
        }
    }
    assert_true(seen >= 4);
    cip_ctx_free(ctx);
    free_ref(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metrics_reference_values_match_sklearn),
        cmocka_unit_test(test_metrics_report_text_matches_sklearn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
