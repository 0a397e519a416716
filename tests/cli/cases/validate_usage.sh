# No FILE: usage error, exit 2.
ARGS=(validate)
EXIT=2
STDERR_HAS=("cip validate: missing FILE" "cip validate --help")
