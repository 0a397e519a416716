# --no-track: no run, no store created in the working directory
ARGS=(train clv "$DATA/train/generic.csv" --target y --features x1,x2 --cv 0 --n-estimators 5
      -q --no-track)
STDOUT_HAS=("r2")
CHECK='[ ! -e mlflow.db ] && [ ! -e mlartifacts ] && ! grep -q "logged to" .stderr'
