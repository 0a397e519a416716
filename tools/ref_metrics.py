#!/usr/bin/python3
"""ref_metrics.py - reference values for the metrics and stats unit tests.

Generates test vectors (fixed seed) and the values scikit-learn 1.2, numpy,
scipy and pandas compute for them, and writes

  tests/data/metrics/expected.txt      vectors + expected values (format below)
  tests/data/metrics/report_*.txt      classification_report texts

Run from the repository root with the Debian Python (it has scikit-learn):

  /usr/bin/python3 tools/ref_metrics.py [outdir]

expected.txt is line based; '#' starts a comment line:

  v NAME x1 x2 ...           a vector of doubles (labels are whole numbers)
  s NAME w1 w2 ...           a vector of strings (class names)
  e METRIC ARG ... = OUT ... an expectation: ARG is a vector name, '-' (no
                             vector: NULL weights) or an integer literal;
                             OUT is a number (Python repr, 'nan' allowed) or
                             @NAME, a vector of expected values

The C test (tests/unit/test_metrics.c) knows each METRIC's arguments.
SPDX-License-Identifier: MIT
"""
import os
import sys
import warnings

import numpy as np
import pandas as pd
import scipy
import scipy.stats
import sklearn
from sklearn import metrics as skm

warnings.simplefilter("ignore")  # UndefinedMetricWarning etc. are expected

OUT = sys.argv[1] if len(sys.argv) > 1 else "tests/data/metrics"
rng = np.random.default_rng(20240607)
lines = []
vec_names = set()
counter = [0]


def num(x):
    return repr(float(x))


def vec(name, values):
    assert name not in vec_names, name
    vec_names.add(name)
    lines.append("v %s %s" % (name, " ".join(num(v) for v in np.ravel(values))))
    return name


def strs(name, values):
    vec_names.add(name)
    lines.append("s %s %s" % (name, " ".join(values)))
    return name


def out_vec(values):
    counter[0] += 1
    return "@" + vec("out%d" % counter[0], values)


def expect(metric, args, outs):
    toks = []
    for a in args:
        toks.append("-" if a is None else str(a))
    outs = [o if isinstance(o, str) else num(o) for o in outs]
    lines.append("e %s %s = %s" % (metric, " ".join(toks), " ".join(outs)))


# --- regression ----------------------------------------------------------------

def weight_variants(wname, w):
    """(vector name, array) pairs: unweighted, then weighted when w is given."""
    return [(None, None)] + ([(wname, w)] if w is not None else [])


def regression_case(name, yt, yp, w):
    t = vec(name + "_t", yt)
    p = vec(name + "_p", yp)
    wn = vec(name + "_w", w) if w is not None else None
    for wname, sw in weight_variants(wn, w):
        args = [t, p, wname]
        expect("r2", args, [skm.r2_score(yt, yp, sample_weight=sw)])
        expect("mse", args, [skm.mean_squared_error(yt, yp, sample_weight=sw)])
        expect("rmse", args, [skm.mean_squared_error(yt, yp, sample_weight=sw, squared=False)])
        expect("mae", args, [skm.mean_absolute_error(yt, yp, sample_weight=sw)])
        expect("mape", args, [skm.mean_absolute_percentage_error(yt, yp, sample_weight=sw)])
        expect("ev", args, [skm.explained_variance_score(yt, yp, sample_weight=sw)])
    expect("max_error", [t, p], [skm.max_error(yt, yp)])


def weights(n, zeros=3):
    w = np.round(rng.uniform(0.0, 3.0, n), 3)
    w[rng.choice(n, zeros, replace=False)] = 0.0
    return w


def gen_regression():
    lines.append("# regression")
    yt = np.round(rng.normal(50, 10, 60), 2)
    yt[[3, 17]] = 0.0  # MAPE's epsilon
    yp = yt + np.round(rng.normal(0, 5, 60), 3)
    regression_case("reg_rand", yt, yp, weights(60))
    yt = 1e6 + rng.normal(0, 1e3, 300)
    yp = yt + rng.normal(0, 10, 300)
    regression_case("reg_big", yt, yp, weights(300, 10))
    yt = rng.normal(0, 1, 20)
    regression_case("reg_perfect", yt, yt.copy(), weights(20, 2))
    regression_case("reg_const", np.full(10, 2.5), rng.normal(2.5, 1, 10), weights(10, 1))
    regression_case("reg_const_perfect", np.full(5, 2.5), np.full(5, 2.5), None)
    regression_case("reg_n1", np.array([3.0]), np.array([2.0]), np.array([2.0]))
    yt = rng.normal(0, 3, 30)
    regression_case("reg_shift", yt, yt + 3.0, None)
    yt = np.round(rng.normal(0, 2, 40), 1)
    regression_case("reg_neg", yt, np.round(yt + rng.normal(0, 1, 40), 1), weights(40))


