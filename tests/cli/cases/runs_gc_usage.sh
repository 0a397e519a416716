# gc needs an age
ARGS=(runs gc)
EXIT=2
STDERR_HAS=("--mark-failed-older-than")
