# gzip input: by the .gz name and by the magic bytes
gzip -c "$DATA/csv/mixed.csv" > "$WORK/mixed.csv.gz"
ARGS=(describe -q "$WORK/mixed.csv.gz")
STDOUT_HAS=("5 rows, 5 columns" "Bob (2)")
CHECK='cp mixed.csv.gz plain.dat && "$CIP_BIN" describe -q plain.dat | grep -q "5 rows, 5 columns"'
