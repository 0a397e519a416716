# --id-column '' disables the id rule (and the id column is no longer required).
ARGS=(validate --id-column "" "$DATA/schema/dup_ids.csv")
EXIT=0
STDOUT_HAS=("verdict: usable (0 errors, 0 warnings)")
