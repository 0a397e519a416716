/* csv_source.c - the bytes of a CSV file: mmap, gzip or plain read
 *
 * Regular files are mapped read-only (no copy; the page cache is the buffer).
 * Files whose name ends in .gz or that start with the gzip magic are
 * streamed: zlib's gzread fills one reused block buffer, handed to the reader
 * as ranges of whole rows (the rest of a cut row is carried to the next
 * block), twice (the reader rewinds once), so memory stays one block.
 * Pipes and other non-regular files are read whole into an owned buffer
 * (through zlib, which passes plain text through and inflates gzip).
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "csv_int.h"

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Read a whole non-seekable input (a pipe, /dev/stdin) into an owned buffer.
 * zlib reads plain data transparently, so gzip on a pipe works too. */
static cip_status read_plain(cip_ctx *ctx, const char *path, int fd, struct csv_text *t)
{
    gzFile g = gzdopen(fd, "rb");
    if (g == NULL) {
        close(fd);
        return cipi_fail(ctx, CIP_ERR_NOMEM, "cannot read '%s': out of memory", path);
    }
    struct cipi_buf b;
    cipi_buf_init(&b, ctx, 0);
    cip_status rc = CIP_OK;
    for (;;) {
        rc = cipi_buf_reserve(ctx, &b, (size_t)1 << 20);
        if (rc != CIP_OK)
            break;
        int n = gzread(g, b.data + b.len, 1u << 20);
        if (n < 0) {
            int zerr = 0;
            const char *msg = gzerror(g, &zerr);
            rc = zerr == Z_ERRNO ? cipi_fail_errno(ctx, CIP_ERR_IO, errno, "cannot read '%s'", path)
                                 : cipi_fail(ctx, CIP_ERR_IO, "cannot decompress '%s': %s", path,
                                             msg != NULL ? msg : "corrupt gzip data");
            break;
        }
        if (n == 0)
            break;
        b.len += (size_t)n;
    }
    gzclose_r(g);
    if (rc != CIP_OK) {
        cipi_buf_release(&b);
        return rc;
    }
    t->owned = cipi_buf_detach(&b, &t->len);
    t->p = t->owned != NULL ? t->owned : "";
    return CIP_OK;
}

cip_status cipi_csv_text_open(cip_ctx *ctx, const char *path, struct csv_text *t)
{
    memset(t, 0, sizeof *t);
    t->a = cipi_ctx_alloc(ctx);
    t->p = "";
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return cipi_fail_errno(ctx, CIP_ERR_IO, errno, "cannot open '%s'", path);
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return cipi_fail_errno(ctx, CIP_ERR_IO, e, "cannot stat '%s'", path);
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return cipi_fail(ctx, CIP_ERR_IO, "cannot read '%s': is a directory", path);
    }
    unsigned char magic[2] = {0, 0};
    bool gz = ends_with(path, ".gz");
    if (!gz && S_ISREG(st.st_mode) && st.st_size >= 2)
        gz = pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    if (gz) {
        t->gz = gzdopen(fd, "rb");
        if (t->gz == NULL) {
            close(fd);
            return cipi_fail(ctx, CIP_ERR_NOMEM, "cannot open '%s' as gzip: out of memory", path);
        }
        (void)gzbuffer(t->gz, 1u << 17);
        return CIP_OK;
    }
    if (!S_ISREG(st.st_mode))
        return read_plain(ctx, path, fd, t);
    if (st.st_size == 0) {
        close(fd);
        return CIP_OK;
    }
    if ((uintmax_t)st.st_size > SIZE_MAX) {
        close(fd);
        return cipi_fail(ctx, CIP_ERR_LIMIT, "'%s' is too large to map", path);
    }
    size_t len = (size_t)st.st_size;
    void *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED) /* e.g. a file system without mmap: read it instead */
        return read_plain(ctx, path, fd, t);
    close(fd);
    t->map = m;
    t->map_len = len;
    t->p = m;
    t->len = len;
    return CIP_OK;
}

void cipi_csv_text_close(struct csv_text *t)
{
    if (t->map != NULL)
        munmap(t->map, t->map_len);
    if (t->gz != NULL)
        gzclose_r(t->gz);
    cipi_afree(&t->a, t->owned);
    memset(t, 0, sizeof *t);
}

