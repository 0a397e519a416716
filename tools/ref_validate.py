#!/usr/bin/python3
"""ref_validate.py - scikit-learn reference values for the validate and baseline modules.

Writes tests/data/validate/{reg,clf}.txt (synthetic data sets) and
tests/data/validate/ref.txt (expected values), read by tests/unit/test_validate.c
and tests/unit/test_baseline.c. Run from the repository root:

    /usr/bin/python3 tools/ref_validate.py

Formats (plain text, one record per line, floats as Python repr so they round-trip):
  data files : first line "n p", then n lines "x_1 ... x_p y w"
  ref.txt    : "key v1 v2 ..."; tokens are floats, "none" (Python None) or "s:<text>" (a string)

Logistic references: scikit-learn's L-BFGS stops on a relative change of the
objective (ftol = 64 eps) and so lands up to ~3e-5 (in the coefficients) short
of the optimum of 0.5*||w||^2 + C*sum(w_i * logloss_i), whatever tol is. The
main references therefore use sklearn's newton-cg solver (tol=1e-8), which
reaches that optimum to ~1e-9; the values of the default solver
(lbfgs, tol=1e-4) are recorded too under keys ending in ".lbfgs".

If ../shared/data is present, reference values for models on the shared
customer data are also written (the data itself is not copied).
SPDX-License-Identifier: MIT
"""
import os
import sys
import warnings

import numpy as np
import sklearn
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import (GridSearchCV, GroupKFold, KFold, ParameterGrid,
                                     StratifiedKFold, StratifiedShuffleSplit, train_test_split)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "data", "validate")
SHARED = os.path.join(ROOT, "..", "shared", "data")
TIGHT = dict(solver="newton-cg", tol=1e-8, max_iter=1000)

lines = []


def tok(v):
    if v is None:
        return "none"
    if isinstance(v, str):
        return "s:" + v
    return repr(float(v))


def put(key, values):
    if np.isscalar(values) or values is None or isinstance(values, str):
        values = [values]
    lines.append(key + " " + " ".join(tok(v) for v in values))


def write_data(name, X, y, w):
    with open(os.path.join(OUT, name), "w") as f:
        f.write("%d %d\n" % X.shape)
        for i in range(X.shape[0]):
            f.write(" ".join(repr(float(v)) for v in list(X[i]) + [y[i], w[i]]) + "\n")


def make_data():
    rng = np.random.RandomState(20240611)
    n = 60
    X = np.column_stack([rng.normal(0, 1, n), rng.normal(5, 2, n),
                         np.round(rng.uniform(0, 100, n), 1), rng.randint(0, 4, n).astype(float)])
    y = 3 + 2 * X[:, 0] - 0.5 * X[:, 1] + 0.03 * X[:, 2] + 0.2 * X[:, 3] + rng.normal(0, 0.7, n)
    y = np.round(y, 3)
    w = np.round(rng.uniform(0.5, 2.0, n), 3)
    write_data("reg.txt", X, y, w)

    n = 80
    Z = rng.normal(0, 1, (n, 3))
    Z[:, 2] = 0.6 * Z[:, 0] + 0.8 * Z[:, 2]
    Z = np.round(Z, 4)
    logits = 0.5 + 1.5 * Z[:, 0] - 1.0 * Z[:, 1] + 0.3 * Z[:, 2]
    yc = (rng.uniform(0, 1, n) < 1 / (1 + np.exp(-logits))).astype(float)
    wc = np.round(rng.uniform(0.5, 2.0, n), 3)
    write_data("clf.txt", Z, yc, wc)
    return X, y, w, Z, yc, wc


def ref_ridge(X, y, w):
    for key, alpha, sw in [("a1", 1.0, None), ("a1w", 1.0, w), ("a10", 10.0, None),
                           ("a0", 0.0, None)]:
        m = Ridge(alpha=alpha).fit(X, y, sample_weight=sw)
        put("ridge.%s.coef" % key, m.coef_)
        put("ridge.%s.intercept" % key, m.intercept_)
        put("ridge.%s.pred" % key, m.predict(X))
    p = make_pipeline(StandardScaler(), Ridge(alpha=1.0)).fit(X, y)
    put("ridge.std.pred", p.predict(X))


