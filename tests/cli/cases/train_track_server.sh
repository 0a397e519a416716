# cip train --tracking-uri http://... logs through MLflow's REST API: a small fake
# MLflow server (Python, stops itself after 60 s) records the requests
[ -x /usr/bin/python3 ] || { echo "SKIP: /usr/bin/python3 (fake server) is absent"; exit 0; }
cat > fake.py <<'PY'
import http.server, json, os, sys, threading
log = open("requests.log", "w")
state = {"exp": False, "runs": 0}
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def answer(self, code, obj):
        body = (obj if isinstance(obj, str) else json.dumps(obj)).encode()
        self.send_response(code); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("utf-8", "replace") if n else ""
        log.write(json.dumps({"m": self.command, "p": self.path, "b": body}) + "\n"); log.flush()
        p = self.path
        if p == "/health": return self.answer(200, "OK")
        if p.startswith("/api/2.0/mlflow-artifacts/artifacts/"): return self.answer(200, {})
        p = p[len("/api/2.0/mlflow/"):]
        if p.startswith("experiments/get-by-name"):
            if not state["exp"]: return self.answer(404, {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "no"})
            return self.answer(200, {"experiment": {"experiment_id": "3", "lifecycle_stage": "active"}})
        if p == "experiments/create": state["exp"] = True; return self.answer(200, {"experiment_id": "3"})
        if p == "runs/create":
            state["runs"] += 1; rid = "%032x" % (0xabc0 + state["runs"])
            return self.answer(200, {"run": {"info": {"run_id": rid, "experiment_id": "3",
                                 "artifact_uri": "mlflow-artifacts:/3/%s/artifacts" % rid}}})
        if p.startswith("runs/get"):
            rid = p.split("run_id=")[1]
            return self.answer(200, {"run": {"info": {"run_id": rid, "experiment_id": "3",
                                 "artifact_uri": "mlflow-artifacts:/3/%s/artifacts" % rid}}})
        if p in ("runs/log-batch", "runs/update", "registered-models/create", "registered-models/alias"):
            return self.answer(200, {})
        if p == "model-versions/create": return self.answer(200, {"model_version": {"version": "1"}})
        if p.startswith("registered-models/alias"):
            return self.answer(404, {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "no alias"})
        return self.answer(404, {"error_code": "ENDPOINT_NOT_FOUND", "message": p})
    do_GET = do_POST = do_PUT = handle_any
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open("port.txt", "w").write(str(s.server_address[1]))
threading.Timer(60, lambda: os._exit(0)).start()
s.serve_forever()
PY
/usr/bin/python3 fake.py & echo $! > server.pid
for i in $(seq 50); do [ -s port.txt ] && break; sleep 0.1; done
PORT=$(cat port.txt)
ARGS=(train clv "$DATA/train/generic.csv" --target y --features x1,x2 --cv 2 --n-estimators 5
      -q --tracking-uri "http://127.0.0.1:$PORT" --register cip-clv)
STDERR_HAS=("run 0000000000000000000000000000abc1 logged to http://127.0.0.1:$PORT"
            "registered cip-clv version 1")
CHECK='kill $(cat server.pid) 2>/dev/null; /usr/bin/python3 -c "
import json
reqs = [json.loads(l) for l in open(\"requests.log\")]
paths = [r[\"m\"] + \" \" + r[\"p\"].split(\"?\")[0] for r in reqs]
want = [\"GET /health\", \"GET /api/2.0/mlflow/experiments/get-by-name\",
        \"POST /api/2.0/mlflow/experiments/create\", \"POST /api/2.0/mlflow/runs/create\"]
assert paths[:4] == want, paths[:6]
run = \"0000000000000000000000000000abc1\"
art = \"PUT /api/2.0/mlflow-artifacts/artifacts/3/%s/artifacts/model/\" % run
assert art + \"MLmodel\" in paths and art + \"model.forest\" in paths and art + \"manifest.json\" in paths, paths
upd = [json.loads(r[\"b\"]) for r in reqs if r[\"p\"] == \"/api/2.0/mlflow/runs/update\"]
assert upd and upd[-1][\"status\"] == \"FINISHED\", upd
batch = [json.loads(r[\"b\"]) for r in reqs if r[\"p\"] == \"/api/2.0/mlflow/runs/log-batch\"]
params = {p[\"key\"]: p[\"value\"] for b in batch for p in b[\"params\"]}
assert params[\"task\"] == \"clv\" and params[\"cv\"] == \"2\" and params[\"data_fingerprint\"].startswith(\"sha256:\"), params
mv = [json.loads(r[\"b\"]) for r in reqs if r[\"p\"] == \"/api/2.0/mlflow/model-versions/create\"]
assert mv[0][\"source\"] == \"mlflow-artifacts:/3/%s/artifacts/model\" % run and mv[0][\"run_id\"] == run, mv
al = [json.loads(r[\"b\"]) for r in reqs if r[\"m\"] == \"POST\" and r[\"p\"] == \"/api/2.0/mlflow/registered-models/alias\"]
assert al == [{\"name\": \"cip-clv\", \"alias\": \"champion\", \"version\": \"1\"}], al
" && [ ! -e mlflow.db ]'
