# Fit + save, then load the saved pipeline in a second run: same bytes.
ARGS=(features "$DATA/features/small_raw.csv" -o a.csv -q --save-pipeline p.fp)
CHECK="head -1 p.fp | grep -qx 'cip-featpipe 1' && \"\$CIP_BIN\" features '$DATA/features/small_raw.csv' --pipeline p.fp -o b.csv -q && cmp a.csv b.csv && cmp b.csv '$DATA/features/small_expected.csv'"
