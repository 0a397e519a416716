# wrong argument counts are usage errors
ARGS=(models alias churn champion)
EXIT=2
STDERR_HAS=("'alias' takes 3 arguments")
