# usage errors exit 2
ARGS=(pipeline "$SRC/data/customers.csv" --test-size 2)
EXIT=2
STDERR_HAS=("--test-size wants a fraction in (0, 1)" "try 'cip pipeline --help'")
CHECK='"$CIP_BIN" pipeline a.csv --calibration-end 1997-09-30 2>err.txt; test $? = 2 && grep -q "need --transactions" err.txt &&
  "$CIP_BIN" pipeline 2>/dev/null; test $? = 2 && "$CIP_BIN" pipeline a.csv --grid missing.txt 2>/dev/null; test $? = 2'
