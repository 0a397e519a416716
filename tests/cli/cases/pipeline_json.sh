# --json prints summary.json itself on stdout
printf 'n_estimators=10\n' > grid.txt
ARGS=(pipeline "$SRC/data/customers.csv" --out out --no-track -q --json --grid grid.txt --cv 2 --no-report)
EXIT=0
STDOUT_HAS=('"cip_version": "' '"criteria": [')
STDOUT_LACKS=("success criteria")
CHECK='cmp .stdout out/summary.json && test ! -e out/report.html'
