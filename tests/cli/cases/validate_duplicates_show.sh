# Repeated user_ids; --show 2 lists the first two of the three.
ARGS=(validate --show 2 "$DATA/schema/dup_ids.csv")
EXIT=1
STDOUT_HAS=("error: user_id: duplicate_id: 3 rows (must be unique); first lines 4 (10), 6 (11)"
            "verdict: unusable (1 error, 0 warnings)")
