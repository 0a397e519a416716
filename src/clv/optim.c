/* optim.c - a small robust minimiser: Nelder-Mead (restarted once) followed by
 * a BFGS polish with central-difference gradients; numerical Hessians and a
 * Gauss-Jordan inverse for standard errors
 * SPDX-License-Identifier: MIT
 */
#include <float.h>
#include <math.h>
#include <string.h>

#include "clv_int.h"

enum { KMAX = 4 };

static double eval(cipi_clv_objfn f, void *ud, const double *t)
{
    double v = f(ud, t);
    return isfinite(v) ? v : DBL_MAX;
}

/* One Nelder-Mead run from theta with initial step; returns the best value. */
static double nelder_mead(cipi_clv_objfn f, void *ud, int k, double *theta, double step,
                          int max_iter, double tol, int *iters)
{
    double sx[KMAX + 1][KMAX], fv[KMAX + 1], c[KMAX], xr[KMAX], xe[KMAX];
    for (int i = 0; i <= k; i++) {
        memcpy(sx[i], theta, sizeof(double) * (size_t)k);
        if (i > 0)
            sx[i][i - 1] += step;
        fv[i] = eval(f, ud, sx[i]);
    }
    int it;
    for (it = 0; it < max_iter; it++) {
        /* order: best first (insertion sort on k+1 points) */
        for (int i = 1; i <= k; i++)
            for (int j = i; j > 0 && fv[j] < fv[j - 1]; j--) {
                double tf = fv[j], tx[KMAX];
                memcpy(tx, sx[j], sizeof tx);
                fv[j] = fv[j - 1];
                memcpy(sx[j], sx[j - 1], sizeof tx);
                fv[j - 1] = tf;
                memcpy(sx[j - 1], tx, sizeof tx);
            }
        double spread = 0;
        for (int i = 1; i <= k; i++)
            for (int d = 0; d < k; d++)
                spread = fmax(spread, fabs(sx[i][d] - sx[0][d]));
        if (fv[k] - fv[0] <= tol * (fabs(fv[0]) + tol) && spread < 1e-7)
            break;
        for (int d = 0; d < k; d++) {
            c[d] = 0;
            for (int i = 0; i < k; i++)
                c[d] += sx[i][d] / k;
        }
        for (int d = 0; d < k; d++)
            xr[d] = c[d] + (c[d] - sx[k][d]);
        double fr = eval(f, ud, xr);
        if (fr < fv[0]) {
            for (int d = 0; d < k; d++)
                xe[d] = c[d] + 2 * (c[d] - sx[k][d]);
            double fe = eval(f, ud, xe);
            bool use_e = fe < fr;
            memcpy(sx[k], use_e ? xe : xr, sizeof(double) * (size_t)k);
            fv[k] = use_e ? fe : fr;
        } else if (fr < fv[k - 1]) {
            memcpy(sx[k], xr, sizeof(double) * (size_t)k);
            fv[k] = fr;
        } else {
            bool outside = fr < fv[k];
            for (int d = 0; d < k; d++)
                xe[d] = outside ? c[d] + 0.5 * (xr[d] - c[d]) : c[d] + 0.5 * (sx[k][d] - c[d]);
            double fc = eval(f, ud, xe);
            if (fc < (outside ? fr : fv[k])) {
                memcpy(sx[k], xe, sizeof(double) * (size_t)k);
                fv[k] = fc;
            } else { /* shrink towards the best point */
                for (int i = 1; i <= k; i++) {
                    for (int d = 0; d < k; d++)
                        sx[i][d] = sx[0][d] + 0.5 * (sx[i][d] - sx[0][d]);
                    fv[i] = eval(f, ud, sx[i]);
                }
            }
        }
    }
    int best = 0;
    for (int i = 1; i <= k; i++)
        if (fv[i] < fv[best])
            best = i;
    memcpy(theta, sx[best], sizeof(double) * (size_t)k);
    *iters += it;
    return fv[best];
}

static void gradient(cipi_clv_objfn f, void *ud, int k, const double *t, double *g)
{
    const double h = 1e-5;
    double tt[KMAX];
    memcpy(tt, t, sizeof(double) * (size_t)k);
    for (int d = 0; d < k; d++) {
        tt[d] = t[d] + h;
        double fp = eval(f, ud, tt);
        tt[d] = t[d] - h;
        double fm = eval(f, ud, tt);
        tt[d] = t[d];
        g[d] = (fp - fm) / (2 * h);
    }
}

static double gmax(int k, const double *g)
{
    double m = 0;
    for (int d = 0; d < k; d++)
        m = fmax(m, fabs(g[d]));
    return m;
}

