# an explicit --model that is not a bundle fails the start (exit 1), naming it
ARGS=(serve --port 0 --model "$DATA/features")
EXIT=1
STDERR_HAS=("is not a model bundle")