# --- classification from labels -----------------------------------------------

AVG = {"binary": 0, "micro": 1, "macro": 2, "weighted": 3}


def prf(yt, yp, k, avg, pos, sw):
    p, r, f, _ = skm.precision_recall_fscore_support(
        yt, yp, average=avg, pos_label=pos, sample_weight=sw, zero_division=0)
    assert p == skm.precision_score(yt, yp, average=avg, pos_label=pos, sample_weight=sw,
                                    zero_division=0)
    return [p, r, f]


def label_case(name, yt, yp, k, w, binary):
    t = vec(name + "_t", yt)
    p = vec(name + "_p", yp)
    wn = vec(name + "_w", w) if w is not None else None
    labels = list(range(k))
    for wname, sw in weight_variants(wn, w):
        expect("accuracy", [t, p, wname], [skm.accuracy_score(yt, yp, sample_weight=sw)])
        for avg in ("micro", "macro", "weighted"):
            expect("prf", [t, p, wname, k, AVG[avg], 1], prf(yt, yp, k, avg, 1, sw))
        if binary:
            for pos in (0, 1):
                expect("prf", [t, p, wname, k, 0, pos], prf(yt, yp, k, "binary", pos, sw))
        cm = skm.confusion_matrix(yt, yp, labels=labels, sample_weight=sw)
        expect("confusion", [t, p, wname, k], [out_vec(cm)])
        d = skm.classification_report(yt, yp, sample_weight=sw, output_dict=True,
                                      zero_division=0)
        rows = []
        for lab in sorted(set(yt) | set(yp)):
            r = d[str(lab)]
            rows += [lab, r["precision"], r["recall"], r["f1-score"], r["support"]]
        ma, wa = d["macro avg"], d["weighted avg"]
        expect("report", [t, p, wname, k],
               [d["accuracy"], ma["precision"], ma["recall"], ma["f1-score"],
                wa["precision"], wa["recall"], wa["f1-score"], ma["support"], out_vec(rows)])
    return t, p, wn


def report_text(tag, t, p, wn, yt, yp, k, w, digits, names):
    present = sorted(set(yt) | set(yp))
    target = [names[i] for i in present] if names is not None else None
    text = skm.classification_report(yt, yp, sample_weight=w, digits=digits,
                                     target_names=target, zero_division=0)
    fname = "report_%s.txt" % tag
    with open(os.path.join(OUT, fname), "w") as f:
        f.write(text)
    nname = strs("names_" + tag, names) if names is not None else None
    expect("report_text", [t, p, wn, k, digits, nname], [fname])


def gen_labels():
    lines.append("# classification from labels")
    n = 40
    yt = rng.integers(0, 2, n)
    yp = np.where(rng.random(n) < 0.75, yt, 1 - yt)
    t, p, wn = label_case("bin_rand", yt, yp, 2, weights(n), True)
    report_text("bin", t, p, None, yt, yp, 2, None, 2, None)
    label_case("bin_all1", np.ones(8, int), np.ones(8, int), 2, None, True)
    label_case("bin_all0", np.zeros(8, int), np.zeros(8, int), 2, None, True)
    label_case("bin_wrong", np.ones(6, int), np.zeros(6, int), 2, None, True)
    n = 100
    yt = rng.integers(0, 4, n)  # class 4 never occurs
    yp = np.where(rng.random(n) < 0.6, yt, rng.integers(0, 3, n))  # never predicts 3
    w = weights(n)
    t, p, wn = label_case("mc_rand", yt, yp, 5, w, False)
    names = ["alpha", "beta", "gamma", "delta", "epsilon"]
    report_text("mc", t, p, None, yt, yp, 5, None, 2, None)
    report_text("mc_names4", t, p, None, yt, yp, 5, None, 4, names)
    report_text("mc_weighted", t, p, wn, yt, yp, 5, w, 3, names)
    report_text("mc_longname", t, p, None, yt, yp, 5, None, 2,
                ["a", "a_rather_long_class_name", "c", "d", "e"])
    yt = rng.integers(0, 3, 30)
    label_case("mc_perfect", yt, yt.copy(), 3, None, False)
    label_case("mc_n1", np.array([2]), np.array([1]), 3, None, False)
    yt = rng.integers(0, 2, 25)
    yp = np.where(rng.random(25) < 0.7, yt, 2)  # class 2 only predicted
    label_case("mc_predonly", yt, yp, 3, None, False)


# --- scores and probabilities --------------------------------------------------

