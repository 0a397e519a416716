# an unusable table stops the pipeline with exit 1 and the validation report
ARGS=(pipeline "$DATA/schema/ranges.csv" --out out -q)
EXIT=1
STDERR_HAS=("unusable")
