# max_samples and oob_score need bootstrap, as in scikit-learn; a bad yes/no value is named
ARGS=(train clv "$DATA/train/generic.csv" --target y --bootstrap false --oob-score)
EXIT=2
STDERR_HAS=("oob_score")
