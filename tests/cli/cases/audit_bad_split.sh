# an unknown split kind is a usage error
ARGS=(audit "$DATA/audit/clean.csv" --target purchase_amount --split time)
EXIT=2
STDERR_HAS=('--split must be random, stratified or group')
