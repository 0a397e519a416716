# --cv 3 --cv-repeats 2: six reshuffled folds, every one scored; --n-iter 3 draws three
# distinct points of the four-point grid (random search)
ARGS=(train clv "$DATA/train/generic.csv" --target y --features x1,x2,color --cv 3
      --cv-repeats 2 --grid "n_estimators=10,20;max_depth=3,none" --n-iter 3 --json -q
      --no-track)
CHECK='/usr/bin/python3 -c "
import json
d = json.load(open(\".stdout\"))
assert d[\"n_candidates\"] == 3 and d[\"cv_folds\"] == 6 and len(d[\"cv_scores\"]) == 6, d
assert len(set(d[\"cv_scores\"])) == 6, d[\"cv_scores\"]
m = d[\"metrics\"]
assert abs(m[\"cv_r2_mean\"] - sum(d[\"cv_scores\"]) / 6) < 1e-12, m
"'
