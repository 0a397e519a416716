# the whole job on the bundled data without tracking: criteria table, verdict,
# predictions.csv (one row per customer, contract columns), summary.json, report.html
printf 'n_estimators=20;max_depth=5,none\n' > grid.txt
ARGS=(pipeline "$SRC/data/customers.csv" --out out --no-track -q --grid grid.txt --cv 3)
EXIT=0
STDOUT_HAS=("pipeline: $SRC/data/customers.csv (238 rows x 7 columns)" "success criteria of the reference project"
  "CLV R2" "churn F1" "churn precision" "segments silhouette" "honesty verdict: " "predictions: out/predictions.csv"
  "report:      out/report.html" "not tracked (--no-track)")
CHECK='test $(wc -l < out/predictions.csv) = 239 &&
  head -1 out/predictions.csv | grep -qx "user_id,predicted_clv,churn_probability,churn_prediction,customer_segment" &&
  sed -n 2p out/predictions.csv | grep -q "^1," && test -s out/report.html && test -s out/audit_clv.json &&
  /usr/bin/python3 -c "
import json; s = json.load(open(\"out/summary.json\"))
assert s[\"command\"].startswith(\"cip pipeline /\") and s[\"command\"].endswith(\"--cv 3\"), s[\"command\"]
assert s[\"data\"][\"rows\"] == 238 and s[\"split\"][\"n_train\"] + s[\"split\"][\"n_test\"] == 238
assert set(s[\"models\"]) == {\"clv\", \"churn\", \"segments\"}, s[\"models\"].keys()
assert s[\"models\"][\"clv\"][\"params\"][\"n_estimators\"] == \"20\"
assert s[\"outputs\"][\"parent_run_id\"] is None and s[\"transactions\"] is None
assert len(s[\"models\"][\"clv\"][\"actual\"]) == s[\"split\"][\"n_test\"]
"'
