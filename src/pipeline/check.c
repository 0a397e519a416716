/* check.c - pipeline stage 1: validate the table and engineer features on all rows
 *
 * The engineered table on all rows is only used to audit the data (the audit
 * is about the table, not about a model) and to describe the segments; every
 * model fits its own feature pipeline on its training rows.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "pipeline_int.h"

static cip_status messages(struct pl_state *s, const cip_validation *v)
{
    cip_status rc = CIP_OK;
    cip_violation vi;
    for (size_t k = 0; rc == CIP_OK && k < cip_validation_count(v); k++) {
        if (!cip_validation_get(v, k, &vi))
            break;
        char line[64] = "";
        if (vi.n_examples > 0)
            snprintf(line, sizeof line, ", e.g. line %zu", vi.lines[0]);
        rc = cipi_pl_push(s->ctx, &s->messages, "%s: %s%s%s %s (%zu row%s%s)",
                          cip_severity_name(vi.severity), vi.column != NULL ? vi.column : "",
                          vi.column != NULL ? ": " : "", cip_violation_kind_name(vi.kind),
                          vi.rule != NULL ? vi.rule : "", vi.count, vi.count == 1 ? "" : "s", line);
    }
    return rc;
}

cip_status cipi_pl_validate(struct pl_state *s)
{
    cip_validation *v = NULL;
    cip_status rc = cip_validate_frame(s->ctx, s->raw, NULL, &v);
    if (rc != CIP_OK)
        return rc;
    s->n_errors = cip_validation_n_errors(v);
    s->n_warnings = cip_validation_n_warnings(v);
    rc = messages(s, v);
    if (rc == CIP_OK && !cip_validation_usable(v)) {
        s->refused = 2;
        s->audit_tag = "refused";
        rc = cipi_pl_push(s->ctx, &s->actions,
                          "refused: the table failed validation "
                          "(%zu error class%s)",
                          s->n_errors, s->n_errors == 1 ? "" : "es");
    }
    cip_validation_free(v);
    if (rc != CIP_OK || s->refused)
        return rc;
    rc = cip_featpipe_fit(s->ctx, s->raw, NULL, &s->fp_all);
    if (rc == CIP_OK)
        rc = cip_featpipe_transform(s->ctx, s->fp_all, s->raw, &s->eng_all);
    return rc;
}
