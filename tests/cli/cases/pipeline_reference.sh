# on the reference table the engineered output equals the original project's file
NEEDS_SHARED=1
ARGS=(pipeline "$SHARED/data/Customer_Purchasing_Behaviors.csv" --out out -q --json)
EXIT=0
STDOUT_HAS=('"rows": 238' '"columns": 29' '"churn_positive": 60' '"churn_negative": 178')
CHECK='cmp out/features.csv "$SHARED/data/df_eng_customer_purchasing_features.csv"'
