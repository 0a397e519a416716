# no FILE, or an unknown option: usage errors (exit 2)
ARGS=(describe --json)
EXIT=2
STDERR_HAS=("missing FILE")
