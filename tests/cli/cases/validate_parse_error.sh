# Reader errors name file:line:column and exit 1.
ARGS=(validate "$DATA/schema/ragged.csv")
EXIT=1
STDERR_HAS=("ragged.csv:3:")
