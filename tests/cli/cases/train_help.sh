ARGS=(train --help)
STDOUT_HAS=("usage: cip train clv|churn|segments DATA" "--n-estimators N" "--k A..B" "Exit status:")
