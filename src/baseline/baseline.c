/* baseline.c - baseline models: params, fitting the dummies, prediction, getters
 *
 * The dummies follow scikit-learn 1.2: DummyRegressor(strategy="mean"/"median")
 * (weighted median = _weighted_percentile(y, w, 50): the first sorted value
 * whose cumulative weight reaches half the total) and DummyClassifier
 * (strategy="most_frequent"/"prior": class priors are weighted class shares;
 * most_frequent predicts a one-hot distribution).
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "baseline_int.h"

static const char *const kind_names[] = {"mean",  "median", "majority",
                                         "prior", "ridge",  "logistic"};

void cip_baseline_params_default(cip_baseline_params *p)
{
    memset(p, 0, sizeof *p);
    p->kind = CIP_BASELINE_MEAN;
    p->alpha = 1.0;
    p->C = 1.0;
    p->standardize = 0;
    p->max_iter = 100;
    p->tol = 1e-12;
}

cip_status cip_baseline_params_check(cip_ctx *ctx, const cip_baseline_params *p)
{
    if ((unsigned)p->kind > CIP_BASELINE_LOGISTIC)
        return cipi_fail(ctx, CIP_ERR_INVALID, "unknown baseline kind %d", (int)p->kind);
    if (!(p->alpha >= 0.0) || !isfinite(p->alpha))
        return cipi_fail(ctx, CIP_ERR_INVALID, "baseline: alpha %g must be finite and >= 0",
                         p->alpha);
    if (!(p->C > 0.0) || !isfinite(p->C))
        return cipi_fail(ctx, CIP_ERR_INVALID, "baseline: C %g must be finite and > 0", p->C);
    if (p->max_iter < 1)
        return cipi_fail(ctx, CIP_ERR_INVALID, "baseline: max_iter %d must be >= 1", p->max_iter);
    if (!(p->tol > 0.0) || !isfinite(p->tol))
        return cipi_fail(ctx, CIP_ERR_INVALID, "baseline: tol %g must be finite and > 0", p->tol);
    return CIP_OK;
}

const char *cip_baseline_kind_name(cip_baseline_kind k)
{
    return (unsigned)k < CIP_ARRAY_LEN(kind_names) ? kind_names[k] : "unknown";
}

cip_status cip_baseline_kind_parse(cip_ctx *ctx, const char *name, cip_baseline_kind *out)
{
    for (size_t i = 0; i < CIP_ARRAY_LEN(kind_names); i++)
        if (strcmp(name, kind_names[i]) == 0) {
            *out = (cip_baseline_kind)i;
            return CIP_OK;
        }
    if (strcmp(name, "most_frequent") == 0) {
        *out = CIP_BASELINE_MAJORITY;
        return CIP_OK;
    }
    return cipi_fail(ctx, CIP_ERR_INVALID,
                     "unknown baseline '%s' (known: mean, median, majority, prior, ridge, "
                     "logistic)",
                     name);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

struct wv {
    double v, w; /* value and weight */
};

static int cmp_wv(const void *a, const void *b)
{
    return cmp_double(&((const struct wv *)a)->v, &((const struct wv *)b)->v);
}

static cip_status fit_median(cip_ctx *ctx, const double *y, const double *w, size_t n,
                             cip_baseline *m)
{
    if (w == NULL) {
        double *s = cipi_mallocarray(ctx, n, sizeof *s);
        if (s == NULL)
            return CIP_ERR_NOMEM;
        memcpy(s, y, n * sizeof *s);
        qsort(s, n, sizeof *s, cmp_double);
        m->intercept = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
        cipi_free(ctx, s);
        return CIP_OK;
    }
    struct wv *s = cipi_mallocarray(ctx, n, sizeof *s);
    if (s == NULL)
        return CIP_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        s[i] = (struct wv){y[i], w[i]};
    qsort(s, n, sizeof *s, cmp_wv);
    double total = 0.0, cum = 0.0;
    for (size_t i = 0; i < n; i++)
        total += s[i].w;
    double half = 0.5 * total;
    size_t k = 0;
    for (; k < n; k++) {
        cum += s[k].w;
        if (cum >= half)
            break;
    }
    m->intercept = s[k < n ? k : n - 1].v;
    cipi_free(ctx, s);
    return CIP_OK;
}

/* Sorted distinct labels and, for the dummies, weighted class shares. */
static cip_status fit_classes(cip_ctx *ctx, const double *y, const double *w, size_t n,
                              cip_baseline *m)
{
    double *s = cipi_mallocarray(ctx, n, sizeof *s);
    if (s == NULL)
        return CIP_ERR_NOMEM;
    memcpy(s, y, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || s[i] != s[k - 1])
            s[k++] = s[i];
    m->n_classes = k;
    m->classes = cipi_mallocarray(ctx, k, sizeof *m->classes);
    m->proba = cipi_calloc(ctx, k, sizeof *m->proba);
    if (m->classes == NULL || m->proba == NULL) {
        cipi_free(ctx, s);
        return CIP_ERR_NOMEM;
    }
    memcpy(m->classes, s, k * sizeof *s);
    cipi_free(ctx, s);
    double total = 0.0;
    for (size_t i = 0; i < n; i++) {
        size_t lo = 0, hi = k;
        while (hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            if (m->classes[mid] <= y[i])
                lo = mid;
            else
                hi = mid;
        }
        m->proba[lo] += w ? w[i] : 1.0;
        total += w ? w[i] : 1.0;
    }
    for (size_t c = 0; c < k; c++)
        m->proba[c] /= total;
    return CIP_OK;
}

