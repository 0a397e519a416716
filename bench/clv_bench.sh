#!/usr/bin/env bash
# clv_bench.sh - CLV summary + BG/NBD fit on synthetic transactions (goal: < 5 s together
# for 1,000,000 customers / ~10,000,000 transactions), with the determinism check
# (log-likelihood and fit bit-identical at 1 and 2 threads).
# usage: bench/clv_bench.sh [BUILD_DIR] [CUSTOMERS] [THREADS]
#        (defaults build/bench, 1000000, 2; a Release build with -DCIP_BUILD_BENCH=ON)
set -u
build=${1:-build/bench}
n=${2:-1000000}
threads=${3:-2}
bin="$build/bench/bench_clv"
[ -x "$bin" ] || bin="$build/bench_clv"
if [ ! -x "$bin" ]; then
  echo "clv_bench.sh: no bench_clv in $build (configure with -DCIP_BUILD_BENCH=ON)" >&2
  exit 2
fi
# passive waiting: spinning OpenMP barriers are slow on a loaded machine
out=$(OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive} "$bin" "$n" "$threads" 1) || {
  echo "$out"; echo "clv_bench.sh: bench_clv failed" >&2; exit 1; }
echo "$out"
/usr/bin/python3 - "$out" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
goal = "met" if d["summary_plus_fit_s"] < 5 else "MISSED"
print(f"clv: {d['customers']:,} customers, {d['transactions']:,} transactions, "
      f"{d['threads']} threads: summary {d['summary_s']:.2f} s + BG/NBD fit {d['fit_s']:.2f} s "
      f"= {d['summary_plus_fit_s']:.2f} s (goal < 5 s: {goal}; CPU {d['summary_plus_fit_cpu_s']:.2f} s); "
      f"identical at 1 and 2 threads: {d['identical_1_2_threads']}")
PY
