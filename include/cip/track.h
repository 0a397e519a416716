/* cip/track.h - experiment tracking in an MLflow-compatible store
 *
 * A cip_store is an open tracking store. The primary backend is an SQLite
 * database written at MLflow's schema revision 7d34483879f0 (the real MLflow
 * UI and client of that revision open it without migration); artifacts live
 * in an artifact root laid out as MLflow does:
 *   <root>/<experiment_id>/<run_id>/artifacts/...   (default root: "mlartifacts"
 *   next to the database file).
 * Every logical change is one SQLite transaction; the database runs in WAL
 * mode with a busy timeout, so several processes may log into one store at
 * once. The second backend is an MLflow tracking server (http:// or https://,
 * its REST API through libcurl): runs, params, metrics, tags, artifacts
 * (through the server's mlflow-artifacts proxy), models and registry
 * versions/aliases are written; the query functions (search, get, listing,
 * delete, gc, import/export, registry listing and resolving) are SQLite-only
 * and fail with CIP_ERR_INVALID "not supported for tracking servers yet".
 * A store handle and the runs made from it belong to one thread.
 * Times are epoch milliseconds; run ids are uuid4 hex (32 lowercase chars).
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_TRACK_H
#define CIP_TRACK_H

#include <stddef.h>
#include <stdint.h>

#include "cip/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The MLflow schema revision cip writes. */
#define CIP_TRACK_SCHEMA_REVISION "7d34483879f0"
/* The store used when neither an explicit URI nor MLFLOW_TRACKING_URI is set. */
#define CIP_TRACK_DEFAULT_URI "sqlite:///mlflow.db"

typedef struct cip_store cip_store; /* opaque: an open tracking store */
typedef struct cip_run cip_run;     /* opaque: a run being logged */

typedef struct cip_store_opts {
    const char *artifact_root; /* directory for new experiments' artifacts; NULL = "mlartifacts"
                                  beside the database file */
    int read_only;             /* 1: never create or write (missing store = CIP_ERR_NOT_FOUND) */
    int busy_timeout_ms;       /* wait for other writers this long; default 30000 */
} cip_store_opts;

CIP_API void cip_store_opts_default(cip_store_opts *o);

/* The URI to use: `explicit_uri` when not NULL/empty, else $MLFLOW_TRACKING_URI
 * when set and non-empty, else CIP_TRACK_DEFAULT_URI. Borrowed/static. */
CIP_API const char *cip_store_resolve_uri(const char *explicit_uri);

/* Open (creating if needed, unless read_only) the store at `uri`
 * ("sqlite:///relative.db", "sqlite:////abs/path.db", "http://host:port").
 * opts NULL = defaults. A server is contacted once (GET /health): an
 * unreachable one is CIP_ERR_IO naming its URL; read_only with a server URI
 * is CIP_ERR_INVALID (reading is not supported yet).
 * A new database gets MLflow's 48 tables, the alembic_version row, the
 * "default" workspace and the "Default" experiment 0, in one transaction.
 * Errors (the store is left untouched on each): CIP_ERR_INVALID (unknown or
 * unsupported URI scheme), CIP_ERR_SCHEMA (not an MLflow database, or a schema
 * revision cip does not know), CIP_ERR_IO (cannot create/open, read-only
 * directory), CIP_ERR_NOT_FOUND (read_only and missing), CIP_ERR_NOMEM.
 * Allocates: yes; free with cip_store_close(). */
CIP_API cip_status cip_store_open(cip_ctx *ctx, const char *uri, const cip_store_opts *opts,
                                  cip_store **out);
CIP_API void cip_store_close(cip_store *s); /* NULL is a no-op */
/* Path of the database file; the URI for a server store (borrowed from s). */
CIP_API const char *cip_store_db_path(const cip_store *s);

/* Id of the experiment `name`, created (active, artifact location under the
 * store's artifact root) when missing and create is 1. Errors: NOT_FOUND. */
CIP_API cip_status cip_experiment_get_id(cip_ctx *ctx, cip_store *s, const char *name, int create,
                                         int64_t *id_out);

