# a bundle without reference.json (e.g. trained before cip wrote one) needs --reference
"$CIP_BIN" generate -n 300 --seed 1 -o ref.csv -q
"$CIP_BIN" train clv ref.csv --cv 0 -o m --no-track -q >/dev/null 2>&1
test -f m/reference.json && rm m/reference.json
ARGS=(monitor --model m --current ref.csv --no-track -q)
EXIT=1
STDERR_HAS=('has no reference.json' '--reference')
