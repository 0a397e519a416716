/* special.c - log-beta, log-sum-exp and the Gauss hypergeometric function
 * SPDX-License-Identifier: MIT
 */
#include <math.h>

#include "clv_int.h"

double cipi_clv_lbeta(double a, double b)
{
    return lgamma(a) + lgamma(b) - lgamma(a + b);
}

double cipi_clv_logaddexp(double u, double v)
{
    if (u < v) {
        double t = u;
        u = v;
        v = t;
    }
    if (v == -CLV_INF)
        return u;
    return u + log1p(exp(v - u));
}

double cipi_clv_logsubexp(double u, double v)
{
    if (v == -CLV_INF)
        return u;
    if (!(u > v))
        return -CLV_INF;
    return u + log1p(-exp(v - u));
}

/* log of sum_k (a)_k (b)_k / ((c)_k k!) z^k for a, b, c > 0, 0 <= z < 1: all
 * terms are positive. Sum and term are rescaled to stay finite; once the term
 * ratio settles below 1 the geometric bound of the tail is added. */
static double log_series(double a, double b, double c, double z)
{
    const int max_terms = 200000;
    double sum = 1.0, term = 1.0, logscale = 0.0;
    for (int k = 0; k < max_terms; k++) {
        double ratio = (a + k) * (b + k) / ((c + k) * (k + 1.0)) * z;
        term *= ratio;
        sum += term;
        if (sum > 1e250) {
            sum *= 1e-250;
            term *= 1e-250;
            logscale += 250.0 * 2.302585092994045684;
        }
        if (ratio < 1.0 && term <= 1e-17 * sum)
            break;
        if (k == max_terms - 1 && ratio < 1.0) /* tail of a geometric-like series */
            sum += term * ratio / (1.0 - ratio);
    }
    return log(sum) + logscale;
}

double cipi_clv_log_hyp2f1(double a, double b, double c, double z)
{
    if (!(a > 0) || !(b > 0) || !(c > 0) || !(z >= 0) || !(z < 1))
        return CLV_NAN;
    if (z == 0)
        return 0.0;
    /* Euler: 2F1(a,b;c;z) = (1-z)^(c-a-b) 2F1(c-a, c-b; c; z); its series
     * decays faster when the new upper parameters are smaller */
    double ea = c - a, eb = c - b;
    if (ea > 0 && eb > 0 && ea + eb < a + b)
        return (c - a - b) * log1p(-z) + log_series(ea, eb, c, z);
    return log_series(a, b, c, z);
}
