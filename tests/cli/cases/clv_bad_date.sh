# an impossible date is reported with file:line
ARGS=(clv summary --no-track "$DATA/clv/tx_bad_date.csv" -c 2020-01-31)
EXIT=1
STDERR_HAS=("tx_bad_date.csv:3: bad date '2020-02-31'")
