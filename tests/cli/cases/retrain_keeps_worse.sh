# a challenger trained on 240 rows does not beat a champion trained on 4000: not promoted
U="sqlite:///$WORK/m.db"
"$CIP_BIN" generate -n 4000 --seed 2 -o big.csv -q
"$CIP_BIN" generate -n 300 --seed 3 -o tiny.csv -q
"$CIP_BIN" train clv big.csv --features age,annual_income,loyalty_score,purchase_frequency,region --cv 0 --register cip-clv --tracking-uri "$U" -q >/dev/null 2>&1
printf '{"trigger": "always"}\n' > pol.json
ARGS=(retrain --model cip-clv --data tiny.csv --policy pol.json --tracking-uri "$U" --json -q)
STDOUT_HAS=('"decision":"kept"' '"version":2')
CHECK='"$CIP_BIN" models list --tracking-uri "sqlite:///$WORK/m.db" | grep -q "champion=1"'
