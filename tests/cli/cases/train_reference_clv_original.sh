# acceptance: clv_original features + original grid (24 points); test R^2 within 0.005
# of scikit-learn's 0.99947 (different split rows: see docs/TRAIN.md)
NEEDS_SHARED=1
ARGS=(train clv "$SHARED/data/df_eng_customer_purchasing_features.csv" --grid original
      --preset original --json -q)
CHECK='/usr/bin/python3 -c "
import json
d = json.load(open(\".stdout\")); m = d[\"metrics\"]
assert d[\"n_candidates\"] == 24 and len(d[\"features\"]) == 9
assert abs(m[\"test_r2\"] - 0.9994677138815236) <= 0.005, m[\"test_r2\"]
assert m[\"rmse_to_std_ratio\"] < 0.05
"'
