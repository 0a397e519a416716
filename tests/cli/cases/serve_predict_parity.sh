# `cip serve` answers /invocations (JSON and CSV) with exactly the predictions of
# `cip predict`, and stops cleanly on SIGTERM. Needs the curl program (skipped without it).
ARGS=(train churn "$DATA/features/small_raw.csv" --cv 0 --test-size 0 --n-estimators 10 -q -o model)
STDOUT_HAS=("model bundle: model")
CHECK='command -v curl >/dev/null || { echo "SKIP: no curl"; exit 0; }
  "$CIP_BIN" predict --model model "$DATA/features/small_raw.csv" -q | tail -n +2 | cut -d, -f3 > want.txt &&
  { "$CIP_BIN" serve --model model --port 0 --threads 2 > serve.out 2> serve.err & pid=$!; } &&
  for i in $(seq 50); do grep -q listening serve.out && break; sleep 0.1; done &&
  url=$(sed -n "s/^listening on //p" serve.out) &&
  curl -sf "$url/ping" > /dev/null &&
  curl -sf -H "Content-Type: text/csv" --data-binary @"$DATA/features/small_raw.csv" "$url/invocations" > got.json &&
  grep -o "\"probability\": [^}]*" got.json | sed "s/\"probability\": //" > got.txt &&
  diff want.txt got.txt &&
  code=$(curl -s -o /dev/null -w "%{http_code}" "$url/invocations") && [ "$code" = 405 ] &&
  kill -TERM $pid && wait $pid &&
  grep -q "POST /invocations 200" serve.err && grep -q "SIGTERM received" serve.err'
