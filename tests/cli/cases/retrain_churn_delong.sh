# churn: the comparison reports DeLong's test beside the paired bootstrap
U="sqlite:///$WORK/m.db"
"$CIP_BIN" generate -n 2000 --seed 5 -o a.csv -q
"$CIP_BIN" generate -n 2000 --seed 6 -o b.csv -q
"$CIP_BIN" train churn a.csv --cv 0 --register cip-churn --tracking-uri "$U" -q >/dev/null 2>&1
printf 'trigger = always\nbootstrap = 200\n' > pol.txt
ARGS=(retrain --model cip-churn --data b.csv --policy pol.txt --tracking-uri "$U" -q)
STDOUT_HAS=('roc_auc' 'DeLong z' 'B=200')
