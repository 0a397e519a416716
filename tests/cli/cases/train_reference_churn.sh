# acceptance: churn_original features + original grid (48 points, stratified split):
# the label threshold is the reference 0.63405, the chosen parameters are sklearn's and
# ROC AUC is 1.0 as sklearn's. sklearn's F1 = precision = 1.0 on its split; cip gets 1.0
# on 7 of 10 seeds and one misclassified test customer otherwise (seed 42: F1 0.9565,
# recall 11/12); see docs/TRAIN.md
NEEDS_SHARED=1
ARGS=(train churn "$SHARED/data/df_eng_customer_purchasing_features.csv" --grid original
      --preset original --json -q)
CHECK='/usr/bin/python3 -c "
import json
d = json.load(open(\".stdout\")); m = d[\"metrics\"]
assert d[\"label_threshold\"] == 0.63405 and d[\"n_candidates\"] == 48 and d[\"n_test\"] == 48
assert m[\"roc_auc\"] == 1.0 and m[\"test_f1\"] >= 0.95 and m[\"cv_f1_mean\"] == 1.0, m
assert d[\"best_params\"] == {\"class_weight\": \"balanced\", \"max_depth\": 10, \"min_samples_leaf\": 1, \"min_samples_split\": 2, \"n_estimators\": 100}
"'
