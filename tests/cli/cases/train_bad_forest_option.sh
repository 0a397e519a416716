ARGS=(train clv "$DATA/train/generic.csv" --target y --max-features 1.5)
EXIT=2
STDERR_HAS=("forest parameter 'max_features' must be")
