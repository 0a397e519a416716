/* synth_csv.c - streaming the synthetic table straight to CSV
 *
 * Rounds of nt blocks: each worker generates one block and formats it into
 * its own text buffer (integers by hand, loyalty from its integer tenths, so
 * no printf in the hot loop); the main thread then writes the buffers in
 * block order. The bytes therefore do not depend on the thread count.
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "synth_int.h"

static const char header[] =
    "user_id,age,annual_income,purchase_amount,loyalty_score,region,purchase_frequency\n";

/* Upper bound of one formatted row: id <= 13 digits, age <= 3, income <=
 * 10 digits, amount <= 9, loyalty 4, region 5, frequency 6, 6 commas, '\n'. */
#define ROW_BYTES_MAX 64

/* Append the decimal digits of v; returns the new end. */
static char *put_u64(char *p, uint64_t v)
{
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0)
        *p++ = tmp[--n];
    return p;
}

/* A non-negative grid value followed by `zeros` zero digits (0 stays "0"). */
static char *put_scaled(char *p, int32_t v, int zeros)
{
    p = put_u64(p, (uint64_t)v);
    if (v != 0)
        for (int k = 0; k < zeros; k++)
            *p++ = '0';
    return p;
}

/* Format rows 0..n-1 of b (ids from first_id); returns the bytes written. */
static size_t format_block(const struct synth_cols *b, uint64_t first_id, size_t n, char *out)
{
    static const uint8_t region_len[SYNTH_N_REGIONS] = {5, 5, 4, 4};
    char *p = out;
    for (size_t i = 0; i < n; i++) {
        p = put_u64(p, first_id + i);
        *p++ = ',';
        p = put_u64(p, (uint64_t)b->age[i]);
        *p++ = ',';
        p = put_scaled(p, b->income_k[i], 3);
        *p++ = ',';
        p = put_scaled(p, b->amount_10[i], 1);
        *p++ = ',';
        p = put_u64(p, (uint64_t)(b->loyalty_10[i] / 10));
        *p++ = '.';
        *p++ = (char)('0' + b->loyalty_10[i] % 10);
        *p++ = ',';
        memcpy(p, cipi_synth_regions[b->region[i]], region_len[b->region[i]]);
        p += region_len[b->region[i]];
        *p++ = ',';
        p = put_u64(p, (uint64_t)b->freq[i]);
        *p++ = '\n';
    }
    return (size_t)(p - out);
}

static cip_status write_all(cip_ctx *ctx, int fd, const char *name, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return cipi_fail_errno(ctx, CIP_ERR_IO, errno, "cannot write '%s'", name);
        p += w;
        len -= (size_t)w;
    }
    return CIP_OK;
}

/* Per-worker scratch: a block and its text. */
struct worker {
    struct synth_block blk;
    char *text;
    size_t len;
};

static cip_status stream_rows(cip_ctx *ctx, const cip_synth_params *p, struct worker *w, int nt,
                              int fd, const char *name)
{
    cip_status rc = write_all(ctx, fd, name, header, sizeof header - 1);
    uint64_t n_blocks = cipi_synth_n_blocks(p->n_customers);
    for (uint64_t first = 0; first < n_blocks && rc == CIP_OK; first += (uint64_t)nt) {
        uint64_t round = n_blocks - first < (uint64_t)nt ? n_blocks - first : (uint64_t)nt;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static, 1)
#endif
        for (int64_t t = 0; t < (int64_t)round; t++) {
            uint64_t index = first + (uint64_t)t;
            size_t n = cipi_synth_block_len(p->n_customers, index);
            cipi_synth_fill(p, index, n, &w[t].blk);
            w[t].len = format_block(&w[t].blk.rows, index * CIP_SYNTH_BLOCK_ROWS + 1, n, w[t].text);
        }
        for (uint64_t t = 0; t < round && rc == CIP_OK; t++)
            rc = write_all(ctx, fd, name, w[t].text, w[t].len);
        cipi_progress(ctx, "generating customers", first + round, n_blocks);
    }
    return rc;
}