typedef struct cip_run_params {
    const char *experiment;    /* experiment name; NULL = "Default"; created on first use */
    const char *run_name;      /* NULL = "run-<first 8 hex of the id>" */
    const char *parent_run_id; /* sets tag mlflow.parentRunId; NULL = none */
    const char *user;          /* NULL = $USER, else "unknown" */
    const char *source_name;   /* mlflow.source.name (program/script); NULL = "cip" */
    const char *command_line;  /* exact command line, tag cip.command; NULL = none */
    const char *note;          /* mlflow.note.content (markdown); NULL = none */
    int64_t start_time_ms;     /* 0 = now */
} cip_run_params;

CIP_API void cip_run_params_default(cip_run_params *p);

/* Start a RUNNING run and write its system tags (mlflow.runName, mlflow.user,
 * mlflow.source.name, mlflow.source.type=LOCAL, cip.version, cip.build, and
 * the optional ones). Creates the run's artifact directory.
 * Errors: INVALID (bad names), NOT_FOUND (parent run), IO, NOMEM.
 * Allocates: yes; free with cip_run_free() (which does not end the run). */
CIP_API cip_status cip_run_start(cip_ctx *ctx, cip_store *s, const cip_run_params *p,
                                 cip_run **out);
/* Re-open an existing run by id for further logging. Errors: NOT_FOUND. */
CIP_API cip_status cip_run_attach(cip_ctx *ctx, cip_store *s, const char *run_id, cip_run **out);
CIP_API const char *cip_run_id(const cip_run *r);        /* 32 hex, borrowed */
CIP_API int64_t cip_run_experiment_id(const cip_run *r); /* numeric id */
/* Local path of the run's artifacts, borrowed; NULL on a server store whose
 * artifacts are not local files. */
CIP_API const char *cip_run_artifact_dir(const cip_run *r);

/* Params are immutable: logging another value for a key is CIP_ERR_CONFLICT;
 * the same value again is a no-op. Keys: letters, digits, "_-./ ", <= 250
 * chars; values <= 6000 chars. */
CIP_API cip_status cip_run_log_param(cip_ctx *ctx, cip_run *r, const char *key, const char *value);
/* Set (or overwrite) a run tag; values <= 8000 chars. */
CIP_API cip_status cip_run_set_tag(cip_ctx *ctx, cip_run *r, const char *key, const char *value);

typedef struct cip_metric {
    const char *key;
    double value;      /* NaN is stored as MLflow does (value 0, is_nan 1) */
    int64_t step;      /* e.g. the CV fold */
    int64_t timestamp; /* epoch ms; 0 = now */
} cip_metric;

/* Log one metric point (timestamp now). */
CIP_API cip_status cip_run_log_metric(cip_ctx *ctx, cip_run *r, const char *key, double value,
                                      int64_t step);
/* Log n points in one transaction, updating latest_metrics. An identical
 * point already stored is skipped (never duplicated). */
CIP_API cip_status cip_run_log_metrics(cip_ctx *ctx, cip_run *r, const cip_metric *m, size_t n);

/* A key/value pair for batches (borrowed strings). */
typedef struct cip_param {
    const char *key;
    const char *value;
} cip_param;

/* Log params, tags and metric points together, as MLflow's runs/log-batch:
 * everything is validated first (a bad key or value rejects the whole batch,
 * nothing written); SQLite stores write one transaction; REST stores send
 * requests of at most 1000 metrics and 100 params + tags each. Same rules as
 * the single calls (params immutable, identical metric points skipped). Any
 * array may be NULL when its count is 0. Errors: INVALID, CONFLICT, IO. */
CIP_API cip_status cip_run_log_batch(cip_ctx *ctx, cip_run *r, const cip_param *params,
                                     size_t n_params, const cip_param *tags, size_t n_tags,
                                     const cip_metric *metrics, size_t n_metrics);

/* Copy file `src` into the run's artifacts as `dest` (relative path, may
 * contain "/"; NULL = basename of src), atomically (temp name + rename). */
CIP_API cip_status cip_run_log_artifact(cip_ctx *ctx, cip_run *r, const char *src,
                                        const char *dest);
/* Write len bytes from memory as artifact `dest`, atomically. */
CIP_API cip_status cip_run_log_text(cip_ctx *ctx, cip_run *r, const char *dest, const char *data,
                                    size_t len);

