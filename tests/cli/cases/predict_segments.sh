# a k-means bundle: one segment per row, within the chosen k
ARGS=(train segments "$DATA/features/small_raw.csv" --k 2..3 -q -o seg)
STDOUT_HAS=("chosen k:")
CHECK='"$CIP_BIN" predict -m seg "$DATA/features/small_raw.csv" > p.csv &&
  head -1 p.csv | grep -qx "user_id,segment" && [ $(wc -l < p.csv) = 25 ] &&
  ! tail -n +2 p.csv | cut -d, -f2 | grep -qv "^[0-2]$"'
