/* gammagamma.c - the Gamma-Gamma model of monetary value (Fader & Hardie 2013)
 * SPDX-License-Identifier: MIT
 */
#include <math.h>

#include "clv_int.h"

/* Density of the mean zbar of x repeat spends, p = {p, q, gamma}:
 * G(px+q)/(G(px) G(q)) gamma^q zbar^(px-1) x^(px) / (gamma + x zbar)^(px+q) */
double cipi_clv_gg_ll1(const double *p, double x, double zbar)
{
    const double pp = p[0], q = p[1], g = p[2];
    const double px = pp * x;
    return lgamma(px + q) - lgamma(px) - lgamma(q) + q * log(g) + (px - 1) * log(zbar) +
           px * log(x) - (px + q) * log(g + x * zbar);
}

double cip_clv_expected_spend(const cip_clv_model *gg, double x, double zbar)
{
    if (gg == NULL || gg->kind != CIP_CLV_GAMMAGAMMA || !(x >= 0))
        return CLV_NAN;
    const double pp = gg->param[0], q = gg->param[1], g = gg->param[2];
    if (!(q > 1))
        return CLV_NAN;
    if (x == 0)
        return g * pp / (q - 1);
    return (g + x * zbar) * pp / (pp * x + q - 1);
}
