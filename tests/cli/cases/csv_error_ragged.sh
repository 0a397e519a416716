# a row with too many fields
ARGS=(describe -q "$DATA/csv/ragged.csv")
EXIT=1
STDERR_HAS=("ragged.csv:3:5: found too many fields in this row (3); expected 2 as in the header")
