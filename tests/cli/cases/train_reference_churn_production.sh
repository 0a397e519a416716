# acceptance: churn_production features + production grid, seed 42: F1, precision, recall
# and ROC AUC all 1.0, as scikit-learn's
NEEDS_SHARED=1
ARGS=(train churn "$SHARED/data/df_eng_customer_purchasing_features.csv" --grid production --json -q)
CHECK='/usr/bin/python3 -c "
import json
d = json.load(open(\".stdout\")); m = d[\"metrics\"]
assert d[\"n_candidates\"] == 32
assert m[\"test_f1\"] == 1.0 and m[\"precision\"] == 1.0 and m[\"recall\"] == 1.0 and m[\"roc_auc\"] == 1.0, m
"'
