# text summary: baseline comparison table and the train-vs-CV gap
ARGS=(train churn "$DATA/train/generic.csv" --target label --features x1,x2 --cv 3
      --n-estimators 20 -q)
STDOUT_HAS=("train 96, test 24" "train-vs-cv gap:" "majority" "logistic" "lift"
            "roc_auc" "feature importances:")
