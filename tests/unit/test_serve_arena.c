/* test_serve_arena.c - the server's per-connection request arena: blocks from the chunk,
 * realloc semantics, overflow to the upstream allocator, rewinding only when no block is live
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../../src/serve/serve_int.h"
#include "testutil.h"

#define CAP 4096

static void arena_on(struct cipi_serve_arena *a, struct cipt_alloc *up)
{
    memset(up, 0, sizeof *up);
    up->fail_at = -1;
    cipi_serve_arena_init(a, (struct cipi_alloc){cipt_alloc_fn, up}, CAP);
    cipi_serve_arena_set(a, true);
}

static bool in_chunk(const struct cipi_serve_arena *a, const void *p)
{
    return (const char *)p >= a->base && (const char *)p < a->base + a->cap;
}

static void test_serve_arena_blocks_come_from_one_chunk_and_rewind(void **state)
{
    (void)state;
    struct cipt_alloc up;
    struct cipi_serve_arena a;
    arena_on(&a, &up);
    char *p = cipi_serve_arena_fn(&a, NULL, 10), *q = cipi_serve_arena_fn(&a, NULL, 100);
    assert_non_null(p);
    assert_non_null(q);
    assert_int_equal(up.live, 1); /* the chunk, nothing else */
    assert_true(in_chunk(&a, p) && in_chunk(&a, q));
    assert_int_equal((uintptr_t)p % 16, 0);
    assert_int_equal((uintptr_t)q % 16, 0);
    assert_true(q >= p + 10);
    memset(p, 'a', 10);
    memset(q, 'b', 100);
    assert_int_equal(a.live, 2);
    assert_null(cipi_serve_arena_fn(&a, p, 0)); /* not the last block: no rewind */
    assert_int_equal(a.live, 1);
    assert_true(a.used > 0);
    assert_int_equal(q[99], 'b');
    assert_null(cipi_serve_arena_fn(&a, q, 0)); /* none live: rewind */
    assert_int_equal(a.used, 0);
    char *r = cipi_serve_arena_fn(&a, NULL, 8);
    assert_ptr_equal(r, p); /* the chunk is reused from its start */
    cipi_serve_arena_fn(&a, r, 0);
    cipi_serve_arena_release(&a);
    assert_int_equal(up.live, 0);
}

static void test_serve_arena_realloc_keeps_contents(void **state)
{
    (void)state;
    struct cipt_alloc up;
    struct cipi_serve_arena a;
    arena_on(&a, &up);
    char *p = cipi_serve_arena_fn(&a, NULL, 16);
    memcpy(p, "0123456789abcdef", 16);
    char *g = cipi_serve_arena_fn(&a, p, 64); /* the last block grows in place */
    assert_ptr_equal(g, p);
    char *o = cipi_serve_arena_fn(&a, NULL, 32); /* now g is not the last block */
    char *m = cipi_serve_arena_fn(&a, g, 200);   /* so it moves, with its bytes */
    assert_ptr_not_equal(m, g);
    assert_true(in_chunk(&a, m));
    assert_memory_equal(m, "0123456789abcdef", 16);
    assert_int_equal(a.live, 2);
    char *s = cipi_serve_arena_fn(&a, m, 8); /* shrinking keeps the block */
    assert_memory_equal(s, "01234567", 8);
    char *big = cipi_serve_arena_fn(&a, s, 2 * CAP); /* beyond the chunk: upstream, copied */
    assert_non_null(big);
    assert_false(in_chunk(&a, big));
    assert_memory_equal(big, "01234567", 8);
    assert_int_equal(up.live, 2); /* the chunk and the big block */
    assert_int_equal(a.live, 1);
    big = cipi_serve_arena_fn(&a, big, 3 * CAP); /* upstream realloc */
    assert_memory_equal(big, "01234567", 8);
    assert_null(cipi_serve_arena_fn(&a, big, 0));
    assert_int_equal(up.live, 1);
    cipi_serve_arena_fn(&a, o, 0);
    assert_int_equal(a.used, 0);
    cipi_serve_arena_release(&a);
    assert_int_equal(up.live, 0);
}