def ref_logit(Z, yc, wc):
    for key, C, sw in [("c1", 1.0, None), ("c1w", 1.0, wc), ("c0.1", 0.1, None),
                       ("c100", 100.0, None)]:
        m = LogisticRegression(C=C, **TIGHT).fit(Z, yc, sample_weight=sw)
        put("logit.%s.coef" % key, m.coef_[0])
        put("logit.%s.intercept" % key, m.intercept_[0])
        put("logit.%s.proba" % key, m.predict_proba(Z)[:, 1])
        d = LogisticRegression(C=C).fit(Z, yc, sample_weight=sw)
        put("logit.%s.lbfgs.coef" % key, d.coef_[0])
        put("logit.%s.lbfgs.intercept" % key, d.intercept_[0])
        put("logit.%s.lbfgs.proba" % key, d.predict_proba(Z)[:, 1])
    p = make_pipeline(StandardScaler(), LogisticRegression(**TIGHT)).fit(Z, yc)
    put("logit.std.proba", p.predict_proba(Z)[:, 1])


def ref_dummy(X, y, w, yc, wc):
    dummy_x = np.zeros((len(y), 1))
    put("dummy.mean", DummyRegressor(strategy="mean").fit(dummy_x, y).constant_[0][0])
    put("dummy.mean_w", DummyRegressor(strategy="mean").fit(dummy_x, y, w).constant_[0][0])
    put("dummy.median", DummyRegressor(strategy="median").fit(dummy_x, y).constant_[0][0])
    put("dummy.median_odd",
        DummyRegressor(strategy="median").fit(dummy_x[:59], y[:59]).constant_[0][0])
    put("dummy.median_w", DummyRegressor(strategy="median").fit(dummy_x, y, w).constant_[0][0])
    # Multi-class labels derived from the regression target, for the classifiers.
    yk = np.digitize(y, [2.0, 4.0]).astype(float)
    put("dummy.labels", yk)
    for key, sw in [("", None), ("_w", w)]:
        d = DummyClassifier(strategy="prior").fit(dummy_x, yk, sample_weight=sw)
        put("dummy.classes" + key, d.classes_)
        put("dummy.prior" + key, d.class_prior_)
        d = DummyClassifier(strategy="most_frequent").fit(dummy_x, yk, sample_weight=sw)
        put("dummy.majority" + key, d.predict(dummy_x[:1])[0])


def ref_grid():
    grid = {"n_estimators": [50, 100], "max_depth": [5, 10, None],
            "max_features": ["sqrt", 0.5], "min_samples_leaf": [1]}
    put("grid.text", "n_estimators=50,100;max_depth=5,10,none;max_features=sqrt,0.5;"
        "min_samples_leaf=1")
    keys = sorted(grid)
    put("grid.keys", keys)
    pts = list(ParameterGrid(grid))
    put("grid.size", len(pts))
    for i, p in enumerate(pts):
        lines.append("grid.p%d %s" % (i, " ".join(tok(p[k]) for k in keys)))


def ref_folds():
    n = 23
    a = np.zeros(n)
    for f, (_, te) in enumerate(KFold(5).split(np.zeros((n, 1)))):
        a[te] = f
    put("kfold.n23k5", a)
    rng = np.random.RandomState(7)
    ys = np.array([2.0] * 20 + [0.0] * 13 + [1.0] * 7)
    rng.shuffle(ys)
    put("skfold.y", ys)
    a = np.zeros(len(ys))
    for f, (_, te) in enumerate(StratifiedKFold(5).split(np.zeros((len(ys), 1)), ys)):
        a[te] = f
    put("skfold.k5", a)
    sizes = [9, 1, 7, 3, 12, 5, 2, 8, 4, 6]
    groups = np.concatenate([[g] * s for g, s in enumerate(sizes)]).astype(float)
    rng.shuffle(groups)
    put("gkfold.groups", groups)
    a = np.zeros(len(groups))
    for f, (_, te) in enumerate(GroupKFold(3).split(np.zeros((len(groups), 1)), None, groups)):
        a[te] = f
    put("gkfold.k3", a)
    # StratifiedShuffleSplit per-class test counts (cases without remainder ties).
    for key, counts, ts in [("churn", [178, 60], 0.2), ("three", [50, 31, 19], 0.3)]:
        yy = np.concatenate([[c] * k for c, k in enumerate(counts)]).astype(float)
        _, te = next(StratifiedShuffleSplit(1, test_size=ts, random_state=0).split(yy, yy))
        put("sss.%s.counts" % key, counts)
        put("sss.%s.test_size" % key, ts)
        put("sss.%s.test_counts" % key, np.bincount(yy[te].astype(int)))
    for n, ts in [(238, 0.2), (100, 0.3), (10, 0.25), (7, 0.5), (50, 10)]:
        _, te = train_test_split(np.arange(n), test_size=ts, random_state=0)
        put("tts.n%d.ts%s" % (n, ts), [n, ts, len(te)])


