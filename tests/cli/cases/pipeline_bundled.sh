# the main job on the bundled data: validates, engineers 29 columns, writes both files
ARGS=(pipeline "$SRC/data/customers.csv" --out out -q)
EXIT=0
STDOUT_HAS=("engineered table: 238 rows x 29 columns" "churn label (churn_risk_score > q75):" "written: out/features.csv")
CHECK='test $(wc -l < out/features.csv) = 239 && head -1 out/features.csv | grep -q "^user_id,age,annual_income,purchase_amount,loyalty_score,region,purchase_frequency,region_grouped" && "$CIP_BIN" features "$SRC/data/customers.csv" --pipeline out/featpipe.cfp -o again.csv && cmp again.csv out/features.csv'
