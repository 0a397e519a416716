# duplicate column names
ARGS=(describe -q "$DATA/csv/dup_header.csv")
EXIT=1
STDERR_HAS=("dup_header.csv:1:6: found duplicate column name 'id' (columns 1 and 3)")
