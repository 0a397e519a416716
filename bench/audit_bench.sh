#!/usr/bin/env bash
# audit_bench.sh - time `cip audit` on a 1,000,000 x 30-feature table.
# usage: bench/audit_bench.sh [CIP_BINARY] [ROWS]
# The table (an integer ID column, 26 numeric features driven by two latent
# factors plus noise, a scaled copy of the target and the target divided by
# the positive feature f01 as planted leaks, a categorical column, and a
# numeric target on a grid of 1) is written once to $TMPDIR/cip_audit_bench_v3_<rows>.csv by /usr/bin/python3
# (numpy) and reused. Prints the wall and CPU time of `cip audit --json`
# (CSV reading included), the audit's own wall time (its progress line
# "audit: 100% (Ns)", from the first check to the last), and the time of
# reading alone (`cip validate` reads the file, then stops at the missing
# customer columns). Other processes on the machine inflate wall times: compare
# the CPU times too.
set -eu
CIP=${1:-build/release/cip}
ROWS=${2:-1000000}
DATA=${TMPDIR:-/tmp}/cip_audit_bench_v3_${ROWS}.csv
if [ ! -s "$DATA" ]; then
  /usr/bin/python3 - "$DATA" "$ROWS" <<'PY'
import sys
import numpy as np
path, n = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(42)
z1, z2 = rng.normal(size=n), rng.normal(size=n)
cols, names = [], []
for j in range(26):
    a, b = rng.uniform(-1, 1, 2)
    x = a * z1 + b * z2 + rng.normal(scale=1.0, size=n)
    if j % 4 == 0:
        x = np.round(x * 10) / 10          # gridded
    cols.append(x); names.append(f"f{j:02d}")
y = np.round(100 + 20 * z1 - 10 * z2 + rng.normal(scale=15, size=n))
cols.append(2.5 * y + 1); names.append("leak_copy")
pos = np.round(50 + 8 * z1 + rng.normal(scale=3, size=n), 1).clip(1)  # a positive feature
cols[1] = pos
cols.append(np.round(y / pos, 6)); names.append("leak_ratio")
cat = rng.choice(np.array(["a", "b", "c", "d"]), size=n)
with open(path, "w") as fh:
    fh.write(",".join(["id"] + names + ["segment", "target"]) + "\n")
    body = np.column_stack(cols)
    for k in range(0, n, 100000):
        blk = body[k:k + 100000]
        lines = [",".join(f"{v:.8g}" for v in row) for row in blk.tolist()]
        fh.write("\n".join(f"{i},{l},{c},{t:.0f}" for i, l, c, t in
                           zip(range(k + 1, k + 1 + len(lines)), lines, cat[k:k + 100000],
                               y[k:k + 100000])) + "\n")
PY
fi
echo "data: $DATA ($ROWS rows, 30 features + target)"
OUT=${TMPDIR:-/tmp}/cip_audit_bench.json
TIMEFORMAT='wall %R s, cpu %U s user + %S s sys'
echo "read only (cip validate):"
time "$CIP" validate "$DATA" >/dev/null 2>&1 || true
echo "read + audit (cip audit --json; progress lines give the audit's own time):"
time "$CIP" audit "$DATA" --target target --json >"$OUT" 2>"$OUT.err"
grep -E '^audit: 100%' "$OUT.err" || true
/usr/bin/python3 -c "
import json, sys; d = json.load(open(sys.argv[1]))
print('verdict', d['verdict'], d['counts'])
for f in d['findings']:
    if f['severity'] != 'info': print(' ', f['severity'], f['kind'], f['message'][:110])" "$OUT"
