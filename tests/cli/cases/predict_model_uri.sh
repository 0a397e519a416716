# `cip predict --model` takes registry and run URIs (models:/NAME@ALIAS, models:/NAME/VERSION,
# runs:/ID/model) with --tracking-uri, and scores exactly as the bundle directory
ARGS=(train churn "$DATA/features/small_raw.csv" --cv 0 --test-size 0 --n-estimators 10 -q -o b
      --tracking-uri "sqlite:///$WORK/m.db" --register cip-churn)
STDERR_HAS=("registered cip-churn version 1")
CHECK='u="sqlite:///$WORK/m.db"; d="$DATA/features/small_raw.csv";
  run=$(sed -n "s/^run \([0-9a-f]*\) logged.*/\1/p" .stderr) && [ -n "$run" ] &&
  "$CIP_BIN" predict --model b "$d" -q > want.csv &&
  "$CIP_BIN" predict --model models:/cip-churn@champion --tracking-uri "$u" "$d" -q > a.csv &&
  "$CIP_BIN" predict --model models:/cip-churn/1 --tracking-uri "$u" "$d" -q > b.csv &&
  "$CIP_BIN" predict --model "runs:/$run/model" --tracking-uri "$u" "$d" -q > c.csv &&
  cmp want.csv a.csv && cmp want.csv b.csv && cmp want.csv c.csv &&
  ! "$CIP_BIN" predict --model models:/cip-churn@nope --tracking-uri "$u" "$d" -q 2> err.txt &&
  grep -q "nope" err.txt'
