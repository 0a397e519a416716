#!/usr/bin/python3
"""ref_train.py - scikit-learn 1.2 figures for `cip train` over several split seeds.

The reference project used train_test_split(random_state=42); cip's splitter draws
different rows for the same seed, so single-seed figures are compared through the
spread over seeds. Prints, per task and seed, sklearn's test metrics with the
reference feature sets and grids (GridSearchCV cv=5, RandomForest random_state=42).
Usage: tools/ref_train.py [../shared/data/df_eng_customer_purchasing_features.csv] [seeds...]
Environment: TASKS=clv_production,clv_original,churn_production (default: all three).
"""
import json
import os
import statistics
import sys

import pandas as pd
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.metrics import f1_score, precision_score, r2_score, roc_auc_score
from sklearn.model_selection import GridSearchCV, train_test_split

PATH = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/df_eng_customer_purchasing_features.csv"
SEEDS = [int(s) for s in sys.argv[2:]] or [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 42]
CLV_PROD = ["age", "annual_income", "spend_to_income_ratio", "region_North", "region_South", "region_West"]
CLV_ORIG = CLV_PROD + ["loyalty_score", "age_adjusted_percentile", "growth_potential_score"]
CHURN_PROD = ["age", "annual_income", "spend_to_income_ratio", "purchase_frequency",
              "region_North", "region_South", "region_West"]
G_PROD = {"n_estimators": [50, 100], "max_depth": [5, 10], "min_samples_split": [10, 20],
          "min_samples_leaf": [5, 10], "max_features": ["sqrt", 0.5]}
G_ORIG = {"n_estimators": [100, 200], "max_depth": [10, 15, None], "min_samples_split": [2, 5],
          "min_samples_leaf": [1, 2]}

df = pd.read_csv(PATH)
y_clv = df["purchase_amount"]
y_churn = (df["churn_risk_score"] > df["churn_risk_score"].quantile(0.75)).astype(int)
out = {}
for name, feats, grid, task in [("clv_production", CLV_PROD, G_PROD, "clv"),
                                ("clv_original", CLV_ORIG, G_ORIG, "clv"),
                                ("churn_production", CHURN_PROD, dict(G_PROD, class_weight=["balanced"]), "churn")]:
    if name not in os.environ.get("TASKS", name).split(","):
        continue
    res = {}
    for s in SEEDS:
        X = df[feats]
        if task == "clv":
            xtr, xte, ytr, yte = train_test_split(X, y_clv, test_size=0.2, random_state=s)
            gs = GridSearchCV(RandomForestRegressor(random_state=42), grid, cv=5, scoring="r2")
            gs.fit(xtr, ytr)
            res[s] = {"test_r2": r2_score(yte, gs.predict(xte))}
        else:
            xtr, xte, ytr, yte = train_test_split(X, y_churn, test_size=0.2, random_state=s,
                                                  stratify=y_churn)
            gs = GridSearchCV(RandomForestClassifier(random_state=42), grid, cv=5, scoring="f1")
            gs.fit(xtr, ytr)
            p = gs.predict(xte)
            res[s] = {"test_f1": f1_score(yte, p), "precision": precision_score(yte, p),
                      "roc_auc": roc_auc_score(yte, gs.predict_proba(xte)[:, 1])}
        print(name, s, json.dumps(res[s]), flush=True)
    keys = next(iter(res.values())).keys()
    for k in keys:
        v = [res[s][k] for s in SEEDS if s != 42]
        if v:
            print(name, "mean over seeds != 42", k, statistics.mean(v), "sd", statistics.pstdev(v))
    out[name] = res
