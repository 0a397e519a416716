# usage errors exit 2 with a hint
ARGS=(train churn "$DATA/train/generic.csv" --cv 1)
EXIT=2
STDERR_HAS=("--cv needs 0 or a fold count >= 2" "try 'cip train --help'")
