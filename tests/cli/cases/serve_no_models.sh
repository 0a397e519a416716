# no --model and no champion in the store: a clear error, exit 1
ARGS=(serve --port 0 --tracking-uri "sqlite:///$WORK/empty.db")
EXIT=1
STDERR_HAS=("no models to serve" "models:/cip-clv@champion")
