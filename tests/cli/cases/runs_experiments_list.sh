# cip experiments list: Default (0) and the seeded experiment
[ -x /usr/bin/python3 ] || { echo "SKIP: /usr/bin/python3 (seeds the store) is absent"; exit 0; }
"$CIP_BIN" runs gc --mark-failed-older-than 1000d >/dev/null 2>&1 || exit 1
/usr/bin/python3 "$DATA/track/seed.py" mlflow.db mlartifacts || exit 1
ARGS=(experiments list --json)
STDOUT_HAS=('"experiment_id": "0", "name": "Default"' '"name": "churn"' '"n_runs": 4')
