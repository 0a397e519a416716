# /dev/stdin reads standard input (here gzip-compressed)
gzip -c "$DATA/csv/mixed.csv" > "$WORK/in.gz"
STDIN="$WORK/in.gz"
ARGS=(describe -q /dev/stdin)
STDOUT_HAS=("/dev/stdin: 5 rows, 5 columns")
CHECK='gzip -c "$CIP_TEST_DATA/csv/mixed.csv" | "$CIP_BIN" describe -q --json /dev/stdin | grep -q "\"rows\": 5"'
