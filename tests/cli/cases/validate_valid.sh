# A clean customer table: usable, no violation lines, exit 0.
ARGS=(validate "$DATA/schema/valid.csv")
EXIT=0
STDOUT_HAS=("valid.csv: 5 rows, 7 columns" "verdict: usable (0 errors, 0 warnings)")
STDOUT_LACKS=("error:" "warning:")
