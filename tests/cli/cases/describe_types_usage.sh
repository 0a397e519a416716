# a malformed --types list is a usage error
ARGS=(describe --types id=int "$DATA/csv/mixed.csv")
EXIT=2
STDERR_HAS=("--types needs NAME:TYPE" "try 'cip describe --help'")
