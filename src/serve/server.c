/* server.c - the HTTP server on libmicrohttpd: lifecycle, request bodies, responses, access log
 *
 * libmicrohttpd owns the connections, HTTP parsing, connection limits and
 * timeouts (a pool of worker threads, each with its own epoll); cip owns the
 * listening socket, the routing and the handlers. cip accepts on its own thread
 * and hands each connection to libmicrohttpd (MHD_add_connection), which gives
 * it to worker (fd mod threads): when the workers accept themselves, one worker
 * tends to take every connection of a short burst (measured: 2 keep-alive
 * connections both on one of 2 workers, the other idle). Each connection gets its own state (socket
 * context, created when the connection opens and freed when it closes): a cip_ctx and the
 * request-body and response buffers, reused by the keep-alive requests of the
 * connection (one thread at a time touches it), so the hot path allocates no
 * context per request. Bodies are capped at max_body_bytes (413 beyond), request
 * line + headers at max_header_bytes (431 beyond); buffers that grew past
 * SCRATCH_KEEP are released after the request so the RSS stays flat.
 * SPDX-License-Identifier: MIT
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "serve_int.h"

/* Scratch buffers above this capacity are released after a request (RSS stays flat). */
#define SCRATCH_KEEP ((size_t)64 << 10)
#define ARENA_BYTES  ((size_t)64 << 10) /* request arena per connection (serve_int.h) */

struct request {
    cip_server *srv;
    cip_ctx *ctx;
    struct cipi_buf *body;
    bool too_large;
    bool answered;
    int64_t t0_us;
    unsigned status;
    size_t bytes;
    enum serve_route route;
    char method[12];
    char path[240];
};

