#!/usr/bin/env bash
# serve_bench.sh - `cip serve` vs a Flask + scikit-learn server, both under wrk
#
#   bench/serve_bench.sh [CIP_BIN] [DURATION_S] [CONNECTIONS] [WRK_THREADS] [REPEAT]
#   (defaults: build/release/cip 60 2 1 1; SERVE_BENCH_FLASK=0 skips the Flask baseline)
#
# Trains the CLV forest (100 trees) on data/customers.csv, serves it with
# `cip serve --threads 2 -q`, and serves an equivalent RandomForestRegressor
# (100 trees, same model columns) from bench/flask_serve.py (Flask's threaded
# server, /usr/bin/python3). Each server gets a 3 s warm-up, then DURATION_S
# runs of wrk POSTing one customer to /invocations ({"dataframe_records":
# [...]}, application/json, keep-alive): cip REPEAT times (one line per run),
# Flask once. Prints per run: requests/s; p50, p99, p99.9 and max latency (from
# wrk's own histogram through a Lua done() hook: `wrk --latency` stops at p99);
# errors (socket errors + non-2xx); the server's CPU time per request (user +
# system from /proc/PID/stat: far less sensitive to load than latency); RSS
# before and after the run; the load average before the run; and the VM steal
# share over the run (the "steal" column of /proc/stat: time the hypervisor ran
# someone else while this VM wanted the CPU, as a share of all CPU time - when
# it is high, latency percentiles say more about the host than about cip).
# For cip it also prints the share of the run's requests that the server itself
# answered within 1 ms and 2 ms (its own latency histogram from /metrics): when
# that share is far above wrk's, the tail is scheduling outside the handler.
# Then the throughput ratio and one JSON line per run.
#
# Why 2 connections by default: the goal is single-customer latency with 2
# server threads on a 2-core machine that wrk shares. Each keep-alive
# connection has at most one request in flight, so 2 connections keep both
# server threads busy without queueing; more connections only add requests
# waiting behind others (Little's law: latency = in-flight / throughput) and
# more runnable threads than cores, which shows up in p99 rather than in
# throughput. Pass CONNECTIONS (e.g. 4 or 8) to measure behaviour under
# queueing.
# wrk and the servers share the machine: figures from one run on one machine
# are what to compare.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cip=${1:-$here/build/release/cip}
dur=${2:-60}
conns=${3:-2}
wthreads=${4:-1}
repeat=${5:-1}
py=/usr/bin/python3
data=$here/data/customers.csv
command -v wrk >/dev/null || { echo "serve_bench: wrk is not installed" >&2; exit 1; }
[ -x "$cip" ] || { echo "serve_bench: no cip binary at $cip" >&2; exit 1; }
[[ "$repeat" =~ ^[1-9][0-9]*$ ]] || { echo "serve_bench: REPEAT must be a positive integer" >&2; exit 2; }
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
"$cip" train clv "$data" --cv 0 --n-estimators 100 -q "${no_track[@]}" -o model >/dev/null 2>train.err ||
  { cat train.err >&2; exit 1; }

# latencies in wrk's Lua API are microseconds
cat > post.lua <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"dataframe_records": [{"age": 35, "annual_income": 60000, "purchase_amount": 410, "loyalty_score": 6.5, "region": "North", "purchase_frequency": 20}]}'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH requests=%d duration_us=%d errors=%d non2xx=%d p50_us=%d p99_us=%d p999_us=%d max_us=%d\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
end
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
# "steal total" jiffies of all CPUs (user nice system idle iowait irq softirq steal)
cpu_stat() { awk '/^cpu / {print $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat; }
# the server's latency histogram (all routes): "le count" lines from /metrics
server_hist() {
  curl -s "$1/metrics" | sed -n 's/^cip_http_request_duration_seconds_bucket{le="\([^"]*\)"} \([0-9]*\)$/\1 \2/p'
}
field() { echo "$1" | sed -n "s/.*[[:space:]]$2=\([0-9]*\).*/\1/p"; }
ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }

