#!/usr/bin/python3
"""ref_clv_eval.py - independent reference for the CDNOW holdout evaluation
(cip_clv_eval_run, tests/unit/test_clv_eval.c)

usage: tools/ref_clv_eval.py ../shared/data/CDNOW_sample.txt > tests/data/clv/cdnow_eval_ref.json

With pandas, scipy and scikit-learn only (no cip code): reads CDNOW, merges
same-day purchases, builds the 39-week calibration summary (to 1997-09-30)
and the holdout to 1998-06-30, fits BG/NBD and Gamma-Gamma by maximum
likelihood with scipy, and computes
  * holdout spend forecasts: BG/NBD E[Y(39)|x,t_x,T] x Gamma-Gamma E[M|x,zbar],
    and "same as last period" (calibration spend in the last 39 weeks);
  * churn (no holdout purchase) scores: 1 - P(alive) with P(alive) < 0.5, the
    BG/NBD P(no purchase in 39 weeks), and recency (no purchase in 91 days);
  * the cumulative repeat purchases at weeks 13, 26, 39, 52, 78;
  * the period-shifted scheme: features up to 1997-06-30, labels from
    (1997-06-30, 1997-09-30], prediction from features up to 1997-09-30, with
    scikit-learn RandomForestRegressor / Classifier (200 trees,
    min_samples_leaf 5, random_state 42) on the same feature definitions.
SPDX-License-Identifier: MIT
"""
import json
import sys

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.metrics import f1_score, precision_score, recall_score, roc_auc_score

UD = 7.0
CAL = pd.Timestamp("1997-09-30")
HOLD = pd.Timestamp("1998-06-30")
TRAIN = pd.Timestamp("1997-06-30")
H = (HOLD - CAL).days / UD


def read(path):
    df = pd.read_csv(path, sep=r"\s+", header=None, names=["master", "id", "date", "cds", "usd"],
                     dtype={"date": str})
    df["date"] = pd.to_datetime(df["date"], format="%Y%m%d")
    df = df.groupby(["id", "date"], as_index=False)["usd"].sum()
    return df.sort_values(["id", "date"])


def features(df, cutoff, label_end):
    rows = []
    for cid, g in df.groupby("id"):
        c = g[g.date <= cutoff]
        if len(c) == 0:
            continue
        d = ((c.date - c.date.iloc[0]).dt.days).to_numpy(float)
        amt = c.usd.to_numpy()
        x = len(c) - 1
        T = (cutoff - c.date.iloc[0]).days / UD
        tx = d[-1] / UD
        gaps = np.diff(d) / UD
        span = (cutoff - c.date.iloc[0]).days
        lo, hi = span / 3.0, span - span / 3.0
        nf = float(np.sum(d <= lo)) if span > 0 else 0.0
        nl = float(np.sum(d >= hi)) if span > 0 else 0.0
        lab = g[(g.date > cutoff) & (g.date <= label_end)]
        rows.append(dict(
            id=cid, frequency=x, recency=tx, age=T, since_last=T - tx, transactions=x + 1,
            monetary=amt.mean(), total_spend=amt.sum(), first_amount=amt[0], last_amount=amt[-1],
            ipt_mean=gaps.mean() if x > 0 else np.nan,
            ipt_std=gaps.std() if x > 1 else np.nan, trend=nl - nf,
            rate=x / T if T > 0 else np.nan,
            repeat_monetary=(amt.sum() - amt[0]) / x if x > 0 else np.nan,
            label_spend=lab.usd.sum(), label_churn=float(len(lab) == 0),
            last_days=(cutoff - c.date.iloc[-1]).days))
    return pd.DataFrame(rows)


FEATS = ["frequency", "recency", "age", "since_last", "transactions", "monetary", "total_spend",
         "first_amount", "last_amount", "ipt_mean", "ipt_std", "trend", "rate", "repeat_monetary"]


def bgnbd_nll(lp, x, tx, T):
    r, al, a, b = np.exp(lp)
    A1 = gammaln(r + x) - gammaln(r) + r * np.log(al)
    A2 = betaln(a, b + x) - betaln(a, b) - (r + x) * np.log(al + T)
    A3 = np.where(x > 0, betaln(a + 1, b + np.maximum(x, 1) - 1) - betaln(a, b)
                  - (r + x) * np.log(al + tx), -np.inf)
    return -np.sum(A1 + np.logaddexp(A2, A3))


def gg_nll(lp, x, z):
    p, q, g = np.exp(lp)
    return -np.sum(gammaln(p * x + q) - gammaln(p * x) - gammaln(q) + q * np.log(g)
                   + (p * x - 1) * np.log(z) + p * x * np.log(x) - (p * x + q) * np.log(g + x * z))


