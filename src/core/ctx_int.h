/* ctx_int.h - the cip_ctx structure, private to src/core
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_CTX_INT_H
#define CIP_CTX_INT_H

#include "cipi.h"

#define CIPI_ERRMSG_MAX 1024

struct cip_ctx {
    struct cipi_alloc alloc;      /* allocator for everything made with this ctx */
    cip_log_fn log_fn;            /* NULL = silent */
    void *log_ud;                 /* user data of log_fn */
    cip_log_level log_level;      /* most verbose level delivered */
    cip_progress_fn progress_fn;  /* NULL = no progress */
    void *progress_ud;            /* user data of progress_fn */
    int threads;                  /* resolved worker count, >= 1 */
    char errmsg[CIPI_ERRMSG_MAX]; /* last error message */
};

#endif /* CIP_CTX_INT_H */
