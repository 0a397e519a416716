# --drift shifts the named columns of otherwise identical rows
"$CIP_BIN" generate -n 500 --seed 4 -o base.csv -q
ARGS=(generate -n 500 --seed 4 --drift 'age+5,annual_income*1.2' -o d.csv -q)
CHECK='/usr/bin/python3 -c "
import csv
a = list(csv.DictReader(open(\"base.csv\"))); b = list(csv.DictReader(open(\"d.csv\")))
assert all(int(y[\"age\"]) == min(int(x[\"age\"]) + 5, 100) for x, y in zip(a, b))
assert all(int(y[\"annual_income\"]) == round(int(x[\"annual_income\"]) * 1.2 / 1000) * 1000 for x, y in zip(a, b))
assert all(x[\"loyalty_score\"] == y[\"loyalty_score\"] and x[\"region\"] == y[\"region\"] for x, y in zip(a, b))
"'
