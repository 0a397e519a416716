# --max-header-bytes out of range is a usage error (exit 2) before anything is loaded
ARGS=(serve --port 0 --max-header-bytes 100)
EXIT=2
STDERR_HAS=("--max-header-bytes needs a number in 1024..1048576")
