# Unknown regions are warnings: exit 0 with the warning listed.
ARGS=(validate "$DATA/schema/unknown_region.csv")
EXIT=0
STDOUT_HAS=("warning: region: unknown_category: 3 rows (must be one of North, South, West, East); at lines 3 (Central), 5 (north), 6 (Central)"
            "verdict: usable (0 errors, 1 warning)")
