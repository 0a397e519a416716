# with a temporary sqlite store: a parent run, one run per model, registered
# versions; the first run's models become champion, the second run's challenger
printf 'n_estimators=10\n' > grid.txt
ARGS=(pipeline "$SRC/data/customers.csv" --out out -q --grid grid.txt --cv 2 --no-leaky --tracking-uri sqlite:///t.db --experiment pl)
EXIT=0
STDOUT_HAS=("store:       sqlite:///t.db (parent run " "models:/cip-clv/1 (champion)" "models:/cip-churn/1 (champion)"
  "models:/cip-segments/1 (champion)")
CHECK='"$CIP_BIN" pipeline "$SRC/data/customers.csv" --out out2 -q --grid grid.txt --cv 2 --no-leaky --tracking-uri sqlite:///t.db --experiment pl > second.txt &&
  grep -q "models:/cip-clv/2 (challenger)" second.txt &&
  /usr/bin/python3 -c "
import json; s = json.load(open(\"out2/summary.json\"))
o = s[\"outputs\"]; assert len(o[\"parent_run_id\"]) == 32 and o[\"tracking_uri\"] == \"sqlite:///t.db\"
m = s[\"models\"][\"churn\"]; assert m[\"model_uri\"] == \"models:/cip-churn/2\" and m[\"alias\"] == \"challenger\"
assert len(m[\"run_id\"]) == 32 and m[\"run_id\"] != o[\"parent_run_id\"]
" && "$CIP_BIN" runs list --tracking-uri sqlite:///t.db --experiment pl > runs.txt && grep -q pipeline runs.txt'
