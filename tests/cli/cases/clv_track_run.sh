# every clv command is a tracked run: params, metrics (fitted parameters) and the command line
NEEDS_SHARED=1
ARGS=(clv fit "$SHARED/data/CDNOW_sample.txt" -c 1997-09-30 --model bgnbd
      --tracking-uri "sqlite:///$WORK/t.db" --experiment clv-test)
STDOUT_HAS=("log-likelihood -9582.429")
STDERR_HAS=("recorded run" "in experiment 'clv-test'")
CHECK='"$CIP_BIN" runs list --experiment clv-test --json --tracking-uri "sqlite:///$WORK/t.db" >runs.json &&
/usr/bin/python3 - <<PY
import json
r = json.load(open("runs.json"))
assert len(r) == 1 and r[0]["status"] == "FINISHED" and r[0]["run_name"] == "clv-fit", r
assert r[0]["params"]["calibration_end"] == "1997-09-30" and r[0]["params"]["model"] == "bgnbd"
assert abs(r[0]["metrics"]["bgnbd_r"] - 0.2426) < 1e-4
assert r[0]["tags"]["cip.command"].startswith("cip clv fit "), r[0]["tags"]
PY'
