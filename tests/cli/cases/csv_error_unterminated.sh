# a quote opened and never closed
ARGS=(describe -q "$DATA/csv/unterminated.csv")
EXIT=1
STDERR_HAS=("unterminated.csv:2:3: unterminated quoted field")