/* BFGS with Armijo backtracking; returns the final value. */
static double bfgs(cipi_clv_objfn f, void *ud, int k, double *t, double fx, int max_iter,
                   const double *h0, int *iters, int *converged)
{
    double H[KMAX][KMAX] = {{0}}, g[KMAX], gn[KMAX], dir[KMAX], tn[KMAX], sv[KMAX], yv[KMAX];
    for (int d = 0; d < k; d++)
        for (int e = 0; e < k; e++)
            H[d][e] = h0 ? h0[d * k + e] : d == e;
    gradient(f, ud, k, t, g);
    int it;
    for (it = 0; it < max_iter && gmax(k, g) > 1e-9; it++) {
        double slope = 0;
        for (int i = 0; i < k; i++) {
            dir[i] = 0;
            for (int j = 0; j < k; j++)
                dir[i] -= H[i][j] * g[j];
            slope += dir[i] * g[i];
        }
        if (slope >= 0) { /* not a descent direction: reset to steepest descent */
            memset(H, 0, sizeof H);
            for (int d = 0; d < k; d++)
                H[d][d] = 1, dir[d] = -g[d];
            slope = -gmax(k, g) * gmax(k, g);
        }
        double step = 1, fn = DBL_MAX;
        for (int ls = 0; ls < 40; ls++, step *= 0.5) {
            for (int d = 0; d < k; d++)
                tn[d] = t[d] + step * dir[d];
            fn = eval(f, ud, tn);
            if (fn <= fx + 1e-4 * step * slope)
                break;
        }
        if (!(fn < fx))
            break;
        gradient(f, ud, k, tn, gn);
        double sy = 0;
        for (int d = 0; d < k; d++) {
            sv[d] = tn[d] - t[d];
            yv[d] = gn[d] - g[d];
            sy += sv[d] * yv[d];
        }
        if (sy > 1e-300) { /* H <- (I - rho s y') H (I - rho y s') + rho s s' */
            double rho = 1 / sy, Hy[KMAX], yHy = 0;
            for (int i = 0; i < k; i++) {
                Hy[i] = 0;
                for (int j = 0; j < k; j++)
                    Hy[i] += H[i][j] * yv[j];
                yHy += yv[i] * Hy[i];
            }
            for (int i = 0; i < k; i++)
                for (int j = 0; j < k; j++)
                    H[i][j] += -rho * (Hy[i] * sv[j] + sv[i] * Hy[j]) +
                               (rho * rho * yHy + rho) * sv[i] * sv[j];
        }
        bool stalled = fx - fn <= 1e-15 * fabs(fx);
        memcpy(t, tn, sizeof(double) * (size_t)k);
        memcpy(g, gn, sizeof(double) * (size_t)k);
        fx = fn;
        if (stalled) /* no progress at double precision: numerical gradient noise */
            break;
    }
    *iters += it;
    *converged = gmax(k, g) < 1e-5;
    return fx;
}

double cipi_clv_minimize(cipi_clv_objfn f, void *ud, int k, double *theta, struct cipi_clv_opt *o)
{
    o->iterations = 0;
    o->converged = 0;
    double fx = eval(f, ud, theta);
    if (o->max_iter > 0) {
        fx = nelder_mead(f, ud, k, theta, 0.5, o->max_iter, o->tol, &o->iterations);
        fx = nelder_mead(f, ud, k, theta, 0.05, o->max_iter, o->tol, &o->iterations);
    }
    return bfgs(f, ud, k, theta, fx, 200, o->h0, &o->iterations, &o->converged);
}

void cipi_clv_hessian(cipi_clv_objfn f, void *ud, int k, const double *theta, double *h)
{
    const double e = 1e-4;
    double t[KMAX];
    memcpy(t, theta, sizeof(double) * (size_t)k);
    double f0 = eval(f, ud, t);
    for (int i = 0; i < k; i++) {
        t[i] = theta[i] + e;
        double fp = eval(f, ud, t);
        t[i] = theta[i] - e;
        double fm = eval(f, ud, t);
        t[i] = theta[i];
        h[i * k + i] = (fp - 2 * f0 + fm) / (e * e);
        for (int j = 0; j < i; j++) {
            double s[4];
            for (int q = 0; q < 4; q++) {
                t[i] = theta[i] + ((q & 1) ? -e : e);
                t[j] = theta[j] + ((q & 2) ? -e : e);
                s[q] = eval(f, ud, t);
            }
            t[i] = theta[i];
            t[j] = theta[j];
            h[i * k + j] = h[j * k + i] = (s[0] - s[1] - s[2] + s[3]) / (4 * e * e);
        }
    }
}

bool cipi_clv_invert(int k, double *m)
{
    double a[KMAX][2 * KMAX];
    for (int i = 0; i < k; i++)
        for (int j = 0; j < 2 * k; j++)
            a[i][j] = j < k ? m[i * k + j] : (j - k == i);
    for (int c = 0; c < k; c++) {
        int piv = c;
        for (int i = c + 1; i < k; i++)
            if (fabs(a[i][c]) > fabs(a[piv][c]))
                piv = i;
        if (!(fabs(a[piv][c]) > 1e-300))
            return false;
        for (int j = 0; j < 2 * k; j++) {
            double tmp = a[c][j];
            a[c][j] = a[piv][j];
            a[piv][j] = tmp;
        }
        double d = a[c][c];
        for (int j = 0; j < 2 * k; j++)
            a[c][j] /= d;
        for (int i = 0; i < k; i++)
            if (i != c) {
                double fct = a[i][c];
                for (int j = 0; j < 2 * k; j++)
                    a[i][j] -= fct * a[c][j];
            }
    }
    for (int i = 0; i < k; i++)
        for (int j = 0; j < k; j++)
            m[i * k + j] = a[i][k + j];
    return true;
}
