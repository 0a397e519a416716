#!/usr/bin/python3
"""ref_clv.py - reference Pareto/NBD log-likelihoods for tests/unit/test_clv.c

Evaluates Fader & Hardie's Pareto/NBD likelihood (A0 via 2F1, both the
alpha >= beta and alpha < beta forms) at 30 significant digits with mpmath, in
extreme regimes where the hypergeometric argument is close to 1. The printed
sums are pasted into test_clv_pareto_extreme_regimes_match_mpmath.
SPDX-License-Identifier: MIT
"""
from mpmath import gamma, hyp2f1, log, mp, mpf

mp.dps = 30


def ll(r, al, s, be, x, tx, T):
    rsx = r + s + x
    if al >= be:
        F = lambda y: hyp2f1(rsx, s + 1, rsx + 1, (al - be) / (al + y)) / (al + y) ** rsx
    else:
        F = lambda y: hyp2f1(rsx, r + x, rsx + 1, (be - al) / (be + y)) / (be + y) ** rsx
    a0 = F(tx) - F(T)
    return log(gamma(r + x) * al**r * be**s / gamma(r)
               * (1 / ((al + T) ** (r + x) * (be + T) ** s) + s / rsx * a0))


ROWS = [(0, 0, 10), (1, "0.001", 50), (5, 3, 60)]
for params in [("0.5", 200, "0.8", "0.01"), ("0.5", "0.01", "0.8", 200)]:
    p = [mpf(v) for v in params]
    print(params, mp.nstr(sum(ll(*p, *map(mpf, t)) for t in ROWS), 20))
