ARGS=(train clv "$DATA/train/generic.csv" -q)
EXIT=1
STDERR_HAS=("purchase_amount")
