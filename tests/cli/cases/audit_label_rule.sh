# a label defined by a rule over one column: that column defines the label and
# separates the classes with a single threshold
ARGS=(audit "$DATA/audit/clean.csv" --target loyal --label-rule "loyalty_score > q75")
STDOUT_HAS=('target: loyal (classification)' "[lineage] 'loyalty_score' defines the label (loyalty_score > q75)" 'a single threshold separates the classes')
