# Without -o the table goes to standard output: header + 3 rows, ids 1..3.
ARGS=(generate --customers 3 --seed 1)
EXIT=0
STDOUT_HAS=("user_id,age,annual_income,purchase_amount,loyalty_score,region,purchase_frequency")
CHECK='test $(wc -l < .stdout) = 4 && test "$(cut -d, -f1 .stdout | tr "\n" " ")" = "user_id 1 2 3 "'
