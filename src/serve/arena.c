/* arena.c - the request arena: a per-connection bump allocator behind the request's ctx
 *
 * Why hand-written: a single-customer /invocations request makes about 130
 * short-lived allocations (decoded columns, the engineered frame, the model
 * matrix, predictions, names), and glibc's malloc and free were about 16 % of
 * the server's CPU per request (perf, 2 threads under wrk). Every one of them
 * is freed before the request ends, so a bump pointer that rewinds when the
 * last block is freed does the same work in a few instructions.
 *
 * Safety: the arena never rewinds over a live block - it counts the blocks
 * handed out and only rewinds when that count is zero - so an object that
 * outlives its request costs arena space, never memory corruption. Blocks
 * that do not fit (large uploads) come from the server's allocator, and a
 * pointer outside the chunk is always passed to it. Under AddressSanitizer
 * the unused chunk, freed blocks and a gap after each block are poisoned, so
 * the sanitizer builds check arena use as they check malloc.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <string.h>

#include "serve_int.h"

#if defined(__SANITIZE_ADDRESS__)
#define ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_ASAN 1
#endif
#endif
#ifdef ARENA_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n)   ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#define GAP            16 /* poisoned bytes after every block */
#else
#define POISON(p, n)   ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#define GAP            0
#endif

#define HDR 16 /* block header: the block's size, keeping payloads 16-byte aligned */

void cipi_serve_arena_init(struct cipi_serve_arena *a, struct cipi_alloc up, size_t cap)
{
    memset(a, 0, sizeof *a);
    a->up = up;
    a->cap = cap & ~(size_t)15;
}

static bool owns(const struct cipi_serve_arena *a, const void *p)
{
    const char *c = p;
    return a->base != NULL && c >= a->base && c < a->base + a->cap;
}

static size_t *header(void *p)
{
    return (size_t *)(void *)((char *)p - HDR);
}

static size_t round16(size_t n)
{
    return (n + 15) & ~(size_t)15;
}

/* n bytes from the chunk, or from the server's allocator when they do not fit. */
static void *take(struct cipi_serve_arena *a, size_t n)
{
    if (a->on && a->base == NULL && a->cap > 0) {
        a->base = a->up.fn(a->up.ud, NULL, a->cap);
        if (a->base != NULL)
            POISON(a->base, a->cap);
    }
    size_t need = HDR + round16(n) + GAP;
    if (!a->on || a->base == NULL || n > a->cap || need > a->cap - a->used)
        return a->up.fn(a->up.ud, NULL, n);
    char *p = a->base + a->used + HDR;
    UNPOISON(p - HDR, HDR + n);
    *header(p) = n;
    a->used += need;
    a->live++;
    return p;
}

/* Free block p of size n: pop it when it is the last one; rewind when none is live. */
static void release(struct cipi_serve_arena *a, char *p, size_t n)
{
    size_t start = (size_t)(p - HDR - a->base);
    POISON(p - HDR, HDR + round16(n) + GAP);
    if (start + HDR + round16(n) + GAP == a->used)
        a->used = start;
    if (--a->live == 0)
        a->used = 0;
}

void *cipi_serve_arena_fn(void *ud, void *ptr, size_t n)
{
    struct cipi_serve_arena *a = ud;
    if (ptr == NULL)
        return n == 0 ? NULL : take(a, n);
    if (!owns(a, ptr))
        return a->up.fn(a->up.ud, ptr, n);
    size_t old = *header(ptr);
    if (n == 0) {
        release(a, ptr, old);
        return NULL;
    }
    size_t start = (size_t)((char *)ptr - HDR - a->base);
    size_t end_old = start + HDR + round16(old) + GAP;
    size_t end_new = n <= a->cap ? start + HDR + round16(n) + GAP : SIZE_MAX;
    if (end_old == a->used && end_new <= a->cap) { /* the last block: grow or shrink in place */
        POISON((char *)ptr, round16(old) + GAP);
        UNPOISON((char *)ptr, n);
        *header(ptr) = n;
        a->used = end_new;
        return ptr;
    }
    if (n <= old) /* keep the block; only its first n bytes are the caller's now */
        return ptr;
    void *q = take(a, n);
    if (q == NULL)
        return NULL; /* realloc semantics: ptr is untouched */
    memcpy(q, ptr, old);
    release(a, ptr, old);
    return q;
}

void cipi_serve_arena_set(struct cipi_serve_arena *a, bool on)
{
    a->on = on;
}

void cipi_serve_arena_release(struct cipi_serve_arena *a)
{
    if (a->base == NULL || a->live > 0) /* a block still in use: leave the chunk to it */
        return;
    UNPOISON(a->base, a->cap);
    a->up.fn(a->up.ud, a->base, 0);
    a->base = NULL;
    a->used = 0;
}
