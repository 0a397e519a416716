# a header-only file is a valid table with 0 rows
ARGS=(describe -q "$DATA/csv/header_only.csv")
STDOUT_HAS=("0 rows, 3 columns")
