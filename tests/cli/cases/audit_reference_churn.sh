# the churn label (churn_risk_score > q75) is a linear rule over loyalty_score
# and purchase_frequency, separable, and features derived from them are flagged
# through the feature pipeline's lineage
NEEDS_SHARED=1
ARGS=(audit "$SHARED/data/df_eng_customer_purchasing_features.csv" --target churn --label-rule "churn_risk_score > q75" --split stratified)
STDOUT_HAS=('the label is a rule over loyalty_score and purchase_frequency' 'linearly separable by this formula'
  "'is_loyal' is derived from 'loyalty_score'" "'churn_risk_score' defines the label")
