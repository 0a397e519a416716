/* logistic.c - binary L2 logistic regression by Newton's method
 *
 * Minimises f(c, b) = 0.5 |c|^2 + C sum_i w_i [log(1 + e^{z_i}) - t_i z_i] with
 * z_i = b + x_i . c and t_i = 1 for the larger class: scikit-learn's
 * LogisticRegression(penalty="l2") objective with an unpenalised intercept.
 * The objective is smooth and strictly convex in c; Newton steps (Cholesky on
 * the Hessian) with Armijo backtracking converge quadratically, so iterating to
 * a relative gradient of 1e-12 costs a handful of iterations and lands on the
 * optimum that sklearn's L-BFGS approaches within its own tolerance.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "baseline_int.h"

double cipi_baseline_sigmoid(double z)
{
    if (z >= 0.0)
        return 1.0 / (1.0 + exp(-z));
    double e = exp(z);
    return e / (1.0 + e);
}

/* log(1 + e^z) without overflow. */
static double softplus(double z)
{
    return z > 0.0 ? z + log1p(exp(-z)) : log1p(exp(z));
}

struct lr {
    const double *x; /* design, column-major n x p */
    const double *t; /* 0/1 targets */
    const double *w; /* weights or NULL */
    size_t n, p;     /* sizes */
    double C;        /* inverse penalty */
    double *z;       /* scratch: linear predictor per row */
};

/* theta = (c_0..c_{p-1}, b). Fills lr->z. */
static double objective(const struct lr *m, const double *theta)
{
    double pen = 0.0, loss = 0.0;
    for (size_t j = 0; j < m->p; j++)
        pen += theta[j] * theta[j];
    for (size_t i = 0; i < m->n; i++)
        m->z[i] = theta[m->p];
    for (size_t j = 0; j < m->p; j++)
        for (size_t i = 0; i < m->n; i++)
            m->z[i] += theta[j] * m->x[j * m->n + i];
    for (size_t i = 0; i < m->n; i++)
        loss += (m->w ? m->w[i] : 1.0) * (softplus(m->z[i]) - m->t[i] * m->z[i]);
    return 0.5 * pen + m->C * loss;
}

/* Gradient g[p+1] and Hessian h[(p+1)^2] (lower triangle) at the z of the last
 * objective() call; returns max |g|. r is scratch of n. */
static double grad_hess(const struct lr *m, const double *theta, double *g, double *h, double *r,
                        double *s)
{
    size_t p = m->p, q = p + 1, n = m->n;
    for (size_t i = 0; i < n; i++) {
        double sg = cipi_baseline_sigmoid(m->z[i]), wi = m->w ? m->w[i] : 1.0;
        r[i] = m->C * wi * (sg - m->t[i]);
        s[i] = m->C * wi * sg * (1.0 - sg);
    }
    double gmax = 0.0;
    for (size_t a = 0; a < q; a++) {
        const double *xa = a < p ? m->x + a * n : NULL;
        double ga = a < p ? theta[a] : 0.0;
        for (size_t i = 0; i < n; i++)
            ga += r[i] * (xa ? xa[i] : 1.0);
        g[a] = ga;
        gmax = fabs(ga) > gmax ? fabs(ga) : gmax;
        for (size_t b = 0; b <= a; b++) {
            const double *xb = b < p ? m->x + b * n : NULL;
            double hab = (a == b && a < p) ? 1.0 : 0.0;
            for (size_t i = 0; i < n; i++)
                hab += s[i] * (xa ? xa[i] : 1.0) * (xb ? xb[i] : 1.0);
            h[a * q + b] = hab;
        }
    }
    return gmax;
}

/* Backtracking line search along d from theta (objective f0, slope gd < 0);
 * theta is updated. Returns the new objective, or f0 when no step decreases it. */
