# The original project's raw table passes every rule.
NEEDS_SHARED=1
ARGS=(validate "$SHARED/data/Customer_Purchasing_Behaviors.csv")
EXIT=0
STDOUT_HAS=("238 rows, 7 columns" "verdict: usable (0 errors, 0 warnings)")
