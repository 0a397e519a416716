# acceptance: reference production features + grid on the engineered table; test R^2
# within 0.005 of scikit-learn's 0.99697 (different split rows: see docs/TRAIN.md)
NEEDS_SHARED=1
ARGS=(train clv "$SHARED/data/df_eng_customer_purchasing_features.csv" --grid production --json -q)
CHECK='/usr/bin/python3 -c "
import json
d = json.load(open(\".stdout\")); m = d[\"metrics\"]
assert d[\"n_train\"] == 190 and d[\"n_test\"] == 48 and d[\"n_candidates\"] == 32
assert abs(m[\"test_r2\"] - 0.9969679670642502) <= 0.005, m[\"test_r2\"]
assert d[\"features\"] == [\"age\", \"annual_income\", \"spend_to_income_ratio\", \"region_North\", \"region_South\", \"region_West\"]
"'
