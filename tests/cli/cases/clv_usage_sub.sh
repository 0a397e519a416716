# an unknown subcommand is a usage error
ARGS=(clv forecast x.csv)
EXIT=2
STDERR_HAS=("unknown subcommand 'forecast'")
