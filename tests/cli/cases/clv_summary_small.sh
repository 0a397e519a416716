# summary of a small CSV in days, with the per-customer table and RFM columns
ARGS=(clv summary --no-track "$DATA/clv/tx_small.csv" -c 2020-01-31 -e 2020-03-31 --unit day -o table.csv)
STDOUT_HAS=("customers               2 (1 first buying after calibration excluded)"
            "1 same-day purchases merged" "(60 days)")
CHECK='grep -qx "A,1,14,30,20,17.5,1,30,[1-5],[1-5],[1-5],[a-z-]*" table.csv'
