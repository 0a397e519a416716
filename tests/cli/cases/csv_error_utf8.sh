# invalid UTF-8 in a categorical field
ARGS=(describe -q "$DATA/csv/bad_utf8.csv")
EXIT=1
STDERR_HAS=("bad_utf8.csv:3:6: column 'b': found invalid UTF-8 in 'caf\xE9'; expected UTF-8 text")
