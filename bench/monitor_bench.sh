#!/usr/bin/env bash
# monitor_bench.sh - `cip monitor` over ROWS x 30 features (and the no-drift acceptance check)
#
#   bench/monitor_bench.sh [CIP_BIN] [ROWS] [THREADS]
#   (defaults: build/release/cip 1000000 0 = all cores)
#
# Generates with ../shared/bench/gen.py (cached in $TMPDIR/cip-monitor-bench) a
# 200,000-row reference table (seed 1) and a ROWS-row current table (seed 2) of
# the same population: 30 feature columns + target. Trains a small clv forest on
# the reference (20 trees, depth 10, untimed), writes its reference.json with
# `cip monitor --reference --write-reference` (untimed), then times
#   cip monitor --model M --current CURRENT --no-track --fail-on alert
# end to end (process start, CSV read, scoring every row with the forest, drift
# statistics of 30 columns + predictions, performance CI), best of 3 after one
# warm-up run. The run must exit 0: no column may alert on an undrifted
# population. Prints one JSON line and one human line; with bench_monitor built
# (-DCIP_BUILD_BENCH=ON) also the time of the statistics alone.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cip=${1:-$here/build/release/cip}
rows=${2:-1000000}
threads=${3:-0}
py=/usr/bin/python3
shared=${CIP_SHARED_DIR:-$here/../shared}
gen=$shared/bench/gen.py
work=${TMPDIR:-/tmp}/cip-monitor-bench
ref=$work/ref_200000_seed1.csv
cur=$work/cur_${rows}_seed2.csv
model=$work/model

[ -x "$cip" ] || { echo "monitor_bench: $cip not built (pass the cip binary)" >&2; exit 2; }
[ -f "$gen" ] || { echo "monitor_bench: $gen not found (set CIP_SHARED_DIR)" >&2; exit 2; }
mkdir -p "$work"
for spec in "$ref:200000:1" "$cur:$rows:2"; do
  IFS=: read -r f n s <<<"$spec"
  if [ ! -s "$f" ]; then
    echo "monitor_bench: generating $f" >&2
    "$py" "$gen" --rows "$n" --features 30 --task reg --seed "$s" --out "$f.tmp"
    mv "$f.tmp" "$f"
  fi
done
if [ ! -s "$model/reference.json" ]; then
  rm -rf "$model"
  echo "monitor_bench: training the model and its reference (untimed)" >&2
  "$cip" train clv "$ref" --target target --cv 0 --n-estimators 20 --max-depth 10 \
    -o "$model" --no-track -q >/dev/null
  "$cip" monitor --model "$model" --current "$ref" --reference "$ref" --write-reference \
    --no-track -q >/dev/null
fi

run() { "$cip" monitor --model "$model" --current "$cur" --no-track --fail-on alert \
          --threads "$threads" -q; }
run >"$work/report.txt" || { echo "monitor_bench: alert on undrifted data" >&2; cat "$work/report.txt" >&2; exit 1; }
best=''
for i in 1 2 3; do
  t0=$EPOCHREALTIME
  run >/dev/null
  t1=$EPOCHREALTIME
  dt=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  if [ -z "$best" ] || awk -v a="$dt" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$dt; fi
done
verdict=$(head -1 "$work/report.txt")
core=$(dirname "$cip")/bench/bench_monitor
if [ -x "$core" ]; then "$core" "$ref" "$cur" "$threads"; fi
printf '{"bench":"monitor","rows":%s,"features":30,"threads":%s,"seconds":%s}\n' "$rows" "$threads" "$best"
echo "cip monitor: $rows rows x 30 features in ${best}s (best of 3; $verdict)"
