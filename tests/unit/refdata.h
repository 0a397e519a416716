/* refdata.h - reference-value files and x/y/w data files shared by unit tests
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_TEST_REFDATA_H
#define CIP_TEST_REFDATA_H

#include "testutil.h"

/* One line of tests/data/validate/ref.txt. */
struct ref_line {
    char *key;  /* first token */
    char **tok; /* the others */
    size_t n;   /* their count */
};

/* Load / free ref.txt (cmocka group setup / teardown). */
int cipt_ref_load(void **state);
int cipt_ref_free(void **state);
/* The line called key; fails the test when missing. */
const struct ref_line *cipt_ref_get(const char *key);
/* Numbers of a reference line (malloc'd; "none" gives NaN). */
double *cipt_ref_nums(const char *key, size_t *n);

/* A data file: "n p" then rows "x_1..x_p y w". */
struct cipt_xyw {
    cip_frame *x;
    double *y, *w;
    size_t n, p;
};
void cipt_xyw_load(cip_ctx *ctx, const char *name, struct cipt_xyw *d);
void cipt_xyw_free(struct cipt_xyw *d);
/* New ctx with the given thread count; asserts success. */
cip_ctx *cipt_ctx_threads(int threads);

#endif /* CIP_TEST_REFDATA_H */
