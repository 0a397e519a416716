cip-featpipe 1
params.region_map 1 East North
params.allow_unknown_region 0
params.age_bins 4 14 30 45 60 100 Young_Adult Adult Middle_Aged Senior
params.income_bins 3 0 45000 90000 150000 Low_Income Medium_Income High_Income
params.flag_quantile 0.75
params.value_weights 0.5 0.25 0.25
params.churn_weights 0.5 0.5
params.frequency_bins 4 1 0-25%25 25-50%25 50-75%25 75-100%25
params.growth_range 0 100
params.churn_label 0.75 4
fit.rows 6
fit.inputs 7 user_id age annual_income purchase_amount loyalty_score region purchase_frequency
fit.minmax 150 510 10 15 3 7
fit.flag_thresholds 487.5 14.75 6.7750000000000004
fit.frequency_edges 5 10 12 13 14.75 15
fit.growth -0.25 0.16666666666666674
fit.regions 3 North South West
fit.churn_threshold 0.61250000000000004
fit.ecdf.income 18446744073709551615 30000 1 44999 1 45000 1 52000 1 90000 1 150000 1
fit.ecdf.spending 4 150 1 300 2 420 1 510 2
fit.ecdf.age 2 10 1 12 1
fit.ecdf.age 2 12 1 14 1
fit.ecdf.age 1 15 2
fit.ecdf.age 0
crc32 0634d473
