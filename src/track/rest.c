/* rest.c - talking to an MLflow tracking server: HTTP with libcurl, JSON with
 * jansson, MLflow's error bodies mapped to cip statuses
 *
 * Requests go to <base>/api/2.0/mlflow/<endpoint> (JSON) and to
 * <base>/api/2.0/mlflow-artifacts/artifacts/<path> (artifact uploads, PUT).
 * Credentials as MLflow's client reads them: MLFLOW_TRACKING_TOKEN (bearer)
 * or MLFLOW_TRACKING_USERNAME + MLFLOW_TRACKING_PASSWORD (basic). A server
 * that cannot be reached gives one message naming its URL; an MLflow error
 * body {"error_code", "message"} gives "<server>: <endpoint>: <code>: <message>"
 * with RESOURCE_DOES_NOT_EXIST -> NOT_FOUND, RESOURCE_ALREADY_EXISTS ->
 * CONFLICT, INVALID_PARAMETER_VALUE / BAD_REQUEST -> INVALID, others IO.
 * SPDX-License-Identifier: MIT
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rest_int.h"

enum { MAX_RESPONSE = 64 << 20 };

struct sink {
    cip_ctx *ctx;
    struct cipi_buf *b;
    cip_status failed; /* CIP_ERR_NOMEM or CIP_ERR_LIMIT when the answer could not be kept */
};

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    struct sink *k = ud;
    size_t len = size * n;
    cip_status rc = cipi_buf_append(k->ctx, k->b, p, len);
    if (rc != CIP_OK) {
        k->failed = rc;
        return 0;
    }
    return len;
}

void cipi_rest_free(struct cipi_rest *r)
{
    if (r == NULL)
        return;
    struct cipi_alloc a = r->a;
    if (r->curl != NULL)
        curl_easy_cleanup(r->curl);
    cipi_afree(&a, r->base);
    cipi_afree(&a, r->auth);
    cipi_afree(&a, r->userpwd);
    cipi_afree(&a, r);
}

cip_status cipi_rest_new(cip_ctx *ctx, const char *uri, struct cipi_rest **out)
{
    *out = NULL;
    struct cipi_rest *r = cipi_calloc(ctx, 1, sizeof *r);
    if (r == NULL)
        return CIP_ERR_NOMEM;
    r->a = cipi_ctx_alloc(ctx);
    size_t n = strlen(uri);
    while (n > 0 && uri[n - 1] == '/')
        n--;
    r->base = cipi_strndup(ctx, uri, n);
    cip_status rc = r->base ? CIP_OK : CIP_ERR_NOMEM;
    const char *tok = getenv("MLFLOW_TRACKING_TOKEN");
    const char *user = getenv("MLFLOW_TRACKING_USERNAME");
    const char *pw = getenv("MLFLOW_TRACKING_PASSWORD");
    struct cipi_buf b;
    cipi_buf_init(&b, ctx, 0);
    if (rc == CIP_OK && tok != NULL && tok[0] != '\0') {
        rc = cipi_buf_printf(ctx, &b, "Authorization: Bearer %s", tok);
        r->auth = cipi_buf_detach(&b, NULL);
    } else if (rc == CIP_OK && user != NULL && user[0] != '\0') {
        rc = cipi_buf_printf(ctx, &b, "%s:%s", user, pw ? pw : "");
        r->userpwd = cipi_buf_detach(&b, NULL);
    }
    cipi_buf_release(&b);
    if (rc == CIP_OK) {
        r->curl = curl_easy_init();
        if (r->curl == NULL)
            rc = cipi_fail(ctx, CIP_ERR_IO, "cannot initialise libcurl");
    }
    if (rc != CIP_OK) {
        cipi_rest_free(r);
        return rc;
    }
    *out = r;
    return CIP_OK;
}

/* Map an MLflow error body to a status and message. */
static cip_status server_error(cip_ctx *ctx, const struct cipi_rest *r, const char *method,
                               const char *path, long status, const char *body, size_t len)
{
    json_error_t e;
    json_t *j = len > 0 ? json_loadb(body, len, 0, &e) : NULL;
    const char *code = j ? json_string_value(json_object_get(j, "error_code")) : NULL;
    const char *msg = j ? json_string_value(json_object_get(j, "message")) : NULL;
    cip_status st = CIP_ERR_IO;
    if (code != NULL && strcmp(code, "RESOURCE_DOES_NOT_EXIST") == 0)
        st = CIP_ERR_NOT_FOUND;
    else if (code != NULL && strcmp(code, "RESOURCE_ALREADY_EXISTS") == 0)
        st = CIP_ERR_CONFLICT;
    else if (code != NULL &&
             (strcmp(code, "INVALID_PARAMETER_VALUE") == 0 || strcmp(code, "BAD_REQUEST") == 0))
        st = CIP_ERR_INVALID;
    else if (status == 404 && code == NULL)
        st = CIP_ERR_NOT_FOUND;
    if (code != NULL)
        cipi_fail(ctx, st, "tracking server %s: %s %s: %s: %s", r->base, method, path, code,
                  msg ? msg : "(no message)");
    else
        cipi_fail(ctx, st, "tracking server %s: %s %s: HTTP status %ld: %.200s", r->base, method,
                  path, status, len > 0 && body != NULL ? body : "(empty body)");
    json_decref(j);
    return st;
}

