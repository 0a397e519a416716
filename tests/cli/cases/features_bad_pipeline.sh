# A file that is not a saved pipeline is rejected with a clear message.
ARGS=(features "$DATA/features/small_raw.csv" --pipeline "$DATA/features/small_raw.csv" -o out.csv)
EXIT=1
STDERR_HAS=("not a cip feature pipeline file (bad magic)")
