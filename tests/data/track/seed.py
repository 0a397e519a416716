#!/usr/bin/python3
"""Seed a cip-created MLflow store (sqlite) with a small, known set of runs,
a READY LoggedModel with its files, and nothing else. Used by the
tests/cli/cases/runs_*.sh and models_*.sh cases.

usage: seed.py DB_PATH ARTIFACT_ROOT
Runs of experiment "churn" (id 1):
  aaaaaaaa...01  rf-200     FINISHED  test_r2 0.91 (cv_r2 steps 0..2), model=rf
  bbbbbbbb...02  linear     FINISHED  test_r2 0.55, model=linear
  cccccccc...03  rf-50      FINISHED  test_r2 0.85, model=rf
  dddddddd...04  crashed    RUNNING   started 3 hours before now
LoggedModel m-eeee...05 "model" of run aaaa...01, files under ARTIFACT_ROOT.
"""
import os
import sqlite3
import sys
import time

db, root = sys.argv[1], os.path.abspath(sys.argv[2])
now = int(time.time() * 1000)
c = sqlite3.connect(db)
c.execute("INSERT INTO experiments(experiment_id, name, artifact_location, lifecycle_stage, "
          "creation_time, last_update_time, workspace) VALUES (1, 'churn', ?, 'active', ?, ?, "
          "'default')", ("file://%s/1" % root, now, now))
runs = [("a" * 30 + "01", "rf-200", "FINISHED", now - 4000, 0.91, "rf"),
        ("b" * 30 + "02", "linear", "FINISHED", now - 3000, 0.55, "linear"),
        ("c" * 30 + "03", "rf-50", "FINISHED", now - 2000, 0.85, "rf"),
        ("d" * 30 + "04", "crashed", "RUNNING", now - 3 * 3600 * 1000, None, "gbm")]
for rid, name, status, start, r2, model in runs:
    end = None if status == "RUNNING" else start + 1000
    c.execute("INSERT INTO runs VALUES (?, ?, 'UNKNOWN', '', '', 'tester', ?, ?, ?, '', "
              "'active', ?, 1, NULL)",
              (rid, name, status, start, end, "file://%s/1/%s/artifacts" % (root, rid)))
    c.execute("INSERT INTO params VALUES ('model', ?, ?)", (model, rid))
    c.execute("INSERT INTO tags VALUES ('mlflow.runName', ?, ?)", (name, rid))
    if r2 is not None:
        c.execute("INSERT INTO metrics VALUES ('test_r2', ?, ?, ?, 0, 0)", (r2, start, rid))
        c.execute("INSERT INTO latest_metrics VALUES ('test_r2', ?, ?, 0, 0, ?)", (r2, start, rid))
for step, v in enumerate([0.88, 0.9, 0.87]):
    c.execute("INSERT INTO metrics VALUES ('cv_r2', ?, ?, ?, ?, 0)", (v, now, "a" * 30 + "01", step))
c.execute("INSERT INTO latest_metrics VALUES ('cv_r2', 0.87, ?, 2, 0, ?)", (now, "a" * 30 + "01"))
mid = "m-" + "e" * 30 + "05"
mdir = "%s/1/models/%s/artifacts" % (root, mid)
os.makedirs(mdir)
with open(mdir + "/MLmodel", "w") as f:
    f.write("model_id: %s\n" % mid)
c.execute("INSERT INTO logged_models VALUES (?, 1, 'model', ?, ?, ?, 2, 'active', NULL, ?, NULL)",
          (mid, "file://" + mdir, now, now, "a" * 30 + "01"))
c.commit()
c.close()
