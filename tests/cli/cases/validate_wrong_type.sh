# Text in a numeric column and numbers as region: unusable.
ARGS=(validate "$DATA/schema/wrong_type.csv")
EXIT=1
STDOUT_HAS=("error: age: wrong_type: 2 rows (must be numeric); at lines 3 (abc), 5 (old)"
            "error: region: wrong_type: 4 rows (must be text (a category label))")
