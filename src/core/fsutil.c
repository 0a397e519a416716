/* fsutil.c - whole-file reads and atomic writes (git's lockfile discipline)
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cipi.h"

/* Write everything to fd, retrying on EINTR. */
static cip_status write_all(cip_ctx *ctx, int fd, const char *path, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return cipi_fail_errno(ctx, CIP_ERR_IO, errno, "cannot write '%s'", path);
        p += w;
        len -= (size_t)w;
    }
    return CIP_OK;
}

/* Devices, FIFOs and the like (/dev/null, /dev/stdout) are written in place:
 * renaming a temporary file over them would replace the device node. */
static cip_status write_special(cip_ctx *ctx, const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_TRUNC);
    if (fd < 0)
        return cipi_fail_errno(ctx, CIP_ERR_IO, errno, "cannot open '%s'", path);
    cip_status rc = write_all(ctx, fd, path, data, len);
    if (close(fd) != 0 && rc == CIP_OK)
        rc = cipi_fail_errno(ctx, CIP_ERR_IO, errno, "cannot close '%s'", path);
    return rc;
}

cip_status cipi_write_file_atomic(cip_ctx *ctx, const char *path, const void *data, size_t len)
{
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode))
            return cipi_fail(ctx, CIP_ERR_IO, "cannot write '%s': it is a directory", path);
        return write_special(ctx, path, data, len);
    }
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
    rc = write_all(ctx, fd, path, data, len);
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

static bool sci_round_trips(char *sci, size_t size, int prec, double v)
{
    snprintf(sci, size, "%.*e", prec, v);
    return strtod(sci, NULL) == v;
}

/* Python's repr(float): the shortest digits that round-trip, written in
 * fixed notation when the decimal exponent is in [-4, 16), else as
 * d.ddde+XX; integral values keep a ".0".
 * Few conversions (this formats every number the server and the JSON
 * writers print): integral values directly; values in [1e-4, 1e15) with at
 * most 8 decimals by the fewest decimals d with round(v 10^d) / 10^d == v
 * (an exact integer over an exact power of ten, so the quotient is the
 * correctly rounded value strtod gives for that decimal); otherwise the
 * digit count is tried at 14, 15, 16 (model outputs mostly need 15-17) and
 * bisected below 14: 2-5 conversions instead of up to 17. */
int cipi_fmt_double(char *buf, size_t size, double v)
{
    if (isnan(v))
        return snprintf(buf, size, "nan");
    if (isinf(v))
        return snprintf(buf, size, v > 0 ? "inf" : "-inf");
    double a = fabs(v);
    if (v == floor(v) && a < 1e15)
        return snprintf(buf, size, "%.1f", v);
    if (a >= 1e-4 && a < 1e15) {
        double p = 1;
        for (int d = 1; d <= 8; d++) {
            p *= 10;
            double r = nearbyint(v * p);
            if (fabs(r) < 9007199254740992.0 && r / p == v)
                return snprintf(buf, size, "%.*f", d, v);
        }
    }
    char sci[40];
    int prec;
    if (!sci_round_trips(sci, sizeof sci, 14, v)) {
        prec = sci_round_trips(sci, sizeof sci, 15, v) ? 15 : 16;
    } else {
        int lo = 0, hi = 14;
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (sci_round_trips(sci, sizeof sci, mid, v))
                hi = mid;
            else
                lo = mid + 1;
        }
        prec = lo;
    }
    snprintf(sci, sizeof sci, "%.*e", prec, v);
    const char *e = strchr(sci, 'e');
    int exp10 = (int)strtol(e + 1, NULL, 10);
    if (exp10 < -4 || exp10 >= 16)
        return snprintf(buf, size, "%.*se%c%02d", (int)(e - sci), sci, exp10 < 0 ? '-' : '+',
                        abs(exp10));
    int decimals = prec - exp10;
    if (decimals < 1)
        return snprintf(buf, size, "%.1f", v);
    return snprintf(buf, size, "%.*f", decimals, v);
}
