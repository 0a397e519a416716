# a typo in the policy is an error naming file and line
printf 'trigger = drift\nalpah = 0.1\n' > pol.txt
ARGS=(retrain --model cip-clv --data x.csv --policy pol.txt --tracking-uri "sqlite:///$WORK/m.db")
EXIT=1
STDERR_HAS=('pol.txt:2: alpah: unknown key')
