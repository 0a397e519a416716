/* stats.c - drift statistics: PSI, Kolmogorov distribution, incomplete gamma, Jensen-Shannon
 *
 * Kolmogorov tail: Q(l) = 2 sum_{j>=1} (-1)^(j-1) exp(-2 j^2 l^2) for l >= 1.18, and the
 * equivalent theta-function form 1 - sqrt(2 pi)/l sum exp(-(2j-1)^2 pi^2 / (8 l^2)) below,
 * where the alternating series converges slowly. Two-sample p-value with Stephens'
 * small-sample correction: Q((sqrt(ne) + 0.12 + 0.11 / sqrt(ne)) D), ne = n m / (n + m).
 * Incomplete gamma: power series for x < a + 1, Lentz continued fraction otherwise.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>

#include "monitor_int.h"

static const double k_pi = 3.14159265358979323846;

double cip_psi(const double *ref, const double *cur, size_t k, double eps)
{
    double s = 0, den = 1 + (double)k * eps;
    for (size_t i = 0; i < k; i++) {
        double r = (ref[i] + eps) / den, c = (cur[i] + eps) / den;
        s += (c - r) * log(c / r);
    }
    return s;
}

double cip_kolmogorov_q(double l)
{
    if (!(l > 0))
        return 1.0;
    if (l < 1.18) {
        if (l < 0.2)
            return 1.0;
        double s = 0, f = -k_pi * k_pi / (8 * l * l);
        for (int j = 1; j <= 9; j += 2)
            s += exp(f * j * j);
        double p = 1 - sqrt(2 * k_pi) / l * s;
        return p < 0 ? 0 : p > 1 ? 1 : p;
    }
    double s = 0, sign = 1;
    for (int j = 1; j <= 100; j++) {
        double t = exp(-2.0 * j * j * l * l);
        s += sign * t;
        sign = -sign;
        if (t < 1e-17)
            break;
    }
    double p = 2 * s;
    return p < 0 ? 0 : p > 1 ? 1 : p;
}

double cip_ks_pvalue(double d, double n, double m)
{
    if (!(n > 0 && m > 0) || isnan(d))
        return MON_NAN;
    double en = sqrt(n * m / (n + m));
    return cip_kolmogorov_q((en + 0.12 + 0.11 / en) * d);
}

static double gamma_p_series(double a, double x)
{
    double ap = a, del = 1 / a, sum = del;
    for (int i = 0; i < 10000; i++) {
        ap += 1;
        del *= x / ap;
        sum += del;
        if (fabs(del) < fabs(sum) * 1e-16)
            break;
    }
    return sum * exp(-x + a * log(x) - lgamma(a));
}

static double gamma_q_cf(double a, double x)
{
    const double tiny = 1e-300;
    double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
    for (int i = 1; i < 10000; i++) {
        double an = -i * (i - a);
        b += 2;
        d = an * d + b;
        if (fabs(d) < tiny)
            d = tiny;
        c = b + an / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < 1e-16)
            break;
    }
    return exp(-x + a * log(x) - lgamma(a)) * h;
}

double cip_gamma_q(double a, double x)
{
    if (isnan(a) || isnan(x) || a <= 0)
        return MON_NAN;
    if (x <= 0)
        return 1.0;
    if (isinf(x))
        return 0.0;
    if (x < a + 1)
        return 1 - gamma_p_series(a, x);
    return gamma_q_cf(a, x);
}

double cip_js_divergence(const double *p, const double *q, size_t k)
{
    double s = 0;
    for (size_t i = 0; i < k; i++) {
        double m = 0.5 * (p[i] + q[i]);
        if (p[i] > 0)
            s += 0.5 * p[i] * log2(p[i] / m);
        if (q[i] > 0)
            s += 0.5 * q[i] * log2(q[i] / m);
    }
    return s < 0 ? 0 : s > 1 ? 1 : s;
}
