#!/usr/bin/env bash
# forest_identical.sh - check that two builds grow byte-identical forests
#
#   bench/forest_identical.sh BASE_BUILD NEW_BUILD [TREES]
#
# Both builds must be configured with -DCIP_BUILD_BENCH=ON. For each case the
# model saved by bench_forest (and the model.forest of `cip train` bundles) of
# both builds are compared with cmp; any difference is a failure. Cases:
# reg and clf on the 20000x10 and 100000x30 tables of ../shared/bench/gen.py
# (cached in $TMPDIR/cip-forest-bench), seeds 42 and 7, 1 and 2 threads,
# max_features 1/3 (reg) and sqrt (clf); reg 20000x10 also with
# max_features 1.0 (histogram subtraction); `cip train clv|churn` on
# ../shared/data/Customer_Purchasing_Behaviors.csv and data/customers.csv at
# 1 and 2 threads (also with entropy and min_samples_leaf > 1); single trees
# on 2 threads (parallel feature evaluation).
# TREES (default 30) trees per bench_forest model: trees are independent
# streams, so fewer trees exercise the same code.
# Prints one line per case (same / DIFFERENT) and a summary; exit 1 on any
# difference or failure.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
base=${1:?usage: forest_identical.sh BASE_BUILD NEW_BUILD [TREES]}
new=${2:?usage: forest_identical.sh BASE_BUILD NEW_BUILD [TREES]}
trees=${3:-30}
py=/usr/bin/python3
shared=${CIP_SHARED_DIR:-$here/../shared}
data=${TMPDIR:-/tmp}/cip-forest-bench
out=$(mktemp -d "${TMPDIR:-/tmp}/forest-identical.XXXXXX")
trap 'rm -rf "$out"' EXIT
mkdir -p "$data"
for b in "$base" "$new"; do
  [ -x "$b/bench/bench_forest" ] && [ -x "$b/cip" ] ||
    { echo "forest_identical: $b lacks bench/bench_forest or cip" >&2; exit 2; }
done

table() { # table TASK ROWS FEATURES -> path (generated when missing)
  local f=$data/$1_$2x$3.csv
  [ -s "$f" ] || "$py" "$shared/bench/gen.py" --rows "$2" --features "$3" --task "$1" \
    --seed 42 --out "$f"
  echo "$f"
}

n_same=0 n_diff=0
verdict() { # verdict NAME FILE_A FILE_B
  if cmp -s "$2" "$3"; then
    n_same=$((n_same + 1)); echo "same       $1"
  else
    n_diff=$((n_diff + 1)); echo "DIFFERENT  $1"
  fi
}

bench_case() { # bench_case TASK ROWS FEATURES SEED THREADS MAXF [TREES]
  local csv name mf=() nt=${7:-$trees}
  csv=$(table "$1" "$2" "$3")
  name="$1 $2x$3 seed=$4 threads=$5 max_features=${6:-auto} trees=$nt"
  [ -n "$6" ] && mf=(--max-features "$6")
  for b in base new; do
    local dir=$base
    [ $b = new ] && dir=$new
    "$dir/bench/bench_forest" --csv "$csv" --task "$1" --trees "$nt" --seed "$4" \
      --threads "$5" "${mf[@]}" --save "$out/$b.forest" > /dev/null ||
      { echo "FAILED     $name ($b)"; n_diff=$((n_diff + 1)); return; }
  done
  verdict "$name" "$out/base.forest" "$out/new.forest"
}

train_case() { # train_case clv|churn CSV THREADS [OPTIONS...]
  local kind=$1 csv=$2 th=$3
  shift 3
  local name="cip train $kind $(basename "$csv") threads=$th${*:+ $*}"
  for b in base new; do
    local dir=$base
    [ $b = new ] && dir=$new
    rm -rf "$out/$b.bundle"
    "$dir/cip" train "$kind" "$csv" --cv 0 --no-track --threads "$th" "$@" -q -o "$out/$b.bundle" \
      > /dev/null 2>&1 || { echo "FAILED     $name ($b)"; n_diff=$((n_diff + 1)); return; }
  done
  verdict "$name" "$out/base.bundle/model.forest" "$out/new.bundle/model.forest"
}

for seed in 42 7; do
  for th in 1 2; do
    bench_case reg 20000 10 $seed $th 0.3333333333333333
    bench_case reg 20000 10 $seed $th 1.0
    bench_case clf 20000 10 $seed $th ""
    bench_case reg 100000 30 $seed $th 0.3333333333333333
    bench_case clf 100000 30 $seed $th ""
  done
done
# one tree on two threads: features of large nodes evaluated in parallel
bench_case reg 100000 30 42 2 0.3333333333333333 1
bench_case clf 100000 30 42 2 "" 1
bench_case reg 20000 10 42 2 1.0 1
for th in 1 2; do
  for kind in clv churn; do
    train_case $kind "$shared/data/Customer_Purchasing_Behaviors.csv" $th
    train_case $kind "$here/data/customers.csv" $th
  done
  # other small-mode paths: entropy, and min_samples_leaf > 1
  train_case churn "$shared/data/Customer_Purchasing_Behaviors.csv" $th --criterion entropy
  train_case churn "$here/data/customers.csv" $th --criterion entropy
  train_case clv "$here/data/customers.csv" $th --min-samples-leaf 3
  train_case churn "$here/data/customers.csv" $th --min-samples-leaf 2
done
echo "forest_identical: $n_same same, $n_diff different or failed"
[ $n_diff -eq 0 ]
