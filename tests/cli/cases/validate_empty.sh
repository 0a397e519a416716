# A header without rows is unusable.
ARGS=(validate "$DATA/schema/empty.csv")
EXIT=1
STDOUT_HAS=("error: no_rows (the table must have data rows)")