/* Where the rows go. Regular (or new) files get a temporary sibling that is
 * renamed over path at the end; anything else that exists (a device such as
 * /dev/null, a FIFO, /dev/stdout) is written in place: renaming over it
 * would replace the device node with a plain file. */
struct out {
    int fd;              /* descriptor written to */
    bool direct;         /* writing to path itself (stdout or a non-regular file) */
    struct cipi_buf tmp; /* temporary file name when !direct */
};

static cip_status open_out(cip_ctx *ctx, const char *path, struct out *o)
{
    struct stat st;
    o->fd = -1;
    o->direct = true;
    if (strcmp(path, "-") == 0) {
        o->fd = STDOUT_FILENO;
        return CIP_OK;
    }
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        o->fd = open(path, O_WRONLY | O_TRUNC);
        if (o->fd < 0)
            return cipi_fail_errno(ctx, CIP_ERR_IO, errno, "cannot open '%s'", path);
        return CIP_OK;
    }
    o->direct = false;
    cip_status rc = cipi_buf_printf(ctx, &o->tmp, "%s.tmp.XXXXXX", path);
    if (rc != CIP_OK)
        return rc;
    o->fd = mkstemp(o->tmp.data);
    if (o->fd < 0)
        return cipi_fail_errno(ctx, CIP_ERR_IO, errno, "cannot create '%s'", o->tmp.data);
    return CIP_OK;
}

/* Finish the output: sync, close and rename a temporary file (or remove it
 * when rc failed); close a directly opened one. */
static cip_status close_out(cip_ctx *ctx, const char *path, struct out *o, cip_status rc)
{
    if (o->fd == STDOUT_FILENO || o->fd < 0)
        return rc;
    if (!o->direct && rc == CIP_OK && fsync(o->fd) != 0)
        rc = cipi_fail_errno(ctx, CIP_ERR_IO, errno, "cannot sync '%s'", path);
    if (close(o->fd) != 0 && rc == CIP_OK)
        rc = cipi_fail_errno(ctx, CIP_ERR_IO, errno, "cannot close '%s'", path);
    o->fd = -1;
    if (o->direct)
        return rc;
    if (rc == CIP_OK) {
        (void)chmod(o->tmp.data, 0644);
        if (rename(o->tmp.data, path) != 0)
            rc = cipi_fail_errno(ctx, CIP_ERR_IO, errno, "cannot rename to '%s'", path);
    }
    if (rc != CIP_OK)
        (void)unlink(o->tmp.data);
    return rc;
}

cip_status cip_synth_write_csv(cip_ctx *ctx, const cip_synth_params *p, const char *path)
{
    cip_status rc = cip_synth_params_check(ctx, p);
    if (rc != CIP_OK)
        return rc;
    if (path == NULL || path[0] == '\0')
        return cipi_fail(ctx, CIP_ERR_INVALID, "synth: no output path");
    int nt = cipi_threads_for(ctx, (size_t)cipi_synth_n_blocks(p->n_customers));
    struct worker *w = cipi_calloc(ctx, (size_t)nt, sizeof *w);
    if (w == NULL)
        return CIP_ERR_NOMEM;
    struct out o;
    cipi_buf_init(&o.tmp, ctx, 0);
    o.fd = -1;
    for (int t = 0; t < nt && rc == CIP_OK; t++) {
        rc = cipi_synth_block_alloc(ctx, p, &w[t].blk);
        if (rc == CIP_OK &&
            (w[t].text = cipi_mallocarray(ctx, CIP_SYNTH_BLOCK_ROWS, ROW_BYTES_MAX)) == NULL)
            rc = CIP_ERR_NOMEM;
    }
    if (rc == CIP_OK)
        rc = open_out(ctx, path, &o);
    if (rc == CIP_OK)
        rc = stream_rows(ctx, p, w, nt, o.fd, o.fd == STDOUT_FILENO ? "standard output" : path);
    rc = close_out(ctx, path, &o, rc);
    for (int t = 0; t < nt; t++) {
        cipi_synth_block_free(ctx, &w[t].blk);
        cipi_free(ctx, w[t].text);
    }
    cipi_free(ctx, w);
    cipi_buf_release(&o.tmp);
    return rc;
}
