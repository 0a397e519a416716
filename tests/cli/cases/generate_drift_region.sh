# region=East:0.3 sets the share of East
ARGS=(generate -n 20000 --seed 4 --drift 'region=East:0.3' -o d.csv -q)
CHECK='test $(grep -c ",East," d.csv) -gt 5700 && test $(grep -c ",East," d.csv) -lt 6300'
