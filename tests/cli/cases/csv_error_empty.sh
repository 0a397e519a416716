# an empty file has no header
ARGS=(describe -q "$DATA/csv/empty.csv")
EXIT=1
STDERR_HAS=("empty.csv:1:1: found an empty file; expected a header row")
