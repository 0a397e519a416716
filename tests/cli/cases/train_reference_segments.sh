# acceptance: segmentation_original features, k = 2..8 by silhouette -> k = 8
NEEDS_SHARED=1
ARGS=(train segments "$SHARED/data/df_eng_customer_purchasing_features.csv" --json -q)
STDOUT_HAS=('"optimal_n_clusters": 8' '"silhouette_k2": 0.4787017779333')
