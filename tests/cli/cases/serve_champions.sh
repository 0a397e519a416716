# without --model, `cip serve` loads the registry champions (warning about missing ones),
# accepts the model's own serving_input_example.json on /invocations (MLflow clients),
# reports the version in /api/v1/info and exposes /metrics. Needs curl (skipped without it).
ARGS=(train churn "$DATA/features/small_raw.csv" --cv 0 --test-size 0 --n-estimators 10 -q -o b
      --tracking-uri "sqlite:///$WORK/m.db" --register cip-churn)
STDERR_HAS=("registered cip-churn version 1")
CHECK='command -v curl >/dev/null || { echo "SKIP: no curl"; exit 0; }
  u="sqlite:///$WORK/m.db";
  dir=$("$CIP_BIN" models resolve models:/cip-churn@champion --tracking-uri "$u") &&
  { "$CIP_BIN" serve --port 0 --tracking-uri "$u" > serve.out 2> serve.err & pid=$!; } &&
  for i in $(seq 50); do grep -q listening serve.out && break; sleep 0.1; done &&
  url=$(sed -n "s/^listening on //p" serve.out) &&
  curl -sf -H "Content-Type: application/json" --data-binary @"$dir/serving_input_example.json" \
    "$url/invocations" | grep -q "\"predictions\": \[{\"prediction\": [01], \"probability\": " &&
  curl -sf "$url/api/v1/info" | grep -q "\"name\": \"cip-churn\", \"version\": \"1\"" &&
  curl -sf "$url/metrics" | grep -q "cip_model_loaded{uri=\"models:/cip-churn@champion\",role=\"churn\",version=\"1\"} 1" &&
  kill -INT $pid && wait $pid &&
  grep -q "models:/cip-clv@champion.* not loaded" serve.err &&
  grep -q "models:/cip-segments@champion.* not loaded" serve.err'
