# same population: stable, exit 0 even with --fail-on alert, and a monitoring run is logged
"$CIP_BIN" generate -n 8000 --seed 1 -o ref.csv -q
"$CIP_BIN" generate -n 8000 --seed 2 -o cur.csv -q
"$CIP_BIN" train clv ref.csv --cv 0 -o m --no-track -q >/dev/null 2>&1
ARGS=(monitor --model m --current cur.csv --reference ref.csv --fail-on alert --tracking-uri "sqlite:///$WORK/t.db")
STDOUT_HAS=('verdict: stable (0 alerts, 0 warnings)' 'prediction drift:' 'performance (8000 labelled rows): r2')
STDERR_HAS=('logged run')
CHECK='"$CIP_BIN" runs list --experiment cip-monitor --tracking-uri "sqlite:///$WORK/t.db" --json | grep -q "\"cip.verdict\": *\"stable\""'