static double line_search(const struct lr *m, double *theta, const double *d, double *trial,
                          double f0, double gd)
{
    size_t q = m->p + 1;
    for (double step = 1.0; step > 1e-12; step *= 0.5) {
        for (size_t a = 0; a < q; a++)
            trial[a] = theta[a] + step * d[a];
        double f = objective(m, trial);
        if (f <= f0 + 1e-4 * step * gd) {
            memcpy(theta, trial, q * sizeof *theta);
            return f;
        }
    }
    objective(m, theta); /* restore z */
    return f0;
}

static cip_status newton(cip_ctx *ctx, const struct lr *m, const cip_baseline_params *prm,
                         double *theta, double *work, int *iters)
{
    size_t q = m->p + 1, n = m->n;
    double *g = work, *d = g + q, *trial = d + q, *r = trial + q, *s = r + n, *h = s + n;
    double wsum = 0.0;
    for (size_t i = 0; i < n; i++)
        wsum += m->w ? m->w[i] : 1.0;
    double f = objective(m, theta), limit = prm->tol * (1.0 + m->C * wsum);
    int it = 0;
    for (; it < prm->max_iter; it++) {
        if (grad_hess(m, theta, g, h, r, s) <= limit)
            break;
        if (!cipi_baseline_cholesky(h, q))
            return cipi_fail(ctx, CIP_ERR_INVALID,
                             "logistic: the Hessian is not positive definite (degenerate data)");
        double gd = 0.0;
        for (size_t a = 0; a < q; a++)
            d[a] = -g[a];
        cipi_baseline_chol_solve(h, q, d);
        for (size_t a = 0; a < q; a++)
            gd += g[a] * d[a];
        double fn = line_search(m, theta, d, trial, f, gd);
        if (fn == f && it > 0)
            break; /* at the optimum to rounding: no step helps */
        f = fn;
    }
    if (it == prm->max_iter)
        cipi_log(ctx, CIP_LOG_WARN, "logistic: Newton stopped after %d iterations", it);
    *iters = it;
    return CIP_OK;
}

cip_status cipi_baseline_fit_logistic(cip_ctx *ctx, double *x, size_t n, size_t p, const double *y,
                                      const double *w, const cip_baseline_params *prm,
                                      cip_baseline *m)
{
    size_t q = p + 1, work_n;
    /* work: g, d, trial (q each), r, s (n each), h (q*q). */
    if (!cipi_mul_ok(q, q, &work_n) || work_n > SIZE_MAX - 3 * q - 2 * n)
        return cipi_fail(ctx, CIP_ERR_LIMIT, "logistic: too many columns (%zu)", p);
    work_n += 3 * q + 2 * n;
    double *work = cipi_mallocarray(ctx, work_n, sizeof *work);
    double *theta = cipi_calloc(ctx, q, sizeof *theta);
    double *t = cipi_mallocarray(ctx, n ? n : 1, sizeof *t);
    double *z = cipi_mallocarray(ctx, n ? n : 1, sizeof *z);
    double *mu = cipi_calloc(ctx, q, sizeof *mu);
    double *sc = cipi_calloc(ctx, q, sizeof *sc);
    cip_status rc = CIP_ERR_NOMEM;
    if (work == NULL || theta == NULL || t == NULL || z == NULL || mu == NULL || sc == NULL)
        goto done;
    for (size_t i = 0; i < n; i++)
        t[i] = y[i] == m->classes[1] ? 1.0 : 0.0;
    if (prm->standardize)
        cipi_baseline_standardize(x, n, p, mu, sc);
    struct lr lr = {x, t, w, n, p, prm->C, z};
    rc = newton(ctx, &lr, prm, theta, work, &m->n_iter);
    if (rc != CIP_OK)
        goto done;
    memcpy(m->coef, theta, p * sizeof *theta);
    m->intercept = theta[p];
    if (prm->standardize)
        for (size_t j = 0; j < p; j++) {
            m->coef[j] /= sc[j];
            m->intercept -= m->coef[j] * mu[j];
        }
done:
    cipi_free(ctx, work);
    cipi_free(ctx, theta);
    cipi_free(ctx, t);
    cipi_free(ctx, z);
    cipi_free(ctx, mu);
    cipi_free(ctx, sc);
    return rc;
}