def score_case(name, yt, s, w, roc=True):
    t = vec(name + "_t", yt)
    sv = vec(name + "_s", s)
    wn = vec(name + "_w", w) if w is not None else None
    for wname, sw in weight_variants(wn, w):
        if roc:
            expect("roc_auc", [t, sv, wname], [skm.roc_auc_score(yt, s, sample_weight=sw)])
            fpr, tpr, thr = skm.roc_curve(yt, s, sample_weight=sw)
            expect("roc_curve", [t, sv, wname], [out_vec(fpr), out_vec(tpr), out_vec(thr)])
        expect("ap", [t, sv, wname], [skm.average_precision_score(yt, s, sample_weight=sw)])
        prec, rec, thr = skm.precision_recall_curve(yt, s, sample_weight=sw)
        expect("pr_curve", [t, sv, wname], [out_vec(rec), out_vec(prec), out_vec(thr)])


def proba_case(name, yt, pr, w):
    t = vec(name + "_t", yt)
    pv = vec(name + "_p", pr)
    wn = vec(name + "_w", w) if w is not None else None
    for wname, sw in weight_variants(wn, w):
        expect("log_loss", [t, pv, wname],
               [skm.log_loss(yt, pr, sample_weight=sw, labels=[0, 1])])
        expect("brier", [t, pv, wname], [skm.brier_score_loss(yt, pr, sample_weight=sw)])


def gen_scores():
    lines.append("# binary scores and probabilities")
    n = 200
    yt = (rng.random(n) < 0.4).astype(int)
    s = np.round(0.3 * yt + rng.random(n), 1)  # many ties
    score_case("sc_rand", yt, s, weights(n, 8))
    n = 1000
    yt = (rng.random(n) < 0.3).astype(int)
    s = np.round(0.2 * yt + rng.normal(0, 1, n), 2)
    score_case("sc_big", yt, s, weights(n, 20))
    score_case("sc_ties", np.array([0, 1, 1, 0, 1, 0, 0, 1, 1, 0]), np.full(10, 0.5), None)
    score_case("sc_perfect", np.array([0, 0, 0, 1, 1]), np.array([0.1, 0.2, 0.3, 0.8, 0.9]),
               None)
    score_case("sc_reversed", np.array([1, 1, 0, 0]), np.array([0.1, 0.2, 0.8, 0.9]), None)
    score_case("sc_n2", np.array([0, 1]), np.array([0.2, 0.7]), None)
    score_case("sc_negzero", np.array([1, 0, 1, 0, 0, 1, 0]),
               np.array([0.0, -0.0, 0.5, -0.0, 0.0, 1.0, -2.0]), None)
    score_case("sc_collinear", np.array([1, 1, 1, 0, 0, 0, 1, 0]),
               np.array([8.0, 7, 6, 5, 4, 3, 2, 1]), np.array([1, 2, 1, 1, 3, 1, 1, 1.0]))
    score_case("sc_nopos", np.zeros(6, int), np.array([0.1, 0.4, 0.4, 0.2, 0.9, 0.5]), None,
               roc=False)
    score_case("sc_allpos", np.ones(5, int), np.array([0.1, 0.4, 0.4, 0.2, 0.9]), None,
               roc=False)
    n = 80
    yt = (rng.random(n) < 0.5).astype(int)
    pr = np.clip(np.round(0.5 * yt + 0.5 * rng.random(n) + rng.normal(0, 0.2, n), 2), 0, 1)
    pr[[0, 1, 2, 3]] = [0.0, 1.0, 0.0, 1.0]
    yt[[0, 1, 2, 3]] = [0, 1, 1, 0]  # two certain hits, two certain misses
    proba_case("pb_rand", yt, pr, weights(n))
    proba_case("pb_n1", np.array([1]), np.array([0.8]), None)
    # multiclass probabilities: rows of 3, some zeros, some rows not summing to 1
    n, k = 60, 3
    yt = rng.integers(0, k, n)
    P = rng.dirichlet([1, 1, 1], n)
    P[rng.random((n, k)) < 0.1] = 0.0
    P[::7] *= 0.9
    P[5] = [0.0, 0.0, 0.0]
    P = np.round(P, 4)
    t = vec("mp_rand_t", yt)
    pv = vec("mp_rand_p", P)
    w = weights(n)
    wn = vec("mp_rand_w", w)
    expect("log_loss_multi", [t, pv, None, k], [skm.log_loss(yt, P, labels=list(range(k)))])
    expect("log_loss_multi", [t, pv, wn, k],
           [skm.log_loss(yt, P, labels=list(range(k)), sample_weight=w)])
    # 9 classes: numpy sums rows of >= 8 values pairwise
    n, k = 30, 9
    yt = rng.integers(0, k, n)
    P = rng.dirichlet(np.ones(k), n)
    t = vec("mp9_t", yt)
    pv = vec("mp9_p", P)
    expect("log_loss_multi", [t, pv, None, k], [skm.log_loss(yt, P, labels=list(range(k)))])


