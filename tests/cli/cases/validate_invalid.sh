# Out-of-range values: one line per violation class with count, lines and values; exit 1.
ARGS=(validate "$DATA/schema/ranges.csv")
EXIT=1
STDOUT_HAS=("error: age: out_of_range: 3 rows (must be in [0, 120]); at lines 3 (130), 5 (-1), 7 (121)"
            "error: loyalty_score: out_of_range: 2 rows (must be in [0, 10]); at lines 6 (10.5), 7 (-0.5)"
            "error: purchase_frequency: out_of_range: 1 row (must be >= 0); at line 6 (-2)"
            "verdict: unusable (5 errors, 0 warnings)")
