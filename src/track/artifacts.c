/* artifacts.c - files in a run's artifact directory
 *
 * Every artifact is written under a temporary name in its final directory,
 * synced, then renamed, so readers (the MLflow UI) never see half a file.
 * Destination paths are relative and may not climb out of the run's folder.
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "track_int.h"

cip_status cipi_track_check_dest(cip_ctx *ctx, const char *dest)
{
    if (dest == NULL || dest[0] == '\0' || dest[0] == '/')
        return cipi_fail(ctx, CIP_ERR_INVALID, "artifact path '%s' must be relative and non-empty",
                         dest ? dest : "");
    for (const char *seg = dest; seg != NULL;) {
        size_t len = strcspn(seg, "/");
        if (len == 0 || (len == 1 && seg[0] == '.') || (len == 2 && strncmp(seg, "..", 2) == 0))
            return cipi_fail(ctx, CIP_ERR_INVALID, "artifact path '%s' is not normalised", dest);
        seg = seg[len] ? seg + len + 1 : NULL;
    }
    return CIP_OK;
}

/* Write data to <dir>/<dest>, creating parent directories. */
cip_status cipi_track_put_file(cip_ctx *ctx, const char *dir, const char *dest, const void *data,
                               size_t len)
{
    cip_status rc = cipi_track_check_dest(ctx, dest);
    if (rc != CIP_OK)
        return rc;
    struct cipi_buf b;
    cipi_buf_init(&b, ctx, 0);
    rc = cipi_buf_printf(ctx, &b, "%s/%s", dir, dest);
    if (rc != CIP_OK)
        goto done;
    char *slash = strrchr(b.data, '/');
    *slash = '\0';
    rc = cipi_track_mkdirs(ctx, b.data);
    *slash = '/';
    if (rc == CIP_OK)
        rc = cipi_write_file_atomic(ctx, b.data, data, len);
done:
    cipi_buf_release(&b);
    return rc;
}

cip_status cipi_sql_put_artifact(cip_ctx *ctx, cip_run *r, const char *dest, const void *data,
                                 size_t len)
{
    return cipi_track_put_file(ctx, r->artifact_dir, dest, data, len);
}
