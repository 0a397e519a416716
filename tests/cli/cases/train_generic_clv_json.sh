# y = 10 x1 + 5 x2 + 3 [color == red]: the forest explains it, the mean baseline cannot;
# color is one-hot encoded, id is not a feature; 120 rows -> 24 test rows
ARGS=(train clv "$DATA/train/generic.csv" --target y --features x1,x2,color --cv 3
      --grid "n_estimators=30;max_depth=3,none" --json -q)
CHECK='/usr/bin/python3 -c "
import json
d = json.load(open(\".stdout\"))
m = d[\"metrics\"]
assert d[\"n_train\"] == 96 and d[\"n_test\"] == 24, d
assert d[\"features\"] == [\"x1\", \"x2\", \"color=red\", \"color=green\", \"color=blue\"], d[\"features\"]
assert d[\"n_candidates\"] == 2 and d[\"cv_folds\"] == 3 and len(d[\"cv_scores\"]) == 3
assert m[\"test_r2\"] > 0.9 and abs(m[\"baseline_mean_r2\"]) < 0.2 and m[\"baseline_ridge_r2\"] > 0.99
for k in (\"train_r2\", \"test_rmse\", \"cv_r2_mean\", \"cv_r2_std\", \"rmse_to_std_ratio\"):
    assert k in m, k
assert abs(sum(d[\"feature_importances\"].values()) - 1) < 1e-9
assert d[\"best_params\"][\"n_estimators\"] == 30
"'
