# y = 10 x1 + 5 x2 + 3 [color == red]: --oob-score adds the out-of-bag R^2 to the metrics,
# --permutation-importance 3 the score drop per shuffled feature on the 24 held-out rows
# (x1 matters most; color=blue, with no effect on y, hardly at all); --max-samples 0.8
# and --bootstrap true are accepted and logged
ARGS=(train clv "$DATA/train/generic.csv" --target y --features x1,x2,color --cv 0
      --n-estimators 40 --bootstrap true --max-samples 0.8 --oob-score
      --permutation-importance 3 --json -q --no-track)
CHECK='/usr/bin/python3 -c "
import json
d = json.load(open(\".stdout\"))
m = d[\"metrics\"]
assert 0.5 < m[\"oob_score\"] < 1, m
pi = d[\"permutation_importance\"]
assert pi[\"rows\"] == \"test\" and pi[\"repeats\"] == 3, pi
f = pi[\"features\"]
assert set(f) == {\"x1\", \"x2\", \"color=red\", \"color=green\", \"color=blue\"}, f
assert f[\"x1\"][\"mean\"] > f[\"x2\"][\"mean\"] > 0.05, f
assert abs(f[\"color=blue\"][\"mean\"]) < 0.05 and all(v[\"std\"] >= 0 for v in f.values()), f
"'
