# a sample-weight column that is also a listed feature is refused, naming it
ARGS=(train clv "$DATA/train/generic.csv" --target y --features x1,x2 --sample-weight x2 --no-track)
EXIT=1
STDERR_HAS=("weight column 'x2' cannot also be a feature")
