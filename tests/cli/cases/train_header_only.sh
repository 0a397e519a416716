# a table with a header and no data rows is refused with a clear message, not a split error
printf 'a,b,y\n' > header_only.csv
ARGS=(train clv header_only.csv --target y --no-track)
EXIT=1
STDERR_HAS=("the table has no data rows (only a header)")
