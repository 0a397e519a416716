/* track_int.h - private declarations of the tracking store (src/track only)
 *
 * The store wraps one sqlite3 connection. Write helpers run each logical
 * change as one BEGIN IMMEDIATE ... COMMIT transaction, retried on SQLITE_BUSY.
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_TRACK_INT_H
#define CIP_TRACK_INT_H

#include <sqlite3.h>
#include <stdbool.h>

#include "cip/track.h"
#include "cipi.h"
#include "cipi_track.h"

struct cipi_rest; /* rest.c: an MLflow tracking server */

CIP_INTERNAL extern const struct cipi_store_ops cipi_sqlite_ops;
CIP_INTERNAL extern const struct cipi_store_ops cipi_rest_ops;

struct cip_store {
    struct cipi_alloc a;              /* allocator of this struct and its strings */
    const struct cipi_store_ops *ops; /* backend */
    sqlite3 *db;                      /* the connection (sqlite) */
    char *db_path;                    /* absolute path of the database file; the URI (rest) */
    char *artifact_root;              /* absolute directory of new experiments' artifacts */
    int read_only;                    /* opened read-only */
    struct cipi_rest *rest;           /* server connection (rest) */
};

struct cip_run {
    struct cipi_alloc a;
    cip_store *s;       /* borrowed */
    char id[33];        /* uuid4 hex */
    int64_t exp_id;     /* experiment */
    int64_t start_ms;   /* start time */
    char *artifact_dir; /* local directory of the run's artifacts (NULL on a server store
                           whose artifacts are not local) */
    char *artifact_uri; /* the run's artifact URI (rest) */
};

/* --- sqlite backend (runlife.c, run.c, metric.c, artifacts.c, mlmodel.c) ------ */
CIP_INTERNAL cip_status cipi_sql_experiment_get_id(cip_ctx *ctx, cip_store *s, const char *name,
                                                   int create, int64_t *id);
CIP_INTERNAL cip_status cipi_sql_run_start(cip_ctx *ctx, cip_store *s, const cip_run_params *p,
                                           cip_run **out);
CIP_INTERNAL cip_status cipi_sql_run_attach(cip_ctx *ctx, cip_store *s, const char *run_id,
                                            cip_run **out);
CIP_INTERNAL cip_status cipi_sql_log_batch(cip_ctx *ctx, cip_run *r, const cip_param *params,
                                           size_t n_params, const cip_param *tags, size_t n_tags,
                                           const cip_metric *m, size_t n_m);
CIP_INTERNAL cip_status cipi_sql_run_end(cip_ctx *ctx, cip_run *r, cip_run_status status);
CIP_INTERNAL cip_status cipi_sql_put_artifact(cip_ctx *ctx, cip_run *r, const char *dest,
                                              const void *data, size_t len);
CIP_INTERNAL cip_status cipi_sql_log_model(cip_ctx *ctx, cip_run *r, const cip_model_spec *spec,
                                           char **model_id_out);
CIP_INTERNAL void cipi_sql_close(cip_store *s);
/* Open the SQLite store at uri (store.c). */
CIP_INTERNAL cip_status cipi_sql_open(cip_ctx *ctx, const char *uri, const cip_store_opts *o,
                                      cip_store **out);

/* --- rest backend (rest.c, rest_ops.c) ------------------------------------------ */
CIP_INTERNAL cip_status cipi_rest_open(cip_ctx *ctx, const char *uri, const cip_store_opts *o,
                                       cip_store **out);
/* Write the model folder of spec (MLmodel, examples, files) into local dir.
 * model_id NULL: an MLflow-2 style model (no model_id; model_uuid random). */
CIP_INTERNAL cip_status cipi_track_model_files(cip_ctx *ctx, const cip_model_spec *spec,
                                               const char *model_id, const char *run_id,
                                               const char *artifact_uri, const char *dir);
/* Artifact path check (relative, normalised). Errors: INVALID. */
CIP_INTERNAL cip_status cipi_track_check_dest(cip_ctx *ctx, const char *dest);

/* The static DDL of schema revision 7d34483879f0 (schema.c). */
extern const char *const cipi_track_ddl[]; /* NULL-terminated */
/* cip's own indexes (names "cip_*"), created with the schema. */
extern const char *const cipi_track_ddl_extra[];

