# a champion trained on noisy data loses to a challenger trained on clean data: promoted
U="sqlite:///$WORK/m.db"
"$CIP_BIN" generate -n 600 --seed 1 --noise 3 -o old.csv -q
"$CIP_BIN" generate -n 4000 --seed 2 -o new.csv -q
"$CIP_BIN" train clv old.csv --features age,annual_income,loyalty_score,purchase_frequency,region --cv 0 --register cip-clv --tracking-uri "$U" -q >/dev/null 2>&1
printf 'trigger = always\nbootstrap = 1000\n' > pol.txt
ARGS=(retrain --model cip-clv --data new.csv --policy pol.txt --tracking-uri "$U" -q)
STDOUT_HAS=('decision: PROMOTED' 'bootstrap p 0.000999 (B=1000)')
CHECK='"$CIP_BIN" models list --tracking-uri "sqlite:///$WORK/m.db" | grep -q "champion=2"'
