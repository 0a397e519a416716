/* clv.c - GET /api/v1/clv: the transaction CLV evaluation of the latest `cip clv evaluate` run
 *
 * `cip clv evaluate` logs one FINISHED run (tag cip.task = clv, param subcommand = evaluate)
 * whose artifact evaluation.json is the document of `cip clv evaluate --json` (contract C5).
 * The handler finds the newest such run, checks that the artifact is a JSON object with a
 * "methods" array and answers it unchanged except for two leading keys: "run_id" and
 * "run_start_time" (ms since the epoch), so the UI can say where the numbers come from.
 * 404 RESOURCE_DOES_NOT_EXIST when no run (or no artifact) exists.
 * SPDX-License-Identifier: MIT
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "serve_int.h"

#define CLV_FILTER                                                                                 \
    "tags.`cip.task` = 'clv' and params.subcommand = 'evaluate' and "                              \
    "attributes.status = 'FINISHED'"
#define CLV_ARTIFACT "evaluation.json"

/* text must be a JSON object with a "methods" array (the C5 document). */
static cip_status check_doc(cip_ctx *ctx, const char *run_id, const char *text, size_t len,
                            int *has_run_id)
{
    json_error_t err;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    cip_status rc = CIP_OK;
    if (root == NULL)
        rc = cipi_fail(ctx, CIP_ERR_PARSE, "run '%s' artifact " CLV_ARTIFACT ":%d:%d: %s", run_id,
                       err.line, err.column, err.text);
    else if (!json_is_object(root) || !json_is_array(json_object_get(root, "methods")))
        rc = cipi_fail(
            ctx, CIP_ERR_PARSE,
            "run '%s' artifact " CLV_ARTIFACT " is not a clv evaluation (no \"methods\")", run_id);
    else
        *has_run_id = json_object_get(root, "run_id") != NULL;
    json_decref(root);
    return rc;
}

/* The answer: {"run_id": ..., "run_start_time": ..., <the artifact's members>}. */
static cip_status answer(struct serve_call *c, const cip_run_record *run, const char *text,
                         size_t len, int has_run_id)
{
    struct cipi_buf *b = &c->resp->body;
    const char *open = memchr(text, '{', len); /* checked: the document is an object */
    size_t rest = len - (size_t)(open + 1 - text);
    const char *p = open + 1;
    while (p < text + len && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    int empty = p < text + len && *p == '}';
    cip_status rc = CIP_OK;
    if (has_run_id)
        rc = cipi_buf_append(c->ctx, b, "{", 1);
    else
        rc = cipi_buf_printf(c->ctx, b, "{\"run_id\": \"%s\", \"run_start_time\": %lld%s",
                             run->run_id, (long long)run->start_time, empty ? "" : ",");
    if (rc == CIP_OK)
        rc = cipi_buf_append(c->ctx, b, open + 1, rest);
    if (rc == CIP_OK) {
        c->resp->status = 200;
        c->resp->ctype = "application/json";
    }
    return rc;
}

cip_status cipi_serve_clv(struct serve_call *c)
{
    cip_run_set *rs = NULL;
    char *text = NULL;
    size_t len = 0;
    int has_run_id = 0;
    cip_status rc = cipi_serve_latest_artifact(
        c, CLV_FILTER, CLV_ARTIFACT,
        "no clv evaluation: no finished run of `cip clv evaluate` in the store", &rs, &text, &len);
    const cip_run_record *run = rc == CIP_OK ? cip_run_set_at(rs, 0) : NULL;
    if (rc == CIP_OK)
        rc = check_doc(c->ctx, run->run_id, text, len, &has_run_id);
    if (rc == CIP_ERR_PARSE) /* a broken artifact is the server's problem, not the client's */
        rc = cipi_serve_error(c, 500, "INTERNAL_ERROR", "%s", cip_ctx_errmsg(c->ctx));
    else if (rc == CIP_OK)
        rc = answer(c, run, text, len, has_run_id);
    cipi_free(c->ctx, text);
    cip_run_set_free(rs);
    return rc;
}
