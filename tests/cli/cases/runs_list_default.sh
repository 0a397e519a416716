# cip runs list: the default store is sqlite:///mlflow.db in the working directory
[ -x /usr/bin/python3 ] || { echo "SKIP: /usr/bin/python3 (seeds the store) is absent"; exit 0; }
"$CIP_BIN" runs gc --mark-failed-older-than 1000d >/dev/null 2>&1 || exit 1
/usr/bin/python3 "$DATA/track/seed.py" mlflow.db mlartifacts || exit 1
ARGS=(runs list)
STDOUT_HAS=("RUN_ID" "rf-200" "linear" "crashed" "RUNNING" "test_r2=0.91")
