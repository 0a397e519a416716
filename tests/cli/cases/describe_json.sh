# --json: stable keys, quoted labels unescaped, missing counts, bools, nulls
ARGS=(describe --json -q "$DATA/csv/mixed.csv")
STDOUT_HAS=('"rows": 5' '"n_columns": 5' '"value": "Smith, Ann"' '"value": "O\"Neil"')
CHECK='/usr/bin/python3 -c "
import json
d = json.load(open(\".stdout\"))
c = {x[\"name\"]: x for x in d[\"columns\"]}
assert [x[\"name\"] for x in d[\"columns\"]] == [\"id\", \"name\", \"score\", \"active\", \"joined\"]
assert c[\"id\"][\"type\"] == \"int\" and c[\"id\"][\"std\"] == 1.5811388300841898
assert c[\"score\"][\"type\"] == \"float\" and c[\"score\"][\"missing\"] == 1
assert c[\"score\"][\"25%\"] == 2.125 and c[\"score\"][\"max\"] == 10
assert c[\"active\"][\"type\"] == \"bool\" and c[\"active\"][\"distinct\"] == 2
assert c[\"name\"][\"mean\"] is None and c[\"name\"][\"top\"][0] == {\"value\": \"Bob\", \"count\": 2}
assert c[\"joined\"][\"missing\"] == 1 and c[\"id\"][\"distinct\"] is None
"'
