# One million rows: the same bytes with 1 and 2 threads (16 RNG blocks).
ARGS=(generate --customers 1000000 --seed 7 -q -o two.csv)
EXIT=0
CHECK='OMP_NUM_THREADS=1 "$CIP_BIN" generate --customers 1000000 --seed 7 -q -o one.csv && cmp one.csv two.csv && test $(wc -l < one.csv) = 1000001'
