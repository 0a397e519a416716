# register a run's logged model, alias it, and resolve models:/NAME@ALIAS
[ -x /usr/bin/python3 ] || { echo "SKIP: /usr/bin/python3 (seeds the store) is absent"; exit 0; }
"$CIP_BIN" runs gc --mark-failed-older-than 1000d >/dev/null 2>&1 || exit 1
/usr/bin/python3 "$DATA/track/seed.py" mlflow.db mlartifacts || exit 1
"$CIP_BIN" models register churn runs:/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa01/model >reg.out 2>&1 || { cat reg.out; exit 1; }
grep -q "registered 'churn' version 1" reg.out || exit 1
"$CIP_BIN" models alias churn champion 1 >/dev/null || exit 1
ARGS=(models resolve models:/churn@champion)
STDOUT_HAS=("/mlartifacts/1/models/m-eeeeeeeeeeeeeeeeeeeeeeeeeeeeee05/artifacts")
CHECK='[ -f "$(cat .stdout)/MLmodel" ] && "$CIP_BIN" models resolve models:/churn/1 | grep -q m-eeee && "$CIP_BIN" models resolve runs:/aaaaaaaa/model | grep -q m-eeee'
