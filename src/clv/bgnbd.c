/* bgnbd.c - the BG/NBD model (Fader, Hardie & Lee 2005): log-likelihood,
 * expected purchases, conditional expectation and P(alive)
 * SPDX-License-Identifier: MIT
 */
#include <math.h>

#include "clv_int.h"

/* Parameters p = {r, alpha, a, b}.
 * L = B(a, b+x)/B(a,b) G(r+x) alpha^r / (G(r) (alpha+T)^(r+x))
 *   + [x > 0] B(a+1, b+x-1)/B(a,b) G(r+x) alpha^r / (G(r) (alpha+t_x)^(r+x)) */
double cipi_clv_bgnbd_ll1(const double *p, double x, double t_x, double T)
{
    const double r = p[0], al = p[1], a = p[2], b = p[3];
    double lb = cipi_clv_lbeta(a, b);
    double head = lgamma(r + x) - lgamma(r) + r * log(al);
    double t1 = cipi_clv_lbeta(a, b + x) - lb - (r + x) * log(al + T);
    if (x <= 0)
        return head + t1;
    double t2 = cipi_clv_lbeta(a + 1, b + x - 1) - lb - (r + x) * log(al + t_x);
    return head + cipi_clv_logaddexp(t1, t2);
}

/* E[X(t)] = (a+b-1)/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))] */
double cipi_clv_bgnbd_expected(const double *p, double t)
{
    const double r = p[0], al = p[1], a = p[2], b = p[3];
    if (!(t >= 0))
        return CLV_NAN;
    if (t == 0)
        return 0.0;
    double z = t / (al + t);
    double lf = cipi_clv_log_hyp2f1(r, b, a + b - 1, z);
    return (a + b - 1) / (a - 1) * -expm1(r * log(al / (al + t)) + lf);
}

/* log of a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x), the odds of having dropped out */
static double log_death_odds(const double *p, double x, double t_x, double T)
{
    const double r = p[0], al = p[1], a = p[2], b = p[3];
    return log(a / (b + x - 1)) + (r + x) * (log(al + T) - log(al + t_x));
}

double cipi_clv_bgnbd_p_alive(const double *p, double x, double t_x, double T)
{
    if (x <= 0)
        return 1.0;
    return 1.0 / (1.0 + exp(log_death_odds(p, x, t_x, T)));
}

/* E[Y(t) | x, t_x, T] = (a+b+x-1)/(a-1)
 *   [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t))] P(alive) */
double cipi_clv_bgnbd_conditional(const double *p, double t, double x, double t_x, double T)
{
    const double r = p[0], al = p[1], a = p[2], b = p[3];
    if (!(t >= 0) || !(x >= 0) || !(T >= t_x))
        return CLV_NAN;
    if (t == 0)
        return 0.0;
    double z = t / (al + T + t);
    double lf = cipi_clv_log_hyp2f1(r + x, b + x, a + b + x - 1, z);
    double e = (a + b + x - 1) / (a - 1) * -expm1((r + x) * log((al + T) / (al + T + t)) + lf);
    return e * cipi_clv_bgnbd_p_alive(p, x, t_x, T);
}

/* P(X(t) = x) = B(a, b+x)/B(a,b) G(r+x)/(G(r) x!) (alpha/(alpha+t))^r (t/(alpha+t))^x
 *   + [x > 0] B(a+1, b+x-1)/B(a,b)
 *     [1 - (alpha/(alpha+t))^r sum_{j<x} G(r+j)/(G(r) j!) (t/(alpha+t))^j] */
double cipi_clv_bgnbd_pmf(const double *p, double x, double t)
{
    const double r = p[0], al = p[1], a = p[2], b = p[3];
    if (!(x >= 0) || x != floor(x) || !(t > 0))
        return x == 0 && t == 0 ? 1.0 : CLV_NAN;
    double lb = cipi_clv_lbeta(a, b), lq = log(al / (al + t)), lz = log(t / (al + t));
    double p1 = exp(cipi_clv_lbeta(a, b + x) - lb + lgamma(r + x) - lgamma(r) - lgamma(x + 1) +
                    r * lq + x * lz);
    if (x == 0)
        return p1;
    double sum = 0;
    for (double j = 0; j < x; j++)
        sum += exp(lgamma(r + j) - lgamma(r) - lgamma(j + 1) + j * lz);
    return p1 + exp(cipi_clv_lbeta(a + 1, b + x - 1) - lb) * (1 - exp(r * lq) * sum);
}
