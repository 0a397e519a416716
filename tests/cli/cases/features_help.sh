# Help lists every option with its real default.
ARGS=(features --help)
STDOUT_HAS=("usage: cip features IN.csv" "--save-pipeline FILE" "--pipeline FILE" "--fit-on FILE" "(default %.4f" "East -> North" "Exit status")
