# --json summary in months: the unit is carried into the output
ARGS=(clv summary --no-track "$DATA/clv/tx_small.csv" -c 2020-01-31 -e 2020-03-31 --unit month --json)
STDOUT_HAS=('"unit": "months"' '"customers": 2' '"later_customers": 1' '"repeat_transactions": 1'
            '"holdout_transactions": 2')
CHECK='/usr/bin/python3 -c "import json; d = json.load(open(\".stdout\")); assert abs(d[\"holdout_length\"] - 60 / 30.4375) < 1e-9"'
