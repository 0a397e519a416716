ARGS=(predict --model "$DATA" "$DATA/features/small_raw.csv")
EXIT=1
STDERR_HAS=("is not a model bundle")
