#!/usr/bin/python3
"""flask_serve.py - the Flask + scikit-learn baseline for bench/serve_bench.sh

Fits a RandomForestRegressor (100 trees, as `cip train clv`) on the customer
table with the same model columns as the cip CLV bundle (age, annual_income,
spend_to_income_ratio, one-hot region) and serves MLflow's scoring protocol
subset the benchmark uses: POST /invocations with {"dataframe_records": [...]}
-> {"predictions": [...]}. Each request builds a DataFrame, engineers the
features and predicts, as a typical Flask model server does.

usage: flask_serve.py CUSTOMERS_CSV PORT [THREADS_UNUSED]
SPDX-License-Identifier: MIT
"""
import logging
import sys

import pandas as pd
from flask import Flask, jsonify, request
from sklearn.ensemble import RandomForestRegressor

REGIONS = ["North", "South", "West"]
FEATURES = ["age", "annual_income", "spend_to_income_ratio"] + ["region_" + r for r in REGIONS]


def features(df):
    out = pd.DataFrame(index=df.index)
    out["age"] = df["age"].astype(float)
    out["annual_income"] = df["annual_income"].astype(float)
    out["spend_to_income_ratio"] = df["purchase_amount"] / df["annual_income"]
    region = df["region"].replace({"East": "North"})
    for r in REGIONS:
        out["region_" + r] = (region == r).astype(float)
    return out[FEATURES]


def main():
    data = pd.read_csv(sys.argv[1])
    port = int(sys.argv[2])
    model = RandomForestRegressor(n_estimators=100, random_state=42, n_jobs=1)
    model.fit(features(data), data["purchase_amount"])
    app = Flask("flask_serve")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    @app.route("/invocations", methods=["POST"])
    def invocations():
        body = request.get_json(force=True)
        df = pd.DataFrame.from_records(body["dataframe_records"])
        return jsonify({"predictions": model.predict(features(df)).tolist()})

    @app.route("/ping")
    def ping():
        return "\n"

    print(f"listening on http://127.0.0.1:{port}", flush=True)
    app.run(host="127.0.0.1", port=port, threaded=True)


if __name__ == "__main__":
    main()
