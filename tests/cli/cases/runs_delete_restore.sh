# soft delete hides a run from list; restore brings it back
[ -x /usr/bin/python3 ] || { echo "SKIP: /usr/bin/python3 (seeds the store) is absent"; exit 0; }
"$CIP_BIN" runs gc --mark-failed-older-than 1000d >/dev/null 2>&1 || exit 1
/usr/bin/python3 "$DATA/track/seed.py" mlflow.db mlartifacts || exit 1
ARGS=(runs delete bbbbbbbb)
STDERR_HAS=("deleted bbbbbbbb")
CHECK='! "$CIP_BIN" runs list | grep -q linear && "$CIP_BIN" runs list --deleted | grep -q linear && "$CIP_BIN" runs restore bbbbbbbb 2>/dev/null && "$CIP_BIN" runs list | grep -q linear'
