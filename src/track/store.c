/* store.c - opening an MLflow SQLite tracking store, and SQL helpers
 *
 * Opening checks before it writes anything: the file must be an SQLite
 * database that is empty (then it gets MLflow's schema) or holds MLflow's
 * alembic_version at exactly the revision cip knows. Only then is WAL mode
 * switched on, so a foreign or newer database is never modified.
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "track_int.h"

cip_status cipi_track_uuid_hex(cip_ctx *ctx, char out[33])
{
    unsigned char b[16];
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return cipi_fail_errno(ctx, CIP_ERR_IO, errno, "cannot open '/dev/urandom'");
    size_t got = 0;
    while (got < sizeof b) {
        ssize_t r = read(fd, b + got, sizeof b - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            close(fd);
            return cipi_fail(ctx, CIP_ERR_IO, "cannot read '/dev/urandom'");
        }
        got += (size_t)r;
    }
    close(fd);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) {
        out[2 * i] = hex[b[i] >> 4];
        out[2 * i + 1] = hex[b[i] & 15];
    }
    out[32] = '\0';
    return CIP_OK;
}

cip_status cipi_track_sqlfail(cip_ctx *ctx, const cip_store *s, const char *what)
{
    int code = sqlite3_errcode(s->db) & 0xff;
    cip_status st = CIP_ERR_IO;
    if (code == SQLITE_CONSTRAINT)
        st = CIP_ERR_CONFLICT;
    else if (code == SQLITE_NOMEM)
        st = CIP_ERR_NOMEM;
    else if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT)
        st = CIP_ERR_SCHEMA;
    return cipi_fail(ctx, st, "%s: %s", what, sqlite3_errmsg(s->db));
}

/* Operations that only the SQLite backend has (search, registry listing, ...). */
static cip_status need_sql(cip_ctx *ctx, const cip_store *s)
{
    return cipi_fail(ctx, CIP_ERR_INVALID,
                     "this operation is not supported for tracking servers ('%s') yet; cip "
                     "writes runs and models to them, use the MLflow UI to read them",
                     s->db_path);
}

cip_status cipi_track_prepare(cip_ctx *ctx, cip_store *s, const char *sql, sqlite3_stmt **out)
{
    *out = NULL;
    if (s->db == NULL)
        return need_sql(ctx, s);
    if (sqlite3_prepare_v2(s->db, sql, -1, out, NULL) != SQLITE_OK)
        return cipi_track_sqlfail(ctx, s, "cannot query the tracking store");
    return CIP_OK;
}

cip_status cipi_track_exec(cip_ctx *ctx, cip_store *s, const char *sql)
{
    if (s->db == NULL)
        return need_sql(ctx, s);
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return cipi_track_sqlfail(ctx, s, "tracking store");
    return CIP_OK;
}