# --- descriptive statistics ---------------------------------------------------

QS = [0.0, 0.01, 0.1, 0.25, 1 / 3, 0.5, 0.75, 0.9, 0.99, 1.0]


def stats_case(name, x):
    xv = vec(name, x)
    expect("sum", [xv], [np.sum(x)])
    expect("mean", [xv], [np.mean(x)])
    for ddof in (0, 1):
        if len(x) > ddof:
            expect("var", [xv, ddof], [np.var(x, ddof=ddof)])
            expect("std", [xv, ddof], [np.std(x, ddof=ddof)])
            assert ddof == 0 or len(x) < 2 or np.isclose(pd.Series(x).var(), np.var(x, ddof=1))
    q = np.quantile(x, QS)
    assert np.allclose(q, pd.Series(x).quantile(QS).to_numpy(), rtol=1e-14, atol=0)
    expect("quantiles", [xv, "qs"], [out_vec(q)])
    r = pd.Series(x).rank(method="average").to_numpy()
    assert np.array_equal(r, scipy.stats.rankdata(x))
    expect("rank", [xv], [out_vec(r)])


def corr_case(name, x, y):
    xv = vec(name + "_x", x)
    yv = vec(name + "_y", y)
    r = np.corrcoef(x, y)[0, 1]
    if np.isfinite(r):
        assert abs(r - pd.Series(x).corr(pd.Series(y))) < 1e-13
    expect("pearson", [xv, yv], [r])
    rs = scipy.stats.spearmanr(x, y).correlation
    if np.isfinite(rs):
        assert abs(rs - pd.Series(x).corr(pd.Series(y), method="spearman")) < 1e-13
    expect("spearman", [xv, yv], [rs])


def gen_stats():
    lines.append("# descriptive statistics")
    vec("qs", QS)
    stats_case("st_rand", np.round(rng.normal(10, 3, 257), 1))
    stats_case("st_offset", 1e9 + rng.normal(0, 1, 100))
    stats_case("st_wide", rng.normal(0, 1, 300) * np.exp(rng.normal(0, 8, 300)))
    stats_case("st_n1", np.array([4.2]))
    stats_case("st_n2", np.array([1.0, 3.0]))
    stats_case("st_const", np.full(7, 0.1))
    x = np.round(rng.normal(0, 1, 257), 1)
    corr_case("co_rand", x, np.round(0.6 * x + rng.normal(0, 1, 257), 1))
    x = rng.normal(0, 1, 50)
    corr_case("co_linear", x, 2.0 * x + 1.0)
    corr_case("co_neg", x, -x ** 3)
    corr_case("co_const", x[:10], np.full(10, 3.0))
    corr_case("co_big", 1e8 + x, 1e-3 * x + rng.normal(0, 1e-3, 50))


def gen_vectors(n):
    """Vectors the C test regenerates from i alone (integer arithmetic, exact
    doubles), long enough to cross numpy's 8192-value summation chunks."""
    g = np.empty(n)
    p = np.empty(n)
    y = np.empty(n, dtype=int)
    sc = np.empty(n)
    for i in range(n):
        g[i] = float(((i * 2654435761) % 2**32) - 2**31) * 2.0 ** ((i * 40503) % 41 - 20)
        p[i] = g[i] + g[i] * float((i * 69069) % 1001 - 500) / 4096.0
        y[i] = 1 if (i * 7919) % 10 < 3 else 0
        sc[i] = float((i * 2654435761) % 1000003) / 1000003.0 + 0.25 * y[i]
    return g, p, y, sc


def gen_large():
    lines.append("# generated in the test from the index alone (see gen_vectors)")
    n = 20011
    g, p, y, sc = gen_vectors(n)
    expect("gen", [n], [np.sum(g), np.mean(g), np.var(g), np.std(g, ddof=1),
                        skm.mean_squared_error(g, p), skm.r2_score(g, p),
                        skm.mean_absolute_error(g, p), skm.roc_auc_score(y, sc),
                        skm.average_precision_score(y, sc)])


def main():
    os.makedirs(OUT, exist_ok=True)
    lines.append("# generated by tools/ref_metrics.py; do not edit")
    lines.append("# scikit-learn %s, numpy %s, scipy %s, pandas %s" % (
        sklearn.__version__, np.__version__, scipy.__version__, pd.__version__))
    gen_regression()
    gen_labels()
    gen_scores()
    gen_stats()
    gen_large()
    with open(os.path.join(OUT, "expected.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
