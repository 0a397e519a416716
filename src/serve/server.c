/* server.c - the HTTP server on libmicrohttpd: lifecycle, request bodies, responses, access log
 *
 * libmicrohttpd owns the sockets, HTTP parsing, connection limits and timeouts
 * (internal polling thread + epoll, a pool of worker threads); cip owns the
 * routing and the handlers. Each request gets its own cip_ctx (one thread at a
 * time touches it) and a body buffer capped at max_body_bytes (413 beyond).
 * SPDX-License-Identifier: MIT
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "serve_int.h"

struct request {
    cip_server *srv;
    cip_ctx *ctx;
    struct cipi_buf body;
    bool too_large;
    bool answered;
    int64_t t0_us;
    unsigned status;
    size_t bytes;
    enum serve_route route;
    char method[12];
    char path[240];
};

void cip_serve_params_default(cip_serve_params *p)
{
    memset(p, 0, sizeof *p);
    p->host = "127.0.0.1";
    p->port = 5001;
    p->threads = 4;
    p->max_body_bytes = (size_t)16 << 20;
    p->connection_timeout_s = 30;
    p->connection_memory_bytes = (size_t)32 << 10;
    p->max_connections = 1024;
    p->reload_ms = 2000;
}

cip_status cip_serve_params_check(cip_ctx *ctx, const cip_serve_params *p)
{
    if (p == NULL)
        return cipi_fail(ctx, CIP_ERR_MISUSE, "cip_serve_params: NULL");
    if (p->threads < 1 || p->threads > 256)
        return cipi_fail(ctx, CIP_ERR_INVALID, "threads must be in 1..256, not %d", p->threads);
    if (p->max_body_bytes < 1024)
        return cipi_fail(ctx, CIP_ERR_INVALID, "max_body_bytes must be >= 1024");
    if (p->connection_memory_bytes < 4096)
        return cipi_fail(ctx, CIP_ERR_INVALID, "connection_memory_bytes must be >= 4096");
    if (p->max_connections < 1)
        return cipi_fail(ctx, CIP_ERR_INVALID, "max_connections must be >= 1");
    if (p->n_models > 0 && p->models == NULL)
        return cipi_fail(ctx, CIP_ERR_INVALID, "models is NULL with n_models > 0");
    for (size_t k = 0; k < p->n_models; k++)
        if (p->models[k] == NULL || p->models[k][0] == '\0')
            return cipi_fail(ctx, CIP_ERR_INVALID, "model %zu is empty", k);
    if (p->token != NULL && p->token[0] == '\0')
        return cipi_fail(ctx, CIP_ERR_INVALID, "the token must not be empty");
    return CIP_OK;
}

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static enum MHD_Result send_resp(struct MHD_Connection *conn, struct request *rq,
                                 struct serve_resp *r)
{
    struct MHD_Response *mr =
        r->static_data != NULL
            ? MHD_create_response_from_buffer(r->static_len, (void *)(uintptr_t)r->static_data,
                                              MHD_RESPMEM_PERSISTENT)
            : MHD_create_response_from_buffer(r->body.len, r->body.data ? r->body.data : (char *)"",
                                              MHD_RESPMEM_MUST_COPY);
    if (mr == NULL)
        return MHD_NO;
    MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE,
                            r->ctype ? r->ctype : "application/json");
    MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
    if (r->allow != NULL)
        MHD_add_response_header(mr, MHD_HTTP_HEADER_ALLOW, r->allow);
    rq->status = r->status;
    rq->bytes = r->static_data != NULL ? r->static_len : r->body.len;
    rq->answered = true;
    enum MHD_Result res = MHD_queue_response(conn, r->status, mr);
    MHD_destroy_response(mr);
    return res;
}

/* An error decided before routing (413). */
static enum MHD_Result send_error(struct MHD_Connection *conn, struct request *rq, unsigned status,
                                  const char *code, const char *msg)
{
    struct serve_resp r;
    memset(&r, 0, sizeof r);
    cipi_buf_init(&r.body, rq->ctx, 4096);
    struct serve_call c;
    memset(&c, 0, sizeof c);
    c.srv = rq->srv;
    c.ctx = rq->ctx;
    c.resp = &r;
    cipi_serve_error(&c, status, code, "%s", msg);
    enum MHD_Result res = send_resp(conn, rq, &r);
    cipi_buf_release(&r.body);
    return res;
}

