# Default output is standard output; --json needs a file and prints the fitted state.
ARGS=(features "$DATA/features/small_raw.csv" -o out.csv --json -q)
STDOUT_HAS=('"rows": 24' '"fit_rows": 24' '"frequency_edges": [10, 14.75, 18.5, 23.25, 28]' '"regions": ["North", "South", "West"]')
CHECK="\"\$CIP_BIN\" features '$DATA/features/small_raw.csv' -q | cmp - '$DATA/features/small_expected.csv'"
