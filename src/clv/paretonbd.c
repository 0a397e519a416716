/* paretonbd.c - the Pareto/NBD model (Schmittlein, Morrison & Colombo 1987)
 * in the formulation of Fader & Hardie's likelihood note: A0 through the
 * Gauss hypergeometric function, with the alpha >= beta / alpha < beta cases
 * SPDX-License-Identifier: MIT
 */
#include <math.h>

#include "clv_int.h"

/* log A0 for parameters p = {r, alpha, s, beta}:
 *   alpha >= beta: A0 = 2F1(r+s+x, s+1; r+s+x+1; (alpha-beta)/(alpha+t_x)) / (alpha+t_x)^(r+s+x)
 *                     - 2F1(r+s+x, s+1; r+s+x+1; (alpha-beta)/(alpha+T))   / (alpha+T)^(r+s+x)
 *   alpha <  beta: the same with (alpha, s+1) replaced by (beta, r+x). */
static double log_a0(const double *p, double x, double t_x, double T)
{
    const double r = p[0], al = p[1], s = p[2], be = p[3];
    const double rsx = r + s + x;
    double big, bpar, diff;
    if (al >= be) {
        big = al, bpar = s + 1, diff = al - be;
    } else {
        big = be, bpar = r + x, diff = be - al;
    }
    double u = cipi_clv_log_hyp2f1(rsx, bpar, rsx + 1, diff / (big + t_x)) - rsx * log(big + t_x);
    double v = cipi_clv_log_hyp2f1(rsx, bpar, rsx + 1, diff / (big + T)) - rsx * log(big + T);
    return cipi_clv_logsubexp(u, v);
}

/* L = G(r+x) alpha^r beta^s / G(r) [1/((alpha+T)^(r+x) (beta+T)^s) + s/(r+s+x) A0] */
double cipi_clv_pareto_ll1(const double *p, double x, double t_x, double T)
{
    const double r = p[0], al = p[1], s = p[2], be = p[3];
    double head = lgamma(r + x) - lgamma(r) + r * log(al) + s * log(be);
    double alive = -(r + x) * log(al + T) - s * log(be + T);
    double dead = log(s / (r + s + x)) + log_a0(p, x, t_x, T);
    return head + cipi_clv_logaddexp(alive, dead);
}

double cipi_clv_pareto_p_alive(const double *p, double x, double t_x, double T)
{
    const double r = p[0], al = p[1], s = p[2], be = p[3];
    double lo =
        log(s / (r + s + x)) + (r + x) * log(al + T) + s * log(be + T) + log_a0(p, x, t_x, T);
    return 1.0 / (1.0 + exp(lo));
}

/* (beta+T)/(s-1) [1 - ((beta+T)/(beta+T+t))^(s-1)], with its limit at s = 1 */
static double life_factor(double s, double bt, double t)
{
    double l = log(bt / (bt + t));
    if (fabs(s - 1) < 1e-10)
        return -bt * l;
    return bt / (s - 1) * -expm1((s - 1) * l);
}

/* E[X(t)] = r beta / (alpha (s-1)) [1 - (beta/(beta+t))^(s-1)] */
double cipi_clv_pareto_expected(const double *p, double t)
{
    if (!(t >= 0))
        return CLV_NAN;
    return p[0] / p[1] * life_factor(p[2], p[3], t);
}

/* E[Y(t) | x, t_x, T] = (r+x)(beta+T)/((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)] P(alive)
 */
double cipi_clv_pareto_conditional(const double *p, double t, double x, double t_x, double T)
{
    if (!(t >= 0) || !(x >= 0) || !(T >= t_x))
        return CLV_NAN;
    double e = (p[0] + x) / (p[1] + T) * life_factor(p[2], p[3] + T, t);
    return e * cipi_clv_pareto_p_alive(p, x, t_x, T);
}
