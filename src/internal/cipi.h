/* cipi.h - the internal API every libcip module shares (never installed)
 *
 * Allocation chokepoint, error recording, logging, growable capped buffers
 * and small helpers. Module-private headers (<module>_int.h) stay in their
 * own directory; this one is the only cross-module internal header, like
 * curl's curlx_ functions.
 * SPDX-License-Identifier: MIT
 */
#ifndef CIPI_H
#define CIPI_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cip/core.h"
#include "cip/rng.h"

#define CIP_INTERNAL      __attribute__((visibility("hidden")))
#define CIP_ARRAY_LEN(a)  (sizeof(a) / sizeof((a)[0]))
#define CIPI_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* An allocator captured from a ctx; objects keep one so _free needs no ctx. */
struct cipi_alloc {
    cip_alloc_fn fn; /* realloc-like hook */
    void *ud;        /* its user data */
};

/* --- allocation (core/alloc.c) ------------------------------------------ */
/* The ctx's allocator as a value, to store in objects. */
CIP_INTERNAL struct cipi_alloc cipi_ctx_alloc(const cip_ctx *ctx);
/* Allocate n bytes through ctx; on failure records "out of memory" on ctx
 * and returns NULL. n == 0 allocates 1 byte. */
CIP_INTERNAL void *cipi_malloc(cip_ctx *ctx, size_t n);
/* As cipi_malloc, zero-filled; count*size is overflow-checked. */
CIP_INTERNAL void *cipi_calloc(cip_ctx *ctx, size_t count, size_t size);
/* Allocate count*size bytes (overflow-checked), uninitialised. */
CIP_INTERNAL void *cipi_mallocarray(cip_ctx *ctx, size_t count, size_t size);
/* Resize; on failure returns NULL, records the error, and p stays valid. */
CIP_INTERNAL void *cipi_realloc(cip_ctx *ctx, void *p, size_t n);
CIP_INTERNAL void cipi_free(cip_ctx *ctx, void *p);
/* Free through a captured allocator (object destructors). NULL is a no-op. */
CIP_INTERNAL void cipi_afree(const struct cipi_alloc *a, void *p);
/* Allocate through a captured allocator (no error recording). */
CIP_INTERNAL void *cipi_amalloc(const struct cipi_alloc *a, size_t n);
/* Copy a string through ctx's allocator; NULL on failure (error recorded). */
CIP_INTERNAL char *cipi_strdup(cip_ctx *ctx, const char *s);
CIP_INTERNAL char *cipi_strndup(cip_ctx *ctx, const char *s, size_t n);
/* *out = a*b; returns false on overflow. */
static inline bool cipi_mul_ok(size_t a, size_t b, size_t *out)
{
    return !__builtin_mul_overflow(a, b, out);
}

/* --- errors and logging (core/error.c) ----------------------------------- */
/* Record a printf-style message on ctx and return code. */
CIP_INTERNAL cip_status cipi_fail(cip_ctx *ctx, cip_status code, const char *fmt, ...)
    CIPI_PRINTF(3, 4);
/* As cipi_fail, with ": <strerror(errnum)>" appended (strerror_r). */
CIP_INTERNAL cip_status cipi_fail_errno(cip_ctx *ctx, cip_status code, int errnum, const char *fmt,
                                        ...) CIPI_PRINTF(4, 5);
/* Record "out of memory" and return CIP_ERR_NOMEM. */
CIP_INTERNAL cip_status cipi_nomem(cip_ctx *ctx);
/* Prefix the current message with "prefix: " (adds context while unwinding). */
CIP_INTERNAL cip_status cipi_fail_prefix(cip_ctx *ctx, cip_status code, const char *fmt, ...)
    CIPI_PRINTF(3, 4);
CIP_INTERNAL void cipi_log(cip_ctx *ctx, cip_log_level level, const char *fmt, ...)
    CIPI_PRINTF(3, 4);
CIP_INTERNAL void cipi_progress(cip_ctx *ctx, const char *stage, uint64_t done, uint64_t total);

