# evaluate records its scores as metrics and the C5 JSON as artifact evaluation.json
NEEDS_SHARED=1
ARGS=(clv evaluate "$SHARED/data/CDNOW_sample.txt" -c 1997-09-30 -e 1998-06-30 --no-forest -q
      --tracking-uri "sqlite:///$WORK/t.db")
STDOUT_HAS=("BG/NBD P(no purchase) > 0.5")
CHECK='"$CIP_BIN" runs list --experiment cip-clv --json --tracking-uri "sqlite:///$WORK/t.db" >runs.json &&
/usr/bin/python3 - <<PY
import json, os
r = json.load(open("runs.json"))[0]
m = r["metrics"]
assert abs(m["purchases_bgnbd_cumulative_error"] + 0.0411) < 5e-4, m
assert abs(m["spend_bg_nbd_mae"] - 30.4079) < 1e-3, m
assert abs(m["churn_no_purchase_in_the_last_n_roc_auc"] - 0.7714) < 1e-3, m
assert r["params"]["forest"] == "false" and r["params"]["subcommand"] == "evaluate"
art = r["artifact_uri"][len("file://"):]
d = json.load(open(os.path.join(art, "evaluation.json")))
assert d["customers"] == 2357 and d["forest"] is None
PY'
