/* testutil.h - fixtures shared by the cmocka unit tests
 *
 * A counting allocator that can fail the k-th allocation (curl's torture
 * mode, Lua's failing allocator), an OOM sweep helper, and paths to test data.
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_TESTUTIL_H
#define CIP_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs these first */
#include <cmocka.h>

#include "cip/cip.h"

struct cipt_alloc {
    long n_calls; /* allocations and reallocations so far */
    long fail_at; /* fail the call with this index (0-based); -1 never */
    long live;    /* blocks currently allocated */
    size_t bytes; /* bytes currently allocated */
};

/* The allocator hook: pass a struct cipt_alloc as user data. */
void *cipt_alloc_fn(void *ud, void *ptr, size_t n);
/* New ctx with the counting allocator; asserts success. */
cip_ctx *cipt_ctx_counting(struct cipt_alloc *a, long fail_at);

/* Run body(ctx, arg) once to count allocations, then once per allocation k
 * with allocation k failing. Each failing run must return CIP_ERR_NOMEM (or
 * CIP_OK when the failure was absorbed) and leave no block allocated, since
 * body must free whatever it created. Returns the number of runs. */
typedef cip_status (*cipt_body_fn)(cip_ctx *ctx, void *arg);
long cipt_oom_sweep(cipt_body_fn body, void *arg);

/* Path of a test-data file: $CIP_TEST_DATA/name (static buffer per call site
 * is not used: the result is written into buf). */
const char *cipt_data_path(char *buf, size_t size, const char *name);
/* $CIP_SHARED_DIR/name, or NULL when ../shared is absent. */
const char *cipt_shared_path(char *buf, size_t size, const char *name);
/* Write text to a fresh temporary file; returns its path in buf. */
const char *cipt_write_temp(char *buf, size_t size, const char *suffix, const void *data,
                            size_t len);

#endif /* CIP_TESTUTIL_H */
