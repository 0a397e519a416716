# a run without a logged model of that name
[ -x /usr/bin/python3 ] || { echo "SKIP: /usr/bin/python3 (seeds the store) is absent"; exit 0; }
"$CIP_BIN" runs gc --mark-failed-older-than 1000d >/dev/null 2>&1 || exit 1
/usr/bin/python3 "$DATA/track/seed.py" mlflow.db mlartifacts || exit 1
ARGS=(models register churn runs:/bbbbbbbb/model)
EXIT=1
STDERR_HAS=("has no logged model named 'model'")
