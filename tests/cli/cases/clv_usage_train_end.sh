# the forest training cutoff must come before the calibration end
ARGS=(clv evaluate --no-track "$DATA/clv/tx_small.csv" -c 2020-01-31 --train-end 2020-02-15)
EXIT=2
STDERR_HAS=("--train-end must be before --calibration-end")
