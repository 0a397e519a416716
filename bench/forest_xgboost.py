#!/usr/bin/python3
"""forest_xgboost.py - XGBoost random-forest mode for bench/forest_bench.sh (one JSON line).

usage: forest_xgboost.py CSV reg|clf TREES THREADS [MAX_DEPTH]
One boosting round of TREES parallel trees (num_parallel_tree), learning_rate 1,
subsample 0.632 (the expected share of distinct rows in a bootstrap sample; XGBoost
samples without replacement), colsample_bynode 1/3 (reg) or sqrt(p)/p (clf),
tree_method hist, max_depth MAX_DEPTH (default 12, as in the issue's table; 0 =
unlimited, which XGBoost's hist method does not allow with depthwise growth, so
0 switches to lossguide growth). Hold-out: the last 20 % of the rows.
SPDX-License-Identifier: MIT
"""
import json
import math
import sys
import time

import pandas as pd
import xgboost as xgb
from sklearn.metrics import r2_score, roc_auc_score

path, task, trees, nt = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
depth = int(sys.argv[5]) if len(sys.argv) > 5 else 12
df = pd.read_csv(path)
n = len(df)
n_te = int(n * 0.2)
n_tr = n - n_te
x = df.drop(columns="target").values.astype("float32")
y = df["target"].values
p = x.shape[1]
params = {
    "booster": "gbtree", "tree_method": "hist", "learning_rate": 1.0,
    "num_parallel_tree": trees, "subsample": 0.632,
    "colsample_bynode": (1 / 3) if task == "reg" else math.floor(math.sqrt(p)) / p,
    "max_depth": depth, "nthread": nt, "seed": 0,
    "objective": "reg:squarederror" if task == "reg" else "binary:logistic",
}
if depth == 0:
    params["grow_policy"] = "lossguide"
t, c = time.perf_counter(), time.process_time()
dtr = xgb.DMatrix(x[:n_tr], label=y[:n_tr], nthread=nt)
m = xgb.train(params, dtr, num_boost_round=1)
fit_s, fit_cpu = time.perf_counter() - t, time.process_time() - c
t = time.perf_counter()
pred = m.inplace_predict(x[n_tr:])
pred_s = time.perf_counter() - t
metric = r2_score(y[n_tr:], pred) if task == "reg" else roc_auc_score(y[n_tr:], pred)
m.set_param({"nthread": 1})
k = min(200, n_te)
t = time.perf_counter()
for i in range(k):
    m.inplace_predict(x[n_tr + i:n_tr + i + 1])
lat = (time.perf_counter() - t) / k * 1e6
nodes = sum(1 for line in m.get_dump() for tok in line.split("\n") if tok.strip())
print(json.dumps({"bench": "forest", "impl": "xgboost", "task": task, "rows": n,
                  "features": p, "trees": trees, "threads": nt, "max_depth": depth,
                  "fit_s": round(fit_s, 3), "fit_cpu_s": round(fit_cpu, 3),
                  ("r2" if task == "reg" else "auc"): round(float(metric), 6),
                  "predict_rows_per_s": round(n_te / pred_s), "row_latency_us": round(lat, 2),
                  "nodes": nodes}))
