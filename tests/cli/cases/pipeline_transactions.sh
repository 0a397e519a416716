# --transactions adds the CLV module's holdout evaluation (contract C5) to the summary
NEEDS_SHARED=1
ARGS=(pipeline "$SRC/data/customers.csv" --out out --no-track -q --grid "n_estimators=10" --cv 2 --no-leaky
  --transactions "$SHARED/data/CDNOW_sample.txt" --calibration-end 1997-09-30 --holdout-end 1998-06-30)
EXIT=0
STDOUT_HAS=("honesty verdict: ")
CHECK='/usr/bin/python3 -c "
import json; t = json.load(open(\"out/summary.json\"))[\"transactions\"]
assert t[\"calibration_end\"] == \"1997-09-30\" and t[\"holdout_end\"] == \"1998-06-30\" and t[\"customers\"] == 2357
assert t[\"methods\"][0][\"name\"] == \"BG/NBD\" and \"cumulative\" in t and \"fits\" in t
"'