static size_t argmax(const double *v, size_t n)
{
    size_t best = 0;
    for (size_t i = 1; i < n; i++)
        if (v[i] > v[best])
            best = i;
    return best;
}

static cip_status check_inputs(cip_ctx *ctx, const cip_frame *x, const double *y, const double *w,
                               const cip_baseline_params *p)
{
    if (x == NULL || y == NULL || p == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "baseline fit: NULL argument");
    cip_status rc = cip_baseline_params_check(ctx, p);
    if (rc != CIP_OK)
        return rc;
    size_t n = cip_frame_n_rows(x);
    double sw = 0.0;
    if (n == 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "baseline fit: no rows");
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(y[i]))
            return cipi_fail(ctx, CIP_ERR_INVALID,
                             "baseline fit: target at row %zu is missing or not finite", i);
        if (w != NULL && (!(w[i] >= 0.0) || !isfinite(w[i])))
            return cipi_fail(ctx, CIP_ERR_INVALID,
                             "baseline fit: weight at row %zu must be finite and >= 0", i);
        sw += w ? w[i] : 1.0;
    }
    if (!(sw > 0.0))
        return cipi_fail(ctx, CIP_ERR_INVALID, "baseline fit: the weights sum to zero");
    return CIP_OK;
}

/* Linear models: remember the column names, build the design, solve. */
static cip_status fit_linear(cip_ctx *ctx, const cip_frame *x, const double *y, const double *w,
                             const cip_baseline_params *p, cip_baseline *m)
{
    size_t n = cip_frame_n_rows(x), q = cip_frame_n_cols(x);
    double *X = NULL;
    if (p->kind == CIP_BASELINE_LOGISTIC && m->n_classes != 2)
        return cipi_fail(ctx, CIP_ERR_INVALID,
                         "logistic baseline needs exactly 2 classes in the target, found %zu",
                         m->n_classes);
    m->coef = cipi_calloc(ctx, q + 1, sizeof *m->coef);
    m->names = cipi_calloc(ctx, q + 1, sizeof *m->names);
    if (m->coef == NULL || m->names == NULL)
        return CIP_ERR_NOMEM;
    for (size_t j = 0; j < q; j++) {
        m->names[j] = cipi_strdup(ctx, cip_frame_col_name(x, j));
        if (m->names[j] == NULL)
            return CIP_ERR_NOMEM;
        m->n_coef = j + 1;
    }
    cip_status rc = cipi_baseline_design(ctx, x, NULL, q, &X);
    if (rc == CIP_OK && p->kind == CIP_BASELINE_RIDGE)
        rc = cipi_baseline_fit_ridge(ctx, X, n, q, y, w, p, m);
    else if (rc == CIP_OK)
        rc = cipi_baseline_fit_logistic(ctx, X, n, q, y, w, p, m);
    cipi_free(ctx, X);
    return rc;
}

cip_status cip_baseline_fit(cip_ctx *ctx, const cip_frame *x, const double *y, const double *w,
                            const cip_baseline_params *p, cip_baseline **out)
{
    *out = NULL;
    cip_status rc = check_inputs(ctx, x, y, w, p);
    if (rc != CIP_OK)
        return rc;
    size_t n = cip_frame_n_rows(x);
    cip_baseline *m = cipi_calloc(ctx, 1, sizeof *m);
    if (m == NULL)
        return CIP_ERR_NOMEM;
    m->a = cipi_ctx_alloc(ctx);
    m->kind = p->kind;
    if (p->kind == CIP_BASELINE_MEAN) {
        double s = 0.0, sw = 0.0;
        for (size_t i = 0; i < n; i++) {
            s += (w ? w[i] : 1.0) * y[i];
            sw += w ? w[i] : 1.0;
        }
        m->intercept = s / sw;
    } else if (p->kind == CIP_BASELINE_MEDIAN) {
        rc = fit_median(ctx, y, w, n, m);
    } else if (p->kind == CIP_BASELINE_RIDGE) {
        rc = fit_linear(ctx, x, y, w, p, m);
    } else {
        rc = fit_classes(ctx, y, w, n, m);
        if (rc == CIP_OK && p->kind == CIP_BASELINE_LOGISTIC)
            rc = fit_linear(ctx, x, y, w, p, m);
        if (rc == CIP_OK && p->kind == CIP_BASELINE_MAJORITY) {
            size_t b = argmax(m->proba, m->n_classes);
            for (size_t c = 0; c < m->n_classes; c++)
                m->proba[c] = c == b ? 1.0 : 0.0;
        }
    }
    if (rc != CIP_OK) {
        cip_baseline_free(m);
        return rc;
    }
    *out = m;
    return CIP_OK;
}

