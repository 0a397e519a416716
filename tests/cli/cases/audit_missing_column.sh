# an unknown target column fails with exit 1 and names the column
ARGS=(audit "$DATA/audit/clean.csv" --target nope)
EXIT=1
STDERR_HAS=('nope')