def fit(f, x0, args):
    res = minimize(f, np.log(x0), args=args, method="Nelder-Mead",
                   options=dict(xatol=1e-10, fatol=1e-12, maxiter=20000, maxfev=40000))
    res = minimize(f, res.x, args=args, method="BFGS", options=dict(gtol=1e-8))
    return np.exp(res.x)


def spend_scores(pred, act):
    return dict(mae=float(np.mean(np.abs(pred - act))),
                rmse=float(np.sqrt(np.mean((pred - act) ** 2))),
                corr=float(np.corrcoef(pred, act)[0, 1]),
                predicted_total=float(pred.sum()), actual_total=float(act.sum()))


def churn_scores(score, label, truth):
    return dict(roc_auc=float(roc_auc_score(truth, score)), f1=float(f1_score(truth, label)),
                precision=float(precision_score(truth, label)),
                recall=float(recall_score(truth, label)))


def main():
    df = read(sys.argv[1])
    ev = features(df, CAL, HOLD)
    tr = features(df, TRAIN, CAL)
    x, tx, T = ev.frequency.to_numpy(float), ev.recency.to_numpy(), ev.age.to_numpy()
    r, al, a, b = fit(bgnbd_nll, [1, 1, 1, 1], (x, tx, T))
    rep = ev.frequency > 0
    z = ev.repeat_monetary.to_numpy()
    p, q, g = fit(gg_nll, [1, 1, 1], (x[rep], z[rep]))
    act = ev.label_spend.to_numpy()
    truth = ev.label_churn.to_numpy().astype(int)
    # BG/NBD conditional expectation and P(alive) (FHL 2005 eq. 10 and its denominator)
    d = np.where(x > 0, a / (b + np.maximum(x, 1) - 1) * ((al + T) / (al + tx)) ** (r + x), 0.0)
    palive = 1 / (1 + d)
    ey = ((a + b + x - 1) / (a - 1) * (1 - ((al + T) / (al + T + H)) ** (r + x)
          * hyp2f1(r + x, b + x, a + b + x - 1, H / (al + T + H))) * palive)
    em = np.where(x > 0, p * (g + x * np.nan_to_num(z)) / (p * x + q - 1), g * p / (q - 1))
    out = {"bgnbd": [r, al, a, b], "gamma_gamma": [p, q, g], "customers": int(len(ev))}
    out["spend_bgnbd"] = spend_scores(ey * em, act)
    # same as last period: the calibration window is 273 days = the holdout length
    win = min((HOLD - CAL).days, (CAL - df.date.min()).days + 1)
    cal = df[(df.date <= CAL) & (df.date > CAL - pd.Timedelta(days=win))]
    last = cal.groupby("id").usd.sum().reindex(ev.id).fillna(0).to_numpy() * (HOLD - CAL).days / win
    out["spend_last_period"] = spend_scores(last, act)
    out["churn_rate"] = float(truth.mean())
    out["churn_palive"] = churn_scores(1 - palive, (palive < 0.5).astype(int), truth)
    pnp = 1 - palive + palive * ((al + T) / (al + T + H)) ** (r + x)
    out["churn_bgnbd_no_purchase"] = churn_scores(pnp, (pnp > 0.5).astype(int), truth)
    rec = ev.last_days.to_numpy()
    out["churn_recency"] = churn_scores(rec, (rec >= 91).astype(int), truth)
    start = df.date.min()
    rp = df[df.groupby("id").cumcount() > 0]
    out["cumulative"] = {str(t): int((rp.date <= start + pd.Timedelta(days=7 * t - 1)).sum())
                         for t in (13, 26, 39, 52, 78)}
    out["train_customers"] = int(len(tr))
    out["train_churn_rate"] = float(tr.label_churn.mean())
    out["train_first_row"] = {k: (None if pd.isna(v) else float(v))
                              for k, v in tr.iloc[0][FEATS].items()}
    L = (CAL - TRAIN).days / UD
    # scikit-learn 1.2 forests reject NaN: -1 stands for "undefined" (no repeat purchase)
    Xtr, Xev = tr[FEATS].fillna(-1).to_numpy(), ev[FEATS].fillna(-1).to_numpy()
    reg = RandomForestRegressor(n_estimators=200, min_samples_leaf=5, random_state=42)
    reg.fit(Xtr, tr.label_spend.to_numpy() / L)
    out["spend_sklearn_rf"] = spend_scores(reg.predict(Xev) * H, act)
    clf = RandomForestClassifier(n_estimators=200, min_samples_leaf=5, random_state=42)
    clf.fit(Xtr, tr.label_churn.to_numpy().astype(int))
    pr = clf.predict_proba(Xev)[:, 1]
    out["churn_sklearn_rf"] = churn_scores(pr, (pr > 0.5).astype(int), truth)
    json.dump(out, sys.stdout, indent=1, default=float)
    print()


if __name__ == "__main__":
    main()
