# an unreachable tracking server: refused before training, one message naming the URL
ARGS=(train clv "$DATA/train/generic.csv" --target y --features x1,x2 --cv 0 --n-estimators 5
      -q --tracking-uri http://127.0.0.1:9)
EXIT=1
STDERR_HAS=("cannot reach the MLflow tracking server at http://127.0.0.1:9" "--no-track")
CHECK='[ ! -s .stdout ] && [ ! -e mlflow.db ]'
