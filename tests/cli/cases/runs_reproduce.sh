# cip runs reproduce: re-executes the recorded `cip train` command (relative data path,
# recorded working directory) and finds byte-identical model files
cp "$DATA/train/generic.csv" g.csv
"$CIP_BIN" train clv g.csv --target y --features x1,x2,color --cv 3 --n-estimators 20 \
    --seed 5 --threads 2 -q -o m >/dev/null 2>train.err || { cat train.err; exit 1; }
id=$(sed -n 's/^run \([0-9a-f]*\) logged to.*/\1/p' train.err)
[ ${#id} = 32 ] || { cat train.err; exit 1; }
mkdir elsewhere && cd elsewhere
ARGS=(runs reproduce "${id:0:10}" --tracking-uri "sqlite:///$WORK/mlflow.db")
STDOUT_HAS=("run $id" "model.forest   identical" "manifest.json  identical" "byte-identical")
STDERR_HAS=("unchanged (sha256:" "--seed 5" "--no-track")
CHECK='[ ! -e "$WORK/elsewhere/m" ] && [ ! -e "$WORK/elsewhere/mlflow.db" ] && [ -f "$WORK/m/model.forest" ]'
