# BG/NBD, Pareto/NBD and Gamma-Gamma on CDNOW: FHL 2005 / FH 2013 parameters and log-likelihoods
NEEDS_SHARED=1
ARGS=(clv fit --no-track "$SHARED/data/CDNOW_sample.txt" -c 1997-09-30 --model all)
STDOUT_HAS=("bgnbd (2357 customers, unit weeks): log-likelihood -9582.429"
            "r          0.2425" "alpha      4.4136" "a          0.7929" "b          2.4259"
            "pareto (2357 customers, unit weeks): log-likelihood -9594.976"
            "r          0.5532" "alpha     10.577" "s          0.6062" "beta      11.66"
            "gamma-gamma (946 customers, unit weeks): log-likelihood -4055.9177"
            "p          6.249" "q          3.744" "gamma     15.44")
STDOUT_LACKS=("not converged")
