# Out-of-range parameters are usage errors naming the parameter.
ARGS=(generate --noise 11)
EXIT=2
STDERR_HAS=("noise 11 is outside [0, 10]")
