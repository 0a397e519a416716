# --json prints one valid JSON object with the verdict and the violations.
ARGS=(validate --json "$DATA/schema/dup_ids.csv")
EXIT=1
STDOUT_HAS=('"usable":false' '"kind":"duplicate_id","severity":"error","column":"user_id"'
            '"count":3,"lines":[4,6,7],"values":["10","11","10"]')
CHECK='/usr/bin/python3 -c "import json; d = json.load(open(\".stdout\")); assert d[\"errors\"] == 1 and d[\"rows\"] == 6"'
