# issue acceptance: with no drift, no alert (and no warning) at 1,000,000 rows — the
# verdict rests on effect sizes (PSI), so a huge sample does not flag everything
"$CIP_BIN" generate -n 20000 --seed 1 -o ref.csv -q
"$CIP_BIN" train clv ref.csv --cv 0 --n-estimators 10 -o m --no-track -q >/dev/null 2>&1
"$CIP_BIN" generate -n 1000000 --seed 2 -o cur.csv -q
ARGS=(monitor --model m --current cur.csv --no-track --fail-on alert)
EXIT=0
STDOUT_HAS=('verdict: stable (0 alerts, 0 warnings); reference 20000 rows, current 1000000 rows')
CHECK='rm -f cur.csv'
