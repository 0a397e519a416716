# A bad number is a usage error.
ARGS=(generate --customers many)
EXIT=2
STDERR_HAS=("--customers needs a count, not 'many'")
