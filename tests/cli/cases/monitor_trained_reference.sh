# cip train -o writes reference.json into the bundle, so monitoring needs no training data
"$CIP_BIN" generate -n 400 --seed 3 -o ref.csv -q
"$CIP_BIN" generate -n 400 --seed 4 --drift 'age+15' -o cur.csv -q
"$CIP_BIN" train clv ref.csv --cv 0 -o m --no-track -q >/dev/null 2>&1
ARGS=(monitor --model m --current cur.csv --no-track)
EXIT=0
STDOUT_HAS=('age                    num  alert' 'annual_income          num  ok')
CHECK='test -s m/reference.json && grep -q "\"age\"" m/reference.json'
