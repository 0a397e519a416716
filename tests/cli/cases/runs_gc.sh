# a run whose process died stays RUNNING until gc marks it FAILED
[ -x /usr/bin/python3 ] || { echo "SKIP: /usr/bin/python3 (seeds the store) is absent"; exit 0; }
"$CIP_BIN" runs gc --mark-failed-older-than 1000d >/dev/null 2>&1 || exit 1
/usr/bin/python3 "$DATA/track/seed.py" mlflow.db mlartifacts || exit 1
ARGS=(runs gc --mark-failed-older-than 1h)
STDOUT_HAS=("marked 1 run FAILED")
CHECK='"$CIP_BIN" runs show dddddddd | grep -q "status:          FAILED" && "$CIP_BIN" runs show aaaaaaaa | grep -q "status:          FINISHED"'
