# Absent required columns are all named.
ARGS=(features "$DATA/features/no_age_region.csv" -o out.csv)
EXIT=1
STDERR_HAS=("missing required columns 'age', 'region'")
CHECK="test ! -e out.csv"
