# an unknown model name is a usage error
ARGS=(clv fit --no-track "$DATA/clv/tx_small.csv" -c 2020-01-31 --model nbd)
EXIT=2
STDERR_HAS=("--model must be bgnbd, pareto, gamma-gamma or all, not 'nbd'")
