# a grid of several points cannot be chosen without cross-validation
ARGS=(train clv "$DATA/train/generic.csv" --target y --cv 0 --grid "max_depth=2,3" -q)
EXIT=1
STDERR_HAS=("needs cross-validation")