cip_status cipi_rest_call(cip_ctx *ctx, struct cipi_rest *r, const char *method, const char *path,
                          const char *content_type, const void *body, size_t len, char **resp,
                          size_t *resp_len)
{
    *resp = NULL;
    *resp_len = 0;
    struct cipi_buf url, out;
    cipi_buf_init(&url, ctx, 0);
    cipi_buf_init(&out, ctx, MAX_RESPONSE);
    struct curl_slist *hdr = NULL;
    struct sink k = {ctx, &out, CIP_OK};
    char err[CURL_ERROR_SIZE] = "";
    cip_status rc = cipi_buf_printf(ctx, &url, "%s%s", r->base, path);
    if (rc != CIP_OK)
        goto done;
    CURL *c = r->curl;
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url.data);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &k);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 600L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "cip/0.1");
    if (body != NULL) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, (const char *)body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    char ct[128];
    if (content_type != NULL) {
        snprintf(ct, sizeof ct, "Content-Type: %s", content_type);
        hdr = curl_slist_append(hdr, ct);
    }
    hdr = curl_slist_append(hdr, "Expect:");
    if (r->auth != NULL)
        hdr = curl_slist_append(hdr, r->auth);
    if (r->userpwd != NULL) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERPWD, r->userpwd);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    CURLcode cc = curl_easy_perform(c);
    if (k.failed != CIP_OK) {
        rc = cipi_fail_prefix(ctx, k.failed, "answer of %s %s", method, url.data);
        goto done;
    }
    if (cc != CURLE_OK) {
        rc = cipi_fail(ctx, CIP_ERR_IO, "cannot reach the MLflow tracking server at %s: %s",
                       r->base, err[0] ? err : curl_easy_strerror(cc));
        goto done;
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (status < 200 || status >= 300) {
        rc = server_error(ctx, r, method, path, status, out.data, out.len);
        goto done;
    }
    *resp = cipi_buf_detach(&out, resp_len);
done:
    curl_slist_free_all(hdr);
    curl_easy_setopt(r->curl, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(r->curl, CURLOPT_ERRORBUFFER, NULL);
    cipi_buf_release(&url);
    cipi_buf_release(&out);
    return rc;
}

cip_status cipi_rest_json(cip_ctx *ctx, struct cipi_rest *r, const char *method,
                          const char *endpoint, const json_t *req, json_t **resp)
{
    if (resp != NULL)
        *resp = NULL;
    char path[1024];
    if ((size_t)snprintf(path, sizeof path, "/api/2.0/mlflow/%s", endpoint) >= sizeof path)
        return cipi_fail(ctx, CIP_ERR_LIMIT, "request path too long");
    char *body = NULL;
    size_t body_len = 0;
    if (req != NULL) { /* serialise into our own allocation */
        body_len = json_dumpb(req, NULL, 0, JSON_COMPACT);
        body = body_len > 0 ? cipi_malloc(ctx, body_len) : NULL;
        if (body == NULL)
            return body_len > 0 ? CIP_ERR_NOMEM : cipi_nomem(ctx);
        if (json_dumpb(req, body, body_len, JSON_COMPACT) != body_len) {
            cipi_free(ctx, body);
            return cipi_fail(ctx, CIP_ERR_INTERNAL, "cannot serialise a JSON request");
        }
    }
    char *out = NULL;
    size_t out_len = 0;
    cip_status rc = cipi_rest_call(ctx, r, method, path, req ? "application/json" : NULL, body,
                                   body_len, &out, &out_len);
    cipi_free(ctx, body);
    if (rc == CIP_OK && resp != NULL) {
        json_error_t e;
        *resp = json_loadb(out ? out : "{}", out ? out_len : 2, JSON_REJECT_DUPLICATES, &e);
        if (*resp == NULL)
            rc = cipi_fail(ctx, CIP_ERR_PARSE,
                           "tracking server %s: %s %s: invalid JSON answer at line %d column "
                           "%d: %s",
                           r->base, method, path, e.line, e.column, e.text);
    }
    cipi_free(ctx, out);
    return rc;
}

cip_status cipi_rest_escape(cip_ctx *ctx, struct cipi_rest *r, const char *s, int keep_slash,
                            struct cipi_buf *b)
{
    cip_status rc = CIP_OK;
    while (rc == CIP_OK && *s) {
        size_t n = keep_slash ? strcspn(s, "/") : strlen(s);
        char *e = curl_easy_escape(r->curl, s, (int)n);
        if (e == NULL)
            return cipi_nomem(ctx);
        rc = cipi_buf_append(ctx, b, e, strlen(e));
        curl_free(e);
        s += n;
        if (rc == CIP_OK && *s == '/') {
            rc = cipi_buf_putc(ctx, b, '/');
            s++;
        }
    }
    return rc;
}