/* --- growable buffer with a cap (core/buf.c) ------------------------------ */
struct cipi_buf {
    char *data;          /* NUL-terminated when len < cap; owned */
    size_t len;          /* bytes used, excluding the NUL */
    size_t cap;          /* bytes allocated */
    size_t limit;        /* maximum len; growth past it fails with CIP_ERR_LIMIT */
    struct cipi_alloc a; /* allocator of data */
};
/* limit 0 means SIZE_MAX / 2. Allocates nothing until the first append. */
CIP_INTERNAL void cipi_buf_init(struct cipi_buf *b, const cip_ctx *ctx, size_t limit);
CIP_INTERNAL void cipi_buf_release(struct cipi_buf *b);
CIP_INTERNAL cip_status cipi_buf_reserve(cip_ctx *ctx, struct cipi_buf *b, size_t extra);
CIP_INTERNAL cip_status cipi_buf_append(cip_ctx *ctx, struct cipi_buf *b, const void *p, size_t n);
CIP_INTERNAL cip_status cipi_buf_putc(cip_ctx *ctx, struct cipi_buf *b, char c);
CIP_INTERNAL cip_status cipi_buf_printf(cip_ctx *ctx, struct cipi_buf *b, const char *fmt, ...)
    CIPI_PRINTF(3, 4);
/* Take ownership of the data (NUL-terminated, may be NULL if empty); b is reset. */
CIP_INTERNAL char *cipi_buf_detach(struct cipi_buf *b, size_t *len);

/* --- threads (core/ctx.c) -------------------------------------------------- */
/* Thread count for an OpenMP region over `work` independent items:
 * min(ctx threads, work), at least 1. */
CIP_INTERNAL int cipi_threads_for(const cip_ctx *ctx, size_t work);

/* --- files (core/fsutil.c) ------------------------------------------------ */
/* Write len bytes to path atomically: temp file in the same directory,
 * fflush + fsync, rename. Errors: CIP_ERR_IO. */
CIP_INTERNAL cip_status cipi_write_file_atomic(cip_ctx *ctx, const char *path, const void *data,
                                               size_t len);
/* Read a whole file (at most limit bytes; 0 = no limit) into an owned buffer. */
CIP_INTERNAL cip_status cipi_read_file(cip_ctx *ctx, const char *path, size_t limit, char **out,
                                       size_t *out_len);

/* Format a double as the shortest decimal that round-trips (like Python's
 * repr); writes at most size bytes including the NUL; returns the length. */
CIP_INTERNAL int cipi_fmt_double(char *buf, size_t size, double v);

/* --- string -> index map (core/strmap.c) ----------------------------------- */
/* Open-addressing hash map from byte strings to dense ids 0, 1, 2, ... in
 * order of first insertion; keeps its own copies of the keys. */
struct cipi_strmap {
    uint32_t *slots;     /* id + 1, 0 = empty; owned */
    size_t n_slots;      /* power of two */
    char **keys;         /* owned copies, indexed by id */
    size_t *key_lens;    /* lengths of keys */
    size_t n;            /* ids handed out */
    size_t cap;          /* capacity of keys */
    struct cipi_alloc a; /* allocator */
};
CIP_INTERNAL void cipi_strmap_init(struct cipi_strmap *m, const cip_ctx *ctx);
CIP_INTERNAL void cipi_strmap_release(struct cipi_strmap *m);
/* Id of key (inserted if new). Errors: CIP_ERR_NOMEM, CIP_ERR_LIMIT (2^31 keys). */
CIP_INTERNAL cip_status cipi_strmap_intern(cip_ctx *ctx, struct cipi_strmap *m, const char *key,
                                           size_t len, uint32_t *id);
/* Id of key, or -1 when absent. */
CIP_INTERNAL int64_t cipi_strmap_find(const struct cipi_strmap *m, const char *key, size_t len);
/* Take the keys array (n entries, NUL-terminated strings); m is released. */
CIP_INTERNAL char **cipi_strmap_detach_keys(struct cipi_strmap *m, size_t *n);
/* FNV-1a-style 64-bit hash of bytes, finished with a strong mix. */
CIP_INTERNAL uint64_t cipi_hash_bytes(const void *p, size_t n);

