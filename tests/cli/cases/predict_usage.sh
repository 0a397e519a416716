ARGS=(predict "$DATA/features/small_raw.csv")
EXIT=2
STDERR_HAS=("missing --model MODEL")
