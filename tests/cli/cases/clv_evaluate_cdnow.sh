# holdout evaluation on CDNOW: correlation 0.626 and the ~-4% week-78 cumulative error (FHL 2005);
# spend and churn: BG/NBD x Gamma-Gamma, period-shifted random forest, baselines
# (figures cross-checked by tools/ref_clv_eval.py)
NEEDS_SHARED=1
ARGS=(clv evaluate --no-track "$SHARED/data/CDNOW_sample.txt" -c 1997-09-30 -e 1998-06-30
      --train-end 1997-06-30 --trees 50)
STDOUT_HAS=("holdout of 39 weeks, 2357 customers" "bgnbd         0.7855   1.6080   0.6256"
            "-4.11%" "pareto" "-1.59%" "naive-rate" "1882.0" "4339.0"
            "chi-square (x = 0..6, 7+; df 3): 4.82"
            "holdout spend per customer (1997-10-01 .. 1998-06-30)"
            "BG/NBD                     30.41     72.30  0.5647     59931.6     70976.4  -15.56%"
            "Same as last period        61.65    172.07  0.3225    173115.5     70976.4 +143.91%"
            "Random forest"
            "churn = no purchase in the holdout (71.0% of customers)"
            "P(alive) < 0.5                 0.3158  0.2459"
            "BG/NBD P(no purchase) > 0.5    0.7569  0.8601"
            "No purchase in the last N      0.7714  0.8560"
            "trained on features up to 1997-06-30 with labels from (1997-06-30, 1997-09-30]")
