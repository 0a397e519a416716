# cip clv summary on the CDNOW sample: the published calibration totals (cdnow.md)
NEEDS_SHARED=1
ARGS=(clv summary --no-track "$SHARED/data/CDNOW_sample.txt" --calibration-end 1997-09-30 --unit week)
STDOUT_HAS=("customers               2357" "946 (x > 0), 1411 with x = 0"
            "2457 in calibration, 1882 in holdout" "(39 weeks)" "223 same-day purchases merged")