static void test_serve_arena_full_chunk_falls_back_upstream(void **state)
{
    (void)state;
    struct cipt_alloc up;
    struct cipi_serve_arena a;
    arena_on(&a, &up);
    void *blocks[64];
    size_t n = 0, upstream = 0;
    for (n = 0; n < 64; n++) { /* 64 x 100 bytes do not fit in 4096 */
        blocks[n] = cipi_serve_arena_fn(&a, NULL, 100);
        assert_non_null(blocks[n]);
        memset(blocks[n], (int)n, 100);
        upstream += !in_chunk(&a, blocks[n]);
    }
    assert_true(upstream > 0 && upstream < 64);
    assert_int_equal(up.live, 1 + (long)upstream);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(((unsigned char *)blocks[i])[99], (unsigned char)i);
        cipi_serve_arena_fn(&a, blocks[i], 0);
    }
    assert_int_equal(a.live, 0);
    assert_int_equal(a.used, 0);
    cipi_serve_arena_release(&a);
    assert_int_equal(up.live, 0);
}

static void test_serve_arena_off_and_failures_go_upstream(void **state)
{
    (void)state;
    struct cipt_alloc up;
    struct cipi_serve_arena a;
    arena_on(&a, &up);
    cipi_serve_arena_set(&a, false);
    void *p = cipi_serve_arena_fn(&a, NULL, 10); /* off: upstream, no chunk */
    assert_null(a.base);
    assert_int_equal(up.live, 1);
    cipi_serve_arena_fn(&a, p, 0);
    cipi_serve_arena_set(&a, true);
    up.fail_at = up.n_calls; /* the chunk cannot be allocated: the block comes from upstream */
    void *u = cipi_serve_arena_fn(&a, NULL, 10);
    assert_non_null(u);
    assert_null(a.base);
    cipi_serve_arena_fn(&a, u, 0);
    up.fail_at = -1;
    char *q = cipi_serve_arena_fn(&a, NULL, 10); /* the chunk now */
    assert_true(in_chunk(&a, q));
    char *r = cipi_serve_arena_fn(&a, NULL, 10);
    up.fail_at = up.n_calls; /* a move that needs upstream memory fails: q is untouched */
    memcpy(q, "keep", 5);
    assert_null(cipi_serve_arena_fn(&a, q, 2 * CAP));
    assert_string_equal(q, "keep");
    up.fail_at = -1;
    cipi_serve_arena_fn(&a, q, 0);
    cipi_serve_arena_release(&a); /* r is live: the chunk is left to it */
    assert_non_null(a.base);
    cipi_serve_arena_fn(&a, r, 0);
    cipi_serve_arena_release(&a);
    assert_int_equal(up.live, 0);
}

/* A whole ctx on the arena: a frame built and freed leaves the arena rewound. */
static void test_serve_arena_ctx_objects_rewind(void **state)
{
    (void)state;
    struct cipt_alloc up;
    struct cipi_serve_arena a;
    memset(&up, 0, sizeof up);
    up.fail_at = -1;
    cipi_serve_arena_init(&a, (struct cipi_alloc){cipt_alloc_fn, &up}, (size_t)64 << 10);
    cip_ctx *ctx = NULL;
    assert_int_equal(cip_ctx_new_with_alloc(cipi_serve_arena_fn, &a, &ctx), CIP_OK);
    cipi_serve_arena_set(&a, true);
    for (int round = 0; round < 3; round++) {
        cip_frame *f = NULL;
        assert_int_equal(cip_frame_new(ctx, 3, &f), CIP_OK);
        double v[3] = {1, 2, 3};
        for (int c = 0; c < 20; c++) {
            char name[16];
            snprintf(name, sizeof name, "c%d", c);
            assert_int_equal(cip_frame_add_f64(ctx, f, name, v, NULL), CIP_OK);
        }
        assert_true(a.live > 20);
        assert_int_equal(up.live, 2); /* the ctx and the chunk */
        cip_frame_free(f);
        assert_int_equal(a.live, 0);
        assert_int_equal(a.used, 0);
    }
    cip_ctx_free(ctx);
    cipi_serve_arena_release(&a);
    assert_int_equal(up.live, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_serve_arena_blocks_come_from_one_chunk_and_rewind),
        cmocka_unit_test(test_serve_arena_realloc_keeps_contents),
        cmocka_unit_test(test_serve_arena_full_chunk_falls_back_upstream),
        cmocka_unit_test(test_serve_arena_off_and_failures_go_upstream),
        cmocka_unit_test(test_serve_arena_ctx_objects_rewind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
