# trigger = drift (default): same population -> nothing trained; a drifted one -> retrained
U="sqlite:///$WORK/m.db"
"$CIP_BIN" generate -n 3000 --seed 1 -o old.csv -q
"$CIP_BIN" generate -n 3000 --seed 2 -o same.csv -q
"$CIP_BIN" generate -n 3000 --seed 3 --drift 'age+10' -o moved.csv -q
"$CIP_BIN" train clv old.csv --features age,annual_income,loyalty_score,purchase_frequency,region --cv 0 --register cip-clv --tracking-uri "$U" -q >/dev/null 2>&1
# give the registered version its reference statistics
"$CIP_BIN" monitor --model models:/cip-clv@champion --current old.csv --reference old.csv --write-reference --no-track --tracking-uri "$U" -q >/dev/null
"$CIP_BIN" retrain --model cip-clv --data same.csv --tracking-uri "$U" -q > same.out
ARGS=(retrain --model cip-clv --data moved.csv --tracking-uri "$U" -q)
STDOUT_HAS=('trigger: drift (monitor verdict drifting, 1 alerts) -> retrained' 'decision:')
CHECK='grep -q "monitor verdict stable, 0 alerts) -> not triggered" same.out'
