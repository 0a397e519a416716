/* cip/core.h - status codes, the context object, allocator and log hooks
 *
 * Every fallible libcip function returns a cip_status (CIP_OK == 0) and
 * records a human-readable message on the cip_ctx it was given; read it with
 * cip_ctx_errmsg(). Outputs are written only on success.
 * A cip_ctx carries the allocator, the log and progress callbacks, the thread
 * count and the last error. It is not thread-safe: use one ctx per thread.
 * Objects created through a ctx remember its allocator and may outlive it.
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_CORE_H
#define CIP_CORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CIP_API

/* Status codes. Append-only: never renumber. */
typedef enum cip_status {
    CIP_OK = 0,
    CIP_ERR_NOMEM = 1,     /* an allocation failed */
    CIP_ERR_IO = 2,        /* a file or socket operation failed */
    CIP_ERR_PARSE = 3,     /* malformed input text (CSV, JSON, model file) */
    CIP_ERR_INVALID = 4,   /* an argument or parameter is out of range */
    CIP_ERR_SCHEMA = 5,    /* columns or types do not match what is needed */
    CIP_ERR_NOT_FOUND = 6, /* a named thing does not exist */
    CIP_ERR_CONFLICT = 7,  /* the thing exists already or changed under us */
    CIP_ERR_LIMIT = 8,     /* a size or count limit was exceeded */
    CIP_ERR_MISUSE = 9,    /* the API was called wrongly (NULL handle, bad state) */
    CIP_ERR_INTERNAL = 10  /* an invariant failed: a bug in cip */
} cip_status;

/* Static text naming a status ("out of memory", ...). Never NULL. */
CIP_API const char *cip_status_str(cip_status s);
/* Static identifier of a status ("CIP_ERR_NOMEM", ...). Never NULL. */
CIP_API const char *cip_status_name(cip_status s);

/* Allocator hook with realloc semantics: (ud, NULL, n) allocates, (ud, p, n)
 * resizes, (ud, p, 0) frees and returns NULL. Must return NULL on failure and
 * leave p untouched. */
typedef void *(*cip_alloc_fn)(void *ud, void *ptr, size_t new_size);

typedef enum cip_log_level {
    CIP_LOG_ERROR = 0,
    CIP_LOG_WARN = 1,
    CIP_LOG_INFO = 2,
    CIP_LOG_DEBUG = 3
} cip_log_level;

/* Log callback: msg is a borrowed, NUL-terminated line without newline. */
typedef void (*cip_log_fn)(void *ud, cip_log_level level, const char *msg);

/* Progress callback: `stage` names the work, done/total count units of it.
 * Called from the thread that called the library function, never from a
 * worker thread. */
typedef void (*cip_progress_fn)(void *ud, const char *stage, uint64_t done, uint64_t total);

typedef struct cip_ctx cip_ctx; /* opaque */

/* Create a context using the libc allocator. On CIP_OK *out owns it; free it
 * with cip_ctx_free(). Errors: CIP_ERR_NOMEM. */
CIP_API cip_status cip_ctx_new(cip_ctx **out);
/* Create a context whose allocations (and those of every object made with it)
 * go through fn. The context itself is allocated with fn too. fn must be
 * thread-safe when the context uses more than one thread. */
CIP_API cip_status cip_ctx_new_with_alloc(cip_alloc_fn fn, void *ud, cip_ctx **out);
CIP_API void cip_ctx_free(cip_ctx *ctx); /* NULL is a no-op */

/* Messages up to `max_level` go to fn; NULL fn silences the log. */
CIP_API void cip_ctx_set_log(cip_ctx *ctx, cip_log_fn fn, void *ud, cip_log_level max_level);
CIP_API void cip_ctx_set_progress(cip_ctx *ctx, cip_progress_fn fn, void *ud);
/* Worker threads for parallel work: n >= 1, or 0 for the OpenMP default. */
CIP_API void cip_ctx_set_threads(cip_ctx *ctx, int n);
/* The resolved thread count (>= 1). */
CIP_API int cip_ctx_threads(const cip_ctx *ctx);
/* The last error message recorded on ctx ("" if none). Borrowed: valid until
 * the next failing call on ctx or cip_ctx_free(ctx). */
CIP_API const char *cip_ctx_errmsg(const cip_ctx *ctx);
/* Forget the last error. */
CIP_API void cip_ctx_clear_error(cip_ctx *ctx);

/* Free memory that a libcip function returned as owned raw memory (strings,
 * arrays) when its contract says "free with cip_free()". NULL is a no-op. */
CIP_API void cip_free(cip_ctx *ctx, void *p);

/* Version "MAJOR.MINOR.PATCH" and a one-line build description (compiler,
 * OpenMP, build type, git describe). Static strings. */
CIP_API const char *cip_version(void);
CIP_API const char *cip_build_info(void);
/* 1 when libcip was built with OpenMP. */
CIP_API int cip_has_openmp(void);

#ifdef __cplusplus
}
#endif
#endif /* CIP_CORE_H */
