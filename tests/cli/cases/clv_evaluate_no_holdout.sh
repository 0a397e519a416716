# evaluate needs a holdout period after the calibration end
ARGS=(clv evaluate --no-track "$DATA/clv/tx_small.csv" -c 2020-03-01)
EXIT=2
STDERR_HAS=("evaluate needs a holdout")
