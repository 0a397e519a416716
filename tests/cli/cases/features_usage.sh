# --pipeline excludes the fit options.
ARGS=(features "$DATA/features/small_raw.csv" --pipeline p.fp --fit-on x.csv)
EXIT=2
STDERR_HAS=("--pipeline cannot be combined" "try 'cip features --help'")
