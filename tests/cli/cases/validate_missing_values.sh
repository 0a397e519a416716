# Empty and NA cells in required columns: unusable, lines listed without values.
ARGS=(validate "$DATA/schema/missing_values.csv")
EXIT=1
STDOUT_HAS=("error: age: missing_value: 2 rows (must not be empty); at lines 3, 6"
            "error: region: missing_value: 1 row (must not be empty); at line 4"
            "verdict: unusable (4 errors, 0 warnings)")
