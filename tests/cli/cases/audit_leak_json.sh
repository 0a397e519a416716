# leak.csv = clean.csv + spend_ratio = purchase_amount / annual_income (4 dp):
# the target comes back exactly by rounding ratio * income to its grid of 10
ARGS=(audit "$DATA/audit/leak.csv" --target purchase_amount --json)
STDOUT_HAS=('"verdict": "leaks"' '"kind": "reconstruction"')
CHECK='/usr/bin/python3 -c "
import json
d = json.load(open(\".stdout\"))
assert d[\"format\"] == \"cip-audit 1\" and d[\"rows\"] == 120 and d[\"task\"] == \"regression\"
r = [f for f in d[\"findings\"] if f[\"kind\"] == \"reconstruction\"]
assert r[0][\"severity\"] == \"high\" and r[0][\"columns\"] == [\"annual_income\", \"spend_ratio\"]
assert r[0][\"evidence\"][\"rows_exact\"] == 120 and r[0][\"evidence\"][\"grid\"] == 10
assert r[0][\"expression\"] == \"purchase_amount = round((annual_income * spend_ratio) / 10) * 10\"
assert d[\"counts\"][\"high\"] == sum(f[\"severity\"] == \"high\" for f in d[\"findings\"])
"'
