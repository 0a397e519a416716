/* fsutil.c - whole-file reads and atomic writes (git's lockfile discipline)
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cipi.h"

cip_status cipi_write_file_atomic(cip_ctx *ctx, const char *path, const void *data, size_t len)
{
    struct cipi_buf tmp;
    cipi_buf_init(&tmp, ctx, 0);
    cip_status rc = cipi_buf_printf(ctx, &tmp, "%s.tmp.XXXXXX", path);
    if (rc != CIP_OK)
        return rc;
    int fd = mkstemp(tmp.data);
    if (fd < 0) {
        rc = cipi_fail_errno(ctx, CIP_ERR_IO, errno, "cannot create '%s'", tmp.data);
        goto done;
    }
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            rc = cipi_fail_errno(ctx, CIP_ERR_IO, errno, "cannot write '%s'", path);
            break;
        }
        p += w;
        left -= (size_t)w;
    }
    if (rc == CIP_OK && fsync(fd) != 0)
        rc = cipi_fail_errno(ctx, CIP_ERR_IO, errno, "cannot sync '%s'", path);
    if (close(fd) != 0 && rc == CIP_OK)
        rc = cipi_fail_errno(ctx, CIP_ERR_IO, errno, "cannot close '%s'", path);
    if (rc == CIP_OK) {
        (void)chmod(tmp.data, 0644);
        if (rename(tmp.data, path) != 0)
            rc = cipi_fail_errno(ctx, CIP_ERR_IO, errno, "cannot rename to '%s'", path);
    }
    if (rc != CIP_OK)
        (void)unlink(tmp.data);
done:
    cipi_buf_release(&tmp);
    return rc;
}

cip_status cipi_read_file(cip_ctx *ctx, const char *path, size_t limit, char **out, size_t *out_len)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return cipi_fail_errno(ctx, CIP_ERR_IO, errno, "cannot open '%s'", path);
    struct cipi_buf b;
    cipi_buf_init(&b, ctx, limit);
    cip_status rc = CIP_OK;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        rc = cipi_buf_append(ctx, &b, chunk, n);
        if (rc != CIP_OK)
            break;
    }
    if (rc == CIP_OK && ferror(f))
        rc = cipi_fail_errno(ctx, CIP_ERR_IO, errno, "cannot read '%s'", path);
    if (rc == CIP_OK && b.data == NULL)
        rc = cipi_buf_reserve(ctx, &b, 0);
    fclose(f);
    if (rc != CIP_OK) {
        if (rc == CIP_ERR_LIMIT)
            cipi_fail(ctx, rc, "'%s' is larger than the limit of %zu bytes", path, limit);
        cipi_buf_release(&b);
        return rc;
    }
    b.data[b.len] = '\0';
    *out = cipi_buf_detach(&b, out_len);
    return CIP_OK;
}

int cipi_fmt_double(char *buf, size_t size, double v)
{
    int n = 0;
    for (int prec = 1; prec <= 17; prec++) {
        n = snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return n;
    }
    return n;
}
