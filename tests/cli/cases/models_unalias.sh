# removing an alias; resolving it afterwards fails clearly
[ -x /usr/bin/python3 ] || { echo "SKIP: /usr/bin/python3 (seeds the store) is absent"; exit 0; }
"$CIP_BIN" runs gc --mark-failed-older-than 1000d >/dev/null 2>&1 || exit 1
/usr/bin/python3 "$DATA/track/seed.py" mlflow.db mlartifacts || exit 1
"$CIP_BIN" models register churn runs:/aaaaaaaa/model >/dev/null || exit 1
"$CIP_BIN" models alias churn champion 1 >/dev/null || exit 1
ARGS=(models unalias churn champion)
STDOUT_HAS=("removed alias 'champion' of 'churn'")
CHECK='! "$CIP_BIN" models resolve models:/churn@champion 2>err.txt && grep -q "has no alias" err.txt'
