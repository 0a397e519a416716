# A missing file is a runtime failure (exit 1), not a usage error.
ARGS=(validate no-such-file.csv)
EXIT=1
STDERR_HAS=("cannot open 'no-such-file.csv'")
