# A region the pipeline was not fitted on is an error naming it and its row...
ARGS=(features "$DATA/features/unknown_region.csv" --fit-on "$DATA/features/small_raw.csv" -o out.csv)
EXIT=1
STDERR_HAS=("region 'Mars' at data row 2 was not seen")
# ...unless allowed: then it keeps its label and no one-hot column is True.
CHECK="\"\$CIP_BIN\" features '$DATA/features/unknown_region.csv' --fit-on '$DATA/features/small_raw.csv' --allow-unknown-region -q -o ok.csv && grep -q '^2,34,55000,350,7.0000,Mars,18,Mars,False,False,False,' ok.csv"
