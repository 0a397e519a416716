# an unusable tracking URI is refused before training, with one clear message;
# nothing is created
ARGS=(train clv "$DATA/train/generic.csv" --target y --features x1,x2 --cv 0 --n-estimators 5
      -q -o model --tracking-uri "postgres://db/x")
EXIT=1
STDERR_HAS=("unknown tracking URI scheme 'postgres'" "--no-track")
CHECK='[ ! -e model ] && [ ! -e mlflow.db ] && [ ! -s .stdout ]'