/* Linear predictor b + x . c per row (columns found by name). */
static cip_status linear_predict(cip_ctx *ctx, const cip_baseline *m, const cip_frame *x,
                                 double *out)
{
    size_t n = cip_frame_n_rows(x);
    double *X = NULL;
    cip_status rc = cipi_baseline_design(ctx, x, (const char *const *)m->names, m->n_coef, &X);
    if (rc != CIP_OK)
        return rc;
    for (size_t i = 0; i < n; i++)
        out[i] = m->intercept;
    for (size_t j = 0; j < m->n_coef; j++)
        for (size_t i = 0; i < n; i++)
            out[i] += m->coef[j] * X[j * n + i];
    cipi_free(ctx, X);
    return CIP_OK;
}

cip_status cipi_baseline_p1(cip_ctx *ctx, const cip_baseline *m, const cip_frame *x, double *out)
{
    size_t n = cip_frame_n_rows(x);
    if (m->kind == CIP_BASELINE_LOGISTIC) {
        cip_status rc = linear_predict(ctx, m, x, out);
        for (size_t i = 0; rc == CIP_OK && i < n; i++)
            out[i] = m->classes[1] == 1.0 ? cipi_baseline_sigmoid(out[i])
                                          : 1.0 - cipi_baseline_sigmoid(out[i]);
        return rc;
    }
    double p1 = 0.0;
    for (size_t c = 0; c < m->n_classes; c++)
        if (m->classes[c] == 1.0)
            p1 = m->proba[c];
    for (size_t i = 0; i < n; i++)
        out[i] = p1;
    return CIP_OK;
}

cip_status cip_baseline_predict(cip_ctx *ctx, const cip_baseline *m, const cip_frame *x,
                                double *out)
{
    size_t n = cip_frame_n_rows(x);
    if (m->kind == CIP_BASELINE_RIDGE)
        return linear_predict(ctx, m, x, out);
    if (m->kind == CIP_BASELINE_LOGISTIC) {
        cip_status rc = linear_predict(ctx, m, x, out);
        /* sklearn: classes_[decision > 0]. */
        for (size_t i = 0; rc == CIP_OK && i < n; i++)
            out[i] = m->classes[out[i] > 0.0 ? 1 : 0];
        return rc;
    }
    double v = m->intercept;
    if (m->kind == CIP_BASELINE_MAJORITY || m->kind == CIP_BASELINE_PRIOR)
        v = m->classes[argmax(m->proba, m->n_classes)];
    for (size_t i = 0; i < n; i++)
        out[i] = v;
    return CIP_OK;
}

cip_status cip_baseline_predict_proba(cip_ctx *ctx, const cip_baseline *m, const cip_frame *x,
                                      double *out, size_t out_len)
{
    size_t n = cip_frame_n_rows(x), k = m->n_classes, need;
    if (k == 0)
        return cipi_fail(ctx, CIP_ERR_INVALID, "predict_proba: '%s' is a regressor",
                         cip_baseline_kind_name(m->kind));
    if (!cipi_mul_ok(n, k, &need) || need != out_len)
        return cipi_fail(ctx, CIP_ERR_INVALID,
                         "predict_proba: output has %zu slots, need %zu rows x %zu classes",
                         out_len, n, k);
    if (m->kind == CIP_BASELINE_LOGISTIC) {
        double *z = cipi_mallocarray(ctx, n ? n : 1, sizeof *z);
        if (z == NULL)
            return CIP_ERR_NOMEM;
        cip_status rc = linear_predict(ctx, m, x, z);
        for (size_t i = 0; rc == CIP_OK && i < n; i++) {
            double p1 = cipi_baseline_sigmoid(z[i]);
            out[2 * i] = 1.0 - p1;
            out[2 * i + 1] = p1;
        }
        cipi_free(ctx, z);
        return rc;
    }
    for (size_t i = 0; i < n; i++)
        memcpy(out + i * k, m->proba, k * sizeof *out);
    return CIP_OK;
}

cip_baseline_kind cip_baseline_get_kind(const cip_baseline *m)
{
    return m->kind;
}

const double *cip_baseline_classes(const cip_baseline *m, size_t *n)
{
    *n = m->n_classes;
    return m->classes;
}

const double *cip_baseline_coef(const cip_baseline *m, size_t *n)
{
    *n = m->n_coef;
    return m->coef;
}

const char *cip_baseline_coef_name(const cip_baseline *m, size_t j)
{
    return j < m->n_coef ? m->names[j] : NULL;
}

double cip_baseline_intercept(const cip_baseline *m)
{
    return m->intercept;
}

int cip_baseline_n_iter(const cip_baseline *m)
{
    return m->n_iter;
}

void cip_baseline_free(cip_baseline *m)
{
    if (m == NULL)
        return;
    struct cipi_alloc a = m->a;
    for (size_t j = 0; m->names != NULL && j < m->n_coef; j++)
        cipi_afree(&a, m->names[j]);
    cipi_afree(&a, m->names);
    cipi_afree(&a, m->coef);
    cipi_afree(&a, m->classes);
    cipi_afree(&a, m->proba);
    cipi_afree(&a, m);
}
