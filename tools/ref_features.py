#!/usr/bin/python3
"""ref_features.py - reference engineered table computed with pandas/scikit-learn

Re-does the original notebook's feature engineering (shared/data/README.md)
on a raw customer CSV and writes the engineered CSV exactly as the notebook
did: to_csv(float_format='%.4f', index=False), booleans True/False.

usage: tools/ref_features.py RAW.csv OUT.csv [--churn-labels LABELS.txt]

Used to produce tests/data/features/*_expected.csv; run with /usr/bin/python3
(pandas, numpy, scikit-learn). Check: on the reference raw file the output is
byte-identical to shared/data/df_eng_customer_purchasing_features.csv.
SPDX-License-Identifier: MIT
"""
import io
import sys

import numpy as np
import pandas as pd
from sklearn.preprocessing import MinMaxScaler


def engineer(df):
    df = df.copy()
    df["region_grouped"] = df["region"].replace({"East": "North"})
    dummies = pd.get_dummies(df["region_grouped"], prefix="region").astype(bool)
    df = pd.concat([df, dummies], axis=1)
    df["spend_per_purchase"] = df["purchase_amount"] / df["purchase_frequency"]
    df["spend_to_income_ratio"] = df["purchase_amount"] / df["annual_income"]
    df["age_group"] = pd.cut(df["age"], bins=[14, 30, 45, 60, 100], right=False,
                             labels=["Young_Adult", "Adult", "Middle_Aged", "Senior"])
    df["income_bracket"] = pd.cut(df["annual_income"], bins=[0, 45000, 90000, 150000],
                                  right=False,
                                  labels=["Low_Income", "Medium_Income", "High_Income"])
    scaled = MinMaxScaler().fit_transform(
        df[["purchase_amount", "purchase_frequency", "loyalty_score"]])
    p, f, l = scaled[:, 0], scaled[:, 1], scaled[:, 2]
    df["customer_value_score"] = 0.5 * p + 0.25 * f + 0.25 * l
    df["churn_risk_score"] = 0.5 * (1 - l) + 0.5 * (1 - f)
    df["is_high_value"] = df["purchase_amount"] > df["purchase_amount"].quantile(0.75)
    df["is_loyal"] = df["loyalty_score"] > df["loyalty_score"].quantile(0.75)
    df["is_frequent"] = df["purchase_frequency"] > df["purchase_frequency"].quantile(0.75)
    df["is_champion"] = df["is_high_value"] & df["is_loyal"] & df["is_frequent"]
    df["income_percentile"] = df["annual_income"].rank(pct=True)
    df["spending_percentile"] = df["purchase_amount"].rank(pct=True)
    g = (df["income_percentile"] - df["spending_percentile"]).to_numpy().reshape(-1, 1)
    df["growth_potential_score"] = (
        MinMaxScaler(feature_range=(0, 100)).fit_transform(g).ravel().astype(int))
    df["age_adjusted_percentile"] = df.groupby("age_group")["purchase_frequency"].rank(pct=True)
    df["frequency_percentile"] = pd.qcut(df["purchase_frequency"], q=4,
                                         labels=["0-25%", "25-50%", "50-75%", "75-100%"])
    df["log_purchase_amount"] = np.log(df["purchase_amount"])
    df["log_annual_income"] = np.log(df["annual_income"])
    df["log_purchase_frequency"] = np.log(df["purchase_frequency"])
    return df


def main(argv):
    raw, out = argv[1], argv[2]
    df = engineer(pd.read_csv(raw))
    text = df.to_csv(float_format="%.4f", index=False)
    with open(out, "w", newline="") as fh:
        fh.write(text)
    if len(argv) > 4 and argv[3] == "--churn-labels":
        back = pd.read_csv(io.StringIO(text))
        thr = back["churn_risk_score"].quantile(0.75)
        labels = (back["churn_risk_score"] > thr).astype(int)
        with open(argv[4], "w") as fh:
            fh.write("# churn threshold %.17g\n" % thr)
            fh.write("".join("%d\n" % v for v in labels))


if __name__ == "__main__":
    main(sys.argv)
