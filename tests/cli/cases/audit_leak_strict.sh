# --strict exits 1 when a high-severity finding exists (the report is still printed)
ARGS=(audit "$DATA/audit/leak.csv" --target purchase_amount --strict)
EXIT=1
STDOUT_HAS=('verdict: leaks' 'HIGH' '120/120 rows exact after rounding to the grid 10')
