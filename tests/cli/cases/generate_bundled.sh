# data/customers.csv is exactly this command's output (docs/SCHEMA.md).
ARGS=(generate --customers 238 --seed 2024 --noise 0.5 -o customers.csv)
EXIT=0
CHECK="cmp customers.csv '$SRC/data/customers.csv'"
