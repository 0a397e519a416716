ARGS=(train forecast "$DATA/train/generic.csv")
EXIT=2
STDERR_HAS=("unknown task 'forecast' (clv, churn or segments)")
