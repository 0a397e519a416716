/* cipi_track.h - the tracking store's internal API shared with src/registry
 *
 * SQL helpers over an open cip_store and the small JSON writer. Cross-module
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

/* --- store.c ------------------------------------------------------------- */
CIP_INTERNAL int64_t cipi_track_now_ms(void);
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

/* --- json_write.c ------------------------------------------------------------ */
/* A small streaming JSON writer into a cipi_buf: strings are escaped (UTF-8
 * passed through), numbers printed with %.17g, NaN/Inf written as null.
 * Commas are inserted automatically; nesting depth <= 32. */
struct cipi_json {
    struct cipi_buf *b;
    int depth;
    unsigned char first[33]; /* 1 while the container at that depth is empty */
    bool after_key;          /* the next value follows a key */
};
CIP_INTERNAL void cipi_json_init(struct cipi_json *j, struct cipi_buf *b);
CIP_INTERNAL cip_status cipi_json_begin(cip_ctx *ctx, struct cipi_json *j, char open);
CIP_INTERNAL cip_status cipi_json_end(cip_ctx *ctx, struct cipi_json *j, char close);
CIP_INTERNAL cip_status cipi_json_key(cip_ctx *ctx, struct cipi_json *j, const char *k);
CIP_INTERNAL cip_status cipi_json_str(cip_ctx *ctx, struct cipi_json *j, const char *s);
CIP_INTERNAL cip_status cipi_json_num(cip_ctx *ctx, struct cipi_json *j, double v);
CIP_INTERNAL cip_status cipi_json_int(cip_ctx *ctx, struct cipi_json *j, int64_t v);
CIP_INTERNAL cip_status cipi_json_bool(cip_ctx *ctx, struct cipi_json *j, bool v);
CIP_INTERNAL cip_status cipi_json_null(cip_ctx *ctx, struct cipi_json *j);
/* A pre-formatted raw value (a JSON literal). */
CIP_INTERNAL cip_status cipi_json_raw(cip_ctx *ctx, struct cipi_json *j, const char *lit);
/* Append s JSON-escaped with quotes (no comma handling). */
CIP_INTERNAL cip_status cipi_json_escape(cip_ctx *ctx, struct cipi_buf *b, const char *s);

#endif /* CIPI_TRACK_H */
