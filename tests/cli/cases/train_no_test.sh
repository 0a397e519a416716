# --test-size 0 --cv 0: trained on every row, no held-out metrics
ARGS=(train clv "$DATA/train/generic.csv" --target y --test-size 0 --cv 0 --json -q)
STDOUT_HAS=('"n_train": 120' '"n_test": 0' '"train_r2":' '"cv_folds": 0')
STDOUT_LACKS=('"test_r2"' '"cv_r2_mean"')
