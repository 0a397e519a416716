#!/usr/bin/env bash
# csv_bench.sh - `cip describe FILE` vs `pandas.read_csv(FILE).describe()`
#
#   bench/csv_bench.sh [CIP_BIN] [ROWS] [FEATURES] [THREADS]
#   (defaults: build/release/cip 1000000 30 0 = all cores)
#
# Generates the synthetic customer table with ../shared/bench/gen.py (cached
# in $TMPDIR/cip-csv-bench), then times both commands end to end, as a user
# would run them (process start, reading, parsing, statistics), best of 3
# each, after one untimed run of each to warm the page cache. Prints one JSON
# line and one human line with the speed ratio (pandas time / cip time).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cip=${1:-$here/build/release/cip}
rows=${2:-1000000}
features=${3:-30}
threads=${4:-0}
py=/usr/bin/python3
shared=${CIP_SHARED_DIR:-$here/../shared}
gen=$shared/bench/gen.py
work=${TMPDIR:-/tmp}/cip-csv-bench
data=$work/reg_${rows}x${features}_seed1.csv

[ -x "$cip" ] || { echo "csv_bench: $cip not built (make, or pass the cip binary)" >&2; exit 2; }
[ -f "$gen" ] || { echo "csv_bench: $gen not found (set CIP_SHARED_DIR)" >&2; exit 2; }
mkdir -p "$work"
if [ ! -s "$data" ]; then
  echo "csv_bench: generating $data" >&2
  "$py" "$gen" --rows "$rows" --features "$features" --task reg --seed 1 --out "$data.tmp"
  mv "$data.tmp" "$data"
fi

# best_of N CMD...: best wall time in seconds of N runs (stdout discarded)
best_of() {
  local n=$1 best='' t0 t1 dt
  shift
  for ((i = 0; i < n; i++)); do
    t0=$EPOCHREALTIME
    "$@" >/dev/null
    t1=$EPOCHREALTIME
    dt=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
    if [ -z "$best" ] || awk -v a="$dt" -v b="$best" 'BEGIN { exit !(a < b) }'; then
      best=$dt
    fi
  done
  echo "$best"
}

cip_cmd=("$cip" describe -q --threads "$threads" "$data")
pd_cmd=("$py" -c "import sys, pandas; pandas.read_csv(sys.argv[1]).describe()" "$data")
"${cip_cmd[@]}" >/dev/null # warm-up, also checks that it works
"${pd_cmd[@]}" >/dev/null
t_cip=$(best_of 3 "${cip_cmd[@]}")
t_pd=$(best_of 3 "${pd_cmd[@]}")
ratio=$(awk -v a="$t_pd" -v b="$t_cip" 'BEGIN { printf "%.2f", a / b }')
bytes=$(stat -L -c %s "$data")
nthreads=$threads
[ "$nthreads" = 0 ] && nthreads=$(nproc)
printf '{"bench": "csv_describe", "rows": %s, "features": %s, "bytes": %s, "threads": %s, "cip_s": %s, "pandas_s": %s, "speedup": %s}\n' \
  "$rows" "$features" "$bytes" "$nthreads" "$t_cip" "$t_pd" "$ratio"
echo "cip describe: ${t_cip}s  pandas read_csv+describe: ${t_pd}s  ->  cip is ${ratio}x faster" \
     "(${rows} rows x $((features + 1)) columns, $((bytes / 1000000)) MB, ${nthreads} threads, best of 3)"
