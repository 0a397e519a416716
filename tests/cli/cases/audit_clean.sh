# synthetic customers (cip generate -s 1 -n 120) without a planted leak: no
# high finding, so even --strict exits 0; user_id is seen as an identifier
ARGS=(audit "$DATA/audit/clean.csv" --target purchase_amount --strict)
STDOUT_HAS=('verdict: warnings (0 high' "[id_column] 'user_id' is unique per row")
STDOUT_LACKS=('HIGH')
