/* serve_int.h - private structures of the model server (src/serve only)
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_SERVE_INT_H
#define CIP_SERVE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "cip/bundle.h"
#include "cip/monitor.h"
#include "cip/serve.h"
#include "cipi.h"

/* arena.c: a per-connection bump allocator for request-lifetime objects (see arena.c). */
struct cipi_serve_arena {
    struct cipi_alloc up; /* the chunk and every block that does not fit come from here */
    char *base;           /* the chunk, allocated on first use; NULL before */
    size_t cap;           /* chunk bytes */
    size_t used;          /* bytes handed out since the last rewind */
    size_t live;          /* blocks not yet freed; the arena rewinds when this reaches 0 */
    bool on;              /* false: every allocation goes to up */
};
/* An empty arena of cap bytes over up, switched off. Allocates nothing. */
CIP_INTERNAL void cipi_serve_arena_init(struct cipi_serve_arena *a, struct cipi_alloc up,
                                        size_t cap);
/* Switch the arena on or off (off: new blocks come from up; arena blocks stay valid). */
CIP_INTERNAL void cipi_serve_arena_set(struct cipi_serve_arena *a, bool on);
/* The cip_alloc_fn of the arena (ud: the arena). Not thread-safe: one connection's thread. */
CIP_INTERNAL void *cipi_serve_arena_fn(void *ud, void *ptr, size_t n);
/* Free the chunk unless a block is still live (then the chunk is left to it). */
CIP_INTERNAL void cipi_serve_arena_release(struct cipi_serve_arena *a);

/* One loaded model version, shared by the requests using it (reference counted). */
struct serve_model {
    atomic_long refs; /* the slot's reference + one per request holding it */
    struct cipi_alloc a;
    cip_bundle *b;
    char *path;           /* resolved directory */
    char version[24];     /* registered version, "" when not from the registry */
    cip_serve_field *sig; /* the bundle's inputs as a signature */
    size_t n_sig;
    cip_refstats *ref;    /* reference.json of the bundle, or NULL */
    cip_drift_live *live; /* live drift of the traffic against it, or NULL */
};

/* A model URI being served; the version behind it may change (alias moves). */
struct serve_slot {
    char *uri;
    char *name; /* registered model name (models:/NAME...) or NULL */
    pthread_mutex_t mu;
    struct serve_model *cur; /* NULL while nothing could be loaded */
};

enum serve_route {
    ROUTE_ASSET,
    ROUTE_PING,
    ROUTE_HEALTH,
    ROUTE_VERSION,
    ROUTE_INVOCATIONS,
    ROUTE_METRICS,
    ROUTE_INFO,
    ROUTE_SCORE,
    ROUTE_BATCH,
    ROUTE_EXPERIMENTS,
    ROUTE_RUNS,
    ROUTE_RUN,
    ROUTE_RUN_METRIC,
    ROUTE_MODELS,
    ROUTE_MODEL,
    ROUTE_ALIAS,
    ROUTE_AUDIT,
    ROUTE_MONITOR,
    ROUTE_CLV,
    ROUTE_UNKNOWN,
    ROUTE_COUNT
};

#define SERVE_N_CODES   11
#define SERVE_N_BUCKETS 12

struct serve_metrics {
    atomic_ullong requests[ROUTE_COUNT][SERVE_N_CODES];
    atomic_ullong bucket[SERVE_N_BUCKETS]; /* latency histogram (cumulative on output) */
    atomic_ullong dur_sum_us;
    atomic_ullong n_requests;
    atomic_ullong bytes_out;
    atomic_ullong reloads;
    atomic_ullong reload_errors;
};

struct cip_server {
    struct cipi_alloc a;
    char *host, *tracking, *token;
    cip_serve_params p;
    struct serve_slot *slots;
    size_t n_slots;
    struct MHD_Daemon *daemon;
    /* cip accepts the connections and hands them to libmicrohttpd, which spreads them
     * over its worker threads (its own accept in thread-pool mode lets one worker take
     * them all) */
    int listen_fd;
    pthread_t acceptor;
    bool acceptor_running;
    atomic_bool acceptor_stop;
    uint16_t port;
    int64_t started_ms;
    /* alias watcher */
    pthread_t watcher;
    bool watcher_running;
    pthread_mutex_t wmu;
    pthread_cond_t wcv;
    bool stopping;
    struct serve_metrics m;
};

/* A response under construction. */
struct serve_resp {
    unsigned status;
    const char *ctype;
    struct cipi_buf body;
    const unsigned char *static_data; /* when not NULL, sent instead of body (not copied) */
    size_t static_len;
    const char *allow; /* Allow header for 405 */
};

/* One request as the handlers see it. */
struct serve_call {
    cip_server *srv;
    cip_ctx *ctx;
    struct MHD_Connection *conn;
    const char *method;
    const char *path;
    const char *body;
    size_t body_len;
    const char *arg[2]; /* path parameters ({id}, {key}, {name}) */
    size_t arg_len[2];
    struct serve_resp *resp;
};

/* decode.c / convert.c / fastrec.c */
/* Column buffers of a frame being decoded (n rows each; miss: a bitmap of missing cells). */
struct cipi_serve_cols {
    int64_t *i64;
    double *f64;
    uint8_t *b;
    const char **s;
    uint8_t *miss;
};
/* Add field f's column (n rows from c, in f's type) to out. */
CIP_INTERNAL cip_status cipi_serve_add_column(cip_ctx *ctx, const cip_serve_field *f,
                                              const struct cipi_serve_cols *c, size_t n,
                                              cip_frame *out);
