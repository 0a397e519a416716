# The acceptance check: the reference raw table gives the reference engineered table, byte for byte.
NEEDS_SHARED=1
ARGS=(features "$SHARED/data/Customer_Purchasing_Behaviors.csv" -o out.csv)
STDERR_HAS=("238 rows x 29 columns")
CHECK="cmp out.csv '$SHARED/data/df_eng_customer_purchasing_features.csv'"
