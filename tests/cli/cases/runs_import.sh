# importing a legacy MLflow file store (mlruns/) into the SQLite store
ARGS=(runs import "$DATA/track/mlruns")
STDOUT_HAS=("imported 2 runs (0 already present), 1 logged model, from 2 experiments")
CHECK='"$CIP_BIN" runs list --experiment clv-original | grep -q rf-original && "$CIP_BIN" runs import "$DATA/track/mlruns" | grep -q "imported 0 runs (2 already present)" && "$CIP_BIN" runs show baa8dc69 | grep -q "cv/r2 *0.93000000000000005 (step 2)"'