/* One client connection (libmicrohttpd socket context). */
struct conn {
    cip_ctx *ctx;  /* the connection's own buffers (libc allocator of the server) */
    cip_ctx *rctx; /* requests: allocates from the arena */
    struct cipi_serve_arena arena;
    struct cipi_buf body; /* request body */
    struct cipi_buf out;  /* response body (libmicrohttpd copies it) */
    struct request rq;    /* the request in progress */
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
    p->max_header_bytes = (size_t)16 << 10;
    p->max_connections = 1024;
    p->reload_ms = 2000;
    p->access_log = 1;
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
    if (p->max_header_bytes < 1024 || p->max_header_bytes > p->connection_memory_bytes - 4096)
        return cipi_fail(ctx, CIP_ERR_INVALID,
                         "max_header_bytes must be in 1024..connection_memory_bytes - 4096 "
                         "(%zu), not %zu",
                         p->connection_memory_bytes - 4096, p->max_header_bytes);
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

/* An error decided before routing (413, 431). */
static enum MHD_Result send_error(struct MHD_Connection *conn, struct conn *cn, unsigned status,
                                  const char *code, const char *msg)
{
    struct serve_resp r;
    memset(&r, 0, sizeof r);
    r.body = cn->out;
    struct serve_call c;
    memset(&c, 0, sizeof c);
    c.srv = cn->rq.srv;
    c.ctx = cn->ctx;
    c.resp = &r;
    cipi_serve_error(&c, status, code, "%s", msg);
    enum MHD_Result res = send_resp(conn, &cn->rq, &r);
    cn->out = r.body;
    return res;
}

static enum MHD_Result handle(struct MHD_Connection *conn, struct conn *cn, const char *url,
                              const char *method)
{
    struct request *rq = &cn->rq;
    struct serve_resp r;
    memset(&r, 0, sizeof r);
    r.body = cn->out; /* the connection's buffer, reused (len 0) */
    r.body.len = 0;
    struct serve_call c;
    memset(&c, 0, sizeof c);
    c.srv = rq->srv;
    c.ctx = rq->ctx;
    c.conn = conn;
    c.method = method;
    c.path = url;
    c.body = rq->body->len > 0 ? rq->body->data : "";
    c.body_len = rq->body->len;
    c.resp = &r;
    rq->route = cipi_serve_dispatch(&c);
    if (r.status == 0) /* a handler that forgot to answer is a bug: still answer in JSON */
        cipi_serve_error(&c, 500, "INTERNAL_ERROR", "no response was produced");
    enum MHD_Result res = send_resp(conn, rq, &r);
    cn->out = r.body;
    return res;
}

/* Bytes of the request line and headers as received (approximately: name: value CRLF). */
struct hdr_sum {
    size_t n;
};

static enum MHD_Result add_size(void *cls, enum MHD_ValueKind kind, const char *key,
                                size_t key_size, const char *value, size_t value_size)
{
    (void)kind;
    (void)key;
    (void)value;
    struct hdr_sum *h = cls;
    h->n += key_size + value_size + 4;
    return MHD_YES;
}

static size_t header_bytes(struct MHD_Connection *conn, const char *url, const char *method)
{
    struct hdr_sum h = {strlen(method) + strlen(url) + 12}; /* "M URL HTTP/1.1\r\n" */
    MHD_get_connection_values_n(conn, MHD_HEADER_KIND | MHD_GET_ARGUMENT_KIND, add_size, &h);
    return h.n;
}

static void request_begin(cip_server *s, struct conn *cn, const char *url, const char *method)
{
    struct request *rq = &cn->rq;
    memset(rq, 0, sizeof *rq);
    cip_ctx_clear_error(cn->rctx);
    rq->srv = s;
    rq->ctx = cn->rctx;
    rq->body = &cn->body;
    rq->body->len = 0;
    rq->t0_us = now_us();
    rq->route = ROUTE_UNKNOWN;
    size_t n = strlen(method), u = strlen(url);
    n = n < sizeof rq->method ? n : sizeof rq->method - 1;
    u = u < sizeof rq->path ? u : sizeof rq->path - 1;
    memcpy(rq->method, method, n);
    memcpy(rq->path, url, u);
}

/* The first call for a request: limits decided on the request line and headers. */
static enum MHD_Result request_first(cip_server *s, struct MHD_Connection *conn, struct conn *cn,
                                     const char *url, const char *method)
{
    if (header_bytes(conn, url, method) > s->p.max_header_bytes) {
        char msg[160];
        snprintf(msg, sizeof msg,
                 "the request line and headers are larger than the server's limit of %zu bytes",
                 s->p.max_header_bytes);
        return send_error(conn, cn, 431, "REQUEST_LIMIT_EXCEEDED", msg);
    }
    const char *cl =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    char *end = NULL;
    unsigned long long n = cl != NULL ? strtoull(cl, &end, 10) : 0;
    if (cl != NULL && end != cl && n > s->p.max_body_bytes) {
        /* A body up to twice the limit is read and discarded before the 413: answering
         * and closing while the client still sends would reset the connection, and the
         * client would see a send error instead of the answer. Larger ones are refused
         * at once (the client may then see the reset). */
        if (n <= 2 * (unsigned long long)s->p.max_body_bytes) {
            cn->rq.too_large = true;
            return MHD_YES;
        }
        return send_error(conn, cn, 413, "REQUEST_LIMIT_EXCEEDED",
                          "the request body is larger than the server's limit");
    }
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    cip_server *s = cls;
    struct request *rq = *con_cls;
    if (rq == NULL) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        struct conn *cn = ci != NULL ? ci->socket_context : NULL;
        if (cn == NULL) /* its state could not be allocated: close the connection */
            return MHD_NO;
        request_begin(s, cn, url, method);
        *con_cls = &cn->rq;
        return request_first(s, conn, cn, url, method);
    }
    struct conn *cn = (struct conn *)(void *)((char *)rq - offsetof(struct conn, rq));
    if (rq->answered) { /* early answer (413, 431): discard what still arrives */
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size > 0) {
        if (!rq->too_large &&
            cipi_buf_append(rq->ctx, rq->body, upload_data, *upload_size) != CIP_OK) {
            rq->too_large = true;
            cipi_buf_release(rq->body);
            cip_ctx_clear_error(rq->ctx);
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (rq->too_large)
        return send_error(conn, cn, 413, "REQUEST_LIMIT_EXCEEDED",
                          "the request body is larger than the server's limit");
    return handle(conn, cn, url, method);
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
    if (s->p.access_log)
        cipi_serve_log(s, CIP_LOG_INFO, "%s %s %u %zu %llu%s", rq->method, rq->path, status,
                       rq->bytes, (unsigned long long)dur,
                       toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted");
    struct conn *cn = (struct conn *)(void *)((char *)rq - offsetof(struct conn, rq));
    cn->body.len = 0;
    cn->out.len = 0;
    if (cn->body.cap > SCRATCH_KEEP)
        cipi_buf_release(&cn->body);
    if (cn->out.cap > SCRATCH_KEEP)
        cipi_buf_release(&cn->out);
}

static void conn_free(struct conn *cn)
{
    if (cn == NULL)
        return;
    cip_ctx *ctx = cn->ctx;
    cipi_buf_release(&cn->body);
    cipi_buf_release(&cn->out);
    cip_ctx_free(cn->rctx);
    cipi_serve_arena_release(&cn->arena);
    cipi_free(ctx, cn);
    cip_ctx_free(ctx);
}

static struct conn *conn_new(cip_server *s)
{
    cip_ctx *ctx = NULL;
    if (cip_ctx_new_with_alloc(s->a.fn, s->a.ud, &ctx) != CIP_OK)
        return NULL;
    struct conn *cn = cipi_calloc(ctx, 1, sizeof *cn);
    if (cn == NULL) {
        cip_ctx_free(ctx);
        return NULL;
    }
    cip_ctx_set_threads(ctx, 1);
    cn->ctx = ctx;
    cipi_serve_arena_init(&cn->arena, s->a, ARENA_BYTES);
    if (cip_ctx_new_with_alloc(cipi_serve_arena_fn, &cn->arena, &cn->rctx) != CIP_OK) {
        cipi_free(ctx, cn);
        cip_ctx_free(ctx);
        return NULL;
    }
    cip_ctx_set_threads(cn->rctx, 1);
    cipi_serve_arena_set(&cn->arena, true); /* the ctx itself came from the server's allocator */
    cipi_buf_init(&cn->body, ctx, s->p.max_body_bytes);
    cipi_buf_init(&cn->out, ctx, 0);
    return cn;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    (void)conn;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        *socket_context = conn_new(cls);
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
        conn_free(*socket_context);
        *socket_context = NULL;
    }
}

static cip_status bind_addr(cip_ctx *ctx, const char *host, uint16_t port,
                            struct sockaddr_storage *ss, socklen_t *len)
{
    memset(ss, 0, sizeof *ss);
    if (strcmp(host, "localhost") == 0)
        host = "127.0.0.1";
    struct sockaddr_in *a4 = (struct sockaddr_in *)(void *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)(void *)ss;
    if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons(port);
        *len = sizeof *a4;
        return CIP_OK;
    }
    if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons(port);
        *len = sizeof *a6;
        return CIP_OK;
    }
    return cipi_fail(ctx, CIP_ERR_INVALID, "host '%s' is not an IPv4/IPv6 address", host);
}

