/* testutil.c - counting/failing allocator and fixtures for unit tests
 * SPDX-License-Identifier: MIT
 */
#define _DEFAULT_SOURCE /* mkstemps */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

/* Each block carries its size in a header so `bytes` can be tracked. */
#define HDR 16

void *cipt_alloc_fn(void *ud, void *ptr, size_t n)
{
    struct cipt_alloc *a = ud;
    if (n == 0) {
        if (ptr != NULL) {
            char *base = (char *)ptr - HDR;
            size_t old;
            memcpy(&old, base, sizeof old);
            a->live--;
            a->bytes -= old;
            free(base);
        }
        return NULL;
    }
    long k = a->n_calls++;
    if (a->fail_at >= 0 && k == a->fail_at)
        return NULL;
    size_t old = 0;
    char *base = NULL;
    if (ptr != NULL) {
        base = (char *)ptr - HDR;
        memcpy(&old, base, sizeof old);
    }
    char *nb = realloc(base, n + HDR);
    if (nb == NULL)
        return NULL;
    memcpy(nb, &n, sizeof n);
    if (ptr == NULL)
        a->live++;
    a->bytes = a->bytes - old + n;
    return nb + HDR;
}

cip_ctx *cipt_ctx_counting(struct cipt_alloc *a, long fail_at)
{
    memset(a, 0, sizeof *a);
    a->fail_at = -1;
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new_with_alloc(cipt_alloc_fn, a, &ctx), CIP_OK);
    cip_ctx_set_threads(ctx, 1);
    a->fail_at = fail_at < 0 ? -1 : fail_at + a->n_calls;
    return ctx;
}

long cipt_oom_sweep(cipt_body_fn body, void *arg)
{
    struct cipt_alloc a;
    cip_ctx *ctx = cipt_ctx_counting(&a, -1);
    long base = a.n_calls;
    assert_int_equal(body(ctx, arg), CIP_OK);
    long total = a.n_calls - base;
    cip_ctx_free(ctx);
    assert_int_equal(a.live, 0);
    long runs = 1;
    for (long k = 0; k < total; k++) {
        ctx = cipt_ctx_counting(&a, k);
        cip_status rc = body(ctx, arg);
        if (rc != CIP_OK && rc != CIP_ERR_NOMEM)
            fail_msg("allocation %ld of %ld failed: got %s (%s), expected CIP_ERR_NOMEM", k, total,
                     cip_status_name(rc), cip_ctx_errmsg(ctx));
        cip_ctx_free(ctx);
        if (a.live != 0)
            fail_msg("allocation %ld of %ld failed: %ld blocks leaked", k, total, a.live);
        runs++;
    }
    return runs;
}

const char *cipt_data_path(char *buf, size_t size, const char *name)
{
    const char *dir = getenv("CIP_TEST_DATA");
    snprintf(buf, size, "%s/%s", dir ? dir : "tests/data", name);
    return buf;
}

const char *cipt_shared_path(char *buf, size_t size, const char *name)
{
    const char *dir = getenv("CIP_SHARED_DIR");
    snprintf(buf, size, "%s/%s", dir ? dir : "../shared", name);
    struct stat st;
    if (stat(buf, &st) != 0)
        return NULL;
    return buf;
}

const char *cipt_write_temp(char *buf, size_t size, const char *suffix, const void *data,
                            size_t len)
{
    snprintf(buf, size, "/tmp/cip-test-XXXXXX%s", suffix ? suffix : "");
    int fd = mkstemps(buf, suffix ? (int)strlen(suffix) : 0);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
    return buf;
}
