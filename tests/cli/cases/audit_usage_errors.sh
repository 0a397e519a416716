# a missing --target is a usage error (exit 2) naming the option
ARGS=(audit "$DATA/audit/clean.csv")
EXIT=2
STDERR_HAS=('--target is required')
