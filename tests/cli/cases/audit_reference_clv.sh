# the reference engineered table: purchase_amount = round(ratio * income) to the
# grid of 10 on 238/238 rows; 60 profiles; > 80 % contaminated test rows
NEEDS_SHARED=1
ARGS=(audit "$SHARED/data/df_eng_customer_purchasing_features.csv" --target purchase_amount)
STDOUT_HAS=("'purchase_amount' = round((annual_income * spend_to_income_ratio) / 10) * 10: 238/238 rows exact"
  "'is_high_value' and 'is_loyal' are identical on all 238 rows"
  "'is_frequent' and 'is_champion' are identical on all 238 rows"
  '60 distinct profiles' 'near-perfect multicollinearity' '[contamination]')
