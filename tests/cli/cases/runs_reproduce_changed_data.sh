# cip runs reproduce refuses when the data file changed since the run; a run without a
# recorded command is refused too
cp "$DATA/train/generic.csv" g.csv
"$CIP_BIN" train clv g.csv --target y --features x1,x2 --cv 0 --n-estimators 5 -q \
    >/dev/null 2>train.err || { cat train.err; exit 1; }
id=$(sed -n 's/^run \([0-9a-f]*\) logged to.*/\1/p' train.err)
sed -i '2d' g.csv
ARGS=(runs reproduce "$id")
EXIT=1
STDERR_HAS=("refusing to reproduce run $id: the data file '$WORK/g.csv' changed since the run"
            "recorded sha256:")
STDOUT_LACKS=("identical")
CHECK='"$CIP_BIN" runs reproduce 0123456789abcdef 2>e.txt; [ $? = 1 ] && grep -q "not found" e.txt'
