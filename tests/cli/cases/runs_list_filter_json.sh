# MLflow search syntax, order and limit; --json uses MLflow's field names
[ -x /usr/bin/python3 ] || { echo "SKIP: /usr/bin/python3 (seeds the store) is absent"; exit 0; }
"$CIP_BIN" runs gc --mark-failed-older-than 1000d >/dev/null 2>&1 || exit 1
/usr/bin/python3 "$DATA/track/seed.py" mlflow.db mlartifacts || exit 1
ARGS=(runs list --experiment churn --filter "metrics.test_r2 > 0.8 and params.model = 'rf'" --order-by "metrics.test_r2 DESC" --json)
STDOUT_HAS=('"run_id": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa01"' '"run_name": "rf-200"' '"experiment_id": "1"' '"metrics": {"cv_r2": 0.87, "test_r2": 0.91000000000000003}' '"params": {"model": "rf"}' '"status": "FINISHED"' '"end_time": ')
STDOUT_LACKS=('"linear"' '"crashed"')
CHECK='"$CIP_BIN" runs list --filter "metrics.test_r2 > 0.8" --order-by "metrics.test_r2 DESC" --max 1 | grep -c rf- | grep -qx 1'
