# --show takes a count up to 1000.
ARGS=(validate --show 5000 "$DATA/schema/valid.csv")
EXIT=2
STDERR_HAS=("--show needs a count in 0..1000")
