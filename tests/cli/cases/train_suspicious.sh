# a held-out score above --suspicious-above triggers the leakage audit: a "too good to be
# true" warning with the findings that explain it, tag cip.audit, artifact audit.json
NEEDS_SHARED=1
ARGS=(train clv "$SHARED/data/Customer_Purchasing_Behaviors.csv" --n-estimators 20 --cv 0 -q)
STDERR_HAS=("test_r2 = " "looks too good to be true" "[reconstruction]" "logged to sqlite:///mlflow.db")
CHECK='id=$(sed -n "s/^run \([0-9a-f]*\) logged to.*/\1/p" .stderr) &&
"$CIP_BIN" runs show "$id" | grep -q "cip.audit *leaks" &&
ls mlartifacts/*/"$id"/artifacts/audit.json >/dev/null &&
"$CIP_BIN" train clv "$SHARED/data/Customer_Purchasing_Behaviors.csv" --n-estimators 20 --cv 0 -q \
  --suspicious-above 1 --no-track 2>q.err && ! grep -q "too good" q.err'