typedef enum cip_run_status {
    CIP_RUN_RUNNING = 1,
    CIP_RUN_SCHEDULED = 2,
    CIP_RUN_FINISHED = 3,
    CIP_RUN_FAILED = 4,
    CIP_RUN_KILLED = 5
} cip_run_status;

/* MLflow's name of a status ("RUNNING", ...); NULL for an invalid value. */
CIP_API const char *cip_run_status_name(cip_run_status st);

/* Finish the run: end_time, status, tag cip.duration_ms. */
CIP_API cip_status cip_run_end(cip_ctx *ctx, cip_run *r, cip_run_status status);
CIP_API void cip_run_free(cip_run *r); /* NULL is a no-op; does not end the run */

/* --- models ---------------------------------------------------------------- */
typedef enum cip_ml_type {
    CIP_ML_BOOLEAN,
    CIP_ML_INTEGER,
    CIP_ML_LONG,
    CIP_ML_FLOAT,
    CIP_ML_DOUBLE,
    CIP_ML_STRING,
    CIP_ML_BINARY,
    CIP_ML_DATETIME
} cip_ml_type;

typedef struct cip_model_column {
    const char *name;
    cip_ml_type type;
} cip_model_column;

typedef struct cip_model_spec {
    const char *name;       /* LoggedModel name and runs:/<id>/<name>; NULL = "model" */
    const char *flavor;     /* custom flavor name; NULL = "cip" */
    const char *model_file; /* file copied into the model dir (may be NULL) */
    size_t n_inputs;        /* signature inputs */
    const cip_model_column *inputs;
    size_t n_outputs; /* signature outputs (0 = none) */
    const cip_model_column *outputs;
    const char *const *example; /* one example row: n_inputs values as text, NULL = null;
                                   NULL = write no input example */
    size_t n_files;             /* more local files copied into the model dir (by basename) */
    const char *const *files;
} cip_model_spec;

/* Log an MLflow-3 LoggedModel for the run: a READY logged_models row, the
 * run-output link (inputs table), and <experiment artifacts>/models/<id>/
 * artifacts/ holding MLmodel (flavor, signature, saved_input_example_info),
 * input_example.json (pandas split), serving_input_example.json
 * ({"dataframe_split": ...}), the model file and spec->files. *model_id_out
 * (optional) receives "m-<32 hex>" (owned; free with cip_free). On a server
 * store the same folder is uploaded as run artifacts under <name>/ (no
 * LoggedModel entity; *model_id_out stays NULL). */
CIP_API cip_status cip_run_log_model(cip_ctx *ctx, cip_run *r, const cip_model_spec *spec,
                                     char **model_id_out);

/* --- queries --------------------------------------------------------------- */
typedef struct cip_kv {
    char *key;
    char *value;
} cip_kv;

typedef struct cip_metric_value {
    char *key;
    double value;
    int64_t step;
    int64_t timestamp;
} cip_metric_value;

typedef struct cip_run_record {
    char run_id[33];
    char *run_name;
    int64_t experiment_id;
    char *status;          /* "RUNNING", ... */
    int64_t start_time;    /* ms */
    int64_t end_time;      /* ms; -1 when unset */
    char *lifecycle_stage; /* "active" | "deleted" */
    char *artifact_uri;
    char *user_id;
    size_t n_params, n_metrics, n_tags;
    cip_kv *params;            /* sorted by key */
    cip_metric_value *metrics; /* latest values, sorted by key */
    cip_kv *tags;              /* sorted by key */
} cip_run_record;

typedef struct cip_run_set cip_run_set; /* opaque: search results */

typedef struct cip_run_query {
    const char *experiment; /* name or id; NULL = all experiments */
    const char *filter;     /* MLflow search syntax subset; NULL = none */
    const char *order_by;   /* e.g. "metrics.r2 DESC"; NULL = start_time DESC */
    int64_t max_results;    /* <= 0 = 1000 */
    int deleted;            /* 0 active only, 1 deleted only, 2 both */
} cip_run_query;

/* Search runs. Filter: clauses `metrics.K <op> N`, `params.K <op> 'v'`,
 * `tags.K <op> 'v'`, `attributes.A <op> v` (status, run_name, run_id,
 * start_time, end_time, user_id) joined by `and`; ops = != < <= > >= (and
 * LIKE for strings); keys with spaces in backticks. Translated to
 * parameterised SQL. Errors: PARSE (filter/order), NOT_FOUND (experiment). */
