# cip clv fit --json: one object per model
NEEDS_SHARED=1
ARGS=(clv fit --no-track "$SHARED/data/CDNOW_sample.txt" -c 19970930 --model bgnbd --json)
STDOUT_HAS=('"model": "bgnbd"' '"unit": "weeks"' '"converged": true' '"r": 0.2425')
CHECK='/usr/bin/python3 -c "import json; m = json.load(open(\".stdout\"))[0]; assert abs(m[\"loglik\"] + 9582.43) < 0.01"'
