/* track_fixture.h - helpers shared by the tracking-store tests (test_track*.c, test_runlog.c):
 * temporary store directories, SQL probes, run-record lookups (header-only)
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_TEST_TRACK_FIXTURE_H
#define CIP_TEST_TRACK_FIXTURE_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cip/track.h"
#include "testutil.h"

/* A fresh temporary directory holding the store; removed by rmdir_all. */
static inline char *tmpdir(char *buf, size_t n)
{
    snprintf(buf, n, "/tmp/cip-track-XXXXXX");
    assert_non_null(mkdtemp(buf));
    return buf;
}

static inline void rmdir_all(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static inline cip_store *open_store(cip_ctx *ctx, const char *dir)
{
    char uri[600];
    snprintf(uri, sizeof uri, "sqlite:///%s/mlflow.db", dir);
    cip_store *s = NULL;
    cip_status rc = cip_store_open(ctx, uri, NULL, &s);
    if (rc != CIP_OK)
        fail_msg("open: %s", cip_ctx_errmsg(ctx));
    return s;
}

/* A new ctx and a store in a fresh temporary directory dir (n bytes). */
static inline cip_store *fresh_store(char *dir, size_t n, cip_ctx **ctx)
{
    tmpdir(dir, n);
    assert_int_equal(cip_ctx_new(ctx), CIP_OK);
    return open_store(*ctx, dir);
}

/* Close the store of fresh_store, free its ctx and remove its directory. */
static inline void close_store(cip_store *s, cip_ctx *ctx, const char *dir)
{
    cip_store_close(s);
    cip_ctx_free(ctx);
    rmdir_all(dir);
}

static inline int64_t q_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static inline void q_text(sqlite3 *db, const char *sql, char *out, size_t n)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const unsigned char *t = sqlite3_column_text(st, 0);
    snprintf(out, n, "%s", t ? (const char *)t : "(null)");
    sqlite3_finalize(st);
}

static inline const char *tag_of(const cip_run_record *r, const char *key)
{
    for (size_t i = 0; i < r->n_tags; i++)
        if (strcmp(r->tags[i].key, key) == 0)
            return r->tags[i].value;
    return NULL;
}

static inline const cip_metric_value *metric_of(const cip_run_record *r, const char *key)
{
    for (size_t i = 0; i < r->n_metrics; i++)
        if (strcmp(r->metrics[i].key, key) == 0)
            return &r->metrics[i];
    return NULL;
}

static inline char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = NULL;
    FILE *m = open_memstream(&buf, len);
    int c;
    while ((c = fgetc(f)) != EOF)
        fputc(c, m);
    fclose(f);
    fclose(m);
    return buf;
}

#endif /* CIP_TEST_TRACK_FIXTURE_H */
