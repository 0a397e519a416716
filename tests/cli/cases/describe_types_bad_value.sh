# a value that does not parse under a forced type: file:line:col, value, expected type
ARGS=(describe -q --types b:int "$DATA/csv/big_int.csv")
EXIT=1
STDERR_HAS=("big_int.csv:3:3: column 'b': found '99999999999999999999', outside the int64 range; expected int")
