# exporting runs as a legacy file store, and importing that into a new store
"$CIP_BIN" runs import "$DATA/track/mlruns" >/dev/null || exit 1
ARGS=(runs export --to out/mlruns --experiment clv-original)
STDOUT_HAS=("exported 2 runs to out/mlruns")
CHECK='test -f out/mlruns/0/meta.yaml && test -d out/mlruns/.trash && n=$(ls out/mlruns/*/baa8dc69e1f34c0b9a2d7e5f60718293/metrics/cv/r2 | wc -l) && test $n = 1 && grep -qx "1753538662000 nan 1" out/mlruns/*/baa8dc69e1f34c0b9a2d7e5f60718293/metrics/cv/r2 && "$CIP_BIN" runs import out/mlruns --tracking-uri sqlite:///copy.db | grep -q "imported 2 runs" && "$CIP_BIN" runs show baa8dc69 --tracking-uri sqlite:///copy.db | grep -q "rf-original"'
