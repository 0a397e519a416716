# MLFLOW_TRACKING_URI is used when --tracking-uri is absent; default experiment "cip"
export MLFLOW_TRACKING_URI="sqlite:///$WORK/env.db"
ARGS=(train segments "$DATA/train/generic.csv" --features x1,x2 --k 2..3 --n-init 2 -q)
STDERR_HAS=("logged to sqlite:///$WORK/env.db")
CHECK='[ ! -e mlflow.db ] && "$CIP_BIN" experiments list | grep -q "cip" &&
"$CIP_BIN" runs list --experiment cip | grep -q "segments-"'
