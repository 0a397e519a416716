# an unknown URI scheme: one clear message, nothing created
ARGS=(runs list --tracking-uri postgresql://db/mlflow)
EXIT=1
STDERR_HAS=("unknown tracking URI scheme 'postgresql'")
CHECK='[ -z "$(ls -A | grep -v "^\.std")" ]'
