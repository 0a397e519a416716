# an unreadable file: exit 1 with the path and the system error
ARGS=(describe -q "$WORK/nope.csv")
EXIT=1
STDERR_HAS=("cannot open" "nope.csv" "No such file or directory")
