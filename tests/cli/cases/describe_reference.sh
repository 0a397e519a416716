# cip describe on the shared reference table: shape, types, pandas statistics
NEEDS_SHARED=1
ARGS=(describe -q "$SHARED/data/Customer_Purchasing_Behaviors.csv")
STDOUT_HAS=("238 rows, 7 columns (6 numeric/bool, 1 category)" "loyalty_score" "float"
            "6.79412" "1.89905" "8.275" "North (78), South (77), West (77), East (6)")
