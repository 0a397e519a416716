# A required column is absent: unusable.
ARGS=(validate "$DATA/schema/missing_column.csv")
EXIT=1
STDOUT_HAS=("error: region: missing_column (required column is absent)" "verdict: unusable")
