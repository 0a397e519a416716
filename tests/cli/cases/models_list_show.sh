# list and show, as text and JSON
[ -x /usr/bin/python3 ] || { echo "SKIP: /usr/bin/python3 (seeds the store) is absent"; exit 0; }
"$CIP_BIN" runs gc --mark-failed-older-than 1000d >/dev/null 2>&1 || exit 1
/usr/bin/python3 "$DATA/track/seed.py" mlflow.db mlartifacts || exit 1
"$CIP_BIN" models register churn models:/m-eeeeeeeeeeeeeeeeeeeeeeeeeeeeee05 --description "first" >/dev/null || exit 1
"$CIP_BIN" models register churn runs:/aaaaaaaa/model >/dev/null || exit 1
"$CIP_BIN" models alias churn champion 2 >/dev/null || exit 1
"$CIP_BIN" models alias churn challenger 1 >/dev/null || exit 1
ARGS=(models show churn --json)
STDOUT_HAS=('"name": "churn"' '"latest_version": 2' '"aliases": {"challenger": 1, "champion": 2}' '"version": 1' '"description": "first"' '"source": "models:/m-eeeeeeeeeeeeeeeeeeeeeeeeeeeeee05"' '"current_stage": "None"')
CHECK='"$CIP_BIN" models list | grep -q "churn *2  challenger=1 champion=2"'
