/* report.c - the audit as text (grouped by severity) and as JSON (stable,
 * documented in docs/AUDIT.md), and the explanation of too-good scores
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "audit_int.h"

static cip_status json_str(cip_ctx *ctx, struct cipi_buf *b, const char *s)
{
    cip_status rc = cipi_buf_putc(ctx, b, '"');
    for (const unsigned char *p = (const unsigned char *)s; rc == CIP_OK && *p; p++) {
        if (*p == '"' || *p == '\\')
            rc = cipi_buf_printf(ctx, b, "\\%c", *p);
        else if (*p < 0x20)
            rc = cipi_buf_printf(ctx, b, "\\u%04x", *p);
        else
            rc = cipi_buf_putc(ctx, b, (char)*p);
    }
    return rc == CIP_OK ? cipi_buf_putc(ctx, b, '"') : rc;
}

static cip_status json_num(cip_ctx *ctx, struct cipi_buf *b, double v)
{
    if (!isfinite(v))
        return cipi_buf_printf(ctx, b, "null");
    char t[40];
    cipi_fmt_double(t, sizeof t, v);
    return cipi_buf_printf(ctx, b, "%s", t);
}

static cip_status json_finding(cip_ctx *ctx, struct cipi_buf *b, const struct audit_finding *fd)
{
    cip_status rc =
        cipi_buf_printf(ctx, b,
                        "    {\"kind\": \"%s\", \"severity\": \"%s\", "
                        "\"columns\": [",
                        cip_audit_kind_name(fd->kind), cip_audit_severity_name(fd->severity));
    for (size_t c = 0; rc == CIP_OK && c < fd->n_columns; c++) {
        if (c > 0)
            rc = cipi_buf_printf(ctx, b, ", ");
        if (rc == CIP_OK)
            rc = json_str(ctx, b, fd->columns[c]);
    }
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, b, "],\n     \"message\": ");
    if (rc == CIP_OK)
        rc = json_str(ctx, b, fd->message != NULL ? fd->message : "");
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, b, ",\n     \"expression\": ");
    if (rc == CIP_OK)
        rc = fd->expression != NULL ? json_str(ctx, b, fd->expression)
                                    : cipi_buf_printf(ctx, b, "null");
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, b, ",\n     \"evidence\": {");
    for (size_t k = 0; rc == CIP_OK && k < fd->n_values; k++) {
        if (k > 0)
            rc = cipi_buf_printf(ctx, b, ", ");
        if (rc == CIP_OK)
            rc = json_str(ctx, b, fd->value_names[k]);
        if (rc == CIP_OK)
            rc = cipi_buf_printf(ctx, b, ": ");
        if (rc == CIP_OK)
            rc = json_num(ctx, b, fd->values[k]);
    }
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, b, "},\n     \"rows\": [");
    for (size_t k = 0; rc == CIP_OK && k < fd->n_rows; k++)
        rc = cipi_buf_printf(ctx, b, "%s%zu", k ? ", " : "", fd->rows[k]);
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, b, "],\n     \"fix\": ");
    if (rc == CIP_OK)
        rc = json_str(ctx, b, fd->fix != NULL ? fd->fix : "");
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, b, "}");
    return rc;
}

static cip_status finish(cip_ctx *ctx, struct cipi_buf *b, cip_status rc, char **out)
{
    if (rc != CIP_OK) {
        cipi_buf_release(b);
        return rc;
    }
    *out = cipi_buf_detach(b, NULL);
    if (*out == NULL)
        return cipi_fail(ctx, CIP_ERR_INTERNAL, "empty report");
    return CIP_OK;
}

cip_status cip_audit_to_json(cip_ctx *ctx, const cip_audit *a, const char *source, char **out)
{
    *out = NULL;
    if (a == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "audit is NULL");
    struct cipi_buf b;
    cipi_buf_init(&b, ctx, 0);
    cip_status rc = cipi_buf_printf(ctx, &b, "{\n  \"format\": \"cip-audit 1\",\n  \"source\": ");
    if (rc == CIP_OK)
        rc = source != NULL ? json_str(ctx, &b, source) : cipi_buf_printf(ctx, &b, "null");
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, &b, ",\n  \"target\": ");
    if (rc == CIP_OK)
        rc = json_str(ctx, &b, a->target);
    if (rc == CIP_OK)
        rc = cipi_buf_printf(
            ctx, &b,
            ",\n  \"task\": \"%s\",\n  \"rows\": %zu,\n  \"features\": %zu,\n  \"verdict\": "
            "\"%s\",\n  \"counts\": {\"high\": %zu, \"warning\": %zu, \"info\": %zu},\n"
            "  \"findings\": [",
            cip_audit_task_name(a->task), a->n_rows, a->n_features,
            cip_audit_verdict_name(cip_audit_get_verdict(a)),
            cip_audit_n_severity(a, CIP_AUDIT_HIGH), cip_audit_n_severity(a, CIP_AUDIT_WARNING),
            cip_audit_n_severity(a, CIP_AUDIT_INFO));
    for (size_t k = 0; rc == CIP_OK && k < a->n; k++) {
        rc = cipi_buf_printf(ctx, &b, "%s\n", k ? "," : "");
        if (rc == CIP_OK)
            rc = json_finding(ctx, &b, &a->f[k]);
    }
    if (rc == CIP_OK)
        rc = cipi_buf_printf(ctx, &b, "%s]\n}\n", a->n ? "\n  " : "");
    return finish(ctx, &b, rc, out);
}

cip_status cip_audit_to_text(cip_ctx *ctx, const cip_audit *a, const char *source, char **out)
{
    *out = NULL;
    if (a == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "audit is NULL");
    struct cipi_buf b;
    cipi_buf_init(&b, ctx, 0);
    cip_audit_verdict v = cip_audit_get_verdict(a);
    cip_status rc = cipi_buf_printf(
        ctx, &b,
        "audit of %s\ntarget: %s (%s), %zu rows, %zu features\nverdict: %s (%zu high, %zu "
        "warning, %zu info)\n",
        source != NULL ? source : "(frame)", a->target, cip_audit_task_name(a->task), a->n_rows,
        a->n_features, cip_audit_verdict_name(v), cip_audit_n_severity(a, CIP_AUDIT_HIGH),
        cip_audit_n_severity(a, CIP_AUDIT_WARNING), cip_audit_n_severity(a, CIP_AUDIT_INFO));
    int last = -1;
    for (size_t k = 0; rc == CIP_OK && k < a->n; k++) {
        const struct audit_finding *fd = &a->f[k];
        if ((int)fd->severity != last) {
            last = (int)fd->severity;
            rc = cipi_buf_printf(ctx, &b, "\n%s\n",
                                 fd->severity == CIP_AUDIT_HIGH      ? "HIGH"
                                 : fd->severity == CIP_AUDIT_WARNING ? "WARNING"
                                                                     : "INFO");
        }
        if (rc == CIP_OK)
            rc = cipi_buf_printf(ctx, &b, "  [%s] %s\n", cip_audit_kind_name(fd->kind),
                                 fd->message != NULL ? fd->message : "");
        if (rc == CIP_OK && fd->n_rows > 0) {
            rc = cipi_buf_printf(ctx, &b, "      rows:");
            for (size_t r = 0; rc == CIP_OK && r < fd->n_rows; r++)
                rc = cipi_buf_printf(ctx, &b, " %zu", fd->rows[r]);
            if (rc == CIP_OK)
                rc = cipi_buf_printf(ctx, &b, " (0-based data rows)\n");
        }
        if (rc == CIP_OK && fd->fix != NULL)
            rc = cipi_buf_printf(ctx, &b, "      fix: %s\n", fd->fix);
    }
    return finish(ctx, &b, rc, out);
}

void cip_audit_free_string(cip_ctx *ctx, char *s)
{
    cipi_free(ctx, s);
}

cip_status cip_audit_explain_score(cip_ctx *ctx, const cip_audit *a, const char *metric,
                                   double score, int *suspicious, char **out)
{
    *out = NULL;
    if (a == NULL || metric == NULL || suspicious == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "explain_score needs an audit, a metric and a flag");
    size_t nh = cip_audit_n_severity(a, CIP_AUDIT_HIGH);
    *suspicious = score >= 0.98 || (nh > 0 && score >= 0.95);
    struct cipi_buf b;
    cipi_buf_init(&b, ctx, 0);
    cip_status rc;
    if (!*suspicious)
        rc = cipi_buf_printf(ctx, &b, "%s = %.4f is not suspiciously high%s\n", metric, score,
                             nh > 0 ? ", but the audit found high-severity leaks (see below)" : "");
    else if (nh == 0)
        rc = cipi_buf_printf(ctx, &b,
                             "%s = %.4f is too good to be true, yet the audit found no "
                             "high-severity leak: check for label noise-free synthetic data, "
                             "time leakage and preprocessing fitted on all rows\n",
                             metric, score);
    else
        rc = cipi_buf_printf(ctx, &b,
                             "%s = %.4f is too good to be true; the audit explains it with %zu "
                             "high-severity finding%s:\n",
                             metric, score, nh, nh == 1 ? "" : "s");
    /* the most telling kinds first, at most 3 findings per kind */
    static const cip_audit_kind order[] = {
        CIP_AUDIT_RECONSTRUCTION,  CIP_AUDIT_LINEAGE,      CIP_AUDIT_IDENTICAL_COLUMNS,
        CIP_AUDIT_CONTAMINATION,   CIP_AUDIT_SEPARABLE,    CIP_AUDIT_PREDICTIVE,
        CIP_AUDIT_FUNCDEP,         CIP_AUDIT_ID_COLUMN,    CIP_AUDIT_CORRELATION,
        CIP_AUDIT_DUPLICATES,      CIP_AUDIT_FEW_PROFILES, CIP_AUDIT_MULTICOLLINEARITY,
        CIP_AUDIT_CONSTANT_COLUMN, CIP_AUDIT_SCHEMA};
    size_t shown = 0;
    for (size_t o = 0; rc == CIP_OK && o < CIP_ARRAY_LEN(order); o++) {
        size_t per = 0;
        for (size_t k = 0; rc == CIP_OK && k < a->n; k++) {
            if (a->f[k].severity != CIP_AUDIT_HIGH || a->f[k].kind != order[o] || per == 3)
                continue;
            rc = cipi_buf_printf(ctx, &b, "  - [%s] %s\n", cip_audit_kind_name(a->f[k].kind),
                                 a->f[k].message != NULL ? a->f[k].message : "");
            per++;
            shown++;
        }
    }
    if (rc == CIP_OK && shown < nh)
        rc = cipi_buf_printf(ctx, &b, "  (%zu more high-severity findings in the audit report)\n",
                             nh - shown);
    return finish(ctx, &b, rc, out);
}
