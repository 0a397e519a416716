# Fixture parity with pandas (tools/ref_features.py): missing bins, ties, East, Senior.
ARGS=(features "$DATA/features/small_raw.csv" -o out.csv -q)
CHECK="cmp out.csv '$DATA/features/small_expected.csv' && test ! -s .stderr"
