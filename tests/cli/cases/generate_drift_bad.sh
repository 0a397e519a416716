# an unknown column in --drift is a usage error
ARGS=(generate -n 5 --drift 'height+3')
EXIT=2
STDERR_HAS=("unknown column 'height'")
