# cip runs show with an 8-char prefix: attributes, params, metrics, tags
[ -x /usr/bin/python3 ] || { echo "SKIP: /usr/bin/python3 (seeds the store) is absent"; exit 0; }
"$CIP_BIN" runs gc --mark-failed-older-than 1000d >/dev/null 2>&1 || exit 1
/usr/bin/python3 "$DATA/track/seed.py" mlflow.db mlartifacts || exit 1
ARGS=(runs show aaaaaaaa)
STDOUT_HAS=("run_name:        rf-200" "experiment_id:   1" "model" "cv_r2" "(step 2)" "mlflow.runName")
