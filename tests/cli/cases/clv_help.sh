# cip clv --help documents every subcommand and option
ARGS=(clv --help)
STDOUT_HAS=("usage: cip clv summary" "--calibration-end DATE" "--holdout-end DATE" "--unit U"
            "--model M" "--date-format F" "--no-merge" "Exit status")
