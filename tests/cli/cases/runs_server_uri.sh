# reading runs from a tracking server is not supported yet: say so, before any request
ARGS=(runs list --tracking-uri http://127.0.0.1:5000)
EXIT=1
STDERR_HAS=("tracking server URIs" "not supported yet" "MLflow UI")
