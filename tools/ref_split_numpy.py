#!/usr/bin/python3
"""ref_split_numpy.py - expected test rows of scikit-learn's train_test_split

Writes tests/data/split_numpy_ref.txt, read by tests/unit/test_validate_numpy.c:
one case per line, "kind n test_size seed label_rule | sorted test rows".
Labels for stratified cases come from a rule the C test re-computes:
  mod:A:B:C   y[i] = ((i * A) % B) < C          (two classes, 0/1)
  cyc:K       y[i] = (i * 7) % K               (K classes)
  counts:a,b  class j repeated counts[j] times, classes interleaved round-robin
Run with Debian's python3-sklearn (1.2.1) / python3-numpy (1.24).
SPDX-License-Identifier: MIT
"""
import sys

import numpy as np
from sklearn.model_selection import train_test_split


def labels(rule, n):
    kind, _, arg = rule.partition(":")
    if kind == "mod":
        a, b, c = (int(v) for v in arg.split(":"))
        return np.array([1 if (i * a) % b < c else 0 for i in range(n)], dtype=float)
    if kind == "cyc":
        k = int(arg)
        return np.array([(i * 7) % k for i in range(n)], dtype=float)
    if kind == "counts":
        left = [int(v) for v in arg.split(",")]
        y = []
        while any(left):
            for j, c in enumerate(left):
                if c:
                    y.append(j)
                    left[j] -= 1
        assert len(y) == n
        return np.array(y, dtype=float)
    return None


CASES = [
    ("random", 238, 0.2, 42, "-"),
    ("random", 10, 0.3, 0, "-"),
    ("random", 1000, 0.25, 123456789, "-"),
    ("random", 5000, 0.1, 4294967295, "-"),
    ("stratified", 238, 0.2, 42, "mod:37:100:25"),
    ("stratified", 500, 0.2, 7, "cyc:3"),
    ("stratified", 15, 0.4, 3, "counts:4,4,4,3"),
    ("stratified", 101, 0.33, 42, "counts:50,30,21"),
    ("stratified", 60, 0.5, 11, "counts:12,12,12,12,12"),
]


def main():
    out = sys.stdout
    for kind, n, ts, seed, rule in CASES:
        idx = np.arange(n)
        y = labels(rule, n) if kind == "stratified" else None
        _, test = train_test_split(idx, test_size=ts, random_state=seed, stratify=y)
        rows = " ".join(str(int(v)) for v in sorted(test))
        out.write(f"{kind} {n} {ts} {seed} {rule} | {rows}\n")


if __name__ == "__main__":
    main()
