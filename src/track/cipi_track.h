/* cipi_track.h - the tracking store's internal API shared with src/registry
 *
 * SQL helpers over an open cip_store. Cross-module
 * internal (like cipi.h): only src/track and src/registry include it. The
 * struct layouts stay private in track_int.h.
 * SPDX-License-Identifier: MIT
 */
#ifndef CIPI_TRACK_H
#define CIPI_TRACK_H

#include <sqlite3.h>
#include <stdbool.h>

#include "cip/track.h"
#include "cipi.h"

/* The backend of a store. Public functions validate their arguments, then
 * call these; registry entries may be NULL (the SQL code in src/registry). */
struct cipi_store_ops {
    const char *name; /* "sqlite", "rest" */
    void (*close)(cip_store *s);
    cip_status (*experiment_get_id)(cip_ctx *ctx, cip_store *s, const char *name, int create,
                                    int64_t *id);
    cip_status (*run_start)(cip_ctx *ctx, cip_store *s, const cip_run_params *p, cip_run **out);
    cip_status (*run_attach)(cip_ctx *ctx, cip_store *s, const char *run_id, cip_run **out);
    /* keys and values already checked */
    cip_status (*log_batch)(cip_ctx *ctx, cip_run *r, const cip_param *params, size_t n_params,
                            const cip_param *tags, size_t n_tags, const cip_metric *m, size_t n_m);
    cip_status (*run_end)(cip_ctx *ctx, cip_run *r, cip_run_status status);
    /* dest already checked */
    cip_status (*put_artifact)(cip_ctx *ctx, cip_run *r, const char *dest, const void *data,
                               size_t len);
    cip_status (*log_model)(cip_ctx *ctx, cip_run *r, const cip_model_spec *spec,
                            char **model_id_out);
    cip_status (*reg_register)(cip_ctx *ctx, cip_store *s, const char *name, const char *source,
                               const char *description, int64_t *version);
    cip_status (*reg_set_alias)(cip_ctx *ctx, cip_store *s, const char *name, const char *alias,
                                int64_t version);
    cip_status (*reg_get_alias)(cip_ctx *ctx, cip_store *s, const char *name, const char *alias,
                                int64_t *version);
};
/* The backend of s. */
CIP_INTERNAL const struct cipi_store_ops *cipi_track_ops(const cip_store *s);

/* --- store.c ------------------------------------------------------------- */
/* 32 lowercase hex chars of a uuid4 from /dev/urandom, NUL-terminated. */
CIP_INTERNAL cip_status cipi_track_uuid_hex(cip_ctx *ctx, char out[33]);
/* Record the connection's error as "<what>: <sqlite message>". */
CIP_INTERNAL cip_status cipi_track_sqlfail(cip_ctx *ctx, const cip_store *s, const char *what);
CIP_INTERNAL cip_status cipi_track_prepare(cip_ctx *ctx, cip_store *s, const char *sql,
                                           sqlite3_stmt **out);
CIP_INTERNAL cip_status cipi_track_exec(cip_ctx *ctx, cip_store *s, const char *sql);
/* BEGIN IMMEDIATE (retried while busy); CIP_ERR_MISUSE on a read-only store. */
CIP_INTERNAL cip_status cipi_track_begin(cip_ctx *ctx, cip_store *s);
CIP_INTERNAL cip_status cipi_track_commit(cip_ctx *ctx, cip_store *s);
CIP_INTERNAL void cipi_track_rollback(cip_store *s);
/* Bind text (copied by sqlite); NULL binds SQL NULL. */
CIP_INTERNAL int cipi_track_bind_text(sqlite3_stmt *st, int i, const char *v);
/* Step a statement that returns no rows; SQLITE_DONE -> CIP_OK. */
CIP_INTERNAL cip_status cipi_track_step_done(cip_ctx *ctx, cip_store *s, sqlite3_stmt *st,
                                             const char *what);
/* Copy a column's text (owned); SQL NULL gives *out = NULL. */
CIP_INTERNAL cip_status cipi_track_col_dup(cip_ctx *ctx, sqlite3_stmt *st, int col, char **out);

/* The store's connection (borrowed). */
CIP_INTERNAL sqlite3 *cipi_track_db(cip_store *s);
/* The store's artifact root directory (borrowed). */
CIP_INTERNAL const char *cipi_track_artifact_root(const cip_store *s);
/* Local path of a file:// URI or plain path (owned). Errors: INVALID. */
CIP_INTERNAL cip_status cipi_track_uri_to_path(cip_ctx *ctx, const char *uri, char **out);
/* Resolve a run id or unique prefix (>= 8 chars) to the full id. */
CIP_INTERNAL cip_status cipi_track_find_run(cip_ctx *ctx, cip_store *s, const char *id_or_prefix,
                                            char out[33]);

#endif /* CIPI_TRACK_H */