/* cip_serve_decode_json for the common body (a few flat dataframe_records rows, plain
 * values): CIP_OK with *out the frame, or CIP_OK with *out NULL when the body is not of that
 * simple kind (then decode it in full: same frame, or the error); NOMEM. Allocates. */
CIP_INTERNAL cip_status cipi_serve_decode_fast(cip_ctx *ctx, const cip_serve_field *sig,
                                               size_t n_sig, const char *body, size_t len,
                                               cip_frame **out);
CIP_INTERNAL cip_status cipi_serve_convert(cip_ctx *ctx, const cip_serve_field *sig, size_t n_sig,
                                           const cip_frame *f, int keep_all, cip_frame **out);

/* models.c */
CIP_INTERNAL cip_status cipi_serve_models_init(cip_ctx *ctx, cip_server *s);
CIP_INTERNAL void cipi_serve_models_free(cip_server *s);
/* Take a reference on slot i's current model (NULL when none); release it after use. */
CIP_INTERNAL struct serve_model *cipi_serve_acquire(cip_server *s, size_t i);
CIP_INTERNAL void cipi_serve_release(struct serve_model *m);
/* Start / stop the alias watcher thread. */
CIP_INTERNAL cip_status cipi_serve_watcher_start(cip_ctx *ctx, cip_server *s);
CIP_INTERNAL void cipi_serve_watcher_stop(cip_server *s);
CIP_INTERNAL void cipi_serve_log(cip_server *s, cip_log_level level, const char *fmt, ...)
    CIPI_PRINTF(3, 4);
/* "clv" / "churn" / "segments" of a model. */
CIP_INTERNAL const char *cipi_serve_role(const struct serve_model *m);

/* respond.c */
CIP_INTERNAL cip_status cipi_serve_error(struct serve_call *c, unsigned status, const char *code,
                                         const char *fmt, ...) CIPI_PRINTF(4, 5);
/* Map a failed library status (message on c->ctx) to an HTTP error response. */
CIP_INTERNAL cip_status cipi_serve_fail(struct serve_call *c, cip_status st);
CIP_INTERNAL cip_status cipi_serve_json_text(struct serve_call *c, unsigned status,
                                             const char *json);
/* Write v as the shortest round-trip number (null when not finite). */
CIP_INTERNAL cip_status cipi_serve_json_num(cip_ctx *ctx, struct cipi_json *j, double v);
/* Copy a path parameter into buf (NUL-terminated); false if too long. */
CIP_INTERNAL bool cipi_serve_arg(const struct serve_call *c, int k, char *buf, size_t size);

/* router.c */
CIP_INTERNAL enum serve_route cipi_serve_dispatch(struct serve_call *c);
CIP_INTERNAL const char *cipi_serve_route_name(enum serve_route r);

/* mlflow.c: the MLflow scoring protocol */
CIP_INTERNAL cip_status cipi_serve_invocations(struct serve_call *c);
/* api.c / score.c: the cip API */
CIP_INTERNAL cip_status cipi_serve_info(struct serve_call *c);
CIP_INTERNAL cip_status cipi_serve_score(struct serve_call *c);
CIP_INTERNAL cip_status cipi_serve_batch(struct serve_call *c);
CIP_INTERNAL cip_status cipi_serve_experiments(struct serve_call *c);
CIP_INTERNAL cip_status cipi_serve_runs(struct serve_call *c);
CIP_INTERNAL cip_status cipi_serve_run(struct serve_call *c);
CIP_INTERNAL cip_status cipi_serve_run_metric(struct serve_call *c);
CIP_INTERNAL cip_status cipi_serve_models(struct serve_call *c);
CIP_INTERNAL cip_status cipi_serve_model(struct serve_call *c);
CIP_INTERNAL cip_status cipi_serve_alias(struct serve_call *c);
CIP_INTERNAL cip_status cipi_serve_audit(struct serve_call *c);
/* The artifact `file` of the latest run matching `filter`: *rs_out (its first run; free with
 * cip_run_set_free) and the file's text (*text, cipi_free; *len bytes). CIP_ERR_NOT_FOUND with
 * message `none` when no run matches, or when the run lacks the artifact; outputs set only on
 * success. */
CIP_INTERNAL cip_status cipi_serve_latest_artifact(struct serve_call *c, const char *filter,
                                                   const char *file, const char *none,
                                                   cip_run_set **rs_out, char **text, size_t *len);
/* clv.c: the latest `cip clv evaluate` report (artifact evaluation.json) */
CIP_INTERNAL cip_status cipi_serve_clv(struct serve_call *c);
/* monitor.c: live drift (bundles with a reference.json) */
CIP_INTERNAL void cipi_serve_monitor_open(cip_ctx *ctx, struct serve_model *m);
CIP_INTERNAL void cipi_serve_monitor_close(struct serve_model *m);
/* Count the scored rows (raw inputs and the first prediction column); never fails. */
CIP_INTERNAL void cipi_serve_monitor_add(cip_ctx *ctx, struct serve_model *m, const cip_frame *raw,
                                         const cip_frame *pred);
CIP_INTERNAL cip_status cipi_serve_monitor(struct serve_call *c);
CIP_INTERNAL cip_status cipi_serve_monitor_metrics(struct serve_call *c);

/* metrics.c */
CIP_INTERNAL void cipi_serve_metrics_record(cip_server *s, enum serve_route r, unsigned status,
                                            uint64_t dur_us, size_t bytes);
CIP_INTERNAL cip_status cipi_serve_metrics_text(struct serve_call *c);

#endif /* CIP_SERVE_INT_H */
