/* strings.c - small helpers of the pipeline: string lists, paths, file fingerprint, metrics
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pipeline_int.h"

cip_status cipi_pl_push(cip_ctx *ctx, struct pl_strs *s, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char **v = cipi_realloc(ctx, s->v, (s->n + 1) * sizeof *v);
    if (v == NULL)
        return cipi_nomem(ctx);
    s->v = v;
    if ((v[s->n] = cipi_strdup(ctx, buf)) == NULL)
        return cipi_nomem(ctx);
    s->n++;
    return CIP_OK;
}

void cipi_pl_strs_release(cip_ctx *ctx, struct pl_strs *s)
{
    for (size_t k = 0; k < s->n; k++)
        cipi_free(ctx, s->v[k]);
    cipi_free(ctx, s->v);
    s->v = NULL;
    s->n = 0;
}

char *cipi_pl_path(cip_ctx *ctx, const char *dir, const char *name)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *s = cipi_malloc(ctx, len);
    if (s != NULL)
        snprintf(s, len, "%s/%s", dir, name);
    return s;
}

cip_status cipi_pl_set_metric(cip_ctx *ctx, cip_train_result *r, const char *name, double v)
{
    for (size_t k = 0; k < r->n_metrics; k++)
        if (strcmp(r->metrics[k].name, name) == 0) {
            r->metrics[k].value = v;
            return CIP_OK;
        }
    cip_train_metric *m = cipi_realloc(ctx, r->metrics, (r->n_metrics + 1) * sizeof *m);
    if (m == NULL)
        return cipi_nomem(ctx);
    r->metrics = m;
    snprintf(m[r->n_metrics].name, sizeof m[r->n_metrics].name, "%s", name);
    m[r->n_metrics++].value = v;
    return CIP_OK;
}