/* --- gzip stream -------------------------------------------------------------- */

void cipi_csv_gz_init(struct csv_gz *z, const cip_ctx *ctx, void *g, const char *path, size_t block,
                      size_t max_row)
{
    memset(z, 0, sizeof *z);
    z->block = block;
    z->g = g;
    z->path = path;
    z->max_row = max_row;
    z->a = cipi_ctx_alloc(ctx);
}

void cipi_csv_gz_release(struct csv_gz *z)
{
    cipi_afree(&z->a, z->buf);
    z->buf = NULL;
}

static cip_status gz_error(cip_ctx *ctx, const struct csv_gz *z)
{
    int zerr = 0;
    const char *msg = gzerror(z->g, &zerr);
    if (zerr == Z_MEM_ERROR)
        return cipi_nomem(ctx);
    return cipi_fail(ctx, CIP_ERR_IO, "cannot decompress '%s': %s", z->path,
                     msg != NULL && msg[0] ? msg : "corrupt gzip data");
}

/* Offset just past the last row end of buf[0, len) (which starts a row), 0
 * when there is none: a newline ends a row iff the quotes before it are even. */
static size_t last_row_end(const char *buf, size_t len)
{
    int q = cipi_csv_quote_parity(buf, buf + len), after = 0;
    for (size_t x = len; x-- > 0;) {
        if (buf[x] == '"')
            after ^= 1;
        else if (buf[x] == '\n' && (q ^ after) == 0)
            return x + 1;
    }
    return 0;
}

static cip_status fill(cip_ctx *ctx, struct csv_gz *z)
{
    while (!z->eof && z->len < z->cap) {
        size_t want = z->cap - z->len;
        if (want > (1u << 30))
            want = 1u << 30;
        int n = gzread(z->g, z->buf + z->len, (unsigned)want);
        if (n < 0)
            return gz_error(ctx, z);
        z->len += (size_t)n;
        if ((size_t)n < want) {
            int zerr = 0;
            (void)gzerror(z->g, &zerr);
            if (zerr != Z_OK)
                return gz_error(ctx, z);
            z->eof = true;
        }
    }
    return CIP_OK;
}

cip_status cipi_csv_gz_next(cip_ctx *ctx, struct csv_gz *z, const char **beg, const char **end)
{
    if (z->buf == NULL) {
        z->buf = cipi_malloc(ctx, z->block);
        if (z->buf == NULL)
            return CIP_ERR_NOMEM;
        z->cap = z->block;
    }
    memmove(z->buf, z->buf + z->used, z->len - z->used); /* carry the cut row */
    z->len -= z->used;
    z->used = 0;
    for (;;) {
        cip_status rc = fill(ctx, z);
        if (rc != CIP_OK)
            return rc;
        size_t cut = z->eof ? z->len : last_row_end(z->buf, z->len);
        if (cut > 0 || z->eof) {
            *beg = z->buf;
            *end = z->buf + cut;
            z->used = cut;
            return CIP_OK;
        }
        if (z->cap >= z->max_row) /* one row fills the block: grow it, up to a limit */
            return cipi_fail(ctx, CIP_ERR_LIMIT,
                             "'%s': found a row longer than %zu bytes; expected rows shorter "
                             "than twice max_field_bytes plus 16 MiB",
                             z->path, z->max_row);
        size_t cap = z->cap * 2 < z->max_row ? z->cap * 2 : z->max_row;
        char *p = cipi_realloc(ctx, z->buf, cap);
        if (p == NULL)
            return CIP_ERR_NOMEM;
        z->buf = p;
        z->cap = cap;
    }
}

cip_status cipi_csv_gz_rewind(cip_ctx *ctx, struct csv_gz *z)
{
    z->len = z->used = 0;
    z->eof = false;
    /* Start from the initial block size again, so that pass B sees exactly
     * the ranges pass A saw (the reader relies on it). */
    cipi_afree(&z->a, z->buf);
    z->buf = NULL;
    z->cap = 0;
    if (gzrewind(z->g) != 0)
        return gz_error(ctx, z);
    return CIP_OK;
}
