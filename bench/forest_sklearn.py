#!/usr/bin/python3
"""forest_sklearn.py - scikit-learn side of bench/forest_bench.sh (one JSON line).

usage: forest_sklearn.py CSV reg|clf TREES THREADS [REG_MAX_FEATURES]
The last 20 % of the rows are the hold-out set; max_features REG_MAX_FEATURES (default
1/3; reg) or sqrt (clf);
fully grown trees (sklearn defaults). SPDX-License-Identifier: MIT
"""
import json
import sys
import time

import pandas as pd
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.metrics import r2_score, roc_auc_score

path, task, trees, nt = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
reg_mf = float(sys.argv[5]) if len(sys.argv) > 5 else 1 / 3
df = pd.read_csv(path)
n = len(df)
n_te = int(n * 0.2)
n_tr = n - n_te
x = df.drop(columns="target").values
y = df["target"].values
if task == "reg":
    m = RandomForestRegressor(n_estimators=trees, max_features=reg_mf, n_jobs=nt, random_state=0)
else:
    m = RandomForestClassifier(n_estimators=trees, max_features="sqrt", n_jobs=nt, random_state=0)
t, c = time.perf_counter(), time.process_time()
m.fit(x[:n_tr], y[:n_tr])
fit_s, fit_cpu = time.perf_counter() - t, time.process_time() - c
t = time.perf_counter()
pred = m.predict(x[n_tr:]) if task == "reg" else m.predict_proba(x[n_tr:])[:, 1]
pred_s = time.perf_counter() - t  # the prediction only, as bench_forest times it
metric = r2_score(y[n_tr:], pred) if task == "reg" else roc_auc_score(y[n_tr:], pred)
m.set_params(n_jobs=1)  # its fastest setting for one row
k = min(200, n_te)
f = m.predict if task == "reg" else m.predict_proba
t = time.perf_counter()
for i in range(k):
    f(x[n_tr + i:n_tr + i + 1])
lat = (time.perf_counter() - t) / k * 1e6
print(json.dumps({"bench": "forest", "impl": "sklearn", "task": task, "rows": n,
                  "features": x.shape[1], "trees": trees,
                  "mtry": int(m.estimators_[0].max_features_), "threads": nt,
                  "fit_s": round(fit_s, 3), "fit_cpu_s": round(fit_cpu, 3),
                  ("r2" if task == "reg" else "auc"): round(metric, 6),
                  "predict_rows_per_s": round(n_te / pred_s), "row_latency_us": round(lat, 2),
                  "nodes": int(sum(e.tree_.node_count for e in m.estimators_))}))
