# `cip serve --max-header-bytes`: headers over the limit get cip's JSON 431, a malformed
# request line gets libmicrohttpd's 400, and the server keeps serving; -q: no access log.
# Needs the curl program (skipped without it).
ARGS=(train clv "$DATA/features/small_raw.csv" --cv 0 --test-size 0 --n-estimators 5 -q -o model)
STDOUT_HAS=("model bundle: model")
CHECK='command -v curl >/dev/null || { echo "SKIP: no curl"; exit 0; }
  big=$(head -c 3000 /dev/zero | tr "\0" a)
  "$CIP_BIN" serve --model model --port 0 --threads 2 --max-header-bytes 2048 -q > serve.out 2> serve.err &
  pid=$!
  for i in $(seq 50); do grep -q listening serve.out && break; sleep 0.1; done
  url=$(sed -n "s/^listening on //p" serve.out) && port=${url##*:} &&
  code=$(curl -s -o small.json -w "%{http_code}" -H "X-Pad: ${big:0:1000}" "$url/ping") && [ "$code" = 200 ] &&
  code=$(curl -s -D big.hdr -o big.json -w "%{http_code}" -H "X-Pad: $big" "$url/ping") && [ "$code" = 431 ] &&
  grep -qi "^content-type: application/json" big.hdr &&
  grep -q "\"error_code\": \"REQUEST_LIMIT_EXCEEDED\"" big.json && grep -q "2048 bytes" big.json &&
  exec 3<>"/dev/tcp/127.0.0.1/$port" && printf "GET /ping\r\n\r\n" >&3 &&
  head -c 12 <&3 > bad.txt && exec 3<&- && [ "$(cat bad.txt)" = "HTTP/1.1 400" ] &&
  curl -sf "$url/ping" > /dev/null
  rc=$?
  kill -TERM $pid && wait $pid || rc=1
  [ $rc = 0 ] && ! grep -q "GET /ping" serve.err'
