# --regions replaces the allowed set (case-sensitive): only "north" is left.
ARGS=(validate --regions North,South,West,East,Central "$DATA/schema/unknown_region.csv")
EXIT=0
STDOUT_HAS=("unknown_category: 1 row (must be one of North, South, West, East, Central); at line 5 (north)")
