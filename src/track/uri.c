/* uri.c - tracking URIs and local paths
 *
 * MLflow's SQLAlchemy URIs: "sqlite:///relative/path.db" and
 * "sqlite:////absolute/path.db" (three slashes, then the path). Other schemes
 * are recognised only to give a clear message.
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "track_int.h"

cip_status cipi_track_uri_path(cip_ctx *ctx, const char *uri, char **path)
{
    *path = NULL;
    static const char pre[] = "sqlite:///";
    if (uri == NULL || uri[0] == '\0')
        return cipi_fail(ctx, CIP_ERR_INVALID, "empty tracking URI");
    if (strncmp(uri, pre, sizeof pre - 1) == 0) {
        const char *p = uri + sizeof pre - 1;
        if (*p == '\0' || strcmp(p, ":memory:") == 0)
            return cipi_fail(ctx, CIP_ERR_INVALID,
                             "tracking URI '%s' names no database file (use sqlite:///PATH)", uri);
        if (strchr(p, '?') != NULL)
            return cipi_fail(ctx, CIP_ERR_INVALID,
                             "tracking URI '%s': query parameters are not supported", uri);
        *path = cipi_strdup(ctx, p);
        return *path ? CIP_OK : CIP_ERR_NOMEM;
    }
    if (strncmp(uri, "http://", 7) == 0 || strncmp(uri, "https://", 8) == 0)
        return cipi_fail(ctx, CIP_ERR_INVALID,
                         "tracking server URIs ('%s') are not supported yet; use sqlite:///PATH",
                         uri);
    if (strncmp(uri, "file:", 5) == 0 || strchr(uri, ':') == NULL)
        return cipi_fail(ctx, CIP_ERR_INVALID,
                         "file stores ('%s') are not supported as tracking URI yet; use "
                         "sqlite:///PATH",
                         uri);
    size_t n = strcspn(uri, ":");
    return cipi_fail(ctx, CIP_ERR_INVALID,
                     "unknown tracking URI scheme '%.*s' in '%s' (cip supports sqlite:///PATH)",
                     (int)n, uri, uri);
}

cip_status cipi_track_abspath(cip_ctx *ctx, const char *path, char **out)
{
    *out = NULL;
    struct cipi_buf b;
    cipi_buf_init(&b, ctx, 0);
    cip_status rc = CIP_OK;
    if (path[0] == '/') {
        rc = cipi_buf_append(ctx, &b, path, strlen(path));
    } else {
        char cwd[PATH_MAX];
        if (getcwd(cwd, sizeof cwd) == NULL)
            return cipi_fail_errno(ctx, CIP_ERR_IO, errno, "cannot get the working directory");
        const char *p = path;
        while (strncmp(p, "./", 2) == 0)
            p += 2;
        rc = cipi_buf_printf(ctx, &b, "%s/%s", strcmp(cwd, "/") == 0 ? "" : cwd, p);
    }
    if (rc != CIP_OK) {
        cipi_buf_release(&b);
        return rc;
    }
    *out = cipi_buf_detach(&b, NULL);
    return CIP_OK;
}

cip_status cipi_track_mkdirs(cip_ctx *ctx, const char *dir)
{
    char *tmp = cipi_strdup(ctx, dir);
    if (tmp == NULL)
        return CIP_ERR_NOMEM;
    cip_status rc = CIP_OK;
    for (char *p = tmp + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST) {
            rc = cipi_fail_errno(ctx, CIP_ERR_IO, errno, "cannot create directory '%s'", tmp);
            break;
        }
        *p = c;
        if (c == '\0')
            break;
    }
    cipi_free(ctx, tmp);
    return rc;
}

cip_status cipi_track_uri_to_path(cip_ctx *ctx, const char *uri, char **out)
{
    const char *p = uri;
    if (strncmp(p, "file://", 7) == 0)
        p += 7;
    else if (strncmp(p, "file:", 5) == 0)
        p += 5;
    else if (strstr(p, "://") != NULL)
        return cipi_fail(ctx, CIP_ERR_INVALID, "artifact URI '%s' is not a local file URI", uri);
    *out = cipi_strdup(ctx, p);
    return *out ? CIP_OK : CIP_ERR_NOMEM;
}
