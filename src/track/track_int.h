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

struct cip_store {
    struct cipi_alloc a; /* allocator of this struct and its strings */
    sqlite3 *db;         /* the connection */
    char *db_path;       /* absolute path of the database file */
    char *artifact_root; /* absolute directory of new experiments' artifacts */
    int read_only;       /* opened read-only */
};

struct cip_run {
    struct cipi_alloc a;
    cip_store *s;       /* borrowed */
    char id[33];        /* uuid4 hex */
    int64_t exp_id;     /* experiment */
    int64_t start_ms;   /* start time */
    char *artifact_dir; /* local directory of the run's artifacts */
};

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

/* --- metric.c --------------------------------------------------------------- */
/* INSERT OR IGNORE into metrics / upsert into latest_metrics; binds ?1 key,
 * ?2 value, ?3 timestamp, ?4 run id, ?5 step, ?6 is_nan. */
extern const char cipi_track_metric_insert_sql[];
extern const char cipi_track_metric_latest_sql[];
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