/* --- uri.c ----------------------------------------------------------------- */
/* Database path of a sqlite:/// URI (owned). Errors: INVALID. */
CIP_INTERNAL cip_status cipi_track_uri_path(cip_ctx *ctx, const char *uri, char **path);
/* Absolute form of path (its directory must exist). Owned. */
CIP_INTERNAL cip_status cipi_track_abspath(cip_ctx *ctx, const char *path, char **out);
/* mkdir -p. Errors: IO. */
CIP_INTERNAL cip_status cipi_track_mkdirs(cip_ctx *ctx, const char *dir);

/* --- run.c ------------------------------------------------------------------ */
/* Name check (MLflow's rules). Errors: INVALID. */
CIP_INTERNAL cip_status cipi_track_check_key(cip_ctx *ctx, const char *what, const char *key);
/* Upsert a tag within an open transaction. */
CIP_INTERNAL cip_status cipi_track_put_tag(cip_ctx *ctx, cip_store *s, const char *run_id,
                                           const char *key, const char *value);
/* Artifact location URI of an experiment (owned). */
CIP_INTERNAL cip_status cipi_track_exp_location(cip_ctx *ctx, cip_store *s, int64_t exp_id,
                                                char **out);

/* --- runlife.c ---------------------------------------------------------------- */
/* The system tags a new run gets in either backend: mlflow.runName = name, mlflow.user = user,
 * source, cip version/build/command, note, parent; a NULL value means "not set". */
enum { CIPI_RUN_SYSTEM_TAGS = 9 };
CIP_INTERNAL void cipi_track_system_tags(const cip_run_params *p, const char *name,
                                         const char *user,
                                         const char *tags[CIPI_RUN_SYSTEM_TAGS][2]);
/* A zeroed run handle of store s with id and experiment set (NULL when out of memory). */
CIP_INTERNAL cip_run *cipi_track_run_new(cip_ctx *ctx, cip_store *s, const char *id,
                                         int64_t exp_id);
/* The user of a new run: p->user, else $USER, else "unknown". */
CIP_INTERNAL const char *cipi_track_run_user(const cip_run_params *p);
/* Value present and at most max chars. Errors: INVALID. */
CIP_INTERNAL cip_status cipi_track_check_value(cip_ctx *ctx, const char *what, const char *key,
                                               const char *v, size_t max);
/* Within a transaction: insert the param, or check it has the same value. */
CIP_INTERNAL cip_status cipi_track_put_param(cip_ctx *ctx, cip_run *r, const char *key,
                                             const char *value);

/* --- metric.c --------------------------------------------------------------- */
/* INSERT OR IGNORE into metrics / upsert into latest_metrics; binds ?1 key,
 * ?2 value, ?3 timestamp, ?4 run id, ?5 step, ?6 is_nan. */
extern const char cipi_track_metric_insert_sql[];
extern const char cipi_track_metric_latest_sql[];
/* Check the keys of a batch (MISUSE when m is NULL with n > 0). */
CIP_INTERNAL cip_status cipi_track_check_metrics(cip_ctx *ctx, const cip_metric *m, size_t n);
/* Within a transaction: insert n points and update latest_metrics. */
CIP_INTERNAL cip_status cipi_track_put_metrics(cip_ctx *ctx, cip_run *r, const cip_metric *m,
                                               size_t n);
/* Reset st, bind point m of run_id (timestamp 0 = now) and step it. The key
 * and run id are bound without copying: they must outlive the step. */
CIP_INTERNAL cip_status cipi_track_bind_metric(cip_ctx *ctx, cip_store *s, sqlite3_stmt *st,
                                               const char *run_id, const cip_metric *m,
                                               int64_t now);

/* --- artifacts.c / mlmodel.c ---------------------------------------------- */
/* Write data atomically to <dir>/<dest> (dest relative, normalised). */
CIP_INTERNAL cip_status cipi_track_put_file(cip_ctx *ctx, const char *dir, const char *dest,
                                            const void *data, size_t len);

#endif /* CIP_TRACK_INT_H */