static enum MHD_Result handle(struct MHD_Connection *conn, struct request *rq, const char *url,
                              const char *method)
{
    struct serve_resp r;
    memset(&r, 0, sizeof r);
    cipi_buf_init(&r.body, rq->ctx, 0);
    struct serve_call c;
    memset(&c, 0, sizeof c);
    c.srv = rq->srv;
    c.ctx = rq->ctx;
    c.conn = conn;
    c.method = method;
    c.path = url;
    c.body = rq->body.data != NULL ? rq->body.data : "";
    c.body_len = rq->body.len;
    c.resp = &r;
    rq->route = cipi_serve_dispatch(&c);
    if (r.status == 0) /* a handler that forgot to answer is a bug: still answer in JSON */
        cipi_serve_error(&c, 500, "INTERNAL_ERROR", "no response was produced");
    enum MHD_Result res = send_resp(conn, rq, &r);
    cipi_buf_release(&r.body);
    return res;
}

static struct request *request_new(cip_server *s, const char *url, const char *method)
{
    cip_ctx *ctx = NULL;
    if (cip_ctx_new_with_alloc(s->a.fn, s->a.ud, &ctx) != CIP_OK)
        return NULL;
    struct request *rq = cipi_calloc(ctx, 1, sizeof *rq);
    if (rq == NULL) {
        cip_ctx_free(ctx);
        return NULL;
    }
    cip_ctx_set_threads(ctx, 1);
    rq->srv = s;
    rq->ctx = ctx;
    rq->t0_us = now_us();
    rq->route = ROUTE_UNKNOWN;
    cipi_buf_init(&rq->body, ctx, s->p.max_body_bytes);
    snprintf(rq->method, sizeof rq->method, "%s", method);
    snprintf(rq->path, sizeof rq->path, "%s", url);
    return rq;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    cip_server *s = cls;
    struct request *rq = *con_cls;
    if (rq == NULL) {
        rq = request_new(s, url, method);
        if (rq == NULL)
            return MHD_NO;
        *con_cls = rq;
        const char *cl =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        char *end = NULL;
        unsigned long long n = cl != NULL ? strtoull(cl, &end, 10) : 0;
        if (cl != NULL && end != cl && n > s->p.max_body_bytes)
            return send_error(conn, rq, 413, "REQUEST_LIMIT_EXCEEDED",
                              "the request body is larger than the server's limit");
        return MHD_YES;
    }
    if (rq->answered) { /* early answer (413): discard what still arrives */
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size > 0) {
        if (!rq->too_large &&
            cipi_buf_append(rq->ctx, &rq->body, upload_data, *upload_size) != CIP_OK) {
            rq->too_large = true;
            cipi_buf_release(&rq->body);
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (rq->too_large)
        return send_error(conn, rq, 413, "REQUEST_LIMIT_EXCEEDED",
                          "the request body is larger than the server's limit");
    return handle(conn, rq, url, method);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    cip_server *s = cls;
    struct request *rq = *con_cls;
    if (rq == NULL)
        return;
    *con_cls = NULL;
    uint64_t dur = (uint64_t)(now_us() - rq->t0_us);
    unsigned status = rq->answered ? rq->status : 0;
    cipi_serve_metrics_record(s, rq->route, status, dur, rq->bytes);
    cipi_serve_log(s, CIP_LOG_INFO, "%s %s %u %zu %llu%s", rq->method, rq->path, status, rq->bytes,
                   (unsigned long long)dur,
                   toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted");
    cipi_buf_release(&rq->body);
    cip_ctx *ctx = rq->ctx;
    cipi_free(ctx, rq);
    cip_ctx_free(ctx);
}

static cip_status bind_addr(cip_ctx *ctx, const char *host, uint16_t port,
                            struct sockaddr_storage *ss, unsigned *flags)
{
    memset(ss, 0, sizeof *ss);
    if (strcmp(host, "localhost") == 0)
        host = "127.0.0.1";
    struct sockaddr_in *a4 = (struct sockaddr_in *)(void *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)(void *)ss;
    if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons(port);
        return CIP_OK;
    }
    if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons(port);
        *flags |= MHD_USE_IPv6;
        return CIP_OK;
    }
    return cipi_fail(ctx, CIP_ERR_INVALID, "host '%s' is not an IPv4/IPv6 address", host);
}

static cip_status start_daemon(cip_ctx *ctx, cip_server *s)
{
    struct sockaddr_storage ss;
#ifdef MHD_USE_EPOLL_INTERNAL_THREAD
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC;
#else
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ITC;
#endif
    cip_status rc = bind_addr(ctx, s->host, s->p.port, &ss, &flags);
    if (rc != CIP_OK)
        return rc;
    errno = 0;
    s->daemon = MHD_start_daemon(
        flags, s->p.port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)s->p.threads, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int)s->p.connection_timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)s->p.connection_memory_bytes, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned int)s->p.max_connections, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)1024, MHD_OPTION_END);
    if (s->daemon == NULL)
        return cipi_fail_errno(ctx, CIP_ERR_IO, errno ? errno : EADDRINUSE,
                               "cannot listen on %s:%u", s->host, (unsigned)s->p.port);
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di != NULL && di->port != 0 ? di->port : s->p.port;
    return CIP_OK;
}

