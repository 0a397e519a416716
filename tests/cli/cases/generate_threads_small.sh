# A small table with duplicates: the same bytes with 1 and 2 threads.
ARGS=(generate --customers 70000 --seed 3 --duplicates -q -o two.csv)
EXIT=0
CHECK='OMP_NUM_THREADS=1 "$CIP_BIN" generate --customers 70000 --seed 3 --duplicates -q -o one.csv && cmp one.csv two.csv && test "$(tail -n 1 one.csv | cut -d, -f1)" = 70000'
