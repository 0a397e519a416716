# --types forces a column type (ids as categories, a year as float)
ARGS=(describe -q --types id:category,joined:float "$DATA/csv/mixed.csv")
STDOUT_HAS=("3 numeric/bool, 2 category" "joined float" "id     category")
