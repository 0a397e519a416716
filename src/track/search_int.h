/* search_int.h - the run-search query under construction (src/track only)
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_TRACK_SEARCH_INT_H
#define CIP_TRACK_SEARCH_INT_H

#include "track_int.h"

enum { BIND_TEXT, BIND_NUM, BIND_INT };

struct cipi_bind {
    int kind;      /* BIND_* */
    const char *s; /* text (not NUL-terminated; points into the caller's filter) */
    size_t len;    /* its length */
    double d;      /* number */
    int64_t i;     /* integer */
};

struct cipi_search {
    struct cipi_buf where;      /* " AND ..." fragments */
    struct cipi_buf order;      /* "expr DIR, " fragments */
    struct cipi_bind binds[96]; /* in the order the ?s appear */
    size_t n_binds;
};

/* Append the filter's clauses and binds. Errors: PARSE, LIMIT, NOMEM. */
CIP_INTERNAL cip_status cipi_search_filter(cip_ctx *ctx, struct cipi_search *q, const char *filter);
/* Append ORDER BY terms and binds. Errors: PARSE, LIMIT, NOMEM. */
CIP_INTERNAL cip_status cipi_search_order(cip_ctx *ctx, struct cipi_search *q,
                                          const char *order_by);

#endif /* CIP_TRACK_SEARCH_INT_H */
