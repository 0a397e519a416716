# holdout evaluation on CDNOW: correlation 0.626 and the ~-4% week-78 cumulative error (FHL 2005)
NEEDS_SHARED=1
ARGS=(clv evaluate "$SHARED/data/CDNOW_sample.txt" -c 1997-09-30 -e 1998-06-30)
STDOUT_HAS=("holdout of 39 weeks, 2357 customers" "bgnbd         0.7855   1.6080   0.6256"
            "-4.11%" "pareto" "-1.59%" "naive-rate" "1882.0" "4339.0"
            "chi-square (x = 0..6, 7+; df 3): 4.82")
