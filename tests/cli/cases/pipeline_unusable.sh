# an unusable table stops the pipeline with exit 1 and the validation messages
ARGS=(pipeline "$DATA/schema/ranges.csv" --out out -q --no-track)
EXIT=1
STDERR_HAS=("unusable")
STDOUT_HAS=("validation messages:")
CHECK='test -s out/summary.json && test ! -e out/predictions.csv'
