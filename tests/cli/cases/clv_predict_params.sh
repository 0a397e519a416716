# predict from given parameters (no fitting): the published BG/NBD and Gamma-Gamma estimates
ARGS=(clv predict --no-track "$DATA/clv/tx_small.csv" -c 2020-01-31 --unit day --params 0.243,4.414,0.793,2.426
      --spend-params 6.25,3.74,15.44 --horizon 30)
STDOUT_HAS=("customer_id,x,t_x,T,expected_purchases,p_alive,expected_spend,clv" "A,1,14,30," "B,0,0,21,")
STDOUT_LACKS=("C,")
