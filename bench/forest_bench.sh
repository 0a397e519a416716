#!/usr/bin/env bash
# forest_bench.sh - cip random forests vs scikit-learn, ranger and XGBoost on the same tables
#
#   bench/forest_bench.sh [BUILD_DIR] [ROWS] [FEATURES] [THREADS] [TREES] [TASKS] [IMPLS]
#   (defaults: build/release 100000 30 2 100 "reg clf" "cip sklearn ranger xgboost")
#
# Generates the synthetic customer tables of ../shared/bench/gen.py (seed 42;
# cached in $TMPDIR/cip-forest-bench; set CIP_SHARED_DIR if ../shared is
# elsewhere). The last 20 % of the rows are the hold-out set. Every
# implementation fits TREES trees on THREADS threads:
#   cip      bench/bench_forest: fully grown, max_features 1/3 (reg) or sqrt (clf)
#   sklearn  bench/forest_sklearn.py: the same settings (n_jobs=THREADS)
#   ranger   bench/forest_ranger.R: the same settings (min.node.size 1; probability
#            forest for clf)
#   xgboost  bench/forest_xgboost.py: RF mode, one round of TREES parallel trees,
#            learning_rate 1, subsample 0.632, colsample_bynode 1/3 or sqrt(p)/p,
#            tree_method hist, max_depth $XGB_DEPTH (default 12, as the issue's table)
# For each it prints one JSON line: fit seconds (wall and CPU), hold-out R^2 or
# ROC AUC, peak RSS of the whole process (/usr/bin/time -v, so it includes
# reading the CSV), batch prediction rows/s on the hold-out set, single-row
# latency, and the load average (uptime) just before the run, since the
# machine may be shared. Then one summary line per task with every
# implementation side by side as ratios to cip (fit time, predict rows/s,
# RSS) and the score difference. Ratios from one run are what to compare.
# BUILD_DIR must be configured with -DCIP_BUILD_BENCH=ON (Release).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build/release}
rows=${2:-100000}
features=${3:-30}
threads=${4:-2}
trees=${5:-100}
tasks=${6:-reg clf}
impls=${7:-cip sklearn ranger xgboost}
xgb_depth=${XGB_DEPTH:-12}
# REG_MAX_FEATURES: the regression forests' max_features for cip and scikit-learn (default
# 1/3 to the last digit; 1.0 is scikit-learn's default). ranger and xgboost keep 1/3: the
# summary warns when the features per split differ.
reg_mf=${REG_MAX_FEATURES:-0.3333333333333333}
py=/usr/bin/python3
shared=${CIP_SHARED_DIR:-$here/../shared}
work=${TMPDIR:-/tmp}/cip-forest-bench
mkdir -p "$work"

bin=$build/bench/bench_forest
case " $impls " in *" cip "*)
  [ -x "$bin" ] || { echo "forest_bench: $bin not built (configure with -DCIP_BUILD_BENCH=ON)" >&2; exit 2; }
esac
[ -x /usr/bin/time ] || { echo "forest_bench: /usr/bin/time is needed (Debian package time)" >&2; exit 2; }

# peak RSS in MB from a /usr/bin/time -v log
rss_mb() { awk '/Maximum resident set size/ {printf "%.0f", $6 / 1024}' "$1"; }
load1() { awk '{print $1}' /proc/loadavg; }

# run IMPL TASK DATA: one JSON line with peak_rss_mb and load1 appended
run() {
  local impl=$1 task=$2 data=$3 out load mf=""
  load=$(load1)
  case $impl in
    cip)
      # 1/3 to the last digit: scikit-learn examines int(1/3 * p) features per split
      # (10 of 30); a rounded 0.3333333333 would give cip 9
      [ "$task" = reg ] && mf="--max-features $reg_mf"
      # shellcheck disable=SC2086
      out=$(/usr/bin/time -v -o "$work/$impl.time" "$bin" --csv "$data" --task "$task" \
            --trees "$trees" --threads "$threads" $mf) ;;
    sklearn)
      out=$(/usr/bin/time -v -o "$work/$impl.time" "$py" "$here/bench/forest_sklearn.py" \
            "$data" "$task" "$trees" "$threads" "$reg_mf") ;;
    ranger)
      out=$(/usr/bin/time -v -o "$work/$impl.time" Rscript "$here/bench/forest_ranger.R" \
            "$data" "$task" "$trees" "$threads") ;;
    xgboost)
      out=$(/usr/bin/time -v -o "$work/$impl.time" "$py" "$here/bench/forest_xgboost.py" \
            "$data" "$task" "$trees" "$threads" "$xgb_depth") ;;
    *) echo "forest_bench: unknown implementation '$impl'" >&2; exit 2 ;;
  esac
  out=$(printf '%s' "$out" | tail -n 1)
  echo "${out%\}},\"peak_rss_mb\":$(rss_mb "$work/$impl.time"),\"load1\":$load}"
}

for task in $tasks; do
  data=$work/${task}_${rows}x${features}.csv
  if [ ! -s "$data" ]; then
    "$py" "$shared/bench/gen.py" --rows "$rows" --features "$features" --task "$task" \
      --seed 42 --out "$data"
  fi
  lines=()
  for impl in $impls; do
    line=$(run "$impl" "$task" "$data")
    echo "$line"
    lines+=("$line")
  done
  "$py" - "${lines[@]}" <<'EOF'
import json, sys
rs = [json.loads(a) for a in sys.argv[1:]]
base = next((r for r in rs if r["impl"] == "cip"), rs[0])
metric = "r2" if "r2" in base else "auc"
print("forest %s %dx%d, %d trees, %d threads; x = other / %s (fit time, RSS), %s / other (rows/s):"
      % (base["task"], base["rows"], base["features"], base["trees"], base["threads"],
         base["impl"], base["impl"]))
mtry = {r["impl"]: r["mtry"] for r in rs if "mtry" in r}
if len(set(mtry.values())) > 1:
    print("forest_bench: WARNING: features per split differ, the fits do not compare: %s"
          % ", ".join("%s %d" % kv for kv in mtry.items()))
for r in rs:
    print("  %-8s fit %8.2f s (cpu %8.2f s) %6.1fx | %s %.4f (%+.4f) | predict %9.0f rows/s %6.1fx"
          " | one row %10.1f us | RSS %6d MB %5.1fx | mtry %s | load %s"
          % (r["impl"], r["fit_s"], r["fit_cpu_s"], r["fit_s"] / base["fit_s"], metric, r[metric],
             r[metric] - base[metric], r["predict_rows_per_s"],
             base["predict_rows_per_s"] / r["predict_rows_per_s"], r["row_latency_us"],
             r["peak_rss_mb"], r["peak_rss_mb"] / base["peak_rss_mb"], r.get("mtry", "-"),
             r["load1"]))
EOF
done
