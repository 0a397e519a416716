# cip clv evaluate --json: the document of contract C5 (keys, method names, CDNOW values)
NEEDS_SHARED=1
ARGS=(clv evaluate --no-track "$SHARED/data/CDNOW_sample.txt" -c 1997-09-30 -e 1998-06-30
      --train-end 1997-06-30 --trees 30 --json -q)
CHECK='/usr/bin/python3 - <<PY
import json
d = json.load(open(".stdout"))
assert d["calibration_end"] == "1997-09-30" and d["holdout_end"] == "1998-06-30"
assert d["unit"] == "week" and d["customers"] == 2357
names = [m["name"] for m in d["methods"]]
assert names == ["BG/NBD", "Pareto/NBD", "Random forest", "Same as last period"], names
for m in d["methods"]:
    assert all(k in m for k in ("mae", "rmse", "corr", "aggregate_error")), m
assert abs(d["methods"][0]["mae"] - 30.4079) < 1e-3
ch = [m["name"] for m in d["churn"]["methods"]]
assert ch[0] == "P(alive) < 0.5" and "Random forest" in ch, ch
assert all("roc_auc" in m and "f1" in m for m in d["churn"]["methods"])
c = d["cumulative"]
assert len(c["t"]) == len(c["actual"]) == len(c["bgnbd"]) == 78 and c["actual"][-1] == 4339
assert abs(c["bgnbd"][-1] / 4339 - 1 + 0.0411) < 5e-4
f = d["fits"]
assert abs(f["bgnbd"]["r"] - 0.2426) < 1e-4 and abs(f["bgnbd"]["loglik"] + 9582.43) < 0.01
assert abs(f["gamma_gamma"]["p"] - 6.25) < 0.01 and "q" in f["gamma_gamma"] and "gamma" in f["gamma_gamma"]
assert d["forest"]["train_feature_end"] == "1997-06-30"
PY'
