# --strict refuses to train when features leak: exit 1 with the findings, no model
ARGS=(pipeline "$SRC/data/customers.csv" --out out -q --no-track --strict)
EXIT=1
STDOUT_HAS=("audit: refused" "refused to train (strict)" "findings:" "spend_to_income_ratio")
STDERR_HAS=("refused to train")
CHECK='test ! -e out/predictions.csv && grep -q "\"verdict\": \"refused\"" out/summary.json'
