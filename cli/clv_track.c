/* clv_track.c - run tracking for `cip clv`: one MLflow run per command with
 * its options as params, results as metrics and the JSON output as artifact
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clv_track.h"

cip_status clv_track_start(cip_ctx *ctx, struct clv_track *t, const char *uri,
                           const char *experiment, const char *sub, const char *command)
{
    char name[64];
    snprintf(name, sizeof name, "clv-%s", sub);
    cip_store_opts so;
    cip_store_opts_default(&so);
    cip_status rc = cip_store_open(ctx, cip_store_resolve_uri(uri), &so, &t->store);
    if (rc == CIP_OK) {
        cip_run_params rp;
        cip_run_params_default(&rp);
        rp.experiment = experiment;
        rp.run_name = name;
        rp.command_line = command;
        rc = cip_run_start(ctx, t->store, &rp, &t->run);
    }
    if (rc == CIP_OK)
        rc = cip_run_set_tag(ctx, t->run, "cip.task", "clv");
    return rc;
}

cip_status clv_track_param(cip_ctx *ctx, struct clv_track *t, const char *key, const char *value)
{
    return t->run && value ? cip_run_log_param(ctx, t->run, key, value) : CIP_OK;
}

cip_status clv_track_paramf(cip_ctx *ctx, struct clv_track *t, const char *key, double value)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.17g", value);
    return clv_track_param(ctx, t, key, buf);
}

cip_status clv_track_metric(cip_ctx *ctx, struct clv_track *t, const char *prefix, const char *name,
                            const char *suffix, double value)
{
    if (t->run == NULL || !isfinite(value))
        return CIP_OK;
    char key[200];
    size_t at = (size_t)snprintf(key, sizeof key, "%s", prefix);
    bool sep = at > 0 && key[at - 1] == '_';
    for (const char *p = name; *p && at + 1 < sizeof key / 2; p++) {
        char c = *p;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            key[at++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
            sep = false;
        } else if (!sep) {
            key[at++] = '_';
            sep = true;
        }
    }
    while (at > 0 && key[at - 1] == '_')
        at--;
    snprintf(key + at, sizeof key - at, "%s", suffix);
    return cip_run_log_metric(ctx, t->run, key, value, 0);
}

cip_status clv_track_text(cip_ctx *ctx, struct clv_track *t, const char *dest, const char *data)
{
    return t->run ? cip_run_log_text(ctx, t->run, dest, data, strlen(data)) : CIP_OK;
}

cip_status clv_track_end(cip_ctx *ctx, struct clv_track *t, bool ok)
{
    cip_status rc = CIP_OK;
    if (t->run)
        rc = cip_run_end(ctx, t->run, ok ? CIP_RUN_FINISHED : CIP_RUN_FAILED);
    cip_run_free(t->run);
    cip_store_close(t->store);
    t->run = NULL;
    t->store = NULL;
    return rc;
}
