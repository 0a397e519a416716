# --delimiter tab reads a TSV
ARGS=(describe -q --delimiter tab "$DATA/csv/tabs.tsv")
STDOUT_HAS=("2 rows, 2 columns" "3.25")
