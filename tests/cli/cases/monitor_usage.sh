# cip monitor needs --model and --current
ARGS=(monitor --model somewhere)
EXIT=2
STDERR_HAS=('missing --current DATA')