/* --- JSON writer (src/core/json_write.c) ---------------------------------- */
/* A small streaming JSON writer into a cipi_buf: strings are escaped (UTF-8
 * passed through), numbers printed with %.17g, NaN/Inf written as null.
 * Commas are inserted automatically; nesting depth <= 32. */
struct cipi_json {
    struct cipi_buf *b;
    int depth;
    unsigned char first[33]; /* 1 while the container at that depth is empty */
    bool after_key;          /* the next value follows a key */
};
CIP_INTERNAL void cipi_json_init(struct cipi_json *j, struct cipi_buf *b);
CIP_INTERNAL cip_status cipi_json_begin(cip_ctx *ctx, struct cipi_json *j, char open);
CIP_INTERNAL cip_status cipi_json_end(cip_ctx *ctx, struct cipi_json *j, char close);
CIP_INTERNAL cip_status cipi_json_key(cip_ctx *ctx, struct cipi_json *j, const char *k);
CIP_INTERNAL cip_status cipi_json_str(cip_ctx *ctx, struct cipi_json *j, const char *s);
CIP_INTERNAL cip_status cipi_json_num(cip_ctx *ctx, struct cipi_json *j, double v);
CIP_INTERNAL cip_status cipi_json_int(cip_ctx *ctx, struct cipi_json *j, int64_t v);
CIP_INTERNAL cip_status cipi_json_bool(cip_ctx *ctx, struct cipi_json *j, bool v);
CIP_INTERNAL cip_status cipi_json_null(cip_ctx *ctx, struct cipi_json *j);
/* A pre-formatted raw value (a JSON literal). */
CIP_INTERNAL cip_status cipi_json_raw(cip_ctx *ctx, struct cipi_json *j, const char *lit);
/* Append s JSON-escaped with quotes (no comma handling). */
CIP_INTERNAL cip_status cipi_json_escape(cip_ctx *ctx, struct cipi_buf *b, const char *s);

/* Wall-clock time in epoch milliseconds. */
CIP_INTERNAL int64_t cipi_now_ms(void);

/* --- random streams (core/rng.c) ----------------------------------------- */
/* cip_mix64, cip_rng_u64 and cip_rng_below as inline functions, for hot
 * loops (a forest's bootstrap samples and feature draws): rng.c's public
 * functions are these, so both give the same numbers. */
static inline uint64_t cipi_mix64(uint64_t z) /* splitmix64's finaliser */
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static inline uint64_t cipi_rng_u64(cip_rng *r)
{
    r->state += 0x9E3779B97F4A7C15ULL; /* the golden-ratio increment */
    return cipi_mix64(r->state);
}

/* Lemire's nearly divisionless bounded draw in [0, n), with rejection. */
static inline uint64_t cipi_rng_below(cip_rng *r, uint64_t n)
{
    __extension__ typedef unsigned __int128 cipi_u128;
    cipi_u128 m = (cipi_u128)cipi_rng_u64(r) * n;
    uint64_t lo = (uint64_t)m;
    if (lo < n) { /* rare: the rejection threshold */
        uint64_t t = (0 - n) % n;
        while (lo < t) {
            m = (cipi_u128)cipi_rng_u64(r) * n;
            lo = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

/* --- embedded web UI (generated from web/ by cmake/embed_assets.cmake) ---- */
struct cipi_web_asset {
    const char *path; /* "/index.html" */
    const char *mime; /* Content-Type */
    const unsigned char *data;
    size_t len;
};
/* Sorted by path; terminated by a {NULL} entry; cipi_web_assets_count entries before it. */
CIP_INTERNAL extern const struct cipi_web_asset cipi_web_assets[];
CIP_INTERNAL extern const size_t cipi_web_assets_count;

#endif /* CIPI_H */
