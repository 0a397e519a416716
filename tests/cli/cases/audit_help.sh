# --help prints the usage, the options with defaults and the exit status
ARGS=(audit --help)
STDOUT_HAS=('usage: cip audit DATA --target COL' '--label-rule RULE' '(default 0.2)' '(default 42)' 'Exit status:')
