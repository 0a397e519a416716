#!/usr/bin/env bash
# forest_bench.sh - cip random forests vs scikit-learn on the same tables
#
#   bench/forest_bench.sh [BUILD_DIR] [ROWS] [FEATURES] [THREADS] [TREES] [TASKS]
#   (defaults: build/release 100000 30 2 100 "reg clf")
#
# Generates the synthetic customer tables of ../shared/bench/gen.py (seed 42;
# cached in $TMPDIR/cip-forest-bench; set CIP_SHARED_DIR if ../shared is
# elsewhere). The last 20 % of the rows are the hold-out set. Both sides fit
# TREES fully grown trees with max_features 1/3 (regression) or sqrt
# (classification) on THREADS threads (sklearn: n_jobs=THREADS), then report:
# fit seconds (wall), hold-out R^2 or ROC AUC, peak RSS of the whole process
# (/usr/bin/time -v, so it includes reading the CSV), batch prediction rows/s
# on the hold-out set, and single-row latency (mean over hold-out rows; for
# sklearn with n_jobs=1, its fastest setting for one row). One JSON line per
# implementation and task, then a summary line with the ratios.
# BUILD_DIR must be configured with -DCIP_BUILD_BENCH=ON (Release).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build/release}
rows=${2:-100000}
features=${3:-30}
threads=${4:-2}
trees=${5:-100}
tasks=${6:-reg clf}
py=/usr/bin/python3
shared=${CIP_SHARED_DIR:-$here/../shared}
work=${TMPDIR:-/tmp}/cip-forest-bench
mkdir -p "$work"

bin=$build/bench/bench_forest
[ -x "$bin" ] || { echo "forest_bench: $bin not built (configure with -DCIP_BUILD_BENCH=ON)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "forest_bench: /usr/bin/time is needed (Debian package time)" >&2; exit 2; }

# peak RSS in MB from a /usr/bin/time -v log
rss_mb() { awk '/Maximum resident set size/ {printf "%.0f", $6 / 1024}' "$1"; }

for task in $tasks; do
  data=$work/${task}_${rows}x${features}.csv
  if [ ! -s "$data" ]; then
    "$py" "$shared/bench/gen.py" --rows "$rows" --features "$features" --task "$task" \
      --seed 42 --out "$data"
  fi
  mf=""
  [ "$task" = reg ] && mf="--max-features 0.3333333333"
  # shellcheck disable=SC2086
  cip=$(/usr/bin/time -v -o "$work/cip.time" "$bin" --csv "$data" --task "$task" \
        --trees "$trees" --threads "$threads" $mf)
  cip=${cip%\}},\"peak_rss_mb\":$(rss_mb "$work/cip.time")\}
  echo "$cip"
  sk=$(/usr/bin/time -v -o "$work/sk.time" "$py" - "$data" "$task" "$trees" "$threads" <<'EOF'
import json, sys, time
import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.metrics import r2_score, roc_auc_score
path, task, trees, nt = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
df = pd.read_csv(path)
n = len(df); n_te = int(n * 0.2); n_tr = n - n_te
x = df.drop(columns="target").values
y = df["target"].values
if task == "reg":
    m = RandomForestRegressor(n_estimators=trees, max_features=1 / 3, n_jobs=nt, random_state=0)
else:
    m = RandomForestClassifier(n_estimators=trees, max_features="sqrt", n_jobs=nt, random_state=0)
t = time.perf_counter(); c = time.process_time()
m.fit(x[:n_tr], y[:n_tr])
fit_s, fit_cpu = time.perf_counter() - t, time.process_time() - c
t = time.perf_counter()
if task == "reg":
    metric = r2_score(y[n_tr:], m.predict(x[n_tr:]))
else:
    metric = roc_auc_score(y[n_tr:], m.predict_proba(x[n_tr:])[:, 1])
pred_s = time.perf_counter() - t
m.set_params(n_jobs=1)
k = min(200, n_te)
t = time.perf_counter()
for i in range(k):
    (m.predict if task == "reg" else m.predict_proba)(x[n_tr + i:n_tr + i + 1])
lat = (time.perf_counter() - t) / k * 1e6
print(json.dumps({"bench": "forest", "impl": "sklearn", "task": task, "rows": n,
                  "features": x.shape[1], "trees": trees, "threads": nt,
                  "fit_s": round(fit_s, 3), "fit_cpu_s": round(fit_cpu, 3),
                  ("r2" if task == "reg" else "auc"): round(metric, 6),
                  "predict_rows_per_s": round(n_te / pred_s),
                  "row_latency_us": round(lat, 2),
                  "nodes": int(sum(e.tree_.node_count for e in m.estimators_))}))
EOF
)
  sk=${sk%\}},\"peak_rss_mb\":$(rss_mb "$work/sk.time")\}
  echo "$sk"
  "$py" - "$cip" "$sk" <<'EOF'
import json, sys
c, s = json.loads(sys.argv[1]), json.loads(sys.argv[2])
metric = "r2" if "r2" in c else "auc"
print("forest %s %dx%d, %d trees, %d threads: fit %.1fx faster (cip %.2fs, sklearn %.2fs), "
      "%s cip %.4f sklearn %.4f (diff %+.4f), predict %.1fx (%.0f vs %.0f rows/s), "
      "one row %.1f vs %.1f us, peak RSS %d vs %d MB"
      % (c["task"], c["rows"], c["features"], c["trees"], c["threads"],
         s["fit_s"] / c["fit_s"], c["fit_s"], s["fit_s"], metric, c[metric], s[metric],
         c[metric] - s[metric], c["predict_rows_per_s"] / s["predict_rows_per_s"],
         c["predict_rows_per_s"], s["predict_rows_per_s"], c["row_latency_us"],
         s["row_latency_us"], c["peak_rss_mb"], s["peak_rss_mb"]))
EOF
done
