# The bundled synthetic table passes every rule.
ARGS=(validate "$SRC/data/customers.csv")
EXIT=0
STDOUT_HAS=("238 rows, 7 columns" "verdict: usable (0 errors, 0 warnings)")
