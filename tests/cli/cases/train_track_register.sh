# cip train logs a run by default: params, metrics, the model as LoggedModel "model",
# registered with alias champion (first version) then challenger; run id on stderr
"$CIP_BIN" train clv "$DATA/train/generic.csv" --target y --features x1,x2,color --cv 3 \
    --n-estimators 20 -q --tracking-uri "sqlite:///$WORK/t.db" --register cip-clv \
    --experiment exp1 >first.out 2>first.err || { cat first.err; exit 1; }
grep -q "registered cip-clv version 1 (alias champion)" first.err || { cat first.err; exit 1; }
ARGS=(train clv "$DATA/train/generic.csv" --target y --features x1,x2,color --cv 3
      --n-estimators 20 -q --tracking-uri "sqlite:///$WORK/t.db" --register cip-clv
      --experiment exp1 --run-name second)
STDERR_HAS=("logged to sqlite:///$WORK/t.db" "registered cip-clv version 2 (alias challenger)")
CHECK='[ ! -e mlflow.db ] &&
id=$(sed -n "s/^run \([0-9a-f]*\) logged to.*/\1/p" .stderr) && [ ${#id} = 32 ] &&
"$CIP_BIN" runs show "$id" --tracking-uri "sqlite:///$WORK/t.db" --json >show.json &&
/usr/bin/python3 -c "
import json
r = json.load(open(\"show.json\"))
r = r[0] if isinstance(r, list) else r
p, t, m = r[\"params\"], r[\"tags\"], r[\"metrics\"]
assert r[\"run_name\"] == \"second\" and r[\"status\"] == \"FINISHED\", r
assert p[\"task\"] == \"clv\" and p[\"seed\"] == \"42\" and p[\"cv\"] == \"3\" and p[\"n_estimators\"] == \"20\", p
assert p[\"data_fingerprint\"].startswith(\"sha256:\") and p[\"split\"] == \"random\", p
assert t[\"cip.command\"].startswith(\"cip train clv \") and \"--run-name second\" in t[\"cip.command\"], t
assert t[\"mlflow.source.type\"] == \"LOCAL\" and \"cip.build\" in t and \"test_r2\" in m, t
" && "$CIP_BIN" models show cip-clv --tracking-uri "sqlite:///$WORK/t.db" | grep -q champion &&
"$CIP_BIN" models resolve models:/cip-clv@challenger --tracking-uri "sqlite:///$WORK/t.db" >dir.txt &&
[ -f "$(cat dir.txt)/manifest.json" ] && [ -f "$(cat dir.txt)/model.forest" ]'
