# usage errors: no calibration end, unknown subcommand/model/unit
ARGS=(clv summary --no-track "$DATA/clv/tx_small.csv")
EXIT=2
STDERR_HAS=("--calibration-end DATE is required" "try 'cip clv --help'")
