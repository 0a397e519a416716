#!/usr/bin/env bash
# run.sh - every benchmark, side by side with its competitor, in one run.
# usage: bench/run.sh [BUILD_DIR]   (default build/bench, made by `make bench`)
# Each script prints JSON lines and a human summary with the speed ratio.
set -u
cd "$(dirname "$0")/.."
build=${1:-build/bench}
echo "== CSV reader: cip describe vs pandas.read_csv().describe()"
bench/csv_bench.sh "$build/cip" 1000000 30 0
echo "== k-means: cip vs scikit-learn KMeans (1,000,000 x 16, k=8)"
bench/kmeans_bench.sh "$build" 1000000 16 8 2 2.0
echo "== random forests: cip vs scikit-learn (100,000 x 30, 100 trees)"
bench/forest_bench.sh "$build" 100000 30 2 100 "reg clf"
echo "== leakage audit: 1,000,000 x 30"
bench/audit_bench.sh "$build/cip" 1000000
echo "== tracking store: 100,000 metric points; runs list over 100,000 runs"
tdir=$(mktemp -d); "$build/bench/bench_track" "$tdir" 100000; rm -rf "$tdir"
echo "== CLV: summary + BG/NBD fit (1,000,000 customers, ~10M transactions)"
bench/clv_bench.sh "$build" 1000000 2
echo "== monitoring: cip monitor over 1,000,000 x 30"
bench/monitor_bench.sh "$build/cip" 1000000
echo "== serving: cip serve vs Flask + scikit-learn under wrk (60 s each)"
bench/serve_bench.sh "$build/cip" 60 8 1
echo "== main job: cip pipeline on 1,000,000 generated customers"
bench/pipeline_bench.sh "$build/cip" 1000000
