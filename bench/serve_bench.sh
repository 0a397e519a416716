#!/usr/bin/env bash
# serve_bench.sh - `cip serve` vs a Flask + scikit-learn server, both under wrk
#
#   bench/serve_bench.sh [CIP_BIN] [DURATION_S] [CONNECTIONS] [WRK_THREADS]
#   (defaults: build/release/cip 60 8 1)
#
# Trains the CLV forest (100 trees) on data/customers.csv, serves it with
# `cip serve --threads 2`, and serves an equivalent RandomForestRegressor
# (100 trees, same model columns) from bench/flask_serve.py (Flask's threaded
# server, /usr/bin/python3). Each server gets a 3 s warm-up, then a
# DURATION_S run of wrk POSTing one customer to /invocations
# ({"dataframe_records": [...]}, application/json). Prints per server:
# requests/s, p50/p99 latency, errors (socket errors + non-2xx), the server's
# CPU time per request (user + system, from /proc: independent of how busy the
# machine is), RSS before and after the run; then the throughput ratio, and one
# JSON line per server.
# wrk and the servers share the machine: figures from one run on one machine
# are what to compare (the load average before each run is printed).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cip=${1:-$here/build/release/cip}
dur=${2:-60}
conns=${3:-8}
wthreads=${4:-1}
py=/usr/bin/python3
data=$here/data/customers.csv
command -v wrk >/dev/null || { echo "serve_bench: wrk is not installed" >&2; exit 1; }
[ -x "$cip" ] || { echo "serve_bench: no cip binary at $cip" >&2; exit 1; }
cip=$(realpath "$cip")
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

no_track=()
"$cip" train --help 2>/dev/null | grep -q -- '--no-track' && no_track=(--no-track)
"$cip" train clv "$data" --cv 0 --n-estimators 100 -q "${no_track[@]}" -o model >/dev/null

cat > post.lua <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"dataframe_records": [{"age": 35, "annual_income": 60000, "purchase_amount": 410, "loyalty_score": 6.5, "region": "North", "purchase_frequency": 20}]}'
LUA

wait_listen() { # file -> url
  for _ in $(seq 300); do
    if grep -q '^listening on ' "$1" 2>/dev/null; then sed -n 's/^listening on //p' "$1"; return 0; fi
    sleep 0.1
  done
  echo "serve_bench: server did not start: $(cat "$1" "$1.err" 2>/dev/null)" >&2
  return 1
}
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

run_wrk() { # name pid url
  local name=$1 pid=$2 url=$3
  wrk -t"$wthreads" -c"$conns" -d3s -s post.lua "$url/invocations" >/dev/null
  local before load out
  before=$(rss_kb "$pid")
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  local t0 t1 hz
  hz=$(getconf CLK_TCK)
  t0=$(cpu_ticks "$pid")
  out=$(wrk -t"$wthreads" -c"$conns" -d"${dur}s" --latency -s post.lua "$url/invocations")
  local after rps p50 p99 sock non2xx
  after=$(rss_kb "$pid")
  t1=$(cpu_ticks "$pid")
  local n cpu_us
  n=$(echo "$out" | awk '/requests in/ {print $1}')
  cpu_us=$(awk -v d=$((t1 - t0)) -v hz="$hz" -v n="$n" 'BEGIN { printf "%.1f", (n > 0 ? d * 1e6 / hz / n : 0) }')
  rps=$(echo "$out" | awk '/^Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  sock=$(echo "$out" | awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  local errors=$(( ${sock:-0} + ${non2xx:-0} ))
  printf '%-6s %10s req/s  p50 %-9s p99 %-9s errors %-4s server CPU %6s us/req  RSS %6s -> %6s kB  (load %s)\n' \
    "$name" "$rps" "$p50" "$p99" "$errors" "$cpu_us" "$before" "$after" "$load"
  printf '{"server": "%s", "duration_s": %s, "connections": %s, "requests_per_s": %s, "p50": "%s", "p99": "%s", "errors": %s, "server_cpu_us_per_request": %s, "rss_before_kb": %s, "rss_after_kb": %s}\n' \
    "$name" "$dur" "$conns" "$rps" "$p50" "$p99" "$errors" "$cpu_us" "$before" "$after" >> results.jsonl
  echo "$rps" > "$name.rps"
}

"$cip" serve --model model --port 0 --threads 2 -q > cip.out 2> cip.out.err &
pids+=($!)
url=$(wait_listen cip.out)
curl_check=$(wrk -t1 -c1 -d1s -s post.lua "$url/invocations" | awk '/Non-2xx/ {print $5}')
[ -z "$curl_check" ] || { echo "serve_bench: cip answers non-2xx" >&2; exit 1; }
run_wrk cip "${pids[0]}" "$url"

port=$($py -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
$py "$here/bench/flask_serve.py" "$data" "$port" > flask.out 2> flask.out.err &
pids+=($!)
url=$(wait_listen flask.out)
run_wrk flask "${pids[1]}" "$url"

cat results.jsonl
awk -v a="$(cat cip.rps)" -v b="$(cat flask.rps)" \
  'BEGIN { if (b > 0) printf "cip / flask throughput: %.1fx\n", a / b }'
