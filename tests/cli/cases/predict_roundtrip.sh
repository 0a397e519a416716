# train on the raw customer fixture, save a bundle, score raw rows with it
ARGS=(train churn "$DATA/features/small_raw.csv" --cv 0 --test-size 0 --n-estimators 10 -q -o model)
STDOUT_HAS=("model bundle: model")
CHECK='test -f model/manifest.json && test -f model/model.forest && test -f model/featpipe.txt &&
  grep -q "\"task\": \"churn\"" model/manifest.json &&
  "$CIP_BIN" predict --model model "$DATA/features/small_raw.csv" -o p.csv -q &&
  head -1 p.csv | grep -qx "user_id,prediction,probability" && [ $(wc -l < p.csv) = 25 ]'
