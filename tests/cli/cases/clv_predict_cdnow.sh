# per-customer predictions: Hardie's conditional expectation 1.226 and spend 24.65 for customer 1
NEEDS_SHARED=1
ARGS=(clv predict --no-track "$SHARED/data/CDNOW_sample.txt" -c 1997-09-30 --horizon 39 -o pred.csv -q)
CHECK='head -1 pred.csv | grep -qx "customer_id,x,t_x,T,expected_purchases,p_alive,expected_spend,clv" && grep -q "^1,2,30.42857143,38.85714286,1.2259[0-9]*,0.7266[0-9]*,24.65[0-9]*," pred.csv && [ $(wc -l < pred.csv) = 2358 ]'
