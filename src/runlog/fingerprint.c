/* fingerprint.c - SHA-256 file fingerprints for run logging
 *
 * The data fingerprint of a run is "sha256:<hex>" of the data file's bytes,
 * read in 16 KiB blocks, so `cip runs reproduce` can tell whether the file
 * changed since the run was logged. The hash itself is Nettle's (Debian
 * nettle-dev), not a hand-written one.
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <nettle/sha2.h>

#include "runlog_int.h"

static void digest_hex(struct sha256_ctx *s, char out[65])
{
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_digest(s, sizeof d, d);
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < sizeof d; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 15];
    }
    out[64] = '\0';
}

void cip_runlog_sha256_hex(const void *data, size_t len, char out[65])
{
    struct sha256_ctx s;
    sha256_init(&s);
    sha256_update(&s, len, data);
    digest_hex(&s, out);
}

cip_status cip_runlog_file_fingerprint(cip_ctx *ctx, const char *path,
                                       char out[CIP_RUNLOG_FINGERPRINT_LEN])
{
    if (path == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "fingerprint: path is NULL");
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return cipi_fail_errno(ctx, CIP_ERR_IO, errno, "cannot read data file '%s'", path);
    struct sha256_ctx s;
    sha256_init(&s);
    uint8_t buf[16384];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        sha256_update(&s, got, buf);
    int err = ferror(f) ? errno : 0;
    fclose(f);
    if (err != 0)
        return cipi_fail_errno(ctx, CIP_ERR_IO, err, "cannot read data file '%s'", path);
    char hex[65];
    digest_hex(&s, hex);
    snprintf(out, CIP_RUNLOG_FINGERPRINT_LEN, "sha256:%s", hex);
    return CIP_OK;
}
