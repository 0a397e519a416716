# the reference table: verdict suspicious, naming the excluded leaks and the
# duplicate contamination (group split); honest CLV R2 below the leaky one
NEEDS_SHARED=1
printf 'n_estimators=30;max_depth=5,none\n' > grid.txt
ARGS=(pipeline "$SHARED/data/Customer_Purchasing_Behaviors.csv" --out out --no-track -q --grid grid.txt --cv 3)
EXIT=0
STDOUT_HAS=("honesty verdict: suspicious" "clv: excluded 2 leaking features: spend_to_income_ratio, growth_potential_score"
  "churn: excluded 4 leaking features: customer_value_score, purchase_frequency, is_loyal, is_frequent"
  "switched to a group split: duplicate feature vectors straddled a random split" "too good to be true"
  "e.g. [reconstruction]" "[contamination] 42/48 test rows")
CHECK='/usr/bin/python3 -c "
import json; s = json.load(open(\"out/summary.json\"))
assert s[\"split\"][\"kind\"] == \"group\" and s[\"audit\"][\"verdict\"] == \"leaks-removed\"
assert s[\"verdict\"][\"honesty\"] == \"suspicious\"
c = s[\"models\"][\"clv\"]; assert c[\"metrics\"][\"test_r2\"] < c[\"leaky_metrics\"][\"test_r2\"], c
assert \"spend_to_income_ratio\" not in c[\"features\"] and \"age\" in c[\"features\"]
assert \"spend_to_income_ratio\" in s[\"audit\"][\"excluded_features\"]
"'
