#!/usr/bin/python3
"""synth_r2.py - how much CLV signal a customer table holds.

For each CSV given, prints the 5-fold cross-validated R^2 of a scikit-learn
RandomForestRegressor (200 trees, random_state 0) predicting purchase_amount
from age, annual_income, loyalty_score, purchase_frequency and the one-hot
region, plus the squared Pearson correlation of purchase_amount with
annual_income (the cheap proxy asserted by tests/unit/test_synth.c).
Used to choose the default --noise of `cip generate` (docs/SCHEMA.md):

    cip generate -n 5000 --seed 1 -o /tmp/n05.csv
    cip generate -n 5000 --seed 1 --noise 0 -o /tmp/n0.csv
    /usr/bin/python3 tools/synth_r2.py /tmp/n05.csv /tmp/n0.csv data/customers.csv

SPDX-License-Identifier: MIT
"""
import sys

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestRegressor
from sklearn.model_selection import KFold, cross_val_score


def score(path):
    d = pd.read_csv(path)
    x = pd.get_dummies(d[["age", "annual_income", "loyalty_score", "purchase_frequency",
                          "region"]], columns=["region"]).astype(float)
    y = d["purchase_amount"].astype(float)
    rf = RandomForestRegressor(n_estimators=200, random_state=0, n_jobs=2)
    cv = KFold(n_splits=5, shuffle=True, random_state=0)
    r2 = cross_val_score(rf, x, y, cv=cv, scoring="r2")
    r = np.corrcoef(d["annual_income"], y)[0, 1]
    return len(d), r2.mean(), r2.std(), r * r


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    print(f"{'file':40s} {'rows':>7s} {'cv R2':>7s} {'+-':>6s} {'r2(amt,inc)':>11s}")
    for path in argv[1:]:
        n, m, s, c = score(path)
        print(f"{path:40s} {n:7d} {m:7.3f} {s:6.3f} {c:11.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