def put_cv(key, gs, folds):
    r = gs.cv_results_
    put(key + ".mean_test", r["mean_test_score"])
    put(key + ".std_test", r["std_test_score"])
    put(key + ".mean_train", r["mean_train_score"])
    put(key + ".std_train", r["std_train_score"])
    put(key + ".rank", r["rank_test_score"])
    put(key + ".best", gs.best_index_)
    put(key + ".split_test", [r["split%d_test_score" % k][c]
                              for c in range(len(r["params"])) for k in range(folds)])


def ref_search(X, y, Z, yc):
    alphas = [0.001, 0.1, 1.0, 10.0, 100.0, 1000.0]
    put("gs.ridge.alphas", alphas)
    for sc, name in [("r2", "r2"), ("neg_root_mean_squared_error", "neg_rmse")]:
        gs = GridSearchCV(Ridge(), {"alpha": alphas}, cv=KFold(5), scoring=sc,
                          return_train_score=True).fit(X, y)
        put_cv("gs.ridge." + name, gs, 5)
    Cs = [0.001, 0.01, 0.1, 1.0, 10.0]
    put("gs.logit.Cs", Cs)
    for sc in ["roc_auc", "accuracy", "neg_log_loss", "f1"]:
        gs = GridSearchCV(LogisticRegression(**TIGHT), {"C": Cs}, cv=StratifiedKFold(4),
                          scoring=sc, return_train_score=True).fit(Z, yc)
        put_cv("gs.logit." + sc, gs, 4)


def ref_shared():
    path = os.path.join(SHARED, "Customer_Purchasing_Behaviors.csv")
    if not os.path.exists(path):
        print("ref_validate: %s absent, shared references skipped" % path, file=sys.stderr)
        return
    raw = np.genfromtxt(path, delimiter=",", names=True, dtype=None, encoding="utf-8")
    cols = ["age", "annual_income", "loyalty_score", "purchase_frequency"]
    X = np.column_stack([raw[c].astype(float) for c in cols])
    y = raw["purchase_amount"].astype(float)
    m = Ridge(alpha=1.0).fit(X, y)
    put("shared.ridge.coef", m.coef_)
    put("shared.ridge.intercept", m.intercept_)
    put("shared.ridge.pred", m.predict(X))
    yb = (y > 527.5).astype(float)
    p = make_pipeline(StandardScaler(), LogisticRegression(**TIGHT)).fit(X, yb)
    put("shared.logit_std.proba", p.predict_proba(X)[:, 1])


def main():
    # newton-cg at tol=1e-8 can report non-convergence once it sits at the optimum
    # to rounding; its coefficients then agree with scipy's BFGS to ~1e-9.
    warnings.simplefilter("ignore")
    os.makedirs(OUT, exist_ok=True)
    put("sklearn.version", sklearn.__version__)
    X, y, w, Z, yc, wc = make_data()
    ref_ridge(X, y, w)
    ref_logit(Z, yc, wc)
    ref_dummy(X, y, w, yc, wc)
    ref_grid()
    ref_folds()
    ref_search(X, y, Z, yc)
    ref_shared()
    with open(os.path.join(OUT, "ref.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
