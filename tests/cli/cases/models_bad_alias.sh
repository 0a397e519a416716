# aliases that read as versions are refused
[ -x /usr/bin/python3 ] || { echo "SKIP: /usr/bin/python3 (seeds the store) is absent"; exit 0; }
"$CIP_BIN" runs gc --mark-failed-older-than 1000d >/dev/null 2>&1 || exit 1
/usr/bin/python3 "$DATA/track/seed.py" mlflow.db mlartifacts || exit 1
"$CIP_BIN" models register churn runs:/aaaaaaaa/model >/dev/null || exit 1
ARGS=(models alias churn v2 1)
EXIT=1
STDERR_HAS=("alias 'v2' is reserved")
