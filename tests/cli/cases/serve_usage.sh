# bad option values are usage errors (exit 2) before anything is loaded
ARGS=(serve --port 70000)
EXIT=2
STDERR_HAS=("--port needs a number in 0..65535")