cip_status cipi_track_begin(cip_ctx *ctx, cip_store *s)
{
    if (s->db == NULL)
        return need_sql(ctx, s);
    if (s->read_only)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "the tracking store was opened read-only");
    /* The busy handler waits up to the busy timeout; a few extra rounds cover
     * the WAL cases where SQLite returns BUSY without calling it. */
    for (int attempt = 0;; attempt++) {
        int rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            return CIP_OK;
        if ((rc & 0xff) != SQLITE_BUSY || attempt >= 20)
            return cipi_track_sqlfail(ctx, s, "cannot start a transaction");
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

cip_status cipi_track_commit(cip_ctx *ctx, cip_store *s)
{
    for (int attempt = 0;; attempt++) {
        int rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            return CIP_OK;
        if ((rc & 0xff) != SQLITE_BUSY || attempt >= 20) {
            cip_status st = cipi_track_sqlfail(ctx, s, "cannot commit");
            cipi_track_rollback(s);
            return st;
        }
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

void cipi_track_rollback(cip_store *s)
{
    if (!sqlite3_get_autocommit(s->db))
        (void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int cipi_track_bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v == NULL)
        return sqlite3_bind_null(st, i);
    return sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

cip_status cipi_track_step_done(cip_ctx *ctx, cip_store *s, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return cipi_track_sqlfail(ctx, s, what);
    return CIP_OK;
}

cip_status cipi_track_col_dup(cip_ctx *ctx, sqlite3_stmt *st, int col, char **out)
{
    *out = NULL;
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return CIP_OK;
    const unsigned char *t = sqlite3_column_text(st, col);
    size_t n = (size_t)sqlite3_column_bytes(st, col);
    *out = cipi_strndup(ctx, t ? (const char *)t : "", t ? n : 0);
    return *out ? CIP_OK : CIP_ERR_NOMEM;
}

void cip_store_opts_default(cip_store_opts *o)
{
    o->artifact_root = NULL;
    o->read_only = 0;
    o->busy_timeout_ms = 30000;
}

const char *cip_store_resolve_uri(const char *explicit_uri)
{
    if (explicit_uri != NULL && explicit_uri[0] != '\0')
        return explicit_uri;
    const char *env = getenv("MLFLOW_TRACKING_URI");
    if (env != NULL && env[0] != '\0')
        return env;
    return CIP_TRACK_DEFAULT_URI;
}

sqlite3 *cipi_track_db(cip_store *s)
{
    return s->db;
}

const char *cipi_track_artifact_root(const cip_store *s)
{
    return s->artifact_root;
}

const char *cip_store_db_path(const cip_store *s)
{
    return s->db_path;
}

void cipi_sql_close(cip_store *s)
{
    sqlite3_close_v2(s->db);
    struct cipi_alloc a = s->a;
    cipi_afree(&a, s->db_path);
    cipi_afree(&a, s->artifact_root);
    cipi_afree(&a, s);
}

/* 0 tables -> *n_tables 0; the alembic revision (owned) or NULL when the
 * table is missing. Reads only. */
static cip_status inspect(cip_ctx *ctx, cip_store *s, int *n_tables, char **revision)
{
    *revision = NULL;
    sqlite3_stmt *st = NULL;
    cip_status rc = CIP_OK;
    int r = sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_master WHERE type='table'", -1,
                               &st, NULL);
    if (r == SQLITE_OK)
        r = sqlite3_step(st);
    if (r != SQLITE_ROW) {
        int code = sqlite3_errcode(s->db) & 0xff;
        if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT)
            rc = cipi_fail(ctx, CIP_ERR_SCHEMA, "'%s' is not an SQLite database", s->db_path);
        else
            rc = cipi_track_sqlfail(ctx, s, "cannot read the tracking store");
        goto done;
    }
    *n_tables = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    st = NULL;
    if (*n_tables == 0)
        goto done;
    if (sqlite3_prepare_v2(s->db, "SELECT version_num FROM alembic_version", -1, &st, NULL) !=
        SQLITE_OK) {
        rc = cipi_fail(ctx, CIP_ERR_SCHEMA,
                       "'%s' is not an MLflow tracking database (it has no alembic_version "
                       "table); cip leaves it untouched",
                       s->db_path);
        goto done;
    }
    if (sqlite3_step(st) == SQLITE_ROW)
        rc = cipi_track_col_dup(ctx, st, 0, revision);
    if (rc == CIP_OK && *revision == NULL)
        rc = cipi_fail(ctx, CIP_ERR_SCHEMA,
                       "'%s' is not an MLflow tracking database (alembic_version is empty)",
                       s->db_path);
done:
    sqlite3_finalize(st);
    return rc;
}

/* Create the schema and the initial rows in one transaction, unless another
 * process did it first (checked again under the write lock). */
static cip_status create_schema(cip_ctx *ctx, cip_store *s)
{
    cip_status rc = cipi_track_begin(ctx, s);
    if (rc != CIP_OK)
        return rc;
    sqlite3_stmt *st = NULL;
    int n_tables = 0;
    char *rev = NULL;
    rc = inspect(ctx, s, &n_tables, &rev);
    cipi_free(ctx, rev);
    if (rc != CIP_OK || n_tables > 0)
        goto done;
    for (size_t k = 0; rc == CIP_OK && cipi_track_ddl[k] != NULL; k++)
        rc = cipi_track_exec(ctx, s, cipi_track_ddl[k]);
    for (size_t k = 0; rc == CIP_OK && cipi_track_ddl_extra[k] != NULL; k++)
        rc = cipi_track_exec(ctx, s, cipi_track_ddl_extra[k]);
    if (rc == CIP_OK)
        rc = cipi_track_exec(ctx, s,
                             "INSERT INTO alembic_version(version_num) VALUES "
                             "('" CIP_TRACK_SCHEMA_REVISION "');"
                             "INSERT INTO workspaces(name, description, default_artifact_root) "
                             "VALUES ('default', 'Default workspace', NULL);");
    if (rc != CIP_OK)
        goto done;
    rc = cipi_track_prepare(ctx, s,
                            "INSERT INTO experiments(experiment_id, name, artifact_location, "
                            "lifecycle_stage, creation_time, last_update_time, workspace) "
                            "VALUES (0, 'Default', 'file://' || ?1 || '/0', 'active', ?2, ?2, "
                            "'default')",
                            &st);
    if (rc != CIP_OK)
        goto done;
    cipi_track_bind_text(st, 1, s->artifact_root);
    sqlite3_bind_int64(st, 2, cipi_now_ms());
    rc = cipi_track_step_done(ctx, s, st, "cannot create the Default experiment");
done:
    sqlite3_finalize(st);
    if (rc == CIP_OK)
        return cipi_track_commit(ctx, s);
    cipi_track_rollback(s);
    return rc;
}

static cip_status check_revision(cip_ctx *ctx, const cip_store *s, const char *rev)
{
    if (strcmp(rev, CIP_TRACK_SCHEMA_REVISION) == 0)
        return CIP_OK;
    return cipi_fail(ctx, CIP_ERR_SCHEMA,
                     "'%s' has MLflow schema revision '%s', but cip knows only revision '%s'; "
                     "cip will not write to it (use an MLflow of revision '%s' or a newer cip)",
                     s->db_path, rev, CIP_TRACK_SCHEMA_REVISION, CIP_TRACK_SCHEMA_REVISION);
}

/* Create the database file ourselves so that a read-only directory gets a
 * clear message; *created tells the caller to remove it on failure. */
static cip_status ensure_file(cip_ctx *ctx, const char *path, int read_only, bool *created)
{
    struct stat stt;
    *created = false;
    if (stat(path, &stt) == 0) {
        if (!S_ISREG(stt.st_mode))
            return cipi_fail(ctx, CIP_ERR_IO, "tracking store '%s' is not a regular file", path);
        return CIP_OK;
    }
    if (read_only)
        return cipi_fail(ctx, CIP_ERR_NOT_FOUND, "tracking store '%s' does not exist", path);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 && errno == EEXIST)
        return CIP_OK; /* another process won the race */
    if (fd < 0)
        return cipi_fail_errno(ctx, CIP_ERR_IO, errno, "cannot create tracking store '%s'", path);
    close(fd);
    *created = true;
    return CIP_OK;
}

static cip_status open_db(cip_ctx *ctx, cip_store *s, const cip_store_opts *o, bool created)
{
    int flags = (o->read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(s->db_path, &s->db, flags, NULL) != SQLITE_OK)
        return cipi_track_sqlfail(ctx, s, "cannot open tracking store");
    sqlite3_busy_timeout(s->db, o->busy_timeout_ms > 0 ? o->busy_timeout_ms : 30000);
    int n_tables = 0;
    char *rev = NULL;
    cip_status rc = inspect(ctx, s, &n_tables, &rev);
    if (rc == CIP_OK && rev != NULL)
        rc = check_revision(ctx, s, rev);
    cipi_free(ctx, rev);
    if (rc != CIP_OK)
        return rc;
    if (n_tables == 0 && o->read_only)
        return cipi_fail(ctx, CIP_ERR_SCHEMA, "'%s' is an empty database, not an MLflow store",
                         s->db_path);
    if (o->read_only)
        return CIP_OK;
    if (sqlite3_exec(s->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK)
        return cipi_track_sqlfail(ctx, s, "cannot switch the tracking store to WAL mode");
    (void)sqlite3_exec(s->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
    (void)sqlite3_exec(s->db, "PRAGMA cache_size=-32768", NULL, NULL, NULL); /* 32 MiB */
    if (n_tables == 0 || created)
        return create_schema(ctx, s);
    return CIP_OK;
}

cip_status cipi_sql_open(cip_ctx *ctx, const char *uri, const cip_store_opts *opts, cip_store **out)
{
    *out = NULL;
    cip_store_opts o = *opts;
    char *path = NULL;
    bool created = false;
    cip_store *s = NULL;
    cip_status rc = cipi_track_uri_path(ctx, uri, &path);
    if (rc != CIP_OK)
        return rc;
    s = cipi_calloc(ctx, 1, sizeof *s);
    if (s == NULL) {
        rc = CIP_ERR_NOMEM;
        goto done;
    }
    s->a = cipi_ctx_alloc(ctx);
    s->ops = &cipi_sqlite_ops;
    s->read_only = o.read_only;
    rc = cipi_track_abspath(ctx, path, &s->db_path);
    if (rc != CIP_OK)
        goto done;
    if (o.artifact_root != NULL) {
        rc = cipi_track_abspath(ctx, o.artifact_root, &s->artifact_root);
    } else {
        const char *slash = strrchr(s->db_path, '/');
        struct cipi_buf b;
        cipi_buf_init(&b, ctx, 0);
        rc = cipi_buf_printf(ctx, &b, "%.*s/mlartifacts", (int)(slash - s->db_path), s->db_path);
        s->artifact_root = cipi_buf_detach(&b, NULL);
    }
    if (rc != CIP_OK)
        goto done;
    rc = ensure_file(ctx, s->db_path, o.read_only, &created);
    if (rc == CIP_OK)
        rc = open_db(ctx, s, &o, created);
done:
    if (rc != CIP_OK && s != NULL) {
        if (created && s->db) {
            sqlite3_close_v2(s->db);
            s->db = NULL;
        }
        if (created) {
            /* leave nothing behind: the file, and any WAL/SHM files */
            (void)unlink(s->db_path);
            char side[4096];
            snprintf(side, sizeof side, "%s-wal", s->db_path);
            (void)unlink(side);
            snprintf(side, sizeof side, "%s-shm", s->db_path);
            (void)unlink(side);
        }
        cip_store_close(s);
        s = NULL;
    }
    cipi_free(ctx, path);
    *out = s;
    return rc;
}