/* The listening socket (close-on-exec, address reuse, IPv6 only for IPv6 hosts). */
static cip_status listen_on(cip_ctx *ctx, cip_server *s)
{
    struct sockaddr_storage ss;
    socklen_t len = 0;
    cip_status rc = bind_addr(ctx, s->host, s->p.port, &ss, &len);
    if (rc != CIP_OK)
        return rc;
    int fd = socket(ss.ss_family, SOCK_STREAM, 0), one = 1;
    if (fd < 0)
        return cipi_fail_errno(ctx, CIP_ERR_IO, errno, "cannot create a socket");
    (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ss.ss_family == AF_INET6)
        (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 1024) != 0) {
        int e = errno;
        close(fd);
        return cipi_fail_errno(ctx, CIP_ERR_IO, e, "cannot listen on %s:%u", s->host,
                               (unsigned)s->p.port);
    }
    len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
        s->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)(void *)&ss)->sin6_port
                                                 : ((struct sockaddr_in *)(void *)&ss)->sin_port);
    s->listen_fd = fd;
    return CIP_OK;
}

/* The acceptor thread: hand each new connection to libmicrohttpd, which gives it to worker
 * (fd mod threads), so consecutive connections go to different workers. */
static void *acceptor_main(void *arg)
{
    cip_server *s = arg;
    while (!atomic_load(&s->acceptor_stop)) {
        struct pollfd pf = {s->listen_fd, POLLIN, 0};
        if (poll(&pf, 1, 250) <= 0 || atomic_load(&s->acceptor_stop))
            continue;
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        int c = accept(s->listen_fd, (struct sockaddr *)&ss, &len);
        if (c < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                struct timespec ts = {0, 10 * 1000000L}; /* out of descriptors: back off */
                nanosleep(&ts, NULL);
            }
            continue;
        }
        (void)fcntl(c, F_SETFD, FD_CLOEXEC);
        (void)MHD_add_connection(s->daemon, c, (struct sockaddr *)&ss, len); /* closes c on
                                                                                 failure */
    }
    return NULL;
}

static cip_status start_daemon(cip_ctx *ctx, cip_server *s)
{
#ifdef MHD_USE_EPOLL_INTERNAL_THREAD
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_NO_LISTEN_SOCKET;
#else
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_NO_LISTEN_SOCKET;
#endif
    cip_status rc = listen_on(ctx, s);
    if (rc != CIP_OK)
        return rc;
    errno = 0;
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned int)s->p.threads, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int)s->p.connection_timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)s->p.connection_memory_bytes, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned int)s->p.max_connections, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, s, MHD_OPTION_END);
    if (s->daemon == NULL)
        return cipi_fail_errno(ctx, CIP_ERR_IO, errno ? errno : EINVAL,
                               "cannot start the HTTP server on %s:%u", s->host, (unsigned)s->port);
    int e = pthread_create(&s->acceptor, NULL, acceptor_main, s);
    if (e != 0)
        return cipi_fail_errno(ctx, CIP_ERR_IO, e, "cannot start the accept thread");
    s->acceptor_running = true;
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
    s->listen_fd = -1;
    atomic_init(&s->acceptor_stop, false);
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
    if (s->acceptor_running) { /* stop accepting first */
        atomic_store(&s->acceptor_stop, true);
        shutdown(s->listen_fd, SHUT_RDWR);
        pthread_join(s->acceptor, NULL);
    }
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    if (s->daemon != NULL)
        MHD_stop_daemon(s->daemon); /* waits for the requests in flight */
    cipi_serve_models_free(s);
    pthread_cond_destroy(&s->wcv);
    pthread_mutex_destroy(&s->wmu);
    cipi_afree(&s->a, s->host);
    cipi_afree(&s->a, s->tracking);
    cipi_afree(&s->a, s->token);
    cipi_afree(&s->a, s);
}
