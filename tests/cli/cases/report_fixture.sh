# cip report renders the full fixture summary next to a copy of it (default -o) and to stdout
ARGS=(report "$WORK/s/summary.json")
mkdir -p "$WORK/s" && cp "$DATA/summary_full.json" "$WORK/s/summary.json"
STDOUT_HAS=("wrote $WORK/s/report.html")
CHECK='grep -c "<svg id=\"chart-" s/report.html | grep -qx 12 &&
  grep -q "&lt;script&gt;alert(1)&lt;/script&gt;" s/report.html && ! grep -q "<script" s/report.html &&
  "$CIP_BIN" report "$DATA/summary_minimal.json" -o - | grep -q "chart-segments-profiles"'
