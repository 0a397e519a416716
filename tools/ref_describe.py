#!/usr/bin/python3
"""Reference values for tests/unit/test_describe.c: pandas describe() of the
shared customer table, written with repr() (round-trip) precision.

    /usr/bin/python3 tools/ref_describe.py [SHARED_DIR] > tests/data/describe/customer_describe.csv
"""
import sys

import pandas as pd

shared = sys.argv[1] if len(sys.argv) > 1 else "../shared"
df = pd.read_csv(f"{shared}/data/Customer_Purchasing_Behaviors.csv")
d = df.describe()
print("column,count,mean,std,min,q25,q50,q75,max")
for col in d.columns:
    s = d[col]
    vals = [s["count"], s["mean"], s["std"], s["min"], s["25%"], s["50%"], s["75%"], s["max"]]
    print(col + "," + ",".join(repr(float(v)) for v in vals))
vc = df["region"].value_counts()
for label, n in vc.items():
    print(f"region={label},{n},,,,,,,")