CIP_API cip_status cip_runs_search(cip_ctx *ctx, cip_store *s, const cip_run_query *q,
                                   cip_run_set **out);
/* One run by id (or unique id prefix of >= 8 chars). Errors: NOT_FOUND. */
CIP_API cip_status cip_run_get(cip_ctx *ctx, cip_store *s, const char *run_id, cip_run_set **out);
CIP_API size_t cip_run_set_count(const cip_run_set *rs);
CIP_API const cip_run_record *cip_run_set_at(const cip_run_set *rs, size_t i); /* borrowed */
/* Every logged point of metric `key` of run `run_id` (id or unique prefix),
 * ordered by step then timestamp; NaN values come back as NaN. *out is one
 * owned array (free with cip_free; the keys point into the same allocation).
 * Errors: NOT_FOUND (run, or no point of that key), INVALID (server store). */
CIP_API cip_status cip_run_metric_history(cip_ctx *ctx, cip_store *s, const char *run_id,
                                          const char *key, cip_metric_value **out, size_t *n);
/* JSON array of runs with MLflow's field names (run_id, run_name,
 * experiment_id, status, start_time, end_time, lifecycle_stage, artifact_uri,
 * params, metrics, tags). Owned; free with cip_free. */
CIP_API cip_status cip_run_set_json(cip_ctx *ctx, const cip_run_set *rs, char **out);
CIP_API void cip_run_set_free(cip_run_set *rs);

/* All experiments as a JSON array or text table (owned; free with cip_free). */
CIP_API cip_status cip_experiments_list(cip_ctx *ctx, cip_store *s, int json, char **out);

/* Soft-delete / restore a run (lifecycle_stage, deleted_time). */
CIP_API cip_status cip_run_delete(cip_ctx *ctx, cip_store *s, const char *run_id);
CIP_API cip_status cip_run_restore(cip_ctx *ctx, cip_store *s, const char *run_id);
/* Mark RUNNING runs started more than older_than_ms ago as FAILED (a process
 * that died mid-run). *n_marked receives the count. */
CIP_API cip_status cip_runs_mark_stale_failed(cip_ctx *ctx, cip_store *s, int64_t older_than_ms,
                                              size_t *n_marked);

/* --- legacy file store ------------------------------------------------------ */
typedef struct cip_import_stats {
    size_t experiments; /* experiments created or matched by name */
    size_t runs;        /* runs imported */
    size_t skipped;     /* runs already in the store (same run id), left as they are */
    size_t models;      /* LoggedModels imported */
} cip_import_stats;

/* Import an MLflow file store (`mlruns/` layout: <exp>/meta.yaml,
 * <exp>/<run_id>/{meta.yaml,params,tags,metrics}, <exp>/models/m-*) into the
 * SQLite store. Experiments are matched by name (created when missing; the
 * file store's "0" maps to Default); runs keep their ids; artifact URIs are
 * rewritten to point at the imported folder (the file store's own URIs may
 * name another machine). Each run is one transaction; re-importing skips
 * runs already present. The folder is only read. stats may be NULL.
 * Errors: IO (unreadable folder), PARSE (malformed meta.yaml or metric line,
 * with file:line), CONFLICT, NOMEM. */
CIP_API cip_status cip_store_import_filestore(cip_ctx *ctx, cip_store *s, const char *dir,
                                              cip_import_stats *stats);

/* Write the runs selected by q (NULL = every active run) as a legacy MLflow
 * file store under dir (created if needed): experiments, runs with all
 * metric points, params, tags, and their LoggedModels' meta.yaml. Artifact
 * files are not copied; artifact URIs keep pointing at this store's artifact
 * locations. Re-exporting overwrites the same files. *n_runs (optional)
 * receives the number of runs written. Errors: IO, PARSE (q), NOMEM. */
CIP_API cip_status cip_store_export_filestore(cip_ctx *ctx, cip_store *s, const char *dir,
                                              const cip_run_query *q, size_t *n_runs);

#ifdef __cplusplus
}
#endif
#endif /* CIP_TRACK_H */