run_wrk() { # name pid url run
  local name=$1 pid=$2 url=$3 run=$4
  wrk -t"$wthreads" -c"$conns" -d3s -s post.lua "$url/invocations" >/dev/null
  local before load t0 t1 hz s0 s1 out
  before=$(rss_kb "$pid")
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  hz=$(getconf CLK_TCK)
  s0=$(cpu_stat)
  t0=$(cpu_ticks "$pid")
  [ "$name" = cip ] && server_hist "$url" > hist0
  out=$(wrk -t"$wthreads" -c"$conns" -d"${dur}s" -s post.lua "$url/invocations" | grep '^BENCH ')
  t1=$(cpu_ticks "$pid")
  s1=$(cpu_stat)
  local after n dus rps cpu_us steal errors
  after=$(rss_kb "$pid")
  n=$(field "$out" requests)
  dus=$(field "$out" duration_us)
  errors=$(( $(field "$out" errors) + $(field "$out" non2xx) ))
  rps=$(awk -v n="$n" -v d="$dus" 'BEGIN { printf "%.0f", (d > 0 ? n * 1e6 / d : 0) }')
  cpu_us=$(awk -v d=$((t1 - t0)) -v hz="$hz" -v n="$n" 'BEGIN { printf "%.1f", (n > 0 ? d * 1e6 / hz / n : 0) }')
  steal=$(awk -v a="$s0" -v b="$s1" 'BEGIN { split(a, x, " "); split(b, y, " ");
    printf "%.1f", (y[2] > x[2] ? 100 * (y[1] - x[1]) / (y[2] - x[2]) : 0) }')
  local p50 p99 p999 pmax
  p50=$(ms "$(field "$out" p50_us)")
  p99=$(ms "$(field "$out" p99_us)")
  p999=$(ms "$(field "$out" p999_us)")
  pmax=$(ms "$(field "$out" max_us)")
  printf '%-6s run %d: %8s req/s  p50 %s  p99 %s  p99.9 %s  max %s ms  errors %s  server CPU %s us/req  RSS %s -> %s kB  (load %s, steal %s%%)\n' \
    "$name" "$run" "$rps" "$p50" "$p99" "$p999" "$pmax" "$errors" "$cpu_us" "$before" "$after" "$load" "$steal"
  if [ "$name" = cip ]; then
    server_hist "$url" > hist1
    # share of the run's requests the server itself handled within 1 and 2 ms (its own
    # latency histogram: from the request's arrival in the handler to the response queued)
    echo "       server-side: $(awk 'NR == FNR { a[$1] = $2; next } { d[$1] = $2 - a[$1] }
      END { n = d["+Inf"]; if (n > 0) printf "%.3f %% of requests within 1 ms, %.3f %% within 2 ms (of %d)", 100 * d["0.001"] / n, 100 * d["0.002"] / n, n }' hist0 hist1)"
  fi
  printf '{"server": "%s", "run": %d, "duration_s": %s, "connections": %s, "wrk_threads": %s, "requests_per_s": %s, "p50_ms": %s, "p99_ms": %s, "p999_ms": %s, "max_ms": %s, "errors": %s, "server_cpu_us_per_request": %s, "rss_before_kb": %s, "rss_after_kb": %s, "steal_pct": %s, "load1": %s}\n' \
    "$name" "$run" "$dur" "$conns" "$wthreads" "$rps" "$p50" "$p99" "$p999" "$pmax" "$errors" "$cpu_us" "$before" "$after" "$steal" "${load%% *}" >> results.jsonl
  echo "$rps" >> "$name.rps"
}

echo "serve_bench: $dur s per run, $conns connections, $wthreads wrk thread(s), cip runs: $repeat"
"$cip" serve --model model --port 0 --threads 2 -q > cip.out 2> cip.out.err &
pids+=($!)
url=$(wait_listen cip.out)
check=$(wrk -t1 -c1 -d1s -s post.lua "$url/invocations" | grep '^BENCH ')
[ "$(field "$check" non2xx)" = 0 ] || { echo "serve_bench: cip answers non-2xx" >&2; exit 1; }
for r in $(seq "$repeat"); do run_wrk cip "${pids[0]}" "$url" "$r"; done

if [ "${SERVE_BENCH_FLASK:-1}" != 0 ]; then
  port=$($py -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  $py "$here/bench/flask_serve.py" "$data" "$port" > flask.out 2> flask.out.err &
  pids+=($!)
  url=$(wait_listen flask.out)
  run_wrk flask "${pids[1]}" "$url" 1
fi

cat results.jsonl
if [ -f flask.rps ]; then
  awk -v b="$(cat flask.rps)" '{ s += $1; n++ } END { if (b > 0) printf "cip (mean of %d) / flask throughput: %.1fx\n", n, s / n / b }' cip.rps
fi
