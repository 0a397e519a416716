# drift planted in age and annual_income: exactly those two alert; --fail-on alert exits 3
"$CIP_BIN" generate -n 8000 --seed 1 -o ref.csv -q
"$CIP_BIN" generate -n 8000 --seed 2 --drift 'age+8,annual_income*1.3' -o cur.csv -q
"$CIP_BIN" train clv ref.csv --cv 0 -o m --no-track -q >/dev/null 2>&1
ARGS=(monitor --model m --current cur.csv --reference ref.csv --no-track --fail-on alert --json -q)
EXIT=3
STDOUT_HAS=('"verdict": "drifting"')
CHECK='/usr/bin/python3 -c "
import json
r = json.load(open(\".stdout\"))
lv = {f[\"name\"]: f[\"level\"] for f in r[\"features\"]}
assert lv == {\"age\": \"alert\", \"annual_income\": \"alert\", \"purchase_amount\": \"ok\", \"loyalty_score\": \"ok\", \"region\": \"ok\", \"purchase_frequency\": \"ok\"}, lv
assert r[\"n_alert\"] >= 2 and r[\"performance\"][\"metric\"] == \"r2\"
"'
