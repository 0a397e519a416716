# missing and unknown subcommands are usage errors
ARGS=(runs frobnicate)
EXIT=2
STDERR_HAS=("unknown subcommand 'frobnicate'" "try 'cip runs --help'")