static char *dup_or_null(cip_ctx *ctx, const char *v, cip_status *rc)
{
    if (v == NULL || *rc != CIP_OK)
        return NULL;
    char *d = cipi_strdup(ctx, v);
    if (d == NULL)
        *rc = CIP_ERR_NOMEM;
    return d;
}

cip_status cip_server_start(cip_ctx *ctx, const cip_serve_params *p, cip_server **out)
{
    *out = NULL;
    cip_status rc = cip_serve_params_check(ctx, p);
    if (rc != CIP_OK)
        return rc;
    cip_server *s = cipi_calloc(ctx, 1, sizeof *s);
    if (s == NULL)
        return CIP_ERR_NOMEM;
    s->a = cipi_ctx_alloc(ctx);
    s->p = *p;
    pthread_mutex_init(&s->wmu, NULL);
    pthread_cond_init(&s->wcv, NULL);
    s->host = dup_or_null(ctx, p->host != NULL ? p->host : "127.0.0.1", &rc);
    s->tracking = dup_or_null(ctx, cip_store_resolve_uri(p->tracking_uri), &rc);
    s->token = dup_or_null(ctx, p->token, &rc);
    s->p.host = s->host; /* the copies: the caller's strings need not outlive the call */
    s->p.tracking_uri = s->tracking;
    s->p.token = s->token;
    s->p.models = NULL; /* only read during cipi_serve_models_init below */
    s->started_ms = (int64_t)time(NULL) * 1000;
    if (rc == CIP_OK) {
        s->p.models = p->models;
        rc = cipi_serve_models_init(ctx, s);
        s->p.models = NULL;
    }
    if (rc == CIP_OK)
        rc = start_daemon(ctx, s);
    if (rc == CIP_OK)
        rc = cipi_serve_watcher_start(ctx, s);
    if (rc != CIP_OK) {
        cip_server_stop(s);
        return rc;
    }
    *out = s;
    return CIP_OK;
}

uint16_t cip_server_port(const cip_server *s)
{
    return s != NULL ? s->port : 0;
}

size_t cip_server_n_models(const cip_server *s)
{
    size_t n = 0;
    for (size_t k = 0; s != NULL && k < s->n_slots; k++) {
        struct serve_model *m = cipi_serve_acquire((cip_server *)(uintptr_t)s, k);
        n += m != NULL;
        cipi_serve_release(m);
    }
    return n;
}

void cip_server_stop(cip_server *s)
{
    if (s == NULL)
        return;
    cipi_serve_watcher_stop(s);
    if (s->daemon != NULL) {
        MHD_socket fd = MHD_quiesce_daemon(s->daemon);
        MHD_stop_daemon(s->daemon); /* waits for the requests in flight */
        if (fd != MHD_INVALID_SOCKET)
            close(fd);
    }
    cipi_serve_models_free(s);
    pthread_cond_destroy(&s->wcv);
    pthread_mutex_destroy(&s->wmu);
    cipi_afree(&s->a, s->host);
    cipi_afree(&s->a, s->tracking);
    cipi_afree(&s->a, s->token);
    cipi_afree(&s->a, s);
}
