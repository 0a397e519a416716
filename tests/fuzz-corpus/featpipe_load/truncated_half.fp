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
fit.inputs 7 user_id age annual_income purchas